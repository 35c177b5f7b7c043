//! The contract of a callback invocation: what the callback may rely on
//! and must respect at the moment the core calls it, computed from the
//! world's state and the call chain (never a table per situation).
//!
//! Every rule names the kernel code it comes from: the four wrappers of
//! kernel/livepatch/core.h, their callers in core.c and transition.c, and
//! the module loader (kernel/module/main.c).

use crate::event::{CallbackKind, KlpState, ModuleState};
use crate::world::{ObjRef, World};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which code of a patch tasks may run at the moment of a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Code {
    /// A module in `MODULE_STATE_COMING`: its init has not run, no task
    /// runs any of its code yet.
    #[serde(rename = "not running yet")]
    NotRunningYet,
    /// Every task runs the code from before this patch.
    #[serde(rename = "old")]
    Old,
    /// Every task runs this patch's code.
    #[serde(rename = "new")]
    New,
    /// A transition is under way: some tasks run the old code, some the new.
    #[serde(rename = "old and new")]
    OldAndNew,
    /// A module in `MODULE_STATE_GOING`: no task runs its code any more.
    #[serde(rename = "no longer running")]
    NoLongerRunning,
}

impl Code {
    /// The words the JSON output and the tables use.
    pub fn name(self) -> &'static str {
        match self {
            Code::NotRunningYet => "not running yet",
            Code::Old => "old",
            Code::New => "new",
            Code::OldAndNew => "old and new",
            Code::NoLongerRunning => "no longer running",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the object's module is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// The object is vmlinux: always there.
    #[serde(rename = "vmlinux")]
    Vmlinux,
    /// `MODULE_STATE_COMING`: `prepare_coming_module()` runs before `do_init_module()`.
    #[serde(rename = "before init")]
    BeforeInit,
    /// `MODULE_STATE_LIVE`.
    #[serde(rename = "live")]
    Live,
    /// `MODULE_STATE_GOING` from `delete_module()`: its exit function has run.
    #[serde(rename = "after exit")]
    AfterExit,
    /// `MODULE_STATE_GOING` from a failed load (`do_init_module()`'s
    /// `fail_free_freeinit`, `load_module()`'s `coming_cleanup`): its exit never runs.
    #[serde(rename = "after a failed load")]
    AfterFailedLoad,
}

impl Stage {
    /// The words the JSON output and the tables use.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Vmlinux => "vmlinux",
            Stage::BeforeInit => "before init",
            Stage::Live => "live",
            Stage::AfterExit => "after exit",
            Stage::AfterFailedLoad => "after a failed load",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the call path holds, and so what the callback must not do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Locks {
    /// Locks and references held by the callers, outermost first.
    pub held: Vec<String>,
    /// What the callback must not call or wait for, with the reason.
    pub must_not: Vec<String>,
}

/// Another object of the same patch, as it stands when the callback runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OtherObject {
    /// `vmlinux` or a module name.
    pub name: String,
    /// `klp_is_object_loaded()`.
    pub loaded: bool,
    /// `obj->patched`.
    pub patched: bool,
    /// The module's state, if it is a loaded module.
    pub module_state: Option<ModuleState>,
}

/// The state of the patch's other objects, and the warning that goes with it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Others {
    /// Every other (non-dynamic) object of the patch.
    pub objects: Vec<OtherObject>,
    /// Documentation/livepatch/callbacks.rst: a callback must not assume them.
    pub warning: String,
}

/// The contract of one callback invocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Contract {
    /// What tasks may run of this object's patched functions now.
    pub object_code: Code,
    /// The same for the rest of the patch (vmlinux and its other objects).
    pub system_code: Code,
    /// Where the object's module is in its life.
    pub module: Stage,
    /// What the call path holds and what the callback must not call.
    pub locks: Locks,
    /// Whether the return value can stop anything (pre_patch only).
    pub can_fail: bool,
    /// What a failure does here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    /// What is guaranteed to follow for this object, and when.
    pub counterpart: String,
    /// The patch's other objects.
    pub others: Others,
}

impl OtherObject {
    /// How it stands, in words: `not loaded`, `loaded, patched`, `loaded, not patched`.
    pub fn state(&self) -> &'static str {
        match (self.loaded, self.patched) {
            (false, _) => "not loaded",
            (true, true) => "loaded, patched",
            (true, false) => "loaded, not patched",
        }
    }
}

impl Contract {
    /// Whether the callback can fail, in words: what a failure does here,
    /// or that the core does not look at the return value.
    pub fn failure(&self) -> String {
        match (self.can_fail, &self.on_failure) {
            (true, Some(f)) => format!("yes: {f}"),
            (true, None) => "yes".to_string(),
            (false, _) => "no: it returns void".to_string(),
        }
    }
}

