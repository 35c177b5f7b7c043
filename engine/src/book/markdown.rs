//! Markdown to HTML: the one renderer of the documentation.
//!
//! One parser configuration ([`new_parser`]) and one pass over its events
//! ([`render`]): headings get ids and anchor links, intra-doc links
//! (`#doc=SLUG[/HEADING]`) are written for where the HTML will live
//! ([`Target`]), and fenced blocks tagged `klpscope` are cut out as
//! [`Segment::Live`] so the caller can put a timeline or a transcript
//! there; blocks tagged `klpscope-quiz` (exercises) as [`Segment::Quiz`],
//! and `klpscope-ask` ("can this ever happen?") as [`Segment::Ask`].
//! Markdown events go in, segments come out; nothing else touches
//! Markdown. The site's build step (`app/build.rs`) and `klpscope book`
//! both render with this module.

use crate::ask::{DEFAULT_DEPTH, Named, QUESTIONS, Verb};
use crate::quiz::{Form, QUIZ_TAG, parse_quiz_blocks};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The info string that marks a live scenario block.
pub const LIVE_TAG: &str = "klpscope";

/// The info string of a block of "can this ever happen?" questions
/// ([`ask_html`]): one question id per line, or none for all of them.
pub const ASK_TAG: &str = "klpscope-ask";

/// Where the rendered HTML is shown: decides heading ids and link targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// The site's documentation pane: links stay `#doc=...` fragments.
    App,
    /// A chapter page of the static book (`SLUG.html`); `app` is the URL of
    /// the site, for links that open a scenario in the explorer.
    Page {
        /// The site's address relative to the book, e.g. `../index.html`.
        app: &'a str,
    },
    /// The whole book on one page (`print.html`).
    Print {
        /// The site's address relative to the book.
        app: &'a str,
    },
}

/// A piece of a rendered chapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// HTML rendered from the chapter's Markdown.
    Html(String),
    /// The text of a ```` ```klpscope ```` block: a scenario.
    Live(String),
    /// A ```` ```klpscope-quiz ```` block: the exercise as HTML ([`quiz_html`])
    /// and as the form the site answers it with. (A block that does not
    /// read stays a code block; `klpscope quiz --check` reports it.)
    Quiz {
        /// Title, skill, the session so far, the command, question and hint.
        html: String,
        /// The exercise and the choices of its answer.
        form: Box<Form>,
    },
    /// A ```` ```klpscope-ask ```` block: its questions, by id, and as
    /// HTML ([`ask_html`]) for the pages that are not the site's app.
    Ask {
        /// The ids of its questions (of [`QUESTIONS`]), in order.
        ids: Vec<&'static str>,
        /// The questions as HTML.
        html: String,
    },
}

/// Ends the HTML of a `Q` segment in [`segments_file`]; the form follows.
pub const QUIZ_FORM: char = '\u{1f}';

/// Ends each segment in [`segments_file`].
pub const SEGMENT_END: char = '\u{1e}';

/// A chapter's segments as the site's docs pane fetches them (it loads a
/// chapter when it is opened, not with the app): each segment is `H`
/// (HTML), `L` (a scenario), `Q` (an exercise: its HTML, [`QUIZ_FORM`],
/// the form as [`Form::encode`] writes it) or `A` (questions: their ids,
/// space separated; the site draws them)
/// followed by its text and [`SEGMENT_END`].
pub fn segments_file(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        let quiz;
        let ids;
        let (kind, text) = match s {
            Segment::Html(h) => ('H', h),
            Segment::Live(l) => ('L', l),
            Segment::Quiz { html, form } => {
                let html: String = html.chars().filter(|&c| c != QUIZ_FORM).collect();
                quiz = format!("{html}{QUIZ_FORM}{}", form.encode());
                ('Q', &quiz)
            }
            Segment::Ask { ids: list, .. } => {
                ids = list.join(" ");
                ('A', &ids)
            }
        };
        out.push(kind);
        out.extend(text.chars().filter(|&c| c != SEGMENT_END));
        out.push(SEGMENT_END);
    }
    out
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
    /// Where its element starts: the index of the [`Segment::Html`] and the
    /// byte offset of the `<hN` tag in it. The section runs to the next
    /// heading (the site's search reads section text from there).
    pub at: (usize, usize),
}

/// A rendered chapter.
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

/// The DOM id of a heading in the site and on a chapter page (ids are
/// global in the page, so they carry a prefix no other element uses).
pub fn heading_id(slug: &str) -> String {
    format!("doc-{slug}")
}

/// The DOM id of a heading of chapter `chapter` in the one-page book.
pub fn print_id(chapter: &str, slug: &str) -> String {
    format!("{chapter}--{slug}")
}

