//! The in-tree samples, samples/livepatch/ in the kernel tree (latest
//! mainline). Module names are the kernel's: the file name with `-` as `_`.

use super::{
    Flag, FuncBody, FuncDef, ModuleBody, ModuleCode, ModuleDef, ObjectDef, PatchDef, int_param,
};

const CALLBACKS_MOD: &str = "livepatch_callbacks_mod";
const CALLBACKS_BUSYMOD: &str = "livepatch_callbacks_busymod";
const SHADOW_MOD: &str = "livepatch_shadow_mod";

/// livepatch-sample.c: replaces `cmdline_proc_show()` (so that
/// /proc/cmdline reads "this has been live patched"); no callbacks, and
/// init only calls `klp_enable_patch()`.
pub(super) fn livepatch_sample() -> ModuleDef {
    super::cmdline_livepatch("livepatch_sample", "sample livepatch")
}

/// livepatch-callbacks-demo.c: the original of test_klp_callbacks_demo
/// (same `callback_info()` lines and `pre_patch_ret`), for the objects
/// vmlinux, livepatch_callbacks_mod and livepatch_callbacks_busymod, whose
/// `busymod_work_func` it replaces with `patched_work_func`.
pub(super) fn callbacks_demo() -> ModuleDef {
    super::demo_livepatch(
        "livepatch_callbacks_demo",
        CALLBACKS_MOD,
        CALLBACKS_BUSYMOD,
        "sample livepatch",
    )
}

/// livepatch-callbacks-mod.c: prints its init's and exit's `__func__`.
pub(super) fn callbacks_mod() -> ModuleDef {
    ModuleDef {
        name: CALLBACKS_MOD.into(),
        summary: "sample target module: prints in init and exit".into(),
        params: vec![],
        symbols: vec![
            "livepatch_callbacks_mod_init".into(),
            "livepatch_callbacks_mod_exit".into(),
        ],
        init_returns: 0,
        body: ModuleBody::Target {
            init: vec!["livepatch_callbacks_mod_init".into()],
            exit: vec!["livepatch_callbacks_mod_exit".into()],
            tasks: vec![],
        },
    }
}

/// livepatch-callbacks-busymod.c: the v5.1 busy module's design (a
/// delayed work that sleeps `sleep_secs` seconds in `busymod_work_func`),
/// with init and exit functions named `livepatch_callbacks_mod_init` /
/// `livepatch_callbacks_mod_exit`, which is what they print.
pub(super) fn callbacks_busymod() -> ModuleDef {
    ModuleDef {
        name: CALLBACKS_BUSYMOD.into(),
        summary: "sample target module: a worker sleeps sleep_secs seconds in busymod_work_func"
            .into(),
        params: vec![int_param("sleep_secs")],
        symbols: vec![
            "busymod_work_func".into(),
            "livepatch_callbacks_mod_init".into(),
            "livepatch_callbacks_mod_exit".into(),
        ],
        init_returns: 0,
        body: ModuleBody::BusyV51 {
            init: "livepatch_callbacks_mod_init".into(),
            exit: "livepatch_callbacks_mod_exit".into(),
        },
    }
}

/// livepatch-shadow-mod.c: the "buggy" module of the shadow variable
/// demo. Init queues `alloc_work_func` (1 s) and `cleanup_work_func`
/// (3 s) as delayed work and prints nothing; what the work prints
/// depends on time (see `ModuleCode::ShadowDemo` in `module_code.rs`).
pub(super) fn shadow_mod() -> ModuleDef {
    ModuleDef {
        name: SHADOW_MOD.into(),
        summary: "sample target module: allocates a dummy every second (leaking memory), frees expired ones every 3 s".into(),
        params: vec![],
        symbols: vec![
            "dummy_alloc".into(),
            "dummy_free".into(),
            "dummy_check".into(),
            "alloc_work_func".into(),
            "cleanup_work_func".into(),
            "livepatch_shadow_mod_init".into(),
            "livepatch_shadow_mod_exit".into(),
        ],
        init_returns: 0,
        body: ModuleBody::Code(ModuleCode::ShadowDemo),
    }
}

/// A livepatch of livepatch_shadow_mod's functions, no callbacks. The
/// replacements run only from the demo's delayed work, which the model
/// does not run; the fixes' exits (`klp_shadow_free_all()` of their
/// shadow variables) therefore find none and print nothing.
fn shadow_fix(name: &str, summary: &str, funcs: &[(&str, &str)]) -> ModuleDef {
    ModuleDef {
        name: name.into(),
        summary: summary.into(),
        params: vec![],
        symbols: funcs.iter().map(|(_, new)| new.to_string()).collect(),
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![ObjectDef {
                name: Some(SHADOW_MOD.into()),
                funcs: funcs
                    .iter()
                    .map(|(old, new)| FuncDef {
                        old_name: old.to_string(),
                        new_name: new.to_string(),
                        body: FuncBody::Returns(vec![]),
                    })
                    .collect(),
                callbacks: vec![],
            }],
            replace: Flag::Fixed(false),
            states: vec![],
        }),
    }
}

/// livepatch-shadow-fix1.c: replaces `dummy_alloc` and `dummy_free` so
/// that a `SV_LEAK` shadow variable keeps (and frees) the leaked pointer.
pub(super) fn shadow_fix1() -> ModuleDef {
    shadow_fix(
        "livepatch_shadow_fix1",
        "sample livepatch: dummy_alloc/dummy_free keep the leaked pointer in a shadow variable",
        &[
            ("dummy_alloc", "livepatch_fix1_dummy_alloc"),
            ("dummy_free", "livepatch_fix1_dummy_free"),
        ],
    )
}

/// livepatch-shadow-fix2.c: replaces `dummy_check` (counts checks in a
/// `SV_COUNTER` shadow variable) and `dummy_free` (also frees `SV_LEAK`).
pub(super) fn shadow_fix2() -> ModuleDef {
    shadow_fix(
        "livepatch_shadow_fix2",
        "sample livepatch: dummy_check counts checks in a shadow variable; dummy_free reports the count",
        &[
            ("dummy_check", "livepatch_fix2_dummy_check"),
            ("dummy_free", "livepatch_fix2_dummy_free"),
        ],
    )
}
