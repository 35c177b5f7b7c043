//! Pasted text to what `klpscope check` compares: one reader for every
//! form a kernel log takes on its way to a reader.
//!
//! * Dressing ([`dress`]): timestamps, caller ids, `dmesg -x`, journal and
//!   syslog prefixes, `<N>` levels, mail quoting at any depth, indentation,
//!   quoted-printable, CRLF, colours, and lines a mail client wrapped.
//! * Selftest failure reports ([`unified`]): `check_result`'s unified diff,
//!   with or without its headers; both sides are read, and a hunk that
//!   starts mid-test is completed from the upstream selftest it names
//!   ([`selftests`]).
//! * What each line records ([`records`]): commands after `% `, `$ ` or
//!   `# ` prompts, the lines functions.sh writes into the log itself, test
//!   names, `define` blocks, and the kernel's output.
//!
//! The result is a [`Reading`]: the pasted lines, and one or two [`Side`]s
//! (the log, or a diff's expected and result text) as sequences of
//! [`Entry`]s that `check` replays and compares.

pub mod dress;
pub mod records;
pub mod selftests;
pub mod unified;

pub use records::Role;

/// Whether a pasted text reads as a kernel log (the site opens the log
/// check with a text pasted on its page that does). Each line is read as
/// [`read`] reads it (transport decoded, mail quoting off, kselftest's
/// `# ` off in its output); some line then starts with a dmesg timestamp
/// (`[   12.345678]`), or, its dressing ([`dress::undress`]) and a
/// selftest diff's marker off, records a livepatch command
/// ([`records::role`]), comes from the livepatch core or names a
/// livepatch selftest (those two also after a `# ` outside kselftest's
/// output: a report pasted without its header). The first 5,000 lines
/// tell; every log in `engine/tests/logs/` does (tests/suite/corpus.rs).
pub fn looks_like_kernel_log(text: &str) -> bool {
    let mut lines = dress::lines(text);
    lines.truncate(5000);
    let tap = lines.iter().any(|l| is_tap(&l.pasted));
    lines.iter().any(|l| {
        let quoted = dress::unquote(&l.pasted).0;
        let line = if tap { strip_tap(quoted) } else { quoted }.trim_start();
        // A timestamp has its decimal point: `[1]` is a footnote.
        let stamped = line
            .strip_prefix('[')
            .and_then(|rest| rest.split_once(']'))
            .is_some_and(|(inside, _)| inside.contains('.') && dress::is_timestamp(inside));
        let command = matches!(
            records::role(undiffed(line)),
            Role::Command(c) if is_livepatch_command(&c)
        );
        stamped || command || is_livepatch_output(line) || is_livepatch_output(strip_tap(quoted))
    })
}

/// A line without its dressing and a selftest diff's `+`, `-` or ` `.
fn undiffed(line: &str) -> &str {
    let text = dress::undress(line.trim_start()).0;
    text.strip_prefix(['+', '-']).unwrap_or(text).trim_start()
}

/// Whether a line ([`undiffed`]) comes from the livepatch core or names a
/// livepatch selftest.
fn is_livepatch_output(line: &str) -> bool {
    let text = undiffed(line);
    text.starts_with("livepatch: ")
        || text.starts_with("selftests: livepatch: ")
        || matches!(records::role(text), Role::Test(_))
}

/// A command a livepatch log records: a module loaded or removed, or the
/// livepatch's or a module's sysfs read or written.
fn is_livepatch_command(command: &str) -> bool {
    matches!(
        command.split_whitespace().next(),
        Some("insmod" | "modprobe" | "rmmod")
    ) || command.contains("/sys/kernel/livepatch")
        || command.contains("/sys/module/")
}

/// One pasted line, as pasted and without its dressing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line in the pasted text where it starts.
    pub line: usize,
    /// As pasted (two lines a mail client wrapped are joined with `\n`).
    pub pasted: String,
    /// Without quoting, prefixes, diff marker and indentation.
    pub text: String,
}

/// One line of a side: from the paste, or filled in from a selftest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Index into [`Reading::lines`]; `None` for a line taken from the
    /// named selftest to complete a hunk (outside the paste's span).
    pub at: Option<usize>,
    /// The line's text.
    pub text: String,
    /// What it records.
    pub role: Role,
}

