//! "Check a kernel log": paste what a console, a CI log or a mail shows,
//! and see line by line where the kernel and the model agree. The engine
//! (`check::check_log`) reads and aligns the log; this view lists its rows.
//! Pasted text is hostile: it is only ever shown as text.

use crate::state::use_explorer_state;
use klpscope_engine::check::{self, LogCheck, LogLine, Verdict};
use leptos::prelude::*;

/// The modal dialog with the paste box and the aligned result.
#[component]
pub fn PasteDialog(
    /// Open or closed.
    open: RwSignal<bool>,
) -> impl IntoView {
    let state = use_explorer_state();
    let dialog: NodeRef<leptos::html::Dialog> = NodeRef::new();
    let text = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<LogCheck, String>>);
    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        if open.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        } else if d.open() {
            d.close();
        }
    });
    let run_check = move || {
        let t = text.get_untracked();
        result.set(Some(check::check_log(&t).map_err(|e| e.to_string())));
    };
    let open_in_explorer = move |_| {
        if let Some(Ok(c)) = result.get_untracked()
            && state.load(&c.scenario, None)
        {
            open.set(false);
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="paste"
            aria-labelledby="paste-h"
            on:close=move |_| open.set(false)
            data-testid="paste-dialog"
        >
            <h2 id="paste-h">"Check a kernel log"</h2>
            <p class="muted">
                "Paste a log as it comes: "<code>"[   12.345678] "</code>" timestamps, "
                <code>"> "</code>" quoting and unrelated kernel lines are fine. Its "
                <code>"% "</code>" command lines (as the selftests log them) and "
                <code>"define"</code>" blocks are replayed; every other line is compared with the model."
            </p>
            <textarea
                rows="10"
                aria-label="Kernel log"
                spellcheck="false"
                data-testid="paste-text"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <div class="paste-actions">
                <button data-testid="paste-check" on:click=move |_| run_check()>"check"</button>
                <button
                    data-testid="paste-open"
                    disabled=move || !matches!(result.get(), Some(Ok(_)))
                    on:click=open_in_explorer
                >
                    "open its scenario in the explorer"
                </button>
                <form method="dialog">
                    <button>"close"</button>
                </form>
            </div>
            <div class="paste-result" aria-live="polite" data-testid="paste-result">
                {move || result.get().map(|r| match r {
                    Err(e) => view! {
                        <pre class="error" role="alert" data-testid="paste-error">{e}</pre>
                    }
                    .into_any(),
                    Ok(c) => report(c).into_any(),
                })}
            </div>
        </dialog>
    }
}

/// The summary and one row per line.
fn report(c: LogCheck) -> impl IntoView {
    let (agree, differ, ignored) = c.counts();
    let summary = if c.passed {
        format!("The kernel and the model agree: {agree} lines agree, {ignored} ignored.")
    } else {
        let lines = if differ == 1 {
            "line differs"
        } else {
            "lines differ"
        };
        format!("{differ} {lines}; {agree} agree, {ignored} ignored.")
    };
    let debug = (!c.dynamic_debug).then_some(
        "No pr_debug lines in the log: compared with a console that does not print them.",
    );
    view! {
        <p class="paste-summary" class:passed=c.passed data-testid="paste-summary">{summary}</p>
        {debug.map(|d| view! { <p class="muted">{d}</p> })}
        <ol class="paste-lines" data-testid="paste-lines">
            {c.lines.into_iter().map(row).collect_view()}
        </ol>
    }
}

fn row(l: LogLine) -> impl IntoView {
    let (class, mark, label) = match l.verdict {
        Verdict::Command => ("command", "%", "command"),
        Verdict::Scenario => ("scenario", "#", "scenario"),
        Verdict::Agrees => ("agrees", "=", "agrees"),
        Verdict::Differs => ("differs", "≠", "differs"),
        Verdict::OnlyInLog => ("only-log", "+", "only in the log"),
        Verdict::OnlyInModel => ("only-model", "−", "missing from the log"),
        Verdict::Ignored => ("ignored", "·", "ignored"),
    };
    let num = l.line.map(|n| n.to_string()).unwrap_or_default();
    let shown = l
        .text
        .clone()
        .or_else(|| l.model.clone())
        .unwrap_or_default();
    let model = matches!(l.verdict, Verdict::Differs).then(|| l.model.clone().unwrap_or_default());
    let title = match &l.note {
        Some(n) => format!("{label}: {n}"),
        None => label.to_string(),
    };
    view! {
        <li class=format!("pl {class}") data-verdict=class title=title>
            <span class="pl-num">{num}</span>
            <span class="pl-mark" aria-label=label>{mark}</span>
            <span class="pl-text">
                {shown}
                {model.map(|m| view! { <span class="pl-model">"model: " {m}</span> })}
            </span>
        </li>
    }
}
