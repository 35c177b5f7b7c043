//! klpscope in the browser: the documentation of the livepatch (un)patch
//! callbacks beside a live scenario explorer.
//!
//! The app is a thin view over `klpscope_engine`. The scenario text is the
//! state ([`state`]); the engine replays it into events and snapshots; the
//! panes ([`components`]) only arrange and render those. No kernel rule is
//! decided here: if a pane needs a fact, the engine reports it.
//!
//! Modules: [`state`] (source of truth), [`route`] (URL fragment),
//! [`model`] (timeline layout), [`commands`] (command lines the controls
//! issue), [`chapters`] (the docs, rendered when the app is built),
//! [`prerender`] (taking over the page the build prerendered),
//! [`selftests`] (the selftest transcripts the log check loads),
//! [`components`] (views).

pub mod chapters;
pub mod commands;
pub mod components;
pub mod model;
pub mod on_demand;
pub mod prerender;
pub mod route;
pub mod selftests;
pub mod state;

use components::docs_pane::DocsPane;
use components::explorer::Explorer;
use leptos::ev;
use leptos::prelude::*;
use route::Route;
use state::{DocState, ExplorerState, Jump, Pane, provide_explorer_state};
use wasm_bindgen::JsCast;

/// The keyboard help's rows: keys, and what they do.
const HELP_KEYS: &[(&[&str], &str)] = &[
    (
        &["←", "→"],
        "step back / forward (with focus in the explorer; in the docs and in scrollable boxes they scroll)",
    ),
    (
        &["Home", "End"],
        "before the first / after the last command",
    ),
    (
        &["/"],
        "search the documentation (↓ ↑ results, Enter opens one)",
    ),
    (&["?"], "this help"),
    (&["Tab"], "move between controls; markers are buttons"),
    (
        &["Enter"],
        "in the command line: run the command after the current step",
    ),
    (&["Esc"], "close this help"),
];

/// How long the explorer rests on a step before the address shows it.
const URL_REST: std::time::Duration = std::time::Duration::from_millis(120);

/// localStorage key of the chosen colour scheme.
const THEME_KEY: &str = "klpscope-theme";

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let initial = Route::parse(&location_hash());
    let state = provide_explorer_state(initial.scenario.clone().unwrap_or_default(), initial.at);
    state.selected.set(initial.event);
    link_notices(state, &location_hash(), &initial);
    let doc = DocState {
        chapter: RwSignal::new(0),
        heading: RwSignal::new(None),
        quiz: RwSignal::new(None),
        focus: RwSignal::new(false),
    };
    open_doc(doc, &initial);
    provide_context(doc);
    let announcement = RwSignal::new(String::new());
    provide_context(Announcer(announcement));
    let jump = Jump(RwSignal::new(None));
    provide_context(jump);

    sync_url(state, doc);
    announce_steps(state, announcement);
    let help_open = RwSignal::new(false);
    keyboard(state, help_open);
    on_demand::open_sent_scenarios(state);
    on_demand::check_pasted_logs();

    view! {
        <a
            class="skip"
            href="#explorer-h"
            on:click=move |e| {
                e.prevent_default();
                jump.to(Pane::Explorer);
            }
        >
            "Skip to the explorer"
        </a>
        <Header help_open=help_open />
        <main class="panes">
            <DocsPane />
            <Explorer />
        </main>
        <HelpDialog open=help_open />
        <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
            {move || announcement.get()}
        </div>
    }
}

/// Where a panic was raised, as the browser console's error (it aborts:
/// without this the console would only say "unreachable"). The place
/// without the message: formatting messages would cost the site 1.4 KB.
pub fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        if let Some(at) = info.location() {
            let line = at.line().to_string();
            web_sys::console::error_3(
                &"klpscope panicked at".into(),
                &at.file().into(),
                &line.into(),
            );
        }
    }));
}

/// The polite live region, for components that report something.
#[derive(Clone, Copy)]
pub struct Announcer(pub RwSignal<String>);

impl Announcer {
    /// Says `text` to screen readers.
    pub fn say(&self, text: impl Into<String>) {
        self.0.set(text.into());
    }
}

