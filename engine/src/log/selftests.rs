//! The upstream livepatch selftests klpscope knows: each test of
//! tools/testing/selftests/livepatch/test-*.sh as its transcript in
//! engine/tests/transcripts/, so that a failure report that names its test
//! (`TEST: busy target module ... not ok`) can be completed where its hunks
//! leave lines out.
//!
//! With the feature `selftests` (on for the command line) the transcripts
//! are compiled in. Without it (the site's wasm, whose first visit does not
//! need them) the set is given at run time: [`load`] reads the one file
//! [`write_bundle`] writes (`klpscope book --selftests FILE`), and until
//! then [`loaded`] is false and a report that names its test is not
//! completed, and says why.

use super::Line;
use super::unified::Hunk;
use std::sync::OnceLock;

#[cfg(feature = "selftests")]
mod compiled {
    include!(concat!(env!("OUT_DIR"), "/selftests.rs"));
}

/// One upstream test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selftest {
    /// Its name as `start_test` prints it (`busy target module`).
    pub name: String,
    /// The transcript's file name.
    pub file: String,
    /// The text `check_result` expects, one line each: the transcript
    /// without its `# ` lines and without the `% sysctl` lines it adds for
    /// the harness's unlogged `set_ftrace_enabled` steps.
    pub lines: Vec<String>,
}

/// The set, once compiled in or loaded; never set empty by a reader.
static SET: OnceLock<Vec<Selftest>> = OnceLock::new();

/// Every test klpscope has a transcript for: the compiled-in set, else
/// the one [`load`] was given, else none yet (this does not fix the set:
/// a later [`load`] still fills it).
pub fn all() -> &'static [Selftest] {
    #[cfg(feature = "selftests")]
    SET.get_or_init(|| parse_all(compiled::TRANSCRIPTS.iter().copied()));
    SET.get().map(Vec::as_slice).unwrap_or_default()
}

/// Whether the set is there to complete a report: compiled in, or loaded.
pub fn loaded() -> bool {
    cfg!(feature = "selftests") || SET.get().is_some()
}

/// Fills the set from a bundle (the text of [`write_bundle`]), unless it
/// is there already. Returns how many tests the set has.
pub fn load(bundle: &str) -> Result<usize, String> {
    if loaded() {
        return Ok(all().len());
    }
    let tests = parse_all(read_bundle(bundle)?.into_iter());
    if tests.is_empty() {
        return Err("no selftest in the file".to_string());
    }
    Ok(SET.get_or_init(|| tests).len())
}

/// The compiled-in transcripts as one bundle, for the site to load.
#[cfg(feature = "selftests")]
pub fn bundle() -> String {
    write_bundle(compiled::TRANSCRIPTS)
}

/// The first line of a bundle, naming its format.
const MAGIC: &str = "klpscope selftest transcripts 1";

/// All transcripts in one file: the line [`MAGIC`], then per transcript a
/// line `FILE LENGTH` (its file name, and its text's length in bytes) and
/// the text itself, as is, followed by a newline. The lengths make any
/// text safe, whatever its lines look like.
pub fn write_bundle(transcripts: &[(&str, &str)]) -> String {
    let mut out = format!("{MAGIC}\n");
    for (file, text) in transcripts {
        out.push_str(&format!("{file} {}\n{text}\n", text.len()));
    }
    out
}

/// The (file name, text) pairs of a bundle, in its order.
pub fn read_bundle(bundle: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut rest = bundle
        .strip_prefix(MAGIC)
        .and_then(|r| r.strip_prefix('\n'))
        .ok_or_else(|| format!("not a selftest bundle: its first line is not '{MAGIC}'"))?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let bad = |why: &str| format!("selftest bundle, transcript {}: {why}", out.len() + 1);
        let (head, after) = rest.split_once('\n').ok_or_else(|| bad("no header line"))?;
        let (file, len) = head
            .rsplit_once(' ')
            .ok_or_else(|| bad("the header is not 'FILE LENGTH'"))?;
        let len: usize = len
            .parse()
            .map_err(|_| bad("the header is not 'FILE LENGTH'"))?;
        let text = after.get(..len).ok_or_else(|| bad("cut short"))?;
        rest = after[len..]
            .strip_prefix('\n')
            .ok_or_else(|| bad("no newline after its text"))?;
        out.push((file, text));
    }
    Ok(out)
}

