//! Comparing semantics profiles: one scenario replayed under two profiles,
//! the transcripts aligned step by step (`klpscope diff`, and the data a
//! compare view needs).
//!
//! ```
//! use klpscope_engine::{Semantics, diff, parse};
//! let s = parse("% insmod test_modules/test_klp_callbacks_demo.ko\n").unwrap();
//! let d = diff::compare(&s, Semantics::Upstream, Semantics::SeedV1);
//! assert!(!d.agree());
//! // v1: no debug lines, and the v4.13 wording of the transition start.
//! assert!(d.steps[0].rows.iter().any(|r| r.b.as_deref()
//!     == Some("livepatch: 'test_klp_callbacks_demo': patching...")
//!     && r.a.is_none()));
//! ```

use crate::render::step_log;
use crate::{Run, Scenario, Semantics, run_with};
use serde::Serialize;

/// One scenario under two profiles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The left-hand profile (lines only it prints are marked `-`).
    pub a: Semantics,
    /// The right-hand profile (lines only it prints are marked `+`).
    pub b: Semantics,
    /// The run under `a`.
    pub run_a: Run,
    /// The run under `b`.
    pub run_b: Run,
    /// One entry per command, in order.
    pub steps: Vec<StepComparison>,
}

/// What one command printed under each profile, aligned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepComparison {
    /// 1-based line of the command in the scenario text.
    pub line: usize,
    /// The command as typed, without the `% ` prompt.
    pub command: String,
    /// The two transcripts of this step, aligned line by line.
    pub rows: Vec<Row>,
}

/// One aligned line: both sides equal, or a line only one side prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The line under profile `a`, if it prints it here.
    pub a: Option<String>,
    /// The line under profile `b`, if it prints it here.
    pub b: Option<String>,
}

impl Row {
    /// Both profiles print this line here.
    pub fn same(&self) -> bool {
        self.a == self.b
    }
}

impl StepComparison {
    /// The two profiles print the same lines for this command.
    pub fn agree(&self) -> bool {
        self.rows.iter().all(Row::same)
    }
}

impl Comparison {
    /// The two transcripts are identical.
    pub fn agree(&self) -> bool {
        self.steps.iter().all(StepComparison::agree)
    }

    /// The transcripts as text: `--- A` / `+++ B`, then every command with
    /// its lines, `  ` for both, `- ` for A only, `+ ` for B only, and a
    /// last line counting the commands whose output differs.
    pub fn render(&self) -> String {
        let mut out = format!("--- {}\n+++ {}\n", self.a, self.b);
        for step in &self.steps {
            let mark = if step.agree() { ' ' } else { '!' };
            out.push_str(&format!("{mark} % {}\n", step.command));
            for row in &step.rows {
                match (&row.a, &row.b) {
                    (Some(a), Some(_)) => out.push_str(&format!("  {a}\n")),
                    (Some(a), None) => out.push_str(&format!("- {a}\n")),
                    (None, Some(b)) => out.push_str(&format!("+ {b}\n")),
                    (None, None) => {}
                }
            }
        }
        let differ = self.steps.iter().filter(|s| !s.agree()).count();
        out.push_str(&format!(
            "{differ} of {} commands differ between {} and {}\n",
            self.steps.len(),
            self.a,
            self.b
        ));
        out
    }
}

/// Replays `scenario` under `a` and under `b` and aligns the transcripts
/// step by step (no kernel counterpart).
pub fn compare(scenario: &Scenario, a: Semantics, b: Semantics) -> Comparison {
    let run_a = run_with(scenario, a);
    let run_b = run_with(scenario, b);
    let steps = run_a
        .steps
        .iter()
        .zip(&run_b.steps)
        .map(|(sa, sb)| StepComparison {
            line: sa.line,
            command: sa.command.clone(),
            rows: align(&step_log(sa), &step_log(sb)),
        })
        .collect();
    Comparison {
        a,
        b,
        run_a,
        run_b,
        steps,
    }
}

