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

/// `--kernel` on run, check, table, explore and kmod: a release from 4.15
/// on; forcing on v5.4 marks every patch (before 2957308343fa, v5.18).
#[test]
fn the_kernel_option_chooses_the_release() {
    let forced = "\
% modprobe test_klp_callbacks_busy block_transition=Y
% modprobe test_klp_callbacks_demo
% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
% rmmod test_klp_callbacks_demo
";
    let (code, old, _) = klpscope(&["run", "--kernel", "5.4", "-"], forced);
    assert_eq!(code, 0);
    assert!(old.contains("rmmod: ERROR: Module test_klp_callbacks_demo is in use"));
    let (_, new, _) = klpscope(&["run", "--kernel", "5.18", "-"], forced);
    assert!(!new.contains("is in use"), "{new}");
    let (_, header, _) = klpscope(&["run", "-"], &format!("# kernel: 5.4\n{forced}"));
    assert_eq!(header, old);
    let (code, _, err) = klpscope(&["run", "--kernel", "4.14", "-"], "");
    assert_eq!(code, 2);
    assert!(err.contains("merged in v4.15"), "{err}");
    let (code, out, _) = klpscope(
        &[
            "check",
            "--kernel",
            "4.15",
            &fixture("01-target-module-before-livepatch.txt"),
        ],
        "",
    );
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = klpscope(&["table", "--kernel", "5.4"], "");
    assert_eq!(code, 0);
    assert!(out.contains("pre_patch"), "{out}");
    let (code, out, _) = klpscope(&["explore", "--depth", "2", "--kernel", "5.4"], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 violations"), "{out}");
    let dir = std::env::temp_dir().join("klpscope-kmod-kernel-test");
    let (code, _, err) = klpscope(
        &["kmod", "--kernel", "4.19", "-", dir.to_str().unwrap()],
        "% rmmod x\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("klp_register_patch"), "{err}");
}

/// The sysfs files and the automatic signals each release has: `force`
/// from v4.16, the signals by themselves from v5.1, the object's `patched`
/// from v6.0, the patch's `replace` from v6.11.
#[test]
fn each_release_has_its_sysfs_files_and_signals() {
    let attrs = "\
% modprobe test_klp_callbacks_demo
% echo \"replace=$(cat /sys/kernel/livepatch/test_klp_callbacks_demo/replace)\" > /dev/kmsg
% echo \"patched=$(cat /sys/kernel/livepatch/test_klp_callbacks_demo/vmlinux/patched)\" > /dev/kmsg
";
    let read = |v: &str| klpscope(&["run", "--kernel", v, "-"], attrs).1;
    let old = read("5.15");
    assert!(
        old.contains("\nreplace=\n") && old.contains("\npatched=\n"),
        "{old}"
    );
    assert!(old.contains(
        "cat: /sys/kernel/livepatch/test_klp_callbacks_demo/replace: No such file or directory"
    ));
    let six_one = read("6.1");
    assert!(
        six_one.contains("\nreplace=\n") && six_one.contains("\npatched=1\n"),
        "{six_one}"
    );
    let new = read("6.11");
    assert!(
        new.contains("\nreplace=0\n") && new.contains("\npatched=1\n"),
        "{new}"
    );
    let stalled = "\
% modprobe test_klp_callbacks_busy block_transition=Y
% modprobe test_klp_callbacks_demo
% sleep 16
% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force
";
    let run = |v: &str| klpscope(&["run", "--kernel", v, "-"], stalled).1;
    let v4_15 = run("4.15");
    assert!(v4_15.contains("force: Permission denied"), "{v4_15}");
    assert!(!run("5.0").contains("signaling remaining tasks"));
    assert!(run("5.1").contains("livepatch: signaling remaining tasks"));
    // v4.16 to v5.0: the administrator signals the transition patch's tasks
    // through its `signal` file, and every write gives the notice (another
    // patch's file refuses with EINVAL); v5.1 removed the file.
    let signal = "\
% modprobe test_klp_callbacks_busy block_transition=Y
% modprobe test_klp_callbacks_demo
% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/signal
% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/signal
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/signal
";
    let run = |v: &str| klpscope(&["run", "--kernel", v, "-"], signal).1;
    let v4_15 = run("4.15");
    assert!(v4_15.contains("signal: Permission denied"), "{v4_15}");
    let v5_0 = run("5.0");
    assert_eq!(
        v5_0.matches("livepatch: signaling remaining tasks").count(),
        2,
        "{v5_0}"
    );
    assert!(v5_0.ends_with("write error: Invalid argument\n"), "{v5_0}");
    let v5_1 = run("5.1");
    assert!(v5_1.contains("signal: Permission denied"), "{v5_1}");
    assert!(!v5_1.contains("signaling remaining tasks"), "{v5_1}");
}

/// `stack_order` (v6.14, core.c's `stack_order_show()`): each patch's
/// 1-based place on `klp_patches`, closing up when a patch in the middle
/// leaves; read-only; no such file before v6.14.
#[test]
fn stack_order_reads_each_patch_place_on_the_list() {
    let dir = "/sys/kernel/livepatch";
    let order = |patches: &[&str]| {
        let cats: Vec<String> = patches
            .iter()
            .map(|p| format!("$(cat {dir}/{p}/stack_order)"))
            .collect();
        format!("% echo \"order={}\" > /dev/kmsg\n", cats.join(","))
    };
    let three = [
        "test_klp_livepatch",
        "test_klp_callbacks_demo",
        "test_klp_syscall",
    ];
    let script = format!(
        "% insmod test_modules/test_klp_livepatch.ko\n\
         % insmod test_modules/test_klp_callbacks_demo.ko\n\
         % insmod test_modules/test_klp_syscall.ko\n\
         {}\
         % echo 0 > {dir}/test_klp_callbacks_demo/enabled\n\
         % rmmod test_klp_callbacks_demo\n\
         {}\
         % echo 3 > {dir}/test_klp_syscall/stack_order\n",
        order(&three),
        order(&["test_klp_livepatch", "test_klp_syscall"]),
    );
    let (code, out, err) = klpscope(&["run", "-"], &script);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\norder=1,2,3\n"), "{out}");
    assert!(out.contains("\norder=1,2\n"), "{out}");
    assert!(out.ends_with("stack_order: Permission denied\n"), "{out}");
    let (_, old, _) = klpscope(&["run", "--kernel", "6.13", "-"], &script);
    assert!(
        old.contains(
            "cat: /sys/kernel/livepatch/test_klp_livepatch/stack_order: No such file or directory"
        ),
        "{old}"
    );
    assert!(old.contains("\norder=,,\n"), "{old}");
    let (_, new, _) = klpscope(&["run", "--kernel", "6.14", "-"], &script);
    assert!(new.contains("\norder=1,2,3\n"), "{new}");
}

/// Before v5.1 (958ef1e39d24) a disabled patch stays registered and can be
/// enabled again, only the last enabled patch can be disabled, and the
/// module's exit unregisters the patch; from v5.1 a disabled patch is gone.
#[test]
fn before_5_1_patches_stay_registered_and_stack() {
    let session = "\
% modprobe test_klp_callbacks_demo
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
% modprobe test_klp_callbacks_demo2
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo2/enabled
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
% rmmod test_klp_callbacks_demo2
% rmmod test_klp_callbacks_demo
";
    let (code, old, _) = klpscope(&["run", "--kernel", "5.0", "-"], session);
    assert_eq!(code, 0);
    let after = |cmd: &str, out: &str| -> String {
        let from = out.find(cmd).unwrap_or_else(|| panic!("{cmd}\n{out}")) + cmd.len();
        out[from..].lines().nth(1).unwrap_or("").to_string()
    };
    assert_eq!(
        after(
            "% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled",
            &old
        ),
        "livepatch: enabling patch 'test_klp_callbacks_demo'"
    );
    assert!(old.contains("% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled\n-bash: echo: write error: Device or resource busy\n"), "{old}");
    assert!(!old.contains("rmmod: ERROR"), "{old}");
    let (_, new, _) = klpscope(&["run", "--kernel", "5.1", "-"], session);
    assert!(
        new.contains("test_klp_callbacks_demo/enabled: No such file or directory"),
        "{new}"
    );
    // The invariants hold on the registration API too.
    let (code, out, _) = klpscope(&["explore", "--depth", "3", "--kernel", "5.0"], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" 0 violations"), "{out}");
    // Before v5.1 a forced transition keeps every livepatch module, also
    // one loaded later.
    let later = "\
define module tgt
  func f
  task worker sleeps in f
end
define livepatch fix
  object tgt
    func f
end
define livepatch later
end
% insmod tgt.ko
% insmod fix.ko
% echo 1 > /sys/kernel/livepatch/fix/force
% insmod later.ko
% echo 0 > /sys/kernel/livepatch/later/enabled
% rmmod later
";
    let (_, v5_0, _) = klpscope(&["run", "--kernel", "5.0", "-"], later);
    assert!(
        v5_0.ends_with("rmmod: ERROR: Module later is in use\n"),
        "{v5_0}"
    );
    let (_, v5_1, _) = klpscope(&["run", "--kernel", "5.1", "-"], later);
    assert!(v5_1.ends_with("% rmmod later\n"), "{v5_1}");
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

/// Before v5.5 (7162431dcf72, FTRACE_OPS_FL_PERMANENT) ftrace could be
/// disabled under a livepatch, and a patched function then ran its
/// original code; from v5.5 the sysctl is refused.
#[test]
fn ftrace_can_be_disabled_under_a_livepatch_only_before_v5_5() {
    let script = "% insmod test_modules/test_klp_livepatch.ko\n\
                  % sysctl -w kernel.ftrace_enabled=0\n\
                  % grep 'live patched' /proc/cmdline > /dev/kmsg\n\
                  % sysctl -w kernel.ftrace_enabled=1\n\
                  % grep 'live patched' /proc/cmdline > /dev/kmsg\n";
    let (code, old, err) = klpscope(&["run", "--kernel", "5.4", "-"], script);
    assert_eq!(code, 0, "{old}{err}");
    assert!(
        old.contains("livepatch: kernel.ftrace_enabled = 0\n"),
        "{old}"
    );
    let patched = "test_klp_livepatch: this has been live patched";
    // Off: the original /proc/cmdline; on again: the patched one.
    assert_eq!(old.matches(patched).count(), 1, "{old}");
    assert!(old.trim_end().ends_with(patched), "{old}");
    let (_, new, _) = klpscope(&["run", "--kernel", "5.5", "-"], script);
    assert!(
        new.contains("sysctl: setting key \"kernel.ftrace_enabled\": Device or resource busy"),
        "{new}"
    );
    assert_eq!(new.matches(patched).count(), 2, "{new}");
}
