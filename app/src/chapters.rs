//! The documentation, in reading order (`content/SUMMARY`). build.rs
//! renders each chapter with the engine's Markdown renderer
//! (`klpscope_engine::book::markdown`, the one `klpscope book` uses) when
//! the app is built and compiles in the table of contents: titles and
//! headings. A chapter's HTML and scenario blocks are loaded when it is
//! first shown ([`Docs`]), from `book/segments/SLUG.txt`, written by the
//! same renderer, so the wasm carries neither a Markdown parser nor the
//! text of every chapter; the opening chapter comes with the page
//! ([`crate::prerender`]). The headings double as the search index: each
//! knows where its section starts in the HTML ([`section_text`]).

use leptos::prelude::*;
use std::sync::Arc;

/// One chapter's table of contents.
pub struct Chapter {
    /// Its address in links: `#doc=<slug>`.
    pub slug: &'static str,
    /// The text of its first heading.
    pub title: &'static str,
    /// Every heading, in order.
    pub headings: &'static [Heading],
    /// The ids of its exercises, space-separated.
    pub quizzes: &'static str,
}

/// A heading of a chapter.
pub struct Heading {
    /// 1 for `#`, 2 for `##`, ...
    pub level: u8,
    /// Its anchor within the chapter.
    pub slug: &'static str,
    /// Its plain text.
    pub text: &'static str,
    /// Where its element starts: (index of the [`Segment::Html`], byte
    /// offset of its `<hN` tag). Its section runs to the next heading.
    pub at: (usize, usize),
}

/// A piece of a chapter (the engine's `book::markdown::Segment`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Trusted HTML rendered from `content/*.md` by the site's own build.
    Html(String),
    /// The scenario text of a ```` ```klpscope ```` block.
    Live(String),
    /// An exercise: its text and answer form as HTML (trusted, as `Html`),
    /// and the exercise itself (the chapter file carries it as the engine's
    /// `quiz::Form::encode` writes it, after U+001F).
    Quiz {
        /// The exercise's text and answer form.
        html: String,
        /// The exercise and the choices its form offers.
        form: Arc<klpscope_engine::quiz::Form>,
    },
    /// "Can this ever happen?": the ids of its questions
    /// (`klpscope_engine::ask::QUESTIONS`), drawn by the ask panel.
    Ask(Vec<String>),
}

/// Ends each segment of a chapter file (the engine's
/// `book::markdown::SEGMENT_END`).
const SEGMENT_END: char = '\u{1e}';

/// Parts an exercise's HTML from its form (the engine's
/// `book::markdown::QUIZ_FORM`).
const QUIZ_FORM: char = '\u{1f}';

/// Reads a chapter file (`book::markdown::segments_file`): each segment is
/// `H`, `L`, `Q` or `A`, its text, then [`SEGMENT_END`]. Anything else is an error.
pub fn parse_segments(file: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut rest = file;
    while !rest.is_empty() {
        let Some(end) = rest.find(SEGMENT_END) else {
            return Err("the chapter file ends in the middle of a segment".into());
        };
        let (piece, after) = (&rest[..end], &rest[end + SEGMENT_END.len_utf8()..]);
        segments.push(match piece.chars().next() {
            Some('H') => Segment::Html(piece[1..].to_string()),
            Some('L') => Segment::Live(piece[1..].to_string()),
            Some('Q') => {
                let Some((html, form)) = piece[1..].split_once(QUIZ_FORM) else {
                    return Err("an exercise of the chapter file has no form".into());
                };
                Segment::Quiz {
                    html: html.to_string(),
                    form: Arc::new(klpscope_engine::quiz::Form::decode(form)),
                }
            }
            Some('A') => Segment::Ask(piece[1..].split_whitespace().map(str::to_string).collect()),
            _ => return Err("the chapter file is not one of the site's".into()),
        });
        rest = after;
    }
    Ok(segments)
}

/// The text of the questions `ids` and their kernel reasons, for the
/// search.
fn ask_text(ids: &[String]) -> String {
    klpscope_engine::ask::QUESTIONS
        .iter()
        .filter(|n| ids.iter().any(|id| id == n.id))
        .map(|n| format!("<p>{} Kernel: {}</p>", n.text, n.reason))
        .collect()
}

