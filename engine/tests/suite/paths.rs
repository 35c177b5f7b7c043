//! One test per kernel code path: what the model does, asserted on events
//! and snapshots rather than on log text alone.

use klpscope_engine::{CallbackKind, EventKind, KlpState, ModuleState, Run, run_text};

fn run(text: &str) -> Run {
    run_text(text).unwrap_or_else(|e| panic!("{e}"))
}

/// (callback, object, observed module state) of step `n` (1-based).
fn callbacks(run: &Run, n: usize) -> Vec<(CallbackKind, String, Option<ModuleState>)> {
    run.steps[n - 1]
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Callback { callback, .. } => Some((
                *callback,
                e.object.clone().unwrap_or_default(),
                e.module_state,
            )),
            _ => None,
        })
        .collect()
}

fn lines(run: &Run, n: usize) -> Vec<String> {
    klpscope_engine::render::step_log(&run.steps[n - 1])
}

/// The module `name` as the snapshot after step `n` shows it.
fn module<'a>(run: &'a Run, n: usize, name: &str) -> &'a klpscope_engine::snapshot::ModuleSnapshot {
    run.steps[n - 1]
        .snapshot
        .modules
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} not loaded after step {n}"))
}

/// The transition in progress after step `n`.
fn transition(run: &Run, n: usize) -> &klpscope_engine::snapshot::TransitionSnapshot {
    run.steps[n - 1]
        .snapshot
        .transition
        .as_ref()
        .unwrap_or_else(|| panic!("no transition after step {n}"))
}

use CallbackKind::{PostPatch, PostUnpatch, PrePatch, PreUnpatch};
use ModuleState::{Coming, Going, Live};

const MOD: &str = "% insmod test_modules/test_klp_callbacks_mod.ko\n";
const DEMO: &str = "% insmod test_modules/test_klp_callbacks_demo.ko\n";
const BUSY_Y: &str = "% insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y\n";
const DISABLE_DEMO: &str = "% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled\n";

/// A target whose task sleeps in f(), and a patch with all four callbacks on it.
const DECLS: &str = "define module tgt\n  func f\n  task worker sleeps in f\nend\n\
define livepatch fix\n  object vmlinux\n    pre_patch\n    post_patch\n    pre_unpatch\n    post_unpatch\n\
  object tgt\n    func f\n    pre_patch\n    post_patch\n    pre_unpatch\n    post_unpatch\nend\n";

#[test]
fn klp_enable_patch_runs_pre_patch_for_loaded_objects_in_order_then_post_patch_at_completion() {
    let r = run(&format!("{MOD}{DEMO}"));
    let vm = "vmlinux".to_string();
    let m = "test_klp_callbacks_mod".to_string();
    assert_eq!(
        callbacks(&r, 2),
        vec![
            (PrePatch, vm.clone(), None),
            (PrePatch, m.clone(), Some(Live)),
            (PostPatch, vm, None),
            (PostPatch, m, Some(Live)),
        ]
    );
    let l = lines(&r, 2);
    let starting = l
        .iter()
        .position(|x| x.contains("starting patching"))
        .unwrap();
    let first_post = l.iter().position(|x| x.contains("post_patch")).unwrap();
    assert!(
        starting < first_post,
        "post_patch must wait for the transition: {l:#?}"
    );
    // The busy object is not loaded: no callback for it.
    assert!(!l.iter().any(|x| x.contains("test_klp_callbacks_busy")));
}

