//! Renders the documentation (content/*.md, in content/SUMMARY order) to
//! HTML at build time with the engine's Markdown renderer (feature `book`,
//! the one `klpscope book` uses), so the browser gets HTML and the wasm
//! carries no Markdown parser. The output is `$OUT_DIR/chapters.rs`,
//! included by `src/chapters.rs`: per chapter its title, its headings
//! (with where each section starts in the HTML: the search index) and the
//! ids of its exercises (for `#quiz=ID` links). The
//! chapters' HTML itself is not compiled in: `klpscope book` writes it to
//! `book/segments/`, rendered by the same function, and the docs pane
//! loads a chapter when it is opened.

use klpscope_engine::book::{Book, markdown};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    // The package's directory when the script runs (`env!` would be the
    // one it was compiled in, which a shared target directory reuses).
    let Ok(manifest_dir) = std::env::var("CARGO_MANIFEST_DIR") else {
        eprintln!("error: cargo did not set CARGO_MANIFEST_DIR");
        return ExitCode::FAILURE;
    };
    let content = Path::new(&manifest_dir).join("../content");
    println!("cargo:rerun-if-changed={}", content.display());
    let book = match Book::load(&content) {
        Ok(book) => book,
        Err(e) => {
            // A build script reports on stderr; cargo shows it on failure.
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for path in book.sources(&content) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let out = chapters(&book);
    let Some(dir) = std::env::var_os("OUT_DIR") else {
        eprintln!("error: OUT_DIR is not set (run by cargo)");
        return ExitCode::FAILURE;
    };
    let dest = Path::new(&dir).join("chapters.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        eprintln!("error: {}: {e}", dest.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The `&[Chapter]` expression for `src/chapters.rs`.
fn chapters(book: &Book) -> String {
    let mut out = String::from("&[\n");
    for chapter in &book.chapters {
        let r = markdown::render(&chapter.slug, &chapter.source);
        let _ = writeln!(out, "    Chapter {{");
        let _ = writeln!(out, "        slug: {:?},", chapter.slug);
        let _ = writeln!(out, "        title: {:?},", r.title);
        let quizzes: Vec<&str> = r
            .segments
            .iter()
            .filter_map(|s| match s {
                markdown::Segment::Quiz { form, .. } => Some(form.exercise.id.as_str()),
                _ => None,
            })
            .collect();
        let _ = writeln!(out, "        quizzes: {:?},", quizzes.join(" "));
        let _ = writeln!(out, "        headings: &[");
        for h in &r.headings {
            let _ = writeln!(
                out,
                "            Heading {{ level: {}, slug: {:?}, text: {:?}, at: ({}, {}) }},",
                h.level, h.slug, h.text, h.at.0, h.at.1
            );
        }
        let _ = writeln!(out, "        ],\n    }},");
    }
    out.push_str("]\n");
    out
}
