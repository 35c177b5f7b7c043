//! Renderers: pure functions of a [`Run`](crate::Run).

use crate::event::{Event, EventKind, Level, TransitionPhase};
use crate::{Run, StepResult};

/// Which kernel log lines a console shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Console {
    /// Dynamic debug on for kernel/livepatch, as the selftests switch it
    /// on: the `pr_debug` transition lines are printed too.
    #[default]
    DynamicDebug,
    /// A console as a kernel boots: `pr_debug` lines are compiled in but off.
    Default,
}

impl Console {
    /// Whether this console prints the event's line (if it has one).
    pub fn shows(self, e: &Event) -> bool {
        self == Console::DynamicDebug
            || !matches!(
                e.kind,
                EventKind::Kernel {
                    level: Level::Debug
                }
            )
    }
}

/// The lines one step adds to the transcript after its `% ` line:
/// kernel log lines, module output, user-space errors, and model notes
/// (as `# ` comments).
pub fn step_log(step: &StepResult) -> Vec<String> {
    step_log_on(step, Console::DynamicDebug)
}

/// [`step_log`] as a given console shows it.
pub fn step_log_on(step: &StepResult, console: Console) -> Vec<String> {
    step.events
        .iter()
        .filter(|e| console.shows(e))
        .filter_map(|e| e.text.clone())
        .collect()
}

/// The full transcript: each `% command` followed by what it printed.
pub fn log(run: &Run) -> String {
    log_on(run, Console::DynamicDebug)
}

