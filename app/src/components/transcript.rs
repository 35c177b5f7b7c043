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
    // Keep the selected line in view (the transcript scrolls on its own).
    Effect::new(move |_| {
        if state.selected.get().is_some() {
            request_animation_frame(|| scroll_into_view(".transcript .selected"));
        }
    });
    Effect::new(move |_| {
        let n = state.cursor.get();
        if state.selected.get_untracked().is_none() {
            request_animation_frame(move || {
                scroll_into_view(&format!(".transcript [data-cmd-step=\"{}\"]", n.max(1)))
            });
        }
    });
    // Past, current and future lines, and the selected one, are marked
    // only where they change (see marks.rs).
    let root: NodeRef<leptos::html::Div> = NodeRef::new();
    let drawn = move || Arc::as_ptr(&all.get()) as usize;
    marks::follow_cursor(root, state.cursor.into(), drawn);
    marks::follow_selection(root, state.selected, drawn);
    let selected = state.selected;
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
                on:click=move |e| select_clicked(&e, selected)
            >
                {move || {
                    let lines = all.get();
                    if lines.is_empty() {
                        return view! { <p class="muted">"The log of each command appears here."</p> }
                            .into_any();
                    }
                    lines
                        .iter()
                        .cloned()
                        .map(|line| line_view(line, state.cursor))
                        .collect_view()
                        .into_any()
                }}
            </div>
        </section>
    }
}

fn line_view(line: Line, cursor: RwSignal<usize>) -> impl IntoView {
    let step = line.step;
    if line.command {
        return view! {
            <div class="line cmd" data-cmd-step=step data-s=step>
                <button class="cmd-line" title="Go to this step" on:click=move |_| cursor.set(step)>
                    {line.text}
                </button>
            </div>
        }
        .into_any();
    }
    let note = line.text.starts_with("# ");
    view! {
        <div
            class="line"
            class:note=note
            class:pickable=line.event.is_some()
            data-s=step
            data-step=step
            data-event=line.event
            data-ev=line.event.map(|e| format!("{step}.{e}"))
        >
            {line.text}
        </div>
    }
    .into_any()
}

/// Selects the event of the log line a click landed in; a click on a
/// command line goes to its step (its button), with nothing selected.
fn select_clicked(e: &web_sys::MouseEvent, selected: RwSignal<Option<Selection>>) {
    if let Some(key) = marks::clicked_event(e, ".line[data-ev]") {
        selected.set(Some(key));
    } else if e
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        .is_some_and(|t| t.closest(".cmd-line").ok().flatten().is_some())
    {
        selected.set(None);
    }
}

fn scroll_into_view(selector: &str) {
    let Some(el) = document().query_selector(selector).ok().flatten() else {
        return;
    };
    let Some(container) = el.closest(".transcript").ok().flatten() else {
        return;
    };
    // Scroll only the transcript box, never the page.
    let el: &web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_ref(&el);
    let c: &web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_ref(&container);
    // `.transcript` is position: relative, so it is the offset parent.
    let top = el.offset_top();
    let bottom = top + el.offset_height();
    if top < c.scroll_top() || bottom > c.scroll_top() + c.client_height() {
        c.set_scroll_top((top - c.client_height() / 3).max(0));
    }
}