#[test]
fn klp_module_coming_under_a_steady_patch_runs_pre_and_post_patch_before_init() {
    let r = run(&format!("{DEMO}{MOD}"));
    let cb = callbacks(&r, 2);
    assert_eq!(
        cb.iter().map(|c| (c.0, c.2)).collect::<Vec<_>>(),
        vec![(PrePatch, Some(Coming)), (PostPatch, Some(Coming))]
    );
    let l = lines(&r, 2);
    assert_eq!(
        l.last().unwrap(),
        "test_klp_callbacks_mod: test_klp_callbacks_mod_init"
    );
    let pre = r.steps[1]
        .events
        .iter()
        .find(|e| {
            matches!(
                e.kind,
                EventKind::Callback {
                    callback: PrePatch,
                    ..
                }
            )
        })
        .unwrap();
    assert_eq!(
        pre.why,
        ["load_module", "klp_module_coming", "klp_pre_patch_callback"]
    );
}

#[test]
fn klp_module_coming_during_a_transition_defers_post_patch_to_completion() {
    let r = run(&format!(
        "{BUSY_Y}{DEMO}{MOD}% echo N > /sys/module/test_klp_callbacks_busy/parameters/block_transition\n"
    ));
    assert_eq!(
        callbacks(&r, 3),
        vec![(PrePatch, "test_klp_callbacks_mod".into(), Some(Coming))]
    );
    let post: Vec<_> = callbacks(&r, 4)
        .into_iter()
        .filter(|c| c.0 == PostPatch)
        .map(|c| c.1)
        .collect();
    assert_eq!(
        post,
        [
            "vmlinux",
            "test_klp_callbacks_mod",
            "test_klp_callbacks_busy"
        ]
    );
}

#[test]
fn klp_module_going_skips_pre_unpatch_for_the_transition_patch() {
    let r = run(&format!(
        "{BUSY_Y}{DEMO}{MOD}% rmmod test_klp_callbacks_mod\n"
    ));
    assert_eq!(
        callbacks(&r, 4),
        vec![(PostUnpatch, "test_klp_callbacks_mod".into(), Some(Going))]
    );
    let r = run(&format!("{DEMO}{MOD}% rmmod test_klp_callbacks_mod\n"));
    let kinds: Vec<_> = callbacks(&r, 3).into_iter().map(|c| (c.0, c.2)).collect();
    assert_eq!(
        kinds,
        [(PreUnpatch, Some(Going)), (PostUnpatch, Some(Going))]
    );
}

#[test]
fn klp_cancel_transition_runs_post_unpatch_only_where_pre_patch_succeeded() {
    let text = "define module tgt\nend\n\
define livepatch p\n  object vmlinux\n    pre_patch\n    post_unpatch\n  object tgt\n    pre_patch returns -ENODEV\n    post_unpatch\nend\n\
% insmod tgt.ko\n% insmod p.ko\n";
    let r = run(text);
    let cb: Vec<_> = callbacks(&r, 2).into_iter().map(|c| (c.0, c.1)).collect();
    assert_eq!(
        cb,
        [
            (PrePatch, "vmlinux".into()),
            (PrePatch, "tgt".into()),
            (PostUnpatch, "vmlinux".into())
        ]
    );
    let l = lines(&r, 2);
    assert_eq!(
        l.last().unwrap(),
        "insmod: ERROR: could not insert module p.ko: No such device"
    );
    assert!(r.steps[1].snapshot.patches.is_empty());
}

#[test]
fn klp_module_coming_failure_reverts_only_earlier_patches() {
    let text = "define module tgt\nend\n\
define livepatch p1\n  object tgt\n    pre_patch\n    post_patch\n    pre_unpatch\n    post_unpatch\nend\n\
define livepatch p2\n  object tgt\n    pre_patch returns -EINVAL\n    post_unpatch\nend\n\
define livepatch p3\n  object tgt\n    pre_patch\nend\n\
% insmod p1.ko\n% insmod p2.ko\n% insmod p3.ko\n% insmod tgt.ko\n";
    let r = run(text);
    assert_eq!(callbacks(&r, 4).len(), 5, "{:#?}", lines(&r, 4));
    let who: Vec<_> = r.steps[3]
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Callback { callback, .. } => {
                Some((e.patch.clone().unwrap(), *callback, e.module_state))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        who,
        [
            ("p1".into(), PrePatch, Some(Coming)),
            ("p1".into(), PostPatch, Some(Coming)),
            ("p2".into(), PrePatch, Some(Coming)),
            ("p1".into(), PreUnpatch, Some(Coming)),
            ("p1".into(), PostUnpatch, Some(Coming)),
        ]
    );
    assert!(lines(&r, 4).contains(
        &"livepatch: patch 'p2' failed for module 'tgt', refusing to load module 'tgt'".to_string()
    ));
    assert!(r.steps[3].snapshot.modules.iter().all(|m| m.name != "tgt"));
}

