//! `klpscope run --format ledger`: what the callbacks set up, what undid it,
//! and what atomic replace leaks.

use klpscope_engine::ledger::{Outcome, ledger, ledger_until, text};

const FIX_A: &str = "define module tgt
  func tgt_work
end
define livepatch fix_a
  object tgt
    func tgt_work -> tgt_work_a
    pre_patch allocates \"buffer\"
    post_patch sets \"feature flag\"
    pre_unpatch restores \"feature flag\"
    post_unpatch frees \"buffer\"
end
";

fn run(text: &str) -> klpscope_engine::ledger::Ledger {
    ledger(&klpscope_engine::run_text(text).expect("parses"))
}

#[test]
fn atomic_replace_leaks_what_the_replaced_patch_set_up() {
    let l = run(&format!(
        "{FIX_A}define livepatch fix_c
  replace
  object vmlinux
    pre_patch
    post_patch
end
% insmod tgt.ko
% insmod fix_a.ko
% insmod fix_c.ko
% rmmod fix_a
"
    ));
    let leaks: Vec<_> = l.leaks().map(|e| e.what.as_str()).collect();
    assert_eq!(leaks, ["buffer", "feature flag"]);
    for e in l.leaks() {
        let Outcome::Leaked(why) = &e.outcome else {
            unreachable!()
        };
        assert!(why.contains("klp_unpatch_replaced_patches"), "{why}");
        assert!(why.contains("'fix_c' replaced 'fix_a'"), "{why}");
    }
    assert!(text(&l).ends_with("2 set up, 0 undone, 0 remain, 2 leaked\n"));
}

#[test]
fn no_leak_when_the_new_patch_takes_the_data_over() {
    let l = run(&format!(
        "{FIX_A}define livepatch fix_c
  replace
  object tgt
    func tgt_work -> tgt_work_c
    pre_patch takes over \"buffer\"
    post_patch takes over \"feature flag\"
    pre_unpatch restores \"feature flag\"
    post_unpatch frees \"buffer\"
end
% insmod tgt.ko
% insmod fix_a.ko
% insmod fix_c.ko
"
    ));
    assert_eq!(l.leaks().count(), 0, "{}", text(&l));
    assert!(l.entries.iter().all(|e| e.owner == "fix_c"));
    assert!(
        l.entries
            .iter()
            .all(|e| matches!(e.outcome, Outcome::Held(_)))
    );
}

#[test]
fn no_leak_when_the_old_patch_is_disabled_first() {
    let l = run(&format!(
        "{FIX_A}define livepatch fix_c
  replace
  object vmlinux
    pre_patch
    post_patch
end
% insmod tgt.ko
% insmod fix_a.ko
% echo 0 > /sys/kernel/livepatch/fix_a/enabled
% insmod fix_c.ko
"
    ));
    assert_eq!(l.leaks().count(), 0, "{}", text(&l));
    assert!(
        l.entries.iter().all(|e| e.outcome == Outcome::Undone),
        "{}",
        text(&l)
    );
}

#[test]
fn the_selftest_state_handover_leaks_nothing() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/transcripts/13-state-taking-over.txt"
    );
    let t = std::fs::read_to_string(path).expect("fixture");
    let l = run(&t);
    assert_eq!(l.entries.len(), 2);
    assert!(
        l.entries.iter().all(|e| e.outcome == Outcome::Undone),
        "{}",
        text(&l)
    );
}

#[test]
fn the_ledger_at_a_step_stands_where_the_run_stands_then() {
    let r = klpscope_engine::run_text(
        "define module busy
  func busy_work
  task worker sleeps in busy_work
end
define livepatch fix_a
  object busy
    func busy_work -> busy_work_a
    pre_patch allocates \"buffer\"
    post_patch sets \"feature flag\"
    pre_unpatch restores \"feature flag\"
    post_unpatch frees \"buffer\"
end
% insmod fix_a.ko
% insmod busy.ko
% echo 0 > /sys/kernel/livepatch/fix_a/enabled
",
    )
    .expect("parses");
    // The patch alone: its object is not loaded, no callback ran.
    assert!(
        ledger_until(&r, 1).entries.is_empty(),
        "{}",
        text(&ledger_until(&r, 1))
    );
    // The module comes: both set up, held by fix_a.
    let loaded = ledger_until(&r, 2);
    assert_eq!(loaded.entries.len(), 2, "{}", text(&loaded));
    assert!(
        loaded
            .entries
            .iter()
            .all(|e| matches!(e.outcome, Outcome::Held(_)))
    );
    // Being disabled, stalled by the worker: the flag is restored
    // (pre_unpatch), and the buffer is not leaked, since post_unpatch
    // runs when the transition completes.
    let disabling = ledger_until(&r, 3);
    let buffer = disabling
        .entries
        .iter()
        .find(|e| e.what == "buffer")
        .expect("buffer");
    let Outcome::Held(why) = &buffer.outcome else {
        panic!("{}", text(&disabling));
    };
    assert!(why.contains("being disabled"), "{why}");
    assert_eq!(disabling.leaks().count(), 0, "{}", text(&disabling));
    // The whole run is the ledger of all its steps.
    assert_eq!(ledger(&r), ledger_until(&r, r.steps.len()));
}
