//! Taking over the page the build prerendered (`klpscope book
//! --prerender`, `engine/src/book/prerender.rs`): the shell and the opening
//! chapter, in `<div id="prerender">`, and that chapter's segments file in
//! `<script type="text/plain" id="prerender-segments">`.
//!
//! `main.rs` calls [`take`] and mounts the app in the same task, so no
//! frame is painted between the prerendered page and the app. The docs
//! pane's first view already has the chapter: [`crate::chapters::Docs`]
//! reads it from the page ([`chapter`]) instead of fetching it. Where the
//! reader had scrolled the prerendered page, the app is scrolled to
//! ([`Taken::restore`]).

use crate::chapters::{Segment, find, parse_segments};
use leptos::prelude::{document, window};

/// The element that holds the prerendered page (the engine's
/// `book::prerender::ROOT`).
const ROOT: &str = "prerender";

/// The element that carries the prerendered chapter's segments file (the
/// engine's `book::prerender::SEGMENTS`).
const SEGMENTS: &str = "prerender-segments";

/// Where the reader had scrolled the prerendered page.
#[derive(Clone, Copy, Debug, Default)]
pub struct Taken {
    /// The window's scroll position (the page scrolls as a whole on narrow
    /// screens).
    window: (f64, f64),
    /// The docs pane's `scrollTop` (it scrolls on its own on wide ones).
    docs: i32,
}

/// Removes the prerendered page (if the page has one) and says where it
/// was scrolled.
pub fn take() -> Taken {
    let Some(root) = document().get_element_by_id(ROOT) else {
        return Taken::default();
    };
    let w = window();
    let taken = Taken {
        window: (
            w.scroll_x().unwrap_or_default(),
            w.scroll_y().unwrap_or_default(),
        ),
        docs: root
            .query_selector(".pane.docs")
            .ok()
            .flatten()
            .map_or(0, |d| d.scroll_top()),
    };
    root.remove();
    if let Some(html) = document().document_element() {
        // Set by the page's own script for a link to another chapter or an
        // embed (the prerendered page hid its chapter, or itself).
        let _ = html
            .class_list()
            .remove_2("prerender-other", "prerender-embed");
    }
    taken
}

impl Taken {
    /// Scrolls the app, just mounted, where the prerendered page was.
    pub fn restore(self) {
        if self.docs > 0
            && let Some(docs) = document().get_element_by_id("docs")
        {
            docs.set_scroll_top(self.docs);
        }
        if self.window != (0.0, 0.0) {
            window().scroll_to_with_x_and_y(self.window.0, self.window.1);
        }
    }
}

/// The prerendered chapter, read from the page (once: the element is
/// removed): its index and segments.
pub fn chapter() -> Option<(usize, Vec<Segment>)> {
    let el = document().get_element_by_id(SEGMENTS)?;
    el.remove();
    let i = find(&el.get_attribute("data-slug")?)?;
    let segments = parse_segments(&el.text_content()?).ok()?;
    Some((i, segments))
}
