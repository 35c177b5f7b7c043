//! The callback wrappers of kernel/livepatch/core.h, and what the modelled
//! callbacks do when called. The `post_unpatch_enabled` gate lives here only.

use crate::catalog::{Helper, Ret};
use crate::event::{CallbackKind, Effect, EventKind};
use crate::world::World;

/// Which object of which patch a callback is called for.
#[derive(Clone, Copy)]
pub(crate) struct ObjRef<'a> {
    pub patch: &'a str,
    pub obj: usize,
}

impl World {
    /// Kernel: `klp_pre_patch_callback()`, kernel/livepatch/core.h.
    pub(crate) fn klp_pre_patch_callback(&mut self, o: ObjRef) -> i32 {
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
        self.call("klp_post_patch_callback", |w| {
            w.run_callback(o, CallbackKind::PostPatch);
        })
    }

    /// Kernel: `klp_pre_unpatch_callback()`, kernel/livepatch/core.h.
    pub(crate) fn klp_pre_unpatch_callback(&mut self, o: ObjRef) {
        self.call("klp_pre_unpatch_callback", |w| {
            w.run_callback(o, CallbackKind::PreUnpatch);
        })
    }

    /// Kernel: `klp_post_unpatch_callback()`, kernel/livepatch/core.h:
    /// runs only after a successful pre_patch, and disarms itself.
    pub(crate) fn klp_post_unpatch_callback(&mut self, o: ObjRef) {
        self.call("klp_post_unpatch_callback", |w| {
            let armed = w.object_mut(o).is_some_and(|obj| obj.post_unpatch_enabled);
            if armed {
                w.run_callback(o, CallbackKind::PostUnpatch);
            }
            if let Some(obj) = w.object_mut(o) {
                obj.post_unpatch_enabled = false;
            }
        })
    }

    /// Calls the object's callback of this kind, if it has one; returns what
    /// it returned (`None` when the pointer is NULL).
    fn run_callback(&mut self, o: ObjRef, kind: CallbackKind) -> Option<i32> {
        let (def, obj_name) = {
            let obj = self.object_mut(o)?;
            let def = obj.callbacks.iter().find(|(k, _)| *k == kind)?.1.clone();
            (def, obj.name.clone())
        };
        let ret = match &def.ret {
            Ret::Fixed(v) => *v,
            Ret::Param(p) => self.module(o.patch).map_or(0, |m| m.param_int(p)),
        };
        let text = def
            .report
            .then(|| self.callback_info(o.patch, kind, obj_name.as_deref()));
        let (helper_lines, helper_ret, effects) = match def.helper {
            Some(h) => self.loglevel_helper(h, kind),
            None => (Vec::new(), None, def.effects.clone()),
        };
        let ret = if kind == CallbackKind::PrePatch {
            Some(helper_ret.unwrap_or(ret))
        } else {
            None
        };
        self.emit(
            EventKind::Callback {
                callback: kind,
                ret,
                effects,
            },
            text,
            Some(o.patch),
            Some(obj_name.as_deref().unwrap_or("vmlinux")),
        );
        for line in def.lines.iter().chain(helper_lines.iter()) {
            self.emit(
                EventKind::ModuleOutput,
                Some(format!("{}: {line}", o.patch)),
                Some(o.patch),
                obj_name.as_deref(),
            );
        }
        Some(ret.unwrap_or(0))
    }

    /// `callback_info()` of the selftest modules: the object, and its
    /// module's state if it is a module.
    fn callback_info(&self, patch: &str, kind: CallbackKind, obj: Option<&str>) -> String {
        let callback = format!("{}_callback", kind.name());
        match obj.and_then(|name| self.module(name)) {
            Some(m) => format!(
                "{patch}: {callback}: {} -> {}",
                m.name(),
                m.state.describe()
            ),
            None => format!("{patch}: {callback}: vmlinux"),
        }
    }

    /// The console_loglevel helpers of test_klp_state.c / test_klp_state2.c.
    fn loglevel_helper(
        &self,
        helper: Helper,
        kind: CallbackKind,
    ) -> (Vec<String>, Option<i32>, Vec<Effect>) {
        let prev = helper == Helper::LoglevelV2 && self.klp_get_prev_state(1).is_some();
        let state = || "state 1".to_string();
        let level = || "console_loglevel".to_string();
        let (func, text, effect) = match (kind, prev) {
            (CallbackKind::PrePatch, false) => (
                "allocate_loglevel_state",
                "allocating space to store console_loglevel",
                Effect::Allocates(state()),
            ),
            (CallbackKind::PrePatch, true) => (
                "allocate_loglevel_state",
                "space to store console_loglevel already allocated",
                Effect::Keeps(state()),
            ),
            (CallbackKind::PostPatch, false) => (
                "fix_console_loglevel",
                "fixing console_loglevel",
                Effect::Sets(level()),
            ),
            (CallbackKind::PostPatch, true) => (
                "fix_console_loglevel",
                "taking over the console_loglevel change",
                Effect::TakesOver(level()),
            ),
            (CallbackKind::PreUnpatch, false) => (
                "restore_console_loglevel",
                "restoring console_loglevel",
                Effect::Restores(level()),
            ),
            (CallbackKind::PreUnpatch, true) => (
                "restore_console_loglevel",
                "passing the console_loglevel change back to the old livepatch",
                Effect::Keeps(level()),
            ),
            (CallbackKind::PostUnpatch, false) => (
                "free_loglevel_state",
                "freeing space for the stored console_loglevel",
                Effect::Frees(state()),
            ),
            (CallbackKind::PostUnpatch, true) => (
                "free_loglevel_state",
                "keeping space to store console_loglevel",
                Effect::Keeps(state()),
            ),
        };
        (vec![format!("{func}: {text}")], Some(0), vec![effect])
    }

    pub(crate) fn object_mut(&mut self, o: ObjRef) -> Option<&mut crate::world::Object> {
        self.patch_mut(o.patch)?.objs.get_mut(o.obj)
    }
}