/// The page's URL fragment, with its `#`.
pub fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Keeps the URL fragment and the state in step, both ways: the state is
/// written to the fragment (a new history entry when the scenario changes,
/// in place when only the step or the chapter does), and a fragment the
/// user navigates to (a link, back/forward) is read into the state.
fn sync_url(state: ExplorerState, doc: DocState) {
    let written_scenario = StoredValue::new(state.scenario.get_untracked());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // A link that could not be read stays in the address bar, so the
    // reader can send it back as it came, until the view changes.
    let keep_link = StoredValue::new(Route::parse(&location_hash()).link_error.is_some());
    Effect::new(move |_| {
        let scenario = state.scenario.get();
        let cursor = state.cursor.get();
        let len = state.len();
        let route = Route {
            chapter: Some(chapters::CHAPTERS[doc.chapter.get()].slug.to_string()),
            heading: doc.heading.get(),
            quiz: doc.quiz.get(),
            at: (cursor < len).then_some(cursor),
            event: state.selected.get(),
            scenario: Some(scenario.clone()),
            embed: false,
            link_error: None,
        };
        let push = written_scenario.get_value() != scenario;
        written_scenario.set_value(scenario);
        if keep_link.get_value() {
            keep_link.set_value(false);
            return;
        }
        if let Some(pending) = pending.get_value() {
            pending.clear();
        }
        let write = move || {
            pending.set_value(None);
            let fragment = route.format();
            if fragment == location_hash() {
                return;
            }
            let Ok(history) = window().history() else {
                return;
            };
            let _ = if push {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment))
            } else {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment))
            };
        };
        // A new scenario is a history entry at once; a step (or a chapter)
        // is written when the keys rest: encoding the scenario and
        // replacing the entry on every key press of a held arrow would
        // cost each step its frame.
        if push {
            write();
        } else {
            pending.set_value(set_timeout_with_handle(write, URL_REST).ok());
        }
    });
    let apply = move || {
        let hash = location_hash();
        // A fragment naming an element of the page (`#explorer-h`, say,
        // followed without script) is a place on the page, not a view:
        // the scenario stays.
        if hash.len() > 1 && document().get_element_by_id(&hash[1..]).is_some() {
            return;
        }
        let route = Route::parse(&hash);
        if route.quiz.is_some() || route.chapter.as_deref().and_then(chapters::find).is_some() {
            open_doc(doc, &route);
        }
        if let Some(text) = route.scenario.clone() {
            if text != state.scenario.get_untracked() {
                written_scenario.set_value(text.clone());
                state.load(&text, route.at);
            } else {
                state.seek(route.at.unwrap_or(usize::MAX));
            }
            state.selected.set(route.event);
        } else if route.chapter.is_none() && route.at.is_none() {
            // An empty fragment: back to where the site starts.
            written_scenario.set_value(String::new());
            state.reset();
        }
        link_notices(state, &hash, &route);
    };
    let _ = window_event_listener(ev::hashchange, move |_| apply());
    let _ = window_event_listener(ev::popstate, move |_| apply());
}

/// Opens the chapter, section or exercise a route names: an exercise in
/// its chapter (an unknown one: the first chapter of exercises), a chapter
/// that does not exist as the first chapter.
fn open_doc(doc: DocState, route: &Route) {
    let quiz = route.quiz.as_deref();
    let chapter = match quiz {
        Some(id) => chapters::find_quiz(id).or_else(|| {
            chapters::CHAPTERS
                .iter()
                .position(|c| !c.quizzes.is_empty())
        }),
        None => route.chapter.as_deref().and_then(chapters::find),
    };
    doc.chapter.set(chapter.unwrap_or(0));
    doc.heading
        .set(route.heading.clone().filter(|_| quiz.is_none()));
    doc.quiz.set(
        quiz.filter(|q| chapters::find_quiz(q).is_some())
            .map(str::to_string),
    );
}

/// Shows what a link asks for that cannot be shown, and what is shown
/// instead, where the explorer shows errors (until the next command).
fn link_notices(state: ExplorerState, hash: &str, route: &Route) {
    let notes = components::notice::problems(hash, route);
    if !notes.is_empty() {
        state.error.set(Some(notes.join("\n")));
    }
}

