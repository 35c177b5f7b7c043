//! The scenario text editor: paste a scenario from a mail, fix it, replay
//! it. Errors show right under the text, with the line marked in the gutter
//! and in the text, and the timeline is marked stale while the text shown
//! there is not the text in the editor.
//!
//! The gutter, the line mark and the message follow a memo of the text's
//! check. Whether the run is stale goes to
//! [`crate::state::ExplorerState::stale`], which the explorer shows.

use crate::state::use_explorer_state;
use klpscope_engine::ParseError;
use leptos::prelude::*;

/// The text line height in the editor, in px (the gutter and the error
/// line mark are laid out on it; `style/main.css` uses the same value).
const LINE_PX: usize = 18;
/// The textarea's top padding, in px.
const PAD_PX: usize = 4;

/// Why the timeline does not show the editor's `text`, if it does not.
fn stale(text: &str, scenario: &str, error: Option<&ParseError>) -> Option<String> {
    if text == scenario {
        return None;
    }
    Some(match error {
        Some(e) => format!(
            "Stale: the timeline shows the last text that parsed. The edited text has an error on line {}.",
            e.line
        ),
        None => {
            "Stale: the timeline shows the text before your edits. Replay the text to update it."
                .into()
        }
    })
}

/// The check of the editor's text: what the gutter, the line mark and
/// the message show.
#[derive(Clone, Debug, PartialEq)]
struct Check {
    /// Lines in the gutter (one more than the text has, at least 2).
    lines: usize,
    /// The parse error, if any.
    error: Option<ParseError>,
    /// The first warning of a text that parses.
    warning: Option<String>,
}

impl Check {
    fn of(text: &str) -> Check {
        let parsed = klpscope_engine::parse(text);
        let warning = parsed
            .as_ref()
            .ok()
            .and_then(|s| s.warnings.first().map(|w| w.to_string()));
        Check {
            lines: text.lines().count().max(1) + 1,
            error: parsed.err(),
            warning,
        }
    }

    /// The line of the error (0: none).
    fn bad(&self) -> usize {
        self.error.as_ref().map_or(0, |e| e.line)
    }
}

