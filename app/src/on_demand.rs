//! The log check, loaded on first use. Its dialog, the engine's log
//! reader and the upstream selftest transcripts are a wasm module of their
//! own (`klpscope-logcheck`, `src/bin/logcheck.rs`), which a first visit
//! does not download: the explorer is ready that much sooner
//! (docs/PERFORMANCE.md, "A first visit over a slow network").
//!
//! The page and the module meet at two points: the page calls the
//! module's `open(text)` (the top bar's button, a kernel log pasted
//! anywhere), and the module asks the page to open a log's scenario in the
//! explorer with a [`LOAD_SCENARIO`] event.

use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The module's JS glue, beside the page (the site works from any path).
const GLUE: &str = "klpscope-logcheck.js";

/// The event the log check sends to open its scenario in the explorer:
/// a `CustomEvent` whose detail is the scenario text, cancelled by the
/// page when the explorer took it.
pub const LOAD_SCENARIO: &str = "klpscope-load-scenario";

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    /// JavaScript's `import()`: the module's namespace, once loaded.
    fn import_module(url: &str) -> js_sys::Promise;
}

/// Where the log check's module stands in this page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load {
    /// Not asked for yet.
    NotRequested,
    /// On its way.
    Loading,
    /// Ready: its `open` is called at once.
    Ready,
    /// It could not be loaded: why.
    Failed(String),
}

thread_local! {
    /// Where the module stands. Reference-counted, not owned by the
    /// component that first asks: it lives as long as the page.
    static STATUS: ArcRwSignal<Load> = ArcRwSignal::new(Load::NotRequested);
    /// The module's namespace, once loaded.
    static MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    /// The text to open it with once it is (empty: none).
    static PENDING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Where the module stands (tracked where read with `get`).
pub fn log_check_status() -> ArcRwSignal<Load> {
    STATUS.with(Clone::clone)
}

/// Opens the log check, with `text` in its paste box (and checked) if
/// given: at once when its module is loaded, else once it is (a failed
/// load is tried again).
pub fn open_log_check(text: Option<String>) {
    if let Some(module) = MODULE.with_borrow(Clone::clone) {
        call_open(&module, text);
        return;
    }
    PENDING.set(Some(text.unwrap_or_default()));
    let status = log_check_status();
    if status.get_untracked() == Load::Loading {
        return;
    }
    status.set(Load::Loading);
    leptos::task::spawn_local(async move {
        match load_module().await {
            Ok(module) => {
                MODULE.set(Some(module.clone()));
                status.set(Load::Ready);
                let text = PENDING.take().filter(|t| !t.is_empty());
                call_open(&module, text);
            }
            Err(why) => status.set(Load::Failed(why)),
        }
    });
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

fn call_open(module: &JsValue, text: Option<String>) {
    let open = js_sys::Reflect::get(module, &"open".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(open) = open {
        let text = text.map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t));
        let _ = open.call1(&JsValue::UNDEFINED, &text);
    }
}

fn describe(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the network or the browser refused it".into())
}

/// Opens the scenarios the log check sends ([`LOAD_SCENARIO`]) in the
/// explorer, and tells it whether the explorer took them.
pub fn open_sent_scenarios(state: crate::state::ExplorerState) {
    let _ = window_event_listener_untyped(LOAD_SCENARIO, move |e: web_sys::Event| {
        let Some(text) = e
            .dyn_ref::<web_sys::CustomEvent>()
            .and_then(|e| e.detail().as_string())
        else {
            return;
        };
        if state.load(&text, None) {
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
        if !looks_like_kernel_log(&text) {
            return;
        }
        e.prevent_default();
        open_log_check(Some(text));
    });
}

/// Whether a pasted text reads as a kernel log: some line (quote marks
/// stripped) carries a dmesg timestamp, comes from the livepatch core,
/// or is a selftest command line.
pub fn looks_like_kernel_log(text: &str) -> bool {
    text.lines().take(5000).any(|l| {
        let l = l.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        let stamped = l
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .is_some_and(|(t, _)| {
                let t = t.trim();
                t.contains('.')
                    && !t.is_empty()
                    && t.chars().all(|c| c.is_ascii_digit() || c == '.')
            });
        stamped
            || l.starts_with("livepatch: ")
            || ["% insmod ", "% modprobe ", "% rmmod ", "% echo "]
                .iter()
                .any(|p| l.starts_with(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_logs_are_told_from_other_text() {
        assert!(looks_like_kernel_log(
            "[   12.345678] livepatch: enabling patch 'x'"
        ));
        assert!(looks_like_kernel_log("> > [  1.5] foo\n"));
        assert!(looks_like_kernel_log(
            "livepatch: 'demo': patching complete"
        ));
        assert!(looks_like_kernel_log(
            "% insmod test_modules/test_klp_callbacks_mod.ko"
        ));
        assert!(!looks_like_kernel_log("hello world"));
        assert!(!looks_like_kernel_log("[link](https://example.org) [1]"));
        assert!(!looks_like_kernel_log("see [x] and % done"));
    }
}
