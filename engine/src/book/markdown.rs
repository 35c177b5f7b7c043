//! Markdown to HTML for the documentation pane.
//!
//! One parser configuration ([`new_parser`]) and one pass over its events
//! ([`render`]): headings get ids and anchor links, and fenced blocks tagged
//! `klpscope` are cut out as [`Segment::Live`] so the pane can put a live
//! timeline there. Markdown events go in, segments come out; nothing else in
//! the app touches Markdown. Only `content/*.md`, compiled in, is rendered
//! as HTML.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// The info string that marks a live scenario block.
pub const LIVE_TAG: &str = "klpscope";

/// A piece of a rendered chapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Trusted HTML rendered from the chapter's Markdown.
    Html(String),
    /// The text of a ```` ```klpscope ```` block: a scenario.
    Live(String),
}

/// A heading of a chapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `#`, 2 for `##`, ...
    pub level: u8,
    /// Its anchor, unique within the chapter.
    pub slug: String,
    /// Its plain text.
    pub text: String,
}

/// A chapter ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The text of the first heading.
    pub title: String,
    /// Every heading, in order.
    pub headings: Vec<Heading>,
    /// HTML and live blocks, in order.
    pub segments: Vec<Segment>,
}

/// The one place that decides which Markdown extensions the docs use.
pub fn new_parser(text: &str) -> Parser<'_> {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    Parser::new_ext(text, opts)
}

/// The DOM id of a heading of a chapter (ids are global in the page, so
/// they carry a prefix that no other element uses).
pub fn heading_id(slug: &str) -> String {
    format!("doc-{slug}")
}

/// A heading's anchor: lower case ASCII letters, digits, `_` and `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// Renders a chapter. `chapter` is its slug, used in the anchor links.
pub fn render(chapter: &str, text: &str) -> Rendered {
    let mut title = String::new();
    let mut headings: Vec<Heading> = Vec::new();
    let mut segments = Vec::new();
    let mut pending: Vec<Event> = Vec::new();
    let mut events = new_parser(text);

    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let mut inner = Vec::new();
                for e in events.by_ref() {
                    if matches!(e, Event::End(TagEnd::Heading(_))) {
                        break;
                    }
                    inner.push(e);
                }
                let plain = plain_text(&inner);
                let mut s = id.map(|i| slug(&i)).unwrap_or_else(|| slug(&plain));
                if headings.iter().any(|h| h.slug == s) {
                    s = format!("{s}-{}", headings.len());
                }
                let n = level_number(level);
                if title.is_empty() {
                    title = plain.clone();
                }
                pending.push(Event::Html(
                    format!("<h{n} id=\"{}\">", heading_id(&s)).into(),
                ));
                pending.extend(inner);
                pending.push(Event::Html(
                    format!(
                        "<a class=\"anchor\" href=\"#doc={chapter}/{s}\" aria-label=\"Link to this section\">#</a></h{n}>\n"
                    )
                    .into(),
                ));
                headings.push(Heading {
                    level: n,
                    slug: s,
                    text: plain,
                });
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some(LIVE_TAG) =>
            {
                let mut body = String::new();
                for e in events.by_ref() {
                    match e {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => body.push_str(&t),
                        _ => {}
                    }
                }
                flush(&mut pending, &mut segments);
                segments.push(Segment::Live(body));
            }
            other => pending.push(other),
        }
    }
    flush(&mut pending, &mut segments);
    Rendered {
        title,
        headings,
        segments,
    }
}

fn flush(pending: &mut Vec<Event>, segments: &mut Vec<Segment>) {
    if pending.is_empty() {
        return;
    }
    let mut out = String::new();
    html::push_html(&mut out, pending.drain(..));
    // Code blocks may scroll sideways: let the keyboard reach them.
    let out = out.replace("<pre>", "<pre tabindex=\"0\">");
    segments.push(Segment::Html(out));
}

fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_kernel_identifiers_readable() {
        assert_eq!(slug("When `pre_patch` fails"), "when-pre_patch-fails");
        assert_eq!(slug("  Force!  "), "force");
        assert_eq!(slug("???"), "section");
    }

    #[test]
    fn cuts_live_blocks_out_and_anchors_headings() {
        let md =
            "# Title\n\nText.\n\n```klpscope\n% rmmod x\n```\n\n## Next part\n\n```sh\nls\n```\n";
        let r = render("ch", md);
        assert_eq!(r.title, "Title");
        assert_eq!(r.headings.len(), 2);
        assert_eq!(r.headings[1].slug, "next-part");
        assert_eq!(r.segments.len(), 3);
        let Segment::Html(first) = &r.segments[0] else {
            panic!("html first")
        };
        assert!(
            first.contains("<h1 id=\"doc-title\">Title<a class=\"anchor\" href=\"#doc=ch/title\"")
        );
        assert_eq!(r.segments[1], Segment::Live("% rmmod x\n".into()));
        let Segment::Html(last) = &r.segments[2] else {
            panic!("html last")
        };
        assert!(last.contains("<code class=\"language-sh\">"));
    }

    #[test]
    fn duplicate_headings_get_distinct_anchors() {
        let r = render("ch", "## A\n\n## A\n");
        assert_ne!(r.headings[0].slug, r.headings[1].slug);
    }
}
