//! Exercises: the ones in content/ are answerable, and grading reports
//! each kind of mistake as that kind. Expected answers always come from
//! the engine (`quiz::expected`); tests only alter them.

use klpscope_engine::quiz::{
    self, Answer, Call, Console, Exercise, FindingKind, Solution, grade_against, parse_answer,
    parse_quiz_blocks,
};
use klpscope_engine::{CallbackKind, ModuleState};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn content() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

fn one(md_body: &str) -> Exercise {
    let md = format!("Some text.\n\n```klpscope-quiz\n{md_body}```\n");
    let mut v = parse_quiz_blocks(&md).expect("parses");
    assert_eq!(v.len(), 1);
    v.remove(0)
}

/// A module loaded under an enabled patch: two callbacks with a state.
fn module_load() -> (Exercise, Solution) {
    let ex = one("title: Target after the patch\n\
         skill: loader callbacks\n\
         % insmod test_modules/test_klp_callbacks_demo.ko\n\
         next: % insmod test_modules/test_klp_callbacks_mod.ko\n\
         docs: #doc=modules/a-module-loads-under-a-patch\n");
    let s = quiz::expected(&ex).expect("runs");
    (ex, s)
}

/// Enabling with the target loaded: four callbacks.
fn enable() -> Solution {
    let ex = one("title: Enable\nskill: order\n\
         % insmod test_modules/test_klp_callbacks_mod.ko\n\
         next: % insmod test_modules/test_klp_callbacks_demo.ko\n");
    quiz::expected(&ex).expect("runs")
}

fn kinds(a: &Solution, answer: &Answer) -> Vec<FindingKind> {
    grade_against(a, answer)
        .findings
        .iter()
        .map(|f| f.kind)
        .collect()
}

#[test]
fn content_exercises_are_all_answerable() {
    let report = quiz::term::check_path(&content());
    assert!(report.problems.is_empty(), "{}", report.problems.join("\n"));
    assert!(
        report.answerable >= 20,
        "only {} exercises",
        report.answerable
    );
    assert_eq!(
        report.summary(),
        format!("{} exercises, all answerable", report.answerable)
    );
}

#[test]
fn the_exercises_chapter_names_skill_hint_and_docs_for_each() {
    let md = std::fs::read_to_string(content().join("12-exercises.md")).unwrap();
    let exercises = parse_quiz_blocks(&md).unwrap();
    assert!(exercises.len() >= 20);
    for ex in &exercises {
        assert!(!ex.skill.is_empty(), "{}", ex.id);
        assert!(ex.hint.is_some(), "{} has no hint", ex.id);
        assert!(ex.docs.is_some(), "{} has no docs link", ex.id);
    }
    // The situations the exercises must cover, by id.
    for id in [
        "target-loaded-after-the-patch",
        "module-removed-while-enabled",
        "pre-patch-fails-on-module-load",
        "reversed-after-module-load",
        "stacked-top-disabled",
        "atomic-replace-loaded-target",
        "klp-state-take-over",
        "force-then-rmmod",
    ] {
        assert!(exercises.iter().any(|e| e.id == id), "no exercise {id}");
    }
    let summary = std::fs::read_to_string(content().join("SUMMARY")).unwrap();
    assert!(summary.lines().any(|l| l == "exercises 12-exercises.md"));
}

#[test]
fn the_engine_answer_reads_the_last_step() {
    let (_, s) = module_load();
    let calls = &s.answer.calls;
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].callback, CallbackKind::PrePatch);
    assert_eq!(calls[1].callback, CallbackKind::PostPatch);
    assert!(calls.iter().all(|c| c.object == "test_klp_callbacks_mod"
        && c.state == Some(ModuleState::Coming)
        && c.patch.as_deref() == Some("test_klp_callbacks_demo")));
    assert_eq!(s.answer.console, Some(Console::Ok));
    assert_eq!(s.why.len(), 2);
    assert!(
        s.why[0].iter().any(|f| f == "klp_module_coming"),
        "{:?}",
        s.why
    );
}

