//! Comparing an answer with the engine's, item by item.

use super::{Answer, Call, Console, Exercise, QuizError, Solution, expected};
use serde::Serialize;

/// What one item of an answer got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The callback runs, in this place, seeing this state; or the console
    /// outcome is right.
    Right,
    /// The engine runs this callback; the answer left it out.
    Missing,
    /// The answer names a callback that does not run.
    Extra,
    /// The callback runs, but not in this place relative to the others.
    WrongOrder,
    /// The callback runs in this place, but sees another module state.
    WrongState,
    /// The console outcome is not what the command prints (or not given).
    WrongConsole,
}

impl FindingKind {
    /// A short label: `right`, `missing`, `extra`, `wrong order`, ...
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Right => "right",
            FindingKind::Missing => "missing",
            FindingKind::Extra => "extra",
            FindingKind::WrongOrder => "wrong order",
            FindingKind::WrongState => "wrong state",
            FindingKind::WrongConsole => "wrong console",
        }
    }
}

/// One item of the verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What the item got.
    pub kind: FindingKind,
    /// The engine's call (`None` for an extra one and for the console).
    pub expected: Option<Call>,
    /// The answer's call (`None` for a missing one and for the console).
    pub given: Option<Call>,
    /// Index of `expected` in the engine's calls (its place in the order).
    pub expected_index: Option<usize>,
    /// Index of `given` in the answer's calls (the row a view marks).
    pub given_index: Option<usize>,
    /// For a console finding: what the command prints.
    pub console: Option<Console>,
    /// The kernel call chain of the engine's event, outermost first
    /// (empty for an extra callback: no event ran it).
    pub why: Vec<String>,
    /// One sentence saying what is right or wrong.
    pub message: String,
}

/// Points: one per callback and one for the console; an extra callback
/// adds one to `out_of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Items right.
    pub right: usize,
    /// Items to get right.
    pub out_of: usize,
}

/// The grade of one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// One finding per expected callback (in the engine's order), then one
    /// per extra callback, then the console.
    pub findings: Vec<Finding>,
    /// The score.
    pub score: Score,
    /// Every finding is `Right`.
    pub passed: bool,
    /// The docs section that explains the exercise, if it names one.
    pub docs: Option<String>,
}

impl Verdict {
    /// The findings that are not `Right`.
    pub fn mistakes(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.kind != FindingKind::Right)
    }
}

/// Runs the exercise ([`expected`]) and grades `answer` against it.
pub fn grade(ex: &Exercise, answer: &Answer) -> Result<Verdict, QuizError> {
    let solution = expected(ex)?;
    let mut v = grade_against(&solution, answer);
    v.docs = ex.docs.clone();
    Ok(v)
}

/// Whether the answer's call names the same callback run as the engine's
/// (callback, object, and the patch if the answer gives one).
fn same_run(exp: &Call, given: &Call) -> bool {
    exp.callback == given.callback
        && exp.object == given.object
        && given
            .patch
            .as_ref()
            .is_none_or(|p| Some(p) == exp.patch.as_ref())
}

