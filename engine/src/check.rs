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
    check_text_on(name, text, semantics, None)
}

/// [`check_text_with`] on a given kernel release (`None`: the one the
/// scenario's `# kernel:` header names, the latest mainline without one).
pub fn check_text_on(
    name: &str,
    text: &str,
    semantics: Option<crate::Semantics>,
    kernel: Option<crate::KernelVersion>,
) -> Result<CheckResult, ParseError> {
    let mut scenario = parse(text)?;
    if kernel.is_some() {
        scenario.kernel = kernel;
    }
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
// Whatever a person pastes: a console session, `dmesg` output, a journal,
// a mail with it quoted, a selftest's failure diff. `crate::log` reads it
// into the commands it records and the lines the kernel printed; each
// side (the log, or a diff's expected and result text) is replayed and
// its kernel lines are aligned with what the model prints after the same
// command. Nothing is refused: a command or module the model does not
// know is reported as not modelled, with the lines it caused.

use crate::log::{self, Entry, Reading, Role};

/// The largest pasted log read, in bytes.
pub const MAX_LOG: usize = 1024 * 1024;

/// How one line of a pasted log compares with the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A command: replayed.
    Command,
    /// A comment, blank line, test name or `define` block line.
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
    /// error line (or a taint notice, before the first command, outside a
    /// diff): not compared.
    Ignored,
    /// A command the model does not know (a shell command, a module it has
    /// no definition of), or a line such a command caused.
    NotModelled,
    /// Part of a selftest report that cannot be compared (a hunk whose
    /// start in the test is unknown).
    NotCompared,
}

/// One row of the line-by-line report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogLine {
    /// 1-based line in the pasted text (`None` for a line only the model prints).
    pub line: Option<usize>,
    /// The line as pasted, dressing included.
    pub pasted: Option<String>,
    /// The line without its dressing (quote marks, timestamp, diff marker).
    pub text: Option<String>,
    /// What the model prints here (for `Agrees`, `Differs`, `OnlyInModel`).
    pub model: Option<String>,
    /// How they compare.
    pub verdict: Verdict,
    /// Why a line is ignored, not modelled or not compared; what a
    /// difference comes from, where that is known.
    pub note: Option<String>,
    /// For `Differs`: the byte range of `text` that differs from `model`.
    pub span: Option<(usize, usize)>,
    /// For `Differs`: the byte range of `model` that differs from `text`.
    pub model_span: Option<(usize, usize)>,
}

/// How many lines of a side (or of the whole paste) came out each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Agree with the model.
    pub agree: usize,
    /// Differ from the model's line at the same place.
    pub differ: usize,
    /// Only in the log.
    pub only_in_log: usize,
    /// Only in the model.
    pub only_in_model: usize,
    /// Ignored (not from the livepatch core or the scenario's modules).
    pub ignored: usize,
    /// Commands the model does not know, and the lines they caused.
    pub not_modelled: usize,
    /// Lines that could not be compared.
    pub not_compared: usize,
}

impl Counts {
    fn of(lines: &[LogLine]) -> Counts {
        let mut c = Counts::default();
        for l in lines {
            match l.verdict {
                Verdict::Agrees => c.agree += 1,
                Verdict::Differs => c.differ += 1,
                Verdict::OnlyInLog => c.only_in_log += 1,
                Verdict::OnlyInModel => c.only_in_model += 1,
                Verdict::Ignored => c.ignored += 1,
                Verdict::NotModelled => c.not_modelled += 1,
                Verdict::NotCompared => c.not_compared += 1,
                Verdict::Command | Verdict::Scenario => {}
            }
        }
        c
    }

    /// Lines that compared, either way.
    pub fn compared(&self) -> usize {
        self.agree + self.differ + self.only_in_log + self.only_in_model
    }

    /// Lines that differ in any of the three ways.
    pub fn differences(&self) -> usize {
        self.differ + self.only_in_log + self.only_in_model
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} agree, {} differ, {} only in log, {} only in model, {} ignored, {} not modelled",
            self.agree,
            self.differ,
            self.only_in_log,
            self.only_in_model,
            self.ignored,
            self.not_modelled
        )?;
        if self.not_compared > 0 {
            write!(f, ", {} not compared", self.not_compared)?;
        }
        Ok(())
    }
}

