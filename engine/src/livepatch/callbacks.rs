//! The four callback wrappers of kernel/livepatch/core.h. The
//! `post_unpatch_enabled` gate lives here only; what a callback's body
//! does is the livepatch module's code (`callback_code.rs`).
//!
//! Only mainline has `struct klp_callbacks`: under the v1 hooks proposal
//! (`seed-v1`) the hooks run inside `klp_patch_object()` /
//! `klp_unpatch_object()` (`hooks_v1.rs`), and the 2025 proposal
//! (`state-callbacks-2025`) removes per-object callbacks for per-state ones
//! (`state_callbacks.rs`); there the wrappers do nothing.

use crate::event::CallbackKind;
use crate::world::{BrokenRule, ObjRef, World};

impl World {
    /// Kernel: `klp_pre_patch_callback()`, kernel/livepatch/core.h.
    pub(crate) fn klp_pre_patch_callback(&mut self, o: ObjRef) -> i32 {
        if !self.kernel().object_callbacks() {
            return 0;
        }
        self.call("klp_pre_patch_callback", |w| {
            let ret = w.run_callback(o, CallbackKind::PrePatch).unwrap_or(0);
            if let Some(obj) = w.object_mut(o) {
                obj.post_unpatch_enabled = ret == 0;
            }
            ret
        })
    }

    /// Kernel: `klp_post_patch_callback()`, kernel/livepatch/core.h.
    pub(crate) fn klp_post_patch_callback(&mut self, o: ObjRef) {
        if !self.kernel().object_callbacks() {
            return;
        }
        self.call("klp_post_patch_callback", |w| {
            w.run_callback(o, CallbackKind::PostPatch);
        })
    }

    /// Kernel: `klp_pre_unpatch_callback()`, kernel/livepatch/core.h.
    pub(crate) fn klp_pre_unpatch_callback(&mut self, o: ObjRef) {
        if !self.kernel().object_callbacks() {
            return;
        }
        self.call("klp_pre_unpatch_callback", |w| {
            w.run_callback(o, CallbackKind::PreUnpatch);
        })
    }

    /// Kernel: `klp_post_unpatch_callback()`, kernel/livepatch/core.h:
    /// runs only after a successful pre_patch, and disarms itself.
    pub(crate) fn klp_post_unpatch_callback(&mut self, o: ObjRef) {
        if !self.kernel().object_callbacks() {
            return;
        }
        self.call("klp_post_unpatch_callback", |w| {
            let armed = w.object_mut(o).is_some_and(|obj| obj.post_unpatch_enabled)
                || w.rule_broken(BrokenRule::PostUnpatchGate);
            if armed {
                w.run_callback(o, CallbackKind::PostUnpatch);
            }
            if let Some(obj) = w.object_mut(o) {
                obj.post_unpatch_enabled = false;
            }
        })
    }
}
