//! Selftest failure reports: functions.sh's `check_result` prints
//! `diff -u --label expected --label result` of the expected text and the
//! kernel's, and people post it with its headers (`--- expected`, `+++
//! result`, `@@ -a,b +c,d @@`), with headers a mail client mangled
//! (`- expected`, `+ result`), or as a bare block of ` `/`-`/`+` lines;
//! indented or not.

/// One line of a diff: the index of the pasted line, its marker (`' '`,
/// `'-'` or `'+'`) and the text after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    /// Index into the paste's lines.
    pub at: usize,
    /// `' '` (both sides), `'-'` (expected only) or `'+'` (result only).
    pub mark: char,
    /// The text after the marker (with the lines a mail client wrapped
    /// off it joined on).
    pub text: String,
    /// Indices of the pasted lines that continue it (wrapped by a mail client).
    pub more: Vec<usize>,
}

/// A hunk: where it starts in the expected and the result text (from its
/// `@@` header; `None` when the header is missing), and its lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hunk {
    /// `@@ -a,b +c,d @@`: (a, b, c, d).
    pub range: Option<(usize, usize, usize, usize)>,
    /// Its lines in order.
    pub lines: Vec<DiffLine>,
}

/// The diff found in a paste: its hunks and the lines that are headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Hunks in order.
    pub hunks: Vec<Hunk>,
    /// Indices of header lines (`--- expected`, `@@ ... @@`).
    pub headers: Vec<usize>,
}

/// `--- expected` / `- expected` / `-expected` (and `+++ result` …).
fn is_file_header(t: &str) -> bool {
    let t = t.trim();
    for (mark, label) in [('-', "expected"), ('+', "result")] {
        let rest = t.trim_start_matches(mark);
        if rest.len() < t.len() && t.len() - rest.len() <= 3 {
            let word = rest.split_whitespace().next().unwrap_or("");
            if word == label {
                return true;
            }
        }
    }
    false
}

/// `@@ -a,b +c,d @@` (a missing `,b` means 1).
fn hunk_header(t: &str) -> Option<(usize, usize, usize, usize)> {
    let rest = t.trim().strip_prefix("@@ -")?;
    let (ranges, _) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let range = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (a, b) = range(old)?;
    let (c, d) = range(new)?;
    Some((a, b, c, d))
}