/// One side checked: the log, or a diff's expected or result text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SideCheck {
    /// `log`, `expected side` or `result side`.
    pub name: String,
    /// The scenario replayed for this side (declarations and commands).
    pub scenario: String,
    /// Its rows in pasted order, with the model's lines where it has more.
    pub lines: Vec<LogLine>,
    /// Its counts.
    pub counts: Counts,
    /// Whether the side has the `pr_debug` lines of dynamic debug; without
    /// them it is compared with a console that does not print them.
    pub dynamic_debug: bool,
    /// What lies outside the paste's span (a completed hunk).
    pub outside: Option<String>,
}

impl SideCheck {
    /// Something compared, and nothing differs.
    pub fn agrees(&self) -> bool {
        self.counts.compared() > 0 && self.counts.differences() == 0
    }

    /// The first differing row's pasted line and text (or model line).
    pub fn first_difference(&self) -> Option<(usize, String)> {
        let mut last = 0;
        for l in &self.lines {
            if let Some(n) = l.line {
                last = n;
            }
            match l.verdict {
                Verdict::Differs | Verdict::OnlyInLog => {
                    return Some((last, l.text.clone().unwrap_or_default()));
                }
                Verdict::OnlyInModel => {
                    return Some((
                        last,
                        format!("(missing) {}", l.model.as_deref().unwrap_or("")),
                    ));
                }
                _ => {}
            }
        }
        None
    }

    /// `expected side: agrees (12 lines)` / `result side: differs (first at 31: ...)`.
    pub fn verdict_line(&self) -> String {
        match self.first_difference() {
            Some((line, text)) => format!("{}: differs (first at {line}: {text})", self.name),
            None if self.counts.compared() == 0 => format!("{}: nothing compared", self.name),
            None => format!("{}: agrees ({} lines)", self.name, self.counts.agree),
        }
    }
}

/// A pasted log checked against the model.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogCheck {
    /// The scenario the log holds (commands, comments, declarations): the
    /// first side's.
    pub scenario: String,
    /// Every pasted line in order, with the model's lines where it has
    /// more (for a diff: a context or `-` line as the expected side
    /// compares it, a `+` line as the result side does).
    pub lines: Vec<LogLine>,
    /// The sides compared: `log`, or a diff's `expected side` and `result side`.
    pub sides: Vec<SideCheck>,
    /// Whether the log has the `pr_debug` lines of dynamic debug.
    pub dynamic_debug: bool,
    /// The selftest the paste is about (`TEST: NAME`), if it names one
    /// (a full run, naming many, has none).
    pub test: Option<String>,
    /// Why nothing was compared (`no command found`), when nothing was.
    pub nothing_compared: Option<String>,
    /// Something compared, and no line differs, none is missing on either side.
    pub passed: bool,
}

impl LogCheck {
    /// The counts over every pasted line.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.lines)
    }

    /// Whether the paste is a selftest diff (two sides).
    pub fn is_diff(&self) -> bool {
        self.sides.len() > 1
    }

    /// The report as `klpscope check` prints it: each difference at its
    /// line of the pasted text (`name:LINE:`), a verdict line per side of
    /// a diff, and the counts.
    pub fn render(&self, name: &str) -> String {
        let mut out = String::new();
        if let Some(why) = &self.nothing_compared {
            out.push_str(&format!("nothing compared: {why}\n"));
        }
        for side in &self.sides {
            let tag = if self.is_diff() {
                format!(" ({})", side.name)
            } else {
                String::new()
            };
            let mut last = 0;
            for l in &side.lines {
                if let Some(n) = l.line {
                    last = n;
                }
                let text = l.text.as_deref().unwrap_or("");
                let model = l.model.as_deref().unwrap_or("");
                let note = l
                    .note
                    .as_deref()
                    .map(|n| format!("  ({n})\n"))
                    .unwrap_or_default();
                match l.verdict {
                    Verdict::Differs => out.push_str(&format!(
                        "{name}:{last}: differs{tag}\n  log:   {text}\n  model: {model}\n{note}"
                    )),
                    Verdict::OnlyInLog => out.push_str(&format!(
                        "{name}:{last}: only in the log{tag}\n  log:   {text}\n"
                    )),
                    Verdict::OnlyInModel => out.push_str(&format!(
                        "{name}:{last}: missing from the log{tag} (the model prints it after this line)\n  model: {model}\n"
                    )),
                    _ => {}
                }
            }
        }
        for side in &self.sides {
            if self.is_diff() {
                out.push_str(&side.verdict_line());
                out.push('\n');
            }
            if let Some(o) = &side.outside {
                out.push_str(&format!("  {o}\n"));
            }
        }
        for side in &self.sides {
            let who = if self.is_diff() {
                format!("{}: ", side.name)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{who}{}{}\n",
                side.counts,
                if side.dynamic_debug || side.counts.compared() == 0 {
                    ""
                } else {
                    " (no pr_debug lines in the log: compared without them)"
                }
            ));
        }
        out
    }
}