/// A text to replay and compare: the log, or one side of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// `log`, `expected side` or `result side`.
    pub name: &'static str,
    /// Its lines in order.
    pub entries: Vec<Entry>,
    /// What could not be compared, and why (a hunk that starts mid-test
    /// with no selftest named), as pasted line indices with the reason.
    pub not_compared: Vec<(usize, String)>,
    /// What lies outside the paste's span, when a hunk was completed.
    pub outside: Option<String>,
}

/// A paste, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Every pasted line.
    pub lines: Vec<Line>,
    /// The log, or a diff's two sides.
    pub sides: Vec<Side>,
    /// Pasted lines that belong to no side (around a diff, its headers),
    /// with why.
    pub aside: Vec<(usize, &'static str)>,
    /// The upstream selftest the paste names (`TEST: NAME`), if any.
    pub test: Option<String>,
    /// Whether some line carried dressing (or the paste is a diff): a
    /// pasted log rather than a scenario file.
    pub dressed: bool,
}

/// Reads a paste.
pub fn read(text: &str) -> Reading {
    let raw = dress::lines(text);
    let tap = raw.iter().any(|l| is_tap(&l.pasted));
    let mut lines = Vec::with_capacity(raw.len());
    let mut unquoted = Vec::with_capacity(raw.len());
    let mut dressed = false;
    for r in raw {
        let (mut q, quoted) = dress::unquote(&r.pasted);
        if tap {
            q = strip_tap(q);
        }
        let (text, had) = dress::undress(q.trim_start());
        dressed |= quoted || had || tap;
        lines.push(Line {
            line: r.line,
            pasted: r.pasted.clone(),
            text: text.to_string(),
        });
        unquoted.push(q.to_string());
    }
    let test = lines
        .iter()
        .rev()
        .find_map(|l| match records::role(&l.text) {
            Role::Test(name) => Some(name),
            _ => None,
        });
    match unified::find(&unquoted) {
        Some(diff) => read_diff(lines, &diff, test),
        None => read_log(lines, dressed, test),
    }
}

/// kselftest's TAP output: `TAP version 13`, `ok 1 selftests: ...`, or
/// `# selftests: livepatch: ...`; every line of a test's output is then
/// prefixed `# `.
fn is_tap(line: &str) -> bool {
    let (t, _) = dress::unquote(line);
    let t = t.trim_start();
    t.starts_with("TAP version ")
        || t.starts_with("# selftests: ")
        || t.trim_start_matches("not ")
            .strip_prefix("ok ")
            .is_some_and(|r| {
                r.split_once(' ').is_some_and(|(n, rest)| {
                    n.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with("selftests:")
                })
            })
}

/// A TAP line without its `# ` (or a lone `#`).
fn strip_tap(line: &str) -> &str {
    let t = line.trim_start_matches(' ');
    match t.strip_prefix("# ") {
        Some(rest) => rest,
        None if t == "#" => "",
        None => line,
    }
}

/// A plain (non-diff) log: one side, lines a mail client wrapped joined.
fn read_log(lines: Vec<Line>, dressed: bool, test: Option<String>) -> Reading {
    let lines = join_wrapped(lines);
    let mut entries = Vec::with_capacity(lines.len());
    let mut in_define = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.text.trim();
        let role = if in_define || t.starts_with("define ") || t == "define" {
            in_define = if in_define { t != "end" } else { true };
            Role::Scenario
        } else {
            records::role(&l.text)
        };
        entries.push(Entry {
            at: Some(i),
            text: l.text.clone(),
            role,
        });
    }
    Reading {
        lines,
        sides: vec![Side {
            name: "log",
            entries,
            not_compared: Vec::new(),
            outside: None,
        }],
        aside: Vec::new(),
        test,
        dressed,
    }
}

