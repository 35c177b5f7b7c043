//! Browser entry point: panic messages to the console, then mount the app (or, for
//! `&embed`, only its scenario).

fn main() {
    // Where a panic was raised, as the browser console's error (it aborts:
    // without this the console would only say "unreachable"). The place
    // without the message: formatting messages would cost the site 1.4 KB.
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
    if klpscope_app::route::Route::parse(&klpscope_app::location_hash()).embed {
        leptos::mount::mount_to_body(klpscope_app::components::embed::EmbedApp);
    } else {
        leptos::mount::mount_to_body(klpscope_app::App);
    }
}