/// Whether a text reads as a pasted log rather than a scenario file: some
/// line carries dressing (a timestamp, a quote mark, a prompt), it is a
/// selftest diff, it has no `% ` command, or some line is neither a
/// command, a comment, a declaration nor a line the scenario's modules,
/// the livepatch core or a console error could print.
pub fn is_pasted_log(text: &str) -> bool {
    let reading = log::read(text);
    if reading.dressed || reading.sides.len() > 1 {
        return true;
    }
    let entries = &reading.sides[0].entries;
    let strict_command = |e: &Entry| e.text.starts_with("% ");
    if !entries.iter().any(strict_command) {
        return true;
    }
    let mut names: Vec<String> = crate::catalog::builtin_defs()
        .into_iter()
        .map(|d| d.name)
        .collect();
    for e in entries {
        if let Some(rest) = e.text.trim().strip_prefix("define ") {
            names.extend(rest.split_whitespace().nth(1).map(str::to_string));
        }
    }
    entries.iter().any(|e| match &e.role {
        Role::Command(_) => !strict_command(e),
        Role::Kernel => !from_scenario(&e.text, &names),
        Role::Record(_) | Role::Test(_) => true,
        Role::Scenario => false,
    })
}

/// A console's error line for a failed command.
const CONSOLE_ERRORS: [&str; 6] = [
    "insmod: ",
    "modprobe: ",
    "rmmod: ",
    "-bash: ",
    "sysctl: ",
    "bash: ",
];

/// Whether a line could come from the scenario: the livepatch core, one
/// of its modules, or a console error.
fn from_scenario(text: &str, modules: &[String]) -> bool {
    text.starts_with("livepatch: ")
        || CONSOLE_ERRORS.iter().any(|p| text.starts_with(p))
        || text
            .split_once(": ")
            .is_some_and(|(who, _)| modules.iter().any(|m| m == who))
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
    check_log_on(text, semantics, None)
}

/// [`check_log_with`] on a given kernel release. `None`: the one the log's
/// `# kernel:` header names, else the one its `Linux version X.Y...` boot
/// banner names, else the latest mainline.
pub fn check_log_on(
    text: &str,
    semantics: Option<crate::Semantics>,
    kernel: Option<crate::KernelVersion>,
) -> Result<LogCheck, ParseError> {
    use crate::scenario::ParseErrorKind;
    if text.len() > MAX_LOG {
        return Err(ParseError::new(
            1,
            1,
            ParseErrorKind::BadArgument(format!("a log of {} bytes", text.len())),
        )
        .hint(format!(
            "paste at most {MAX_LOG} bytes (1 MiB): the part of the log from the first command on"
        )));
    }
    let reading = log::read(text);
    let semantics = semantics.or_else(|| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix("# semantics:"))
            .and_then(|n| crate::Semantics::from_name(n.trim()))
    });
    let kernel = kernel.or_else(|| log_kernel(text));
    let sides: Vec<SideCheck> = reading
        .sides
        .iter()
        .map(|s| check_side(&reading, s, semantics, kernel))
        .collect();
    let lines = merge_rows(&reading, &sides);
    let has_command = reading.sides.iter().any(|s| {
        s.entries
            .iter()
            .any(|e| matches!(e.role, Role::Command(_) | Role::Record(_)))
    });
    let nothing_compared = if !has_command {
        Some("no command found".to_string())
    } else if sides
        .iter()
        .all(|s| s.counts.compared() == s.counts.only_in_model)
    {
        Some(
            match reading.sides.iter().find_map(|s| s.not_compared.first()) {
                Some((_, why)) => why.clone(),
                None if sides.iter().any(|s| s.counts.only_in_model > 0) => {
                    "the paste has commands but none of the lines the kernel printed after them"
                        .to_string()
                }
                None => "no line of the log is one the model could print".to_string(),
            },
        )
    } else {
        None
    };
    let passed = nothing_compared.is_none() && sides.iter().all(|s| s.counts.differences() == 0);
    Ok(LogCheck {
        scenario: sides
            .first()
            .map(|s| s.scenario.clone())
            .unwrap_or_default(),
        dynamic_debug: sides.iter().any(|s| s.dynamic_debug),
        lines,
        sides,
        // The test a report is about; a full run names many, and none is "the" test.
        test: reading.test.clone().filter(|name| {
            reading
                .lines
                .iter()
                .all(|l| match log::records::role(&l.text) {
                    Role::Test(other) => other == *name,
                    _ => true,
                })
        }),
        nothing_compared,
        passed,
    })
}

