//! Plain text for mail: the swim-lane fits 72 columns; a pasted kernel
//! log is checked line by line.

use klpscope_engine::{render, run_text};

fn scenario_files() -> Vec<(String, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for dir in [
        "tests/transcripts",
        "tests/scenarios",
        "tests/semantics/seed-v1",
        "tests/semantics/state-callbacks-2025",
    ] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            out.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn every_swim_lane_fits_72_columns_and_explains_its_abbreviations() {
    let files = scenario_files();
    assert!(files.len() >= 30, "{}", files.len());
    for (name, text) in files {
        let lane = render::timeline(&run_text(&text).unwrap());
        assert!(
            widest(&lane) <= 72,
            "{name}: {} columns\n{lane}",
            widest(&lane)
        );
        for (abbrev, full) in [
            ("preP", "preP pre_patch"),
            ("postP", "postP post_patch"),
            ("preU", "preU pre_unpatch"),
            ("postU", "postU post_unpatch"),
            ("/L", "/L LIVE"),
            ("/C", "/C COMING"),
            ("/G", "/G GOING"),
        ] {
            let body = lane.split("\nlegend: ").next().unwrap();
            if body.contains(abbrev) {
                assert!(
                    lane.contains(full),
                    "{name}: no legend for {abbrev}\n{lane}"
                );
            }
        }
        if lane.contains("test_modules/demo.ko") {
            assert!(
                lane.contains("demo = test_klp_callbacks_demo"),
                "{name}\n{lane}"
            );
        }
    }
}

#[test]
fn a_swim_lane_too_wide_for_lanes_names_the_object_on_each_row() {
    let mut text = String::new();
    let names = [
        "first_rather_long_target",
        "second_rather_long_target",
        "third_rather_long_target",
        "fourth_rather_long_target",
        "fifth_rather_long_target",
    ];
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!("define module {n}\n  func f{i}\nend\n"));
    }
    text.push_str(
        "define livepatch a_livepatch_with_a_long_name\n  object vmlinux\n    pre_patch\n",
    );
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "  object {n}\n    func f{i} -> g{i}\n    pre_patch\n"
        ));
    }
    text.push_str("end\n");
    for n in names {
        text.push_str(&format!("% insmod {n}.ko\n"));
    }
    text.push_str("% insmod a_livepatch_with_a_long_name.ko\n");
    let lane = render::timeline(&run_text(&text).unwrap());
    assert!(widest(&lane) <= 72, "{lane}");
    // Six objects do not fit side by side: each row says whose it is.
    assert!(!lane.starts_with("    vmlinux"), "{lane}");
    assert!(lane.contains("\n    first_rath~: preP/L\n"), "{lane}");
    assert!(
        lane.contains("first_rath~ = first_rather_long_target"),
        "{lane}"
    );
    assert!(
        lane.contains("a_livepatc~ = a_livepatch_with_a_long_name"),
        "{lane}"
    );
}

// --- pasted kernel logs ------------------------------------------------

use klpscope_engine::check::{self, Verdict};
use proptest::prelude::*;

fn selftests() -> Vec<(String, String)> {
    scenario_files()
        .into_iter()
        .filter(|(n, _)| n.contains("/transcripts/"))
        .collect()
}