/// The whole scenario as text, with line numbers.
#[component]
pub fn ScenarioEditor() -> impl IntoView {
    let state = use_explorer_state();
    let area: NodeRef<leptos::html::Textarea> = NodeRef::new();
    let mark: NodeRef<leptos::html::Div> = NodeRef::new();
    // The text in the editor. Unedited, it follows the scenario (a control
    // or a link changed it); edited, it is kept and the timeline is marked
    // stale. The gutter, line mark, message and aria-invalid follow it.
    let draft = RwSignal::new(state.scenario.get_untracked());
    let check = Memo::new(move |_| Check::of(&draft.read()));
    // Why the text was not replayed, until it or the scenario changes.
    let notice = RwSignal::new(None::<String>);
    let followed = StoredValue::new(state.scenario.get_untracked());
    Effect::new(move |_| {
        let scenario = state.scenario.get();
        if followed.get_value() != scenario {
            if draft.get_untracked() == followed.get_value() {
                draft.set(scenario.clone());
            }
            followed.set_value(scenario.clone());
        }
        let note = draft.with(|text| check.with(|c| stale(text, &scenario, c.error.as_ref())));
        notice.set(None);
        if state.stale.get_untracked() != note {
            state.stale.set(note);
        }
    });
    let replay = move || {
        let text = draft.get_untracked();
        if let Some(n) = not_a_scenario(&text) {
            notice.set(Some(n));
            return;
        }
        if let Err(e) = state.try_load(&text, None)
            && let Some(el) = area.get_untracked()
        {
            caret_at(&el, mark, &text, &e);
        }
    };
    let bad = move || check.with(Check::bad);
    let lines = move || check.with(|c| c.lines);
    // The message under the text: the notice, the error, or the first
    // warning (text, test id, class).
    let message = Memo::new(move |_| {
        check.with(|c| match (&c.error, notice.get()) {
            (_, Some(n)) => (n, "editor-notice", "notice"),
            (Some(e), None) => (e.to_string(), "editor-error", "error"),
            (None, None) => match &c.warning {
                Some(w) => (format!("warning: {w}"), "editor-warning", "notice"),
                None => (String::new(), "", "error"),
            },
        })
    });
    view! {
        <details class="editor" data-testid="editor">
            <summary>"Scenario text"</summary>
            <p class="muted" id="editor-help">
                "Lines starting with " <code>"% "</code> " are commands, " <code>"#"</code>
                " starts a comment, other lines are expected output (ignored). "
                <kbd>"Ctrl"</kbd> "+" <kbd>"Enter"</kbd> " replays."
            </p>
            <div class="editor-box">
                <pre class="gutter" aria-hidden="true" data-bad=move || bad().to_string()>
                    {move || (1..=lines()).map(|n| n.to_string()).collect::<Vec<_>>().join("\n")}
                </pre>
                // The text grows with its lines (it never scrolls
                // vertically), so a line's place is fixed: the padding,
                // then one line height each.
                <div
                    class="line-mark"
                    aria-hidden="true"
                    node_ref=mark
                    hidden=move || bad() == 0
                    style=move || format!("top: {}px", PAD_PX + bad().saturating_sub(1) * LINE_PX)
                ></div>
                <div class="editor-text">
                    <textarea
                        node_ref=area
                        aria-label="Scenario text"
                        aria-describedby="editor-help editor-error"
                        aria-invalid=move || { if bad() > 0 { "true" } else { "false" } }
                        rows=move || lines().max(4).to_string()
                        data-testid="editor-text"
                        wrap="off"
                        spellcheck="false"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                                ev.prevent_default();
                                replay();
                            }
                        }
                    ></textarea>
                </div>
            </div>
            <pre
                id="editor-error"
                class=move || message.with(|m| m.2)
                data-testid=move || message.with(|m| m.1)
                aria-live="polite"
                hidden=move || message.with(|m| m.0.is_empty())
            >
                {move || message.with(|m| m.0.clone())}
            </pre>
            <div class="row">
                <button data-testid="editor-replay" on:click=move |_| replay()>
                    "Replay this text"
                </button>
            </div>
        </details>
    }
}

/// Why a text cannot be a scenario, if it cannot: it has no command line
/// and declares nothing (e.g. a kernel log pasted without its `% ` lines).
fn not_a_scenario(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    let has = |p: &str| text.lines().any(|l| l.trim_start().starts_with(p));
    if has("% ") || has("define") {
        return None;
    }
    Some(
        "Nothing to replay: the text has no command line. Commands start with '% ' \
         (e.g. '% insmod test_modules/test_klp_callbacks_mod.ko'); other lines are \
         expected output. The timeline was left as it was."
            .into(),
    )
}

/// Puts the caret at the error, scrolls its line (`mark`) into view and
/// focuses the text: the fix starts where the eye already is.
fn caret_at(
    el: &web_sys::HtmlTextAreaElement,
    mark: NodeRef<leptos::html::Div>,
    text: &str,
    e: &ParseError,
) {
    let mut lines = text.split_inclusive('\n');
    let before: usize = lines
        .by_ref()
        .take(e.line.saturating_sub(1))
        .map(|l| l.encode_utf16().count())
        .sum();
    let within: usize = lines
        .next()
        .map(|l| {
            l.chars()
                .take(e.col.saturating_sub(1))
                .map(char::len_utf16)
                .sum()
        })
        .unwrap_or(0);
    let offset = (before + within) as u32;
    let _ = el.focus();
    let _ = el.set_selection_range(offset, offset);
    // The text never scrolls vertically (it grows with its lines): bring
    // the marked line into the window instead.
    if let Some(mark) = mark.get_untracked() {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Center);
        mark.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}
