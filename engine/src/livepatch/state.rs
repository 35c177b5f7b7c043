//! kernel/livepatch/state.c, in its order: system-state tracking (`klp_state`), v5.5+.

use crate::catalog::StateDef;
use crate::world::{Patch, World};

/// Kernel: `klp_get_state()`, kernel/livepatch/state.c.
pub(crate) fn klp_get_state(patch: &Patch, id: u64) -> Option<StateDef> {
    patch.states.iter().copied().find(|s| s.id == id)
}

impl World {
    /// Kernel: `klp_get_prev_state()`, kernel/livepatch/state.c: the state
    /// with this id in the newest patch installed before the transition patch.
    /// Only meaningful during a transition.
    pub(crate) fn klp_get_prev_state(&self, id: u64) -> Option<StateDef> {
        let transition = self.klp_transition_patch.as_deref()?;
        let mut last = None;
        for patch in &self.klp_patches {
            if patch.name == transition {
                break;
            }
            if let Some(state) = klp_get_state(patch, id) {
                last = Some(state);
            }
        }
        last
    }
}

/// Kernel: `klp_is_state_compatible()`, kernel/livepatch/state.c. A
/// cumulative livepatch must handle all already modified states; a
/// non-cumulative one may leave them alone.
fn klp_is_state_compatible(patch: &Patch, old_state: &StateDef) -> bool {
    match klp_get_state(patch, old_state.id) {
        None => !patch.replace,
        Some(state) => state.version >= old_state.version,
    }
}

impl World {
    /// Kernel: `klp_is_patch_compatible()`, kernel/livepatch/state.c.
    pub(crate) fn klp_is_patch_compatible(&self, patch: &Patch) -> bool {
        self.klp_patches.iter().all(|old| {
            old.states
                .iter()
                .all(|old_state| klp_is_state_compatible(patch, old_state))
        })
    }
}