/// Grades `answer` against an engine solution.
///
/// Calls are paired by callback, object and (when the answer names it)
/// patch. The longest run of pairs in the same relative order is in
/// order; any other pair is `WrongOrder`. An in-order pair whose state
/// differs is `WrongState`. Unpaired engine calls are `Missing`, unpaired
/// answer calls `Extra`. The console is one more item.
pub fn grade_against(solution: &Solution, answer: &Answer) -> Verdict {
    let exp = &solution.answer.calls;
    let given = &answer.calls;
    let in_order = lcs(exp, given);
    let mut pair_of_exp: Vec<Option<usize>> = vec![None; exp.len()];
    let mut used = vec![false; given.len()];
    for &(i, j) in &in_order {
        pair_of_exp[i] = Some(j);
        used[j] = true;
    }
    let mut out_of_order = vec![false; exp.len()];
    for (i, e) in exp.iter().enumerate() {
        if pair_of_exp[i].is_some() {
            continue;
        }
        if let Some(j) = (0..given.len()).find(|&j| !used[j] && same_run(e, &given[j])) {
            pair_of_exp[i] = Some(j);
            used[j] = true;
            out_of_order[i] = true;
        }
    }
    let mut findings = Vec::new();
    for (i, e) in exp.iter().enumerate() {
        let why = solution.why.get(i).cloned().unwrap_or_default();
        let via = why.join(" → ");
        let what = format!("{} of {}", e.callback, e.object);
        let pos = format!("{} of {}", i + 1, exp.len());
        let seen = e
            .state
            .map(|s| format!(", seeing {}", s.name()))
            .unwrap_or_default();
        let paired = pair_of_exp[i].map(|j| (j, &given[j]));
        let (kind, message) = match paired {
            None => (
                FindingKind::Missing,
                format!(
                    "{}'s {what} runs here{seen} (position {pos}), called by {via}",
                    e.patch.as_deref().unwrap_or("the patch")
                ),
            ),
            Some((j, _)) if out_of_order[i] => (
                FindingKind::WrongOrder,
                format!(
                    "{what} runs as callback {pos}, not where the answer has it (line {} of its \
                     callbacks); it is called by {via}",
                    j + 1
                ),
            ),
            Some((_, g)) if g.state != e.state => {
                let said = g.state.map_or_else(
                    || "a state the answer did not give".to_string(),
                    |s| format!("not {}", s.name()),
                );
                let saw = match e.state {
                    Some(s) => format!("sees {}, {said}", s.name()),
                    None => format!("is vmlinux's: it has no module state, {said}"),
                };
                (
                    FindingKind::WrongState,
                    format!("{what} {saw}; it runs from {via}"),
                )
            }
            Some(_) => (FindingKind::Right, format!("{what}{seen}, from {via}")),
        };
        findings.push(Finding {
            kind,
            expected: Some(e.clone()),
            given: paired.map(|(_, g)| g.clone()),
            expected_index: Some(i),
            given_index: pair_of_exp[i],
            console: None,
            why,
            message,
        });
    }
    for (j, g) in given.iter().enumerate() {
        if used[j] {
            continue;
        }
        let others: Vec<&str> = exp
            .iter()
            .filter(|e| e.object == g.object)
            .map(|e| e.callback.name())
            .collect();
        let note = if others.is_empty() {
            format!("no callback of {} runs in this step", g.object)
        } else {
            format!("of {}, only {} run here", g.object, others.join(", "))
        };
        findings.push(Finding {
            kind: FindingKind::Extra,
            expected: None,
            given: Some(g.clone()),
            expected_index: None,
            given_index: Some(j),
            console: None,
            why: Vec::new(),
            message: format!("{} of {} does not run: {note}", g.callback, g.object),
        });
    }
    findings.push(console_finding(solution, answer.console.as_ref()));
    let right = findings
        .iter()
        .filter(|f| f.kind == FindingKind::Right)
        .count();
    let out_of = exp.len()
        + 1
        + findings
            .iter()
            .filter(|f| f.kind == FindingKind::Extra)
            .count();
    Verdict {
        passed: right == findings.len(),
        findings,
        score: Score { right, out_of },
        docs: None,
    }
}

/// The console item.
fn console_finding(solution: &Solution, given: Option<&Console>) -> Finding {
    let exp = solution.answer.console.clone().unwrap_or(Console::Ok);
    let right = match (&exp, given) {
        (Console::Ok, Some(Console::Ok)) => true,
        (Console::Error(_), Some(Console::Error(None))) => true,
        (Console::Error(Some(e)), Some(Console::Error(Some(g)))) => e.trim() == g.trim(),
        (Console::Error(None), Some(Console::Error(Some(_)))) => true,
        _ => false,
    };
    let message = match (&exp, right) {
        (Console::Ok, true) => "the command succeeds: no error line".to_string(),
        (Console::Ok, false) => match given {
            None => "the answer does not say what the console shows: the command succeeds".into(),
            Some(_) => "the command succeeds: the console shows no error line".into(),
        },
        (Console::Error(line), _) => {
            let line = line.as_deref().unwrap_or("an error");
            let pre = match (right, given) {
                (true, _) => "right: the command fails",
                (false, None) => {
                    "the answer does not say what the console shows: the command fails"
                }
                (false, Some(Console::Ok)) => "the command fails",
                (false, Some(_)) => "the command fails with another line",
            };
            let via = solution.console_why.join(" → ");
            if via.is_empty() {
                format!("{pre}: {line}")
            } else {
                format!("{pre}: {line} (the errno comes from {via})")
            }
        }
    };
    Finding {
        kind: if right {
            FindingKind::Right
        } else {
            FindingKind::WrongConsole
        },
        expected: None,
        given: None,
        expected_index: None,
        given_index: None,
        console: Some(exp),
        why: solution.console_why.clone(),
        message,
    }
}

/// Index pairs of a longest common subsequence of `exp` and `given` under
/// [`same_run`].
fn lcs(exp: &[Call], given: &[Call]) -> Vec<(usize, usize)> {
    // Answers are typed by hand; cap the table so hostile input stays cheap.
    let (n, m) = (exp.len().min(500), given.len().min(500));
    // One flat table: t(i, j) is the LCS length of exp[i..] and given[j..].
    let w = m + 1;
    let mut t = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * w + j] = if same_run(&exp[i], &given[j]) {
                t[(i + 1) * w + j + 1] + 1
            } else {
                t[(i + 1) * w + j].max(t[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if same_run(&exp[i], &given[j]) && t[i * w + j] == t[(i + 1) * w + j + 1] + 1 {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}
