//! The ledger: what the callbacks declared they set up, what undid it, and
//! what is left at the cursor, with leaks flagged and the kernel's reason
//! (klpscope_engine::ledger, the same as `klpscope run --format ledger`).

use crate::state::use_explorer_state;
use klpscope_engine::ledger::{Act, Entry, Ledger, Outcome, ledger_until};
use leptos::prelude::*;

/// The ledger panel of the explorer, folded until opened; its summary
/// counts and names a leak.
#[component]
pub fn LedgerPanel() -> impl IntoView {
    let state = use_explorer_state();
    let ledger = Memo::new(move |_| {
        let replay = state.replay.get();
        let n = state.cursor.get();
        replay.run.as_ref().ok().map(|run| ledger_until(run, n))
    });
    let declared = move || {
        ledger.with(|l| {
            l.as_ref()
                .is_some_and(|l| !l.entries.is_empty() || !l.unmatched.is_empty())
        })
    };
    let summary = move || ledger.with(|l| l.as_ref().map(counts).unwrap_or_default());
    let leaking = move || ledger.with(|l| l.as_ref().is_some_and(|l| l.leaks().next().is_some()));
    view! {
        <details class="panel ledger" data-testid="ledger">
            <summary>
                "Ledger: who set up what, who undid it "
                <span class="ledger-counts" class:leak=leaking data-testid="ledger-counts">
                    {summary}
                </span>
            </summary>
            <Show
                when=declared
                fallback=|| {
                    view! {
                        <p class="muted">
                            "No callback here declares what it does. Give a callback "
                            <code>"sets"</code>", "<code>"allocates"</code>", "<code>"restores"</code>", "
                            <code>"frees"</code>", "<code>"takes over"</code>" or "<code>"keeps"</code>
                            " in a livepatch's definition (the scenario language chapter), and its acts are accounted for here."
                        </p>
                    }
                }
            >
                <ol class="ledger-entries">
                    {move || ledger.with(|l| l.as_ref().map(|l| l.entries.iter().map(entry).collect::<Vec<_>>()))}
                </ol>
                {move || ledger.with(|l| l.as_ref().map(|l| unmatched(&l.unmatched)))}
            </Show>
        </details>
    }
}

/// "(2 set up, 1 undone, 0 remain, 1 leaked)".
fn counts(l: &Ledger) -> String {
    let undone = l
        .entries
        .iter()
        .filter(|e| e.outcome == Outcome::Undone)
        .count();
    let leaked = l.leaks().count();
    let remain = l.entries.len() - undone - leaked;
    format!(
        "({} set up, {undone} undone, {remain} remain, {leaked} leaked)",
        l.entries.len()
    )
}

fn act(a: &Act) -> impl IntoView + use<> {
    view! {
        <li>
            <span class="ledger-step">{format!("step {}", a.step)}</span>" "
            <code>{format!("{} {}", a.patch, a.callback)}</code>
            {format!(" on {}: {}", a.object, a.effect)}
        </li>
    }
}

fn entry(e: &Entry) -> impl IntoView + use<> {
    let (class, verdict, why) = match &e.outcome {
        Outcome::Undone => ("undone", "undone", String::new()),
        Outcome::Held(why) => ("held", "remains", why.clone()),
        Outcome::Leaked(why) => ("leaked", "leaked", why.clone()),
    };
    let acts: Vec<_> = e.acts.iter().map(act).collect();
    view! {
        <li class=format!("ledger-entry {class}") data-testid="ledger-entry">
            <p class="ledger-what">
                <strong>{format!("\"{}\"", e.what)}</strong>
                " "
                <span class="ledger-verdict">{verdict}</span>
            </p>
            <ul class="ledger-acts">{acts}</ul>
            {(!why.is_empty()).then(|| view! { <p class="ledger-why">{why}</p> })}
        </li>
    }
}

fn unmatched(acts: &[Act]) -> Option<impl IntoView + use<>> {
    (!acts.is_empty()).then(|| {
        let items: Vec<_> = acts.iter().map(act).collect();
        view! {
            <p class="ledger-unmatched-h">"Undone or taken over, but nothing had set it up:"</p>
            <ul class="ledger-acts">{items}</ul>
        }
    })
}