#[test]
fn klp_reverse_transition_runs_no_callbacks_and_completion_runs_the_new_direction() {
    // Loaded after the patch, the task sleeps in the new f(): unpatching stalls.
    let r = run(&format!(
        "{DECLS}% insmod fix.ko\n% insmod tgt.ko\n% echo 0 > /sys/kernel/livepatch/fix/enabled\n% echo 1 > /sys/kernel/livepatch/fix/enabled\n"
    ));
    let t = transition(&r, 3);
    assert_eq!(t.target, KlpState::Unpatched);
    assert_eq!(t.blocked, [("worker:1001".to_string(), "f".to_string())]);
    let kinds: Vec<_> = callbacks(&r, 4).into_iter().map(|c| (c.0, c.1)).collect();
    assert_eq!(
        kinds,
        [(PostPatch, "vmlinux".into()), (PostPatch, "tgt".into())]
    );
    assert!(lines(&r, 4).contains(
        &"livepatch: 'fix': reversing transition from unpatching to patching".to_string()
    ));
    assert!(r.steps[3].snapshot.transition.is_none());
}

#[test]
fn klp_force_transition_of_unpatching_pins_the_module() {
    let r = run(&format!(
        "{DECLS}% insmod fix.ko\n% insmod tgt.ko\n% echo 0 > /sys/kernel/livepatch/fix/enabled\n% echo 1 > /sys/kernel/livepatch/fix/force\n% rmmod fix\n"
    ));
    assert!(
        lines(&r, 4)
            .contains(&"livepatch: forcing remaining tasks to the patched state".to_string())
    );
    let fix = module(&r, 4, "fix");
    assert_eq!(fix.refcnt, 1);
    assert_eq!(lines(&r, 5), ["rmmod: ERROR: Module fix is in use"]);
}

#[test]
fn klp_force_transition_of_a_non_replace_patching_transition_marks_nothing() {
    let r = run(&format!(
        "{BUSY_Y}{DEMO}% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force\n{DISABLE_DEMO}% rmmod test_klp_callbacks_demo\n"
    ));
    assert!(r.steps[2].snapshot.patches.iter().all(|p| !p.forced));
    assert!(lines(&r, 5).is_empty(), "{:?}", lines(&r, 5));
}

#[test]
fn atomic_replace_unpatches_the_old_patch_without_its_callbacks() {
    let r = run(&format!(
        "{MOD}{DEMO}% insmod test_modules/test_klp_callbacks_demo2.ko replace=1\n"
    ));
    let step = &r.steps[2];
    assert!(
        step.events
            .iter()
            .all(|e| e.patch.as_deref() != Some("test_klp_callbacks_demo")
                || !matches!(e.kind, EventKind::Callback { .. }))
    );
    let names: Vec<_> = step
        .snapshot
        .patches
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["test_klp_callbacks_demo2"]);
    let demo = step
        .snapshot
        .modules
        .iter()
        .find(|m| m.name == "test_klp_callbacks_demo")
        .unwrap();
    assert_eq!(
        demo.refcnt, 0,
        "the replaced patch is freed and its module removable"
    );
}

#[test]
fn klp_is_patch_compatible_refuses_a_lower_state_version() {
    let r =
        run("% insmod test_modules/test_klp_state2.ko\n% insmod test_modules/test_klp_state.ko\n");
    assert!(callbacks(&r, 2).is_empty());
    assert_eq!(
        lines(&r, 2).last().unwrap(),
        "insmod: ERROR: could not insert module test_modules/test_klp_state.ko: Invalid parameters"
    );
}