/// A chapter's content as far as it has been loaded.
pub type Loaded = Option<Result<Arc<Vec<Segment>>, String>>;

/// The chapters' content, loaded on demand and kept for the visit.
#[derive(Clone, Copy)]
pub struct Docs {
    loaded: RwSignal<Vec<Loaded>>,
    requested: StoredValue<Vec<bool>>,
}

impl Docs {
    /// The one instance of the page.
    pub fn get() -> Docs {
        thread_local! {
            static DOCS: Docs = {
                let mut loaded = vec![None; CHAPTERS.len()];
                let mut requested = vec![false; CHAPTERS.len()];
                // The chapter the build prerendered is in the page already.
                if let Some((i, segments)) = crate::prerender::chapter() {
                    loaded[i] = Some(Ok(Arc::new(segments)));
                    requested[i] = true;
                }
                Docs {
                    loaded: RwSignal::new(loaded),
                    requested: StoredValue::new(requested),
                }
            };
        }
        DOCS.with(|d| *d)
    }

    /// Chapter `i` as far as it is loaded (tracked).
    pub fn chapter(&self, i: usize) -> Loaded {
        self.loaded.with(|l| l.get(i).cloned().flatten())
    }

    /// Every chapter loaded so far (tracked), by index.
    pub fn all(&self) -> Vec<Loaded> {
        self.loaded.get()
    }

    /// Starts loading chapter `i` unless it is loaded or on its way.
    pub fn request(&self, i: usize) {
        let Some(c) = CHAPTERS.get(i) else { return };
        let first = self
            .requested
            .try_update_value(|r| !std::mem::replace(&mut r[i], true));
        if first != Some(true) {
            return;
        }
        let loaded = self.loaded;
        let url = format!("book/segments/{}.txt", c.slug);
        leptos::task::spawn_local(async move {
            let result = fetch_text(&url)
                .await
                .and_then(|t| parse_segments(&t))
                .map(Arc::new);
            loaded.update(|l| l[i] = Some(result));
        });
    }

    /// Starts loading every chapter (for the search).
    pub fn request_all(&self) {
        for i in 0..CHAPTERS.len() {
            self.request(i);
        }
    }
}

/// GETs `url` (relative to the page) as text.
pub(crate) async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = |what: &str| format!("{what} {url}");
    let response = JsFuture::from(window().fetch_with_str(url))
        .await
        .map_err(|_| failed("could not fetch"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| failed("no response for"))?;
    if !response.ok() {
        return Err(format!(
            "{} (HTTP {})",
            failed("could not fetch"),
            response.status()
        ));
    }
    let text = response.text().map_err(|_| failed("could not read"))?;
    let text = JsFuture::from(text)
        .await
        .map_err(|_| failed("could not read"))?;
    text.as_string().ok_or_else(|| failed("not text:"))
}

/// The table of contents: this order is the reading order.
pub static CHAPTERS: &[Chapter] = include!(concat!(env!("OUT_DIR"), "/chapters.rs"));

/// The index of the chapter with this slug.
pub fn find(slug: &str) -> Option<usize> {
    CHAPTERS.iter().position(|c| c.slug == slug)
}

/// The chapter that holds the exercise `id`.
pub fn find_quiz(id: &str) -> Option<usize> {
    CHAPTERS
        .iter()
        .position(|c| c.quizzes.split_whitespace().any(|q| q == id))
}

/// The DOM id of a heading, as the renderer writes it (the engine's
/// `book::markdown::heading_id`; the app does not link the renderer).
pub fn heading_id(slug: &str) -> String {
    format!("doc-{slug}")
}

