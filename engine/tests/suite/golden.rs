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

/// The selftests' `check_result` strings as they stood at a release, each
/// file under tests/versions/vX.Y with a `# kernel: X.Y` header (under
/// tests/versions/latest with `# kernel: latest`, the tests of the newest
/// forms that tests/transcripts lacks).
#[test]
fn selftest_transcripts_of_each_release_replay_on_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/versions");
    let mut releases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/versions")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    releases.sort();
    assert!(!releases.is_empty());
    for release in releases {
        let dir = format!("tests/versions/{release}");
        assert!(check_dir(&dir) >= 1, "{dir}");
        // Each file says its release, and says the directory's.
        for f in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(&dir)).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let scenario = klpscope_engine::parse(&text).unwrap();
            let v = scenario.kernel.expect("a '# kernel:' header");
            let dir = match v {
                klpscope_engine::KernelVersion::Latest => "latest".to_string(),
                _ => format!("v{v}"),
            };
            assert_eq!(dir, release);
        }
    }
}

/// Today's selftest transcripts read the same on v6.1 and v6.12: nothing
/// modelled changed there since.
#[test]
fn kernel_selftest_transcripts_agree_on_6_1_and_6_12() {
    use klpscope_engine::KernelVersion;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    for f in std::fs::read_dir(&root).unwrap() {
        let path = f.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for v in [KernelVersion::v(6, 1), KernelVersion::v(6, 12)] {
            let name = path.display().to_string();
            let r = klpscope_engine::check::check_text_on(&name, &text, None, Some(v)).unwrap();
            assert!(r.passed, "{v}: {}", r.diff);
        }
    }
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