#[test]
fn klp_patch_object_fails_when_ftrace_is_disabled() {
    let r = run(
        "% sysctl -w kernel.ftrace_enabled=0\n% insmod test_modules/test_klp_livepatch.ko\n% insmod test_modules/test_klp_callbacks_demo.ko\n",
    );
    assert!(lines(&r, 2).contains(&"livepatch: failed to patch object 'vmlinux'".to_string()));
    // The demo redirects no vmlinux function: it needs no ftrace handler.
    assert!(
        lines(&r, 3)
            .contains(&"livepatch: 'test_klp_callbacks_demo': patching complete".to_string())
    );
}

#[test]
fn one_transition_at_a_time() {
    let r = run(&format!(
        "{BUSY_Y}{DEMO}% insmod test_modules/test_klp_callbacks_demo2.ko\n"
    ));
    assert_eq!(
        lines(&r, 3),
        [
            "insmod: ERROR: could not insert module test_modules/test_klp_callbacks_demo2.ko: Device or resource busy"
        ]
    );
    assert!(
        r.steps[2]
            .snapshot
            .modules
            .iter()
            .all(|m| m.name != "test_klp_callbacks_demo2")
    );
}

#[test]
fn klp_ftrace_handler_redirects_a_work_function_loaded_under_a_patch() {
    let r = run(&format!("{DEMO}{BUSY_Y}"));
    let l = lines(&r, 2);
    assert!(
        l.contains(&"test_klp_callbacks_demo: patched_work_func".to_string()),
        "{l:#?}"
    );
    assert!(l.last().unwrap().starts_with("# insmod does not return"));
    let busy = module(&r, 2, "test_klp_callbacks_busy");
    assert_eq!(busy.state, Coming);
}

#[test]
fn snapshots_show_the_transition_and_the_blocking_task() {
    let r = run(&format!("{BUSY_Y}{DEMO}"));
    let t = transition(&r, 2);
    assert_eq!(t.patch, "test_klp_callbacks_demo");
    assert_eq!(t.target, KlpState::Patched);
    assert_eq!(t.blocked.len(), 1);
    assert_eq!(t.blocked[0].1, "busymod_work_func");
    assert_eq!(t.pending, 1);
    assert!(r.steps[1].snapshot.patches[0].transition);
}

#[test]
fn the_situation_table_is_computed_from_the_model() {
    let cells = klpscope_engine::table::situation_table();
    let cell = |phase: &str, event: &str| {
        cells
            .iter()
            .find(|c| c.phase.starts_with(phase) && c.event.starts_with(event))
            .unwrap_or_else(|| panic!("no cell {phase} / {event}"))
    };
    let steady_load = cell("enabled, steady", "loaded");
    assert_eq!(
        steady_load.moments[0].callbacks,
        [(PrePatch, Some(Coming)), (PostPatch, Some(Coming))]
    );
    let removed = cell("being enabled", "removed");
    assert_eq!(removed.moments[1].callbacks, [(PostUnpatch, Some(Going))]);
    let loaded_while_disabling = cell("being disabled", "loaded");
    let all: Vec<_> = loaded_while_disabling
        .moments
        .iter()
        .flat_map(|m| m.callbacks.clone())
        .collect();
    assert_eq!(all, [(PrePatch, Some(Coming)), (PostUnpatch, Some(Live))]);
    assert!(klpscope_engine::table::markdown(&cells).lines().count() == cells.len() + 2);
}