/// Parses a `--semantics A,B` value: two profile names (one name compares
/// upstream with it). The error names the profiles there are.
pub fn parse_pair(value: &str) -> Result<(Semantics, Semantics), String> {
    let names: Vec<&str> = value.split(',').map(str::trim).collect();
    let one = |n: &str| {
        Semantics::from_name(n)
            .ok_or_else(|| format!("unknown semantics '{n}' (profiles: {})", Semantics::names()))
    };
    match names.as_slice() {
        [b] => Ok((Semantics::Upstream, one(b)?)),
        [a, b] => Ok((one(a)?, one(b)?)),
        _ => Err(format!(
            "--semantics takes one or two profile names, e.g. upstream,seed-v1 (profiles: {})",
            Semantics::names()
        )),
    }
}

/// Aligns two line lists by their longest common subsequence.
fn align(a: &[String], b: &[String]) -> Vec<Row> {
    edit_script(a, b)
        .into_iter()
        .map(|op| match op {
            Op::Same(i, j) => Row {
                a: Some(a[i].clone()),
                b: Some(b[j].clone()),
            },
            Op::Del(i) => Row {
                a: Some(a[i].clone()),
                b: None,
            },
            Op::Add(j) => Row {
                a: None,
                b: Some(b[j].clone()),
            },
        })
        .collect()
}

/// One step of an edit script from `a` to `b`.
pub(crate) enum Op {
    Same(usize, usize),
    Del(usize),
    Add(usize),
}

/// The longest-common-subsequence edit script from `a` to `b`, a
/// removal before an addition where both are as long (`klpscope diff`,
/// `check`'s unified diff and its pasted-log report share it).
pub(crate) fn edit_script<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(Op::Del(i));
            i += 1;
        } else {
            ops.push(Op::Add(j));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_point_sentence_begins_with_its_title() {
        use Point::*;
        for p in [
            ErrorsPropagate,
            PrePostSplit,
            PostUnpatchGate,
            TransitionAwareness,
            PerState,
        ] {
            assert!(p.sentence().starts_with(p.title()), "{p:?}");
        }
    }

    #[test]
    fn alignment_keeps_common_lines_and_marks_the_rest() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let rows = align(&s(&["x", "a", "y"]), &s(&["x", "b", "y"]));
        let same: Vec<bool> = rows.iter().map(Row::same).collect();
        assert_eq!(same, [true, false, false, true]);
        assert_eq!(rows[1].a.as_deref(), Some("a"));
        assert_eq!(rows[2].b.as_deref(), Some("b"));
    }

    #[test]
    fn pair_defaults_to_upstream_and_rejects_unknown_names() {
        assert_eq!(
            parse_pair("seed-v1"),
            Ok((Semantics::Upstream, Semantics::SeedV1))
        );
        assert_eq!(
            parse_pair("seed-v1,upstream"),
            Ok((Semantics::SeedV1, Semantics::Upstream))
        );
        assert!(parse_pair("v2").unwrap_err().contains("upstream, seed-v1"));
        assert!(parse_pair("a,b,c").is_err());
    }
}

/// A point of the design discussions that a difference between two
/// profiles answers (no kernel counterpart: it names why the kernel
/// differs from a proposal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Point {
    /// A failing callback stops the patch or the module.
    ErrorsPropagate,
    /// post_patch and pre_unpatch exist beside the v1 hooks' two.
    PrePostSplit,
    /// post_unpatch only after a successful pre_patch.
    PostUnpatchGate,
    /// Callbacks follow the consistency model's transition.
    TransitionAwareness,
    /// Callbacks per `klp_state` (the 2025 proposal).
    PerState,
}