/// The plain text of section `h` of `chapter`, its heading left out: the
/// embedded HTML from the heading to the next one, without tags, with the
/// text of its exercises. Scenario blocks are not part of it.
pub fn section_text(chapter: &Chapter, segments: &[Segment], h: usize) -> String {
    let Some(heading) = chapter.headings.get(h) else {
        return String::new();
    };
    let (seg0, off0) = heading.at;
    let (seg1, off1) = chapter
        .headings
        .get(h + 1)
        .map_or((segments.len(), 0), |next| next.at);
    let mut text = String::new();
    let mut asked;
    for (i, segment) in segments.iter().enumerate().take(seg1 + 1).skip(seg0) {
        let html = match segment {
            Segment::Html(html) => html.as_str(),
            // An exercise's text (title, session, question, hint); its
            // answer form is the Quiz view's own.
            Segment::Quiz { html, .. } => html.as_str(),
            // The questions and their reasons.
            Segment::Ask(ids) => {
                asked = ask_text(ids);
                asked.as_str()
            }
            Segment::Live(_) => continue,
        };
        let from = if i == seg0 { off0 } else { 0 };
        let to = if i == seg1 { off1 } else { html.len() };
        let Some(mut part) = html.get(from..to.max(from)) else {
            continue;
        };
        if i == seg0 {
            // Skip the heading element itself.
            let close = format!("</h{}>", heading.level);
            part = part.find(&close).map_or("", |j| &part[j + close.len()..]);
        }
        strip_tags(part, &mut text);
        text.push(' ');
    }
    collapse_spaces(&text)
}

