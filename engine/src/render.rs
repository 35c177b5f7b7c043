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
        out.push_str("% ");
        out.push_str(&step.command);
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
    for step in &run.steps {
        out.push(format!("% {}", step.command));
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
                    let mut s = callback.to_string();
                    if let Some(st) = e.module_state {
                        s.push_str(&format!(
                            " [{}]",
                            st.name().trim_start_matches("MODULE_STATE_")
                        ));
                    }
                    if let Some(r) = ret.filter(|r| *r != 0) {
                        s.push_str(&format!(" = {r}"));
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

/// A plain-text swim-lane view for email: one column per object, one row
/// per callback, transition phases and errors between them.
pub fn timeline(run: &Run) -> String {
    let (objects, rows) = timeline_rows(run);
    let width = |i: usize| {
        rows.iter()
            .filter(|r| r.1 == Some(i))
            .map(|r| r.2.chars().count())
            .chain([objects[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..objects.len()).map(width).collect();
    let mut out = String::from("    ");
    for (o, w) in objects.iter().zip(&widths) {
        out.push_str(&format!("{o:<w$}  "));
    }
    out = out.trim_end().to_string();
    out.push('\n');
    for (num, col, text) in rows {
        let line = match col {
            Some(c) => {
                let pad: usize = widths[..c].iter().map(|w| w + 2).sum();
                format!("{:>3} {}{}", num, " ".repeat(pad), text)
            }
            None if !num.is_empty() => format!("{num:>3} {text}"),
            None => format!("    {text}"),
        };
        out.push_str(line.trim_end());
        out.push('\n');
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