/// A transcript as a person pastes it into a mail: dmesg timestamps,
/// quoted once or twice, CRLF line ends, unrelated kernel lines, taint
/// notices, and the mail's own words before it.
fn dress(transcript: &str) -> String {
    let noise = [
        "systemd[1]: Started Session 3 of User root.",
        "audit: type=1400 audit(1701.2:77): apparmor=\"STATUS\"",
        "test_klp_callbacks_mod: loading out-of-tree module taints kernel.",
        "test_klp_callbacks_demo: tainting kernel with TAINT_LIVEPATCH",
        "e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex",
        "<script>alert(1)</script>",
    ];
    let mut out = String::from("On Tue, 2 Dec 2026, A. Developer wrote:\r\n");
    let mut t = 31.5f64;
    for (i, line) in transcript
        .lines()
        .filter(|l| !l.starts_with("# "))
        .enumerate()
    {
        t += 0.013 * (i % 7) as f64 + 0.001;
        let quote = if i % 3 == 0 { ">> " } else { "> " };
        if i % 4 == 1 {
            out.push_str(&format!(
                "{quote}[{t:>12.6}] {}\r\n",
                noise[i % noise.len()]
            ));
        }
        out.push_str(&format!("{quote}[{t:>12.6}] {line}\r\n"));
    }
    out.push_str(">\r\n> Is this the order you expect?\r\n");
    out
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("klpscope-mail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn klpscope(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_klpscope"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn every_selftest_pasted_from_a_mail_agrees_with_the_model() {
    // A pasted log shows what a harness step (`# $ ` line) wrote, but not
    // the step: the reader finds the step from the line it wrote. Not for
    // test-syscall.sh: it starts its processes without a line in the log,
    // and their pids are the machine's, so a paste cannot replay them.
    for (name, text) in selftests()
        .into_iter()
        .filter(|(n, _)| !n.contains("syscall"))
    {
        let pasted = dress(&text);
        assert!(check::is_pasted_log(&pasted), "{name}");
        let c = check::check_log(&pasted).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(c.passed, "{name}\n{}", c.render(&name));
        // Every selftest that runs a transition prints its pr_debug lines
        // (test-shadow-vars.sh loads no livepatch: it has none).
        if text.contains("transition\n") {
            assert!(c.dynamic_debug, "{name}");
        }
        let n = c.counts();
        assert!(
            n.agree > 0 && n.differences() == 0 && n.ignored > 0 && n.not_modelled == 0,
            "{name}: {n}"
        );
        // The noise is shown as ignored, with the reason.
        let script = c
            .lines
            .iter()
            .find(|l| l.text.as_deref() == Some("<script>alert(1)</script>"));
        if let Some(l) = script {
            assert_eq!(l.verdict, Verdict::Ignored);
            assert!(
                l.note
                    .as_deref()
                    .unwrap()
                    .contains("not from the livepatch core")
            );
        }
    }
    let (_, text) = &selftests()[8];
    let file = temp_file("pasted.txt", &dress(text));
    let (code, out, err) = klpscope(&["check", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");
}

#[test]
fn a_changed_callback_line_fails_at_that_line() {
    let (name, text) = selftests()
        .into_iter()
        .find(|(n, _)| n.contains("09-busy-target-module"))
        .unwrap();
    let pasted = dress(&text);
    let wanted = "test_klp_callbacks_demo: post_unpatch_callback: test_klp_callbacks_busy";
    let at = pasted.lines().position(|l| l.contains(wanted)).unwrap() + 1;
    let changed = pasted.replacen(
        wanted,
        "test_klp_callbacks_demo: post_patch_callback: test_klp_callbacks_busy",
        1,
    );
    let c = check::check_log(&changed).unwrap();
    assert!(!c.passed, "{name}");
    let bad: Vec<_> = c
        .lines
        .iter()
        .filter(|l| {
            !matches!(
                l.verdict,
                Verdict::Agrees | Verdict::Ignored | Verdict::Command | Verdict::Scenario
            )
        })
        .collect();
    assert_eq!(bad.len(), 1, "{}", c.render("x"));
    assert_eq!(bad[0].verdict, Verdict::Differs);
    assert_eq!(bad[0].line, Some(at));
    assert!(bad[0].model.as_deref().unwrap().contains(wanted));
    let file = temp_file("changed.txt", &changed);
    let f = file.to_str().unwrap();
    let (code, out, _) = klpscope(&["check", f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "{f}:{at}: differs\n  log:   test_klp_callbacks_demo: post_patch_callback"
        )),
        "{out}"
    );
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
}

#[test]
fn a_log_without_pr_debug_lines_is_compared_without_them() {
    let (_, text) = &selftests()[0];
    // The pr_debug lines: what a console prints only with dynamic debug on.
    let debug = ["initializing", "completing", "reversing", "canceling"];
    let plain: String = text
        .lines()
        .filter(|l| !debug.iter().any(|d| l.contains(&format!("{d} "))))
        .map(|l| format!("[   1.000000] {l}\n"))
        .collect();
    assert!(plain.lines().count() + 4 <= text.lines().count());
    let c = check::check_log(&plain).unwrap();
    assert!(c.passed, "{}", c.render("plain"));
    assert!(!c.dynamic_debug);
    assert!(c.render("plain").contains("compared without them"));
}

#[test]
fn missing_and_extra_lines_are_reported_where_they_belong() {
    let log = "[ 1.0] % insmod test_modules/test_klp_callbacks_demo.ko\n\
               [ 1.1] livepatch: enabling patch 'test_klp_callbacks_demo'\n\
               [ 1.2] livepatch: 'test_klp_callbacks_demo': initializing patching transition\n\
               [ 1.3] livepatch: 'test_klp_callbacks_demo': starting patching transition\n\
               [ 1.4] livepatch: 'test_klp_callbacks_demo': completing patching transition\n\
               [ 1.5] test_klp_callbacks_demo: post_patch_callback: vmlinux\n\
               [ 1.6] livepatch: 'test_klp_callbacks_demo': patching complete\n\
               [ 1.7] livepatch: something the model never says\n";
    let c = check::check_log(log).unwrap();
    assert!(!c.passed);
    let missing = c
        .lines
        .iter()
        .position(|l| l.verdict == Verdict::OnlyInModel)
        .unwrap();
    assert_eq!(
        c.lines[missing].model.as_deref(),
        Some("test_klp_callbacks_demo: pre_patch_callback: vmlinux")
    );
    // Right after the 'initializing' line it follows in the model.
    assert_eq!(c.lines[missing - 1].line, Some(3));
    let extra = c
        .lines
        .iter()
        .find(|l| l.verdict == Verdict::OnlyInLog)
        .unwrap();
    assert_eq!(extra.line, Some(8));
    let r = c.render("log");
    assert!(r.contains("log:3: missing from the log"), "{r}");
    assert!(r.contains("log:8: only in the log"), "{r}");
}

#[test]
fn a_command_the_model_does_not_know_is_not_modelled_at_its_line() {
    let log = "> [ 1.0] some boot line\n> [ 1.1] % insmod test_modules/test_klp_callbacks_mod.ko\n> [ 1.2] test_klp_callbacks_mod: test_klp_callbacks_mod_init\n> [ 1.3] % insmodd x\n> [ 1.4] x: something\n";
    let c = check::check_log(log).expect("nothing is refused");
    let row = c.lines.iter().find(|l| l.line == Some(4)).unwrap();
    assert_eq!(row.verdict, Verdict::NotModelled);
    assert!(
        row.note
            .as_deref()
            .unwrap()
            .contains("unknown command 'insmodd'"),
        "{row:?}"
    );
    assert_eq!(c.counts().agree, 1);
    assert!(c.passed, "{}", c.render("x"));
    let big = "[ 1.0] x\n".repeat(check::MAX_LOG / 9 + 1);
    let e = check::check_log(&big).unwrap_err().to_string();
    assert!(e.contains("paste at most"), "{e}");
}

#[test]
fn dressing_is_only_what_a_console_or_mail_adds() {
    // A scenario file is not a pasted log: `check` keeps comparing it strictly.
    let (_, text) = &selftests()[0];
    assert!(!check::is_pasted_log(text));
    for dressed in [
        "[   12.345678] livepatch: x",
        "[12.3] [ T1234] livepatch: x",
        "<6>[ 1.000000] livepatch: x",
        "Dec  2 09:35:54 vm kernel: livepatch: x",
        "> > livepatch: x",
        ">>livepatch: x",
    ] {
        let c = check::check_log(&format!(
            "% insmod test_modules/test_klp_callbacks_mod.ko\n{dressed}\n"
        ))
        .unwrap();
        assert_eq!(
            c.lines[1].text.as_deref(),
            Some("livepatch: x"),
            "{dressed}"
        );
        assert!(check::is_pasted_log(dressed), "{dressed}");
    }
}

proptest! {
    #[test]
    fn checking_arbitrary_pasted_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = check::is_pasted_log(&text);
        if let Ok(c) = check::check_log(&text) {
            let _ = c.render("x");
        }
    }

    #[test]
    fn checking_arbitrary_log_lines_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                "[\\[\\]<> 0-9.TC]{0,16}[ -~]{0,30}",
                Just("% insmod test_modules/test_klp_callbacks_demo.ko".to_string()),
                Just("> [ 1.0] % rmmod test_klp_callbacks_demo".to_string()),
                Just("define module m".to_string()),
                Just("end".to_string()),
            ],
            0..20,
        )
    ) {
        let text = lines.join("\n");
        if let Ok(c) = check::check_log(&text) {
            prop_assert!(c.lines.iter().filter(|l| l.line.is_some()).count() == text.split('\n').count() - usize::from(text.ends_with('\n')) || text.is_empty());
        }
    }
}

