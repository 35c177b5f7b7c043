//! Browser entry point: panic messages to the console, then mount the app (or, for
//! `&embed`, only its scenario).

fn main() {
    console_error_panic_hook::set_once();
    if klpscope_app::route::Route::parse(&klpscope_app::location_hash()).embed {
        leptos::mount::mount_to_body(klpscope_app::components::embed::EmbedApp);
    } else {
        leptos::mount::mount_to_body(klpscope_app::App);
    }
}