#[test]
fn a_nop_blocks_unpatching_while_a_task_runs_the_original_code() {
    // tgt's worker sleeps in the original f(); p1 (forced) redirects f; p2
    // replaces p1 (a nop for f) and also patches holder's g, which stalls it.
    let text = "define module tgt\n  func f\n  task worker sleeps in f\nend\n\
define module holder\n  func g\n  param hold bool = Y\n  task h sleeps in g while hold\nend\n\
define livepatch p1\n  object tgt\n    func f\nend\n\
define livepatch p2\n  replace\n  object holder\n    func g\nend\n\
% insmod tgt.ko\n% insmod p1.ko\n% echo 1 > /sys/kernel/livepatch/p1/force\n% insmod holder.ko\n% insmod p2.ko\n\
% echo 0 > /sys/kernel/livepatch/p2/enabled\n";
    let r = run(text);
    let t = transition(&r, 5);
    assert_eq!(t.blocked, [("h:1002".to_string(), "g".to_string())]);
    // Reversed, the nop's code is the original f, where the worker sleeps.
    let t = transition(&r, 6);
    assert_eq!(t.target, KlpState::Unpatched);
    assert_eq!(t.blocked, [("worker:1001".to_string(), "f".to_string())]);
}

#[test]
fn the_initial_module_reference_is_held_while_init_runs() {
    let r = run(&format!(
        "{DEMO}% insmod test_modules/test_klp_callbacks_busy.ko\n% rmmod test_klp_callbacks_busy\n"
    ));
    let busy = module(&r, 2, "test_klp_callbacks_busy");
    assert_eq!((busy.state, busy.refcnt), (Coming, 1));
    assert_eq!(
        lines(&r, 3),
        ["rmmod: ERROR: Module test_klp_callbacks_busy is in use"]
    );
    let mod_ = run(MOD);
    assert_eq!(mod_.steps[0].snapshot.modules[0].refcnt, 0);
}

#[test]
fn sleep_lets_time_pass_for_the_transition_work() {
    // Attempts: one in __klp_enable_patch, then one after each command and
    // one per second slept. klp_send_signals() runs on the 16th (cnt == 15).
    let r = run(&format!(
        "{BUSY_Y}{DEMO}% sleep 12\n% sleep 1\n% sleep 20\n"
    ));
    assert!(lines(&r, 3).is_empty());
    assert_eq!(lines(&r, 4), ["livepatch: signaling remaining tasks"]);
    assert!(lines(&r, 5).is_empty(), "the notice is printed once");
}

/// kernel/module/main.c `do_init_module()`: an init that returns a positive
/// value gets one pr_warn() of two lines and a dump_stack(); the module stays.
#[test]
fn do_init_module_loads_a_module_whose_init_returned_a_positive_value_anyway() {
    let r = run(&format!(
        "{MOD}% insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=1\n"
    ));
    let out = lines(&r, 2);
    let warn = out
        .iter()
        .position(|l| l.contains("->init suspiciously returned 1"))
        .expect("the warning");
    assert_eq!(out[warn + 1], "do_init_module: loading module anyway...");
    assert!(out[warn + 2].starts_with("# dump_stack()"), "{out:?}");
    assert_eq!(module(&r, 2, "test_klp_callbacks_demo").state, Live);
}

