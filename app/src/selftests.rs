//! The upstream selftest transcripts, loaded into the engine when the log
//! check first needs them: a pasted selftest report is completed from the
//! test it names (`klpscope_engine::log::selftests`). The wasm does not
//! carry them, so a first visit does not wait for them; the site's build
//! writes them into one file beside the page (Trunk.toml's post-build
//! hook, `klpscope book --selftests`).

use crate::on_demand::Load;
use leptos::prelude::*;

/// The file, relative to the page (the site works from any path).
pub const URL: &str = "selftests.txt";

thread_local! {
    /// Where the transcripts stand in this page. Reference-counted, not
    /// owned by the component that first asks: it lives as long as the page.
    static STATUS: ArcRwSignal<Load> = ArcRwSignal::new(Load::NotRequested);
}

/// Where the transcripts stand (tracked where read with `get`).
pub fn status() -> ArcRwSignal<Load> {
    STATUS.with(Clone::clone)
}

/// Starts loading the transcripts unless they are loaded or on their way
/// (after a failure, it tries again).
pub fn request() {
    let status = status();
    if matches!(status.get_untracked(), Load::Loading | Load::Ready) {
        return;
    }
    status.set(Load::Loading);
    leptos::task::spawn_local(async move {
        let loaded = crate::chapters::fetch_text(URL)
            .await
            .and_then(|text| klpscope_engine::log::selftests::load(&text).map(|_| ()));
        status.set(match loaded {
            Ok(()) => Load::Ready,
            Err(e) => Load::Failed(e),
        });
    });
}
