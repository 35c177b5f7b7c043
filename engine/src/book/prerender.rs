//! The site's first paint: the page shell and the opening chapter, written
//! into the built `index.html` (`klpscope book --prerender FILE`), so the
//! text shows while the wasm is on its way. The app removes it and mounts
//! itself in the same task (`app/src/main.rs`), so no frame shows neither.
//!
//! The markup mirrors what the app draws at its start (the header of
//! `app/src/lib.rs`, the docs pane of `app/src/components/docs_pane.rs`,
//! the explorer pane's title), element for element where it takes space,
//! so the takeover moves nothing; `e2e/prerender.test.mjs` compares the
//! two. A scenario block shows its commands and, folded, its transcript;
//! the space of its timeline is kept by CSS (`.prerender-timeline`).
//!
//! With the chapter goes its segments file ([`markdown::segments_file`]),
//! in a `<script type="text/plain">`, which the app reads instead of
//! fetching it: the app's first frame has the chapter, not "Loading…".
//!
//! Everything here is build output: Markdown of `content/` rendered by
//! the one renderer, and escaped text. Nothing comes from a visitor.

use super::Book;
use super::markdown::{self, Rendered, Segment, escape};
use std::fmt::Write as _;

/// The id of the element that holds the prerendered page.
pub const ROOT: &str = "prerender";

/// The id of the `<script type="text/plain">` that carries the prerendered
/// chapter's segments file (its `data-slug` names the chapter).
pub const SEGMENTS: &str = "prerender-segments";

/// `index_html` (the page trunk built) with the shell and chapter
/// `chapter` of `book` at the start of its `<body>`.
pub fn insert(book: &Book, chapter: usize, index_html: &str) -> Result<String, String> {
    let body = match index_html.match_indices("<body>").count() {
        1 => index_html.find("<body>").unwrap_or_default() + "<body>".len(),
        n => return Err(format!("the page has {n} <body> tags, expected one")),
    };
    if index_html.contains(&format!("id={ROOT}")) || index_html.contains(&format!("id=\"{ROOT}\""))
    {
        return Err("the page is prerendered already".into());
    }
    let html = page(book, chapter)?;
    Ok(format!(
        "{}{html}{}",
        &index_html[..body],
        &index_html[body..]
    ))
}

/// The prerendered page: the shell, chapter `chapter`, its segments file.
pub fn page(book: &Book, chapter: usize) -> Result<String, String> {
    let Some(c) = book.chapters.get(chapter) else {
        return Err(format!("no chapter {chapter}"));
    };
    let pages: Vec<Rendered> = book
        .chapters
        .iter()
        .map(|c| markdown::render(&c.slug, &c.source))
        .collect();
    let page = &pages[chapter];
    let mut html = format!("<div id=\"{ROOT}\">\n");
    html.push_str(SKIP_AND_HEADER);
    html.push_str(
        "<main class=\"panes\">\n<section class=\"pane docs\" id=\"docs\" aria-labelledby=\"docs-h\">\n\
         <h1 id=\"docs-h\" class=\"visually-hidden\">Documentation</h1>\n",
    );
    html.push_str(NOSCRIPT_DOCS);
    html.push_str(SEARCH);
    html.push_str("<div class=\"docs-body\">\n");
    html.push_str(&nav(book, &pages, chapter));
    html.push_str(&choose_script(book, &pages, chapter));
    html.push_str("<article class=\"chapter\">\n");
    for segment in &page.segments {
        match segment {
            Segment::Html(h) => {
                let _ = write!(html, "<div>{h}</div>");
            }
            Segment::Live(text) => html.push_str(&live(text)),
            Segment::Quiz { html: h, .. } => {
                let _ = write!(html, "<section class=\"quiz\">{h}</section>");
            }
            Segment::Ask { html: h, .. } => {
                let _ = write!(html, "<div>{h}</div>");
            }
        }
    }
    html.push_str(&prev_next(book, &pages, chapter));
    html.push_str("</article>\n</div>\n</section>\n");
    html.push_str(EXPLORER);
    html.push_str("</main>\n");
    html.push_str(&section_script(&c.slug));
    html.push_str("</div>\n");
    // The chapter as the app would fetch it, unless it holds what would
    // end the element early (then the app fetches it).
    let file = markdown::segments_file(&page.segments);
    if !file.to_ascii_lowercase().contains("</script") {
        let _ = writeln!(
            html,
            "<script type=\"text/plain\" id=\"{SEGMENTS}\" data-slug=\"{}\">{file}</script>",
            escape(&c.slug)
        );
    }
    Ok(html)
}