/// Whether the text after a marker reads as a line of a selftest's
/// expected text: a command or a `prefix: ` log line.
fn loglike(t: &str) -> bool {
    if t.starts_with("% ") {
        return true;
    }
    t.split_once(": ").is_some_and(|(who, _)| {
        !who.is_empty()
            && who
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// `-bash: PATH: Permission denied`: a login shell's own error (its
/// `argv[0]` is `-bash`), which a log of commands carries as it is; no
/// kernel line begins `bash: `, so it is never a diff's removed line.
fn is_login_shell_error(t: &str) -> bool {
    t.starts_with("-bash: ")
}

/// The leading spaces and tabs of a line.
fn indent(t: &str) -> usize {
    t.len() - t.trim_start_matches([' ', '\t']).len()
}

/// Finds the diff in the paste's lines (quoting already removed).
pub fn find(lines: &[String]) -> Option<Diff> {
    let mut diff = Diff::default();
    let mut i = 0;
    // Without `@@` lines (none written, or a mail client ate them), the
    // hunks are the blocks of marked lines, under file headers or not.
    let has_headers = lines.iter().any(|l| hunk_header(l).is_some());
    while i < lines.len() {
        let l = &lines[i];
        if is_file_header(l) {
            diff.headers.push(i);
            i += 1;
            continue;
        }
        if let Some(range) = hunk_header(l) {
            diff.headers.push(i);
            let ind = indent(l);
            let (hunk, next) = read_hunk(lines, i + 1, ind, Some(range));
            diff.hunks.push(hunk);
            i = next;
            continue;
        }
        if !has_headers && let Some(ind) = bare_start(lines, i) {
            let (hunk, next) = read_hunk(lines, i, ind, None);
            if hunk.lines.iter().any(|d| d.mark != ' ') {
                diff.hunks.push(hunk);
            }
            i = next.max(i + 1);
            continue;
        }
        i += 1;
    }
    (!diff.hunks.is_empty()).then_some(diff)
}

/// Where a bare block (no headers) starts at line `i`: a `-` or `+` line
/// that reads as a log line, or a context line just before one; returns
/// its indentation.
fn bare_start(lines: &[String], i: usize) -> Option<usize> {
    let marked = |l: &String| {
        let ind = indent(l);
        let t = &l[ind..];
        let mut cs = t.chars();
        matches!(cs.next(), Some('-' | '+')) && loglike(cs.as_str()) && !is_login_shell_error(t)
    };
    let l = &lines[i];
    let ind = indent(l);
    if marked(l) {
        return Some(ind);
    }
    // A context line: one more space than the block's indentation.
    let t = &l[ind..];
    if ind >= 1 && loglike(t) {
        let block_ind = ind - 1;
        let mut j = i + 1;
        while j < lines.len() {
            let m = &lines[j];
            if marked(m) && indent(m) == block_ind {
                return Some(block_ind);
            }
            if indent(m) != ind || !loglike(&m[ind..]) {
                break;
            }
            j += 1;
        }
    }
    None
}

/// Reads a hunk's lines from `start`: with a header's counts, exactly that
/// many (a blank line counts as an empty context line, as a mail client
/// leaves it); without, while lines carry a marker at `ind`.
fn read_hunk(
    lines: &[String],
    start: usize,
    ind: usize,
    range: Option<(usize, usize, usize, usize)>,
) -> (Hunk, usize) {
    let mut hunk = Hunk {
        range,
        lines: Vec::new(),
    };
    let (mut old_left, mut new_left) = range.map_or((usize::MAX, usize::MAX), |r| (r.1, r.3));
    let mut i = start;
    while i < lines.len() && (old_left > 0 || new_left > 0) {
        let l = &lines[i];
        if l.trim().is_empty() {
            if range.is_none() || old_left == 0 || new_left == 0 {
                break;
            }
            hunk.lines.push(DiffLine {
                at: i,
                mark: ' ',
                text: String::new(),
                more: Vec::new(),
            });
            (old_left, new_left) = (old_left - 1, new_left - 1);
            i += 1;
            continue;
        }
        if indent(l) < ind || !l.is_char_boundary(ind) {
            break;
        }
        let t = &l[ind..];
        let mut cs = t.chars();
        let mark = cs.next().unwrap_or(' ');
        if !matches!(mark, ' ' | '-' | '+') || indent(l) > ind + 1 && !loglike(l.trim_start()) {
            // A line a mail client wrapped: the tail of a long line, with
            // no marker of its own.
            if let Some(prev) = hunk.lines.last_mut()
                && prev.text.len() >= 50
                && !loglike(l.trim_start())
                && !l.trim_start().starts_with("```")
            {
                if !prev.text.ends_with(' ') {
                    prev.text.push(' ');
                }
                prev.text.push_str(l.trim());
                prev.more.push(i);
                i += 1;
                continue;
            }
            break;
        }
        if is_file_header(t) || hunk_header(t).is_some() {
            break;
        }
        let text = cs.as_str().to_string();
        if range.is_none() && mark == ' ' && !loglike(&text) {
            break;
        }
        match mark {
            '-' if old_left > 0 => old_left -= 1,
            '+' if new_left > 0 => new_left -= 1,
            ' ' if old_left > 0 && new_left > 0 => {
                (old_left, new_left) = (old_left - 1, new_left - 1)
            }
            _ => break,
        }
        hunk.lines.push(DiffLine {
            at: i,
            mark,
            text,
            more: Vec::new(),
        });
        i += 1;
    }
    (hunk, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_diff_with_headers() {
        let d = find(&ls("TEST: x ... not ok\n\n--- expected\n+++ result\n@@ -1,3 +1,3 @@\n % insmod a.ko\n-livepatch: one\n+livepatch: two\n a: b\nafter\n")).unwrap();
        assert_eq!(d.headers, vec![2, 3, 4]);
        assert_eq!(d.hunks.len(), 1);
        let marks: String = d.hunks[0].lines.iter().map(|l| l.mark).collect();
        assert_eq!(marks, " -+ ");
        assert_eq!(d.hunks[0].range, Some((1, 3, 1, 3)));
    }

    #[test]
    fn mangled_headers_and_indentation() {
        let d = find(&ls("    - expected\n    + result\n    @@ -4,2 +4,2 @@\n     livepatch: a\n    -livepatch: b\n    +livepatch: c\n")).unwrap();
        assert_eq!(d.hunks[0].lines.len(), 3);
        assert_eq!(d.hunks[0].lines[2].text, "livepatch: c");
    }

    #[test]
    fn a_bare_block() {
        let d = find(&ls(
            "Hi,\n\n % insmod a.ko\n livepatch: a\n-livepatch: b\n+livepatch: c\n\nThanks\n",
        ))
        .unwrap();
        assert_eq!(d.hunks[0].range, None);
        let marks: String = d.hunks[0].lines.iter().map(|l| l.mark).collect();
        assert_eq!(marks, "  -+");
    }

    #[test]
    fn prose_with_dashes_is_no_diff() {
        assert_eq!(
            find(&ls("- fix the thing\n- and the other\n+1 from me\n")),
            None
        );
        assert_eq!(find(&ls("livepatch: a\nlivepatch: b\n")), None);
    }

    #[test]
    fn a_login_shell_error_is_no_diff() {
        let log = "% echo 1 > /sys/module/m/parameters/nosuch\n\
                   -bash: /sys/module/m/parameters/nosuch: Permission denied\n\
                   % echo 1 > /sys/kernel/livepatch/p/enabled\n\
                   -bash: echo: write error: Invalid argument\n";
        assert_eq!(find(&ls(log)), None);
    }
}
