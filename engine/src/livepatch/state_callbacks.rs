//! The per-state callbacks proposal: "[PATCH v1 00/19] livepatch: Better
//! integrate callbacks and shadow variables with the states API" (Petr
//! Mladek, 15 January 2025), not merged. Used by the `state-callbacks-2025`
//! profile only.
//!
//! Callbacks belong to a `klp_state` (`state->callbacks`), not to objects.
//! A state's `pre_patch`/`post_patch` run only when a patch introduces it
//! (no other patch on the list has a state with that id); its
//! `pre_unpatch`/`post_unpatch` only when it leaves the system (disabled
//! with no other patch carrying it, or dropped by an atomic replace, where
//! the replaced patch's own callbacks run). A cumulative patch that takes
//! a state over runs none. Nothing runs when a target module loads or goes.
//! `block_disable` keeps a state from leaving; `is_shadow` frees the
//! state's shadow variables right after its `post_unpatch`.
//!
//! The functions below are the steps of `__klp_enable_patch()`,
//! `__klp_disable_patch()`, `klp_complete_transition()` and
//! `klp_is_patch_compatible()` that the series adds; the series' own
//! helper names are not given where they were not verified.

use crate::catalog::Ret;
use crate::errno::Errno;
use crate::event::{CallbackKind, Effect, EventKind};
use crate::world::{StateCallbacks, World};

