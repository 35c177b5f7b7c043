//! The kernel-format transcript, in step with the timeline: a log line and
//! its marker select each other.

use super::add;
use super::marks;
use crate::state::{Replay, Selection, use_explorer_state};
use klpscope_engine::render::{self, Console};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsValue;
use web_sys::Element;

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
    // The lines are drawn anew when they change (plain DOM, see `draw`);
    // then `drawn` counts it, and the marks follow: past, current and
    // future lines, and the selected one, are marked only where they
    // change (see marks.rs).
    let root: NodeRef<leptos::html::Div> = NodeRef::new();
    let drawn = RwSignal::new(0usize);
    super::redraw(root, move |el| {
        draw(el, &all.get())?;
        drawn.update(|n| *n += 1);
        Ok(())
    });
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
            ></div>
        </section>
    }
}

/// Draws the lines into `root` (a note when there are none): a command
/// line is a button to its step; a line an event printed says which
/// (`data-ev`), for the marks and a click.
fn draw(root: &Element, lines: &[Line]) -> Result<(), JsValue> {
    if lines.is_empty() {
        return add(root, "p", "muted", "The log of each command appears here.").map(drop);
    }
    for line in lines {
        let step = line.step.to_string();
        if line.command {
            let div = add(root, "div", "line cmd", "")?;
            div.set_attribute("data-cmd-step", &step)?;
            div.set_attribute("data-s", &step)?;
            let b = add(&div, "button", "cmd-line", &line.text)?;
            b.set_attribute("title", "Go to this step")?;
            continue;
        }
        let mut class = String::from("line");
        if line.text.starts_with("# ") {
            class.push_str(" note");
        }
        if line.event.is_some() {
            class.push_str(" pickable");
        }
        let div = add(root, "div", &class, &line.text)?;
        div.set_attribute("data-s", &step)?;
        div.set_attribute("data-step", &step)?;
        if let Some(e) = line.event {
            div.set_attribute("data-event", &e.to_string())?;
            div.set_attribute("data-ev", &format!("{step}.{e}"))?;
        }
    }
    Ok(())
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
