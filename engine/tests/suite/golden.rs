//! Golden transcripts: every file under tests/transcripts (the kernel's own
//! selftest output) and tests/scenarios must replay byte for byte, through
//! the same code path as `klpscope check`.

use klpscope_engine::check::check_text;
use std::path::Path;

fn check_dir(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable fixture");
        let name = f.display().to_string();
        match check_text(&name, &text) {
            Ok(r) if r.passed => {}
            Ok(r) => failures.push(r.diff),
            Err(e) => failures.push(e.in_file(&name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    files.len()
}

#[test]
fn kernel_selftest_transcripts_replay_exactly() {
    assert!(check_dir("tests/transcripts") >= 18);
}

#[test]
fn derived_scenarios_replay_exactly() {
    assert!(check_dir("tests/scenarios") >= 1);
}

#[test]
fn a_changed_expected_line_is_reported() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/transcripts/01-target-module-before-livepatch.txt"),
    )
    .unwrap();
    let broken = text.replacen(
        "post_patch_callback: vmlinux",
        "post_patch_callback: vmlinuz",
        1,
    );
    let r = check_text("01", &broken).unwrap();
    assert!(!r.passed);
    assert!(
        r.diff
            .contains("-test_klp_callbacks_demo: post_patch_callback: vmlinuz"),
        "{}",
        r.diff
    );
    assert!(
        r.diff
            .contains("+test_klp_callbacks_demo: post_patch_callback: vmlinux"),
        "{}",
        r.diff
    );
}
