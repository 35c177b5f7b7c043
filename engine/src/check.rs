//! Golden transcripts: replay a scenario and compare what the model prints
//! with the expected lines in the file (`klpscope check`, `cargo test`);
//! and pasted kernel logs, compared line by line ([`check_log`]).

use crate::diff::{Op, edit_script};
use crate::render::comparable_log;
use crate::scenario::{ParseError, Scenario, parse};

/// The result of checking one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// Expected and actual transcripts are identical.
    pub passed: bool,
    /// A unified diff (expected → actual) when they differ.
    pub diff: String,
}

/// The transcript a scenario file expects: commands and output lines,
/// comments stripped.
pub fn expected_log(s: &Scenario) -> Vec<String> {
    let mut out = s.preamble.clone();
    for step in &s.steps {
        if step.logged {
            out.push(format!("% {}", step.command));
        }
        out.extend(step.expected.iter().cloned());
    }
    out
}

/// Parses, replays and compares one scenario text; `name` labels the diff.
pub fn check_text(name: &str, text: &str) -> Result<CheckResult, ParseError> {
    check_text_with(name, text, None)
}

/// [`check_text`] under a given semantics profile (`None`: the one the
/// scenario's `# semantics:` header names, upstream without one).
pub fn check_text_with(
    name: &str,
    text: &str,
    semantics: Option<crate::Semantics>,
) -> Result<CheckResult, ParseError> {
    let scenario = parse(text)?;
    let run = match semantics {
        Some(s) => crate::run_with(&scenario, s),
        None => crate::run(&scenario),
    };
    let expected = expected_log(&scenario);
    let actual = comparable_log(&run);
    let passed = expected == actual;
    let diff = if passed {
        String::new()
    } else {
        unified_diff(name, &expected, &actual)
    };
    Ok(CheckResult { passed, diff })
}

/// A unified diff with 3 lines of context.
pub fn unified_diff(name: &str, a: &[String], b: &[String]) -> String {
    // Edit script: (' ', line) / ('-', line) / ('+', line) with positions.
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    for op in edit_script(a, b) {
        ops.push(match op {
            Op::Same(..) => (' ', i, j),
            Op::Del(_) => ('-', i, j),
            Op::Add(_) => ('+', i, j),
        });
        match op {
            Op::Same(..) => (i, j) = (i + 1, j + 1),
            Op::Del(_) => i += 1,
            Op::Add(_) => j += 1,
        }
    }
    let mut out = format!("--- {name} (expected)\n+++ {name} (klpscope)\n");
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= end + 7 {
            k += 1;
            end = changed[k];
        }
        let end = (end + 4).min(ops.len());
        let (a0, b0) = (ops[start].1, ops[start].2);
        let a_len = ops[start..end].iter().filter(|o| o.0 != '+').count();
        let b_len = ops[start..end].iter().filter(|o| o.0 != '-').count();
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            a0 + 1,
            a_len,
            b0 + 1,
            b_len
        ));
        for &(op, ai, bj) in &ops[start..end] {
            let line = if op == '+' { &b[bj] } else { &a[ai] };
            out.push(op);
            out.push_str(line);
            out.push('\n');
        }
        k += 1;
    }
    out
}

// --- Pasted kernel logs --------------------------------------------------
//
// What a person copies from a console, a CI log or a mail: `dmesg` lines
// with `[   12.345678] ` timestamps (and `[ T123] ` caller ids, `<6>`
// levels, or a journal's `... kernel: ` prefix), quoted with `> ` or `>> `,
// with unrelated kernel lines in between. The commands (`% ` lines, as the
// selftests write them into the log) and any `define` blocks make the
// scenario; the other lines are what the kernel printed, compared with
// the model line by line.

/// The largest pasted log read, in bytes.
pub const MAX_LOG: usize = 1024 * 1024;

/// How one line of a pasted log compares with the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A `% ` command: replayed.
    Command,
    /// A comment, blank line or `define` block line: part of the scenario.
    Scenario,
    /// The kernel printed what the model prints.
    Agrees,
    /// The kernel printed a different line where the model prints `model`.
    Differs,
    /// The kernel printed a line the model does not print.
    OnlyInLog,
    /// The model prints a line the log does not have.
    OnlyInModel,
    /// Not from the livepatch core, the scenario's modules or a console
    /// error line (or a taint notice, or before the first command): not compared.
    Ignored,
}