/// Appends the text of trusted HTML (the renderer's output) to `out`:
/// tags dropped (block ends become a space), entities decoded.
fn strip_tags(html: &str, out: &mut String) {
    let mut rest = html;
    while let Some(lt) = rest.find(['<', '&']) {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let name = rest[1..end]
                .trim_start_matches('/')
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or("");
            if !matches!(
                name,
                "a" | "code" | "em" | "strong" | "del" | "sup" | "sub" | "kbd" | "i" | "b" | "span"
            ) {
                out.push(' ');
            }
            rest = &rest[end..];
        } else {
            let end = rest.find(';').filter(|&e| e <= 10);
            let decoded = end.and_then(|e| entity(&rest[1..e]));
            match (end, decoded) {
                (Some(e), Some(c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
}

/// The character of an entity name (without `&` and `;`).
fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The heading `heading` of chapter `chapter`, if both exist.
pub fn heading(chapter: &str, heading: &str) -> Option<&'static Heading> {
    CHAPTERS[find(chapter)?]
        .headings
        .iter()
        .find(|h| h.slug == heading)
}

/// Every chapter as the site fetches it, without a browser: rendered by
/// the engine's book, written as a chapter file and read back (tests).
#[cfg(test)]
pub(crate) fn load_natively() -> Vec<Arc<Vec<Segment>>> {
    use klpscope_engine::book::{Book, markdown};
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let book = Book::load(&content).expect("content/ loads");
    assert_eq!(book.chapters.len(), CHAPTERS.len());
    book.chapters
        .iter()
        .zip(CHAPTERS)
        .map(|(b, c)| {
            assert_eq!(b.slug, c.slug);
            let r = markdown::render(&b.slug, &b.source);
            let file = markdown::segments_file(&r.segments);
            Arc::new(parse_segments(&file).expect("a chapter file reads back"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded() -> Vec<(&'static Chapter, Vec<Segment>)> {
        CHAPTERS
            .iter()
            .zip(load_natively())
            .map(|(c, s)| (c, s.to_vec()))
            .collect()
    }

    #[test]
    fn a_chapter_file_that_is_not_one_reads_as_an_error() {
        assert!(parse_segments("<html>404</html>").is_err());
        assert!(parse_segments("Hunterminated").is_err());
        assert_eq!(
            parse_segments("Hx\u{1e}L% rmmod m\n\u{1e}Apost-patch-twice two-transitions\u{1e}"),
            Ok(vec![
                Segment::Html("x".into()),
                Segment::Live("% rmmod m\n".into()),
                Segment::Ask(vec!["post-patch-twice".into(), "two-transitions".into()])
            ])
        );
    }

    #[test]
    fn every_chapter_has_a_title_and_unique_slug() {
        assert!(!CHAPTERS.is_empty());
        for (i, c) in CHAPTERS.iter().enumerate() {
            assert!(!c.title.is_empty(), "{} has no title", c.slug);
            assert_eq!(find(c.slug), Some(i));
        }
    }

    #[test]
    fn every_heading_points_at_its_element() {
        for (c, segments) in loaded() {
            for h in c.headings {
                let Some(Segment::Html(html)) = segments.get(h.at.0) else {
                    panic!("{}: {} points at no HTML", c.slug, h.slug)
                };
                let tag = format!("<h{} id=\"{}\">", h.level, heading_id(h.slug));
                assert!(html[h.at.1..].starts_with(&tag), "{}: {}", c.slug, h.slug);
            }
        }
    }

    #[test]
    fn section_text_is_the_prose_without_markup() {
        static HEADINGS: &[Heading] = &[
            Heading {
                level: 1,
                slug: "t",
                text: "T",
                at: (0, 0),
            },
            Heading {
                level: 2,
                slug: "a",
                text: "A",
                at: (0, 54),
            },
            Heading {
                level: 2,
                slug: "b",
                text: "B",
                at: (3, 0),
            },
        ];
        let segments = [
            Segment::Html(
                "<h1 id=\"doc-t\">T<a class=\"anchor\">#</a></h1>\n<p>x</p>\n<h2 id=\"doc-a\">A</h2>\n<p>One <code>a&amp;b</code> &lt;c&gt;</p><p>two&#39;s</p>\n".into(),
            ),
            Segment::Live("% rmmod m\n".into()),
            Segment::Quiz {
                html: "<h3 id=\"quiz-q\">Q &amp; A</h3>".into(),
                form: Arc::new(klpscope_engine::quiz::Form::decode("q\n")),
            },
            Segment::Html("<h2 id=\"doc-b\">B</h2><table><tr><td>l</td><td>r</td></tr></table>".into()),
        ];
        let c = Chapter {
            slug: "c",
            title: "T",
            headings: HEADINGS,
            quizzes: "",
        };
        let Segment::Html(first) = &segments[0] else {
            unreachable!()
        };
        assert!(first[54..].starts_with("<h2"));
        assert_eq!(section_text(&c, &segments, 0), "x");
        assert_eq!(section_text(&c, &segments, 1), "One a&b <c> two's Q & A");
        assert_eq!(section_text(&c, &segments, 2), "l r");
        assert_eq!(section_text(&c, &segments, 3), "");
    }

    #[test]
    fn every_live_block_runs() {
        for (c, segments) in loaded() {
            for seg in &segments {
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
    fn every_exercise_can_be_answered_right_with_its_form() {
        use klpscope_engine::quiz;
        let mut n = 0;
        for (c, segments) in loaded() {
            for seg in &segments {
                let Segment::Quiz { html, form } = seg else {
                    continue;
                };
                assert!(html.contains(&format!("id=\"quiz-{}\"", form.exercise.id)));
                let ex = &form.exercise;
                assert_eq!(find_quiz(&ex.id), find(c.slug), "{}", ex.id);
                let solution = quiz::expected(ex).unwrap_or_else(|e| panic!("{}: {e}", ex.id));
                // The selects offer every object and patch of the right answer.
                for call in &solution.answer.calls {
                    assert!(form.objects.contains(&call.object), "{}: {call}", ex.id);
                    if form.patches.len() > 1 {
                        assert!(
                            form.patches.contains(call.patch.as_ref().unwrap()),
                            "{}",
                            ex.id
                        );
                    }
                }
                assert!(
                    quiz::grade(ex, &solution.answer).unwrap().passed,
                    "{}",
                    ex.id
                );
                n += 1;
            }
        }
        let listed: usize = CHAPTERS
            .iter()
            .map(|c| c.quizzes.split_whitespace().count())
            .sum();
        assert_eq!(n, listed);
        assert!(n >= 25, "{n} exercises");
        assert_eq!(find_quiz(""), None);
        assert_eq!(find_quiz("no-such-exercise"), None);
    }

    #[test]
    fn cross_references_point_at_existing_headings() {
        for (c, segments) in loaded() {
            for seg in &segments {
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
