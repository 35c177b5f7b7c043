//! Plain text for mail: copy the swim-lane, a docs block, or everything a
//! mail needs (link, scenario, swim-lane), and an iframe to embed the
//! scenario. The texts come from the engine (`render::timeline`,
//! `mail::*`); this only puts them on the clipboard, and says which steps
//! they hold.

use crate::route::Route;
use crate::state::{Replay, use_explorer_state};
use klpscope_engine::{Run, mail, render};
use leptos::prelude::*;

/// The run of the first `n` steps of a replay (what the view shows).
fn prefix_run(replay: &Replay, n: usize) -> Option<Run> {
    let run = replay.run.as_ref().ok()?;
    Some(Run {
        initial: run.initial.clone(),
        steps: run.steps[..n.min(run.steps.len())].to_vec(),
    })
}

/// The site's address without its fragment: where a link points.
fn site_base() -> String {
    let loc = window().location();
    format!(
        "{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default()
    )
}

/// Which text a copy button copies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum What {
    SwimLane,
    DocsBlock,
    ForMail,
}

impl What {
    fn label(self) -> &'static str {
        match self {
            What::SwimLane => "swim-lane",
            What::DocsBlock => "docs block",
            What::ForMail => "text for mail",
        }
    }
}

/// The text for a button, from the replay up to the cursor.
fn text_of(what: What, replay: &Replay, cursor: usize) -> Option<String> {
    let run = prefix_run(replay, cursor)?;
    let scenario = replay.prefix(cursor);
    Some(match what {
        What::SwimLane => render::timeline(&run),
        What::DocsBlock => mail::docs_block(&scenario),
        What::ForMail => mail::for_mail(&scenario, &run, &site_base(), None),
    })
}

/// Which steps a copy holds: those up to the step shown.
pub fn scope_text(cursor: usize, len: usize) -> String {
    if len == 0 {
        "Nothing to copy yet: the scenario has no command.".to_string()
    } else if cursor == 0 {
        format!(
            "Copies no step of {len}: the view is before the first; step forward to include some."
        )
    } else if cursor >= len {
        let s = if len == 1 { "" } else { "s" };
        format!("Copies all {len} step{s}.")
    } else if cursor == 1 {
        format!("Copies step 1 of {len} (the step shown).")
    } else {
        format!("Copies steps 1\u{2013}{cursor} of {len} (the step shown).")
    }
}

/// The HTML snippet that embeds a scenario, at its step, from `base`.
pub fn iframe_snippet(base: &str, scenario: &str, at: Option<usize>) -> String {
    let route = Route {
        scenario: Some(scenario.to_string()),
        at,
        embed: true,
        ..Route::default()
    };
    let src = format!("{base}{}", route.format())
        .replace('"', "%22")
        .replace('<', "%3C")
        .replace('>', "%3E");
    format!(
        "<iframe title=\"klpscope: a livepatch scenario\"\n        src=\"{src}\"\n        width=\"600\" height=\"400\" loading=\"lazy\" style=\"border:1px solid #ccc\"></iframe>"
    )
}

/// The "for mail" menu in the top bar: three copy buttons, which steps
/// they copy, and the embed snippet.
#[component]
pub fn MailTools() -> impl IntoView {
    let state = use_explorer_state();
    let announcer = expect_context::<crate::Announcer>();
    let status = RwSignal::new(String::new());
    let fallback = RwSignal::new(None::<String>);
    let embed_open = RwSignal::new(false);
    let menu: NodeRef<leptos::html::Details> = NodeRef::new();
    let summary: NodeRef<leptos::html::Summary> = NodeRef::new();
    // Escape closes the open menu, and focus goes back to its button.
    let on_key = move |e: web_sys::KeyboardEvent| {
        if e.key() != "Escape" {
            return;
        }
        if let Some(d) = menu.get_untracked()
            && d.open()
        {
            e.prevent_default();
            d.set_open(false);
            if let Some(s) = summary.get_untracked() {
                let _ = s.focus();
            }
        }
    };
    let scope = move || scope_text(state.cursor.get(), state.len());
    let copy = move |what: What| {
        let replay = state.replay.get_untracked();
        let Some(text) = text_of(what, &replay, state.cursor.get_untracked()) else {
            let msg = "Nothing to copy: the scenario does not parse.".to_string();
            status.set(msg.clone());
            announcer.say(msg);
            return;
        };
        let lines = text.lines().count();
        let promise = window().navigator().clipboard().write_text(&text);
        leptos::task::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            let msg = if ok {
                fallback.set(None);
                let scope = scope_text(state.cursor.get_untracked(), state.len());
                let scope = scope
                    .strip_prefix("Copies ")
                    .unwrap_or(&scope)
                    .trim_end_matches('.');
                format!("Copied the {} ({lines} lines): {scope}.", what.label())
            } else {
                fallback.set(Some(text));
                format!("Copy the {} from the box below.", what.label())
            };
            status.set(msg.clone());
            announcer.say(msg);
        });
    };
    view! {
        <details class="mail-menu" data-testid="mail-menu" node_ref=menu on:keydown=on_key>
            <summary node_ref=summary>"for mail"</summary>
            <div class="mail-items" role="group" aria-label="Plain text for mail">
                <p class="mail-scope" data-testid="mail-scope">{scope}</p>
                <button data-testid="copy-swimlane" on:click=move |_| copy(What::SwimLane)>
                    "copy swim-lane"
                </button>
                <button data-testid="copy-docs" on:click=move |_| copy(What::DocsBlock)>
                    "copy as docs block"
                </button>
                <button data-testid="copy-mail" on:click=move |_| copy(What::ForMail)>
                    "copy for mail"
                </button>
                <button data-testid="open-embed" on:click=move |_| embed_open.set(true)>
                    "embed…"
                </button>
                <span class="status" data-testid="mail-status">{move || status.get()}</span>
                {move || {
                    fallback
                        .get()
                        .map(|text| {
                            view! {
                                <textarea readonly aria-label="Text to copy" rows="8" class="mail-fallback">
                                    {text}
                                </textarea>
                            }
                        })
                }}
            </div>
        </details>
        <EmbedDialog open=embed_open />
    }
}