/// The report's rows in pasted order: each pasted line once (a diff's
/// context and `-` lines as the expected side has them, its `+` lines as
/// the result side has them), lines only the model prints after the line
/// they follow, and lines outside every side as ignored.
fn merge_rows(reading: &Reading, sides: &[SideCheck]) -> Vec<LogLine> {
    let n = reading.lines.len();
    let mut rows: Vec<Vec<LogLine>> = vec![Vec::new(); n + 1];
    let mut taken = vec![false; n];
    for side in sides {
        let mut anchor = n; // before the first pasted line
        for l in &side.lines {
            match l
                .line
                .and_then(|ln| reading.lines.iter().position(|p| p.line == ln))
            {
                Some(i) => {
                    anchor = i;
                    if !taken[i] {
                        taken[i] = true;
                        rows[i].insert(0, l.clone());
                    }
                }
                None if l.verdict == Verdict::OnlyInModel => rows[anchor].push(l.clone()),
                None => {}
            }
        }
    }
    for &(i, why) in &reading.aside {
        if !taken[i] {
            taken[i] = true;
            rows[i].insert(
                0,
                pasted_row(reading, i, Verdict::Ignored, Some(why.to_string())),
            );
        }
    }
    let mut out: Vec<LogLine> = rows.pop().unwrap_or_default();
    for (i, r) in rows.into_iter().enumerate() {
        if !taken[i] {
            out.push(pasted_row(reading, i, Verdict::Ignored, None));
        }
        out.extend(r);
    }
    out
}

fn pasted_row(reading: &Reading, i: usize, verdict: Verdict, note: Option<String>) -> LogLine {
    let l = &reading.lines[i];
    LogLine {
        line: Some(l.line),
        pasted: Some(l.pasted.clone()),
        text: Some(l.text.clone()),
        model: None,
        verdict,
        note,
        span: None,
        model_span: None,
    }
}

/// What one entry of a side is, once its commands are parsed.
#[derive(Clone, Debug)]
enum Kind {
    /// A scenario line (comment, blank, define, test name).
    Scenario,
    /// A modelled command: starts step `usize`.
    Command(usize),
    /// A harness record: starts step `usize`, and is that step's output.
    Record(usize),
    /// A command the model does not know, and why.
    NotModelled(String),
    /// A kernel line of step `Some(s)` (`None`: before the first command);
    /// `bool`: an unmodelled command came between the step's command and it.
    Kernel(Option<usize>, bool),
}

/// The release a pasted log runs on: its `# kernel: VERSION` header, else
/// the version its boot banner (`Linux version 5.15.0-91-generic ...`) names.
fn log_kernel(text: &str) -> Option<crate::KernelVersion> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("# kernel:"))
        .and_then(|v| crate::KernelVersion::parse(v).ok())
        .or_else(|| crate::KernelVersion::from_banner(text))
}

