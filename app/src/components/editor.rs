//! The scenario text editor: paste a scenario from a mail, fix it, replay
//! it. Errors show beside the text, with the line marked in the gutter and
//! in the text, and the timeline is marked stale while the text shown there
//! is not the text in the editor.

use crate::state::{ExplorerState, use_explorer_state};
use klpscope_engine::ParseError;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The text line height in the editor, in px (the gutter and the error
/// line mark are laid out on it; `style/main.css` uses the same value).
const LINE_PX: f64 = 18.0;
/// The textarea's top padding, in px.
const PAD_PX: f64 = 4.0;

/// What the editor holds, shared with the explorer (which marks the
/// timeline stale while it differs from the replayed scenario).
#[derive(Clone, Copy)]
pub struct Draft {
    /// The editor is open.
    pub open: RwSignal<bool>,
    /// The text in the editor.
    pub text: RwSignal<String>,
}

impl Draft {
    /// Creates the draft and provides it to the explorer's components.
    pub fn provide() -> Draft {
        let d = Draft {
            open: RwSignal::new(false),
            text: RwSignal::new(String::new()),
        };
        provide_context(d);
        d
    }

    /// Why the timeline does not show the editor's text, if it does not:
    /// (the text does not parse, message).
    pub fn stale(&self, state: ExplorerState) -> Option<(bool, String)> {
        if !self.open.get() {
            return None;
        }
        let text = self.text.get();
        if state.scenario.with(|s| *s == text) {
            return None;
        }
        Some(match klpscope_engine::parse(&text) {
            Err(e) => (
                true,
                format!(
                    "Stale: the timeline shows the last text that parsed. The edited text has an error on line {}.",
                    e.line
                ),
            ),
            Ok(_) => (
                false,
                "Stale: the timeline shows the text before your edits. Replay the text to update it."
                    .into(),
            ),
        })
    }
}

/// The whole scenario as text, with line numbers.
#[component]
pub fn ScenarioEditor() -> impl IntoView {
    let state = use_explorer_state();
    let draft = expect_context::<Draft>();
    let area: NodeRef<leptos::html::Textarea> = NodeRef::new();
    let scroll = RwSignal::new(0.0f64);
    // A notice that is not a parse error (e.g. no command line at all).
    let notice = RwSignal::new(None::<String>);
    let error = Memo::new(move |_| {
        draft
            .text
            .with(|t| klpscope_engine::parse(t).err())
            .map(|e| (e.line, e.col, e.to_string()))
    });
    // An unedited draft follows the scenario (a control or a link changed
    // it); an edited one is kept, and the timeline is marked stale.
    let followed = StoredValue::new(state.scenario.get_untracked());
    Effect::new(move |_| {
        let scenario = state.scenario.get();
        if draft.text.get_untracked() == followed.get_value() {
            draft.text.set(scenario.clone());
        }
        followed.set_value(scenario);
    });
    let line_count = move || draft.text.with(|t| t.lines().count().max(1) + 1);
    let replay = move || {
        let text = draft.text.get_untracked();
        notice.set(None);
        if let Some(why) = not_a_scenario(&text) {
            notice.set(Some(why));
            return;
        }
        match state.try_load(&text, None) {
            Ok(()) => {}
            Err(e) => {
                if let Some(el) = area.get_untracked() {
                    show_error(&el, &text, &e);
                }
            }
        }
    };
    view! {
        <details
            class="editor"
            data-testid="editor"
            prop:open=move || draft.open.get()
            on:toggle=move |ev| {
                let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                if open && !draft.open.get_untracked() {
                    draft.text.set(state.scenario.get_untracked());
                }
                draft.open.set(open);
            }
        >
            <summary>"Scenario text"</summary>
            <p class="muted" id="editor-help">
                "Lines starting with " <code>"% "</code> " are commands, " <code>"#"</code>
                " starts a comment, other lines are expected output (ignored). "
                <kbd>"Ctrl"</kbd> "+" <kbd>"Enter"</kbd> " replays."
            </p>
            <div class="editor-box" class:invalid=move || error.get().is_some()>
                <div class="gutter" aria-hidden="true">
                    <div class="gutter-lines" style:transform=move || format!("translateY({}px)", -scroll.get())>
                        {move || {
                            let bad = error.get().map(|(l, _, _)| l);
                            (1..=line_count())
                                .map(|n| view! { <span class:bad=bad == Some(n)>{n}</span> })
                                .collect_view()
                        }}
                    </div>
                </div>
                <div class="editor-text">
                    {move || {
                        error
                            .get()
                            .map(|(line, _, _)| {
                                let top = PAD_PX + (line as f64 - 1.0) * LINE_PX - scroll.get();
                                view! { <div class="line-mark" aria-hidden="true" style:top=format!("{top}px")></div> }
                            })
                    }}
                    <textarea
                        node_ref=area
                        aria-label="Scenario text"
                        aria-describedby="editor-help editor-error"
                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                        data-testid="editor-text"
                        rows="10"
                        wrap="off"
                        spellcheck="false"
                        prop:value=move || draft.text.get()
                        on:input=move |ev| {
                            notice.set(None);
                            draft.text.set(event_target_value(&ev));
                        }
                        on:scroll=move |ev| {
                            let el = event_target::<web_sys::HtmlElement>(&ev);
                            scroll.set(f64::from(el.scroll_top()));
                        }
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                                ev.prevent_default();
                                replay();
                            }
                        }
                    ></textarea>
                </div>
            </div>
            <div id="editor-error" aria-live="polite">
                {move || {
                    error
                        .get()
                        .map(|(_, _, msg)| {
                            view! { <pre class="error" data-testid="editor-error">{msg}</pre> }
                        })
                }}
                {move || notice.get().map(|n| view! { <p class="notice" data-testid="editor-notice">{n}</p> })}
            </div>
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

/// Puts the caret at the error, scrolls its line into view and focuses
/// the text: the fix starts where the eye already is.
fn show_error(el: &web_sys::HtmlTextAreaElement, text: &str, e: &ParseError) {
    let offset: usize = text
        .split_inclusive('\n')
        .take(e.line.saturating_sub(1))
        .map(|l| l.encode_utf16().count())
        .sum::<usize>()
        + text
            .split_inclusive('\n')
            .nth(e.line.saturating_sub(1))
            .map(|l| {
                l.chars()
                    .take(e.col.saturating_sub(1))
                    .map(char::len_utf16)
                    .sum::<usize>()
            })
            .unwrap_or(0);
    let _ = el.focus();
    let _ = el.set_selection_range(offset as u32, offset as u32);
    let line_top = (e.line as f64 - 1.0) * LINE_PX;
    let height = f64::from(el.client_height());
    let top = f64::from(el.scroll_top());
    if line_top < top || line_top + LINE_PX > top + height - PAD_PX {
        el.set_scroll_top((line_top - height / 3.0).max(0.0) as i32);
    }
    if let Some(parent) = el.closest(".editor").ok().flatten()
        && let Ok(parent) = parent.dyn_into::<web_sys::HtmlElement>()
    {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        parent.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}
