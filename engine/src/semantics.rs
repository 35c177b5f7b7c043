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

use serde::Serialize;

/// A kernel whose livepatch semantics the engine can follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Semantics {
    /// Mainline v5.1 and later: the four `klp_callbacks` per object, as the
    /// kernel selftests check them.
    #[default]
    Upstream,
    /// The July 2017 "(un)patch hooks" proposal (v1): `patch_hooks[]` run at
    /// the top of `klp_patch_object()`, `unpatch_hooks[]` at the end of
    /// `klp_unpatch_object()`, failures only logged.
    SeedV1,
}

impl Semantics {
    /// Every profile, the default first (for a switch in a view).
    pub const ALL: [Semantics; 2] = [Semantics::Upstream, Semantics::SeedV1];

    /// The name used on the command line, in a `# semantics:` header and in
    /// a share link.
    pub fn name(self) -> &'static str {
        match self {
            Semantics::Upstream => "upstream",
            Semantics::SeedV1 => "seed-v1",
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
}
