//! Semantics profiles: which kernel's livepatch core a run follows.
//!
//! One engine serves every profile. The [`World`](crate::World) carries one
//! [`Semantics`] value and consults it only where the kernels' code differs
//! (where callbacks or hooks are invoked, what a failure does, the
//! `post_unpatch_enabled` gate, the transition log lines); everything else,
//! and every view, is shared. A profile is chosen per run: the
//! `# semantics: NAME` header of a scenario ([`Scenario::semantics`]),
//! [`run_with`](crate::run_with), or `klpscope run|check|diff --semantics NAME`.
//!
//! Adding a profile means: a variant here (with its name and description),
//! its own file under `livepatch/` for the code only it has, and a match arm
//! at the call sites where its kernel differs.
//!
//! [`Scenario::semantics`]: crate::Scenario::semantics

use serde::{Deserialize, Serialize};

/// A kernel whose livepatch semantics the engine can follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Semantics {
    /// Mainline v5.1 and later: the four `klp_callbacks` per object, as the
    /// kernel selftests check them.
    #[default]
    #[serde(rename = "upstream")]
    Upstream,
    /// The July 2017 "(un)patch hooks" proposal (v1): `patch_hooks[]` run at
    /// the top of `klp_patch_object()`, `unpatch_hooks[]` at the end of
    /// `klp_unpatch_object()`, failures only logged.
    #[serde(rename = "seed-v1")]
    SeedV1,
    /// The per-state callbacks proposal, "[PATCH v1 00/19]" (Petr Mladek,
    /// 15 January 2025), not merged: callbacks belong to a `klp_state` and
    /// run only when a patch introduces the state or the state leaves.
    #[serde(rename = "state-callbacks-2025")]
    StateCallbacks2025,
}

impl Semantics {
    /// Every profile, the default first (for a switch in a view).
    pub const ALL: [Semantics; 3] = [
        Semantics::Upstream,
        Semantics::SeedV1,
        Semantics::StateCallbacks2025,
    ];

    /// The name used on the command line, in a `# semantics:` header and in
    /// a share link.
    pub fn name(self) -> &'static str {
        match self {
            Semantics::Upstream => "upstream",
            Semantics::SeedV1 => "seed-v1",
            Semantics::StateCallbacks2025 => "state-callbacks-2025",
        }
    }

    /// One line saying which kernel code the profile follows.
    pub fn description(self) -> &'static str {
        match self {
            Semantics::Upstream => {
                "mainline v5.1+: pre/post (un)patch callbacks per object, as the selftests check them"
            }
            Semantics::SeedV1 => {
                "the July 2017 v1 proposal: patch/unpatch hooks inside klp_patch_object()/klp_unpatch_object(), failures only logged"
            }
            Semantics::StateCallbacks2025 => {
                "the unmerged January 2025 proposal: callbacks per klp_state, run when a state is introduced or leaves; no per-object callbacks"
            }
        }
    }

    /// What the profile's code calls a callback: the v1 proposal had
    /// `patch_hooks[]` and `unpatch_hooks[]` (kernel/livepatch/patch.c of
    /// that tree), which the model runs as `pre_patch` and `post_unpatch`.
    pub fn callback_name(self, kind: crate::event::CallbackKind) -> &'static str {
        use crate::event::CallbackKind;
        match (self, kind) {
            (Semantics::SeedV1, CallbackKind::PrePatch) => "patch hook",
            (Semantics::SeedV1, CallbackKind::PostUnpatch) => "unpatch hook",
            _ => kind.name(),
        }
    }

    /// The profile with this name, if there is one.
    pub fn from_name(name: &str) -> Option<Semantics> {
        Semantics::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The names of every profile, comma separated (for hints).
    pub fn names() -> String {
        Semantics::ALL.map(Semantics::name).join(", ")
    }

    /// Whether this kernel has the v1 hooks instead of `klp_callbacks`.
    pub(crate) fn hooks_v1(self) -> bool {
        self == Semantics::SeedV1
    }

    /// Whether objects have `struct klp_callbacks` (mainline only).
    pub(crate) fn object_callbacks(self) -> bool {
        self == Semantics::Upstream
    }

    /// Whether callbacks belong to `klp_state`s (the 2025 proposal).
    pub(crate) fn state_callbacks(self) -> bool {
        self == Semantics::StateCallbacks2025
    }
}

/// A `klp_state` as the 2025 proposal declares it, beyond its id: its
/// `struct klp_state_callbacks`, `block_disable` and `is_shadow`. Written in
/// a `define livepatch` as `state ID CALLBACK ...`, `state ID block_disable`
/// and `state ID shadow`; used by the `state-callbacks-2025` profile only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StateCallbacksDef {
    /// `state->id`.
    pub id: u64,
    /// The callbacks that exist (absent ones are NULL).
    pub callbacks: Vec<(crate::CallbackKind, crate::catalog::CallbackDef)>,
    /// `state->block_disable`: the state may never leave.
    pub block_disable: bool,
    /// `state->is_shadow`: shadow variables with this id live as long as the state.
    pub is_shadow: bool,
}

impl std::str::FromStr for Semantics {
    type Err = String;

    fn from_str(name: &str) -> Result<Semantics, String> {
        Semantics::from_name(name).ok_or_else(|| {
            format!(
                "unknown semantics '{name}' (profiles: {})",
                Semantics::names()
            )
        })
    }
}

impl std::fmt::Display for Semantics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Semantics;

    #[test]
    fn names_round_trip_and_upstream_is_the_default() {
        for s in Semantics::ALL {
            assert_eq!(Semantics::from_name(s.name()), Some(s));
            assert!(!s.description().is_empty());
        }
        assert_eq!(Semantics::default(), Semantics::Upstream);
        assert_eq!(Semantics::from_name("seed-v2"), None);
    }

    #[test]
    fn the_2017_hooks_keep_their_own_names() {
        use crate::event::CallbackKind;
        assert_eq!(
            Semantics::SeedV1.callback_name(CallbackKind::PrePatch),
            "patch hook"
        );
        assert_eq!(
            Semantics::SeedV1.callback_name(CallbackKind::PostUnpatch),
            "unpatch hook"
        );
        assert_eq!(
            Semantics::Upstream.callback_name(CallbackKind::PrePatch),
            "pre_patch"
        );
    }

    #[test]
    fn serde_uses_the_names() {
        for s in Semantics::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.name()));
            assert_eq!(serde_json::from_str::<Semantics>(&json).unwrap(), s);
        }
    }
}
