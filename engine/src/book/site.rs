//! The static book: `index.html` (contents), `SLUG.html` per chapter and
//! `print.html` (every chapter on one page), with the site's CSS. Plain
//! HTML that needs no JavaScript: each scenario block shows the transcript
//! the engine computes and links to the explorer, which replays it.

use super::markdown::{self, Rendered, Segment, Target, escape};
use super::{Book, BookError};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How to write the book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The interactive site's address relative to the book's pages (the
    /// explorer links end in `#` + its fragment).
    pub app: String,
    /// A directory whose `*.css` files are copied next to the pages and
    /// linked from them (`None`: no stylesheets).
    pub style: Option<PathBuf>,
}

impl Default for Options {
    /// The book in `dist/book/` beside the site's `dist/index.html`, no CSS.
    fn default() -> Self {
        Options {
            app: "../index.html".into(),
            style: None,
        }
    }
}

/// What [`write`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Every file written, pages first.
    pub files: Vec<PathBuf>,
    /// Problems that did not stop the book, e.g. a scenario block that does
    /// not parse (its page shows the error).
    pub warnings: Vec<String>,
}

/// The folder of the chapters as the site's docs pane loads them
/// ([`markdown::segments_file`]).
pub const SEGMENTS: &str = "segments";

/// The name of the one-page book.
pub const PRINT: &str = "print.html";

/// Writes the book into `out` (created if missing).
pub fn write(book: &Book, out: &Path, options: &Options) -> Result<Written, BookError> {
    let mut written = Written::default();
    let styles = match &options.style {
        Some(dir) => stylesheets(dir)?,
        None => Vec::new(),
    };
    let css: Vec<String> = styles
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    std::fs::create_dir_all(out).map_err(|error| BookError::Write {
        path: out.to_path_buf(),
        error,
    })?;
    let app = options.app.as_str();
    let pages: Vec<Rendered> = book
        .chapters
        .iter()
        .map(|c| markdown::render_for(Target::Page { app }, &c.slug, &c.source))
        .collect();
    let layout = Layout {
        book,
        pages: &pages,
        css: &css,
        app,
    };

    let mut put = |name: &str, html: String| {
        let path = out.join(name);
        std::fs::write(&path, html).map_err(|error| BookError::Write {
            path: path.clone(),
            error,
        })?;
        written.files.push(path);
        Ok::<(), BookError>(())
    };
    put("index.html", layout.index())?;
    let mut warnings = Vec::new();
    for (i, chapter) in book.chapters.iter().enumerate() {
        let body = layout.article(i, &pages[i].segments, &mut warnings);
        put(&format!("{}.html", chapter.slug), layout.chapter(i, &body))?;
    }
    let mut whole = String::new();
    for (i, chapter) in book.chapters.iter().enumerate() {
        let printed = markdown::render_for(Target::Print { app }, &chapter.slug, &chapter.source);
        let body = layout.article(i, &printed.segments, &mut Vec::new());
        let _ = write!(
            whole,
            "<section class=\"print-chapter\" id=\"{}\">\n{body}</section>\n",
            escape(&chapter.slug)
        );
    }
    put(PRINT, layout.print(&whole))?;
    // The chapters as the site's docs pane loads them, one per chapter.
    let dir = out.join(SEGMENTS);
    std::fs::create_dir_all(&dir).map_err(|error| BookError::Write {
        path: dir.clone(),
        error,
    })?;
    for chapter in &book.chapters {
        let site = markdown::render(&chapter.slug, &chapter.source);
        let name = format!("{SEGMENTS}/{}.txt", chapter.slug);
        put(&name, markdown::segments_file(&site.segments))?;
    }
    for style in &styles {
        let name = style.file_name().unwrap_or_default();
        let to = out.join(name);
        std::fs::copy(style, &to).map_err(|error| BookError::Write {
            path: to.clone(),
            error,
        })?;
        written.files.push(to);
    }
    written.warnings = warnings;
    Ok(written)
}

/// The `*.css` files of `dir`: `main.css` first, `print.css` last (its
/// rules win), the others by name between.
fn stylesheets(dir: &Path) -> Result<Vec<PathBuf>, BookError> {
    let err = |error| BookError::Style {
        path: dir.to_path_buf(),
        error,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let path = entry.map_err(err)?.path();
        if path.extension().is_some_and(|e| e == "css") && path.is_file() {
            found.push(path);
        }
    }
    let rank = |p: &PathBuf| match p.file_name().and_then(|n| n.to_str()) {
        Some("main.css") => 0,
        Some("print.css") => 2,
        _ => 1,
    };
    found.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    Ok(found)
}