impl Point {
    /// The point's name, as its sentence begins.
    pub fn title(self) -> &'static str {
        match self {
            Point::ErrorsPropagate => "Errors propagate",
            Point::PrePostSplit => "The pre/post split",
            Point::PostUnpatchGate => "The gate",
            Point::TransitionAwareness => "Transition awareness",
            Point::PerState => "Per-state callbacks",
        }
    }

    /// One sentence: the point, who raised it, and what differs.
    pub fn sentence(self) -> &'static str {
        match self {
            Point::ErrorsPropagate => {
                "Errors propagate. Petr Mladek's review of the hooks (17 July 2017): \"We should pass the error down the stack.\" The 2017 code only logged a failing hook and patched on; mainline's pre_patch refuses the patch, or the module that is loading."
            }
            Point::PrePostSplit => {
                "The pre/post split. The review found that a v1 hook ran while the system still used the old code; mainline adds post_patch, once every task runs the new code, and pre_unpatch, before unpatching starts."
            }
            Point::PostUnpatchGate => {
                "The gate. post_unpatch runs only for objects whose pre_patch succeeded (post_unpatch_enabled); v1 ran every unpatch hook whatever its patch hook had returned."
            }
            Point::TransitionAwareness => {
                "Transition awareness. The same review: \"If we use the consistency model, different parts of the system might use different code.\" v1 ran its hooks as an object's functions switched; mainline waits for the transition to end before post_patch, holds it back for a module loaded meanwhile, and skips pre_unpatch when a transition reverses."
            }
            Point::PerState => {
                "Per-state callbacks. The 2025 proposal attaches callbacks to a klp_state: they run when a patch introduces the state or when it goes away, not per object, and not when a cumulative patch takes the state over."
            }
        }
    }
}

/// A step whose output differs, and the point it answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The 1-based step.
    pub step: usize,
    /// The point.
    pub point: Point,
}

/// For each step whose output differs, the discussion points the
/// difference answers, read from the events of both runs.
pub fn review_points(c: &Comparison) -> Vec<Finding> {
    use crate::event::{CallbackKind, EventKind};
    let v1 = c.a == Semantics::SeedV1 || c.b == Semantics::SeedV1;
    let per_state = c.a == Semantics::StateCallbacks2025 || c.b == Semantics::StateCallbacks2025;
    let mainline = match (c.a, c.b) {
        (Semantics::Upstream, _) => Some(&c.run_a),
        (_, Semantics::Upstream) => Some(&c.run_b),
        _ => None,
    };
    let mut found = Vec::new();
    for (i, step) in c.steps.iter().enumerate() {
        if step.agree() {
            continue;
        }
        let both = [&c.run_a.steps[i], &c.run_b.steps[i]];
        let callbacks = |s: &crate::StepResult| -> Vec<(CallbackKind, Option<i32>)> {
            s.events
                .iter()
                .filter_map(|e| match &e.kind {
                    EventKind::Callback { callback, ret, .. } => Some((*callback, *ret)),
                    _ => None,
                })
                .collect()
        };
        let mut points = Vec::new();
        if v1 {
            let failed = both
                .iter()
                .any(|s| callbacks(s).iter().any(|(_, r)| r.is_some_and(|r| r != 0)));
            if failed {
                points.push(Point::ErrorsPropagate);
            }
            if let Some(m) = mainline {
                let ours = callbacks(&m.steps[i]);
                if failed
                    && ours
                        .iter()
                        .any(|(k, r)| *k == CallbackKind::PrePatch && r.is_some_and(|r| r != 0))
                {
                    points.push(Point::PostUnpatchGate);
                }
                let mid_transition = m.steps[i].snapshot.transition.is_some()
                    || i > 0 && m.steps[i - 1].snapshot.transition.is_some();
                if mid_transition {
                    points.push(Point::TransitionAwareness);
                }
                if ours
                    .iter()
                    .any(|(k, _)| matches!(k, CallbackKind::PostPatch | CallbackKind::PreUnpatch))
                {
                    points.push(Point::PrePostSplit);
                }
            }
        }
        if per_state {
            points.push(Point::PerState);
        }
        found.extend(
            points
                .into_iter()
                .map(|point| Finding { step: i + 1, point }),
        );
    }
    found
}