/// Replays one side and compares its kernel lines with the model's.
fn check_side(
    reading: &Reading,
    side: &log::Side,
    semantics: Option<crate::Semantics>,
    kernel: Option<crate::KernelVersion>,
) -> SideCheck {
    let entries = &side.entries;
    // Declarations first: a `define` block may follow its first use.
    let mut decls = String::new();
    let mut in_define = false;
    let mut define_error = None;
    for e in entries {
        let t = e.text.trim();
        if in_define || t.starts_with("define ") || t == "define" {
            in_define = if in_define { t != "end" } else { true };
            decls.push_str(t);
            decls.push('\n');
        }
    }
    let catalog = match crate::parse(&decls) {
        Ok(s) => s.catalog,
        Err(e) => {
            define_error = Some(e.to_string());
            decls.clear();
            crate::catalog::Catalog::builtin()
        }
    };
    let mut unknown_modules: Vec<String> = Vec::new();
    let mut kinds = Vec::with_capacity(entries.len());
    let mut commands: Vec<String> = Vec::new();
    let mut step: Option<usize> = None;
    let mut after_unknown = false;
    let mut core_since = false; // a livepatch core line since the last command
    for e in entries {
        if matches!(e.role, Role::Command(_)) {
            core_since = false;
        }
        // A line a selftest script writes into the log by a step it does
        // not log (`grep 'live patched' /proc/cmdline > /dev/kmsg`).
        let role = match &e.role {
            Role::Kernel => crate::catalog::selftests::harness_step(&e.text, &catalog)
                .map_or(Role::Kernel, Role::Record),
            r => r.clone(),
        };
        let kind = match &role {
            // functions.sh ran this command and logged its line: the
            // line is the output of the `% ` command right before it.
            Role::Record(cmd)
                if step.is_some_and(|s| same_command(&commands[s], cmd)) && !core_since =>
            {
                Kind::Kernel(step, false)
            }
            Role::Command(cmd) | Role::Record(cmd) => {
                match modelled(cmd, &catalog, &unknown_modules) {
                    Ok(parsed) => {
                        commands.push(parsed);
                        let s = commands.len() - 1;
                        step = Some(s);
                        after_unknown = false;
                        if matches!(role, Role::Record(_)) {
                            Kind::Record(s)
                        } else {
                            Kind::Command(s)
                        }
                    }
                    Err((why, module)) => {
                        unknown_modules.extend(module);
                        after_unknown = true;
                        Kind::NotModelled(why)
                    }
                }
            }
            Role::Kernel => {
                core_since |= e.text.starts_with("livepatch: ");
                Kind::Kernel(step, after_unknown)
            }
            Role::Scenario | Role::Test(_) => Kind::Scenario,
        };
        if matches!(kind, Kind::Record(_)) {
            core_since = true;
        }
        kinds.push(kind);
    }
    let mut scenario = decls.clone();
    for c in &commands {
        scenario.push_str("% ");
        scenario.push_str(c);
        scenario.push('\n');
    }
    let run = crate::parse(&scenario).ok().map(|mut parsed| {
        parsed.kernel = kernel;
        match semantics {
            Some(s) => crate::run_with(&parsed, s),
            None => crate::run(&parsed),
        }
    });
    let mut modules: Vec<String> = catalog.names().into_iter().map(str::to_string).collect();
    modules.retain(|m| !unknown_modules.contains(m));
    // The model's lines per step: (text, pr_debug).
    let model: Vec<Vec<(String, bool)>> = run
        .iter()
        .flat_map(|r| &r.steps)
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
    let dynamic_debug = entries.iter().zip(&kinds).any(|(e, k)| match k {
        Kind::Kernel(Some(s), _) => model[*s].iter().any(|(l, d)| {
            *d && (*l == e.text
                || core_line_under_other_prefix(&e.text, &[(l.clone(), true)]).is_some())
        }),
        _ => false,
    });
    // Pointers printed with %p differ on every boot: compared by the
    // pattern of equal and different values, on both sides alike.
    let (entries, model) = (&canonical_entries(entries, &kinds), canonical_model(&model));
    let rows = align(
        entries,
        &kinds,
        &model,
        &modules,
        &unknown_modules,
        dynamic_debug,
    );
    let mut lines = Vec::with_capacity(rows.len());
    for (i, (row, extra)) in rows.into_iter().enumerate() {
        let Some(at) = entries[i].at else {
            continue; // filled in from the selftest: outside the paste
        };
        let p = &reading.lines[at];
        let mut row = row;
        row.line = Some(p.line);
        row.pasted = Some(p.pasted.clone());
        if let Some((_, why)) = side.not_compared.iter().find(|(a, _)| *a == at) {
            row.verdict = Verdict::NotCompared;
            row.model = None;
            row.note = Some(why.clone());
        }
        if row.verdict == Verdict::Scenario
            && let Some(err) = &define_error
            && in_define_block(entries, i)
        {
            row.verdict = Verdict::NotModelled;
            row.note = Some(format!("the declarations do not parse: {err}"));
        }
        lines.push(row);
        lines.extend(extra);
    }
    // Rows of a hunk nothing could place: not compared.
    for &(at, ref why) in &side.not_compared {
        if !entries.iter().any(|e| e.at == Some(at)) {
            let mut row = pasted_row(reading, at, Verdict::NotCompared, Some(why.clone()));
            row.text = Some(reading.lines[at].text.clone());
            let pos = lines
                .iter()
                .position(|l| l.line.is_some_and(|n| n > reading.lines[at].line))
                .unwrap_or(lines.len());
            lines.insert(pos, row);
        }
    }
    // A diff's side that ends with the paste (no selftest text after it):
    // what the model prints after its last line lies outside the span.
    let mut outside = side.outside.clone();
    if side.name != "log" && entries.last().is_some_and(|e| e.at.is_some()) {
        let mut cut = 0;
        while lines
            .last()
            .is_some_and(|l| l.verdict == Verdict::OnlyInModel)
        {
            lines.pop();
            cut += 1;
        }
        if cut > 0 {
            outside = Some(format!(
                "{cut} line(s) the model prints after the hunk's last line lie outside its span: not compared"
            ));
        }
    }
    SideCheck {
        name: side.name.to_string(),
        counts: Counts::of(&lines),
        scenario,
        lines,
        dynamic_debug,
        outside,
    }
}

