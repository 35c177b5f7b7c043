//! What the model reports: one [`Event`] per thing a person (or the kernel
//! log) could observe, in the order it happens.
//!
//! Events are the only output of the engine. The kernel log, the JSON
//! dump and the browser timeline are all renderings of the same list.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `enum module_state` from include/linux/module.h.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModuleState {
    /// `MODULE_STATE_LIVE`: normal state.
    #[serde(rename = "MODULE_STATE_LIVE")]
    Live,
    /// `MODULE_STATE_COMING`: fully formed, running `module_init`.
    #[serde(rename = "MODULE_STATE_COMING")]
    Coming,
    /// `MODULE_STATE_GOING`: going away.
    #[serde(rename = "MODULE_STATE_GOING")]
    Going,
    /// `MODULE_STATE_UNFORMED`: still setting it up.
    #[serde(rename = "MODULE_STATE_UNFORMED")]
    Unformed,
}

impl ModuleState {
    /// The kernel's enum name, e.g. `MODULE_STATE_LIVE`.
    pub fn name(self) -> &'static str {
        match self {
            ModuleState::Live => "MODULE_STATE_LIVE",
            ModuleState::Coming => "MODULE_STATE_COMING",
            ModuleState::Going => "MODULE_STATE_GOING",
            ModuleState::Unformed => "MODULE_STATE_UNFORMED",
        }
    }

    /// The string the selftest modules print for this state
    /// (`module_state[]` in test_klp_callbacks_demo.c).
    pub fn describe(self) -> &'static str {
        match self {
            ModuleState::Live => "[MODULE_STATE_LIVE] Normal state",
            ModuleState::Coming => "[MODULE_STATE_COMING] Full formed, running module_init",
            ModuleState::Going => "[MODULE_STATE_GOING] Going away",
            ModuleState::Unformed => "[MODULE_STATE_UNFORMED] Still setting it up",
        }
    }
}

impl fmt::Display for ModuleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The four members of `struct klp_callbacks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackKind {
    /// `pre_patch`: before the object's functions are redirected; may veto.
    PrePatch,
    /// `post_patch`: after every task runs the new code.
    PostPatch,
    /// `pre_unpatch`: before the unpatching transition starts.
    PreUnpatch,
    /// `post_unpatch`: after every task runs the old code again.
    PostUnpatch,
}

impl CallbackKind {
    /// All four, in lifecycle order.
    pub const ALL: [CallbackKind; 4] = [
        CallbackKind::PrePatch,
        CallbackKind::PostPatch,
        CallbackKind::PreUnpatch,
        CallbackKind::PostUnpatch,
    ];

    /// The member name, e.g. `pre_patch`.
    pub fn name(self) -> &'static str {
        match self {
            CallbackKind::PrePatch => "pre_patch",
            CallbackKind::PostPatch => "post_patch",
            CallbackKind::PreUnpatch => "pre_unpatch",
            CallbackKind::PostUnpatch => "post_unpatch",
        }
    }

    /// Parses a member name (`pre_patch`, ...).
    pub fn from_name(name: &str) -> Option<CallbackKind> {
        CallbackKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for CallbackKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `klp_target_state` / a task's `patch_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KlpState {
    /// `KLP_TRANSITION_IDLE` (-1): no transition.
    Idle,
    /// `KLP_TRANSITION_UNPATCHED` (0).
    Unpatched,
    /// `KLP_TRANSITION_PATCHED` (1).
    Patched,
}

impl KlpState {
    /// The value `/proc/<pid>/patch_state` shows.
    pub fn value(self) -> i32 {
        match self {
            KlpState::Idle => -1,
            KlpState::Unpatched => 0,
            KlpState::Patched => 1,
        }
    }

    /// "patching" / "unpatching", as the transition messages word it.
    pub fn verb(self) -> &'static str {
        match self {
            KlpState::Patched => "patching",
            _ => "unpatching",
        }
    }
}

/// Something a callback declares it does to the system, so a view can show
/// who sets up what and who undoes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "effect", content = "what")]
pub enum Effect {
    /// Changes something system-wide (e.g. a sysctl, a global flag).
    Sets(String),
    /// Puts back what an earlier `Sets` changed.
    Restores(String),
    /// Allocates the data of a `klp_state` (or a shadow variable).
    Allocates(String),
    /// Frees what an `Allocates` allocated.
    Frees(String),
    /// Takes over something set up by a replaced patch.
    TakesOver(String),
    /// Leaves something in place for another patch.
    Keeps(String),
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verb, what) = match self {
            Effect::Sets(w) => ("sets", w),
            Effect::Restores(w) => ("restores", w),
            Effect::Allocates(w) => ("allocates", w),
            Effect::Frees(w) => ("frees", w),
            Effect::TakesOver(w) => ("takes over", w),
            Effect::Keeps(w) => ("keeps", w),
        };
        write!(f, "{verb} {what}")
    }
}

