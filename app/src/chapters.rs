//! The documentation, in reading order. Each chapter is a Markdown file in
//! `content/`, compiled in.

use crate::markdown::{self, Rendered};
use std::sync::OnceLock;

/// One chapter.
pub struct Chapter {
    /// Its anchor in links: `#doc=<slug>`.
    pub slug: &'static str,
    /// The Markdown.
    pub source: &'static str,
}

/// The table of contents: this order is the reading order.
pub const CHAPTERS: &[Chapter] = &[
    Chapter {
        slug: "callbacks",
        source: include_str!("../../content/01-callbacks.md"),
    },
    Chapter {
        slug: "modules",
        source: include_str!("../../content/02-modules.md"),
    },
    Chapter {
        slug: "transitions",
        source: include_str!("../../content/03-transitions.md"),
    },
];

/// The index of the chapter with this slug.
pub fn find(slug: &str) -> Option<usize> {
    CHAPTERS.iter().position(|c| c.slug == slug)
}

/// Every chapter rendered, in [`CHAPTERS`] order (rendered once).
pub fn rendered() -> &'static [Rendered] {
    static RENDERED: OnceLock<Vec<Rendered>> = OnceLock::new();
    RENDERED.get_or_init(|| {
        CHAPTERS
            .iter()
            .map(|c| markdown::render(c.slug, c.source))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Segment;

    #[test]
    fn every_chapter_has_a_title_and_unique_slug() {
        for (i, c) in CHAPTERS.iter().enumerate() {
            assert!(!rendered()[i].title.is_empty(), "{} has no title", c.slug);
            assert_eq!(find(c.slug), Some(i));
        }
    }

    #[test]
    fn every_live_block_runs() {
        for (i, c) in CHAPTERS.iter().enumerate() {
            for seg in &rendered()[i].segments {
                if let Segment::Live(text) = seg {
                    let run = klpscope_engine::run_text(text).unwrap_or_else(|e| {
                        panic!("{}: block does not parse: {e}\n{text}", c.slug)
                    });
                    assert!(!run.steps.is_empty(), "{}: empty block", c.slug);
                }
            }
        }
    }
}