/// Two spellings of one command (`sysctl kernel.x=0`, `sysctl -w kernel.x=0`).
fn same_command(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .filter(|w| *w != "-w" && *w != "-q")
            .map(str::to_string)
            .collect()
    };
    words(a) == words(b)
}

/// The side's kernel lines with their pointer values as `PTR<n>`
/// placeholders ([`crate::pointers::canonicalize_pointers`]), in order.
fn canonical_entries(entries: &[Entry], kinds: &[Kind]) -> Vec<Entry> {
    let kernel: Vec<usize> = (0..entries.len())
        .filter(|&i| matches!(kinds[i], Kind::Kernel(..) | Kind::Record(_)))
        .collect();
    let texts: Vec<&str> = kernel.iter().map(|&i| entries[i].text.as_str()).collect();
    let mut out = entries.to_vec();
    for (i, t) in kernel
        .into_iter()
        .zip(crate::pointers::canonicalize_pointers(&texts))
    {
        out[i].text = t;
    }
    out
}

/// The model's lines with pointer values as placeholders, numbered over
/// the whole run as [`canonical_entries`] numbers the log's.
fn canonical_model(model: &[Vec<(String, bool)>]) -> Vec<Vec<(String, bool)>> {
    let flat: Vec<&str> = model.iter().flatten().map(|(t, _)| t.as_str()).collect();
    let mut canon = crate::pointers::canonicalize_pointers(&flat).into_iter();
    model
        .iter()
        .map(|step| {
            step.iter()
                .map(|(t, d)| (canon.next().unwrap_or_else(|| t.clone()), *d))
                .collect()
        })
        .collect()
}

fn in_define_block(entries: &[Entry], i: usize) -> bool {
    let mut inside = false;
    for e in &entries[..=i] {
        let t = e.text.trim();
        if inside {
            inside = t != "end";
            if t == "end" && std::ptr::eq(e, &entries[i]) {
                return true;
            }
        } else if t.starts_with("define ") || t == "define" {
            inside = true;
        }
    }
    inside
}

/// A command as the model replays it, or why it cannot (and the module
/// it would have loaded, when that is what the model does not know).
fn modelled(
    cmd: &str,
    catalog: &crate::catalog::Catalog,
    unknown_modules: &[String],
) -> Result<String, (String, Option<String>)> {
    use crate::scenario::{ParseErrorKind, parse_command};
    match parse_command(cmd, 1, 1, catalog) {
        Ok(c) => {
            let touches_unknown = match &c {
                crate::Command::Rmmod { module } => unknown_modules.contains(module),
                crate::Command::PatchAttr { patch, .. } => unknown_modules.contains(patch),
                crate::Command::Param { module, .. } => unknown_modules.contains(module),
                _ => false,
            };
            if touches_unknown {
                return Err((
                    "acts on a module the model does not know (loaded by an earlier command it could not replay)".into(),
                    None,
                ));
            }
            Ok(cmd.to_string())
        }
        Err(e) => {
            let module = match &e.kind {
                ParseErrorKind::UnknownModule(m) => Some(m.replace('-', "_")),
                _ => None,
            };
            let mut why = format!("the model does not know this command: {}", e.message());
            if module.is_some() {
                why = format!(
                    "the model has no definition of this module: {} (declare it in a 'define' block to replay it)",
                    e.message()
                );
            }
            Err((why, module))
        }
    }
}