/// printk log levels used by the modelled code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `pr_err`
    Err,
    /// `pr_warn`
    Warn,
    /// `pr_notice`
    Notice,
    /// `pr_info`
    Info,
    /// `pr_debug` (visible: the selftests enable dynamic debug)
    Debug,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum EventKind {
    /// A livepatch callback ran (its printed line, if any, is `text`).
    Callback {
        /// Which of the four.
        callback: CallbackKind,
        /// What `pre_patch` returned (0 or a negative errno); `None` for the others.
        ret: Option<i32>,
        /// What the callback declares it does to the system.
        effects: Vec<Effect>,
        /// What the callback may rely on and must respect here, computed
        /// from the model's state (mainline object callbacks only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contract: Option<Box<crate::contract::Contract>>,
    },
    /// A kernel log line from the livepatch core (`livepatch: ...`).
    Kernel {
        /// printk level.
        level: Level,
    },
    /// A line printed by a module's own code (init, exit, a work function,
    /// or a callback's helper).
    ModuleOutput,
    /// A line the test harness writes into the log (e.g. the sysctl lines).
    Harness,
    /// The error line a user-space tool printed for a failed command.
    UserError {
        /// The errno the kernel returned (positive, e.g. 19 for ENODEV).
        errno: i32,
    },
    /// A module changed `state` (no log line).
    ModuleState {
        /// The module.
        module: String,
        /// The new state; `None` when the module is freed.
        state: Option<ModuleState>,
    },
    /// The transition changed phase (the log line, if any, is a separate `Kernel` event).
    Transition {
        /// What happened to it.
        phase: TransitionPhase,
        /// `klp_target_state` after this phase.
        target: KlpState,
    },
    /// A task could not switch: it sleeps in a function the transition must
    /// not pull from under it.
    TaskBlocked {
        /// `comm:pid` of the task.
        task: String,
        /// The function on its stack.
        function: String,
    },
    /// A patch was added to `klp_patches`, or removed and freed.
    PatchList {
        /// `true` when added, `false` when freed.
        added: bool,
    },
    /// A note from the model that is not a log line (e.g. a command that
    /// never returns). Rendered as a `# ` comment.
    Note,
}

/// Phases of a transition (kernel/livepatch/transition.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionPhase {
    /// `klp_init_transition()`
    Init,
    /// `klp_start_transition()`
    Start,
    /// `klp_reverse_transition()`
    Reverse,
    /// `klp_force_transition()`
    Force,
    /// `klp_cancel_transition()`
    Cancel,
    /// `klp_complete_transition()`
    Complete,
}

impl TransitionPhase {
    /// The phase in lower case, as the JSON output names it: `init`, `start`, ...
    pub fn name(self) -> &'static str {
        match self {
            TransitionPhase::Init => "init",
            TransitionPhase::Start => "start",
            TransitionPhase::Reverse => "reverse",
            TransitionPhase::Force => "force",
            TransitionPhase::Cancel => "cancel",
            TransitionPhase::Complete => "complete",
        }
    }
}

/// One observable thing, with the context a view needs to place and explain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The command it belongs to: 1 for the first command of the scenario.
    pub step: usize,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
    /// The log line as the kernel log shows it (without timestamp), if any.
    pub text: Option<String>,
    /// The livepatch (its module name) involved, if any.
    pub patch: Option<String>,
    /// The object involved: `vmlinux` or a module name.
    pub object: Option<String>,
    /// The `state` of the object's module when this happened
    /// (`None` for vmlinux or when no module is involved).
    pub module_state: Option<ModuleState>,
    /// The kernel call chain that led here, outermost first, e.g.
    /// `["load_module", "prepare_coming_module", "klp_module_coming", "klp_pre_patch_callback"]`.
    pub why: Vec<String>,
}

impl Event {
    /// True for events that put a line into the transcript.
    pub fn is_line(&self) -> bool {
        self.text.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::TransitionPhase::*;

    #[test]
    fn phase_names_are_the_json_names() {
        for p in [Init, Start, Reverse, Force, Cancel, Complete] {
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.name())
            );
        }
    }
}
