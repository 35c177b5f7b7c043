use super::*;

fn dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = std::env::temp_dir().join(format!("klpscope-book-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (f, text) in files {
        std::fs::write(d.join(f), text).unwrap();
    }
    d
}

#[test]
fn summary_lists_chapters_in_order_and_skips_comments() {
    let d = dir(
        "ok",
        &[
            ("SUMMARY", "# order\n\nb 2.md\na  1.md\n"),
            ("1.md", "# One\n"),
            ("2.md", "# Two\n"),
        ],
    );
    let book = Book::load(&d).unwrap();
    let slugs: Vec<&str> = book.chapters.iter().map(|c| c.slug.as_str()).collect();
    assert_eq!(slugs, ["b", "a"]);
    assert_eq!(book.chapters[1].source, "# One\n");
    assert_eq!(book.sources(&d).len(), 3);
}

#[test]
fn summary_errors_are_typed_and_hint_at_the_fix() {
    let missing = dir("missing", &[]);
    let e = Book::load(&missing).unwrap_err();
    assert!(matches!(e, BookError::Summary { .. }), "{e}");
    assert!(e.to_string().contains("hint: "), "{e}");

    let bad = dir("bad", &[("SUMMARY", "intro\n")]);
    let e = Book::load(&bad).unwrap_err();
    assert!(matches!(e, BookError::SummaryLine { line: 1, .. }), "{e}");

    let slug = dir("slug", &[("SUMMARY", "in/tro x.md\n")]);
    assert!(matches!(
        Book::load(&slug).unwrap_err(),
        BookError::SummaryLine { .. }
    ));

    let twice = dir("twice", &[("SUMMARY", "a x.md\na y.md\n")]);
    assert!(matches!(
        Book::load(&twice).unwrap_err(),
        BookError::DuplicateSlug { line: 2, .. }
    ));

    let empty = dir("empty", &[("SUMMARY", "# nothing\n")]);
    assert!(matches!(
        Book::load(&empty).unwrap_err(),
        BookError::Empty { .. }
    ));

    let gone = dir("gone", &[("SUMMARY", "a nowhere.md\n")]);
    let e = Book::load(&gone).unwrap_err();
    assert!(matches!(e, BookError::Chapter { .. }), "{e}");
    assert!(e.to_string().contains("nowhere.md"), "{e}");

    let binary = dir("binary", &[("SUMMARY", "a x.md\n")]);
    std::fs::write(binary.join("x.md"), [0xff, 0xfe, 0x00]).unwrap();
    assert!(matches!(
        Book::load(&binary).unwrap_err(),
        BookError::Chapter { .. }
    ));
    for d in [missing, bad, slug, twice, empty, gone, binary] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_chapter_file_is_kind_text_separator_and_cannot_be_split_by_its_text() {
    use markdown::{SEGMENT_END, Segment, segments_file};
    let file = segments_file(&[
        Segment::Html("<p>a\u{1e}b</p>".into()),
        Segment::Live("% rmmod m\n".into()),
    ]);
    assert_eq!(
        file,
        format!("H<p>ab</p>{SEGMENT_END}L% rmmod m\n{SEGMENT_END}")
    );
}