/// Joins a line a mail client wrapped onto the line before it: in a log
/// whose lines mostly carry a timestamp, an undressed kernel line right
/// after a long dressed one is its tail.
fn join_wrapped(mut lines: Vec<Line>) -> Vec<Line> {
    let is_dressed = |l: &Line| dress::undress(dress::unquote(&l.pasted).0.trim_start()).1;
    let nonblank = lines.iter().filter(|l| !l.text.trim().is_empty()).count();
    let stamped = lines.iter().filter(|l| is_dressed(l)).count();
    if stamped * 2 <= nonblank {
        return lines;
    }
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for l in lines.drain(..) {
        let tail = !is_dressed(&l)
            && !l.text.trim().is_empty()
            && records::role(&l.text) == Role::Kernel
            && !l.text.starts_with('[');
        match out.last_mut() {
            Some(prev)
                if tail
                    && prev.pasted.len() >= 60
                    && !prev.pasted.contains('\n')
                    && is_dressed(prev)
                    && records::role(&prev.text) == Role::Kernel =>
            {
                if !prev.pasted.ends_with(' ') {
                    prev.text.push(' ');
                }
                prev.text.push_str(l.text.trim_start());
                prev.text = prev.text.trim_end().to_string();
                prev.pasted.push('\n');
                prev.pasted.push_str(&l.pasted);
            }
            _ => out.push(l),
        }
    }
    out
}

