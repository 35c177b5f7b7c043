//! "Check a kernel log": paste what a console, a CI log or a mail shows,
//! and see line by line where the kernel and the model agree. The engine
//! (`check::check_log`) reads and aligns the log; this view lists its
//! rows. Pasted text is hostile: it is only ever shown as text nodes.
//!
//! A check first loads the upstream selftest transcripts (once, see
//! [`crate::selftests`]), which complete a pasted selftest report; the
//! panel says so while they load, and how to fix it if they cannot be.
//!
//! It is part of the site's tools module, loaded when first opened
//! ([`crate::on_demand`]): from the top bar, or by pasting a kernel log
//! anywhere on the page outside a text field. Its scenario goes to the
//! explorer as an event the page answers ([`on_demand::send_scenario`]).
//!
//! A long log stays readable and quick
//! to draw: runs of lines the model does not model are folded, and so
//! are long runs of lines that agree or are ignored; a fold draws its rows
//! only when opened.

use crate::on_demand;
use crate::on_demand::Load;
use crate::selftests;
use klpscope_engine::check::{self, LogCheck, LogLine, Verdict};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use std::sync::Arc;

/// The check's dialog state, provided by the app: whether it is open,
/// and the text in its paste box.
#[derive(Clone, Copy)]
pub struct LogCheckState {
    /// Open or closed.
    pub open: RwSignal<bool>,
    /// The pasted text.
    pub text: RwSignal<String>,
    /// Set to check the text as soon as the dialog shows it.
    pub check_now: RwSignal<bool>,
}

impl LogCheckState {
    /// Creates the state and provides it to the components below.
    pub fn provide() -> LogCheckState {
        let s = LogCheckState {
            open: RwSignal::new(false),
            text: RwSignal::new(String::new()),
            check_now: RwSignal::new(false),
        };
        provide_context(s);
        s
    }
}

/// Runs of agreeing or ignored lines at least this long are folded...
const FOLD_AT: usize = 12;
/// ...in a log of more than this many rows (a short one reads whole).
const LONG_LOG: usize = 200;
/// Lines shown on each side of a folded run of agreeing or ignored lines.
const KEEP: usize = 2;

/// What the result list shows: one row, or a fold over a run of rows.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Row(usize),
    Fold { from: usize, to: usize, kind: Fold },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    NotModelled,
    Quiet,
}

/// Splits the rows into what is drawn at once and what is folded: every
/// run of two or more "not modelled" lines, and the middle of every long run of
/// lines that agree or are ignored in a long log.
fn parts(lines: &[LogLine]) -> Vec<Part> {
    let quiet = |v: Verdict| {
        matches!(
            v,
            Verdict::Agrees
                | Verdict::Ignored
                | Verdict::Scenario
                | Verdict::Command
                | Verdict::NotCompared
        )
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let v = lines[i].verdict;
        let same = |j: usize| -> bool {
            let w = lines[j].verdict;
            if v == Verdict::NotModelled {
                w == Verdict::NotModelled
            } else {
                quiet(v) && quiet(w)
            }
        };
        let mut j = i + 1;
        while j < lines.len() && same(j) {
            j += 1;
        }
        if v == Verdict::NotModelled && j - i >= 2 {
            out.push(Part::Fold {
                from: i,
                to: j,
                kind: Fold::NotModelled,
            });
        } else if quiet(v) && j - i >= FOLD_AT && lines.len() > LONG_LOG {
            out.extend((i..i + KEEP).map(Part::Row));
            out.push(Part::Fold {
                from: i + KEEP,
                to: j - KEEP,
                kind: Fold::Quiet,
            });
            out.extend((j - KEEP..j).map(Part::Row));
        } else {
            out.extend((i..j).map(Part::Row));
        }
        i = j;
    }
    out
}