/// One row of the line-by-line report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogLine {
    /// 1-based line in the pasted text (`None` for a line only the model prints).
    pub line: Option<usize>,
    /// The line as pasted, dressing included.
    pub pasted: Option<String>,
    /// The line without its dressing (quote marks, timestamp).
    pub text: Option<String>,
    /// What the model prints here (for `Agrees`, `Differs`, `OnlyInModel`).
    pub model: Option<String>,
    /// How they compare.
    pub verdict: Verdict,
    /// Why a line is ignored.
    pub note: Option<String>,
}

/// A pasted log checked against the model.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogCheck {
    /// The scenario the log holds (commands, comments, declarations).
    pub scenario: String,
    /// Every pasted line in order, with the model's lines where it has more.
    pub lines: Vec<LogLine>,
    /// Whether the log has the `pr_debug` lines of dynamic debug; without
    /// them it is compared with a console that does not print them.
    pub dynamic_debug: bool,
    /// No line differs, none is missing on either side.
    pub passed: bool,
}

impl LogCheck {
    /// Lines that agree, differ (any of the three ways) and are ignored.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |f: &dyn Fn(Verdict) -> bool| self.lines.iter().filter(|l| f(l.verdict)).count();
        (
            n(&|v| v == Verdict::Agrees),
            n(&|v| {
                matches!(
                    v,
                    Verdict::Differs | Verdict::OnlyInLog | Verdict::OnlyInModel
                )
            }),
            n(&|v| v == Verdict::Ignored),
        )
    }

    /// The differences as `klpscope check` prints them, each at its line
    /// of the pasted text (`name:LINE:`).
    pub fn render(&self, name: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        for l in &self.lines {
            if let Some(n) = l.line {
                last = n;
            }
            let text = l.text.as_deref().unwrap_or("");
            let model = l.model.as_deref().unwrap_or("");
            match l.verdict {
                Verdict::Differs => out.push_str(&format!(
                    "{name}:{last}: differs\n  log:   {text}\n  model: {model}\n"
                )),
                Verdict::OnlyInLog => out.push_str(&format!(
                    "{name}:{last}: only in the log\n  log:   {text}\n"
                )),
                Verdict::OnlyInModel => out.push_str(&format!(
                    "{name}:{last}: missing from the log (the model prints it after this line)\n  model: {model}\n"
                )),
                _ => {}
            }
        }
        let (agree, differ, ignored) = self.counts();
        out.push_str(&format!(
            "{agree} lines agree, {differ} differ, {ignored} ignored{}\n",
            if self.dynamic_debug {
                ""
            } else {
                " (no pr_debug lines in the log: compared without them)"
            }
        ));
        out
    }
}

/// A line without its dressing, and whether it had any.
fn undress(line: &str) -> (String, bool) {
    let mut s = line.trim_end_matches('\r');
    let mut dressed = false;
    // Mail quoting: `> `, `>> `, `> > `.
    while let Some(rest) = s.strip_prefix('>') {
        s = rest.strip_prefix(' ').unwrap_or(rest);
        dressed = true;
    }
    // A journal's `Dec  2 09:35:54 host kernel: `.
    if let Some(i) = s.find(" kernel: ")
        && s.as_bytes()
            .get(..3)
            .is_some_and(|m| m.iter().all(u8::is_ascii_alphabetic))
        && s[..i].matches(':').count() >= 2
    {
        s = &s[i + " kernel: ".len()..];
        dressed = true;
    }
    // A syslog level `<6>`.
    if let Some(rest) = s.strip_prefix('<')
        && let Some((lvl, after)) = rest.split_once('>')
        && !lvl.is_empty()
        && lvl.len() <= 3
        && lvl.bytes().all(|b| b.is_ascii_digit())
    {
        s = after;
        dressed = true;
    }
    // `[   12.345678] ` and then a caller id `[ T123] `.
    for caller in [false, true] {
        let Some(rest) = s.strip_prefix('[') else {
            break;
        };
        let Some((inside, after)) = rest.split_once(']') else {
            break;
        };
        let t = inside.trim_start();
        let ok = if caller {
            t.len() > 1
                && (t.starts_with('T') || t.starts_with('C'))
                && t[1..].bytes().all(|b| b.is_ascii_digit())
        } else {
            t.bytes().any(|b| b.is_ascii_digit())
                && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        };
        if !ok {
            break;
        }
        s = after.strip_prefix(' ').unwrap_or(after);
        dressed = true;
    }
    (s.to_string(), dressed)
}

