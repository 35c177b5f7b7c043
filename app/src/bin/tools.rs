//! The site's tools, a wasm module of their own that the page loads on
//! first use (`klpscope_app::on_demand`): the log check's dialog and the
//! questions' ask panels, with the engine's log reader and search. The
//! page calls the exports below.

use klpscope_app::components::ask::AskPanel;
use klpscope_app::components::logcheck::{LogCheckDialog, LogCheckState};
use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The log check dialog's state, once it is mounted.
    static LOG_CHECK: Cell<Option<LogCheckState>> = const { Cell::new(None) };
    /// The ask panels drawn, by the element the page handed over, with
    /// their mount handles (a panel is unmounted when its handle drops).
    static ASKED: RefCell<Vec<(web_sys::Element, Box<dyn std::any::Any>)>> =
        const { RefCell::new(Vec::new()) };
}

fn main() {
    klpscope_app::report_panics();
}

/// Opens the log check (mounting its dialog the first time), with `text`
/// in its paste box and checked, if given.
#[wasm_bindgen]
pub fn open_log_check(text: Option<String>) {
    let s = LOG_CHECK.with(Cell::get).unwrap_or_else(|| {
        leptos::mount::mount_to_body(|| {
            LOG_CHECK.with(|d| d.set(Some(LogCheckState::provide())));
            view! { <LogCheckDialog /> }
        });
        LOG_CHECK
            .with(Cell::get)
            .expect("the dialog's state is set while it mounts")
    });
    if let Some(text) = text {
        s.text.set(text);
        s.check_now.set(true);
    }
    s.open.set(true);
}

/// Draws the ask panel of the questions `ids` in `el`.
#[wasm_bindgen]
pub fn mount_ask(el: web_sys::Element, ids: Vec<String>) {
    let Ok(parent) = el.clone().dyn_into::<web_sys::HtmlElement>() else {
        return;
    };
    let handle: UnmountHandle<_> =
        leptos::mount::mount_to(parent, move || view! { <AskPanel ids /> });
    ASKED.with_borrow_mut(|a| a.push((el, Box::new(handle))));
}

/// Removes the ask panel drawn in `el`, and stops its exploration.
#[wasm_bindgen]
pub fn unmount_ask(el: web_sys::Element) {
    ASKED.with_borrow_mut(|a| a.retain(|(drawn, _)| drawn != &el));
}
