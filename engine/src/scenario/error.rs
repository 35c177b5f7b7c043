//! Parse errors: where, what, and a hint.

use std::fmt;

/// What is wrong with a line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The first word of a `% ` line is not a known command.
    UnknownCommand(String),
    /// A command or declaration lacks an argument.
    MissingArgument(&'static str),
    /// Something follows a complete command.
    TrailingInput(String),
    /// No built-in or declared module has this name.
    UnknownModule(String),
    /// A path that is not a modelled sysfs file.
    BadPath(String),
    /// A malformed argument (e.g. `insmod foo` without `.ko`).
    BadArgument(String),
    /// A declaration line that does not parse.
    BadDeclaration(String),
    /// A `define` block without `end` (reported at its `define` line).
    UnterminatedDefine(String),
    /// A livepatch `object` that names no declared or built-in module but
    /// one close to it (a warning: the kernel accepts it, and its callbacks
    /// run only if a module of that name is loaded).
    UnknownObject(String),
    /// An unterminated quoted string.
    UnterminatedQuote,
    /// A livepatch redirects a vmlinux function that is not declared (a
    /// warning: the kernel refuses the patch when it loads).
    UnknownVmlinuxFunction(String),
    /// A share link that cannot be read, and why (the reason is the
    /// message: it is written for the reader of the link).
    BadLink(String),
}

/// A parse error with its position (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// How to fix it, if there is something to say.
    pub hint: Option<String>,
}

impl ParseError {
    pub(crate) fn new(line: usize, col: usize, kind: ParseErrorKind) -> ParseError {
        ParseError {
            line,
            col,
            kind,
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> ParseError {
        self.hint = Some(hint.into());
        self
    }

    /// The message prefixed with `FILE:LINE:COL`, as the CLI prints it.
    pub fn in_file(&self, file: &str) -> String {
        let mut s = format!("{file}:{}:{}: {}", self.line, self.col, self.message());
        if let Some(h) = &self.hint {
            s.push_str(&format!("\n  hint: {h}"));
        }
        s
    }

    /// The message without position.
    pub fn message(&self) -> String {
        match &self.kind {
            ParseErrorKind::UnknownCommand(c) => format!("unknown command '{}'", clip(c)),
            ParseErrorKind::MissingArgument(what) => format!("missing {what}"),
            ParseErrorKind::TrailingInput(t) => format!("unexpected '{}'", clip(t)),
            ParseErrorKind::UnknownModule(m) => format!("unknown module '{}'", clip(m)),
            ParseErrorKind::BadPath(p) => format!("'{}' is not a file klpscope models", clip(p)),
            ParseErrorKind::BadArgument(a) => format!("bad argument '{}'", clip(a)),
            ParseErrorKind::BadDeclaration(d) => format!("cannot read declaration: {d}"),
            ParseErrorKind::UnterminatedDefine(n) => {
                format!("missing 'end': 'define {}' has no matching 'end'", clip(n))
            }
            ParseErrorKind::UnknownObject(o) => {
                format!("object '{}' names no module this scenario knows", clip(o))
            }
            ParseErrorKind::UnterminatedQuote => "unterminated quoted string".into(),
            ParseErrorKind::UnknownVmlinuxFunction(f) => {
                format!("vmlinux has no function '{f}' (loading this livepatch will fail)")
            }
            ParseErrorKind::BadLink(why) => format!("bad link: {why}"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, col {}: {}",
            self.line,
            self.col,
            self.message()
        )?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

/// The longest piece of user input an error message quotes.
const CLIP: usize = 48;

/// `text` as an error message quotes it: cut to [`CLIP`] characters (a
/// pasted line can be any length).
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(CLIP) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The candidate closest to `word` by edit distance, if close enough.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
