//! The dressing a log picks up between the kernel's buffer and a reader:
//! transport (quoted-printable, CRLF, colours, a mail client's line wraps)
//! and, per line, mail quoting, indentation, TAP's `# `, a journal's or
//! syslog's prefix, `dmesg -x`'s facility, the `<N>` level, timestamps and
//! caller ids.

/// One line of the paste with the 1-based line where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLine {
    /// 1-based line in the pasted text.
    pub line: usize,
    /// The line as pasted (after transport decoding; two lines a mail
    /// client wrapped are joined with `\n`).
    pub pasted: String,
}

/// The paste split into lines, quoted-printable decoded where the text is
/// quoted-printable (soft breaks joined, `=XX` decoded), CR and colour
/// escapes dropped.
pub fn lines(text: &str) -> Vec<RawLine> {
    let qp = is_quoted_printable(text);
    let mut out: Vec<RawLine> = Vec::new();
    // A soft break may split a UTF-8 sequence: the bytes are joined first.
    let mut pending: Option<(usize, Vec<u8>)> = None;
    for (i, line) in text.split('\n').enumerate() {
        let line = strip_ansi(line.trim_end_matches('\r'));
        let (decoded, soft) = if qp {
            decode_qp_line(&line)
        } else {
            (line.into_bytes(), false)
        };
        let (start, mut bytes) = pending.take().unwrap_or((i + 1, Vec::new()));
        bytes.extend(decoded);
        if soft {
            pending = Some((start, bytes));
        } else {
            out.push(RawLine {
                line: start,
                pasted: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
    }
    if let Some((line, bytes)) = pending {
        out.push(RawLine {
            line,
            pasted: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    if out.last().is_some_and(|l| l.pasted.is_empty()) {
        out.pop();
    }
    out
}

/// Quoted-printable: soft line breaks (`=` at a line's end) together with
/// encoded octets (`=20`, `=3D`, `=09`) that a plain log never has.
fn is_quoted_printable(text: &str) -> bool {
    let encoded = ["=20", "=3D", "=09", "=E2=", "=C2="]
        .iter()
        .any(|e| text.contains(e));
    let soft = text
        .lines()
        .any(|l| l.trim_end_matches('\r').ends_with('=') && !l.trim_end().ends_with("=="));
    encoded && (soft || text.contains("=3D"))
}

/// One quoted-printable line: its bytes decoded, and whether it ends in
/// a soft break.
fn decode_qp_line(line: &str) -> (Vec<u8>, bool) {
    let (body, soft) = match line.strip_suffix('=') {
        Some(b) => (b, true),
        None => (line, false),
    };
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    (out, soft)
}

/// A line without terminal colour escapes (`ESC [ ... m` and the like).
fn strip_ansi(line: &str) -> String {
    if !line.contains('\u{1b}') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        }
    }
    out
}

/// A line without mail quoting (`> `, `>> `, `> > `, any depth) and
/// whether it had any.
pub fn unquote(line: &str) -> (&str, bool) {
    let mut s = line;
    let mut quoted = false;
    loop {
        let t = s.trim_start_matches([' ', '\t']);
        match t.strip_prefix('>') {
            // `>` alone, or `> ` / `>>`: quoting; `>foo` at a line start
            // is quoting too in mail.
            Some(rest) if quoted || s.len() - t.len() <= 1 => {
                s = rest.strip_prefix(' ').unwrap_or(rest);
                quoted = true;
            }
            _ => return (s, quoted),
        }
    }
}

/// The prefixes a log line may carry before the kernel's own text, removed:
/// a journal's or syslog's `... kernel: `, `dmesg -x`'s `kern  :info  : `,
/// a `<6>` level, a `[   12.345678]` timestamp, a `[ T123]` / `[  C1]`
/// caller id (with or without a timestamp). Returns the text and whether
/// anything was removed.
pub fn undress(line: &str) -> (&str, bool) {
    let mut s = line;
    let mut dressed = false;
    if let Some(rest) = journal_prefix(s) {
        s = rest;
        dressed = true;
    }
    if let Some(rest) = facility_prefix(s) {
        s = rest;
        dressed = true;
    }
    if let Some(rest) = s.strip_prefix('<')
        && let Some((lvl, after)) = rest.split_once('>')
        && (1..=3).contains(&lvl.len())
        && lvl.bytes().all(|b| b.is_ascii_digit())
    {
        s = after;
        dressed = true;
    }
    let mut bracket_seen = false;
    for _ in 0..2 {
        let t = s.trim_start_matches(' ');
        let Some(rest) = t.strip_prefix('[') else {
            break;
        };
        let Some((inside, after)) = rest.split_once(']') else {
            break;
        };
        if !(is_timestamp(inside) && !bracket_seen || is_caller_id(inside)) {
            break;
        }
        bracket_seen = true;
        s = after.strip_prefix(' ').unwrap_or(after);
        dressed = true;
    }
    (s, dressed)
}

/// `   12.345678` (seconds since boot).
pub(crate) fn is_timestamp(inside: &str) -> bool {
    let t = inside.trim_start();
    t.bytes().any(|b| b.is_ascii_digit()) && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// `  T3659` or `    C1`: PRINTK_CALLER's task or CPU id.
fn is_caller_id(inside: &str) -> bool {
    let t = inside.trim_start();
    t.len() > 1
        && (t.starts_with('T') || t.starts_with('C'))
        && t[1..].bytes().all(|b| b.is_ascii_digit())
}

/// After `Dec  2 09:35:54 host kernel: ` or
/// `2024-05-01T12:00:00.123+0200 host kernel: ` (a journal or syslog).
fn journal_prefix(s: &str) -> Option<&str> {
    let i = s.find(" kernel: ")?;
    let head = &s[..i];
    let has_clock = head.as_bytes().windows(8).any(|w| {
        w[2] == b':' && w[5] == b':' && w.iter().filter(|b| b.is_ascii_digit()).count() == 6
    });
    (has_clock && !head.contains("livepatch")).then(|| &s[i + " kernel: ".len()..])
}

/// After `dmesg -x`'s `kern  :info  : `.
fn facility_prefix(s: &str) -> Option<&str> {
    let (fac, rest) = s.split_once(':')?;
    if !["kern", "user", "daemon", "syslog"].contains(&fac.trim_end()) {
        return None;
    }
    let (lvl, rest) = rest.split_once(':')?;
    let levels = [
        "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
    ];
    levels
        .contains(&lvl.trim())
        .then(|| rest.strip_prefix(' ').unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_comes_off() {
        for (pasted, text) in [
            ("[   12.345678] livepatch: x", "livepatch: x"),
            ("[   12.345678] [ T123] livepatch: x", "livepatch: x"),
            ("[   12.345678][ T123] livepatch: x", "livepatch: x"),
            ("[   T3659] livepatch: x", "livepatch: x"),
            ("[    C1] livepatch: x", "livepatch: x"),
            ("<6>[   12.3] livepatch: x", "livepatch: x"),
            ("<4>livepatch: x", "livepatch: x"),
            ("Dec  2 09:35:54 host kernel: livepatch: x", "livepatch: x"),
            (
                "2024-05-01T12:00:00.123456+02:00 host kernel: [ 1.0] livepatch: x",
                "livepatch: x",
            ),
            ("kern  :info  : [  1.2] livepatch: x", "livepatch: x"),
        ] {
            assert_eq!(undress(pasted), (text, true), "{pasted}");
        }
        assert_eq!(undress("livepatch: [1] x"), ("livepatch: [1] x", false));
        assert_eq!(undress("[abc] x"), ("[abc] x", false));
    }

    #[test]
    fn quoting_at_any_depth() {
        assert_eq!(unquote("> > >> x"), ("x", true));
        assert_eq!(unquote(">x"), ("x", true));
        assert_eq!(unquote("  x > y"), ("  x > y", false));
        assert_eq!(unquote("echo 0 > /sys"), ("echo 0 > /sys", false));
    }

    #[test]
    fn quoted_printable_is_decoded_only_where_it_is_used() {
        let qp = "% echo 0 > /sys/kernel/livepatch/p/enabled=\n\nlivepatch: a=3Db=20\n";
        let ls = lines(qp);
        assert_eq!(ls[0].pasted, "% echo 0 > /sys/kernel/livepatch/p/enabled");
        assert_eq!(ls[1].line, 3);
        assert_eq!(ls[1].pasted, "livepatch: a=b ");
        let plain = "% insmod x.ko a=20\n";
        assert_eq!(lines(plain)[0].pasted, "% insmod x.ko a=20");
        // A soft break inside a UTF-8 sequence.
        let split = "> =E8=AE=BE=E5=\n=A4=87 =3D\n";
        assert_eq!(lines(split)[0].pasted, "> 设备 =");
    }

    #[test]
    fn colours_and_carriage_returns_go() {
        let ls = lines("\u{1b}[32mok\u{1b}[0m 1\r\nb\r\n");
        assert_eq!(ls[0].pasted, "ok 1");
        assert_eq!(ls[1].pasted, "b");
        assert_eq!(ls.len(), 2);
    }
}
