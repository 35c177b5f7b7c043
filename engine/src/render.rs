//! Renderers: pure functions of a [`Run`](crate::Run).

use crate::event::EventKind;
use crate::{Run, StepResult};

/// The lines one step adds to the transcript after its `% ` line:
/// kernel log lines, module output, user-space errors, and model notes
/// (as `# ` comments).
pub fn step_log(step: &StepResult) -> Vec<String> {
    step.events.iter().filter_map(|e| e.text.clone()).collect()
}

/// The full transcript: each `% command` followed by what it printed.
pub fn log(run: &Run) -> String {
    let mut out = String::new();
    for step in &run.steps {
        out.push_str("% ");
        out.push_str(&step.command);
        out.push('\n');
        for line in step_log(step) {
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
