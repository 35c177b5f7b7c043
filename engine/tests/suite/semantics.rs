//! Semantics profiles: the seed-v1 goldens replay byte for byte, `diff`
//! shows where v1 and mainline part, and the `# semantics:` header and
//! `--semantics` flag choose the profile.

use klpscope_engine::check::check_text;
use klpscope_engine::diff::compare;
use klpscope_engine::{Semantics, parse, render, run, run_with};
use std::path::Path;
use std::process::Command;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The eleven test-callbacks selftests (01…11) shared by both profiles.
fn callback_selftests() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.ends_with(".txt")
                && n[..2].parse::<u32>().is_ok_and(|k| (1..=11).contains(&k))
                && n.as_bytes()[2] == b'-'
        })
        .collect();
    names.sort();
    names
}

#[test]
fn seed_v1_goldens_replay_exactly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/semantics/seed-v1");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let scenario = parse(&text).unwrap();
        assert_eq!(
            scenario.semantics,
            Some(Semantics::SeedV1),
            "{}",
            f.display()
        );
        let r = check_text(&f.display().to_string(), &text).unwrap();
        if !r.passed {
            failures.push(r.diff);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // One golden per test-callbacks selftest, plus the multi-hook case.
    for name in callback_selftests() {
        assert!(dir.join(&name).exists(), "no seed-v1 golden for {name}");
    }
    assert!(files.len() >= 12);
}

#[test]
fn every_golden_line_names_the_code_path_that_prints_it() {
    for name in callback_selftests() {
        let text = read(&format!("tests/semantics/seed-v1/{name}"));
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with('#') || line.starts_with("% ") || line.is_empty() {
                continue;
            }
            assert!(
                i > 0 && lines[i - 1].starts_with("# "),
                "{name}:{}: '{line}' has no comment naming its code path",
                i + 1
            );
        }
    }
}

#[test]
fn most_callback_selftests_differ_under_seed_v1_and_say_where() {
    let mut differ = 0;
    for name in callback_selftests() {
        let s = parse(&read(&format!("tests/transcripts/{name}"))).unwrap();
        let d = compare(&s, Semantics::Upstream, Semantics::SeedV1);
        if !d.agree() {
            differ += 1;
            // v4.13's transition start line is printed only by seed-v1.
            let text = d.render();
            assert!(text.contains("+ livepatch: '"), "{name}\n{text}");
            assert!(text.ends_with("commands differ between upstream and seed-v1\n"));
        }
    }
    assert_eq!(callback_selftests().len(), 11);
    assert_eq!(differ, 11, "only {differ} of 11 differ");
}

#[test]
fn upstream_transcripts_are_untouched_by_the_profile_seam() {
    // run() without a header and run_with(Upstream) give the same events.
    for name in callback_selftests() {
        let s = parse(&read(&format!("tests/transcripts/{name}"))).unwrap();
        assert_eq!(s.semantics, None);
        assert_eq!(run(&s), run_with(&s, Semantics::Upstream), "{name}");
        assert!(compare(&s, Semantics::Upstream, Semantics::Upstream).agree());
    }
}

