//! Browser entry point: panic messages to the console, then mount the app (or, for
//! `&embed`, only its scenario) in place of the prerendered page.

fn main() {
    klpscope_app::report_panics();
    // The page the build prerendered (the shell and the opening chapter,
    // engine/src/book/prerender.rs) gives way to the app in this one task:
    // no frame is painted between its removal and the app's first view,
    // which draws the same chapter (read from the page, not fetched) at the
    // same place, scrolled where the reader had scrolled it.
    let taken = klpscope_app::prerender::take();
    if klpscope_app::route::Route::parse(&klpscope_app::location_hash()).embed {
        leptos::mount::mount_to_body(klpscope_app::components::embed::EmbedApp);
    } else {
        leptos::mount::mount_to_body(klpscope_app::App);
        taken.restore();
    }
}