#[test]
fn docs_block_and_mail_text_carry_the_same_scenario() {
    for (name, text) in scenario_files() {
        let original = klpscope_engine::parse(&text).unwrap();
        let block = klpscope_engine::mail::docs_block(&text);
        assert!(
            block.starts_with("```klpscope\n") && block.ends_with("\n```\n"),
            "{name}"
        );
        let inner = &block["```klpscope\n".len()..block.len() - "```\n".len()];
        let reparsed = klpscope_engine::parse(inner).unwrap();
        assert_eq!(
            render::log(&klpscope_engine::run(&reparsed)),
            render::log(&klpscope_engine::run(&original)),
            "{name}"
        );
        let run = klpscope_engine::run(&original);
        let mail = klpscope_engine::mail::for_mail(&text, &run, "https://example.org/k/", Some(2));
        let first = mail.lines().next().unwrap();
        let url = first
            .strip_prefix("klpscope: https://example.org/k/#s1=")
            .unwrap();
        assert!(url.ends_with("&at=2"), "{name}: {first}");
        let back = klpscope_engine::share::decode(first).unwrap();
        assert_eq!(
            render::log(&klpscope_engine::run(
                &klpscope_engine::parse(&back).unwrap()
            )),
            render::log(&run),
            "{name}"
        );
        assert!(mail.contains(&render::timeline(&run)), "{name}");
        let lane_part = mail.split("What the model shows:\n").nth(1).unwrap();
        assert!(widest(lane_part) <= 72, "{name}\n{mail}");
    }
    let (code, out, _) = klpscope(&["run", "--format", "docs", "--link", "#s1=i.mod"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "```klpscope\n% insmod test_modules/test_klp_callbacks_mod.ko\n```\n"
    );
}

#[test]
fn a_pasted_log_is_checked_under_the_profile_asked_for() {
    let root = env!("CARGO_MANIFEST_DIR");
    let golden = std::fs::read_to_string(format!(
        "{root}/tests/semantics/seed-v1/01-target-module-before-livepatch.txt"
    ))
    .unwrap();
    // Without its header the log is upstream's business: it differs there.
    let body: String = golden
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("[  5.000000] {l}\n"))
        .collect();
    assert!(!check::check_log(&body).unwrap().passed);
    let c = check::check_log_with(&body, Some(klpscope_engine::Semantics::SeedV1)).unwrap();
    assert!(c.passed, "{}", c.render("seed-v1"));
    let file = temp_file("seed-v1.txt", &body);
    let (code, out, _) = klpscope(&["check", "--semantics", "seed-v1", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn pointers_in_a_pasted_log_compare_by_their_pattern() {
    // samples/livepatch/livepatch-shadow-fix1.c prints %p pointers: their
    // values differ on every boot, their pattern (same or different) does not.
    let module = "define module ptrmod\n  func f\n  init prints \"a @ ffff8881062a3f00\"\n  init prints \"b @ ffff888103b1c2a8\"\n  init prints \"a again @ ffff8881062a3f00\"\nend\n";
    let log = |a: &str, b: &str, c: &str| {
        format!(
            "{module}[ 1.0] % insmod ptrmod.ko\n[ 1.1] ptrmod: a @ {a}\n[ 1.2] ptrmod: b @ {b}\n[ 1.3] ptrmod: a again @ {c}\n"
        )
    };
    let same = check::check_log(&log(
        "ffff8880aaaa0000",
        "ffff8880bbbb0000",
        "ffff8880aaaa0000",
    ))
    .unwrap();
    assert!(same.passed, "{}", same.render("x"));
    assert_eq!(same.counts().agree, 3);
    // A pointer that should be the same one but is not: a difference.
    let other = check::check_log(&log(
        "ffff8880aaaa0000",
        "ffff8880bbbb0000",
        "ffff8880cccc0000",
    ))
    .unwrap();
    assert!(!other.passed, "{}", other.render("x"));
}