/// The modal dialog with the paste box and the aligned result.
#[component]
pub fn LogCheckDialog() -> impl IntoView {
    let s = expect_context::<LogCheckState>();
    let dialog: NodeRef<leptos::html::Dialog> = NodeRef::new();
    let result = RwSignal::new(None::<Result<Arc<LogCheck>, String>>);
    // How long the last check took in the engine, in ms (the drawing comes after).
    let check_ms = RwSignal::new(0.0);
    let transcripts = RwSignal::from(selftests::status());
    // A check waiting for the transcripts: it runs once they are loaded.
    let waiting = RwSignal::new(false);
    let check_loaded = move || {
        let t = s.text.get_untracked();
        let start = js_sys::Date::now();
        let r = check::check_log(&t);
        check_ms.set(js_sys::Date::now() - start);
        result.set(Some(r.map(Arc::new).map_err(|e| match &e.hint {
            Some(h) => format!("This log cannot be checked: {}; {h}.", e.message()),
            None => format!("This log cannot be checked: {}.", e.message()),
        })));
    };
    let run_check = move || {
        if transcripts.get_untracked() == Load::Ready {
            check_loaded();
        } else {
            result.set(None);
            waiting.set(true);
            selftests::request();
        }
    };
    Effect::new(move |_| {
        if !waiting.get() {
            return;
        }
        match transcripts.get() {
            Load::Ready => {
                waiting.set(false);
                check_loaded();
            }
            Load::Failed(_) => waiting.set(false),
            Load::NotRequested | Load::Loading => {}
        }
    });
    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        if s.open.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        } else if d.open() {
            d.close();
        }
    });
    Effect::new(move |_| {
        if s.check_now.get() && s.open.get() {
            s.check_now.set(false);
            run_check();
        }
    });
    let open_in_explorer = move |_| {
        if let Some(Ok(c)) = result.get_untracked()
            && on_demand::send_scenario(&c.scenario, None)
        {
            s.open.set(false);
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="paste"
            aria-labelledby="paste-h"
            on:close=move |_| s.open.set(false)
            data-testid="paste-dialog"
        >
            <h2 id="paste-h">"Check a kernel log"</h2>
            <p class="muted">
                "Paste a log as it comes: "<code>"[   12.345678] "</code>" timestamps, "
                <code>"> "</code>" quoting, a selftest's diff and unrelated kernel lines are fine. Its "
                <code>"% "</code>" command lines (as the selftests log them) and "
                <code>"define"</code>" blocks are replayed; every other line is compared with the model."
            </p>
            <textarea
                rows="8"
                aria-label="Kernel log"
                spellcheck="false"
                data-testid="paste-text"
                prop:value=move || s.text.get()
                on:input=move |ev| s.text.set(event_target_value(&ev))
                on:keydown=move |e: web_sys::KeyboardEvent| {
                    if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                        e.prevent_default();
                        run_check();
                    }
                }
            ></textarea>
            <div class="paste-actions">
                <button data-testid="paste-check" on:click=move |_| run_check() title="Ctrl+Enter in the box">
                    "check"
                </button>
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
            <div
                class="paste-result"
                aria-live="polite"
                data-testid="paste-result"
                data-check-ms=move || check_ms.get().to_string()
            >
                {move || {
                    if waiting.get() {
                        return Some(
                            EitherOf3::A(
                                view! {
                                    <p class="muted" data-testid="paste-loading">
                                        "Loading the upstream selftests' expected output, which completes a selftest's report…"
                                    </p>
                                },
                            ),
                        );
                    }
                    let error = match (result.get(), transcripts.get()) {
                        (Some(Ok(c)), _) => {
                            return Some(EitherOf3::B(view! { <CheckResult check=c /> }));
                        }
                        (Some(Err(e)), _) => e,
                        (None, Load::Failed(why)) => {
                            format!(
                                "The upstream selftests' expected output could not be loaded: {why}. Reload the page to try again (the check needs it to complete a selftest's report).",
                            )
                        }
                        (None, _) => return None,
                    };
                    Some(
                        EitherOf3::C(
                            view! {
                                <pre class="error" role="alert" data-testid="paste-error">
                                    {error}
                                </pre>
                            },
                        ),
                    )
                }}
            </div>
        </dialog>
    }
}

