//! The site's tools loaded on first use: the log check (its dialog, the
//! engine's log reader, the upstream selftest transcripts) and the
//! questions' exploration (the ask panels and the engine's search). They
//! are a wasm module of their own (`klpscope-tools`, `src/bin/tools.rs`),
//! which a first visit does not download: the explorer is ready that much
//! sooner (docs/PERFORMANCE.md, "A first visit over a slow network").
//!
//! The page and the module are two Leptos apps that share no state. The
//! page calls the module's exports: `open_log_check(text)` (the top bar's
//! button, a kernel log pasted anywhere), `mount_ask(element, ids)` and
//! `unmount_ask(element)` for a chapter's questions, drawn in an element
//! the page hands over. The module asks the page to open a scenario in the
//! explorer with a [`LOAD_SCENARIO`] event ([`send_scenario`]).

use crate::state::ExplorerState;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The module's JS glue, beside the page (the site works from any path).
const GLUE: &str = "klpscope-tools.js";

/// The event the module sends to open a scenario in the explorer: a
/// `CustomEvent` whose detail holds `scenario` (its text) and, to open it
/// at an event, `step` and `event`; the page cancels it when the explorer
/// took the scenario.
pub const LOAD_SCENARIO: &str = "klpscope-load-scenario";

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    /// JavaScript's `import()`: the module's namespace, once loaded.
    fn import_module(url: &str) -> js_sys::Promise;
}

/// Where something the site loads on first use stands in this page: the
/// tools module, or the selftest transcripts (`crate::selftests`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load {
    /// Not asked for yet.
    NotRequested,
    /// On its way.
    Loading,
    /// Loaded: what waited for it runs.
    Ready,
    /// It could not be loaded: why.
    Failed(String),
}

/// What waits for the module: a call into it.
type Waiting = Box<dyn FnOnce(&JsValue)>;

thread_local! {
    /// Where the module stands. Reference-counted, not owned by the
    /// component that first asks: it lives as long as the page.
    static STATUS: ArcRwSignal<Load> = ArcRwSignal::new(Load::NotRequested);
    /// Whether the log check was asked for and has not opened yet.
    static LOG_CHECK_ASKED: ArcRwSignal<bool> = ArcRwSignal::new(false);
    /// The module's namespace, once loaded.
    static MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    /// The calls waiting for it.
    static WAITING: RefCell<Vec<Waiting>> = const { RefCell::new(Vec::new()) };
}

/// Where the module stands (tracked where read with `get`).
pub fn status() -> ArcRwSignal<Load> {
    STATUS.with(Clone::clone)
}

/// Whether the log check was asked for and waits for the module (tracked).
pub fn log_check_asked() -> ArcRwSignal<bool> {
    LOG_CHECK_ASKED.with(Clone::clone)
}

/// Runs `then` with the module: at once when it is loaded, else once it
/// is (a failed load is tried again by the next call).
fn with_module(then: impl FnOnce(&JsValue) + 'static) {
    if let Some(module) = MODULE.with_borrow(Clone::clone) {
        then(&module);
        return;
    }
    WAITING.with_borrow_mut(|w| w.push(Box::new(then)));
    let status = status();
    if status.get_untracked() == Load::Loading {
        return;
    }
    status.set(Load::Loading);
    leptos::task::spawn_local(async move {
        match load_module().await {
            Ok(module) => {
                MODULE.set(Some(module.clone()));
                status.set(Load::Ready);
                for then in WAITING.take() {
                    then(&module);
                }
            }
            Err(why) => {
                WAITING.take();
                status.set(Load::Failed(why));
            }
        }
    });
}

/// Starts loading the module, if it is not loaded or on its way: a
/// pointer over the log check's button, or the focus on it, starts the
/// download the click would wait for. Says nothing if it fails: the
/// click tries again, and says so.
pub fn preload() {
    if status().get_untracked() != Load::Ready {
        with_module(|_| {});
    }
}

/// Opens the log check, with `text` in its paste box (and checked) if
/// given.
pub fn open_log_check(text: Option<String>) {
    let asked = log_check_asked();
    asked.set(true);
    with_module(move |module| {
        asked.set(false);
        let text = text.map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t));
        call(module, "open_log_check", &[text]);
    });
}

