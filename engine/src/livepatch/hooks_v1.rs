//! The July 2017 "(un)patch hooks" proposal (v1), kernel/livepatch/patch.c
//! of that tree (joe-lawrence/linux at 5de4f4b5): `struct klp_hook`, the
//! `patch_hooks[]` and `unpatch_hooks[]` arrays of a `klp_object`, and the
//! loops that run them inside `klp_patch_object()` and
//! `klp_unpatch_object()`. Used by the `seed-v1` profile only.
//!
//! Mapping onto the v1 API: an object's `pre_patch` callback and its
//! `patch_hook` lines are its `patch_hooks[]`, in declaration order; its
//! `post_unpatch` callback and `unpatch_hook` lines are its
//! `unpatch_hooks[]`. `post_patch` and `pre_unpatch` have no v1
//! counterpart and never run.

use crate::event::{CallbackKind, Level};
use crate::world::{ObjRef, World};

/// Which array of a v1 `klp_object` (no kernel counterpart: the two
/// `klp_for_each_*_hook()` loops).
#[derive(Clone, Copy, PartialEq, Eq)]
enum HookArray {
    /// `obj->patch_hooks[]`
    Patch,
    /// `obj->unpatch_hooks[]`
    Unpatch,
}

impl HookArray {
    /// The declared callbacks that make up this array.
    fn kind(self) -> CallbackKind {
        match self {
            HookArray::Patch => CallbackKind::PrePatch,
            HookArray::Unpatch => CallbackKind::PostUnpatch,
        }
    }

    /// The word in the v1 failure message.
    fn word(self) -> &'static str {
        match self {
            HookArray::Patch => "patch",
            HookArray::Unpatch => "unpatch",
        }
    }
}

impl World {
    /// Kernel (v1): `klp_run_hook()`, kernel/livepatch/patch.c: the hook's
    /// return value, or 0 if none is associated.
    fn klp_run_hook(&mut self, o: ObjRef, index: usize) -> i32 {
        self.call("klp_run_hook", |w| {
            w.run_callback_at(o, index, true).unwrap_or(0)
        })
    }

    /// Kernel (v1): the `klp_for_each_patch_hook()` loop at the top of
    /// `klp_patch_object()`, before any func is pushed.
    pub(crate) fn klp_run_patch_hooks(&mut self, o: ObjRef) {
        self.klp_run_hooks(o, HookArray::Patch);
    }

    /// Kernel (v1): the `klp_for_each_unpatch_hook()` loop at the end of
    /// `klp_unpatch_object()`, after the funcs are popped.
    pub(crate) fn klp_run_unpatch_hooks(&mut self, o: ObjRef) {
        self.klp_run_hooks(o, HookArray::Unpatch);
    }

    /// Kernel (v1): one hook loop: every hook runs, in array order; a
    /// non-zero return is only logged and the caller goes on.
    fn klp_run_hooks(&mut self, o: ObjRef, array: HookArray) {
        let Some(obj) = self.object_mut(o) else {
            return;
        };
        let name = obj.display_name().to_string();
        let hooks: Vec<usize> = obj
            .callbacks
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| *k == array.kind())
            .map(|(i, _)| i)
            .collect();
        for (n, index) in hooks.into_iter().enumerate() {
            if self.klp_run_hook(o, index) != 0 {
                let hook = hook_address(o, array, n);
                self.pr(
                    Level::Warn,
                    format!("{} hook '{hook}' failed for object '{name}'", array.word()),
                    Some(o.patch),
                );
            }
        }
    }
}

/// A stable stand-in for the `%p` of a `struct klp_hook` (v1 printed the
/// raw address; no kernel counterpart): a module-area address derived from
/// the patch name, the object, the array and the hook's index, so the same
/// hook always prints the same value.
fn hook_address(o: ObjRef, array: HookArray, n: usize) -> String {
    // FNV-1a over the patch name: a different "load address" per patch.
    let base = o.patch.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    }) & 0x0fff;
    let array_off: u64 = if array == HookArray::Patch { 0 } else { 0x80 };
    let addr = 0xffff_ffff_c000_0000_u64
        | (base << 16)
        | ((o.obj as u64 & 0xff) << 8)
        | (array_off + (n as u64 & 0xf) * 8);
    format!("{addr:016x}")
}