/// The skip link and the top bar, as `App` and `Header` draw them; the
/// tools do nothing until the app has taken over (and are hidden without
/// JavaScript).
const SKIP_AND_HEADER: &str = "<a class=\"skip\" href=\"#explorer-h\">Skip to the explorer</a>\n\
<header class=\"top\"><div class=\"brand\"><span class=\"logo\" aria-hidden=\"true\">▷▶◁◀</span>\
<span class=\"name\">klpscope</span><span class=\"tagline\">livepatch (un)patch callbacks, replayed</span></div>\
<nav class=\"jump\" aria-label=\"Panes\"><a href=\"#docs-h\">Docs</a><a href=\"#explorer-h\">Explorer</a></nav>\
<div class=\"tools\"><label class=\"theme\">theme <select><option value=\"auto\">auto</option>\
<option value=\"light\">light</option><option value=\"dark\">dark</option></select></label>\
<button>copy transcript</button><button>copy link</button>\
<button title=\"Or paste a kernel log anywhere on the page\">check a kernel log…</button>\
<details class=\"mail-menu\"><summary>for mail</summary></details>\
<button aria-label=\"Keyboard shortcuts\" title=\"Keyboard shortcuts (?)\">?</button>\
<span class=\"status\"></span></div></header>\n";

/// What a reader without JavaScript is told, at the top of the docs (the
/// controls that need the app are hidden for them by `style/main.css`,
/// `@media (scripting: none)`).
const NOSCRIPT_DOCS: &str = "<noscript><p class=\"noscript\">Without JavaScript this page shows its first chapter and no explorer. \
<a href=\"book/index.html\">Read the documentation as plain pages</a>: every chapter, each \
scenario with the transcript the model computes.</p></noscript>\n";

/// The search box, as `Search` draws it.
const SEARCH: &str = "<div class=\"search\" role=\"search\">\
<label for=\"search-box\" class=\"visually-hidden\">Search the documentation</label>\
<input id=\"search-box\" type=\"search\" placeholder=\"Search the docs ( / )\" autocomplete=\"off\" \
spellcheck=\"false\" aria-keyshortcuts=\"/\"></div>\n";

/// The explorer pane until the app draws it.
const EXPLORER: &str = "<section class=\"pane explorer\" id=\"explorer\" aria-labelledby=\"explorer-h\">\
<h1 id=\"explorer-h\" class=\"pane-title\">Explorer</h1>\
<noscript><p>The explorer needs JavaScript and WebAssembly to replay scenarios.</p></noscript>\
<p class=\"muted prerender-loading\">Loading the explorer…</p></section>\n";

/// The chapter list, chapter `current` marked with its sections.
fn nav(book: &Book, pages: &[Rendered], current: usize) -> String {
    let mut html = String::from("<nav class=\"chapters\" aria-label=\"Chapters\"><ol>");
    for (i, (c, page)) in book.chapters.iter().zip(pages).enumerate() {
        let here = i == current;
        let _ = write!(
            html,
            "<li{}><a href=\"#doc={}\"{}>{} {}</a>",
            if here { " class=\"current\"" } else { "" },
            escape(&c.slug),
            if here { " aria-current=\"page\"" } else { "" },
            i + 1,
            escape(&page.title)
        );
        if here {
            html.push_str("<ol class=\"sections\">");
            for h in page.headings.iter().filter(|h| h.level == 2) {
                let _ = write!(
                    html,
                    "<li><a href=\"#doc={}/{}\">{}</a></li>",
                    escape(&c.slug),
                    escape(&h.slug),
                    escape(&h.text)
                );
            }
            html.push_str("</ol>");
        }
        html.push_str("</li>");
    }
    html.push_str("</ol></nav>\n");
    html
}

/// A script run before the chapter is parsed, and again when the address
/// changes before the app has taken over (a click in the chapter list):
/// when the address asks for another chapter (`#doc=`, `#quiz=`), the
/// chapter's text is hidden, "Loading “TITLE”…" shown as the app shows it,
/// and the chapter list marks the one asked for, so the opening chapter
/// never shows before it; for `&embed`, the page is hidden (the embed view
/// is all the app draws). The titles are the build's, escaped for a script.
fn choose_script(book: &Book, pages: &[Rendered], current: usize) -> String {
    let mut titles = String::from("{");
    for (i, (c, page)) in book.chapters.iter().zip(pages).enumerate() {
        if i > 0 {
            titles.push(',');
        }
        let _ = write!(titles, "{}:{}", js_string(&c.slug), js_string(&page.title));
    }
    titles.push('}');
    format!(
        "<script>(function(){{var t={titles},d=document.documentElement;\
function f(){{if(!document.getElementById('{ROOT}'))return removeEventListener('hashchange',f);\
var h=location.hash.slice(1).split('&'),c=null;\
if(h.indexOf('embed')>=0){{d.classList.add('prerender-embed');return}}\
h.forEach(function(p){{var kv=p.split('='),s=(kv[1]||'').split('/')[0];if(kv[0]==='doc'&&t.hasOwnProperty(s))c=s;if(kv[0]==='quiz')c='';}});\
var o=c!==null&&c!=={here};d.classList.toggle('prerender-other',o);\
if(o)d.style.setProperty('--prerender-loading',JSON.stringify(c?'Loading \\u201c'+t[c]+'\\u201d\\u2026':'Loading the chapter\\u2026'));\
var n=document.querySelectorAll('#{ROOT} nav.chapters > ol > li'),k='#doc='+(o?c:{here});\
for(var i=0;i<n.length;i++){{var a=n[i].firstChild,on=a.getAttribute('href')===k;n[i].className=on?'current':'';\
if(on)a.setAttribute('aria-current','page');else a.removeAttribute('aria-current');}}}}\
f();addEventListener('hashchange',f);}})();</script>\n",
        here = js_string(&book.chapters[current].slug),
    )
}

