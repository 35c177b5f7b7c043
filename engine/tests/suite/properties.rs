//! Invariants over random command sequences.

use klpscope_engine::invariants::{
    Pairing, callbacks_only_for_loaded_objects, snapshot_consistent,
};
use klpscope_engine::{CallbackKind, EventKind, KlpState, Run, Scenario, parse, run};
use proptest::prelude::*;

const DECLS: &str = "define module tgt\n  func f\n  param stuck bool = Y\n  task worker sleeps in f while stuck\nend\n\
define livepatch fix\n  replace from param replace\n  param replace int\n  param ret int\n  state 2 version 1\n\
  object vmlinux\n    pre_patch returns param ret\n    post_patch\n    pre_unpatch\n    post_unpatch\n\
  object tgt\n    func f\n    pre_patch returns param ret\n    post_patch\n    pre_unpatch\n    post_unpatch\nend\n";

const MODULES: [&str; 8] = [
    "test_klp_callbacks_demo",
    "test_klp_callbacks_demo2",
    "test_klp_callbacks_mod",
    "test_klp_callbacks_busy",
    "test_klp_state",
    "test_klp_state2",
    "tgt",
    "fix",
];
const PATCHES: [&str; 5] = [
    "test_klp_callbacks_demo",
    "test_klp_callbacks_demo2",
    "test_klp_state",
    "test_klp_state2",
    "fix",
];

fn command() -> impl Strategy<Value = String> {
    let m = 0..MODULES.len();
    let p = 0..PATCHES.len();
    prop_oneof![
        (m.clone(), 0..4usize).prop_map(|(i, a)| {
            let args = [
                "",
                " pre_patch_ret=-19",
                " block_transition=Y",
                " replace=1",
            ][a];
            format!("insmod test_modules/{}.ko{args}", MODULES[i])
        }),
        m.clone().prop_map(|i| format!("rmmod {}", MODULES[i])),
        (p.clone(), 0..2usize)
            .prop_map(|(i, v)| format!("echo {v} > /sys/kernel/livepatch/{}/enabled", PATCHES[i])),
        p.prop_map(|i| format!("echo 1 > /sys/kernel/livepatch/{}/force", PATCHES[i])),
        (0..2usize).prop_map(|v| format!(
            "echo {} > /sys/module/test_klp_callbacks_busy/parameters/block_transition",
            ["N", "Y"][v]
        )),
        (0..2usize)
            .prop_map(|v| format!("echo {} > /sys/module/tgt/parameters/stuck", ["N", "Y"][v])),
        (0..2usize).prop_map(|v| format!(
            "echo {} > /sys/module/test_klp_callbacks_demo/parameters/pre_patch_ret",
            ["0", "-19"][v]
        )),
        (0..2usize)
            .prop_map(|v| format!("echo {} > /sys/module/fix/parameters/ret", ["0", "-16"][v])),
        (0..2usize).prop_map(|v| format!("sysctl -w kernel.ftrace_enabled={v}")),
    ]
}

fn scenario(cmds: &[String]) -> Scenario {
    let mut text = DECLS.to_string();
    for c in cmds {
        text.push_str("% ");
        text.push_str(c);
        text.push('\n');
    }
    parse(&text).expect("generated scenarios parse")
}

fn post_unpatch_pairs_with_pre_patch(r: &Run) -> Result<(), String> {
    let mut pairing = Pairing::default();
    r.steps.iter().try_for_each(|s| pairing.observe(&s.events))
}

fn callbacks_only_for_loaded(r: &Run) -> Result<(), String> {
    r.steps
        .iter()
        .try_for_each(|s| callbacks_only_for_loaded_objects(&s.events))
}

