//! The contract carried by every callback event, checked on every selftest
//! transcript against rules read from the kernel code (not from the
//! engine's output).

use klpscope_engine::contract::{Code, Stage};
use klpscope_engine::{CallbackKind, EventKind, ModuleState, Semantics};
use std::path::Path;

fn transcripts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/transcripts")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("readable fixture");
            (f.display().to_string(), text)
        })
        .collect()
}

#[test]
fn every_callback_of_every_selftest_carries_the_kernels_contract() {
    let mut checked = 0;
    for (name, text) in transcripts() {
        let scenario = klpscope_engine::parse(&text).expect("fixture parses");
        if scenario.semantics.unwrap_or_default() != Semantics::Upstream {
            continue;
        }
        let run = klpscope_engine::run(&scenario);
        for (i, step) in run.steps.iter().enumerate() {
            let before = if i == 0 {
                &run.initial
            } else {
                &run.steps[i - 1].snapshot
            };
            for ev in &step.events {
                let EventKind::Callback {
                    callback, contract, ..
                } = &ev.kind
                else {
                    continue;
                };
                let at = format!(
                    "{name}: step {} ({}) {callback} {:?}",
                    i + 1,
                    step.command,
                    ev.object
                );
                let c = contract
                    .as_deref()
                    .unwrap_or_else(|| panic!("{at}: no contract"));
                let chain = |f: &str| ev.why.iter().any(|w| w == f);
                checked += 1;
                // Every caller of the wrappers holds klp_mutex: klp_enable_patch(),
                // enabled_store(), klp_transition_work_fn(), klp_module_coming()
                // and klp_module_going() all mutex_lock(&klp_mutex).
                assert_eq!(
                    c.locks.held.first().map(String::as_str),
                    Some("klp_mutex"),
                    "{at}"
                );
                assert!(
                    c.locks
                        .must_not
                        .iter()
                        .any(|m| m.contains("klp_enable_patch")),
                    "{at}"
                );
                // Only klp_pre_patch_callback() returns a value its callers check.
                assert_eq!(c.can_fail, *callback == CallbackKind::PrePatch, "{at}");
                assert_eq!(c.on_failure.is_some(), c.can_fail, "{at}");
                // The module's life: prepare_coming_module() (COMING) runs
                // klp_module_coming() before do_init_module(); delete_module()
                // runs mod->exit() before klp_module_going().
                match ev.module_state {
                    None => assert_eq!(c.module, Stage::Vmlinux, "{at}"),
                    Some(ModuleState::Coming) => {
                        assert_eq!(c.module, Stage::BeforeInit, "{at}");
                        assert_eq!(c.object_code, Code::NotRunningYet, "{at}");
                    }
                    Some(ModuleState::Going) => {
                        assert_eq!(c.object_code, Code::NoLongerRunning, "{at}");
                        if chain("delete_module") {
                            assert_eq!(c.module, Stage::AfterExit, "{at}");
                        }
                    }
                    Some(ModuleState::Live) => assert_eq!(c.module, Stage::Live, "{at}"),
                    Some(ModuleState::Unformed) => panic!("{at}: callback of an unformed module"),
                }
                // __klp_enable_patch(): klp_init_transition() puts every task
                // in KLP_UNPATCHED, pre_patch runs before klp_start_transition().
                if *callback == CallbackKind::PrePatch && chain("__klp_enable_patch") {
                    assert_eq!(c.system_code, Code::Old, "{at}");
                    assert_eq!(c.object_code, Code::Old, "{at}");
                }
                // __klp_disable_patch(): pre_unpatch between klp_init_transition()
                // (every task KLP_PATCHED) and klp_start_transition().
                if *callback == CallbackKind::PreUnpatch && chain("__klp_disable_patch") {
                    assert_eq!(c.system_code, Code::New, "{at}");
                }
                // klp_complete_transition(): post callbacks once every task
                // runs the target code.
                if chain("klp_complete_transition") {
                    match callback {
                        CallbackKind::PostPatch => assert_eq!(c.system_code, Code::New, "{at}"),
                        CallbackKind::PostUnpatch => {
                            assert_eq!(c.system_code, Code::Old, "{at}")
                        }
                        _ => panic!("{at}: only post callbacks complete a transition"),
                    }
                    if ev.module_state.is_none() || ev.module_state == Some(ModuleState::Live) {
                        assert_eq!(c.object_code, c.system_code, "{at}");
                    }
                }
                // klp_module_coming() under a patch that is enabled and not in
                // transition: the rest of the system already runs the new code.
                if chain("klp_module_coming") && before.transition.is_none() {
                    let patch = ev.patch.as_deref().unwrap_or_default();
                    if before.patches.iter().any(|p| p.name == patch && p.enabled) {
                        assert_eq!(c.system_code, Code::New, "{at}");
                    }
                }
                // The pairs of Documentation/livepatch/callbacks.rst: pre_patch ->
                // post_unpatch, post_patch -> pre_unpatch.
                match callback {
                    CallbackKind::PrePatch => {
                        assert!(c.counterpart.contains("post_unpatch"), "{at}")
                    }
                    CallbackKind::PostPatch => {
                        assert!(c.counterpart.contains("pre_unpatch"), "{at}")
                    }
                    CallbackKind::PreUnpatch => {
                        assert!(c.counterpart.contains("post_unpatch"), "{at}")
                    }
                    CallbackKind::PostUnpatch => assert!(c.counterpart.starts_with("none"), "{at}"),
                }
                // Others: never the object itself; always the upstream warning.
                let me = ev.object.as_deref().unwrap_or("vmlinux");
                assert!(c.others.objects.iter().all(|o| o.name != me), "{at}");
                assert!(c.others.warning.contains("may or may not be"), "{at}");
            }
        }
    }
    assert!(checked > 100, "only {checked} callbacks checked");
}