/// kernel/livepatch/core.c `klp_init_object_loaded()` → `klp_find_object_symbol()`
/// with a NULL objname: kallsyms of vmlinux. A function vmlinux lacks makes
/// `klp_enable_patch()` fail with -EINVAL, so the livepatch never loads.
#[test]
fn klp_find_object_symbol_refuses_a_vmlinux_function_that_does_not_exist() {
    let patch = "define livepatch p1\n  object vmlinux\n    func no_such_function -> nf\n    pre_patch\nend\n";
    let text = format!("{patch}% insmod p1.ko\n");
    let scenario =
        klpscope_engine::parse(&text).expect("parses: the kernel refuses it, not the parser");
    assert_eq!(scenario.warnings.len(), 1, "{:?}", scenario.warnings);
    assert_eq!(
        (scenario.warnings[0].line, scenario.warnings[0].col),
        (3, 10)
    );
    assert!(
        scenario.warnings[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("define vmlinux"),
        "{:?}",
        scenario.warnings[0]
    );
    let r = run(&text);
    assert_eq!(
        lines(&r, 1),
        [
            "livepatch: symbol 'no_such_function' not found in symbol table",
            "insmod: ERROR: could not insert module p1.ko: Invalid parameters",
        ]
    );
    assert!(callbacks(&r, 1).is_empty(), "no callback runs");
    assert!(r.steps[0].snapshot.patches.is_empty());

    // Declared in a `define vmlinux` block (before or after use), it patches.
    let declared = format!("{patch}define vmlinux\n  func no_such_function\nend\n% insmod p1.ko\n");
    assert!(
        klpscope_engine::parse(&declared)
            .unwrap()
            .warnings
            .is_empty()
    );
    let r = run(&declared);
    assert_eq!(callbacks(&r, 1), [(PrePatch, "vmlinux".to_string(), None)]);
    assert!(
        lines(&r, 1)
            .iter()
            .any(|l| l.ends_with("patching complete"))
    );
}

/// A misspelt vmlinux function gets a "did you mean" from the known ones.
#[test]
fn a_misspelt_vmlinux_function_is_named_with_its_likely_spelling() {
    let text = "define livepatch p1\n  object vmlinux\n    func cmdline_proc_shw\nend\n";
    let w = klpscope_engine::parse(text).unwrap().warnings;
    assert!(
        w[0].hint
            .as_deref()
            .unwrap_or("")
            .contains("did you mean 'cmdline_proc_show'"),
        "{w:?}"
    );
}

/// `pr_debug()` in kernel/livepatch/transition.c: the initializing,
/// completing, reversing and canceling lines are printed only with dynamic
/// debug on, as the selftests switch it on; a default console lacks them.
#[test]
fn a_default_console_leaves_out_the_pr_debug_transition_lines() {
    use klpscope_engine::render::{Console, log_on};
    let r = run(&format!("{MOD}{DEMO}{DISABLE_DEMO}"));
    let debug = log_on(&r, Console::DynamicDebug);
    let plain = log_on(&r, Console::Default);
    assert_eq!(
        debug,
        klpscope_engine::render::log(&r),
        "dynamic debug is the default"
    );
    for l in [
        "initializing patching transition",
        "completing patching transition",
        "completing unpatching transition",
    ] {
        assert!(debug.contains(l), "{l}");
        assert!(!plain.contains(l), "{l}");
    }
    // pr_notice lines stay.
    for l in [
        "enabling patch",
        "starting patching transition",
        "patching complete",
    ] {
        assert!(plain.contains(l), "{l}");
    }
    assert_eq!(plain.lines().count() + 4, debug.lines().count());
}

/// A target whose tasks a parameter write starts, and a patch that
/// redirects both functions: `quick` to a replacement that prints and
/// returns, `slow` to one that sleeps like the original.
const STARTED_BY_PARAM: &str = "define module tgt\n  func quick\n  func slow\n  param go bool\n  param hold bool\n\
  task q sleeps in quick started by param go\n  task s sleeps in slow while hold started by param hold\nend\n\
define livepatch fix\n  object tgt\n    func quick -> quick_v2 prints \"passing\"\n    func slow -> slow_v2 sleeps\nend\n\
% insmod tgt.ko\n% insmod fix.ko\n";

#[test]
fn klp_ftrace_handler_gives_a_task_started_after_patching_the_replacement_which_returns_or_sleeps()
{
    let r = run(&format!(
        "{STARTED_BY_PARAM}% echo Y > /sys/module/tgt/parameters/go\n% echo Y > /sys/module/tgt/parameters/hold\n\
% echo 0 > /sys/kernel/livepatch/fix/enabled\n% echo N > /sys/module/tgt/parameters/hold\n"
    ));
    // Loading starts nothing: the tasks wait for their parameter.
    assert!(
        r.steps[0]
            .snapshot
            .tasks
            .iter()
            .all(|t| !t.name.starts_with("q:") && !t.name.starts_with("s:"))
    );
    // go=Y: q calls quick, gets quick_v2, which prints and returns.
    assert_eq!(lines(&r, 3), ["fix: passing"]);
    assert!(
        r.steps[2]
            .snapshot
            .tasks
            .iter()
            .all(|t| t.sleeping_in.is_none())
    );
    // hold=Y: s calls slow, gets slow_v2 and sleeps there.
    let s = r.steps[3]
        .snapshot
        .tasks
        .iter()
        .find(|t| t.name.starts_with("s:"))
        .expect("task s");
    assert!(s.sleeping_in.is_some());
    // Unpatching checks the new function: s in slow_v2 blocks it.
    assert_eq!(transition(&r, 5).blocked.len(), 1);
    // hold=N: s returns, the transition completes.
    assert!(r.steps[5].snapshot.transition.is_none());
    assert!(lines(&r, 6).contains(&"livepatch: 'fix': unpatching complete".to_string()));
}

#[test]
fn a_parameter_started_task_starts_once() {
    let r = run(&format!(
        "{STARTED_BY_PARAM}% echo Y > /sys/module/tgt/parameters/go\n% echo N > /sys/module/tgt/parameters/go\n% echo Y > /sys/module/tgt/parameters/go\n"
    ));
    assert_eq!(lines(&r, 3), ["fix: passing"]);
    assert!(lines(&r, 4).is_empty());
    assert!(lines(&r, 5).is_empty(), "started again: {:?}", lines(&r, 5));
}

#[test]
fn do_init_module_failing_under_a_patch_runs_the_unpatch_callbacks_in_going() {
    let r = run(
        "define module tgt\n  init prints \"up\"\n  init returns -EINVAL\nend\n\
define livepatch fix\n  object tgt\n    pre_patch\n    post_patch\n    pre_unpatch\n    post_unpatch\nend\n\
% insmod fix.ko\n% insmod tgt.ko\n",
    );
    assert_eq!(
        callbacks(&r, 2),
        [
            (PrePatch, "tgt".into(), Some(Coming)),
            (PostPatch, "tgt".into(), Some(Coming)),
            (PreUnpatch, "tgt".into(), Some(Going)),
            (PostUnpatch, "tgt".into(), Some(Going)),
        ]
    );
    let l = lines(&r, 2);
    assert!(l.contains(&"tgt: up".to_string()));
    assert_eq!(
        l.last().map(String::as_str),
        Some("insmod: ERROR: could not insert module tgt.ko: Invalid parameters")
    );
    assert!(r.steps[1].snapshot.modules.iter().all(|m| m.name != "tgt"));
}

#[test]
fn a_livepatch_init_that_fails_never_enables_its_patch() {
    let r = run(
        "define livepatch fix\n  init returns -EINVAL\n  object vmlinux\n    pre_patch\nend\n% insmod fix.ko\n",
    );
    assert!(callbacks(&r, 1).is_empty());
    assert_eq!(
        lines(&r, 1),
        ["insmod: ERROR: could not insert module fix.ko: Invalid parameters"]
    );
}

#[test]
fn a_declared_positive_pre_patch_return_fails_the_patch_and_the_module_stays() {
    let r = run(
        "define livepatch one\n  object vmlinux\n    pre_patch returns 1\nend\n% insmod one.ko\n",
    );
    let l = lines(&r, 1);
    assert!(l.contains(&"livepatch: pre-patch callback failed for object 'vmlinux'".to_string()));
    assert!(
        l.iter()
            .any(|x| x.contains("'one'->init suspiciously returned 1"))
    );
    assert!(r.steps[0].snapshot.modules.iter().any(|m| m.name == "one"));
    assert!(r.steps[0].snapshot.patches.is_empty());
}