/// Whether `s` could be a slug: safe in an id, a file name and a URL.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `&`, `<`, `>`, `"` and `'` as entities: text made safe for HTML
/// content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a chapter for the site's documentation pane. `chapter` is its
/// slug, used in the anchor links.
pub fn render(chapter: &str, text: &str) -> Rendered {
    render_for(Target::App, chapter, text)
}

/// Renders a chapter for `target`.
pub fn render_for(target: Target<'_>, chapter: &str, text: &str) -> Rendered {
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
                    inner.push(link(target, e));
                }
                let plain = plain_text(&inner);
                let mut s = id
                    .map(|i| crate::slug::slug(&i, "section"))
                    .unwrap_or_else(|| crate::slug::slug(&plain, "section"));
                if headings.iter().any(|h| h.slug == s) {
                    s = format!("{s}-{}", headings.len());
                }
                let n = level_number(level);
                if title.is_empty() {
                    title = plain.clone();
                }
                let id = element_id(target, chapter, &s);
                let href = match target {
                    Target::App => format!("#doc={chapter}/{s}"),
                    Target::Page { .. } | Target::Print { .. } => format!("#{id}"),
                };
                pending.push(Event::Html(format!("<h{n} id=\"{}\">", escape(&id)).into()));
                pending.extend(inner);
                pending.push(Event::Html(
                    format!(
                        "<a class=\"anchor\" href=\"{}\" aria-label=\"Link to this section\">#</a></h{n}>\n",
                        escape(&href)
                    )
                    .into(),
                ));
                headings.push(Heading {
                    level: n,
                    slug: s,
                    text: plain,
                    at: (0, 0),
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
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some(QUIZ_TAG) =>
            {
                let (body, inner) = take_block(&mut events);
                let block = format!("```{QUIZ_TAG}\n{body}\n```\n");
                match parse_quiz_blocks(&block).map(|mut v| v.pop()) {
                    Ok(Some(mut ex)) => {
                        // The docs link, written for where the HTML lives.
                        if let Some(url) = ex.docs.as_deref().and_then(|d| rewrite(target, d)) {
                            ex.docs = Some(url);
                        }
                        flush(&mut pending, &mut segments);
                        let form = Form::new(ex);
                        segments.push(Segment::Quiz {
                            html: quiz_html(target, &form),
                            form: Box::new(form),
                        });
                    }
                    _ => {
                        keep_block(&mut pending, info, inner);
                    }
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some(ASK_TAG) =>
            {
                let (body, inner) = take_block(&mut events);
                match ask_questions(&body) {
                    Some(questions) => {
                        flush(&mut pending, &mut segments);
                        segments.push(Segment::Ask {
                            ids: questions.iter().map(|q| q.id).collect(),
                            html: ask_html(target, &questions),
                        });
                    }
                    // An unknown id: the block stays visible as it is.
                    None => {
                        keep_block(&mut pending, info, inner);
                    }
                }
            }
            other => pending.push(link(target, other)),
        }
    }
    flush(&mut pending, &mut segments);
    locate_headings(target, chapter, &mut headings, &segments);
    Rendered {
        title,
        headings,
        segments,
    }
}

/// An exercise as HTML: its title (`id="quiz-ID"`, with a link to the
/// exercise), the skill, the session so far with the command to predict
/// marked, the question, and the hint with the section that explains it
/// folded away. In the site ([`Target::App`]) the question says how to
/// answer; the answer form is the site's own view of the [`Form`]
/// (app/src/components/quiz.rs).
pub fn quiz_html(target: Target<'_>, form: &Form) -> String {
    let ex = &form.exercise;
    let id = escape(&ex.id);
    let href = match target {
        Target::App => format!("#quiz={id}"),
        Target::Page { .. } | Target::Print { .. } => format!("#quiz-{id}"),
    };
    let mut html = String::new();
    html += &format!(
        "<h3 id=\"quiz-{id}\" class=\"quiz-title\" tabindex=\"-1\">{}\
         <a class=\"anchor\" href=\"{href}\" aria-label=\"Link to this exercise\">#</a></h3>\n\
         <p class=\"quiz-skill\">Trains: {}</p>\n\
         <pre class=\"quiz-session\" tabindex=\"0\"><code>{}<mark>% {}</mark></code></pre>\n<p>{}",
        escape(&ex.title),
        escape(&ex.skill),
        escape(if ex.prefix.is_empty() {
            "# nothing loaded yet\n"
        } else {
            &ex.prefix
        }),
        escape(&ex.command),
        escape(ex.ask.as_deref().unwrap_or(crate::quiz::QUESTION)),
    );
    if target == Target::App {
        html.push_str(
            " Answer with one row per callback, in the order they run (no row if none \
             runs), and the console outcome; then check.",
        );
    }
    html.push_str("</p>\n");
    if ex.hint.is_some() || ex.docs.is_some() {
        html.push_str("<details class=\"hint\"><summary>hint</summary><p>");
        if let Some(h) = &ex.hint {
            html.push_str(&escape(h));
            html.push(' ');
        }
        if let Some(d) = &ex.docs {
            html.push_str(&format!(
                "<a href=\"{}\">The section that explains it.</a>",
                escape(d)
            ));
        }
        html.push_str("</p></details>\n");
    }
    html
}

/// The text of a fenced block and its events up to its end (which is
/// consumed), for a block that may have to stay as it is ([`keep_block`]).
fn take_block<'a>(events: &mut Parser<'a>) -> (String, Vec<Event<'a>>) {
    let mut body = String::new();
    let mut inner = Vec::new();
    for e in events.by_ref() {
        if let Event::Text(t) = &e {
            body.push_str(t);
        }
        if matches!(e, Event::End(TagEnd::CodeBlock)) {
            break;
        }
        inner.push(e);
    }
    (body, inner)
}

