//! The shadow variable selftest module.

use super::{ModuleBody, ModuleCode, ModuleDef};

/// tools/testing/selftests/livepatch/test_modules/test_klp_shadow_vars.c:
/// an ordinary module whose init exercises the shadow variable API
/// (kernel/livepatch/shadow.c, `livepatch/shadow.rs` here) on three
/// objects of its stack and prints every call; its exit is empty.
pub(super) fn shadow_vars() -> ModuleDef {
    ModuleDef {
        name: "test_klp_shadow_vars".into(),
        summary: "target module: init exercises klp_shadow_get/alloc/get_or_alloc/free/free_all and prints each call".into(),
        params: vec![],
        symbols: vec![
            "test_klp_shadow_vars_init".into(),
            "test_klp_shadow_vars_exit".into(),
            "shadow_ctor".into(),
            "shadow_dtor".into(),
        ],
        init_returns: 0,
        body: ModuleBody::Code(ModuleCode::ShadowVarsTest),
    }
}
