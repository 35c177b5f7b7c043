//! The log check's wasm module: its dialog, the engine's log reader and
//! the upstream selftest transcripts it loads. The page loads it when the
//! check is first opened (`klpscope_app::on_demand`) and calls [`open`].

use klpscope_app::components::logcheck::{LogCheckDialog, LogCheckState};
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The dialog's state, once it is mounted.
    static DIALOG: Cell<Option<LogCheckState>> = const { Cell::new(None) };
}

fn main() {
    klpscope_app::report_panics();
}

/// Opens the dialog (mounting it the first time), with `text` in its
/// paste box and checked, if given.
#[wasm_bindgen]
pub fn open(text: Option<String>) {
    let s = DIALOG.with(Cell::get).unwrap_or_else(|| {
        leptos::mount::mount_to_body(|| {
            DIALOG.with(|d| d.set(Some(LogCheckState::provide())));
            view! { <LogCheckDialog /> }
        });
        DIALOG
            .with(Cell::get)
            .expect("the dialog's state is set while it mounts")
    });
    if let Some(text) = text {
        s.text.set(text);
        s.check_now.set(true);
    }
    s.open.set(true);
}