/// Draws the questions `ids` (a chapter's `klpscope-ask` block) in `el`,
/// unless its chapter closed while the module loaded.
pub fn mount_ask(el: web_sys::Element, ids: Vec<String>) {
    with_module(move |module| {
        if !el.is_connected() {
            return;
        }
        let ids: js_sys::Array = ids.iter().map(|id| JsValue::from_str(id)).collect();
        call(module, "mount_ask", &[el.into(), ids.into()]);
    });
}

/// Removes the questions drawn in `el` (its chapter is closing).
pub fn unmount_ask(el: web_sys::Element) {
    if let Some(module) = MODULE.with_borrow(Clone::clone) {
        call(&module, "unmount_ask", &[el.into()]);
    }
}

fn call(module: &JsValue, export: &str, args: &[JsValue]) {
    let f = js_sys::Reflect::get(module, &export.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(f) = f {
        let args: js_sys::Array = args.iter().collect();
        let _ = f.apply(&JsValue::UNDEFINED, &args);
    }
}

/// Imports the module's glue and instantiates its wasm.
async fn load_module() -> Result<JsValue, String> {
    let url = web_sys::Url::new_with_base(
        GLUE,
        &document().base_uri().ok().flatten().unwrap_or_default(),
    )
    .map(|u| u.href())
    .map_err(describe)?;
    let module = wasm_bindgen_futures::JsFuture::from(import_module(&url))
        .await
        .map_err(describe)?;
    let init: js_sys::Function = js_sys::Reflect::get(&module, &"default".into())
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "its glue has no init function".to_string())?;
    let started = init.call0(&JsValue::UNDEFINED).map_err(describe)?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&started))
        .await
        .map_err(describe)?;
    Ok(module)
}

fn describe(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the network or the browser refused it".into())
}

/// Asks the page to open `scenario` in the explorer (at `step`, with
/// its `event` selected, if given); whether it did. Called by the module.
pub fn send_scenario(scenario: &str, at: Option<(usize, usize)>) -> bool {
    let detail = js_sys::Object::new();
    let set = |key: &str, value: JsValue| js_sys::Reflect::set(&detail, &key.into(), &value);
    let _ = set("scenario", scenario.into());
    if let Some((step, event)) = at {
        let _ = set("step", (step as f64).into());
        let _ = set("event", (event as f64).into());
    }
    let init = web_sys::CustomEventInit::new();
    init.set_cancelable(true);
    init.set_detail(&detail);
    web_sys::CustomEvent::new_with_event_init_dict(LOAD_SCENARIO, &init)
        .is_ok_and(|e| !window().dispatch_event(&e).unwrap_or(true))
}

/// Opens the scenarios the module sends ([`LOAD_SCENARIO`]) in the
/// explorer, and tells it whether the explorer took them.
pub fn open_sent_scenarios(state: ExplorerState) {
    let _ = window_event_listener_untyped(LOAD_SCENARIO, move |e: web_sys::Event| {
        let Some(detail) = e.dyn_ref::<web_sys::CustomEvent>().map(|e| e.detail()) else {
            return;
        };
        let get = |key: &str| js_sys::Reflect::get(&detail, &key.into()).ok();
        let Some(text) = get("scenario").and_then(|v| v.as_string()) else {
            return;
        };
        let number = |key| get(key).and_then(|v| v.as_f64()).map(|n| n as usize);
        let at = number("step").zip(number("event"));
        if state.load(&text, at.map(|(step, _)| step)) {
            if let Some(key) = at {
                state.selected.set(Some(key));
                state.show();
            }
            e.prevent_default();
        }
    });
}

/// Opens the log check with a kernel log pasted outside a text field.
pub fn check_pasted_logs() {
    let _ = window_event_listener(leptos::ev::paste, move |e: web_sys::ClipboardEvent| {
        let in_field = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.closest("[contenteditable]").ok().flatten().is_some()
            });
        if in_field {
            return;
        }
        let Some(text) = e
            .clipboard_data()
            .and_then(|d| d.get_data("text/plain").ok())
        else {
            return;
        };
        if !klpscope_engine::log::looks_like_kernel_log(&text) {
            return;
        }
        e.prevent_default();
        open_log_check(Some(text));
    });
}
