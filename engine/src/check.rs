//! Golden transcripts: replay a scenario and compare what the model prints
//! with the expected lines in the file (`klpscope check`, `cargo test`).

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
        out.push(format!("% {}", step.command));
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
    // Longest common subsequence table, from the end.
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
    // Edit script: (' ', line) / ('-', line) / ('+', line) with positions.
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(('+', i, j));
            j += 1;
        } else {
            ops.push(('-', i, j));
            i += 1;
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
