//! A serializable picture of the modelled system after a step: what
//! `/sys/kernel/livepatch`, `/sys/module` and `/proc/*/patch_state` would show.

use crate::event::{KlpState, ModuleState};
use serde::{Deserialize, Serialize};

/// The whole system after a step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// `klp_patches`, oldest first.
    pub patches: Vec<PatchSnapshot>,
    /// The transition in progress, if any.
    pub transition: Option<TransitionSnapshot>,
    /// Loaded modules, in load order.
    pub modules: Vec<ModuleSnapshot>,
    /// Tasks, with their `patch_state`.
    pub tasks: Vec<TaskSnapshot>,
    /// `kernel.ftrace_enabled`.
    pub ftrace_enabled: bool,
}

/// One `struct klp_patch` on `klp_patches`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchSnapshot {
    /// The livepatch module's name (the sysfs directory name).
    pub name: String,
    /// `/sys/kernel/livepatch/<name>/enabled`.
    pub enabled: bool,
    /// `/sys/kernel/livepatch/<name>/transition`.
    pub transition: bool,
    /// Marked by `klp_force_transition()`: its module can never be removed.
    pub forced: bool,
    /// `patch->replace` (atomic replace / cumulative patch).
    pub replace: bool,
    /// `klp_state`s carried by the patch, as (id, version).
    pub states: Vec<(u64, u32)>,
    /// Objects in the patch's order (dynamic nop objects last).
    pub objects: Vec<ObjectSnapshot>,
}

/// One `struct klp_object`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectSnapshot {
    /// `vmlinux` or the module name.
    pub name: String,
    /// `klp_is_object_loaded()`: vmlinux, or bound to a live module.
    pub loaded: bool,
    /// `obj->patched`: its functions are on the ftrace ops stacks.
    pub patched: bool,
    /// Added by atomic replace to revert an older patch's object.
    pub dynamic: bool,
    /// The functions it redirects (`old_name`s; nops are marked `(nop)`).
    pub funcs: Vec<String>,
}

/// The transition in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionSnapshot {
    /// `klp_transition_patch`.
    pub patch: String,
    /// `klp_target_state`.
    pub target: KlpState,
    /// Tasks still at the initial state (not yet switched).
    pub pending: usize,
    /// Tasks that could not switch, with the function that blocks them.
    pub blocked: Vec<(String, String)>,
    /// Direction was reversed at least once.
    pub reversed: bool,
    /// `force` was written during this transition.
    pub forced: bool,
}

/// One loaded module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleSnapshot {
    /// Module name.
    pub name: String,
    /// `mod->state`.
    pub state: ModuleState,
    /// Marked `MODULE_INFO(livepatch, "Y")`.
    pub livepatch: bool,
    /// `/sys/module/<name>/refcnt`.
    pub refcnt: u32,
    /// `mod->klp_alive`.
    pub klp_alive: bool,
    /// Parameters and their current values as sysfs shows them.
    pub params: Vec<(String, String)>,
}

/// One task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSnapshot {
    /// `comm:pid`.
    pub name: String,
    /// `/proc/<pid>/patch_state`.
    pub patch_state: KlpState,
    /// `TIF_PATCH_PENDING`.
    pub pending: bool,
    /// The function it sleeps in, if it sleeps in a modelled one.
    pub sleeping_in: Option<String>,
}
