//! The documentation, in reading order (`content/SUMMARY`). build.rs
//! renders each chapter with [`crate::markdown`] when the app is built, so
//! the browser receives HTML and the wasm needs no Markdown parser.

/// One rendered chapter.
pub struct Chapter {
    /// Its address in links: `#doc=<slug>`.
    pub slug: &'static str,
    /// The text of its first heading.
    pub title: &'static str,
    /// Every heading, in order.
    pub headings: &'static [Heading],
    /// HTML and live blocks, in order.
    pub segments: &'static [Segment],
}

/// A heading of a chapter.
pub struct Heading {
    /// 1 for `#`, 2 for `##`, ...
    pub level: u8,
    /// Its anchor within the chapter.
    pub slug: &'static str,
    /// Its plain text.
    pub text: &'static str,
}

/// A piece of a chapter (see [`crate::markdown::Segment`]).
pub enum Segment {
    /// Trusted HTML rendered from `content/*.md`.
    Html(&'static str),
    /// The scenario text of a ```` ```klpscope ```` block.
    Live(&'static str),
}

/// The table of contents: this order is the reading order.
pub static CHAPTERS: &[Chapter] = include!(concat!(env!("OUT_DIR"), "/chapters.rs"));

/// The index of the chapter with this slug.
pub fn find(slug: &str) -> Option<usize> {
    CHAPTERS.iter().position(|c| c.slug == slug)
}

/// The heading `heading` of chapter `chapter`, if both exist.
pub fn heading(chapter: &str, heading: &str) -> Option<&'static Heading> {
    CHAPTERS[find(chapter)?]
        .headings
        .iter()
        .find(|h| h.slug == heading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chapter_has_a_title_and_unique_slug() {
        assert!(!CHAPTERS.is_empty());
        for (i, c) in CHAPTERS.iter().enumerate() {
            assert!(!c.title.is_empty(), "{} has no title", c.slug);
            assert_eq!(find(c.slug), Some(i));
        }
    }

    #[test]
    fn every_live_block_runs() {
        for c in CHAPTERS {
            for seg in c.segments {
                if let Segment::Live(text) = seg {
                    let run = klpscope_engine::run_text(text).unwrap_or_else(|e| {
                        panic!("{}: block does not parse: {e}\n{text}", c.slug)
                    });
                    assert!(!run.steps.is_empty(), "{}: empty block", c.slug);
                }
            }
        }
    }

    #[test]
    fn cross_references_point_at_existing_headings() {
        for c in CHAPTERS {
            for seg in c.segments {
                let Segment::Html(html) = seg else { continue };
                for link in html.split("href=\"#doc=").skip(1) {
                    let full = &link[..link.find('"').expect("closing quote")];
                    // A link may carry a scenario after the chapter: it must parse.
                    let (target, rest) = full.split_once("&amp;").unwrap_or((full, ""));
                    if let Some(s) = rest.strip_prefix("s=") {
                        let text = klpscope_engine::share::decode(&format!("s={s}"))
                            .unwrap_or_else(|e| panic!("{}: bad scenario link: {e}", c.slug));
                        klpscope_engine::parse(&text)
                            .unwrap_or_else(|e| panic!("{}: linked scenario: {e}", c.slug));
                    }
                    match target.split_once('/') {
                        Some((ch, h)) => assert!(
                            heading(ch, h).is_some(),
                            "{}: broken link #doc={target}",
                            c.slug
                        ),
                        None => assert!(
                            find(target).is_some(),
                            "{}: broken link #doc={target}",
                            c.slug
                        ),
                    }
                }
            }
        }
    }
}