/// What every page shares.
struct Layout<'a> {
    book: &'a Book,
    pages: &'a [Rendered],
    css: &'a [String],
    app: &'a str,
}

impl Layout<'_> {
    fn title(&self, i: usize) -> &str {
        let t = self.pages[i].title.as_str();
        if t.is_empty() {
            &self.book.chapters[i].slug
        } else {
            t
        }
    }

    fn href(&self, i: usize) -> String {
        format!("{}.html", self.book.chapters[i].slug)
    }

    /// The chapter's segments as HTML: Markdown as rendered, each scenario
    /// block as its transcript with a link to the explorer.
    fn article(&self, i: usize, segments: &[Segment], warnings: &mut Vec<String>) -> String {
        let slug = &self.book.chapters[i].slug;
        let mut html = String::from("<article class=\"chapter\">\n");
        for segment in segments {
            match segment {
                // Rendered from content/ by the one renderer.
                Segment::Html(h) => html.push_str(h),
                Segment::Live(text) => html.push_str(&self.live(slug, text, warnings)),
                Segment::Quiz { html: h, form } => html.push_str(&self.quiz(h, &form.exercise.id)),
                Segment::Ask { html: h, .. } => html.push_str(h),
            }
        }
        html.push_str("</article>\n");
        html
    }

    /// A scenario block: the transcript the engine computes.
    fn live(&self, slug: &str, text: &str, warnings: &mut Vec<String>) -> String {
        match crate::run_text(text) {
            Ok(run) => format!(
                "<figure class=\"live book-live\">\n<pre class=\"live-log\" tabindex=\"0\"><code>{}</code></pre>\n\
                 <figcaption><span>transcript</span> \
                 <a class=\"open\" href=\"{}\">open in the explorer →</a></figcaption>\n</figure>\n",
                escape(&crate::render::log(&run)),
                escape(&format!(
                    "{}#doc={slug}&{}",
                    self.app,
                    crate::share::encode(text)
                )),
            ),
            Err(e) => {
                warnings.push(format!(
                    "{}: a klpscope block does not parse: {e}",
                    self.book
                        .chapters
                        .iter()
                        .find(|c| c.slug == slug)
                        .map_or_else(|| slug.to_string(), |c| c.path.display().to_string())
                ));
                format!(
                    "<figure class=\"live book-live\">\n<pre class=\"error\">{}</pre>\n\
                     <pre tabindex=\"0\"><code>{}</code></pre>\n</figure>\n",
                    escape(&e.to_string()),
                    escape(text)
                )
            }
        }
    }

    /// An exercise, readable without JavaScript ([`markdown::quiz_html`]),
    /// with a link to the site, which grades an answer.
    fn quiz(&self, html: &str, id: &str) -> String {
        format!(
            "<figure class=\"quiz book-quiz\">\n{html}<figcaption>\
             <a class=\"open\" href=\"{}#quiz={}\">answer it in the site →</a></figcaption>\n</figure>\n",
            escape(self.app),
            escape(id)
        )
    }

    /// The chapter list; `current` is marked and shows its sections.
    fn nav(&self, current: Option<usize>) -> String {
        let mut html = String::from("<nav class=\"chapters\" aria-label=\"Chapters\">\n<ol>\n");
        for (i, page) in self.pages.iter().enumerate() {
            let here = current == Some(i);
            let _ = write!(
                html,
                "<li{}><a href=\"{}\"{}>{} {}</a>",
                if here { " class=\"current\"" } else { "" },
                escape(&self.href(i)),
                if here { " aria-current=\"page\"" } else { "" },
                i + 1,
                escape(self.title(i))
            );
            if here {
                html.push_str(&self.sections(i, page, "sections"));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n</nav>\n");
        html
    }

    /// Links to the `##` sections of chapter `i`.
    fn sections(&self, i: usize, page: &Rendered, class: &str) -> String {
        let mut html = String::new();
        for h in page.headings.iter().filter(|h| h.level == 2) {
            let _ = write!(
                html,
                "<li><a href=\"{}#{}\">{}</a></li>",
                escape(&self.href(i)),
                escape(&markdown::heading_id(&h.slug)),
                escape(&h.text)
            );
        }
        if html.is_empty() {
            html
        } else {
            format!("<ol class=\"{class}\">{html}</ol>")
        }
    }

    /// Links to the pages before and after.
    fn prev_next(&self, prev: Option<(String, String)>, next: Option<(String, String)>) -> String {
        let link = |rel: &str, (href, text): (String, String)| {
            let label = if rel == "prev" {
                format!("← {}", escape(&text))
            } else {
                format!("{} →", escape(&text))
            };
            format!(
                "<a class=\"{rel}\" rel=\"{rel}\" href=\"{}\">{label}</a>",
                escape(&href)
            )
        };
        format!(
            "<nav class=\"prev-next\" aria-label=\"Previous and next chapter\">{}<span></span>{}</nav>\n",
            prev.map(|p| link("prev", p)).unwrap_or_default(),
            next.map(|n| link("next", n)).unwrap_or_default()
        )
    }

    fn neighbour(&self, i: usize) -> Option<(String, String)> {
        (i < self.pages.len()).then(|| (self.href(i), self.title(i).to_string()))
    }

    fn contents() -> (String, String) {
        ("index.html".into(), "Contents".into())
    }

    /// `index.html`: what the book is, and every chapter with its sections.
    fn index(&self) -> String {
        let mut toc = String::from("<ol class=\"toc\">\n");
        for (i, page) in self.pages.iter().enumerate() {
            let _ = writeln!(
                toc,
                "<li><a href=\"{}\">{}</a>{}</li>",
                escape(&self.href(i)),
                escape(self.title(i)),
                self.sections(i, page, "toc-sections")
            );
        }
        toc.push_str("</ol>\n");
        let body = format!(
            "<article class=\"chapter\">\n<h1>klpscope: the livepatch callbacks</h1>\n\
             <p>Which Linux kernel livepatch (un)patch callback runs when, and what it sees. \
             These pages are the documentation of klpscope; each scenario shows the transcript \
             the model of the kernel computes for it. <a href=\"{}\">The interactive site</a> \
             replays them step by step beside a timeline.</p>\n\
             <h2>Chapters</h2>\n{toc}\
             <p>The <a href=\"{PRINT}\">whole book on one page</a>, to print or read offline.</p>\n\
             </article>\n",
            escape(self.app)
        );
        let nav = self.prev_next(None, self.neighbour(0));
        self.page("Contents", None, &format!("{body}{nav}"))
    }

    /// `SLUG.html`.
    fn chapter(&self, i: usize, article: &str) -> String {
        let prev = match i.checked_sub(1) {
            Some(p) => self.neighbour(p),
            None => Some(Self::contents()),
        };
        let nav = self.prev_next(prev, self.neighbour(i + 1));
        self.page(self.title(i), Some(i), &format!("{article}{nav}"))
    }

    /// `print.html`.
    fn print(&self, chapters: &str) -> String {
        let nav = self.prev_next(Some(Self::contents()), None);
        self.page("The whole book", None, &format!("{chapters}{nav}"))
    }

    /// A complete page around `main`.
    fn page(&self, title: &str, current: Option<usize>, main: &str) -> String {
        let mut head = String::new();
        for css in self.css {
            let _ = writeln!(head, "<link rel=\"stylesheet\" href=\"{}\">", escape(css));
        }
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"color-scheme\" content=\"light dark\">\n\
             <link rel=\"icon\" href=\"data:,\">\n\
             <title>{} · klpscope</title>\n{head}</head>\n<body class=\"book\">\n\
             <a class=\"skip\" href=\"#main\">Skip to the text</a>\n\
             <header class=\"top\">\n<a class=\"brand\" href=\"index.html\"><span class=\"name\">klpscope</span></a>\n\
             <span class=\"tagline\">livepatch (un)patch callbacks: the book</span>\n\
             <nav class=\"jump\" aria-label=\"Book\"><a href=\"index.html\">Contents</a> \
             <a href=\"{PRINT}\">One page</a> <a href=\"{}\">Interactive site</a></nav>\n</header>\n\
             <div class=\"book-body\">\n<div class=\"docs-body\">\n{}<main id=\"main\">\n{main}</main>\n\
             </div>\n</div>\n</body>\n</html>\n",
            escape(title),
            escape(self.app),
            self.nav(current),
        )
    }
}