/// Announces the callbacks of each step as the cursor moves onto it.
fn announce_steps(state: ExplorerState, announcement: RwSignal<String>) {
    let last = StoredValue::new(state.cursor.get_untracked());
    Effect::new(move |_| {
        let n = state.cursor.get();
        let replay = state.replay.get();
        let before = last.get_value();
        last.set_value(n);
        if n == before {
            return;
        }
        let len = replay.steps().len();
        let text = match n.checked_sub(1).and_then(|i| replay.steps().get(i)) {
            None => format!("Before the first command, {len} steps."),
            Some(step) => {
                let callbacks: Vec<String> = step
                    .events
                    .iter()
                    .filter_map(model::describe_callback)
                    .collect();
                let what = if callbacks.is_empty() {
                    "no callback".to_string()
                } else {
                    callbacks.join("; ")
                };
                format!("Step {n} of {len}: {}. {what}.", step.command)
            }
        };
        announcement.set(text);
    });
}

/// Keyboard: ←/→ step, Home/End, `?` help. Keys act where focus is: typed
/// into a field they stay there, and the stepping keys move the explorer
/// only when focus is in it (or nowhere, on the page body); in the docs or
/// on a scrollable region they scroll, as the browser does.
pub fn keyboard(state: ExplorerState, help_open: RwSignal<bool>) {
    let _ = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.ctrl_key() || e.alt_key() || e.meta_key() {
            return;
        }
        let target = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let in_field = target.as_ref().is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        });
        if in_field {
            return;
        }
        let key = e.key();
        if matches!(key.as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End")
            && !target.as_ref().is_none_or(steps_explorer)
        {
            return;
        }
        let handled = match key.as_str() {
            "ArrowLeft" => {
                state.selected.set(None);
                state.back();
                true
            }
            "ArrowRight" => {
                state.selected.set(None);
                state.forward();
                true
            }
            "Home" => {
                state.seek(0);
                true
            }
            "End" => {
                state.seek(usize::MAX);
                true
            }
            "?" => {
                help_open.update(|o| *o = !*o);
                true
            }
            _ => false,
        };
        if handled {
            e.prevent_default();
        }
    });
}

/// Whether the stepping keys, pressed with focus on `el`, step the
/// explorer: on the page body, or on a control of the explorer that is not
/// itself a scrollable region (the timeline and the log scroll natively).
fn steps_explorer(el: &web_sys::Element) -> bool {
    if matches!(el.tag_name().as_str(), "BODY" | "HTML") {
        return true;
    }
    if el.closest("#explorer").ok().flatten().is_none() {
        return false;
    }
    let scrolls =
        el.scroll_width() > el.client_width() + 1 || el.scroll_height() > el.client_height() + 1;
    let region = el
        .matches(".timeline-scroll, .transcript, .table-scroll, pre")
        .unwrap_or(false);
    !(scrolls || region)
}