#[test]
fn a_right_answer_passes() {
    let (ex, s) = module_load();
    let v = quiz::grade(&ex, &s.answer).unwrap();
    assert!(v.passed);
    assert_eq!(v.score.right, v.score.out_of);
    assert_eq!(v.score.out_of, 3);
    assert!(v.findings.iter().all(|f| f.kind == FindingKind::Right));
    assert_eq!(
        v.docs.as_deref(),
        Some("#doc=modules/a-module-loads-under-a-patch")
    );
    // Typed without the patch names, it is right too.
    let typed = parse_answer(
        "pre_patch test_klp_callbacks_mod COMING\n\
         post_patch test_klp_callbacks_mod coming\nconsole: ok\n",
    )
    .unwrap();
    assert!(quiz::grade(&ex, &typed).unwrap().passed);
}

#[test]
fn a_missing_callback_is_missing_with_its_why() {
    let (_, s) = module_load();
    let mut a = s.answer.clone();
    a.calls.remove(1);
    let v = grade_against(&s, &a);
    assert!(!v.passed);
    let missing: Vec<_> = v.mistakes().collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].kind, FindingKind::Missing);
    assert_eq!(missing[0].expected.as_ref(), Some(&s.answer.calls[1]));
    assert_eq!(missing[0].why, s.why[1]);
    assert_eq!(
        (missing[0].expected_index, missing[0].given_index),
        (Some(1), None)
    );
    assert!(!missing[0].why.is_empty());
    assert_eq!(v.score.right, 2);
}

#[test]
fn an_extra_callback_is_extra() {
    let (_, s) = module_load();
    let mut a = s.answer.clone();
    a.calls.insert(
        0,
        Call {
            callback: CallbackKind::PrePatch,
            patch: None,
            object: "vmlinux".into(),
            state: None,
        },
    );
    let v = grade_against(&s, &a);
    assert_eq!(
        kinds(&s, &a),
        vec![
            FindingKind::Right,
            FindingKind::Right,
            FindingKind::Extra,
            FindingKind::Right
        ]
    );
    assert_eq!(v.score.out_of, 4);
    assert!(!v.passed);
}

#[test]
fn swapped_callbacks_are_wrong_order() {
    let s = enable();
    assert_eq!(s.answer.calls.len(), 4);
    let mut a = s.answer.clone();
    a.calls.swap(1, 2);
    let k = kinds(&s, &a);
    assert_eq!(
        k.iter().filter(|k| **k == FindingKind::WrongOrder).count(),
        1,
        "{k:?}"
    );
    assert_eq!(k.iter().filter(|k| **k == FindingKind::Right).count(), 4);
    let v = grade_against(&s, &a);
    let wrong = v.mistakes().next().unwrap();
    assert!(!wrong.why.is_empty());
    // The finding names both places, for a view to mark the answer's row.
    let (Some(i), Some(j)) = (wrong.expected_index, wrong.given_index) else {
        panic!("{wrong:?}");
    };
    assert_ne!(i, j);
    assert_eq!(a.calls[j], s.answer.calls[i]);
}

#[test]
fn another_module_state_is_wrong_state() {
    let (_, s) = module_load();
    let mut a = s.answer.clone();
    a.calls[1].state = Some(ModuleState::Live);
    let v = grade_against(&s, &a);
    let m: Vec<_> = v.mistakes().collect();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].kind, FindingKind::WrongState);
    assert!(
        m[0].message.contains("MODULE_STATE_COMING"),
        "{}",
        m[0].message
    );
    assert_eq!(m[0].why, s.why[1]);
    // Leaving the state out is a wrong state too.
    a.calls[1].state = None;
    assert!(kinds(&s, &a).contains(&FindingKind::WrongState));
}