/// Whether a text reads as a pasted log (some line has a timestamp, a
/// quote mark or another dressing) rather than a scenario file.
pub fn is_pasted_log(text: &str) -> bool {
    text.lines().any(|l| undress(l).1)
}

/// Why a kernel line of the log is not compared, if it is not.
fn ignored_because(text: &str, modules: &[String], model: &[(String, bool)]) -> Option<String> {
    if model.iter().any(|(m, _)| m == text) {
        return None;
    }
    if text.contains("tainting kernel") || text.contains("taints kernel") {
        return Some("a taint notice (the selftests drop these too)".into());
    }
    let console_error = ["insmod: ", "modprobe: ", "rmmod: ", "-bash: ", "sysctl: "];
    let from_scenario = text.starts_with("livepatch: ")
        || console_error.iter().any(|p| text.starts_with(p))
        || text
            .split_once(": ")
            .is_some_and(|(who, _)| modules.iter().any(|m| m == who));
    (!from_scenario)
        .then(|| "not from the livepatch core, the scenario's modules or a console error".into())
}

/// Reads a pasted log: its scenario is replayed and each kernel line
/// compared with what the model prints after the same command.
pub fn check_log(text: &str) -> Result<LogCheck, ParseError> {
    check_log_with(text, None)
}

/// [`check_log`] under a given semantics profile (`None`: the one the
/// log's `# semantics:` header names, upstream without one).
pub fn check_log_with(
    text: &str,
    semantics: Option<crate::Semantics>,
) -> Result<LogCheck, ParseError> {
    use crate::scenario::ParseErrorKind;
    if text.len() > MAX_LOG {
        return Err(ParseError::new(
            1,
            1,
            ParseErrorKind::BadArgument(format!("a log of {} bytes", text.len())),
        )
        .hint(format!(
            "paste at most {MAX_LOG} bytes: the part of the log from the first command on"
        )));
    }
    // Split into the scenario (commands, comments, declarations) and the
    // kernel's lines, remembering where each came from.
    let raw: Vec<&str> = text.split('\n').collect();
    let raw = if raw.last() == Some(&"") {
        &raw[..raw.len() - 1]
    } else {
        &raw[..]
    };
    let mut scenario = String::new();
    let mut scenario_lines: Vec<usize> = Vec::new(); // scenario line -> pasted line
    let mut kinds: Vec<(String, Option<usize>)> = Vec::new(); // (text, step) for output
    let mut is_scenario = Vec::new();
    let mut in_define = false;
    let mut step: Option<usize> = None;
    for (i, line) in raw.iter().enumerate() {
        let (t, _) = undress(line);
        let part = in_define
            || t.starts_with("define ")
            || t == "define"
            || t.starts_with('%')
            || t.starts_with('#')
            || t.trim().is_empty();
        if part {
            if in_define {
                in_define = t.trim() != "end";
            } else if t.starts_with("define ") || t == "define" {
                in_define = true;
            } else if t.starts_with('%') {
                step = Some(step.map_or(0, |s| s + 1));
            }
            scenario.push_str(&t);
            scenario.push('\n');
            scenario_lines.push(i + 1);
        }
        is_scenario.push(part);
        kinds.push((t, step));
    }
    let parsed = parse(&scenario).map_err(|mut e| {
        e.line = scenario_lines
            .get(e.line.wrapping_sub(1))
            .copied()
            .unwrap_or(e.line);
        e
    })?;
    let run = match semantics {
        Some(s) => crate::run_with(&parsed, s),
        None => crate::run(&parsed),
    };
    let modules: Vec<String> = parsed
        .catalog
        .names()
        .into_iter()
        .map(str::to_string)
        .collect();
    // The model's lines per step: (text, pr_debug).
    let model: Vec<Vec<(String, bool)>> = run
        .steps
        .iter()
        .map(|s| {
            s.events
                .iter()
                .filter(|e| !matches!(e.kind, crate::EventKind::Note))
                .filter_map(|e| {
                    let debug = !crate::render::Console::Default.shows(e);
                    e.text.clone().map(|t| (t, debug))
                })
                .collect()
        })
        .collect();
    let dynamic_debug = kinds.iter().enumerate().any(|(i, (t, s))| {
        !is_scenario[i]
            && s.and_then(|s| model.get(s))
                .is_some_and(|m| m.iter().any(|(l, d)| *d && l == t))
    });
    let lines = align(raw, &kinds, &is_scenario, &model, &modules, dynamic_debug);
    let passed = lines.iter().all(|l| {
        !matches!(
            l.verdict,
            Verdict::Differs | Verdict::OnlyInLog | Verdict::OnlyInModel
        )
    });
    Ok(LogCheck {
        scenario,
        lines,
        dynamic_debug,
        passed,
    })
}

