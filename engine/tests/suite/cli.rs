//! The `klpscope` binary.

use std::io::Write;
use std::process::{Command, Stdio};

/// Starts the binary with `args`, `stdin` written to its standard input
/// and closed, its output piped.
fn spawn(args: &[&str], stdin: &str) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_klpscope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("klpscope runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child
}

/// Runs the binary with `args`, `stdin` on its standard input: (exit
/// code, stdout, stderr).
pub fn klpscope(args: &[&str], stdin: &str) -> (i32, String, String) {
    let child = spawn(args, stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn fixture(name: &str) -> String {
    format!("{}/tests/transcripts/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_prints_the_transcript() {
    let (code, out, _) = klpscope(
        &["run", "-"],
        "% insmod test_modules/test_klp_callbacks_mod.ko\n",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "% insmod test_modules/test_klp_callbacks_mod.ko\ntest_klp_callbacks_mod: test_klp_callbacks_mod_init\n"
    );
}

#[test]
fn run_json_has_events_and_snapshots() {
    let (code, out, _) = klpscope(
        &["run", "--format", "json", "-"],
        "% insmod test_modules/test_klp_callbacks_demo.ko\n",
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let events = v["steps"][0]["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "callback" && e["callback"] == "pre_patch")
    );
    assert_eq!(
        v["steps"][0]["snapshot"]["patches"][0]["name"],
        "test_klp_callbacks_demo"
    );
}

#[test]
fn check_counts_and_exit_codes() {
    let good = fixture("01-target-module-before-livepatch.txt");
    let (code, out, _) = klpscope(&["check", &good, &fixture("11-atomic-replace.txt")], "");
    assert_eq!(code, 0);
    assert_eq!(out.lines().last(), Some("2 passed, 0 failed"));

    let dir = std::env::temp_dir().join(format!("klpscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.txt");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&good)
            .unwrap()
            .replace("mod_exit", "mod_exxit"),
    )
    .unwrap();
    let (code, out, _) = klpscope(&["check", &good, bad.to_str().unwrap()], "");
    assert_eq!(code, 1);
    assert!(
        out.contains("+test_klp_callbacks_mod: test_klp_callbacks_mod_exit"),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed"));

    let broken = dir.join("broken.txt");
    std::fs::write(&broken, "% frobnicate\n").unwrap();
    let (code, _, err) = klpscope(&["check", broken.to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("broken.txt:1:3: unknown command 'frobnicate'"),
        "{err}"
    );
}

#[test]
fn errors_go_to_stderr_with_exit_2() {
    let (code, out, err) = klpscope(&["run", "/nonexistent/file.txt"], "");
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.starts_with("klpscope: /nonexistent/file.txt:"), "{err}");
    let (code, _, err) = klpscope(&["run", "-"], "% insmod nope.ko\n");
    assert_eq!(code, 2);
    assert!(err.contains("<stdin>:1:10: unknown module 'nope'"), "{err}");
}

#[test]
fn timeline_puts_callbacks_in_their_objects_columns() {
    let (code, out, _) = klpscope(
        &[
            "run",
            "--format",
            "timeline",
            &fixture("01-target-module-before-livepatch.txt"),
        ],
        "",
    );
    assert_eq!(code, 0);
    let header = out.lines().next().unwrap();
    let col = header.find(" mod").expect("a column per object") + 1;
    let line = out
        .lines()
        .find(|l| l.contains("preP/L"))
        .expect("the module's pre_patch");
    assert_eq!(line.find("preP"), Some(col), "{out}");
    assert!(
        out.contains("-- demo: patching transition started"),
        "{out}"
    );
    assert!(
        out.contains("legend: demo = test_klp_callbacks_demo, mod = test_klp_callbacks_mod\n"),
        "{out}"
    );
    let (_, md, _) = klpscope(
        &[
            "run",
            "--format",
            "markdown",
            &fixture("01-target-module-before-livepatch.txt"),
        ],
        "",
    );
    assert!(
        md.starts_with("| step | | vmlinux | test_klp_callbacks_mod |\n"),
        "{md}"
    );
}

#[test]
fn run_console_default_hides_pr_debug_lines() {
    let script = "% insmod test_modules/test_klp_callbacks_demo.ko\n";
    let (code, debug, _) = klpscope(&["run", "-"], script);
    assert_eq!(code, 0);
    assert!(
        debug.contains("initializing patching transition"),
        "{debug}"
    );
    let (code, plain, _) = klpscope(&["run", "--console", "default", "-"], script);
    assert_eq!(code, 0);
    assert!(
        !plain.contains("initializing patching transition"),
        "{plain}"
    );
    assert!(plain.contains("livepatch: 'test_klp_callbacks_demo': patching complete"));
}

#[test]
fn run_warns_about_an_undeclared_vmlinux_function_with_its_place() {
    let script = "define livepatch p1\n  object vmlinux\n    func my_func\nend\n% insmod p1.ko\n";
    let (code, out, err) = klpscope(&["run", "-"], script);
    assert_eq!(code, 0, "the scenario runs: the kernel refuses the patch");
    assert!(
        out.contains("livepatch: symbol 'my_func' not found in symbol table"),
        "{out}"
    );
    assert!(
        err.contains("warning: <stdin>:3:10: vmlinux has no function 'my_func'"),
        "{err}"
    );
    assert!(
        err.contains("'define vmlinux', 'func my_func', 'end'"),
        "{err}"
    );
}

#[test]
fn run_link_replays_what_link_printed_byte_for_byte() {
    let dir = format!("{}/tests/transcripts", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 18);
    for file in &files {
        let (code, link, _) = klpscope(&["link", file], "");
        assert_eq!(code, 0, "{file}");
        let link = link.trim_end().to_string();
        // Harness steps (`# $ ` lines, written out) make a link longer.
        let harness = std::fs::read_to_string(file).unwrap().contains("\n# $ ");
        assert!(
            link.starts_with("#s1=") && (harness || link.len() <= 100),
            "{file}: {link}"
        );
        let url = format!(
            "https://example.org/klpscope/index.html#doc=intro&{}&at=2",
            &link[1..]
        );
        for format in ["log", "timeline", "markdown"] {
            let (_, by_file, _) = klpscope(&["run", "--format", format, file], "");
            for l in [link.as_str(), &link[1..], url.as_str()] {
                let (code, by_link, err) = klpscope(&["run", "--format", format, "--link", l], "");
                assert_eq!(code, 0, "{file} {l}: {err}");
                assert_eq!(by_link, by_file, "{file}: --link {l} --format {format}");
            }
        }
    }
}

#[test]
fn run_link_rejects_a_bad_link_with_a_hint() {
    let (code, out, err) = klpscope(&["run", "--link", "#s1=i.demo,%zz"], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("<link>:1:11:") && err.contains("hint"),
        "{err}"
    );
    let (code, _, err) = klpscope(&["run"], "");
    assert_eq!(code, 2, "{err}");
}

#[test]
fn kmod_writes_the_modules_and_an_executable_run_sh_and_refuses_a_bad_scenario() {
    let dir = std::env::temp_dir().join(format!("klpscope-kmod-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out_dir = dir.join("out");
    let (code, out, err) = klpscope(
        &["kmod", "-", out_dir.to_str().unwrap()],
        "define module tgt\n  func f\nend\ndefine livepatch fix\n  object tgt\n    func f\nend\n% insmod tgt.ko\n% insmod fix.ko\n",
    );
    assert_eq!(code, 0, "{err}");
    let listed: Vec<&str> = out.lines().collect();
    assert_eq!(listed.len(), 5, "{out}");
    for name in ["tgt.c", "fix.c", "Kbuild", "Makefile", "run.sh"] {
        assert!(out_dir.join(name).is_file(), "{name} missing");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out_dir.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111);
    }
    let (code, _, err) = klpscope(
        &["kmod", "-", out_dir.to_str().unwrap()],
        "% insmodd x.ko\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("unknown command 'insmodd'"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reader_that_goes_away_ends_the_output_without_a_panic() {
    use std::io::Read;
    let text = "% insmod test_modules/test_klp_callbacks_mod.ko\n% rmmod test_klp_callbacks_mod\n"
        .repeat(3000);
    let mut child = spawn(&["run", "-"], &text);
    // Read one line's worth, as `| head -1` does, then close the pipe.
    let mut first = [0u8; 48];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with(b"% insmod"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

#[test]
fn run_format_ledger_accounts_for_the_state_selftest() {
    let (code, out, err) = klpscope(
        &[
            "run",
            "--format",
            "ledger",
            &fixture("13-state-taking-over.txt"),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"console_loglevel\"\n"), "{out}");
    assert!(
        out.contains("test_klp_state2 post_patch on vmlinux: takes over console_loglevel"),
        "{out}"
    );
    assert!(
        out.ends_with("2 set up, 2 undone, 0 remain, 0 leaked\n"),
        "{out}"
    );
}

#[test]
fn table_format_contracts_gives_each_callback_its_contract() {
    let (code, out, err) = klpscope(&["table", "--format", "contracts"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("### "), "{out}");
    assert!(
        out.contains("| this object's code | not running yet |"),
        "{out}"
    );
    assert!(out.contains("| held | klp_mutex"), "{out}");
}