#[test]
fn a_wrong_console_is_wrong_console() {
    let (_, s) = module_load();
    let mut a = s.answer.clone();
    a.console = Some(Console::Error(None));
    assert_eq!(kinds(&s, &a).last(), Some(&FindingKind::WrongConsole));
    a.console = None;
    assert_eq!(kinds(&s, &a).last(), Some(&FindingKind::WrongConsole));

    let ex = one("title: In use\nskill: refcount\n\
         % insmod test_modules/test_klp_callbacks_demo.ko\n\
         next: % rmmod test_klp_callbacks_demo\n");
    let s = quiz::expected(&ex).unwrap();
    let Some(Console::Error(Some(line))) = &s.answer.console else {
        panic!("rmmod of an enabled patch fails: {:?}", s.answer.console);
    };
    assert!(line.starts_with("rmmod: ERROR"), "{line}");
    let ok = parse_answer("console: error\n").unwrap();
    assert!(grade_against(&s, &ok).passed);
    let same = parse_answer(&format!("console: {line}\n")).unwrap();
    assert!(grade_against(&s, &same).passed);
    let other = parse_answer("console: error: rmmod: ERROR: something else\n").unwrap();
    assert_eq!(kinds(&s, &other), vec![FindingKind::WrongConsole]);
    let said_ok = parse_answer("console: ok\n").unwrap();
    let v = grade_against(&s, &said_ok);
    assert_eq!(v.findings[0].kind, FindingKind::WrongConsole);
    assert!(v.findings[0].message.contains(line.as_str()));
}

#[test]
fn a_wrong_patch_name_is_missing_and_extra() {
    let (_, s) = module_load();
    let mut a = s.answer.clone();
    a.calls[0].patch = Some("test_klp_callbacks_demo2".into());
    let k = kinds(&s, &a);
    assert!(
        k.contains(&FindingKind::Missing) && k.contains(&FindingKind::Extra),
        "{k:?}"
    );
}

#[test]
fn answers_print_and_read_back() {
    let s = enable();
    let text = s.answer.to_string();
    assert_eq!(parse_answer(&text).unwrap(), s.answer);
    // A pasted selftest log line reads as the same call.
    let pasted = parse_answer(
        "test_klp_callbacks_demo: pre_patch_callback: test_klp_callbacks_mod -> \
         [MODULE_STATE_LIVE] Normal state\n",
    )
    .unwrap();
    assert_eq!(pasted.calls[0], s.answer.calls[1]);
}