impl World {
    /// No kernel counterpart: the declared state callbacks of a livepatch
    /// module, as its `struct klp_state` array carries them.
    pub(crate) fn klp_init_state_callbacks(&self, module: &str) -> Vec<StateCallbacks> {
        if !self.kernel().state_callbacks() {
            return Vec::new();
        }
        self.state_callbacks
            .get(module)
            .map(|defs| {
                defs.iter()
                    .map(|def| StateCallbacks {
                        def: def.clone(),
                        introducing: false,
                        pre_patch_succeeded: false,
                        leaving: false,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// 2025 proposal: `is_state_in_other_patches()`: another patch on the
    /// list has a state with this id.
    fn is_state_in_other_patches(&self, patch: &str, id: u64) -> bool {
        self.klp_patches
            .iter()
            .any(|p| p.name != patch && p.states.iter().any(|s| s.id == id))
    }

    /// 2025 proposal: the state callback `kind` of `patch`'s state number
    /// `idx`, if it has one; returns what it returned (0 when absent).
    fn klp_run_state_callback(&mut self, patch: &str, idx: usize, kind: CallbackKind) -> i32 {
        let Some(state) = self.patch(patch).and_then(|p| p.state_cbs.get(idx)) else {
            return 0;
        };
        let id = state.def.id;
        let shadow = state.def.is_shadow && kind == CallbackKind::PostUnpatch;
        let Some((_, def)) = state
            .def
            .callbacks
            .iter()
            .find(|(k, _)| *k == kind)
            .cloned()
        else {
            return 0;
        };
        let ret = match &def.ret {
            Ret::Fixed(v) => *v,
            Ret::Param(p) => self.module(patch).map_or(0, |m| m.param_int(p)),
        };
        let mut effects = def.effects.clone();
        if shadow {
            // klp_shadow_free_all(id, ...) right after post_unpatch.
            effects.push(Effect::Frees(format!("shadow variables of state {id}")));
        }
        let text = def
            .report
            .then(|| format!("{patch}: {}_callback: state {id}", kind.name()));
        let object = format!("state {id}");
        self.emit(
            EventKind::Callback {
                callback: kind,
                ret: (kind == CallbackKind::PrePatch).then_some(ret),
                effects,
                contract: None,
            },
            text,
            Some(patch),
            Some(&object),
        );
        for line in &def.lines {
            self.emit(
                EventKind::ModuleOutput,
                Some(format!("{patch}: {line}")),
                Some(patch),
                Some(&object),
            );
        }
        if kind == CallbackKind::PrePatch {
            ret
        } else {
            0
        }
    }

    /// The indexes of a patch's states (no kernel counterpart:
    /// `klp_for_each_state()`).
    fn state_indexes(&self, patch: &str) -> Vec<usize> {
        (0..self.patch(patch).map_or(0, |p| p.state_cbs.len())).collect()
    }

    /// 2025 proposal, `__klp_enable_patch()`: the new patch's `pre_patch`
    /// for each state it introduces, stopping at the first error.
    pub(crate) fn klp_states_pre_patch(&mut self, patch: &str) -> Result<(), Errno> {
        self.call("klp_states_pre_patch", |w| {
            for idx in w.state_indexes(patch) {
                let id = w.patch(patch).map_or(0, |p| p.state_cbs[idx].def.id);
                if w.is_state_in_other_patches(patch, id) {
                    continue;
                }
                if let Some(s) = w.patch_mut(patch).map(|p| &mut p.state_cbs[idx]) {
                    s.introducing = true;
                }
                let ret = w.klp_run_state_callback(patch, idx, CallbackKind::PrePatch);
                if ret != 0 {
                    return Err(Errno(-ret));
                }
                if let Some(s) = w.patch_mut(patch).map(|p| &mut p.state_cbs[idx]) {
                    s.pre_patch_succeeded = true;
                }
            }
            Ok(())
        })
    }

    /// 2025 proposal, `__klp_disable_patch()`: `pre_unpatch` of each state
    /// that leaves with this patch (no other patch has it).
    pub(crate) fn klp_states_pre_unpatch(&mut self, patch: &str) {
        self.call("klp_states_pre_unpatch", |w| {
            for idx in w.state_indexes(patch) {
                let id = w.patch(patch).map_or(0, |p| p.state_cbs[idx].def.id);
                if w.is_state_in_other_patches(patch, id) {
                    continue;
                }
                if let Some(s) = w.patch_mut(patch).map(|p| &mut p.state_cbs[idx]) {
                    s.leaving = true;
                }
                w.klp_run_state_callback(patch, idx, CallbackKind::PreUnpatch);
            }
        })
    }

    /// 2025 proposal, `klp_complete_transition()` to PATCHED: `post_patch`
    /// of the states this transition introduced (or, after a reversed
    /// disable, of those whose `pre_unpatch` ran).
    pub(crate) fn klp_states_post_patch(&mut self, patch: &str) {
        self.call("klp_states_post_patch", |w| {
            for idx in w.state_indexes(patch) {
                let Some(s) = w.patch(patch).map(|p| p.state_cbs[idx].clone()) else {
                    continue;
                };
                if (s.introducing && s.pre_patch_succeeded) || s.leaving {
                    w.klp_run_state_callback(patch, idx, CallbackKind::PostPatch);
                }
                w.clear_state_flags(patch, idx);
            }
        })
    }

    /// 2025 proposal, `klp_complete_transition()` to UNPATCHED: `post_unpatch`
    /// of the states leaving with this patch, and of those whose `pre_patch`
    /// succeeded when a patching transition is cancelled or reversed.
    pub(crate) fn klp_states_post_unpatch(&mut self, patch: &str) {
        self.call("klp_states_post_unpatch", |w| {
            for idx in w.state_indexes(patch) {
                let Some(s) = w.patch(patch).map(|p| p.state_cbs[idx].clone()) else {
                    continue;
                };
                if s.leaving || (s.introducing && s.pre_patch_succeeded) {
                    w.klp_run_state_callback(patch, idx, CallbackKind::PostUnpatch);
                }
                w.clear_state_flags(patch, idx);
            }
        })
    }

    /// 2025 proposal, `__klp_enable_patch()` of a replacing patch: each
    /// replaced patch's `pre_unpatch` for its states the new patch lacks.
    pub(crate) fn klp_states_pre_unpatch_replaced(&mut self, new_patch: &str) {
        self.for_each_dropped_state(new_patch, CallbackKind::PreUnpatch, true);
    }

    /// 2025 proposal, `klp_complete_transition()` to PATCHED of a replacing
    /// patch: the replaced patches' `post_unpatch` for the dropped states.
    pub(crate) fn klp_states_post_unpatch_replaced(&mut self, new_patch: &str) {
        self.for_each_dropped_state(new_patch, CallbackKind::PostUnpatch, false);
    }

    /// 2025 proposal, `klp_complete_transition()` to UNPATCHED of a
    /// replacing patch: the replaced patches' `post_patch` for the dropped
    /// states, undoing their `pre_unpatch`.
    pub(crate) fn klp_states_post_patch_replaced(&mut self, new_patch: &str) {
        self.for_each_dropped_state(new_patch, CallbackKind::PostPatch, false);
    }

    /// The loop the three steps above share (no kernel counterpart): the
    /// states of the patches before `new_patch` that it does not carry.
    fn for_each_dropped_state(&mut self, new_patch: &str, kind: CallbackKind, start: bool) {
        let Some(new_ids) = self
            .patch(new_patch)
            .map(|p| p.states.iter().map(|s| s.id).collect::<Vec<_>>())
        else {
            return;
        };
        let olds: Vec<String> = self
            .klp_patches
            .iter()
            .map(|p| p.name.clone())
            .take_while(|n| n != new_patch)
            .collect();
        for old in olds {
            for idx in self.state_indexes(&old) {
                let Some(s) = self.patch(&old).map(|p| p.state_cbs[idx].clone()) else {
                    continue;
                };
                if new_ids.contains(&s.def.id) {
                    continue;
                }
                if start {
                    if let Some(s) = self.patch_mut(&old).map(|p| &mut p.state_cbs[idx]) {
                        s.leaving = true;
                    }
                    self.klp_run_state_callback(&old, idx, kind);
                } else if s.leaving {
                    self.klp_run_state_callback(&old, idx, kind);
                    self.clear_state_flags(&old, idx);
                }
            }
        }
    }

    /// No kernel counterpart: the transition is over for this state.
    fn clear_state_flags(&mut self, patch: &str, idx: usize) {
        if let Some(s) = self.patch_mut(patch).and_then(|p| p.state_cbs.get_mut(idx)) {
            s.introducing = false;
            s.pre_patch_succeeded = false;
            s.leaving = false;
        }
    }

    /// 2025 proposal, `__klp_disable_patch()`: a state with `block_disable`
    /// cannot leave, so a patch that would take it away cannot be disabled.
    pub(crate) fn klp_states_block_disable(&self, patch: &str) -> bool {
        self.patch(patch).is_some_and(|p| {
            p.state_cbs
                .iter()
                .any(|s| s.def.block_disable && !self.is_state_in_other_patches(patch, s.def.id))
        })
    }

    /// 2025 proposal, `klp_is_patch_compatible()`: `version` is gone; only a
    /// replacing patch is checked, and it must carry every state that has
    /// `block_disable`.
    pub(crate) fn proposal_2025_is_patch_compatible(&self, patch: &crate::world::Patch) -> bool {
        if !patch.replace {
            return true;
        }
        self.klp_patches.iter().all(|old| {
            old.state_cbs
                .iter()
                .filter(|s| s.def.block_disable)
                .all(|s| patch.states.iter().any(|n| n.id == s.def.id))
        })
    }
}