/// The top bar.
#[component]
fn Header(
    /// Whether the keyboard help is open.
    help_open: RwSignal<bool>,
) -> impl IntoView {
    let state = use_context::<ExplorerState>().expect("explorer state");
    let announcer = expect_context::<Announcer>();
    let jump = expect_context::<Jump>();
    // The hash stays as it is: it holds the scenario.
    let go = move |e: web_sys::MouseEvent, pane: Pane| {
        e.prevent_default();
        jump.to(pane);
    };
    let status = RwSignal::new(String::new());
    // The log check downloads when first opened: say so beside its button
    // while it loads, and how to try again if it cannot be loaded.
    let (tools, asked) = (on_demand::status(), on_demand::log_check_asked());
    // Whether the status shows one of these lines (cleared when it opens).
    let telling = StoredValue::new(false);
    Effect::new(move |_| {
        let msg = match (asked.get(), tools.get()) {
            (true, on_demand::Load::Loading) => Some("Loading the log check…".to_string()),
            (true, on_demand::Load::Failed(why)) => Some(format!(
                "The log check could not be loaded ({why}): check the connection and press the button again."
            )),
            _ => None,
        };
        match msg {
            Some(msg) => {
                telling.set_value(true);
                status.set(msg.clone());
                announcer.say(msg);
            }
            None if telling.get_value() => {
                telling.set_value(false);
                status.set(String::new());
            }
            None => {}
        }
    });
    let fallback = RwSignal::new(None::<String>);
    let copy = move |what: &'static str, text: String| {
        let lines = text.lines().count();
        if text.trim().is_empty() {
            let msg = format!("Nothing copied: the {what} is empty (no command yet).");
            status.set(msg.clone());
            announcer.say(msg);
            return;
        }
        let done = move |ok: bool, text: String| {
            let msg = if ok {
                let s = if lines == 1 { "" } else { "s" };
                format!("Copied the {what} ({lines} line{s}).")
            } else {
                fallback.set(Some(text));
                format!("Copy the {what} from the box below.")
            };
            status.set(msg.clone());
            announcer.say(msg);
        };
        let clipboard = window().navigator().clipboard();
        let promise = clipboard.write_text(&text);
        leptos::task::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            done(ok, text);
        });
    };
    let theme = RwSignal::new(
        window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
            .unwrap_or_else(|| "auto".into()),
    );
    Effect::new(move |_| {
        let t = theme.get();
        if let Some(root) = document().document_element() {
            let _ = if t == "auto" {
                root.remove_attribute("data-theme")
            } else {
                root.set_attribute("data-theme", &t)
            };
        }
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = if t == "auto" {
                storage.remove_item(THEME_KEY)
            } else {
                storage.set_item(THEME_KEY, &t)
            };
        }
    });
    view! {
        <header class="top">
            <div class="brand">
                <span class="logo" aria-hidden="true">"▷▶◁◀"</span>
                <span class="name">"klpscope"</span>
                <span class="tagline">"livepatch (un)patch callbacks, replayed"</span>
            </div>
            <nav class="jump" aria-label="Panes">
                <a href="#docs-h" on:click=move |e| go(e, Pane::Docs)>"Docs"</a>
                <a href="#explorer-h" on:click=move |e| go(e, Pane::Explorer)>"Explorer"</a>
            </nav>
            <div class="tools">
                <label class="theme">
                    "theme "
                    <select
                        on:change=move |ev| theme.set(event_target_value(&ev))
                        prop:value=move || theme.get()
                        data-testid="theme"
                    >
                        <option value="auto">"auto"</option>
                        <option value="light">"light"</option>
                        <option value="dark">"dark"</option>
                    </select>
                </label>
                <button
                    data-testid="copy-transcript"
                    on:click=move |_| {
                        let text = state.replay.get_untracked().transcript(state.cursor.get_untracked());
                        copy("transcript", text);
                    }
                >
                    "copy transcript"
                </button>
                <button
                    data-testid="copy-link"
                    on:click=move |_| {
                        let href = window().location().href().unwrap_or_default();
                        copy("link", href);
                    }
                >
                    "copy link"
                </button>
                <button
                    data-testid="open-paste"
                    title="Or paste a kernel log anywhere on the page"
                    on:click=move |_| on_demand::open_log_check(None)
                    on:pointerenter=move |_| on_demand::preload()
                    on:focus=move |_| on_demand::preload()
                >
                    "check a kernel log…"
                </button>
                <components::mail::MailTools />
                <button
                    aria-label="Keyboard shortcuts"
                    title="Keyboard shortcuts (?)"
                    on:click=move |_| help_open.set(true)
                >
                    "?"
                </button>
                <span class="status" data-testid="copy-status">{move || status.get()}</span>
            </div>
        </header>
        {move || {
            fallback
                .get()
                .map(|text| {
                    view! {
                        <div class="copy-fallback">
                            <textarea readonly aria-label="Text to copy" rows="6">{text}</textarea>
                            <button on:click=move |_| fallback.set(None)>"close"</button>
                        </div>
                    }
                })
        }}
    }
}

/// Keyboard shortcuts.
#[component]
fn HelpDialog(
    /// Open or closed.
    open: RwSignal<bool>,
) -> impl IntoView {
    let dialog: NodeRef<leptos::html::Dialog> = NodeRef::new();
    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        if open.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        } else if d.open() {
            d.close();
        }
    });
    view! {
        <dialog node_ref=dialog class="help" aria-labelledby="help-h" on:close=move |_| open.set(false)>
            <h2 id="help-h">"Keyboard"</h2>
            <table>
                <tbody>
                    {HELP_KEYS
                        .iter()
                        .map(|(keys, what)| {
                            let keys: Vec<_> = keys.iter().map(|k| view! { <kbd>{*k}</kbd>" " }).collect();
                            view! {
                                <tr>
                                    <td>{keys}</td>
                                    <td>{*what}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="muted">
                "Running a command while stepped back drops the later steps first. The scenario is kept in the address, so the back button undoes a change."
            </p>
            <form method="dialog">
                <button>"close"</button>
            </form>
        </dialog>
    }
}