#[test]
fn json_output_carries_the_contract() {
    let run = klpscope_engine::run_text("% insmod test_modules/test_klp_callbacks_demo.ko\n")
        .expect("parses");
    let json = serde_json::to_value(&run).expect("serializes");
    let ev = json["steps"][0]["events"]
        .as_array()
        .and_then(|evs| evs.iter().find(|e| e["type"] == "callback"))
        .expect("a callback")
        .clone();
    assert_eq!(ev["contract"]["module"], "vmlinux");
    assert_eq!(ev["contract"]["system_code"], "old");
    assert_eq!(ev["contract"]["can_fail"], true);
}

#[test]
fn a_module_refused_by_a_later_patch_is_unpatched_at_once_before_its_init() {
    // klp_module_coming(): the second patch's pre_patch fails, so
    // klp_cleanup_module_patches_limited() reverts the first patch from the
    // module while it is still COMING, pre_unpatch then post_unpatch.
    let run = klpscope_engine::run_text(
        "define module tgt
end
define livepatch a
  object tgt
    pre_patch
    post_patch
    pre_unpatch
    post_unpatch
end
define livepatch b
  object tgt
    pre_patch returns -ENODEV
end
% insmod a.ko
% insmod b.ko
% insmod tgt.ko
",
    )
    .expect("parses");
    let step = run.steps.last().expect("three steps");
    let pre_unpatch = step
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Callback {
                callback: CallbackKind::PreUnpatch,
                contract,
                ..
            } => contract.as_deref(),
            _ => None,
        })
        .expect("a's pre_unpatch");
    assert_eq!(pre_unpatch.module, Stage::BeforeInit);
    assert_eq!(pre_unpatch.object_code, Code::NotRunningYet);
    assert!(
        pre_unpatch
            .counterpart
            .starts_with("post_unpatch right after"),
        "{}",
        pre_unpatch.counterpart
    );
}