/// Scenario 01: the patch hooks run before the transition starts, nothing
/// runs when it completes, the unpatch hooks only when unpatching completes.
#[test]
fn scenario_01_under_seed_v1() {
    let s = parse(&read(
        "tests/transcripts/01-target-module-before-livepatch.txt",
    ))
    .unwrap();
    let r = run_with(&s, Semantics::SeedV1);
    let enable = render::step_log(&r.steps[1]);
    let pos = |log: &[String], needle: &str| {
        log.iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no '{needle}' in {log:#?}"))
    };
    let hooks = pos(&enable, "pre_patch_callback: vmlinux");
    let start = pos(&enable, "'test_klp_callbacks_demo': patching...");
    let done = pos(&enable, "'test_klp_callbacks_demo': patching complete");
    assert!(hooks < start && start < done);
    assert_eq!(
        done,
        enable.len() - 1,
        "nothing after completion: {enable:#?}"
    );
    assert!(!enable.iter().any(|l| l.contains("post_patch")));
    let disable = render::step_log(&r.steps[2]);
    let start = pos(&disable, "unpatching...");
    let done = pos(&disable, "unpatching complete");
    let unhook = pos(&disable, "post_unpatch_callback: vmlinux");
    assert_eq!(start, 0, "no hook before the unpatching transition");
    assert!(done < unhook);
    assert!(!disable.iter().any(|l| l.contains("pre_unpatch")));
}

/// pre_patch_ret=-19: v1 logs the failed hook and enables the patch.
#[test]
fn a_failing_patch_hook_is_only_logged() {
    let s = parse(
        "% insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19\n\
         % rmmod test_klp_callbacks_demo\n",
    )
    .unwrap();
    let v1 = run_with(&s, Semantics::SeedV1);
    let log = render::step_log(&v1.steps[0]);
    assert!(
        log.iter().any(|l| l.starts_with("livepatch: patch hook '")
            && l.ends_with("' failed for object 'vmlinux'")),
        "{log:#?}"
    );
    assert!(!log.iter().any(|l| l.contains("insmod: ERROR")));
    let patch = &v1.steps[0].snapshot.patches[0];
    assert!(patch.enabled && !patch.transition);
    // The enabled patch holds its module: rmmod is refused.
    assert!(
        render::step_log(&v1.steps[1])
            .iter()
            .any(|l| l.contains("is in use"))
    );
    // Mainline refuses the livepatch instead.
    let up = run_with(&s, Semantics::Upstream);
    assert!(up.steps[0].snapshot.patches.is_empty());
}

#[test]
fn the_hook_pointer_stand_in_is_stable_and_differs_per_hook() {
    let text = read("tests/semantics/seed-v1/multi-hook.txt");
    let s = parse(&text).unwrap();
    let a = render::log(&run(&s));
    let b = render::log(&run(&s));
    assert_eq!(a, b);
    let ptrs: Vec<&str> = a
        .lines()
        .filter(|l| l.contains(" hook '"))
        .filter_map(|l| l.split('\'').nth(1))
        .collect();
    assert_eq!(ptrs.len(), 2);
    assert_ne!(ptrs[0], ptrs[1]);
    assert!(
        ptrs.iter()
            .all(|p| p.len() == 16 && p.starts_with("ffffffffc"))
    );
}

#[test]
fn upstream_runs_only_the_first_function_of_each_slot() {
    let s = parse(&read("tests/semantics/seed-v1/multi-hook.txt")).unwrap();
    let log = render::log(&run_with(&s, Semantics::Upstream));
    assert!(log.contains("my_fix: hook A\n"));
    assert!(!log.contains("hook B") && !log.contains("hook C"));
    assert!(log.contains("my_fix: unhook A\n") && !log.contains("unhook B"));
    assert!(log.contains("post_patch_callback: my_target"));
}

#[test]
fn the_semantics_header_is_checked() {
    let e = parse("# semantics: seed-v2\n% rmmod x\n").unwrap_err();
    assert_eq!((e.line, e.col), (1, 14));
    assert!(
        e.hint
            .as_deref()
            .unwrap_or("")
            .contains("upstream, seed-v1")
    );
    let e = parse("% insmod test_modules/test_klp_callbacks_mod.ko\n# semantics: seed-v1\n")
        .unwrap_err();
    assert_eq!(e.line, 2);
    let e = parse("# semantics: seed-v1\n#semantics: upstream\n").unwrap_err();
    assert_eq!(e.line, 2);
    let s = parse("#semantics:   seed-v1  \n# semantics: seed-v1\n").unwrap();
    assert_eq!(s.semantics, Some(Semantics::SeedV1));
    // An ordinary comment mentioning semantics is a comment.
    assert_eq!(parse("# the semantics: of v1\n").unwrap().semantics, None);
}

fn klpscope(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_klpscope"))
        .args(args)
        .output()
        .expect("klpscope runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn cli_diff_exit_codes() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let t01 = format!("{dir}/tests/transcripts/01-target-module-before-livepatch.txt");
    let (code, out) = klpscope(&["diff", &t01]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("--- upstream\n+++ seed-v1\n"));
    assert!(out.contains("- test_klp_callbacks_demo: post_patch_callback: vmlinux"));
    let (code, _) = klpscope(&["diff", &t01, "--semantics", "seed-v1,seed-v1"]);
    assert_eq!(code, 0);
    let (code, _) = klpscope(&["diff", &t01, "--semantics", "upstream,v9"]);
    assert_eq!(code, 2);
    let (code, _) = klpscope(&["diff", "/nonexistent.txt"]);
    assert_eq!(code, 2);
}

#[test]
fn cli_run_and_check_take_semantics() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let t01 = format!("{dir}/tests/transcripts/01-target-module-before-livepatch.txt");
    let (code, out) = klpscope(&["run", "--semantics", "seed-v1", &t01]);
    assert_eq!(code, 0);
    assert!(out.contains("livepatch: 'test_klp_callbacks_demo': patching...\n"));
    // The upstream golden does not hold under seed-v1, and does under upstream.
    assert_eq!(klpscope(&["check", "--semantics", "seed-v1", &t01]).0, 1);
    assert_eq!(klpscope(&["check", "--semantics", "upstream", &t01]).0, 0);
    let g01 = format!("{dir}/tests/semantics/seed-v1/01-target-module-before-livepatch.txt");
    assert_eq!(klpscope(&["check", &g01]).0, 0);
    assert_eq!(klpscope(&["run", "--semantics", "nope", &t01]).0, 2);
}

#[test]
fn state_callbacks_2025_goldens_replay_exactly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/semantics/state-callbacks-2025");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let f = e.unwrap().path();
        let text = std::fs::read_to_string(&f).unwrap();
        assert_eq!(
            parse(&text).unwrap().semantics,
            Some(Semantics::StateCallbacks2025)
        );
        let r = check_text(&f.display().to_string(), &text).unwrap();
        assert!(r.passed, "{}", r.diff);
        n += 1;
    }
    assert!(n >= 2);
}

