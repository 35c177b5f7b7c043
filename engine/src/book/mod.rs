//! The documentation as a book: `content/SUMMARY` (the reading order), the
//! chapters it lists, and what is made of them.
//!
//! [`markdown`] is the one Markdown renderer: the site's build step
//! (`app/build.rs`) compiles its HTML into the site, and [`site`] writes
//! the static book (`klpscope book OUTDIR`: a page per chapter, an index
//! and the whole book on one page), readable without JavaScript.
//! [`prerender`] writes the site's shell and opening chapter into its
//! `index.html`, the text a visitor reads before the wasm has loaded.
//!
//! ```no_run
//! use klpscope_engine::book::{Book, site};
//! let book = Book::load("content".as_ref())?;
//! site::write(&book, "out".as_ref(), &site::Options::default())?;
//! # Ok::<(), klpscope_engine::book::BookError>(())
//! ```

pub mod markdown;
pub mod prerender;
pub mod site;

use std::fmt;
use std::path::{Path, PathBuf};

/// One chapter as `SUMMARY` lists it, with its Markdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    /// Its address: `#doc=SLUG` in the site, `SLUG.html` in the book.
    pub slug: String,
    /// Its Markdown file.
    pub path: PathBuf,
    /// The Markdown.
    pub source: String,
}

/// The chapters of `content/`, in reading order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    /// In `SUMMARY` order.
    pub chapters: Vec<Chapter>,
}

/// Why the book could not be read or written.
#[derive(Debug)]
#[non_exhaustive]
pub enum BookError {
    /// `SUMMARY` could not be read.
    Summary {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// A `SUMMARY` line is not `SLUG FILE`, or its slug is not one.
    SummaryLine {
        /// The `SUMMARY` file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The line.
        text: String,
    },
    /// Two `SUMMARY` lines give the same slug.
    DuplicateSlug {
        /// The `SUMMARY` file.
        path: PathBuf,
        /// 1-based line of the second one.
        line: usize,
        /// The slug.
        slug: String,
    },
    /// `SUMMARY` lists no chapter.
    Empty {
        /// The `SUMMARY` file.
        path: PathBuf,
    },
    /// A chapter file could not be read (or is not UTF-8).
    Chapter {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// The stylesheets could not be read.
    Style {
        /// The directory or file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// An output file or directory could not be written.
    Write {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
}

impl BookError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            BookError::Summary { .. } => {
                "the content directory needs a SUMMARY file; pass it with --content DIR"
            }
            BookError::SummaryLine { .. } => {
                "each SUMMARY line is '<slug> <file>', the slug of letters, digits, '-' and '_'; \
                 '#' starts a comment"
            }
            BookError::DuplicateSlug { .. } => "give each chapter its own slug",
            BookError::Empty { .. } => "list the chapters in SUMMARY as '<slug> <file>' lines",
            BookError::Chapter { .. } => {
                "check the file name in SUMMARY (relative to the content directory)"
            }
            BookError::Style { .. } => "pass the directory of the site's CSS with --style DIR",
            BookError::Write { .. } => "check that the output directory can be written",
        }
    }
}

impl fmt::Display for BookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BookError::Summary { path, error } => write!(f, "{}: {error}", path.display()),
            BookError::SummaryLine { path, line, text } => write!(
                f,
                "{}:{line}: '{}' is not '<slug> <file>'",
                path.display(),
                text.escape_debug()
            ),
            BookError::DuplicateSlug { path, line, slug } => {
                write!(f, "{}:{line}: a second chapter '{slug}'", path.display())
            }
            BookError::Empty { path } => write!(f, "{}: no chapters", path.display()),
            BookError::Chapter { path, error }
            | BookError::Style { path, error }
            | BookError::Write { path, error } => write!(f, "{}: {error}", path.display()),
        }?;
        write!(f, "\nhint: {}", self.hint())
    }
}

impl std::error::Error for BookError {}

/// The file that lists the chapters in reading order.
pub const SUMMARY: &str = "SUMMARY";

/// Reads `SUMMARY` in `content`: the (slug, file) pairs, in order.
pub fn read_summary(content: &Path) -> Result<Vec<(String, PathBuf)>, BookError> {
    let path = content.join(SUMMARY);
    let text = std::fs::read_to_string(&path).map_err(|error| BookError::Summary {
        path: path.clone(),
        error,
    })?;
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || BookError::SummaryLine {
            path: path.clone(),
            line: i + 1,
            text: line.to_string(),
        };
        let (slug, file) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
        let file = file.trim();
        if !markdown::is_slug(slug) || file.is_empty() || file.contains(char::is_whitespace) {
            return Err(bad());
        }
        if out.iter().any(|(s, _)| s == slug) {
            return Err(BookError::DuplicateSlug {
                path,
                line: i + 1,
                slug: slug.to_string(),
            });
        }
        out.push((slug.to_string(), content.join(file)));
    }
    if out.is_empty() {
        return Err(BookError::Empty { path });
    }
    Ok(out)
}

impl Book {
    /// Reads `SUMMARY` and every chapter it lists from `content`.
    pub fn load(content: &Path) -> Result<Book, BookError> {
        let chapters = read_summary(content)?
            .into_iter()
            .map(|(slug, path)| match std::fs::read_to_string(&path) {
                Ok(source) => Ok(Chapter { slug, path, source }),
                Err(error) => Err(BookError::Chapter { path, error }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Book { chapters })
    }

    /// The files it was read from (`SUMMARY` and the chapters), e.g. for a
    /// build script's `rerun-if-changed`.
    pub fn sources(&self, content: &Path) -> Vec<PathBuf> {
        std::iter::once(content.join(SUMMARY))
            .chain(self.chapters.iter().map(|c| c.path.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