/// A script run once the page is parsed: a link to one of its sections
/// (`#doc=SLUG/HEADING`) scrolls to it, as the app will, so the app's own
/// scroll there after taking over does not move the text.
fn section_script(slug: &str) -> String {
    format!(
        "<script>(function(){{var m=location.hash.match(/(?:^#|&)doc=([^&\\/]*)\\/([^&]*)/);\
if(m&&m[1]==={}){{var e=document.getElementById('doc-'+m[2]);if(e)e.scrollIntoView({{block:'start'}});}}}})();</script>\n",
        js_string(slug)
    )
}

/// `s` as a JavaScript string literal that is safe inside `<script>`.
fn js_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A scenario block as `LiveBlock` draws it, its timeline's place kept
/// empty (the app draws the timeline), its transcript folded.
fn live(text: &str) -> String {
    let Ok(run) = crate::run_text(text) else {
        // The app shows the parse error; the build's warnings name it.
        return "<figure class=\"live\"></figure>\n".into();
    };
    let commands: Vec<String> = run
        .steps
        .iter()
        .map(|s| format!("% {}", s.command))
        .collect();
    format!(
        "<figure class=\"live\"><pre class=\"live-commands\" tabindex=\"0\"><code>{}</code></pre>\
<div class=\"timeline-box compact prerender-timeline\"></div>\
<figcaption><details class=\"log\"><summary>kernel log</summary>\
<pre class=\"live-log\" tabindex=\"0\">{}</pre></details>\
<button class=\"open\">open in explorer →</button></figcaption></figure>\n",
        escape(&commands.join("\n")),
        escape(&crate::render::log(&run))
    )
}

/// Links to the neighbouring chapters, as `PrevNext` draws them.
fn prev_next(book: &Book, pages: &[Rendered], i: usize) -> String {
    let link = |j: usize, rel: &str| {
        let title = escape(&pages[j].title);
        let label = if rel == "prev" {
            format!("← {title}")
        } else {
            format!("{title} →")
        };
        format!(
            "<a class=\"{rel}\" rel=\"{rel}\" href=\"#doc={}\">{label}</a>",
            escape(&book.chapters[j].slug)
        )
    };
    format!(
        "<nav class=\"prev-next\" aria-label=\"Previous and next chapter\">{}<span></span>{}</nav>\n",
        i.checked_sub(1)
            .map(|p| link(p, "prev"))
            .unwrap_or_default(),
        book.chapters
            .get(i + 1)
            .map(|_| link(i + 1, "next"))
            .unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Chapter;

    fn book() -> Book {
        let chapter = |slug: &str, source: &str| Chapter {
            slug: slug.into(),
            path: format!("{slug}.md").into(),
            source: source.into(),
        };
        Book {
            chapters: vec![
                chapter(
                    "one",
                    "# One <&>\n\nText.\n\n## A part\n\n```klpscope\n% insmod test_modules/test_klp_callbacks_demo.ko\n```\n",
                ),
                chapter("two", "# Two\n"),
            ],
        }
    }

    #[test]
    fn the_chapter_goes_at_the_start_of_the_body_with_its_segments() {
        let page = "<!doctype html><html><head></head><body><noscript>x</noscript></body></html>";
        let out = insert(&book(), 0, page).unwrap();
        assert!(out.starts_with("<!doctype html><html><head></head><body><div id=\"prerender\">"));
        assert!(out.ends_with("<noscript>x</noscript></body></html>"));
        assert!(out.contains("<h1 id=\"doc-one\">One &lt;&amp;&gt;"));
        assert!(out.contains("<a href=\"#doc=one/a-part\">A part</a>"));
        assert!(out.contains("<code>% insmod test_modules/test_klp_callbacks_demo.ko</code>"));
        assert!(out.contains("<a class=\"next\" rel=\"next\" href=\"#doc=two\">Two →</a>"));
        // The titles for the script are escaped for it.
        assert!(out.contains("\"one\":\"One \\u003c\\u0026\\u003e\""));
        let data = out
            .split("id=\"prerender-segments\" data-slug=\"one\">")
            .nth(1)
            .unwrap();
        let data = data.split("</script>").next().unwrap();
        let rendered = markdown::render("one", &book().chapters[0].source);
        assert_eq!(data, markdown::segments_file(&rendered.segments));
        assert!(insert(&book(), 0, &out).is_err(), "only once");
        assert!(insert(&book(), 0, "<html></html>").is_err());
        assert!(insert(&book(), 2, page).is_err());
    }

    #[test]
    fn a_chapter_that_would_end_its_script_is_left_to_the_fetch() {
        let mut b = book();
        b.chapters[1].source = "# Two\n\nA <b>raw</SCRIPT></b> tag.\n".into();
        let out = page(&b, 1).unwrap();
        assert!(out.contains("raw</SCRIPT>"));
        assert!(!out.contains(SEGMENTS));
    }
}
