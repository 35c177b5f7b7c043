//! The views: one module per pane.

pub mod ask;
pub mod ask_mount;
pub mod choice;
pub mod controls;
pub mod docs_pane;
pub mod editor;
pub mod embed;
pub mod explorer;
pub mod kmod;
pub mod ledger;
pub mod logcheck;
pub mod mail;
pub mod marks;
pub mod notice;
pub mod profiles;
pub mod quiz;
pub mod search;
pub mod state_panel;
pub mod timeline;
pub mod transcript;

/// The element matching `selector` that a click landed in (or is inside).
pub fn clicked(e: &web_sys::MouseEvent, selector: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    e.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(selector)
        .ok()?
}

/// The elements of a `querySelectorAll` result.
pub fn elements(list: web_sys::NodeList) -> impl Iterator<Item = web_sys::Element> {
    use wasm_bindgen::JsCast;
    (0..list.length()).filter_map(move |i| list.item(i)?.dyn_into().ok())
}