/// [`log`] as a given console shows it.
pub fn log_on(run: &Run, console: Console) -> String {
    let mut out = String::new();
    for step in &run.steps {
        out.push_str(&crate::scenario::prompt_line(&step.command, step.logged));
        out.push('\n');
        for line in step_log_on(step, console) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The transcript as `klpscope check` compares it: notes left out.
pub fn comparable_log(run: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for step in run.steps.iter() {
        // A harness step logs no command line, only what it writes.
        if step.logged {
            out.push(format!("% {}", step.command));
        }
        out.extend(
            step.events
                .iter()
                .filter(|e| !matches!(e.kind, EventKind::Note))
                .filter_map(|e| e.text.clone()),
        );
    }
    out
}

/// The whole run as pretty-printed JSON (events and snapshots).
pub fn json(run: &Run) -> String {
    serde_json::to_string_pretty(run).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// A timeline row: step number (first row of a step), the object column
/// it belongs in (`None`: spans the row), and its text.
type Row = (String, Option<usize>, String);

/// The objects (columns) and rows of the timeline views.
fn timeline_rows(run: &Run) -> (Vec<String>, Vec<Row>) {
    timeline_rows_with(run, false)
}

/// [`timeline_rows`], with callbacks and states abbreviated when `short`.
fn timeline_rows_with(run: &Run, short: bool) -> (Vec<String>, Vec<Row>) {
    let mut objects: Vec<String> = vec!["vmlinux".into()];
    let mut rows = Vec::new();
    let mut patches: Vec<&str> = Vec::new();
    for e in run.steps.iter().flat_map(|s| &s.events) {
        if let (EventKind::Callback { .. }, Some(p)) = (&e.kind, e.patch.as_deref())
            && !patches.contains(&p)
        {
            patches.push(p);
        }
    }
    let several_patches = patches.len() > 1;
    for step in &run.steps {
        rows.push((
            step_number(run, step).to_string(),
            None,
            format!("% {}", step.command),
        ));
        for e in &step.events {
            let (col, text) = match &e.kind {
                EventKind::Callback { callback, ret, .. } => {
                    let obj = e.object.clone().unwrap_or_default();
                    if !objects.contains(&obj) {
                        objects.push(obj.clone());
                    }
                    let mut s = if short {
                        callback_abbrev(*callback).to_string()
                    } else {
                        callback.to_string()
                    };
                    if let Some(st) = e.module_state {
                        if short {
                            s.push_str(&format!("/{}", state_abbrev(st)));
                        } else {
                            s.push_str(&format!(
                                " [{}]",
                                st.name().trim_start_matches("MODULE_STATE_")
                            ));
                        }
                    }
                    if let Some(r) = ret.filter(|r| *r != 0) {
                        s.push_str(&if short {
                            format!("={r}")
                        } else {
                            format!(" = {r}")
                        });
                    }
                    if let Some(p) = e.patch.as_ref().filter(|_| several_patches) {
                        s = format!("{s} ({p})");
                    }
                    (objects.iter().position(|o| *o == obj), s)
                }
                EventKind::Transition { phase, target } => {
                    let patch = e.patch.clone().unwrap_or_default();
                    let verb = target.verb();
                    let what = match phase {
                        TransitionPhase::Init => format!("{verb} transition initialized"),
                        TransitionPhase::Start => format!("{verb} transition started"),
                        TransitionPhase::Reverse => format!("transition reversed to {verb}"),
                        TransitionPhase::Force => "transition forced".to_string(),
                        TransitionPhase::Cancel => "patching transition cancelled".to_string(),
                        TransitionPhase::Complete => format!("{verb} complete"),
                    };
                    (None, format!("-- {patch}: {what}"))
                }
                EventKind::UserError { .. } | EventKind::Note => {
                    (None, format!("!! {}", e.text.clone().unwrap_or_default()))
                }
                _ => continue,
            };
            rows.push((String::new(), col, text));
        }
    }
    (objects, rows)
}

fn step_number(run: &Run, step: &StepResult) -> usize {
    run.steps
        .iter()
        .position(|s| std::ptr::eq(s, step))
        .map_or(0, |i| i + 1)
}

/// The widest line of [`timeline`]: a plain-text mail keeps 72 columns.
pub const MAIL_WIDTH: usize = 72;

/// A callback's short name in the swim-lane, and its legend entry.
fn callback_abbrev(kind: crate::CallbackKind) -> &'static str {
    use crate::CallbackKind as K;
    match kind {
        K::PrePatch => "preP",
        K::PostPatch => "postP",
        K::PreUnpatch => "preU",
        K::PostUnpatch => "postU",
    }
}

/// A module state's one letter in the swim-lane.
fn state_abbrev(state: crate::ModuleState) -> &'static str {
    use crate::ModuleState as S;
    match state {
        S::Live => "L",
        S::Coming => "C",
        S::Going => "G",
        S::Unformed => "U",
    }
}

/// Short names for the modules of a run: a catalog module by its alias
/// (`test_klp_callbacks_demo` is `demo`), another name longer than 12
/// characters cut to 10 and numbered. Longest names first, so that
/// replacing them in text never touches a longer name's tail.
fn module_aliases(run: &Run) -> Vec<(String, String)> {
    let mut names: Vec<String> = Vec::new();
    for step in &run.steps {
        for m in &step.snapshot.modules {
            if !names.contains(&m.name) {
                names.push(m.name.clone());
            }
        }
        // A catalog module named in a command that failed, so never loaded.
        for w in step.command.split([' ', '/', '.', '=']) {
            if w.starts_with("test_klp_") && !names.iter().any(|n| n == w) {
                names.push(w.to_string());
            }
        }
        for e in &step.events {
            for n in [&e.patch, &e.object].into_iter().flatten() {
                if !names.contains(n) && n != "vmlinux" {
                    names.push(n.clone());
                }
            }
        }
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for name in names {
        let alias = ["test_klp_callbacks_", "test_klp_"]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .or_else(|| {
                (name.chars().count() > 12)
                    .then(|| format!("{}~", name.chars().take(10).collect::<String>()))
            });
        // Words that mean something else in the swim-lane stay prefixed.
        let alias = alias.map(|a| match a.as_str() {
            "vmlinux" | "livepatch" => format!("klp_{a}"),
            _ => a,
        });
        let Some(mut alias) = alias else { continue };
        let base = alias.clone();
        let mut n = 1;
        while out.iter().any(|(_, a)| *a == alias) {
            n += 1;
            alias = format!("{base}{n}");
        }
        out.push((name, alias));
    }
    crate::sort_short_by(&mut out, |a, b| a.0.len() > b.0.len());
    out
}

/// `text` with each whole module name replaced by its alias.
fn abbreviate(text: &str, aliases: &[(String, String)]) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        let at_start = out.chars().last().is_none_or(|c| !word(c));
        if at_start {
            for (name, alias) in aliases {
                if let Some(after) = rest.strip_prefix(name.as_str())
                    && after.chars().next().is_none_or(|c| !word(c))
                {
                    out.push_str(alias);
                    rest = after;
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Breaks a line at spaces so that no piece is wider than `width` (a word
/// longer than that is cut); pieces after the first are indented by
/// `indent` columns. The line's own leading spaces are kept.
fn wrap(line: &str, width: usize, indent: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest: Vec<char> = line.chars().collect();
    let lead = rest.iter().take_while(|c| **c == ' ').count();
    let mut first = true;
    while rest.len() > width {
        // The last space within the width, past the indentation.
        let from = if first { lead + 1 } else { indent + 1 };
        let space = |i: &usize| rest.get(*i) == Some(&' ');
        let cut = (from..=width)
            .rev()
            .find(|i| space(i) && rest.get(i - 1) == Some(&','))
            .or_else(|| (from..=width).rev().find(space))
            .unwrap_or(width);
        let head: String = rest[..cut].iter().collect();
        out.push(head.trim_end().to_string());
        let tail: Vec<char> = rest[cut..]
            .iter()
            .copied()
            .skip_while(|c| *c == ' ')
            .collect();
        rest = std::iter::repeat_n(' ', indent).chain(tail).collect();
        first = false;
    }
    out.push(rest.into_iter().collect());
    out
}

/// A plain-text swim-lane view for mail, at most [`MAIL_WIDTH`] columns:
/// one column per object, one row per callback (abbreviated, with the
/// module state it saw), transition phases and errors between them, and a
/// legend for every abbreviation used. When the lanes do not fit side by
/// side, each callback row names its object instead.
pub fn timeline(run: &Run) -> String {
    let (objects, rows) = timeline_rows_with(run, true);
    let aliases = module_aliases(run);
    let short = |s: &str| abbreviate(s, &aliases);
    let heads: Vec<String> = objects.iter().map(|o| short(o)).collect();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(n, c, t)| (n, c, short(&t)))
        .collect();
    let width = |i: usize| {
        rows.iter()
            .filter(|r| r.1 == Some(i))
            .map(|r| r.2.chars().count())
            .chain([heads[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..objects.len()).map(width).collect();
    let lanes = 4 + widths.iter().map(|w| w + 2).sum::<usize>() - 2 <= MAIL_WIDTH;
    let mut out = String::new();
    if lanes {
        let mut head = String::from("    ");
        for (o, w) in heads.iter().zip(&widths) {
            head.push_str(&format!("{o:<w$}  "));
        }
        out.push_str(head.trim_end());
        out.push('\n');
    }
    let mut used_callbacks = Vec::new();
    let mut used_states = Vec::new();
    for (num, col, text) in &rows {
        if col.is_some() {
            for k in crate::CallbackKind::ALL {
                if text.split(['/', ' ', '=']).next() == Some(callback_abbrev(k))
                    && !used_callbacks.contains(&k)
                {
                    used_callbacks.push(k);
                }
            }
            for st in [
                crate::ModuleState::Live,
                crate::ModuleState::Coming,
                crate::ModuleState::Going,
                crate::ModuleState::Unformed,
            ] {
                let tag = format!("/{}", state_abbrev(st));
                if text
                    .split([' ', '='])
                    .next()
                    .is_some_and(|t| t.ends_with(&tag))
                    && !used_states.contains(&st)
                {
                    used_states.push(st);
                }
            }
        }
        let line = match col {
            Some(c) if lanes => {
                let pad: usize = widths[..*c].iter().map(|w| w + 2).sum();
                format!("{:>3} {}{}", num, " ".repeat(pad), text)
            }
            Some(c) => format!("{num:>3} {}: {}", heads[*c], text),
            None if !num.is_empty() => format!("{num:>3} {text}"),
            None => format!("    {text}"),
        };
        for l in wrap(line.trim_end(), MAIL_WIDTH, 8) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    let mut legend: Vec<String> = aliases
        .iter()
        .rev()
        .filter(|(_, a)| out.contains(a.as_str()))
        .map(|(n, a)| format!("{a} = {n}"))
        .collect();
    crate::sort_short_by(&mut legend, |a, b| a < b);
    let cbs: Vec<String> = crate::CallbackKind::ALL
        .into_iter()
        .filter(|k| used_callbacks.contains(k))
        .map(|k| format!("{} {k}", callback_abbrev(k)))
        .collect();
    let states: Vec<String> = used_states
        .iter()
        .map(|s| {
            let name = s.name().trim_start_matches("MODULE_STATE_");
            format!("/{} {name}", state_abbrev(*s))
        })
        .collect();
    let mut parts = Vec::new();
    if !legend.is_empty() {
        parts.push(legend.join(", "));
    }
    if !cbs.is_empty() {
        parts.push(cbs.join(", "));
    }
    if !states.is_empty() {
        parts.push(format!(
            "{} (MODULE_STATE_* the callback saw)",
            states.join(", ")
        ));
    }
    if !parts.is_empty() {
        out.push('\n');
        for (i, p) in parts.iter().enumerate() {
            let label = if i == 0 { "legend: " } else { "        " };
            for l in wrap(&format!("{label}{p}"), MAIL_WIDTH, 8) {
                out.push_str(&l);
                out.push('\n');
            }
        }
    }
    out
}

/// The same rows as a Markdown table.
pub fn markdown(run: &Run) -> String {
    let (objects, rows) = timeline_rows(run);
    let mut out = format!(
        "| step | | {} |\n|---|---|{}\n",
        objects.join(" | "),
        "---|".repeat(objects.len())
    );
    for (num, col, text) in rows {
        let mut cells = vec![String::new(); objects.len()];
        let mut what = String::new();
        match col {
            Some(c) => cells[c] = text.replace('|', "\\|"),
            None => what = format!("`{}`", text.trim()),
        }
        out.push_str(&format!("| {num} | {what} | {} |\n", cells.join(" | ")));
    }
    out
}