/// The summary, the counts, a verdict line per side and the rows.
#[component]
fn CheckResult(check: Arc<LogCheck>) -> impl IntoView {
    let counts = check.counts();
    let (summary, class) = match &check.nothing_compared {
        Some(why) => (format!("nothing compared: {why}"), "paste-summary nothing"),
        None if check.passed => (
            "The kernel and the model agree.".to_string(),
            "paste-summary passed",
        ),
        None => {
            let n = counts.differences();
            let s = if n == 1 {
                "line differs"
            } else {
                "lines differ"
            };
            (format!("{n} {s} from the model."), "paste-summary")
        }
    };
    let count = |n: usize, what: &'static str, key: &'static str| {
        view! {
            <li data-count=key>
                <b>{n}</b>
                " "
                {what}
            </li>
        }
    };
    let sides = check.is_diff().then(|| {
        check
            .sides
            .iter()
            .map(|side| {
                let class = if side.agrees() {
                    "side agrees"
                } else {
                    "side differs"
                };
                let outside = side
                    .outside
                    .clone()
                    .map(|o| view! { <span class="muted side-outside">{o}</span> });
                view! {
                    <li class=class data-testid="paste-side">
                        {side.verdict_line()}
                        {outside}
                    </li>
                }
            })
            .collect_view()
    });
    let lines = Arc::new(check.lines.clone());
    let list = parts(&lines)
        .into_iter()
        .map(|p| match p {
            Part::Row(i) => Either::Left(view! { <Row line=lines[i].clone() /> }),
            Part::Fold { from, to, kind } => {
                Either::Right(view! { <Folded lines=lines.clone() from=from to=to kind=kind /> })
            }
        })
        .collect_view();
    view! {
        <p class=class data-testid="paste-summary">{summary}</p>
        {check.test.clone().map(|t| view! { <p class="muted paste-test">"Selftest: " {t}</p> })}
        <ul class="paste-counts" data-testid="paste-counts" aria-label="Counts">
            {count(counts.agree, "agree", "agree")}
            {count(counts.differ, "differ", "differ")}
            {count(counts.only_in_log, "only in log", "only-in-log")}
            {count(counts.only_in_model, "only in model", "only-in-model")}
            {count(counts.ignored, "ignored", "ignored")}
            {count(counts.not_modelled, "not modelled", "not-modelled")}
            {(counts.not_compared > 0)
                .then(|| count(counts.not_compared, "not compared", "not-compared"))}
        </ul>
        {sides.map(|s| view! { <ul class="paste-sides" data-testid="paste-sides">{s}</ul> })}
        {(!check.dynamic_debug && check.nothing_compared.is_none())
            .then(|| {
                view! {
                    <p class="muted">
                        "No pr_debug lines in the log: compared with a console that does not print them."
                    </p>
                }
            })}
        <ol class="paste-lines" data-testid="paste-lines" aria-label="The log, line by line" tabindex="0">
            {list}
        </ol>
    }
}

/// A folded run of rows: drawn only once opened.
#[component]
fn Folded(lines: Arc<Vec<LogLine>>, from: usize, to: usize, kind: Fold) -> impl IntoView {
    let open = RwSignal::new(false);
    let n = to - from;
    let first = lines[from].line.unwrap_or_default();
    let last = lines[to - 1].line.unwrap_or(first);
    let what = match kind {
        Fold::NotModelled => format!("{n} lines not modelled (lines {first}–{last})"),
        Fold::Quiet => {
            format!("{n} lines that agree, are ignored or are commands (lines {first}–{last})")
        }
    };
    let class = match kind {
        Fold::NotModelled => "pl-fold not-modelled",
        Fold::Quiet => "pl-fold quiet",
    };
    view! {
        <li class=class data-testid="paste-fold">
            <details on:toggle=move |e| {
                let d: web_sys::HtmlDetailsElement = event_target(&e);
                open.set(d.open());
            }>
                <summary>{what}</summary>
                {move || {
                    open.get()
                        .then(|| {
                            let rows = lines[from..to]
                                .iter()
                                .map(|l| view! { <Row line=l.clone() /> })
                                .collect_view();
                            view! { <ol class="paste-lines-inner">{rows}</ol> }
                        })
                }}
            </details>
        </li>
    }
}