/// Why a kernel line is not compared, if it is not: a taint notice, or a
/// line from neither the livepatch core, the scenario's modules nor a
/// console error (a line of the core under another `pr_fmt` prefix is
/// compared, and its difference named).
fn ignored_because(text: &str, modules: &[String], model: &[(String, bool)]) -> Option<String> {
    if model.iter().any(|(m, _)| m == text) {
        return None;
    }
    if text.contains("tainting kernel") || text.contains("taints kernel") {
        return Some("a taint notice (the selftests drop these too)".into());
    }
    if from_scenario(text, modules) || core_line_under_other_prefix(text, model).is_some() {
        return None;
    }
    Some("not from the livepatch core, the scenario's modules or a console error".into())
}

/// The prefix of a line the livepatch core prints (`livepatch: REST` in
/// the model) that the log has as `OTHER: REST`: kernel/livepatch's
/// files set `pr_fmt` to `KBUILD_MODNAME ": "`, which is `livepatch` only
/// when they are built as the one object kernel/livepatch/Makefile makes.
fn core_line_under_other_prefix<'a>(text: &'a str, model: &[(String, bool)]) -> Option<&'a str> {
    let (who, rest) = text.split_once(": ")?;
    (who != "livepatch"
        && model
            .iter()
            .any(|(m, _)| m.strip_prefix("livepatch: ") == Some(rest)))
    .then_some(who)
}

/// A line of a module the model does not know (its `pr_fmt` prefix, or
/// its name quoted by the livepatch core).
fn from_unknown_module(text: &str, unknown: &[String]) -> bool {
    unknown.iter().any(|m| {
        text.split_once(": ").is_some_and(|(who, _)| who == m) || text.contains(&format!("'{m}'"))
    })
}

/// The rows of one side, one per entry (with the rows only the model has
/// after it): each step's kernel lines aligned (longest common
/// subsequence) with the model's lines for that step.
fn align(
    entries: &[Entry],
    kinds: &[Kind],
    model: &[Vec<(String, bool)>],
    modules: &[String],
    unknown: &[String],
    dynamic_debug: bool,
) -> Vec<(LogLine, Vec<LogLine>)> {
    let n = entries.len();
    let row = |i: usize, verdict: Verdict, model: Option<String>, note: Option<String>| LogLine {
        line: None,
        pasted: None,
        text: Some(entries[i].text.clone()),
        model,
        verdict,
        note,
        span: None,
        model_span: None,
    };
    let mut rows: Vec<Option<LogLine>> = vec![None; n];
    let mut after: Vec<Vec<LogLine>> = vec![Vec::new(); n];
    let mut step_at: Vec<usize> = vec![0; model.len()];
    for i in 0..n {
        rows[i] = match &kinds[i] {
            Kind::Scenario => Some(row(i, Verdict::Scenario, None, None)),
            Kind::Command(s) => {
                step_at[*s] = i;
                Some(row(
                    i,
                    Verdict::Command,
                    Some(entries[i].text.clone()),
                    None,
                ))
            }
            Kind::Record(s) => {
                step_at[*s] = i;
                None // compared as the step's output
            }
            Kind::NotModelled(why) => Some(row(i, Verdict::NotModelled, None, Some(why.clone()))),
            Kind::Kernel(None, _) => Some(row(
                i,
                Verdict::Ignored,
                None,
                Some("before the first command".into()),
            )),
            Kind::Kernel(Some(_), _) => None,
        };
    }
    for (s, step_model) in model.iter().enumerate() {
        let expected: Vec<&String> = step_model
            .iter()
            .filter(|(_, d)| dynamic_debug || !d)
            .map(|(t, _)| t)
            .collect();
        let mut compared = Vec::new();
        let mut late = Vec::new(); // after an unmodelled command
        for i in 0..n {
            let (mine, after_unknown) = match kinds[i] {
                Kind::Kernel(Some(k), u) => (k == s, u),
                Kind::Record(k) => (k == s, false),
                _ => (false, false),
            };
            if !mine {
                continue;
            }
            let text = &entries[i].text;
            if from_unknown_module(text, unknown) {
                rows[i] = Some(row(
                    i,
                    Verdict::NotModelled,
                    None,
                    Some("from a module the model does not know".into()),
                ));
                continue;
            }
            match ignored_because(text, modules, step_model) {
                Some(why) => rows[i] = Some(row(i, Verdict::Ignored, None, Some(why))),
                None => {
                    compared.push(i);
                    late.push(after_unknown);
                }
            }
        }
        let a: Vec<&String> = compared.iter().map(|&i| &entries[i].text).collect();
        let ops = edit_script(&a, &expected);
        let mut runs: Vec<Run> = Vec::new();
        let (mut dels, mut adds) = (Vec::new(), Vec::new());
        for op in ops {
            match op {
                Op::Same(ai, bj) => runs.push((
                    std::mem::take(&mut dels),
                    std::mem::take(&mut adds),
                    Some((ai, bj)),
                )),
                Op::Del(ai) => dels.push(ai),
                Op::Add(bj) => adds.push(bj),
            }
        }
        runs.push((dels, adds, None));
        let mut anchor = step_at[s];
        for (dels, adds, same) in runs {
            for (k, &ai) in dels.iter().enumerate() {
                let i = compared[ai];
                rows[i] = Some(if late[ai] {
                    row(
                        i,
                        Verdict::NotModelled,
                        None,
                        Some("after a command the model does not know".into()),
                    )
                } else {
                    match adds.get(k) {
                        Some(&bj) => differs(row(i, Verdict::Differs, None, None), expected[bj]),
                        None => row(i, Verdict::OnlyInLog, None, None),
                    }
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
                    span: None,
                    model_span: None,
                });
            }
            if let Some((ai, bj)) = same {
                let i = compared[ai];
                rows[i] = Some(row(i, Verdict::Agrees, Some(expected[bj].clone()), None));
                anchor = i;
            }
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let r = r.unwrap_or_else(|| row(i, Verdict::Ignored, None, None));
            (r, std::mem::take(&mut after[i]))
        })
        .collect()
}

