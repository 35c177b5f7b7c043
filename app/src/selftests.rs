//! The upstream selftest transcripts, loaded into the engine when the log
//! check first needs them: a pasted selftest report is completed from the
//! test it names (`klpscope_engine::log::selftests`). The wasm does not
//! carry them, so a first visit does not wait for them; the site's build
//! writes them into one file beside the page (Trunk.toml's post-build
//! hook, `klpscope book --selftests`).

use leptos::prelude::*;

/// The file, relative to the page (the site works from any path).
pub const URL: &str = "selftests.txt";

/// Where the transcripts stand in this page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing asked for them yet.
    NotRequested,
    /// On their way.
    Loading,
    /// In the engine: a check completes selftest reports.
    Loaded,
    /// The fetch or the file failed: why.
    Failed(String),
}

/// The one status of the page (tracked where read with `get`).
pub fn status() -> RwSignal<Status> {
    thread_local! {
        static STATUS: RwSignal<Status> = RwSignal::new(Status::NotRequested);
    }
    STATUS.with(|s| *s)
}

/// Starts loading the transcripts unless they are loaded or on their way
/// (after a failure, it tries again).
pub fn request() {
    let status = status();
    if matches!(status.get_untracked(), Status::Loading | Status::Loaded) {
        return;
    }
    status.set(Status::Loading);
    leptos::task::spawn_local(async move {
        let loaded = crate::chapters::fetch_text(URL)
            .await
            .and_then(|text| klpscope_engine::log::selftests::load(&text).map(|_| ()));
        status.set(match loaded {
            Ok(()) => Status::Loaded,
            Err(e) => Status::Failed(e),
        });
    });
}
