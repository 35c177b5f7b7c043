//! Search over every chapter, in the browser, with no server: the index is
//! the chapters' text (each heading knows where its section starts in the
//! chapter's HTML), read into plain text as the chapters arrive: the first
//! search loads every chapter ([`Docs::request_all`]). A result names
//! chapter › section with a snippet; choosing it opens the chapter at that
//! section, as a `#doc=` link does.

use crate::chapters::{CHAPTERS, Docs, Segment, section_text};
use crate::state::DocState;
use leptos::ev;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// How many results are listed.
const LIMIT: usize = 10;
/// Bytes of context before the first match in a snippet.
const BEFORE: usize = 40;
/// The longest snippet, in bytes.
const SNIPPET: usize = 150;

/// One section, searchable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    chapter: usize,
    heading: usize,
    /// The heading, ASCII lower case.
    title: String,
    /// The section's plain text.
    text: String,
    /// The same, ASCII lower case (same byte offsets).
    lower: String,
}

/// Every section of the chapters given (by index; `None`: not loaded).
pub fn index(chapters: &[Option<Arc<Vec<Segment>>>]) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (chapter, c) in CHAPTERS.iter().enumerate() {
        let Some(Some(segments)) = chapters.get(chapter) else {
            continue;
        };
        for (heading, h) in c.headings.iter().enumerate() {
            let text = section_text(c, segments, heading);
            entries.push(Entry {
                chapter,
                heading,
                title: h.text.to_ascii_lowercase(),
                lower: text.to_ascii_lowercase(),
                text,
            });
        }
    }
    entries
}

/// A section that matches a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`CHAPTERS`].
    pub chapter: usize,
    /// Index into the chapter's headings.
    pub heading: usize,
    /// Text around the first match: (text, is a match) pieces.
    pub snippet: Vec<(String, bool)>,
}

/// The sections that contain every word of `query` (case-insensitive),
/// best first: words in the heading count most, then how often they occur;
/// ties keep the reading order.
pub fn search(index: &[Entry], query: &str, limit: usize) -> Vec<Hit> {
    let terms: Vec<String> = query
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if terms.is_empty() {
        return Vec::new();
    }
    // The best `limit` so far, best first; equal scores keep the
    // documentation's order (no sort: it would cost the site kilobytes).
    let mut best: Vec<(usize, &Entry)> = Vec::with_capacity(limit + 1);
    'entries: for e in index {
        let mut score = 0;
        for t in &terms {
            let in_title = e.title.contains(t.as_str());
            let count = e.lower.matches(t.as_str()).take(5).count();
            if !in_title && count == 0 {
                continue 'entries;
            }
            score += usize::from(in_title) * 10 + count;
        }
        let at = best.iter().position(|b| score > b.0).unwrap_or(best.len());
        if at < limit {
            best.insert(at, (score, e));
            best.truncate(limit);
        }
    }
    best.into_iter()
        .map(|(_, e)| Hit {
            chapter: e.chapter,
            heading: e.heading,
            snippet: snippet(&e.text, &e.lower, &terms),
        })
        .collect()
}

/// Up to [`SNIPPET`] bytes of `text` around the first match, cut at spaces,
/// with every match marked.
fn snippet(text: &str, lower: &str, terms: &[String]) -> Vec<(String, bool)> {
    let first = terms.iter().filter_map(|t| lower.find(t.as_str())).min();
    let mut start = floor(text, first.unwrap_or(0).saturating_sub(BEFORE));
    if start > 0
        && let Some(space) = text[start..first.unwrap_or(start)].find(' ')
    {
        start += space + 1;
    }
    let mut end = floor(text, (start + SNIPPET).min(text.len()));
    if end < text.len()
        && let Some(space) = text[start..end].rfind(' ')
        && start + space > first.unwrap_or(start)
    {
        end = start + space;
    }
    let mut pieces = Vec::new();
    if start > 0 {
        pieces.push(("…".to_string(), false));
    }
    let mut at = start;
    while at < end {
        let next = terms
            .iter()
            .filter(|t| !t.is_empty())
            .filter_map(|t| lower[at..end].find(t.as_str()).map(|i| (at + i, t.len())))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        match next {
            // A match in `lower[at..end]` is a match in `text`, on char
            // boundaries: ASCII lower-casing keeps every byte offset.
            Some((i, len)) => {
                if i > at {
                    pieces.push((text[at..i].to_string(), false));
                }
                pieces.push((text[i..i + len].to_string(), true));
                at = i + len;
            }
            None => {
                pieces.push((text[at..end].to_string(), false));
                at = end;
            }
        }
    }
    if end < text.len() {
        pieces.push(("…".to_string(), false));
    }
    pieces
}