/// A cumulative patch taking a state over runs no callback at all; the
/// state's callbacks run when it is introduced and when it leaves.
#[test]
fn a_state_taken_over_runs_no_callbacks() {
    use klpscope_engine::EventKind;
    let s = parse(&read("tests/semantics/state-callbacks-2025/take-over.txt")).unwrap();
    let r = run(&s);
    let callbacks = |i: usize| {
        r.steps[i]
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Callback { .. }))
            .count()
    };
    assert_eq!(
        callbacks(0),
        2,
        "fix1 introduces state 1: pre_patch, post_patch"
    );
    assert_eq!(callbacks(1), 0, "fix2 takes state 1 over");
    assert_eq!(callbacks(2), 2, "state 1 leaves with fix2");
    // The shadow variables of state 1 go with fix1's post_unpatch.
    let last = r.steps.last().unwrap();
    assert!(last.events.iter().any(|e| matches!(
        &e.kind,
        EventKind::Callback { effects, .. }
            if effects.iter().any(|x| format!("{x:?}").contains("shadow variables of state 1"))
    )));
    // Mainline refuses fix3 (it drops state 1); the proposal lets it go.
    let up = run_with(&s, Semantics::Upstream);
    assert!(
        up.steps
            .last()
            .unwrap()
            .snapshot
            .patches
            .iter()
            .all(|p| p.name != "fix3")
    );
    assert!(last.snapshot.patches.iter().any(|p| p.name == "fix3"));
    // Per-object callbacks are gone: fix1's object callbacks never print.
    assert!(!render::log(&r).contains("pre_patch_callback: vmlinux"));
    assert!(render::log(&up).contains("fix1: pre_patch_callback: vmlinux"));
}

#[test]
fn state_lines_are_checked() {
    let bad = "define livepatch p\n  state 1 frobnicate\nend\n";
    let e = parse(bad).unwrap_err();
    assert_eq!((e.line, e.col), (2, 11));
    assert!(e.hint.unwrap().contains("block_disable"));
    let bad = "define livepatch p\n  state 1 post_patch returns -EINVAL\nend\n";
    assert_eq!(parse(bad).unwrap_err().line, 2);
    let ok = parse("define livepatch p\n  state 2 pre_patch returns -ENOMEM\nend\n").unwrap();
    assert_eq!(ok.state_callbacks["p"][0].id, 2);
}