/// The report rows: each pasted line in order, each step's kernel lines
/// aligned (longest common subsequence) with the model's lines for that
/// step, a line only the model prints placed after the log line before it.
fn align(
    raw: &[&str],
    kinds: &[(String, Option<usize>)],
    is_scenario: &[bool],
    model: &[Vec<(String, bool)>],
    modules: &[String],
    dynamic_debug: bool,
) -> Vec<LogLine> {
    let n = raw.len();
    let row = |i: usize, verdict: Verdict, model: Option<String>, note: Option<String>| LogLine {
        line: Some(i + 1),
        pasted: Some(raw[i].to_string()),
        text: Some(kinds[i].0.clone()),
        model,
        verdict,
        note,
    };
    let mut rows: Vec<Option<LogLine>> = vec![None; n];
    let mut after: Vec<Vec<LogLine>> = vec![Vec::new(); n];
    let mut command_at = Vec::new();
    for i in 0..n {
        let t = &kinds[i].0;
        if is_scenario[i] {
            let command = t.starts_with('%');
            if command {
                command_at.push(i);
            }
            rows[i] = Some(row(
                i,
                if command {
                    Verdict::Command
                } else {
                    Verdict::Scenario
                },
                command.then(|| t.clone()),
                None,
            ));
        } else if kinds[i].1.is_none() {
            rows[i] = Some(row(
                i,
                Verdict::Ignored,
                None,
                Some("before the first command".into()),
            ));
        }
    }
    for (s, &cmd) in command_at.iter().enumerate() {
        let expected: Vec<&String> = model
            .get(s)
            .into_iter()
            .flatten()
            .filter(|(_, d)| dynamic_debug || !d)
            .map(|(t, _)| t)
            .collect();
        let step_model = model.get(s).map(Vec::as_slice).unwrap_or(&[]);
        let mut compared = Vec::new();
        for i in 0..n {
            if is_scenario[i] || kinds[i].1 != Some(s) {
                continue;
            }
            match ignored_because(&kinds[i].0, modules, step_model) {
                Some(why) => rows[i] = Some(row(i, Verdict::Ignored, None, Some(why))),
                None => compared.push(i),
            }
        }
        let a: Vec<&String> = compared.iter().map(|&i| &kinds[i].0).collect();
        let ops = edit_script(&a, &expected);
        // Runs of changed lines between agreeing ones: a log line and a
        // model line at the same place in a run are one differing line.
        let mut runs: Vec<Run> = Vec::new();
        let (mut dels, mut adds) = (Vec::new(), Vec::new());
        for op in ops {
            match op {
                Op::Same(ai, bj) => {
                    runs.push((
                        std::mem::take(&mut dels),
                        std::mem::take(&mut adds),
                        Some((ai, bj)),
                    ));
                }
                Op::Del(ai) => dels.push(ai),
                Op::Add(bj) => adds.push(bj),
            }
        }
        runs.push((dels, adds, None));
        let mut anchor = cmd;
        for (dels, adds, same) in runs {
            for (k, &ai) in dels.iter().enumerate() {
                let i = compared[ai];
                rows[i] = Some(match adds.get(k) {
                    Some(&bj) => row(i, Verdict::Differs, Some(expected[bj].clone()), None),
                    None => row(i, Verdict::OnlyInLog, None, None),
                });
                anchor = i;
            }
            for &bj in adds.iter().skip(dels.len()) {
                after[anchor].push(LogLine {
                    line: None,
                    pasted: None,
                    text: None,
                    model: Some(expected[bj].clone()),
                    verdict: Verdict::OnlyInModel,
                    note: None,
                });
            }
            if let Some((ai, bj)) = same {
                let i = compared[ai];
                rows[i] = Some(row(i, Verdict::Agrees, Some(expected[bj].clone()), None));
                anchor = i;
            }
        }
    }
    let mut out = Vec::with_capacity(n);
    for (r, extra) in rows.into_iter().zip(after) {
        out.extend(r);
        out.extend(extra);
    }
    out
}

/// Changed lines (log indices, model indices) and the agreeing pair after them.
type Run = (Vec<usize>, Vec<usize>, Option<(usize, usize)>);
