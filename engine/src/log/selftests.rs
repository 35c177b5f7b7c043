//! The upstream livepatch selftests klpscope knows: each test of
//! tools/testing/selftests/livepatch/test-*.sh as its transcript in
//! engine/tests/transcripts/, compiled in, so that a failure report that
//! names its test (`TEST: busy target module ... not ok`) can be completed
//! where its hunks leave lines out.

use super::Line;
use super::unified::Hunk;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/selftests.rs"));

/// One upstream test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selftest {
    /// Its name as `start_test` prints it (`busy target module`).
    pub name: &'static str,
    /// The transcript's file name.
    pub file: &'static str,
    /// The text `check_result` expects, one line each: the transcript
    /// without its `# ` lines and without the `% sysctl` lines it adds for
    /// the harness's unlogged `set_ftrace_enabled` steps.
    pub lines: Vec<String>,
}

/// Every test klpscope has a transcript for.
pub fn all() -> &'static [Selftest] {
    static ALL: OnceLock<Vec<Selftest>> = OnceLock::new();
    ALL.get_or_init(|| {
        TRANSCRIPTS
            .iter()
            .filter_map(|(file, text)| {
                Some(Selftest {
                    name: title(text)?,
                    file,
                    lines: text
                        .lines()
                        .filter(|l| !l.starts_with("# ") && *l != "#")
                        .filter(|l| !l.starts_with("% sysctl "))
                        .map(str::to_string)
                        .collect(),
                })
            })
            .collect()
    })
}

/// `# Title: TEST: NAME  (script, test N)` → `NAME`.
fn title(text: &str) -> Option<&str> {
    let line = text.lines().find(|l| l.starts_with("# Title:"))?;
    let rest = line.split_once("TEST: ")?.1;
    let end = rest.find(" (").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// The transcript of the test named `name` whose lines agree best with the
/// hunks' expected side where the hunks place them (a test can have an
/// older form, e.g. the v5.1 busy module).
pub fn best_match(name: &str, hunks: &[Hunk], lines: &[Line]) -> Option<&'static Selftest> {
    let score = |t: &Selftest| -> usize {
        hunks
            .iter()
            .filter_map(|h| Some((h.range?.0, h)))
            .map(|(start, h)| {
                h.lines
                    .iter()
                    .filter(|d| d.mark != '+')
                    .enumerate()
                    .filter(|(k, d)| {
                        t.lines
                            .get(start - 1 + k)
                            .is_some_and(|l| *l == lines[d.at].text)
                    })
                    .count()
            })
            .sum()
    };
    let mut best: Option<(&Selftest, usize)> = None;
    for t in all()
        .iter()
        .filter(|t| t.name.eq_ignore_ascii_case(name.trim()))
    {
        let s = score(t);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((t, s));
        }
    }
    best.map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transcript_is_named_and_found() {
        assert!(all().len() >= 18);
        let busy = all()
            .iter()
            .filter(|t| t.name == "busy target module")
            .count();
        assert_eq!(busy, 2, "the current and the v5.1 form");
        let ftrace = all()
            .iter()
            .find(|t| t.file.starts_with("16-"))
            .expect("test-ftrace.sh's first test");
        assert!(
            ftrace.lines[0] == "livepatch: kernel.ftrace_enabled = 0",
            "{:?}",
            ftrace.lines
        );
    }
}
