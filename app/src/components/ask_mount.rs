//! Where a chapter's questions go: the site's tools module, loaded when a
//! chapter with a `klpscope-ask` block first opens ([`crate::on_demand`]),
//! draws its ask panel in the element this component hands over, and
//! removes it when the chapter closes.

use crate::on_demand::{self, Load};
use leptos::html::Div;
use leptos::prelude::*;

/// The questions `ids`, drawn by the tools module; while it loads, or if
/// it cannot be, a line that says so.
#[component]
pub fn AskMount(
    /// The ids of the block's questions (`klpscope_engine::ask::QUESTIONS`).
    ids: Vec<String>,
) -> impl IntoView {
    let place: NodeRef<Div> = NodeRef::new();
    let mounted = StoredValue::new_local(None::<web_sys::Element>);
    Effect::new(move |_| {
        if let Some(el) = place.get()
            && mounted.get_value().is_none()
        {
            let el: web_sys::Element = el.into();
            mounted.set_value(Some(el.clone()));
            on_demand::mount_ask(el, ids.clone());
        }
    });
    on_cleanup(move || {
        if let Some(el) = mounted.get_value() {
            on_demand::unmount_ask(el);
        }
    });
    let status = on_demand::status();
    let note = move || match status.get() {
        Load::Loading => {
            let text = "Loading the questions' explorer…";
            Some(view! { <p class="muted" data-testid="ask-loading">{text}</p> }.into_any())
        }
        Load::Failed(why) => {
            let text = format!(
                "The questions could not be loaded ({why}): check the connection and reload the page."
            );
            Some(
                view! { <p class="error" role="alert" data-testid="ask-failed">{text}</p> }
                    .into_any(),
            )
        }
        Load::NotRequested | Load::Ready => None,
    };
    view! {
        {note}
        <div class="ask-mount" node_ref=place></div>
    }
}
