//! Invariants over random command sequences.

use klpscope_engine::{CallbackKind, EventKind, KlpState, ModuleState, Run, Scenario, parse, run};
use proptest::prelude::*;
use std::collections::HashSet;

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

/// post_unpatch only after a successful pre_patch of the same object, at
/// most once per pre_patch.
fn post_unpatch_pairs_with_pre_patch(r: &Run) -> Result<(), String> {
    let mut armed: HashSet<(String, String)> = HashSet::new();
    for e in r.steps.iter().flat_map(|s| &s.events) {
        if let EventKind::Callback { callback, ret, .. } = &e.kind {
            let key = (
                e.patch.clone().unwrap_or_default(),
                e.object.clone().unwrap_or_default(),
            );
            match callback {
                CallbackKind::PrePatch if *ret == Some(0) => {
                    armed.insert(key);
                }
                CallbackKind::PrePatch => {
                    armed.remove(&key);
                }
                CallbackKind::PostUnpatch if !armed.remove(&key) => {
                    return Err(format!(
                        "step {}: post_unpatch of {key:?} without a successful pre_patch",
                        e.step
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Callbacks run for vmlinux or for a module that is formed (never UNFORMED).
fn callbacks_only_for_loaded_objects(r: &Run) -> Result<(), String> {
    for e in r.steps.iter().flat_map(|s| &s.events) {
        if let EventKind::Callback { .. } = e.kind {
            let obj = e.object.as_deref().unwrap_or_default();
            if obj != "vmlinux" && matches!(e.module_state, None | Some(ModuleState::Unformed)) {
                return Err(format!(
                    "step {}: callback for unloaded object {obj}",
                    e.step
                ));
            }
        }
    }
    Ok(())
}

/// Every snapshot is internally consistent.
fn snapshots_consistent(r: &Run) -> Result<(), String> {
    for s in r.steps.iter().map(|s| &s.snapshot) {
        let in_transition = s.patches.iter().filter(|p| p.transition).count();
        if in_transition > 1 || (in_transition == 1) != s.transition.is_some() {
            return Err(format!(
                "{in_transition} patches in transition, transition = {:?}",
                s.transition
            ));
        }
        let idle = s
            .tasks
            .iter()
            .all(|t| t.patch_state == KlpState::Idle && !t.pending);
        if s.transition.is_none() != idle {
            return Err("task states disagree with the transition".into());
        }
        for p in &s.patches {
            let Some(m) = s.modules.iter().find(|m| m.name == p.name) else {
                return Err(format!("patch {} without its module", p.name));
            };
            if m.refcnt == 0 {
                return Err(format!("patch {} does not hold its module", p.name));
            }
            if !p.transition && !p.enabled {
                return Err(format!("disabled patch {} left on the list", p.name));
            }
            for o in &p.objects {
                if o.patched && !o.loaded {
                    return Err(format!("{}: {} patched but not loaded", p.name, o.name));
                }
                if o.loaded
                    && o.name != "vmlinux"
                    && !s.modules.iter().any(|m| m.name == o.name && m.klp_alive)
                {
                    return Err(format!(
                        "{}: {} bound to a module that is not alive",
                        p.name, o.name
                    ));
                }
            }
        }
        let names: HashSet<_> = s.modules.iter().map(|m| &m.name).collect();
        if names.len() != s.modules.len() {
            return Err("a module is loaded twice".into());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(cmds in prop::collection::vec(command(), 0..24)) {
        let r = run(&scenario(&cmds));
        prop_assert!(post_unpatch_pairs_with_pre_patch(&r).is_ok(), "{:?}\n{}", post_unpatch_pairs_with_pre_patch(&r), cmds.join("\n"));
        prop_assert!(callbacks_only_for_loaded_objects(&r).is_ok(), "{:?}", callbacks_only_for_loaded_objects(&r));
        prop_assert!(snapshots_consistent(&r).is_ok(), "{:?}\n{}", snapshots_consistent(&r), cmds.join("\n"));
    }

    #[test]
    fn the_model_is_deterministic(cmds in prop::collection::vec(command(), 0..16)) {
        let s = scenario(&cmds);
        prop_assert_eq!(run(&s), run(&s));
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
