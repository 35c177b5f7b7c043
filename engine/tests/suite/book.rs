//! `klpscope book`: the documentation as static pages.

use std::path::{Path, PathBuf};
use std::process::Command;

fn klpscope_book(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_klpscope"))
        .arg("book")
        .args(args)
        .output()
        .expect("klpscope runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("klpscope-book-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn writes_a_page_per_chapter_an_index_the_whole_book_and_the_css() {
    let out = temp("real");
    let content = repo("content");
    let (code, stdout, stderr) = klpscope_book(&[
        out.to_str().unwrap(),
        "--content",
        content.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("wrote "), "{stdout}");
    let summary = klpscope_engine::book::read_summary(&content).unwrap();
    assert!(!summary.is_empty());
    let index = read(&out.join("index.html"));
    let print = read(&out.join("print.html"));
    for (i, (slug, _)) in summary.iter().enumerate() {
        let page = read(&out.join(format!("{slug}.html")));
        assert!(
            index.contains(&format!("href=\"{slug}.html\"")),
            "index lacks {slug}"
        );
        assert!(page.contains("aria-current=\"page\""), "{slug}");
        assert!(page.contains("<nav class=\"prev-next\""), "{slug}");
        if let Some((next, _)) = summary.get(i + 1) {
            assert!(
                page.contains(&format!("rel=\"next\" href=\"{next}.html\"")),
                "{slug}"
            );
        }
        assert!(print.contains(&format!("<section class=\"print-chapter\" id=\"{slug}\">")));
    }
    for css in ["main.css", "print.css", "book.css"] {
        assert!(out.join(css).is_file(), "{css} not copied");
        assert!(
            index.contains(&format!("href=\"{css}\"")),
            "{css} not linked"
        );
    }
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn a_block_shows_its_transcript_escaped_with_a_link_to_the_explorer() {
    let content = temp("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("SUMMARY"), "# order\none one.md\ntwo two.md\n").unwrap();
    std::fs::write(
        content.join("one.md"),
        "# One <script>x</script>\n\nSee [two](#doc=two/part-b) and `<b>`.\n\n\
         ```klpscope\n% insmod test_modules/test_klp_callbacks_demo.ko\n```\n",
    )
    .unwrap();
    std::fs::write(
        content.join("two.md"),
        "# Two & more\n\n## Part B\n\n```klpscope\n% insmodd x\n```\n",
    )
    .unwrap();
    let out = temp("small");
    let (code, _, stderr) = klpscope_book(&[
        out.to_str().unwrap(),
        "--content",
        content.to_str().unwrap(),
        "--style",
        repo("style").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // A block that does not parse is a warning and shows its error.
    assert!(
        stderr.contains("warning") && stderr.contains("two.md"),
        "{stderr}"
    );
    let one = read(&out.join("one.html"));
    assert!(
        one.contains("livepatch: enabling patch &#39;test_klp_callbacks_demo&#39;"),
        "{one}"
    );
    assert!(
        one.contains("test_klp_callbacks_demo: pre_patch_callback: vmlinux"),
        "{one}"
    );
    assert!(
        one.contains("href=\"../index.html#doc=one&amp;s1=i.demo\""),
        "{one}"
    );
    assert!(one.contains("href=\"two.html#doc-part-b\""), "{one}");
    assert!(one.contains("<code>&lt;b&gt;</code>"), "{one}");
    // Raw HTML in Markdown is Markdown's; the title in nav and <title> is escaped.
    assert!(
        one.contains("<title>One &lt;script&gt;x&lt;/script&gt; · klpscope</title>")
            || one.contains("<title>One x · klpscope</title>"),
        "{one}"
    );
    let two = read(&out.join("two.html"));
    assert!(two.contains("Two &amp; more"), "{two}");
    assert!(two.contains("<pre class=\"error\">"), "{two}");
    assert!(two.contains("rel=\"prev\" href=\"one.html\""), "{two}");
    let print = read(&out.join("print.html"));
    assert!(print.contains("href=\"#two--part-b\""), "{print}");
    assert!(print.contains("id=\"two--part-b\""), "{print}");
    let _ = std::fs::remove_dir_all(out);
    let _ = std::fs::remove_dir_all(content);
}

#[test]
fn a_missing_summary_is_an_error_with_a_hint() {
    let out = temp("none");
    let (code, _, stderr) =
        klpscope_book(&[out.to_str().unwrap(), "--content", "/nonexistent/content"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/content/SUMMARY"), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