/// `text` with the byte range `span` marked, when the range is one.
fn marked(text: String, span: Option<(usize, usize)>) -> impl IntoView {
    let split = span.and_then(|(a, b)| {
        Some((
            text.get(..a)?.to_string(),
            text.get(a..b)?.to_string(),
            text.get(b..)?.to_string(),
        ))
    });
    match split {
        Some((before, mid, after)) if !mid.is_empty() => Either::Left(view! {
            {before}
            <mark>{mid}</mark>
            {after}
        }),
        _ => Either::Right(text),
    }
}

/// One row of the result.
#[component]
fn Row(line: LogLine) -> impl IntoView {
    let (class, sign, label) = match line.verdict {
        Verdict::Command => ("command", "%", "command"),
        Verdict::Scenario => ("scenario", "#", "scenario"),
        Verdict::Agrees => ("agrees", "=", "agrees"),
        Verdict::Differs => ("differs", "≠", "differs"),
        Verdict::OnlyInLog => ("only-log", "+", "only in the log"),
        Verdict::OnlyInModel => ("only-model", "−", "missing from the log"),
        Verdict::Ignored => ("ignored", "·", "ignored"),
        Verdict::NotModelled => ("not-modelled", "?", "not modelled"),
        Verdict::NotCompared => ("not-compared", "~", "not compared"),
    };
    let title = match &line.note {
        Some(n) => format!("{label}: {n}"),
        None => label.to_string(),
    };
    let num = line.line.map(|n| n.to_string()).unwrap_or_default();
    let differs = line.verdict == Verdict::Differs;
    let shown = line.text.clone().or(line.model.clone()).unwrap_or_default();
    let text = if differs {
        Either::Left(marked(shown, line.span))
    } else {
        Either::Right(shown)
    };
    let model = differs.then(|| {
        let m = line.model.clone().unwrap_or_default();
        view! {
            <span class="pl-model">"model: " {marked(m, line.model_span)}</span>
        }
    });
    view! {
        <li class=format!("pl {class}") data-verdict=class title=title>
            <span class="pl-num">{num}</span>
            <span class="pl-mark" role="img" aria-label=label>{sign}</span>
            <span class="pl-text">{text} {model}</span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, verdict: Verdict) -> LogLine {
        LogLine {
            line: Some(n),
            pasted: None,
            text: Some(format!("line {n}")),
            model: None,
            verdict,
            note: None,
            span: None,
            model_span: None,
        }
    }

    #[test]
    fn a_lone_not_modelled_line_is_drawn_and_a_run_is_folded() {
        use Verdict::{Agrees, NotModelled};
        let lines: Vec<LogLine> = [Agrees, NotModelled, Agrees, NotModelled, NotModelled]
            .into_iter()
            .enumerate()
            .map(|(i, v)| row(i + 1, v))
            .collect();
        assert_eq!(
            parts(&lines),
            vec![
                Part::Row(0),
                Part::Row(1),
                Part::Row(2),
                Part::Fold {
                    from: 3,
                    to: 5,
                    kind: Fold::NotModelled
                }
            ]
        );
    }

    #[test]
    fn long_quiet_runs_and_not_modelled_runs_fold() {
        let log = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../engine/tests/logs/010-busy-target-unwinder-regression-2019.txt"
        ));
        let text = match log {
            Ok(t) => t,
            Err(_) => return,
        };
        let c = check::check_log(&text).unwrap();
        let p = parts(&c.lines);
        let mut covered = 0;
        for part in &p {
            covered += match part {
                Part::Row(_) => 1,
                Part::Fold { from, to, .. } => to - from,
            };
        }
        assert_eq!(covered, c.lines.len());
        // Every differing row is drawn at once.
        for (i, l) in c.lines.iter().enumerate() {
            if matches!(
                l.verdict,
                Verdict::Differs | Verdict::OnlyInLog | Verdict::OnlyInModel
            ) {
                assert!(p.contains(&Part::Row(i)), "{i}");
            }
        }
    }
}