/// The one reading of transcript texts, compiled in or loaded.
fn parse_all<'a>(transcripts: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Selftest> {
    transcripts
        .filter_map(|(file, text)| {
            Some(Selftest {
                name: title(text)?.to_string(),
                file: file.to_string(),
                lines: text
                    .lines()
                    .filter(|l| !l.starts_with("# ") && *l != "#")
                    .filter(|l| !l.starts_with("% sysctl "))
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
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

    #[cfg(feature = "selftests")]
    #[test]
    fn every_transcript_is_named_and_found() {
        assert!(loaded());
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

    #[cfg(feature = "selftests")]
    #[test]
    fn the_bundle_reads_back_as_the_compiled_in_set() {
        let bundle = bundle();
        assert_eq!(read_bundle(&bundle).unwrap(), compiled::TRANSCRIPTS);
        assert_eq!(parse_all(read_bundle(&bundle).unwrap().into_iter()), all());
        assert_eq!(load(&bundle), Ok(all().len()));
    }

    /// The site's case: no set until it is loaded, and a report that names
    /// its test says why it is not completed; once loaded, it is.
    #[cfg(not(feature = "selftests"))]
    #[test]
    fn a_report_is_completed_once_the_set_is_loaded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/transcripts");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        let texts: Vec<(String, String)> = files
            .iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(p).unwrap())
            })
            .collect();
        let pairs: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (&**f, &**t)).collect();
        let report = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/logs/010-busy-target-unwinder-regression-2019.txt"
        ))
        .unwrap();
        assert!(!loaded() && all().is_empty());
        let before = crate::check::check_log(&report).unwrap();
        assert!(before.sides.iter().all(|s| s.outside.is_none()));
        assert!(before.lines.iter().any(|l| {
            l.note
                .as_deref()
                .is_some_and(|n| n.contains("copy of the selftests is not loaded"))
        }));
        assert!(load("not a bundle").is_err() && !loaded());
        assert_eq!(load(&write_bundle(&pairs)), Ok(pairs.len()));
        let after = crate::check::check_log(&report).unwrap();
        assert!(
            after.sides[0]
                .outside
                .as_deref()
                .is_some_and(|o| o.contains("taken from the selftest 'busy target module'")),
            "{:?}",
            after.sides[0].outside
        );
    }

    #[test]
    fn a_bundle_round_trips_any_text() {
        let texts: &[(&str, &str)] = &[
            ("01-a.txt", "# Title: TEST: a (x, test 1)\n% insmod a.ko\n"),
            ("02-empty.txt", ""),
            ("03-tricky.txt", "02-empty.txt 0\nno newline at the end ü"),
            ("04 spaced name.txt", "\n\n"),
        ];
        let bundle = write_bundle(texts);
        assert_eq!(read_bundle(&bundle).unwrap(), texts);
        assert_eq!(read_bundle(&write_bundle(&[])).unwrap(), vec![]);
    }

    #[test]
    fn a_damaged_bundle_is_refused() {
        let good = write_bundle(&[("01-a.txt", "line\n")]);
        assert!(read_bundle("").is_err());
        assert!(read_bundle("<!DOCTYPE html>\n").is_err());
        assert!(read_bundle(&good[..good.len() - 2]).is_err());
        assert!(read_bundle(&good.replace(" 5\n", " x\n")).is_err());
        assert!(read_bundle(&format!("{good}extra")).is_err());
    }
}
