//! A select of plain values, kept in a signal: the exercises' answer rows
//! and the ask panel's question builder both name callbacks, objects and
//! states this way.

use leptos::html::Select;
use leptos::prelude::*;

/// A `<select name=NAME>` of `values` (each its own value), after an
/// option of value "" reading `none` if given; the value chosen goes to
/// `value`, which starts at the first option.
#[component]
pub fn Choice(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] none: Option<&'static str>,
    #[prop(into)] values: Vec<String>,
    value: RwSignal<String>,
    /// For a view that moves the focus to it.
    #[prop(optional)]
    node_ref: NodeRef<Select>,
) -> impl IntoView {
    view! {
        <select
            name=name
            aria-label=label
            node_ref=node_ref
            on:change=move |ev| value.set(event_target_value(&ev))
        >
            {none.map(|n| view! { <option value="">{n}</option> })}
            {values
                .into_iter()
                .map(|v| {
                    let text = v.clone();
                    view! { <option value=v>{text}</option> }
                })
                .collect_view()}
        </select>
    }
}