/// The iframe snippet for the scenario at the step shown, ready to copy.
#[component]
fn EmbedDialog(
    /// Open or closed.
    open: RwSignal<bool>,
) -> impl IntoView {
    let state = use_explorer_state();
    let dialog: NodeRef<leptos::html::Dialog> = NodeRef::new();
    let status = RwSignal::new(String::new());
    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        if open.get() {
            status.set(String::new());
            if !d.open() {
                let _ = d.show_modal();
            }
        } else if d.open() {
            d.close();
        }
    });
    // Read only while the dialog is open: encoding the scenario on every
    // step of a closed dialog would cost each step its time.
    let snippet = Memo::new(move |_| {
        let len = state.len();
        let cursor = state.cursor.get();
        iframe_snippet(
            &site_base(),
            &state.scenario.get(),
            (cursor < len).then_some(cursor),
        )
    });
    let copy = move |_| {
        let promise = window()
            .navigator()
            .clipboard()
            .write_text(&snippet.get_untracked());
        leptos::task::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            status.set(if ok {
                "Copied the snippet.".into()
            } else {
                "The browser refused the clipboard: select the text above and copy it.".into()
            });
        });
    };
    view! {
        <dialog
            node_ref=dialog
            class="paste embed-dialog"
            aria-labelledby="embed-dialog-h"
            on:close=move |_| open.set(false)
            data-testid="embed-dialog"
        >
            <h2 id="embed-dialog-h">"Embed this scenario"</h2>
            <p class="muted">
                "Paste this into a blog post or an mdBook page: it shows the scenario at the step shown, 600\u{d7}400, with a link to open it here. A forge that strips iframes (GitHub does) needs the link instead."
            </p>
            <textarea
                readonly
                rows="7"
                aria-label="Embed snippet"
                spellcheck="false"
                data-testid="embed-snippet"
                prop:value=move || if open.get() { snippet.get() } else { String::new() }
            ></textarea>
            <div class="paste-actions">
                <button data-testid="embed-copy" on:click=copy>"copy snippet"</button>
                <span class="status" role="status" data-testid="embed-status">{move || status.get()}</span>
                <form method="dialog">
                    <button>"close"</button>
                </form>
            </div>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_says_which_steps_a_copy_holds() {
        assert_eq!(
            scope_text(4, 9),
            "Copies steps 1\u{2013}4 of 9 (the step shown)."
        );
        assert_eq!(scope_text(9, 9), "Copies all 9 steps.");
        assert_eq!(scope_text(1, 2), "Copies step 1 of 2 (the step shown).");
        assert!(scope_text(0, 3).starts_with("Copies no step of 3"));
        assert!(scope_text(0, 0).starts_with("Nothing to copy"));
    }

    #[test]
    fn the_snippet_embeds_the_scenario_at_its_step() {
        let s = iframe_snippet(
            "https://h/k/",
            "% insmod test_modules/test_klp_callbacks_mod.ko\n",
            Some(0),
        );
        assert!(s.starts_with("<iframe title="), "{s}");
        assert!(
            s.contains("src=\"https://h/k/#at=0&s1=i.mod&embed\""),
            "{s}"
        );
        assert!(s.contains("width=\"600\" height=\"400\""), "{s}");
    }
}
