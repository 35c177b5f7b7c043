//! The kernel-format transcript, in step with the timeline: a log line and
//! its marker select each other.

use super::marks;
use crate::state::{Replay, Selection, use_explorer_state};
use klpscope_engine::render::{self, Console};
use leptos::prelude::*;
use std::sync::Arc;

/// One line of the transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based step.
    pub step: usize,
    /// The event that printed it (`None` for the `% command` line and for
    /// lines the renderer adds itself).
    pub event: Option<usize>,
    /// The text.
    pub text: String,
    /// It is the step's `% command` line.
    pub command: bool,
}

/// The lines of a replay as `console` shows them, each tied to its event.
/// The text comes from the engine's log renderer; events are matched to
/// lines in order by their text.
pub fn lines(replay: &Replay, console: Console) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, step) in replay.steps().iter().enumerate() {
        let n = i + 1;
        let cmd = format!("% {}", step.command);
        let mut rendered = render::step_log_on(step, console);
        if rendered.first() == Some(&cmd) {
            rendered.remove(0);
        }
        out.push(Line {
            step: n,
            event: None,
            text: cmd,
            command: true,
        });
        let mut next_event = 0;
        for text in rendered {
            let found = step.events[next_event..].iter().position(|e| {
                e.text
                    .as_deref()
                    .is_some_and(|t| t == text || text.strip_prefix("# ") == Some(t))
            });
            let event = found.map(|k| next_event + k);
            if let Some(e) = event {
                next_event = e + 1;
            }
            out.push(Line {
                step: n,
                event,
                text,
                command: false,
            });
        }
    }
    out
}

/// The transcript pane.
#[component]
pub fn Transcript() -> impl IntoView {
    let state = use_explorer_state();
    // The selftests run with dynamic debug on; a plain console has no pr_debug lines.
    let dynamic_debug = RwSignal::new(true);
    let all: Memo<Arc<Vec<Line>>> = Memo::new(move |_| {
        let console = if dynamic_debug.get() {
            Console::DynamicDebug
        } else {
            Console::Default
        };
        Arc::new(lines(&state.replay.read(), console))
    });
    let root: NodeRef<leptos::html::Div> = NodeRef::new();
    // Keep the selected line in view (the transcript scrolls on its own).
    Effect::new(move |_| {
        if state.selected.get().is_some() {
            request_animation_frame(move || scroll_into_view(root, ".selected"));
        }
    });
    Effect::new(move |_| {
        let n = state.cursor.get();
        if state.selected.get_untracked().is_none() {
            request_animation_frame(move || {
                scroll_into_view(root, &format!("[data-cmd-step=\"{}\"]", n.max(1)))
            });
        }
    });
    // The lines are drawn when they change (a new run, the console
    // switch); `drawn` counts the drawings once they are in the page, and
    // the marks follow: past, current and future lines, and the selected
    // one, are marked only where they change (see marks.rs), so a step
    // touches a few lines, not the whole log.
    let drawn = RwSignal::new(0usize);
    let body = move || {
        let lines = all.get();
        queue_microtask(move || drawn.update(|n| *n += 1));
        draw(&lines)
    };
    let drawn = move || drawn.get();
    marks::follow_cursor(root, state.cursor.into(), drawn);
    marks::follow_selection(root, state.selected, drawn);
    let (cursor, selected) = (state.cursor, state.selected);
    view! {
        <section class="panel transcript-panel" aria-labelledby="transcript-h">
            <div class="transcript-head">
                <h2 id="transcript-h">"Kernel log"</h2>
                <label
                    class="console-switch"
                    title="The initializing, completing, reversing and canceling transition lines are pr_debug: a kernel prints them only with dynamic debug on, as its selftests switch it on"
                >
                    <input
                        type="checkbox"
                        data-testid="dynamic-debug"
                        prop:checked=move || dynamic_debug.get()
                        on:change=move |ev| dynamic_debug.set(event_target_checked(&ev))
                    />
                    " pr_debug lines (dynamic debug)"
                </label>
            </div>
            <div
                class="transcript"
                data-testid="transcript"
                tabindex="0"
                aria-label="Transcript"
                node_ref=root
                on:click=move |e| select_clicked(&e, cursor, selected)
            >
                {body}
            </div>
        </section>
    }
}

/// The lines (a note when there are none): a command line is a button
/// to its step; a line an event printed says which (`data-ev`), for the
/// marks and a click. Every line says its step (`data-s`) for the marks,
/// which give it its time class.
fn draw(lines: &[Line]) -> AnyView {
    if lines.is_empty() {
        return view! { <p class="muted">"The log of each command appears here."</p> }.into_any();
    }
    lines
        .iter()
        .map(|line| {
            let step = line.step.to_string();
            if line.command {
                return view! {
                    <div class="line cmd" data-cmd-step=step.clone() data-s=step>
                        <button class="cmd-line" title="Go to this step">
                            {line.text.clone()}
                        </button>
                    </div>
                }
                .into_any();
            }
            let mut class = String::from("line");
            if line.text.starts_with("# ") {
                class.push_str(" note");
            }
            if line.event.is_some() {
                class.push_str(" pickable");
            }
            let event = line.event.map(|e| e.to_string());
            let ev = line.event.map(|e| format!("{step}.{e}"));
            view! {
                <div class=class data-s=step.clone() data-step=step data-event=event data-ev=ev>
                    {line.text.clone()}
                </div>
            }
            .into_any()
        })
        .collect_view()
        .into_any()
}

/// Selects the event of the log line a click landed in; a click on a
/// command line goes to its step (its button), with nothing selected.
fn select_clicked(
    e: &web_sys::MouseEvent,
    cursor: RwSignal<usize>,
    selected: RwSignal<Option<Selection>>,
) {
    if let Some(key) = marks::clicked_event(e, ".line[data-ev]") {
        selected.set(Some(key));
    } else if let Some(step) = super::clicked(e, ".cmd-line")
        .and_then(|b| b.closest("[data-cmd-step]").ok().flatten())
        .and_then(|line| line.get_attribute("data-cmd-step")?.parse().ok())
    {
        cursor.set(step);
        selected.set(None);
    }
}

/// Scrolls the transcript box (never the page) so that its element
/// matching `selector` is in view.
fn scroll_into_view(root: NodeRef<leptos::html::Div>, selector: &str) {
    let Some(c) = root.get_untracked() else {
        return;
    };
    let Some(el) = c.query_selector(selector).ok().flatten() else {
        return;
    };
    let el: &web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_ref(&el);
    // `.transcript` is position: relative, so it is the offset parent.
    let top = el.offset_top();
    let bottom = top + el.offset_height();
    if top < c.scroll_top() || bottom > c.scroll_top() + c.client_height() {
        c.set_scroll_top((top - c.client_height() / 3).max(0));
    }
}
