//! The views: one module per pane.

pub mod ask;
pub mod controls;
pub mod docs_pane;
pub mod editor;
pub mod embed;
pub mod explorer;
pub mod kmod;
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

/// Draws the element of `node` anew (its children replaced) with `draw`,
/// once it is mounted and again whenever what `draw` reads changes. The
/// timeline's grid is drawn this way (see timeline.rs) until it is drawn
/// by views of the columns in view; the other panels are views.
pub fn redraw(
    node: leptos::prelude::NodeRef<leptos::html::Div>,
    mut draw: impl FnMut(&web_sys::Element) -> Result<(), wasm_bindgen::JsValue> + 'static,
) {
    use leptos::prelude::Get;
    leptos::prelude::Effect::new(move |_| {
        if let Some(el) = node.get() {
            el.replace_children_with_node_0();
            let _ = draw(&el);
        }
    });
}

/// Appends a new `tag` element to `parent`, with a class and a text (as a
/// text node) where they are not empty: how [`redraw`] draws the timeline,
/// and how the questions (ask.rs) write their answers into the answer box
/// of the chapter's HTML.
pub fn add(
    parent: &web_sys::Element,
    tag: &str,
    class: &str,
    text: &str,
) -> Result<web_sys::Element, wasm_bindgen::JsValue> {
    let e = leptos::prelude::document().create_element(tag)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.insert_adjacent_text("beforeend", text)?;
    }
    parent.insert_adjacent_element("beforeend", &e)?;
    Ok(e)
}