/// A `Differs` row: the model's line, the differing spans of both, and
/// the cause where it is known.
fn differs(mut row: LogLine, model: &str) -> LogLine {
    let text = row.text.clone().unwrap_or_default();
    let (a, b) = differing_spans(&text, model);
    row.span = Some(a);
    row.model_span = Some(b);
    let model_line = [(model.to_string(), false)];
    if let Some(who) = core_line_under_other_prefix(&text, &model_line) {
        row.note = Some(format!(
            "the livepatch core's pr_fmt prefix: this kernel prints '{who}: ' where kernel/livepatch prints 'livepatch: ' (KBUILD_MODNAME of the livepatch object)"
        ));
    }
    row.model = Some(model.to_string());
    row
}

/// The byte ranges of `a` and `b` between their common prefix and common
/// suffix, widened to whole words.
pub fn differing_spans(a: &str, b: &str) -> ((usize, usize), (usize, usize)) {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let mut p = 0;
    while p < ab.len() && p < bb.len() && ab[p] == bb[p] {
        p += 1;
    }
    let mut s = 0;
    while s < ab.len() - p && s < bb.len() - p && ab[ab.len() - 1 - s] == bb[bb.len() - 1 - s] {
        s += 1;
    }
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    let start = |bytes: &[u8], mut i: usize| {
        while i > 0 && word(bytes[i - 1]) {
            i -= 1;
        }
        i
    };
    let end = |bytes: &[u8], mut i: usize| {
        while i < bytes.len() && word(bytes[i]) {
            i += 1;
        }
        i
    };
    let (pa, pb) = (start(ab, p), start(bb, p));
    let p = pa.min(pb);
    let (ea, eb) = (end(ab, ab.len() - s), end(bb, bb.len() - s));
    let s = (ab.len() - ea).min(bb.len() - eb);
    let fix = |bytes: &[u8], s: &str, mut i: usize| {
        while i < bytes.len() && !s.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    (
        (fix(ab, a, p), fix(ab, a, ab.len() - s).max(fix(ab, a, p))),
        (fix(bb, b, p), fix(bb, b, bb.len() - s).max(fix(bb, b, p))),
    )
}

/// Changed lines (log indices, model indices) and the agreeing pair after them.
type Run = (Vec<usize>, Vec<usize>, Option<(usize, usize)>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_differing_word_is_found() {
        let a = "test_klp_callbacks_demo: post_patch_callback: vmlinux";
        let b = "test_klp_callbacks_demo: pre_patch_callback: vmlinux";
        let ((a0, a1), (b0, b1)) = differing_spans(a, b);
        assert_eq!(&a[a0..a1], "post_patch_callback");
        assert_eq!(&b[b0..b1], "pre_patch_callback");
        let ((a0, a1), _) = differing_spans("x: 1", "x: 1 2");
        assert_eq!((a0, a1), (3, 4), "widened to the word it touches");
        let ((a0, a1), (b0, b1)) = differing_spans("é a", "è a");
        assert_eq!((&"é a"[a0..a1], &"è a"[b0..b1]), ("é", "è"));
    }
}
