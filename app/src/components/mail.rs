//! Plain text for mail: copy the swim-lane, a docs block, or everything a
//! mail needs (link, scenario, swim-lane), and check a pasted kernel log.
//! The texts come from the engine (`render::timeline`, `mail::*`); this
//! only puts them on the clipboard.

use super::paste::PasteDialog;
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

/// The "for mail" menu in the top bar: three copy buttons and the kernel
/// log check.
#[component]
pub fn MailTools() -> impl IntoView {
    let state = use_explorer_state();
    let announcer = expect_context::<crate::Announcer>();
    let status = RwSignal::new(String::new());
    let fallback = RwSignal::new(None::<String>);
    let paste_open = RwSignal::new(false);
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
                format!("Copied the {} ({lines} lines).", what.label())
            } else {
                fallback.set(Some(text));
                format!("Copy the {} from the box below.", what.label())
            };
            status.set(msg.clone());
            announcer.say(msg);
        });
    };
    view! {
        <details class="mail-menu" data-testid="mail-menu">
            <summary>"for mail"</summary>
            <div class="mail-items" role="group" aria-label="Plain text for mail">
                <button data-testid="copy-swimlane" on:click=move |_| copy(What::SwimLane)>
                    "copy swim-lane"
                </button>
                <button data-testid="copy-docs" on:click=move |_| copy(What::DocsBlock)>
                    "copy as docs block"
                </button>
                <button data-testid="copy-mail" on:click=move |_| copy(What::ForMail)>
                    "copy for mail"
                </button>
                <button data-testid="open-paste" on:click=move |_| paste_open.set(true)>
                    "check a kernel log…"
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
        <PasteDialog open=paste_open />
    }
}