/// The upstream warning (Documentation/livepatch/callbacks.rst, "Motivation").
pub const OTHERS_WARNING: &str = "Callbacks are part of the klp_object structure and their \
implementation is specific to that klp_object. Other livepatch objects may or may not be \
patched, irrespective of the target klp_object's current state.";

impl World {
    /// Whether a kernel function is on the call chain of the callback.
    fn on_chain(&self, f: &str) -> bool {
        self.why.contains(&f)
    }

    /// The code of `patch` tasks run now: from `klp_transition_patch`,
    /// the tasks' `patch_state` (klp_init_transition() sets every task to
    /// the initial state; klp_complete_transition() resets them to IDLE
    /// before the post callbacks) and `patch->enabled`.
    fn patch_code(&self, patch: &str) -> Code {
        if self.is_transition_patch(patch) {
            let unpatched = self
                .tasks
                .iter()
                .any(|t| t.patch_state == KlpState::Unpatched);
            let patched = self
                .tasks
                .iter()
                .any(|t| t.patch_state == KlpState::Patched);
            return match (unpatched, patched) {
                (true, true) => Code::OldAndNew,
                (true, false) => Code::Old,
                (false, true) => Code::New,
                // klp_complete_transition(): every task is IDLE in the target state.
                (false, false) if self.klp_target_state == KlpState::Patched => Code::New,
                (false, false) => Code::Old,
            };
        }
        if self.patch(patch).is_some_and(|p| p.enabled) {
            Code::New
        } else {
            Code::Old
        }
    }

    /// The contract of calling `kind` on object `o` now (mainline object
    /// callbacks only: the wrappers of kernel/livepatch/core.h).
    pub(crate) fn klp_callback_contract(&self, o: ObjRef, kind: CallbackKind) -> Option<Contract> {
        let patch = self.patch(o.patch)?;
        let obj = patch.objs.get(o.obj)?;
        let module = obj.name.as_deref().and_then(|n| self.module(n));
        let stage = match module.map(|m| m.state) {
            None => Stage::Vmlinux,
            Some(ModuleState::Coming | ModuleState::Unformed) => Stage::BeforeInit,
            Some(ModuleState::Live) => Stage::Live,
            // delete_module() calls mod->exit() before klp_module_going().
            Some(ModuleState::Going) if self.on_chain("delete_module") => Stage::AfterExit,
            Some(ModuleState::Going) => Stage::AfterFailedLoad,
        };
        let system_code = self.patch_code(o.patch);
        let object_code = match stage {
            Stage::BeforeInit => Code::NotRunningYet,
            Stage::AfterExit | Stage::AfterFailedLoad => Code::NoLongerRunning,
            Stage::Vmlinux | Stage::Live => system_code,
        };
        let (can_fail, on_failure) = self.contract_failure(kind, obj.display_name());
        Some(Contract {
            object_code,
            system_code,
            module: stage,
            locks: self.contract_locks(),
            can_fail,
            on_failure,
            counterpart: self.contract_counterpart(o.patch, kind),
            others: Others {
                objects: patch
                    .objs
                    .iter()
                    .enumerate()
                    .filter(|(i, other)| *i != o.obj && !other.dynamic)
                    .map(|(_, other)| OtherObject {
                        name: other.display_name().into(),
                        loaded: other.is_loaded(),
                        patched: other.patched,
                        module_state: other
                            .name
                            .as_deref()
                            .and_then(|n| self.module(n))
                            .map(|m| m.state),
                    })
                    .collect(),
                warning: OTHERS_WARNING.into(),
            },
        })
    }

    /// Locks held on the way to the callback. klp_mutex on every path:
    /// klp_enable_patch(), enabled_store(), force_store(),
    /// klp_transition_work_fn(), klp_module_coming() and klp_module_going()
    /// all take it around the code that calls the wrappers.
    fn contract_locks(&self) -> Locks {
        let mut held = vec!["klp_mutex".to_string()];
        let mut must_not = vec![
            "call klp_enable_patch(): it takes klp_mutex, which this path holds (deadlock)".to_string(),
            "write a livepatch sysfs file or wait for another livepatch operation: they need klp_mutex".to_string(),
            "load or unload a module and wait for it (request_module(), ...): klp_module_coming() and klp_module_going() take klp_mutex".to_string(),
        ];
        if self.on_chain("enabled_store") {
            held.push(
                "the kernfs active reference of the patch's 'enabled' file (a sysfs write)".into(),
            );
            must_not.push(
                "remove the patch's kobject: kobject_put() would wait for this write to end (hence klp_free_patch_async())".into(),
            );
        }
        if self.on_chain("force_store") {
            held.push("the kernfs active reference of the patch's 'force' file".into());
        }
        if self.on_chain("klp_transition_work_fn") {
            held.push("a system_wq worker running klp_transition_work".into());
            must_not.push(
                "cancel or flush klp_transition_work synchronously: it runs this callback".into(),
            );
        }
        if self.on_chain("klp_enable_patch") {
            held.push(
                "the livepatch module is MODULE_STATE_COMING: its init (klp_enable_patch()) has not returned".into(),
            );
        }
        if self.on_chain("klp_module_coming") {
            held.push(
                "load_module() of the target, from prepare_coming_module(), before its init".into(),
            );
        }
        if self.on_chain("klp_module_going") {
            held.push(if self.on_chain("delete_module") {
                "the delete_module() syscall, after the module's exit".to_string()
            } else {
                "the module loader's failure path, after MODULE_STATE_GOING".to_string()
            });
        }
        Locks { held, must_not }
    }

