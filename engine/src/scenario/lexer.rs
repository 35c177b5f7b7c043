//! The words of a scenario line: what the command parser (`parse`) and the
//! `define` block parser (`decl`) both read, so neither depends on the other
//! for it.

use super::error::{ParseError, ParseErrorKind as K};

/// A word of a line and the 1-based column where it starts.
#[derive(Clone, Debug)]
pub(crate) struct Word {
    pub text: String,
    pub col: usize,
    /// Written in quotes.
    pub quoted: bool,
}

/// Splits a line into words; `"..."` quotes keep spaces.
pub(crate) fn words(line: &str, lineno: usize) -> Result<Vec<Word>, ParseError> {
    let mut out = Vec::new();
    let mut chars = line.chars().enumerate().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut text = String::new();
        // A word may be quoted with "..." or, as in a shell, '...'.
        if c == '"' || c == '\'' {
            chars.next();
            let mut closed = false;
            for (_, q) in chars.by_ref() {
                if q == c {
                    closed = true;
                    break;
                }
                text.push(q);
            }
            if !closed {
                return Err(ParseError::new(lineno, i + 1, K::UnterminatedQuote)
                    .hint(format!("close the string with {c}")));
            }
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        out.push(Word {
            text,
            col: i + 1,
            quoted: c == '"' || c == '\'',
        });
    }
    Ok(out)
}
