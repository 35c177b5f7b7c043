//! `klpscope explore --ask`: answers a reader can paste and run.

fn klpscope(args: &[&str]) -> (i32, String, String) {
    super::cli::klpscope(args, "")
}

#[test]
fn a_witness_is_a_scenario_that_runs_and_shows_the_callback() {
    let (code, out, err) =
        klpscope(&["explore", "--ask", "post-patch-after-force", "--depth", "5"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# yes: post_patch"), "{out}");
    // The whole answer is a scenario file: comments and commands.
    let scenario = klpscope_engine::parse(&out).expect("the answer parses as a scenario");
    let run = klpscope_engine::run(&scenario);
    let last = run.steps.last().expect("a command at least");
    assert!(last.command.ends_with("/force"), "{}", last.command);
    assert!(
        last.events.iter().any(|e| matches!(
            e.kind,
            klpscope_engine::EventKind::Callback {
                callback: klpscope_engine::CallbackKind::PostPatch,
                ..
            }
        )),
        "no post_patch in the last step of\n{out}"
    );
}

#[test]
fn never_says_how_much_was_checked() {
    let (code, out, _) = klpscope(&[
        "explore",
        "--ask",
        "post-unpatch-without-pre-patch",
        "--depth",
        "4",
    ]);
    assert_eq!(code, 0);
    let line = out.lines().nth(1).unwrap_or_default();
    assert!(line.starts_with("# never: checked "), "{out}");
    assert!(line.ends_with(" to depth 4"), "{out}");
}

#[test]
fn a_builder_question_and_a_bad_one() {
    let (code, out, _) = klpscope(&[
        "explore",
        "--ask",
        "pre_unpatch on test_klp_callbacks_mod seeing MODULE_STATE_GOING after rmmod",
        "--depth",
        "3",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("# yes: pre_unpatch of test_klp_callbacks_demo on test_klp_callbacks_mod seeing MODULE_STATE_GOING"), "{out}");
    let (code, _, err) = klpscope(&["explore", "--ask", "pre_ptach"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown question 'pre_ptach'") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn the_questions_are_listed_with_their_kernel_reasons() {
    let (code, out, _) = klpscope(&["explore", "--questions"]);
    assert_eq!(code, 0);
    for q in klpscope_engine::ask::QUESTIONS {
        assert!(out.contains(q.id) && out.contains(q.reason), "{}", q.id);
    }
}