    /// Only `klp_pre_patch_callback()` returns a value the callers check.
    fn contract_failure(&self, kind: CallbackKind, obj: &str) -> (bool, Option<String>) {
        if kind != CallbackKind::PrePatch {
            return (false, None);
        }
        let what = if self.on_chain("klp_module_coming") {
            format!(
                "klp_module_coming() prints \"pre-patch callback failed for object '{obj}'\", \
reverts '{obj}' from the patches before this one (klp_cleanup_module_patches_limited()) and \
returns the errno: load_module() fails, the module's init never runs and insmod/modprobe \
reports the errno; no other callback of this patch runs for '{obj}'"
            )
        } else if self.on_chain("enabled_store") {
            "__klp_enable_patch() cancels the transition (klp_cancel_transition() runs post_unpatch \
for the objects whose pre_patch succeeded); the patch is not enabled and the write to 'enabled' \
fails with the errno"
                .to_string()
        } else {
            "__klp_enable_patch() cancels the transition (klp_cancel_transition() runs post_unpatch \
for the objects whose pre_patch succeeded); the patch is not enabled: klp_enable_patch() returns \
the errno, the livepatch module's init fails and its load fails with the errno"
                .to_string()
        };
        (true, Some(what))
    }

    /// What follows for this object. The pairs are those of the wrappers
    /// (core.h): pre_patch arms `post_unpatch_enabled`, post_unpatch runs
    /// only when it is set; pre_unpatch runs only for a patched object
    /// (__klp_disable_patch(), klp_cleanup_module_patches_limited()).
    fn contract_counterpart(&self, patch: &str, kind: CallbackKind) -> String {
        // klp_unpatch_replaced_patches() (5.5+; klp_discard_replaced_patches()
        // in 5.1-5.4) removes a replaced patch without any of its callbacks.
        let replacer = self
            .klp_transition_patch
            .as_deref()
            .filter(|t| *t != patch && self.klp_target_state == KlpState::Patched)
            .filter(|t| self.patch(t).is_some_and(|p| p.replace));
        if let Some(r) = replacer
            && matches!(kind, CallbackKind::PrePatch | CallbackKind::PostPatch)
        {
            return format!(
                "none once '{r}' (atomic replace, in transition) completes: \
klp_unpatch_replaced_patches() removes this patch without its pre_unpatch or post_unpatch"
            );
        }
        let in_transition = self.is_transition_patch(patch);
        let replace_note = "; none if an atomic-replace patch replaces this one \
(klp_unpatch_replaced_patches() runs no callback of the replaced patch)";
        match kind {
            CallbackKind::PrePatch => {
                let next = if self.on_chain("klp_module_coming") && !in_transition {
                    "post_patch at once if the object patches (klp_module_coming())"
                } else {
                    "post_patch when the patching transition completes (klp_complete_transition())"
                };
                format!(
                    "{next}; post_unpatch when the patch leaves this object (a disable, a \
cancelled or reversed patching, the module's removal), armed by this pre_patch's success \
(post_unpatch_enabled); nothing if it fails{replace_note}"
                )
            }
            CallbackKind::PostPatch => format!(
                "pre_unpatch before this object is unpatched: at the start of a disable \
(__klp_disable_patch()) or when the module goes away (klp_cleanup_module_patches_limited()), \
then post_unpatch{replace_note}"
            ),
            CallbackKind::PreUnpatch => {
                // klp_cleanup_module_patches_limited() (module removal, a
                // failed load, or a refusal in klp_module_coming()) unpatches
                // at once; __klp_disable_patch() starts a transition.
                if self.on_chain("klp_cleanup_module_patches_limited") {
                    "post_unpatch right after the object's functions are unpatched \
(klp_cleanup_module_patches_limited())"
                        .into()
                } else {
                    "post_unpatch when the unpatching transition completes \
(klp_complete_transition()); post_patch again instead if the disable is reversed"
                        .into()
                }
            }
            CallbackKind::PostUnpatch => "none: the last callback of this object for this patch \
(post_unpatch_enabled is cleared); pre_patch runs again only if the object is patched again"
                .into(),
        }
    }
}
