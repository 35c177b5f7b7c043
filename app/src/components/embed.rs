//! Embed mode (`&embed` in a share link): only the scenario — timeline,
//! transcript and stepping — sized for an iframe, with a link that opens
//! the same scenario, step and selection in the full explorer.

use super::timeline::Timeline;
use super::transcript::Transcript;
use crate::route::Route;
use crate::state::{provide_explorer_state, use_explorer_state};
use leptos::prelude::*;

/// The page in embed mode: the scenario of the URL, nothing else. Its
/// URL stays as embedded (stepping does not rewrite it).
#[component]
pub fn EmbedApp() -> impl IntoView {
    let route = Route::parse(&crate::location_hash());
    let state = provide_explorer_state(route.scenario.clone().unwrap_or_default(), route.at);
    state.selected.set(route.event);
    if let Some(e) = &route.link_error {
        state
            .error
            .set(Some(format!("This link does not open: {e}")));
    }
    crate::keyboard(state, RwSignal::new(false));
    view! { <Embed /> }
}

/// The embedded scenario.
#[component]
pub fn Embed() -> impl IntoView {
    let state = use_explorer_state();
    let replay = Signal::derive(move || state.replay.get());
    let cursor = Signal::derive(move || state.cursor.get());
    let on_step = Callback::new(move |step: usize| {
        state.selected.set(None);
        state.seek(step);
    });
    let full = move || {
        let len = state.len();
        let cursor = state.cursor.get();
        let route = Route {
            scenario: Some(state.scenario.get()),
            at: (cursor < len).then_some(cursor),
            event: state.selected.get(),
            ..Route::default()
        };
        let loc = window().location();
        format!(
            "{}{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default(),
            route.format()
        )
    };
    view! {
        <main class="embed" data-testid="embed" aria-labelledby="embed-h">
            <h1 id="embed-h" class="visually-hidden">"klpscope: a livepatch callback scenario"</h1>
            <div class="embed-bar" role="group" aria-label="Steps">
                <button
                    on:click=move |_| {
                        state.selected.set(None);
                        state.back();
                    }
                    disabled=move || state.cursor.get() == 0
                    aria-label="Step back"
                    data-testid="back"
                >
                    "◀"
                </button>
                <button
                    on:click=move |_| {
                        state.selected.set(None);
                        state.forward();
                    }
                    disabled=move || { state.cursor.get() >= state.len() }
                    aria-label="Step forward"
                    data-testid="forward"
                >
                    "▶"
                </button>
                <span class="position" data-testid="position">
                    {move || format!("step {} / {}", state.cursor.get(), state.len())}
                </span>
                <a class="embed-open" href=full target="_blank" rel="noopener" data-testid="embed-open">
                    "open in klpscope ↗"
                </a>
            </div>
            {move || {
                state
                    .error
                    .get()
                    .map(|e| view! { <pre class="error" role="alert" data-testid="error">{e}</pre> })
            }}
            {move || {
                state
                    .replay
                    .get()
                    .run
                    .as_ref()
                    .err()
                    .map(|e| {
                        view! {
                            <pre class="error" role="alert" data-testid="scenario-error">
                                "This scenario does not parse: " {e.clone()}
                            </pre>
                        }
                    })
            }}
            <Timeline replay=replay cursor=cursor selected=state.selected on_step=on_step />
            <Transcript />
        </main>
    }
}
