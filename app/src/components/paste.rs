//! "Check a kernel log": paste what a console, a CI log or a mail shows,
//! and see line by line where the kernel and the model agree. The engine
//! (`check::check_log`) reads and aligns the log; this view lists its rows.
//! Pasted text is hostile: it is only ever shown as text (text nodes,
//! drawn with plain DOM calls: a view per row would cost the site more).

use super::add;
use crate::state::use_explorer_state;
use klpscope_engine::check::{self, LogCheck, LogLine, Verdict};
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::Element;

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
    let out = NodeRef::<leptos::html::Div>::new();
    super::redraw(out, move |el| result.with(|r| draw(el, r.as_ref())));
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
            <div class="paste-result" aria-live="polite" data-testid="paste-result" node_ref=out></div>
        </dialog>
    }
}

/// Draws the check's result into `out`: the engine's error, or the
/// summary and one row per line.
fn draw(out: &Element, r: Option<&Result<LogCheck, String>>) -> Result<(), JsValue> {
    let c = match r {
        None => return Ok(()),
        Some(Err(e)) => {
            let pre = add(out, "pre", "error", e)?;
            pre.set_attribute("role", "alert")?;
            return pre.set_attribute("data-testid", "paste-error");
        }
        Some(Ok(c)) => c,
    };
    let counts = c.counts();
    let summary = match (&c.nothing_compared, c.passed) {
        (Some(why), _) => format!("Nothing compared: {why}."),
        (None, true) => format!("The kernel and the model agree: {counts}."),
        (None, false) => format!("The kernel and the model differ: {counts}."),
    };
    let class = if c.passed {
        "paste-summary passed"
    } else {
        "paste-summary"
    };
    add(out, "p", class, &summary)?.set_attribute("data-testid", "paste-summary")?;
    if c.is_diff() {
        for side in &c.sides {
            add(out, "p", "paste-side", &side.verdict_line())?
                .set_attribute("data-testid", "paste-side")?;
        }
    }
    if !c.dynamic_debug {
        add(
            out,
            "p",
            "muted",
            "No pr_debug lines in the log: compared with a console that does not print them.",
        )?;
    }
    let ol = add(out, "ol", "paste-lines", "")?;
    ol.set_attribute("data-testid", "paste-lines")?;
    for l in &c.lines {
        row(&ol, l)?;
    }
    Ok(())
}

fn row(ol: &Element, l: &LogLine) -> Result<(), JsValue> {
    let (class, mark, label) = match l.verdict {
        Verdict::Command => ("command", "%", "command"),
        Verdict::Scenario => ("scenario", "#", "scenario"),
        Verdict::Agrees => ("agrees", "=", "agrees"),
        Verdict::Differs => ("differs", "≠", "differs"),
        Verdict::OnlyInLog => ("only-log", "+", "only in the log"),
        Verdict::OnlyInModel => ("only-model", "−", "missing from the log"),
        Verdict::Ignored => ("ignored", "·", "ignored"),
        Verdict::NotModelled => ("not-modelled", "?", "not modelled"),
        Verdict::NotCompared => ("not-compared", "·", "not compared"),
    };
    let li = add(ol, "li", &format!("pl {class}"), "")?;
    li.set_attribute("data-verdict", class)?;
    match &l.note {
        Some(n) => li.set_attribute("title", &format!("{label}: {n}"))?,
        None => li.set_attribute("title", label)?,
    }
    let num = l.line.map(|n| n.to_string()).unwrap_or_default();
    add(&li, "span", "pl-num", &num)?;
    add(&li, "span", "pl-mark", mark)?.set_attribute("aria-label", label)?;
    let shown = l
        .text
        .as_ref()
        .or(l.model.as_ref())
        .map_or("", String::as_str);
    let text = add(&li, "span", "pl-text", shown)?;
    if matches!(l.verdict, Verdict::Differs) {
        let model = l.model.as_deref().unwrap_or_default();
        add(&text, "span", "pl-model", &format!("model: {model}"))?;
    }
    Ok(())
}
