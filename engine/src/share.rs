//! Share links: a scenario in a URL fragment, short and readable.
//!
//! Only what a scenario needs to be replayed is kept: its commands and its
//! `define` blocks (expected output and comments are dropped). Commands are
//! stored without the `% ` prompt, declaration lines with a leading `>`;
//! lines are separated by `!`, spaces become `+`, other unsafe bytes are
//! percent-encoded.

use crate::scenario::{ParseError, ParseErrorKind};

fn keep(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-_./=~,:".contains(&c)
}

/// The fragment (without `#`) for a scenario text.
pub fn encode(text: &str) -> String {
    let mut lines = Vec::new();
    let mut in_define = false;
    for line in text.lines() {
        if let Some(cmd) = line.strip_prefix("% ") {
            lines.push(cmd.to_string());
        } else if in_define || line.starts_with("define ") {
            in_define = line.trim() != "end";
            lines.push(format!(">{line}"));
        }
    }
    let mut out = String::from("s=");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('!');
        }
        for &b in line.as_bytes() {
            match b {
                b' ' => out.push('+'),
                b if keep(b) => out.push(b as char),
                b => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    out
}

/// The scenario text a fragment stands for.
pub fn decode(fragment: &str) -> Result<String, ParseError> {
    let frag = fragment.strip_prefix('#').unwrap_or(fragment);
    let Some(body) = frag.strip_prefix("s=") else {
        return Err(ParseError::new(
            1,
            1,
            ParseErrorKind::BadArgument(frag.chars().take(20).collect()),
        )
        .hint("a klpscope link fragment starts with 's='"));
    };
    let mut text = String::new();
    if body.is_empty() {
        return Ok(text);
    }
    for (i, line) in body.split('!').enumerate() {
        let mut bytes = Vec::new();
        let raw = line.as_bytes();
        let mut j = 0;
        while j < raw.len() {
            match raw[j] {
                b'+' => bytes.push(b' '),
                b'%' => {
                    let hex = raw
                        .get(j + 1..j + 3)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                        return Err(ParseError::new(
                            i + 1,
                            j + 1,
                            ParseErrorKind::BadArgument("%".into()),
                        )
                        .hint("'%' must be followed by two hex digits"));
                    };
                    bytes.push(v);
                    j += 2;
                }
                b => bytes.push(b),
            }
            j += 1;
        }
        let line = String::from_utf8_lossy(&bytes);
        match line.strip_prefix('>') {
            Some(decl) => text.push_str(decl),
            None => {
                text.push_str("% ");
                text.push_str(&line);
            }
        }
        text.push('\n');
    }
    Ok(text)
}