#[test]
fn bad_answer_lines_say_where_and_how() {
    let e = parse_answer("pre_patch vmlinux\npre_pach vmlinux\n").unwrap_err();
    assert_eq!((e.line, e.col), (2, 1));
    assert_eq!(e.hint.as_deref(), Some("did you mean 'pre_patch'?"));
    let e = parse_answer("post_patch\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("which object"), "{}", e.message);
    let e = parse_answer("post_patch mod LIVE now\n").unwrap_err();
    assert_eq!(e.col, 21);
    let e = parse_answer("console: maybe\n").unwrap_err();
    assert!(e.hint.unwrap().contains("console: ok"));
    let e = parse_answer("console: ok\nconsole: error\n").unwrap_err();
    assert_eq!(e.line, 2);
}

#[test]
fn bad_blocks_say_where_and_how() {
    let err = |md: &str| parse_quiz_blocks(md).unwrap_err();
    let e = err("x\n```klpscope-quiz\ntitle: t\nskil: s\nnext: % rmmod x\n```\n");
    assert_eq!((e.line, e.col), (4, 1));
    assert_eq!(e.hint.as_deref(), Some("did you mean 'skill:'?"));
    let e = err("```klpscope-quiz\ntitle: t\nskill: s\n");
    assert!(e.message.contains("not closed"));
    let e = err("```klpscope-quiz\ntitle: t\nskill: s\n```\n");
    assert!(e.message.contains("'next:'"), "{}", e.message);
    let e = err("```klpscope-quiz\ntitle: t\nskill: s\nnext: % rmmod a\n% rmmod b\n```\n");
    assert_eq!(e.line, 5);
    let e = err(
        "```klpscope-quiz\ntitle: t\nskill: s\ndefine module m\n  func f\nnext: % rmmod m\n```\n",
    );
    assert!(e.message.contains("end"), "{}", e.message);
    let twice = "```klpscope-quiz\ntitle: Same\nskill: s\nnext: % rmmod a\n```\n";
    let e = err(&format!("{twice}\n{twice}"));
    assert_eq!(e.line, 7);
    assert!(e.hint.unwrap().contains("line 1"));
    let e = err("```klpscope-quiz\ntitle: t\nskill: s\ndocs: modules\nnext: % rmmod a\n```\n");
    assert!(e.hint.unwrap().contains("#doc="));
}

#[test]
fn scenario_errors_point_into_the_markdown() {
    // The command's column counts from the start of the `next:` line.
    let ex = one(
        "title: t\nskill: s\n% insmod test_modules/test_klp_callbacks_mod.ko\nnext: % insmodd x.ko\n",
    );
    let e = quiz::expected(&ex).unwrap_err();
    assert_eq!((e.line, e.col), (7, 9));
    assert_eq!(e.hint.as_deref(), Some("did you mean 'insmod'?"));
    // A prefix line keeps its own line.
    let ex = one("title: t\nskill: s\n% rmmodd x\nnext: % rmmod x\n");
    assert_eq!(quiz::expected(&ex).unwrap_err().line, 6);
    // A vmlinux function the kernel lacks makes the exercise unanswerable.
    let ex = one("title: t\nskill: s\n\
         define livepatch p\n  object vmlinux\n    func no_such_function\nend\n\
         next: % insmod p.ko\n");
    let e = quiz::expected(&ex).unwrap_err();
    assert_eq!(e.line, 8);
    assert!(e.message.contains("no_such_function"), "{}", e.message);
}

#[test]
fn check_reports_unanswerable_exercises_and_bad_docs_links() {
    let dir = std::env::temp_dir().join(format!("klpscope-quiz-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SUMMARY"), "ch a.md\n").unwrap();
    std::fs::write(
        dir.join("a.md"),
        "# A\n## Real heading\n```klpscope-quiz\ntitle: ok\nskill: s\n\
         next: % insmod test_modules/test_klp_callbacks_demo.ko\ndocs: #doc=ch/real-heading\n```\n\
         ```klpscope-quiz\ntitle: bad link\nskill: s\n\
         next: % insmod test_modules/test_klp_callbacks_demo.ko\ndocs: #doc=ch/no-heading\n```\n\
         ```klpscope-quiz\ntitle: bad command\nskill: s\nnext: % frobnicate\n```\n",
    )
    .unwrap();
    let r = quiz::term::check_path(&dir);
    assert_eq!(r.answerable, 1);
    assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
    assert!(r.problems[0].contains("no heading 'no-heading'"));
    assert!(
        r.problems[1].contains(":18:9: unknown command"),
        "{}",
        r.problems[1]
    );
    assert!(!r.ok());
    let _ = std::fs::remove_dir_all(&dir);
}

fn klpscope(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_klpscope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("klpscope runs");
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn cli_check_passes_over_content() {
    let dir = content();
    let (code, out, err) = klpscope(&["quiz", "--check", dir.to_str().unwrap()], "");
    assert_eq!(code, 0, "{err}");
    let n: usize = out
        .trim()
        .strip_suffix(" exercises, all answerable")
        .unwrap_or_else(|| panic!("{out}"))
        .parse()
        .unwrap();
    assert!(n >= 20);
}

#[test]
fn cli_quiz_grades_answers_from_stdin() {
    let file = content().join("12-exercises.md");
    let file = file.to_str().unwrap();
    let (code, answers, _) = klpscope(&["quiz", "--answers", file], "");
    assert_eq!(code, 0);
    let (code, out, err) = klpscope(&["quiz", file], &answers);
    assert_eq!(code, 0, "{out}{err}");
    let n = parse_quiz_blocks(&std::fs::read_to_string(file).unwrap())
        .unwrap()
        .len();
    assert!(
        out.ends_with(&format!("\n{n} of {n} exercises right\n")),
        "{out}"
    );

    // One exercise, answered with a callback too few: the diff says so.
    let (code, out, _) = klpscope(
        &["quiz", file, "--only", "target-loaded-after-the-patch"],
        "hint\npre_patch test_klp_callbacks_mod COMING\nconsole: ok\n",
    );
    assert_eq!(code, 1);
    assert!(out.contains("hint: "), "{out}");
    assert!(
        out.contains(
            "  missing       test_klp_callbacks_demo: post_patch test_klp_callbacks_mod COMING"
        ),
        "{out}"
    );
    assert!(out.contains("klp_module_coming"), "{out}");
    assert!(out.contains("Score 2/3"), "{out}");
    assert!(out.contains("0 of 1 exercises right"), "{out}");

    let (code, out, _) = klpscope(&["quiz", "--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("Answer format"), "{out}");
    let (code, _, err) = klpscope(&["quiz", file, "--only", "no-such-id"], "");
    assert_eq!(code, 2);
    assert!(err.contains("no exercise"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hostile_blocks_and_answers_never_panic(body in "(?s).{0,300}", answer in "(?s).{0,200}") {
        let md = format!("```klpscope-quiz\n{body}\n```\n");
        if let Ok(exercises) = parse_quiz_blocks(&md) {
            for ex in &exercises {
                if let Ok(s) = quiz::expected(ex)
                    && let Ok(a) = parse_answer(&answer)
                {
                    let v = grade_against(&s, &a);
                    prop_assert!(v.score.right <= v.score.out_of);
                }
            }
        }
        let _ = parse_answer(&answer);
    }

    #[test]
    fn graded_random_answers_stay_in_bounds(
        prefix in proptest::collection::vec(prop_oneof![
            Just("% insmod test_modules/test_klp_callbacks_mod.ko"),
            Just("% insmod test_modules/test_klp_callbacks_demo.ko"),
            Just("% insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y"),
            Just("% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled"),
            Just("% rmmod test_klp_callbacks_mod"),
        ], 0..4),
        next in prop_oneof![
            Just("% rmmod test_klp_callbacks_mod"),
            Just("% insmod test_modules/test_klp_callbacks_mod.ko"),
            Just("% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force"),
        ],
        lines in proptest::collection::vec(prop_oneof![
            Just("pre_patch vmlinux"), Just("post_unpatch vmlinux"),
            Just("pre_patch test_klp_callbacks_mod COMING"),
            Just("post_patch test_klp_callbacks_mod LIVE"),
            Just("pre_unpatch test_klp_callbacks_mod GOING"),
            Just("console: ok"), Just("console: error"),
        ], 0..6),
    ) {
        let md = format!(
            "```klpscope-quiz\ntitle: t\nskill: s\n{}\nnext: {next}\n```\n",
            prefix.join("\n")
        );
        let ex = &parse_quiz_blocks(&md).unwrap()[0];
        let s = quiz::expected(ex).unwrap();
        let mut seen_console = false;
        let lines: Vec<&str> = lines.into_iter().filter(|l| {
            let c = l.starts_with("console:");
            let keep = !(c && seen_console);
            seen_console |= c;
            keep
        }).collect();
        let a = parse_answer(&lines.join("\n")).unwrap();
        let v = grade_against(&s, &a);
        prop_assert!(v.score.right <= v.score.out_of);
        prop_assert_eq!(v.findings.len(), v.score.out_of);
        prop_assert_eq!(v.passed, a == s.answer || (v.score.right == v.score.out_of));
        // The engine's own answer always passes.
        prop_assert!(grade_against(&s, &s.answer).passed);
    }

    #[test]
    fn answer_lines_of_known_words_never_panic(
        words in proptest::collection::vec(
            prop_oneof![
                Just("pre_patch"), Just("post_unpatch_callback:"), Just("vmlinux"),
                Just("test_klp_callbacks_mod"), Just("->"), Just("[MODULE_STATE_GOING]"),
                Just("COMING"), Just("p:"), Just("console:"), Just("error:"), Just("ok"),
                Just("é"), Just(""),
            ],
            0..8,
        )
    ) {
        let _ = parse_answer(&words.join(" "));
    }
}