/// Puts a block [`take_block`] took back as a plain code block.
fn keep_block<'a>(pending: &mut Vec<Event<'a>>, info: CowStr<'a>, inner: Vec<Event<'a>>) {
    pending.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))));
    pending.extend(inner);
    pending.push(Event::End(TagEnd::CodeBlock));
}

/// The questions an ask block names, one id per line (all of them when
/// it names none); `None` if a line is not a question's id.
pub fn ask_questions(body: &str) -> Option<Vec<&'static Named>> {
    let ids: Vec<&str> = body.split_whitespace().collect();
    if ids.is_empty() {
        return Some(QUESTIONS.iter().collect());
    }
    ids.iter()
        .map(|id| QUESTIONS.iter().find(|n| n.id == *id))
        .collect()
}

/// "Can this ever happen?" as HTML: each question with its kernel reason.
/// In the site ([`Target::App`]) a depth select comes first, each question
/// has an ask button (`data-ask="ID"`), a builder follows ("can CALLBACK
/// run on OBJECT seeing STATE after COMMAND?", its choices the engine's,
/// `data-ask="build"`) and then the box the answer is written into,
/// which the site moves under the question asked. Elsewhere each question
/// shows the `klpscope explore --ask` command that answers it.
pub fn ask_html(target: Target<'_>, questions: &[&Named]) -> String {
    use crate::event::ModuleState;
    let app = target == Target::App;
    let mut html = String::new();
    if app {
        html.push_str(
            "<p class=\"ask-depth\"><label>Explore every sequence of up to <select name=\"depth\">",
        );
        for d in [4, 6, 8, 10] {
            let selected = if d == DEFAULT_DEPTH { " selected" } else { "" };
            html.push_str(&format!("<option value=\"{d}\"{selected}>{d}</option>"));
        }
        html.push_str("</select> commands</label></p>\n");
    }
    html.push_str("<ol class=\"ask-list\">\n");
    for n in questions {
        let id = escape(n.id);
        html.push_str(&format!(
            "<li id=\"ask-{id}\"><p class=\"ask-q\">{}</p>\n<p class=\"ask-reason\">Kernel: {}</p>\n",
            escape(n.text),
            escape(n.reason)
        ));
        if app {
            html.push_str(&format!(
                "<p><button type=\"button\" data-ask=\"{id}\">ask</button></p></li>\n"
            ));
        } else {
            html.push_str(&format!(
                "<pre tabindex=\"0\"><code>klpscope explore --ask {id}</code></pre></li>\n"
            ));
        }
    }
    html.push_str("</ol>\n");
    if !app {
        html.push_str(
            "<p>Or ask your own: <code>klpscope explore --ask 'CALLBACK [on OBJECT] \
             [seeing STATE] [after insmod|rmmod|enable|disable|force|param]'</code>.</p>\n",
        );
        return html;
    }
    html.push_str("<p class=\"ask-builder\">Or build one: can ");
    callback_select(&mut html);
    html.push_str(" run on ");
    let objects = crate::ask::objects();
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    select(&mut html, "object", "object", Some("any object"), &objects);
    html.push_str(" seeing ");
    let states = [
        ModuleState::Coming,
        ModuleState::Live,
        ModuleState::Going,
        ModuleState::Unformed,
    ];
    select(
        &mut html,
        "state",
        "module state it sees",
        Some("any state"),
        &states.map(ModuleState::name),
    );
    html.push_str(" after ");
    select(
        &mut html,
        "after",
        "command",
        Some("any command"),
        &Verb::ALL.map(Verb::word),
    );
    html.push_str("? <button type=\"button\" data-ask=\"build\">ask</button></p>\n");
    html.push_str(
        "<div class=\"ask-out\" data-testid=\"ask-out\" hidden>\
         <p class=\"ask-progress\" role=\"status\" data-testid=\"ask-progress\" hidden>\
         <progress max=\"1\" value=\"0\" aria-label=\"depth explored\"></progress> <span></span> \
         <button type=\"button\" data-ask=\"cancel\">cancel</button></p>\
         <div class=\"ask-answer\" aria-live=\"polite\" data-testid=\"ask-answer\"></div></div>\n",
    );
    html
}

