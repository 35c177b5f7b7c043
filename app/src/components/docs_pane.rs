//! The documentation pane: search, chapter list, the chapter,
//! previous/next.

use super::ask_mount::AskMount;
use super::quiz::Quiz;
use super::search::Search;
use super::timeline::Timeline;
use crate::chapters::{CHAPTERS, Docs, Segment, heading_id};
use crate::state::{DocState, Jump, Pane, Replay, use_explorer_state};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// The documentation pane.
#[component]
pub fn DocsPane() -> impl IntoView {
    let doc = expect_context::<DocState>();
    let docs = Docs::get();
    let pane = NodeRef::<leptos::html::Section>::new();
    let title = NodeRef::<leptos::html::H1>::new();
    let article = NodeRef::<leptos::html::Article>::new();
    Jump::follow(Pane::Docs, pane, title);
    super::quiz::Scores::provide();
    Effect::new(move |_| docs.request(doc.chapter.get()));
    // Scroll to the heading or exercise the route names (or to the top of
    // a new chapter), once the chapter is there; an exercise's title takes
    // the focus from the page, so Tab goes on into its form, and so does
    // a heading a search result opened (`DocState::focus`). The first
    // chapter shown stays where it is: the prerendered page it replaced may
    // have been scrolled (`crate::prerender`).
    let shown = StoredValue::new(false);
    Effect::new(move |_| {
        let chapter = doc.chapter.get();
        let heading = doc.heading.get();
        let quiz = doc.quiz.get();
        if !matches!(docs.chapter(chapter), Some(Ok(_))) {
            return;
        }
        request_animation_frame(move || {
            let Some(article) = article.get_untracked() else {
                return;
            };
            let target = match &quiz {
                Some(q) => Some(format!("quiz-{q}")),
                None => heading.map(|h| heading_id(&h)),
            }
            .and_then(|id| {
                article
                    .query_selector(&format!("[id=\"{id}\"]"))
                    .ok()
                    .flatten()
            });
            match target {
                Some(el) => {
                    let opts = web_sys::ScrollIntoViewOptions::new();
                    opts.set_block(web_sys::ScrollLogicalPosition::Start);
                    el.scroll_into_view_with_scroll_into_view_options(&opts);
                    // (Unless something else has the focus: this runs again
                    // whenever a chapter loads, e.g. for a search.)
                    let searched = doc.focus.get_untracked();
                    if searched {
                        doc.focus.set(false);
                        if !el.has_attribute("tabindex") {
                            let _ = el.set_attribute("tabindex", "-1");
                        }
                    }
                    if (searched
                        || quiz.is_some()
                            && document()
                                .active_element()
                                .is_none_or(|a| a.tag_name() == "BODY"))
                        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
                    {
                        let _ = el.focus();
                    }
                }
                None => {
                    if shown.get_value()
                        && let Some(pane) = pane.get_untracked()
                    {
                        pane.set_scroll_top(0);
                    }
                }
            }
            shown.set_value(true);
            let _ = chapter;
            focusable_scrollers(&article);
        });
    });

    view! {
        <section
            class="pane docs"
            id="docs"
            aria-labelledby="docs-h"
            data-testid="docs"
            node_ref=pane
        >
            <h1 id="docs-h" class="visually-hidden" node_ref=title>
                "Documentation"
            </h1>
            <Search />
            <div class="docs-body">
            <nav class="chapters" aria-label="Chapters">
                <ol>
                    {CHAPTERS
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let sections: Vec<(String, &str)> = c
                                .headings
                                .iter()
                                .filter(|h| h.level == 2)
                                .map(|h| (format!("#doc={}/{}", c.slug, h.slug), h.text))
                                .collect();
                            view! {
                                <li class:current=move || doc.chapter.get() == i>
                                    <a
                                        href=format!("#doc={}", c.slug)
                                        aria-current=move || (doc.chapter.get() == i).then_some("page")
                                    >
                                        {format!("{} {}", i + 1, c.title)}
                                    </a>
                                    <Show when=move || doc.chapter.get() == i>
                                        <ol class="sections">
                                            {sections
                                                .iter()
                                                .map(|(href, text)| {
                                                    view! {
                                                        <li>
                                                            <a href=href.clone()>{*text}</a>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ol>
                                    </Show>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </nav>
            <article class="chapter" data-testid="chapter" node_ref=article>
                {move || {
                    let i = doc.chapter.get();
                    match docs.chapter(i) {
                        None => view! {
                            <p class="muted" role="status" data-testid="chapter-loading">
                                {format!("Loading “{}”…", CHAPTERS[i].title)}
                            </p>
                        }
                        .into_any(),
                        Some(Err(e)) => view! {
                            <div class="notice" role="alert" data-testid="chapter-error">
                                <p>{format!("The chapter “{}” could not be loaded: {e}.", CHAPTERS[i].title)}</p>
                                <p>
                                    "Reload the page, or read it in "
                                    <a href=format!("book/{}.html", CHAPTERS[i].slug)>"the book"</a>
                                    "."
                                </p>
                            </div>
                        }
                        .into_any(),
                        Some(Ok(segments)) => segments
                            .iter()
                            .scan(true, |first_quiz, seg| {
                                let first = *first_quiz && matches!(seg, Segment::Quiz { .. });
                                *first_quiz &= !first;
                                Some((seg, first))
                            })
                            .map(|(seg, first)| match seg {
                                // Trusted: rendered from content/*.md by the site's own build.
                                Segment::Html(html) => view! { <div inner_html=html.clone()></div> }.into_any(),
                                Segment::Live(text) => view! { <LiveBlock text=text.clone() /> }.into_any(),
                                Segment::Quiz { html, form } => {
                                    view! { <Quiz html=html.clone() form=form.clone() first /> }.into_any()
                                }
                                Segment::Ask(ids) => view! { <AskMount ids=ids.clone() /> }.into_any(),
                            })
                            .collect_view()
                            .into_any(),
                    }
                }}
                <PrevNext />
            </article>
            </div>
        </section>
    }
}

/// Makes each code block and table of the chapter that scrolls sideways
/// reachable with Tab, so the keyboard can scroll it (the chapter's HTML
/// is rendered at build time and cannot know what overflows).
fn focusable_scrollers(article: &web_sys::Element) {
    let Ok(list) = article.query_selector_all("pre, table") else {
        return;
    };
    for el in super::elements(list) {
        if el.closest("figure.live").ok().flatten().is_some() {
            continue;
        }
        if el.scroll_width() > el.client_width() + 1 {
            let _ = el.set_attribute("tabindex", "0");
        } else {
            let _ = el.remove_attribute("tabindex");
        }
    }
}

/// Links to the neighbouring chapters.
#[component]
fn PrevNext() -> impl IntoView {
    let doc = expect_context::<DocState>();
    move || {
        let i = doc.chapter.get();
        let prev = i.checked_sub(1).map(|p| {
            view! {
                <a class="prev" rel="prev" href=format!("#doc={}", CHAPTERS[p].slug)>
                    "← " {CHAPTERS[p].title}
                </a>
            }
        });
        let next = CHAPTERS.get(i + 1).map(|c| {
            view! {
                <a class="next" rel="next" href=format!("#doc={}", c.slug)>
                    {c.title} " →"
                </a>
            }
        });
        view! { <nav class="prev-next" aria-label="Previous and next chapter">{prev}<span></span>{next}</nav> }
    }
}

/// A live scenario block: the scenario as written, its timeline, its log,
/// and a button that opens it in the explorer.
#[component]
fn LiveBlock(
    /// The scenario text of the fenced block.
    text: String,
) -> impl IntoView {
    let state = use_explorer_state();
    let replay = Arc::new(Replay::new(&text));
    let steps = replay.steps().len();
    let log = replay.transcript(steps);
    let error = replay.run.as_ref().err().cloned();
    let replay = Signal::stored(replay);
    let open = move |_| {
        if state.load(&text, None) {
            state.show();
        }
    };
    let commands = replay
        .get_untracked()
        .steps()
        .iter()
        .map(|s| format!("% {}", s.command))
        .collect::<Vec<_>>()
        .join("\n");
    view! {
        <figure class="live" data-testid="live-block">
            <pre class="live-commands" tabindex="0"><code>{commands}</code></pre>
            {error.map(|e| view! { <pre class="error">{e}</pre> })}
            <Timeline replay=replay cursor=Signal::stored(steps) mini=true />
            <figcaption>
                <details class="log">
                    <summary>"kernel log"</summary>
                    <pre class="live-log" tabindex="0">{log}</pre>
                </details>
                <button class="open" on:click=open>"open in explorer →"</button>
            </figcaption>
        </figure>
    }
}