/// A selftest failure report: the expected and the result side of its
/// hunks, completed from the named selftest where a hunk starts mid-test.
fn read_diff(mut lines: Vec<Line>, diff: &unified::Diff, test: Option<String>) -> Reading {
    let mut in_diff = vec![false; lines.len()];
    let mut continued = vec![false; lines.len()];
    for h in &diff.hunks {
        for d in &h.lines {
            in_diff[d.at] = true;
            let (text, _) = dress::undress(d.text.trim_start());
            lines[d.at].text = text.to_string();
            for &c in &d.more {
                continued[c] = true;
            }
        }
    }
    let mut aside: Vec<(usize, &'static str)> = Vec::new();
    for (i, _) in lines.iter().enumerate() {
        if continued[i] {
            aside.push((i, "the rest of the line before, wrapped by a mail client"));
        } else if diff.headers.contains(&i) {
            aside.push((i, "a header of the diff"));
        } else if !in_diff[i] {
            aside.push((i, "outside the diff"));
        }
    }
    let transcript = test
        .as_deref()
        .and_then(|name| selftests::best_match(name, &diff.hunks, &lines));
    let sides = [('-', "expected side"), ('+', "result side")]
        .into_iter()
        .map(|(mark, name)| side(name, mark, diff, &lines, transcript, test.as_deref()))
        .collect();
    Reading {
        lines,
        sides,
        aside,
        test,
        dressed: true,
    }
}

/// One side of a diff: its hunks' lines (context and `mark` lines), with
/// the gaps before and between them filled from the selftest's expected
/// text when one is named, and set aside as not compared when not.
fn side(
    name: &'static str,
    mark: char,
    diff: &unified::Diff,
    lines: &[Line],
    transcript: Option<&selftests::Selftest>,
    test: Option<&str>,
) -> Side {
    let mut entries = Vec::new();
    let mut not_compared = Vec::new();
    let mut next = 1; // the next line of the expected text (1-based)
    let mut filled = 0;
    let mut blind = false; // a gap nothing fills: the rest is not compared
    let entry = |at: usize, lines: &[Line]| Entry {
        at: Some(at),
        text: lines[at].text.clone(),
        role: records::role(&lines[at].text),
    };
    for h in &diff.hunks {
        let start = h.range.map(|r| r.0.max(1));
        let own: Vec<usize> = h
            .lines
            .iter()
            .filter(|d| d.mark == ' ' || d.mark == mark)
            .map(|d| d.at)
            .collect();
        // The hunk's place in the expected text: its header's, or the
        // first line (a bare block that opens with a command starts the test).
        let start = start.or_else(|| locate(transcript?, h, lines)).or_else(|| {
            let first = h.lines.first()?;
            (lines[first.at].text.starts_with("% ") && next == 1).then_some(1)
        });
        let gap = match start {
            Some(s) if s >= next => Some(s - next),
            _ => None,
        };
        match (gap, transcript) {
            (Some(0), _) if !blind => {}
            (Some(n), Some(t)) if !blind && next - 1 + n <= t.lines.len() => {
                for text in &t.lines[next - 1..next - 1 + n] {
                    entries.push(Entry {
                        at: None,
                        text: text.clone(),
                        role: records::role(text),
                    });
                }
                filled += n;
            }
            _ => {
                blind = true;
                let why = match (start, test) {
                    (Some(s), None) => format!(
                        "the hunk starts at line {s} of the test's output: the commands before it are not in the paste, and no 'TEST: NAME' line names the selftest that would complete it"
                    ),
                    (Some(s), Some(n)) if !selftests::loaded() => format!(
                        "the hunk starts at line {s} of the output of '{n}': the commands before it are not in the paste, and klpscope's copy of the selftests is not loaded"
                    ),
                    (Some(s), Some(n)) => format!(
                        "the hunk starts at line {s} of the output of '{n}', which klpscope's copy of that selftest does not reach"
                    ),
                    (None, _) => "the block has no '@@' header and does not open with a command: where it starts in the test is unknown".to_string(),
                };
                not_compared.extend(own.iter().map(|&at| (at, why.clone())));
            }
        }
        if !blind {
            entries.extend(own.iter().map(|&at| entry(at, lines)));
        }
        // The lines the paste has: a hunk cut short where it was quoted
        // goes on in the selftest's text from where the paste stops.
        let old_len = h.lines.iter().filter(|d| d.mark != '+').count();
        next = start.unwrap_or(next) + old_len;
    }
    // The rest of the test after the last hunk, so that no line the model
    // prints after the span reads as missing.
    if let Some(t) = transcript
        && !blind
        && next - 1 < t.lines.len()
    {
        for text in &t.lines[next - 1..] {
            entries.push(Entry {
                at: None,
                text: text.clone(),
                role: records::role(text),
            });
        }
        filled += t.lines.len() + 1 - next;
    }
    let outside = (filled > 0).then(|| {
        format!(
            "{filled} line(s) outside the diff's hunks taken from the selftest '{}' and not compared",
            transcript.map_or("", |t| t.name.as_str())
        )
    });
    Side {
        name,
        entries,
        not_compared,
        outside,
    }
}

/// Where a hunk without an `@@` header starts in the selftest's expected
/// text: the first place its expected side (context and `-` lines) stands
/// there line for line.
fn locate(t: &selftests::Selftest, h: &unified::Hunk, lines: &[Line]) -> Option<usize> {
    let old: Vec<&str> = h
        .lines
        .iter()
        .filter(|d| d.mark != '+')
        .map(|d| lines[d.at].text.as_str())
        .collect();
    if old.is_empty() || old.len() > t.lines.len() {
        return None;
    }
    (0..=t.lines.len() - old.len())
        .find(|&i| {
            t.lines[i..i + old.len()]
                .iter()
                .zip(&old)
                .all(|(a, b)| a == b)
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_logs_are_told_from_other_text() {
        assert!(looks_like_kernel_log(
            "[   12.345678] livepatch: enabling patch 'x'"
        ));
        assert!(looks_like_kernel_log("> > [  1.5] foo\n"));
        assert!(looks_like_kernel_log(
            "livepatch: 'demo': patching complete"
        ));
        assert!(looks_like_kernel_log(
            "% insmod test_modules/test_klp_callbacks_mod.ko"
        ));
        // A selftest's report, as kselftest wraps it, and its diff lines.
        assert!(looks_like_kernel_log(
            " # --- expected\n # +++ result\n # -livepatch: 'p': patching complete"
        ));
        assert!(looks_like_kernel_log("+% rmmod test_klp_livepatch"));
        // A shell session, and a command nothing livepatch would run.
        assert!(looks_like_kernel_log("  $ sudo insmod livepatch-test_0.ko"));
        assert!(!looks_like_kernel_log("$ npm install"));
        // A journal's prefix is dressing like a timestamp.
        assert!(looks_like_kernel_log(
            "Dec  2 09:35:54 vm kernel: livepatch: 'demo': patching complete"
        ));
        assert!(!looks_like_kernel_log("hello world"));
        assert!(!looks_like_kernel_log("[link](https://example.org) [1]"));
        assert!(!looks_like_kernel_log("[1] a footnote"));
        assert!(!looks_like_kernel_log("see [x] and % done"));
    }
}