fn snapshots_consistent(r: &Run) -> Result<(), String> {
    r.steps
        .iter()
        .try_for_each(|s| snapshot_consistent(&s.snapshot))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(cmds in prop::collection::vec(command(), 0..24)) {
        let r = run(&scenario(&cmds));
        prop_assert!(post_unpatch_pairs_with_pre_patch(&r).is_ok(), "{:?}\n{}", post_unpatch_pairs_with_pre_patch(&r), cmds.join("\n"));
        prop_assert!(callbacks_only_for_loaded(&r).is_ok(), "{:?}", callbacks_only_for_loaded(&r));
        prop_assert!(snapshots_consistent(&r).is_ok(), "{:?}\n{}", snapshots_consistent(&r), cmds.join("\n"));
    }

    /// The same invariants on every release where something modelled
    /// changed (the registration API, force, klp_state, sysfs files).
    #[test]
    fn invariants_hold_on_every_release(
        cmds in prop::collection::vec(command(), 0..20),
        v in 0..klpscope_engine::KernelVersion::NOTABLE.len(),
    ) {
        let version = klpscope_engine::KernelVersion::NOTABLE[v].0;
        let mut s = scenario(&cmds);
        s.kernel = Some(version);
        let r = run(&s);
        let consistent = r.steps.iter().try_for_each(|st| {
            klpscope_engine::invariants::snapshot_consistent_on(&st.snapshot, version)
        });
        prop_assert!(post_unpatch_pairs_with_pre_patch(&r).is_ok(), "{version}: {:?}\n{}", post_unpatch_pairs_with_pre_patch(&r), cmds.join("\n"));
        prop_assert!(callbacks_only_for_loaded(&r).is_ok(), "{version}: {:?}", callbacks_only_for_loaded(&r));
        prop_assert!(consistent.is_ok(), "{version}: {:?}\n{}", consistent, cmds.join("\n"));
    }

    #[test]
    fn the_model_is_deterministic(cmds in prop::collection::vec(command(), 0..16)) {
        let s = scenario(&cmds);
        prop_assert_eq!(run(&s), run(&s));
    }

    #[test]
    fn share_links_round_trip(cmds in prop::collection::vec(command(), 0..12)) {
        let s = scenario(&cmds);
        let mut text = DECLS.to_string();
        text.push_str(&s.commands_text());
        let back = klpscope_engine::share::decode(&klpscope_engine::share::encode(&text)).unwrap();
        let decoded = parse(&back).unwrap();
        let commands = |sc: &Scenario| sc.steps.iter().map(|st| st.command.clone()).collect::<Vec<_>>();
        prop_assert_eq!(commands(&decoded), commands(&s));
    }

    #[test]
    fn decoding_arbitrary_fragments_never_panics(frag in "s=[ -~]{0,80}") {
        if let Ok(text) = klpscope_engine::share::decode(&frag) {
            let _ = parse(&text);
        }
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = parse(&text);
    }

    #[test]
    fn parsing_arbitrary_command_lines_never_panics(
        cmd in prop_oneof![Just("insmod"), Just("rmmod"), Just("echo"), Just("modprobe"), Just("sysctl"), Just("define module"), Just("define livepatch")],
        rest in "[ -~]{0,60}",
    ) {
        let text = format!("% {cmd} {rest}\n{cmd} {rest}\nend\n");
        if let Ok(s) = parse(&text) {
            let _ = run(&s);
        }
    }
}

#[test]
fn the_invariant_checks_can_fail() {
    // A hand-made run where post_unpatch has no matching pre_patch.
    let mut r = run(&scenario(&[
        "insmod test_modules/test_klp_callbacks_demo.ko".into(),
        "echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled".into(),
    ]));
    assert!(post_unpatch_pairs_with_pre_patch(&r).is_ok());
    r.steps[0].events.retain(|e| {
        !matches!(
            e.kind,
            EventKind::Callback {
                callback: CallbackKind::PrePatch,
                ..
            }
        )
    });
    assert!(post_unpatch_pairs_with_pre_patch(&r).is_err());
    r.steps[0].snapshot.tasks[0].patch_state = KlpState::Patched;
    assert!(snapshots_consistent(&r).is_err());
}

#[test]
fn exhaustive_exploration_to_depth_4_keeps_every_invariant() {
    let r = klpscope_engine::explore::explore(4);
    assert!(r.violations.is_empty(), "{:#?}", r.violations);
    // The number of distinct states is part of the model's behaviour: a
    // change here must be explained. Steps: each state above the last
    // level is expanded once, by each of the 17 commands.
    assert_eq!((r.commands, r.steps, r.states), (17, 1785, 283));
}
