//! Where the cursor and the selection are, marked on the elements that
//! show them. A step changes the look of a few columns of the timeline and
//! a few lines of the log; giving every cell a reactive class would redo
//! them all on each key press (more than a frame at 100 commands), so
//! these effects touch only the elements whose mark changes.
//!
//! Marked elements say what they stand for in static attributes:
//! `data-s="STEP"` (classes `past`, `current`, `future`) and
//! `data-ev="STEP.EVENT"` (class `selected`, and `aria-pressed` on buttons).

use crate::state::Selection;
use leptos::prelude::*;

/// Keeps the time classes of the `[data-s]` elements under `root` in step
/// with `cursor`. `drawn` names what is drawn (it changes when the
/// elements are drawn anew); then every step is marked again.
pub fn follow_cursor(
    root: NodeRef<leptos::html::Div>,
    cursor: Signal<usize>,
    drawn: impl Fn() -> usize + 'static,
) {
    // The elements of each step, found once per drawing: a jump across
    // the scenario then marks its steps without a query per step.
    let by_step = StoredValue::new_local(Vec::<Vec<web_sys::Element>>::new());
    Effect::new(move |before: Option<(usize, usize)>| {
        let n = cursor.get();
        let now = drawn();
        let Some(root) = root.get() else {
            return (n, 0);
        };
        let (from, to) = match before {
            Some((b, d)) if d == now => (b.min(n), b.max(n)),
            _ => {
                by_step.set_value(elements_by_step(&root));
                (0, usize::MAX)
            }
        };
        by_step.with_value(|all| {
            for (step, els) in all.iter().enumerate().skip(from) {
                if step > to {
                    break;
                }
                for el in els {
                    mark(el, time_class(step, n));
                }
            }
        });
        (n, now)
    });
}

/// The `[data-s]` elements under `root`, by step (the index).
fn elements_by_step(root: &web_sys::Element) -> Vec<Vec<web_sys::Element>> {
    let mut all: Vec<Vec<web_sys::Element>> = Vec::new();
    if let Ok(list) = root.query_selector_all("[data-s]") {
        for el in super::elements(list) {
            let step: usize = el
                .get_attribute("data-s")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if step >= all.len() {
                all.resize_with(step + 1, Vec::new);
            }
            all[step].push(el);
        }
    }
    all
}

/// Gives `el` the time class `class` instead of the others; an element
/// that has it already is not touched (no style to recompute).
fn mark(el: &web_sys::Element, class: &str) {
    let classes = el.class_list();
    if !classes.contains(class) {
        let _ = classes.remove_3("past", "current", "future");
        let _ = classes.add_1(class);
    }
}

/// "past", "current" or "future" relative to the cursor.
pub fn time_class(step: usize, cursor: usize) -> &'static str {
    if step > cursor {
        "future"
    } else if step == cursor {
        "current"
    } else {
        "past"
    }
}

/// Keeps `selected` (and `aria-pressed` on buttons) on the `[data-ev]`
/// elements under `root` of the selected event. `drawn` as for
/// [`follow_cursor`].
pub fn follow_selection(
    root: NodeRef<leptos::html::Div>,
    selected: RwSignal<Option<Selection>>,
    drawn: impl Fn() -> usize + 'static,
) {
    Effect::new(move |before: Option<(Option<Selection>, usize)>| {
        let sel = selected.get();
        let now = drawn();
        let Some(root) = root.get() else {
            return (sel, 0);
        };
        if let Some((Some(old), d)) = before
            && d == now
        {
            mark_selected(&root, old, false);
        }
        if let Some(new) = sel {
            mark_selected(&root, new, true);
        }
        (sel, now)
    });
}

fn mark_selected(root: &web_sys::Element, (step, event): Selection, on: bool) {
    let Ok(list) = root.query_selector_all(&format!("[data-ev=\"{step}.{event}\"]")) else {
        return;
    };
    for el in super::elements(list) {
        let _ = el.class_list().toggle_with_force("selected", on);
        if el.tag_name() == "BUTTON" {
            let _ = el.set_attribute("aria-pressed", if on { "true" } else { "false" });
        }
    }
}

/// The event of the element matching `within` that a click landed in.
pub fn clicked_event(e: &web_sys::MouseEvent, within: &str) -> Option<Selection> {
    let ev = super::clicked(e, within)?.get_attribute("data-ev")?;
    let (step, event) = ev.split_once('.')?;
    Some((step.parse().ok()?, event.parse().ok()?))
}