#[test]
fn every_profile_lists_itself() {
    let names: Vec<&str> = Semantics::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["upstream", "seed-v1", "state-callbacks-2025"]);
    assert!(
        Semantics::StateCallbacks2025
            .description()
            .contains("unmerged")
    );
}

/// Every transcript and derived scenario replays under every profile
/// without a panic, and the same way twice.
#[test]
fn every_scenario_runs_under_every_profile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["tests/transcripts", "tests/scenarios"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            let s = parse(&text).unwrap();
            for sem in Semantics::ALL {
                let a = run_with(&s, sem);
                assert_eq!(a.steps.len(), s.steps.len());
                assert_eq!(a, run_with(&s, sem));
            }
        }
    }
}

/// The points a compare view names for each differing step.
fn points(text: &str, a: Semantics, b: Semantics) -> Vec<(usize, klpscope_engine::diff::Point)> {
    let s = klpscope_engine::parse(text).expect("parses");
    let c = klpscope_engine::diff::compare(&s, a, b);
    let found = klpscope_engine::diff::review_points(&c);
    for f in &found {
        assert!(
            !c.steps[f.step - 1].agree(),
            "a point on a step that agrees: {f:?}"
        );
    }
    found.into_iter().map(|f| (f.step, f.point)).collect()
}

#[test]
fn a_failing_pre_patch_answers_errors_propagate_and_the_gate() {
    use klpscope_engine::diff::Point::*;
    let p = points(
        "% insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19\n",
        Semantics::Upstream,
        Semantics::SeedV1,
    );
    assert!(
        p.contains(&(1, ErrorsPropagate)) && p.contains(&(1, PostUnpatchGate)),
        "{p:?}"
    );
}

#[test]
fn post_patch_and_a_stalled_transition_answer_the_split_and_transition_awareness() {
    use klpscope_engine::diff::Point::*;
    let p = points(
        "% insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y\n\
         % insmod test_modules/test_klp_callbacks_demo.ko\n\
         % insmod test_modules/test_klp_callbacks_mod.ko\n\
         % echo N > /sys/module/test_klp_callbacks_busy/parameters/block_transition\n",
        Semantics::SeedV1,
        Semantics::Upstream,
    );
    // Step 3 (the module loads mid-transition) prints the same under both:
    // its pre_patch runs, its post_patch waits (v1 has none).
    assert_eq!(
        p,
        [
            (2, TransitionAwareness),
            (4, TransitionAwareness),
            (4, PrePostSplit)
        ]
    );
}

#[test]
fn the_2025_profile_answers_per_state_and_agreeing_steps_answer_nothing() {
    use klpscope_engine::diff::Point::*;
    let text = "% insmod test_modules/test_klp_callbacks_mod.ko\n\
                % insmod test_modules/test_klp_callbacks_demo.ko\n";
    let p = points(text, Semantics::Upstream, Semantics::StateCallbacks2025);
    assert_eq!(p, [(2, PerState)]);
    assert!(points(text, Semantics::Upstream, Semantics::Upstream).is_empty());
}

#[test]
fn a_profile_switch_rewrites_only_the_header() {
    use klpscope_engine::scenario::with_semantics;
    let text = "# a comment\n% insmod test_modules/test_klp_callbacks_demo.ko\nlivepatch: x\n";
    let v1 = with_semantics(text, Semantics::SeedV1);
    assert_eq!(v1, format!("# semantics: seed-v1\n{text}"));
    assert_eq!(
        parse(&v1).expect("parses").semantics,
        Some(Semantics::SeedV1)
    );
    let back = with_semantics(&v1, Semantics::Upstream);
    assert_eq!(back, text);
    let twice = with_semantics(
        &with_semantics(&v1, Semantics::StateCallbacks2025),
        Semantics::StateCallbacks2025,
    );
    assert_eq!(twice.matches("# semantics:").count(), 1);
    assert_eq!(
        parse(&twice).expect("parses").semantics,
        Some(Semantics::StateCallbacks2025)
    );
}
