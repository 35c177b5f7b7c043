//! The bodies of the modelled livepatch modules' callbacks: what the
//! functions a `struct klp_callbacks` points to do when the core calls them.
//! The selftest modules' `callback_info()` line and the console_loglevel
//! helpers of test_klp_state*.c live here; the core only calls
//! (`livepatch/callbacks.rs`).

use crate::catalog::{Helper, Ret};
use crate::event::{CallbackKind, Effect, EventKind};
use crate::world::{ObjRef, World};

impl World {
    /// Calls the object's callback of this kind, if it has one; returns what
    /// it returned (`None` when the pointer is NULL).
    pub(crate) fn run_callback(&mut self, o: ObjRef, kind: CallbackKind) -> Option<i32> {
        let index = self
            .object_mut(o)?
            .callbacks
            .iter()
            .position(|(k, _)| *k == kind)?;
        self.run_callback_at(o, index, false)
    }

    /// Calls the function declared at `index` of the object's callbacks (a
    /// v1 `hook` returns an int whatever its slot); returns what it returned.
    pub(crate) fn run_callback_at(&mut self, o: ObjRef, index: usize, hook: bool) -> Option<i32> {
        let (kind, def, obj_name) = {
            let obj = self.object_mut(o)?;
            let (kind, def) = obj.callbacks.get(index)?.clone();
            (kind, def, obj.name.clone())
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
        let ret = if kind == CallbackKind::PrePatch || hook {
            Some(helper_ret.unwrap_or(ret))
        } else {
            None
        };
        // Computed before the callback's own output: the state it is called in.
        let contract = if hook || !self.semantics.object_callbacks() {
            None
        } else {
            self.klp_callback_contract(o, kind).map(Box::new)
        };
        self.emit(
            EventKind::Callback {
                callback: kind,
                ret,
                effects,
                contract,
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
}