/// A select of the four callbacks, named `callback`.
fn callback_select(html: &mut String) {
    use crate::event::CallbackKind;
    select(
        html,
        "callback",
        "callback",
        None,
        &CallbackKind::ALL.map(CallbackKind::name),
    );
}

/// A `<select name=NAME>` of `values` (each its own value), after an
/// option of value "" reading `none` if given.
fn select(html: &mut String, name: &str, label: &str, none: Option<&str>, values: &[&str]) {
    html.push_str(&format!("<select name=\"{name}\" aria-label=\"{label}\">"));
    if let Some(none) = none {
        html.push_str(&format!("<option value=\"\">{none}</option>"));
    }
    for v in values {
        let v = escape(v);
        html.push_str(&format!("<option value=\"{v}\">{v}</option>"));
    }
    html.push_str("</select>");
}

/// Sets [`Heading::at`]: heading ids are unique within the chapter, so
/// each `<hN id="...">` tag is found once, in order.
fn locate_headings(
    target: Target<'_>,
    chapter: &str,
    headings: &mut [Heading],
    segments: &[Segment],
) {
    let (mut seg, mut from) = (0, 0);
    for h in headings {
        let tag = format!(
            "<h{} id=\"{}\">",
            h.level,
            escape(&element_id(target, chapter, &h.slug))
        );
        while let Some(segment) = segments.get(seg) {
            if let Segment::Html(html) = segment
                && let Some(i) = html.get(from..).and_then(|rest| rest.find(&tag))
            {
                h.at = (seg, from + i);
                from += i + tag.len();
                break;
            }
            seg += 1;
            from = 0;
        }
    }
}

/// The DOM id of heading `slug` of `chapter` in `target`.
fn element_id(target: Target<'_>, chapter: &str, slug: &str) -> String {
    match target {
        Target::App | Target::Page { .. } => heading_id(slug),
        Target::Print { .. } => print_id(chapter, slug),
    }
}

/// Rewrites an intra-doc link for `target`.
fn link<'e>(target: Target<'_>, event: Event<'e>) -> Event<'e> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = match rewrite(target, &dest_url) {
                Some(url) => CowStr::from(url),
                None => dest_url,
            };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    }
}

/// The address of an intra-doc link `url` in `target`, if it changes:
/// `#doc=SLUG` and `#doc=SLUG/HEADING` point at the book's own pages, and
/// any other fragment (a scenario, `#s=...`) at the explorer.
pub fn rewrite(target: Target<'_>, url: &str) -> Option<String> {
    let fragment = url.strip_prefix('#')?;
    let (app, print) = match target {
        Target::App => return None,
        Target::Page { app } => (app, false),
        Target::Print { app } => (app, true),
    };
    let doc = fragment
        .strip_prefix("doc=")
        .filter(|d| !d.contains('&'))
        .map(|d| d.split_once('/').unwrap_or((d, "")))
        .filter(|(c, h)| is_slug(c) && (h.is_empty() || is_slug(h)));
    Some(match doc {
        Some((chapter, "")) if print => format!("#{chapter}"),
        Some((chapter, heading)) if print => format!("#{}", print_id(chapter, heading)),
        Some((chapter, "")) => format!("{chapter}.html"),
        Some((chapter, heading)) => format!("{chapter}.html#{}", heading_id(heading)),
        None => format!("{app}#{fragment}"),
    })
}

fn flush(pending: &mut Vec<Event>, segments: &mut Vec<Segment>) {
    if pending.is_empty() {
        return;
    }
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, pending.drain(..));
    // Code blocks may scroll sideways: let the keyboard reach them.
    let out = out.replace("<pre>", "<pre tabindex=\"0\">");
    segments.push(Segment::Html(out));
}

/// The plain text of inline events (a heading's text).
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
mod tests;
