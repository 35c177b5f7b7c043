//! Renders the documentation (content/*.md, in content/SUMMARY order) to
//! HTML at build time, so the browser gets HTML and the wasm carries no
//! Markdown parser. The output is `$OUT_DIR/chapters.rs`, included by
//! `src/chapters.rs`.

#[path = "src/markdown.rs"]
#[allow(dead_code)]
mod markdown;

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    println!("cargo:rerun-if-changed={}", content.display());
    println!("cargo:rerun-if-changed=src/markdown.rs");
    let summary = std::fs::read_to_string(content.join("SUMMARY")).expect("content/SUMMARY");
    let mut out = String::from("&[\n");
    for line in summary.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (slug, file) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("content/SUMMARY: '{line}' is not '<slug> <file>'"));
        let path = content.join(file.trim());
        println!("cargo:rerun-if-changed={}", path.display());
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let r = markdown::render(slug, &text);
        writeln!(out, "    Chapter {{").unwrap();
        writeln!(out, "        slug: {slug:?},").unwrap();
        writeln!(out, "        title: {:?},", r.title).unwrap();
        writeln!(out, "        headings: &[").unwrap();
        for h in &r.headings {
            writeln!(
                out,
                "            Heading {{ level: {}, slug: {:?}, text: {:?} }},",
                h.level, h.slug, h.text
            )
            .unwrap();
        }
        writeln!(out, "        ],\n        segments: &[").unwrap();
        for s in &r.segments {
            match s {
                markdown::Segment::Html(h) => writeln!(out, "            Segment::Html({h:?}),"),
                markdown::Segment::Live(l) => writeln!(out, "            Segment::Live({l:?}),"),
            }
            .unwrap();
        }
        writeln!(out, "        ],\n    }},").unwrap();
    }
    out.push_str("]\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("chapters.rs");
    std::fs::write(dest, out).unwrap();
}