/// The largest char boundary of `s` at or below `i`.
fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether a key event was typed into a text field (it stays there).
fn in_text_field(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        })
}

/// Focuses an element (making a heading focusable first).
fn focus(el: web_sys::Element) {
    if !el.has_attribute("tabindex") {
        let _ = el.set_attribute("tabindex", "-1");
    }
    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

/// The search box and its results, at the top of the documentation. `/`
/// (outside a text field) moves focus to it; Enter opens the first result,
/// ↓ and ↑ move through the results, Esc closes them.
#[component]
pub fn Search() -> impl IntoView {
    let doc = expect_context::<DocState>();
    let query = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let docs = Docs::get();
    let entries = Memo::new(move |_| {
        let loaded: Vec<_> = docs
            .all()
            .into_iter()
            .map(|l| l.and_then(Result::ok))
            .collect();
        index(&loaded)
    });
    let hits = Memo::new(move |_| entries.with(|e| search(e, &query.get(), LIMIT)));
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let list: NodeRef<leptos::html::Ol> = NodeRef::new();

    let _ = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.key() == "/"
            && !e.ctrl_key()
            && !e.alt_key()
            && !e.meta_key()
            && !in_text_field(&e)
            && let Some(el) = input.get_untracked()
        {
            e.prevent_default();
            let _ = el.focus();
            el.select();
        }
    });

    // Opens a result the way the app opens a `#doc=` link: the chapter and
    // heading change, the URL follows, the pane scrolls; focus goes to the
    // heading so reading (and Tab) continues from there.
    let choose = move |hit: &Hit| {
        let slug = CHAPTERS[hit.chapter].headings[hit.heading].slug;
        open.set(false);
        doc.focus.set(true);
        doc.chapter.set(hit.chapter);
        doc.heading.set(Some(slug.to_string()));
    };

    let results = move || list.get_untracked().map(|l| l.query_selector_all("a"));
    let move_focus = move |e: web_sys::KeyboardEvent| {
        let Some(Ok(links)) = results() else { return };
        let n = links.length();
        if n == 0 {
            return;
        }
        let active = document().active_element();
        let current = (0..n).find(|&i| {
            links
                .item(i)
                .zip(active.as_ref())
                .is_some_and(|(a, b)| a.is_same_node(Some(b)))
        });
        let next = match (e.key().as_str(), current) {
            ("ArrowDown", None) => Some(0),
            ("ArrowDown", Some(i)) => Some((i + 1).min(n - 1)),
            ("ArrowUp", Some(0)) => {
                if let Some(el) = input.get_untracked() {
                    let _ = el.focus();
                }
                None
            }
            ("ArrowUp", Some(i)) => Some(i - 1),
            _ => return,
        };
        e.prevent_default();
        if let Some(el) = next
            .and_then(|i| links.item(i))
            .and_then(|n| n.dyn_into().ok())
        {
            focus(el);
        }
    };
    let on_input_key = move |e: web_sys::KeyboardEvent| match e.key().as_str() {
        "Enter" => {
            e.prevent_default();
            if let Some(hit) = hits.get_untracked().first() {
                choose(hit);
            }
        }
        "ArrowDown" => {
            open.set(true);
            move_focus(e);
        }
        "Escape" if open.get_untracked() && !query.get_untracked().is_empty() => {
            e.prevent_default();
            open.set(false);
        }
        _ => {}
    };
    let on_list_key = move |e: web_sys::KeyboardEvent| match e.key().as_str() {
        "Escape" => {
            e.prevent_default();
            open.set(false);
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        }
        _ => move_focus(e),
    };
    let status = move || {
        let q = query.get();
        if q.trim().is_empty() {
            return String::new();
        }
        let loading = if docs.all().iter().any(Option::is_none) {
            " (loading the chapters…)"
        } else {
            ""
        };
        let quoted: String = q.trim().chars().take(40).collect();
        match hits.get().len() {
            0 => format!("No section mentions “{quoted}”{loading}."),
            1 => "1 section found.".to_string(),
            n if n >= LIMIT => format!("The first {n} sections found."),
            n => format!("{n} sections found."),
        }
    };

    view! {
        <div class="search" role="search" data-testid="search">
            <label for="search-box" class="visually-hidden">"Search the documentation"</label>
            <input
                id="search-box"
                type="search"
                node_ref=input
                placeholder="Search the docs ( / )"
                autocomplete="off"
                spellcheck="false"
                aria-describedby="search-status"
                aria-keyshortcuts="/"
                prop:value=move || query.get()
                on:input=move |ev| {
                    docs.request_all();
                    query.set(event_target_value(&ev));
                    open.set(true);
                }
                on:focus=move |_| {
                    docs.request_all();
                    open.set(!query.get_untracked().trim().is_empty())
                }
                on:keydown=on_input_key
            />
            <p id="search-status" class="search-status" role="status">
                {move || if open.get() { status() } else { String::new() }}
            </p>
            <ol
                class="search-results"
                node_ref=list
                aria-label="Search results"
                hidden=move || !open.get() || hits.get().is_empty()
                on:keydown=on_list_key
            >
                {move || {
                    hits.get()
                        .into_iter()
                        .map(|hit| {
                            let c = &CHAPTERS[hit.chapter];
                            let h = &c.headings[hit.heading];
                            let href = format!("#doc={}/{}", c.slug, h.slug);
                            let section = (hit.heading > 0).then(|| view! { " › " {h.text} });
                            let snippet = hit
                                .snippet
                                .iter()
                                .map(|(text, mark)| {
                                    let text = text.clone();
                                    if *mark {
                                        view! { <mark>{text}</mark> }.into_any()
                                    } else {
                                        text.into_any()
                                    }
                                })
                                .collect_view();
                            let on_click = move |e: web_sys::MouseEvent| {
                                if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
                                    return;
                                }
                                e.prevent_default();
                                choose(&hit);
                            };
                            view! {
                                <li>
                                    <a href=href on:click=on_click>
                                        <span class="where">{c.title} {section}</span>
                                        <span class="snippet">{snippet}</span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Entry> {
        let loaded: Vec<_> = crate::chapters::load_natively()
            .into_iter()
            .map(Some)
            .collect();
        index(&loaded)
    }

    fn search(query: &str, limit: usize) -> Vec<Hit> {
        super::search(&all(), query, limit)
    }

    fn text(hit: &Hit) -> String {
        hit.snippet.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn an_empty_query_finds_nothing() {
        assert!(search("", 10).is_empty());
        assert!(search("   ", 10).is_empty());
    }

    #[test]
    fn every_heading_is_found_by_its_own_words_first_in_its_chapter() {
        for (ci, c) in CHAPTERS.iter().enumerate() {
            for (hi, h) in c.headings.iter().enumerate() {
                let hits = search(h.text, 1000);
                assert!(
                    hits.iter().any(|x| x.chapter == ci && x.heading == hi),
                    "{} › {} is not found by its heading",
                    c.slug,
                    h.text
                );
            }
        }
    }

    #[test]
    fn every_word_must_occur_and_case_does_not_matter() {
        let Some((ci, hi, word)) = CHAPTERS.iter().enumerate().find_map(|(ci, c)| {
            (0..c.headings.len()).find_map(|hi| {
                let text = section_text(c, &crate::chapters::load_natively()[ci], hi);
                let word = text.split_whitespace().find(|w| w.len() > 6)?.to_string();
                Some((ci, hi, word))
            })
        }) else {
            return;
        };
        let hits = search(&word.to_ascii_uppercase(), 1000);
        let hit = hits
            .iter()
            .find(|h| h.chapter == ci && h.heading == hi)
            .expect("found");
        assert!(
            hit.snippet
                .iter()
                .any(|(t, m)| *m && t.eq_ignore_ascii_case(&word)),
            "{:?}",
            hit.snippet
        );
        assert!(search(&format!("{word} zzqxnotaword"), 1000).is_empty());
    }

    #[test]
    fn snippets_are_short_marked_and_cut_at_spaces() {
        let text = "alpha beta gamma ".repeat(30)
            + "the post_unpatch_enabled gate "
            + &"delta ".repeat(40);
        let lower = text.to_ascii_lowercase();
        let pieces = snippet(
            &text,
            &lower,
            &["post_unpatch_enabled".into(), "gate".into()],
        );
        let marked: Vec<&str> = pieces
            .iter()
            .filter(|p| p.1)
            .map(|p| p.0.as_str())
            .collect();
        assert_eq!(marked, ["post_unpatch_enabled", "gate"]);
        assert_eq!(pieces.first().map(|p| p.0.as_str()), Some("…"));
        assert_eq!(pieces.last().map(|p| p.0.as_str()), Some("…"));
        let joined: String = pieces.iter().map(|p| p.0.as_str()).collect();
        assert!(joined.len() <= SNIPPET + 8, "{joined}");
        assert!(
            joined.starts_with("…alpha")
                || joined.starts_with("…beta")
                || joined.starts_with("…gamma"),
            "{joined}"
        );
        // Non-ASCII text never splits a character.
        let text = "é".repeat(200) + " x";
        let _ = snippet(&text, &text.to_ascii_lowercase(), &["x".into(), "é".into()]);
        let hit = Hit {
            chapter: 0,
            heading: 0,
            snippet: pieces,
        };
        assert!(!self::text(&hit).is_empty());
    }
}
