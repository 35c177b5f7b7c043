//! Kernel versions and profiles: the one seam where the kernels the engine
//! follows differ.
//!
//! A run follows one [`Semantics`] profile (mainline, or a proposal) and,
//! for mainline, one [`KernelVersion`]. The code of kernel/livepatch/ is
//! shared; at the few call sites where kernels differ, the model asks a
//! named decision of [`Kernel`] (`w.kernel().force_marks_every_patch()`),
//! and each decision names the commit that changed it. A kernel developer
//! reads transition.rs beside transition.c and meets the question the code
//! of that release answers differently, not a version compare.
//!
//! Versions start at v4.15, where the callbacks were merged (commit
//! 93862e385ded "livepatch: add (un)patch callbacks"); the default is the
//! latest mainline.

use crate::event::KlpState;
use crate::semantics::Semantics;

/// A mainline release, or the latest mainline (the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KernelVersion {
    /// vMAJOR.MINOR (stable and distro suffixes do not change the model).
    Release {
        /// The major number (4, 5, 6, ...).
        major: u16,
        /// The minor number.
        minor: u16,
    },
    /// The latest mainline, what the engine follows unless told otherwise.
    #[default]
    Latest,
}

impl KernelVersion {
    /// The releases a version switch offers, newest first, each with what
    /// changed there or which distributions start from it.
    pub const NOTABLE: [(KernelVersion, &'static str); 17] = [
        (KernelVersion::Latest, "latest mainline"),
        (KernelVersion::v(6, 14), "the stack_order file"),
        (KernelVersion::v(6, 12), "Debian 13"),
        (KernelVersion::v(6, 11), "the replace file"),
        (KernelVersion::v(6, 8), "Ubuntu 24.04"),
        (KernelVersion::v(6, 1), "Debian 12"),
        (KernelVersion::v(6, 0), "an object's patched file"),
        (
            KernelVersion::v(5, 18),
            "force marks only what may still run",
        ),
        (KernelVersion::v(5, 17), "force marks every patch"),
        (KernelVersion::v(5, 15), "Ubuntu 22.04"),
        (KernelVersion::v(5, 14), "RHEL 9, SLES 15 SP4+"),
        (KernelVersion::v(5, 5), "klp_state"),
        (
            KernelVersion::v(5, 4),
            "replaced patches leave before post_patch",
        ),
        (
            KernelVersion::v(5, 1),
            "klp_enable_patch(), atomic replace, automatic signals",
        ),
        (
            KernelVersion::v(5, 0),
            "klp_register_patch(), re-enable, strict stacking",
        ),
        (KernelVersion::v(4, 18), "RHEL 8"),
        (KernelVersion::v(4, 15), "the callbacks merged"),
    ];

    /// The oldest version modelled: the callbacks' merge.
    pub const OLDEST: KernelVersion = KernelVersion::v(4, 15);

    /// vMAJOR.MINOR.
    pub const fn v(major: u16, minor: u16) -> KernelVersion {
        KernelVersion::Release { major, minor }
    }

    /// Reads `latest`, `mainline`, or a release as a banner or `uname -r`
    /// writes it: `5.4`, `v5.4`, `5.14.0-70.13.1.el9_0.x86_64`,
    /// `6.8.0-31-generic`. Older than v4.15 is refused (no callbacks there).
    pub fn parse(text: &str) -> Result<KernelVersion, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("latest") || t.eq_ignore_ascii_case("mainline") {
            return Ok(KernelVersion::Latest);
        }
        let digits = t.strip_prefix('v').unwrap_or(t);
        let mut parts = digits.splitn(3, '.');
        let num = |p: Option<&str>| -> Option<u16> {
            let p = p?;
            let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
            p[..end].parse().ok()
        };
        let (Some(major), Some(minor)) = (num(parts.next()), num(parts.next())) else {
            return Err(format!(
                "unknown kernel version '{t}' (write MAJOR.MINOR, e.g. 5.4, or latest)"
            ));
        };
        let v = KernelVersion::v(major, minor);
        if v < KernelVersion::OLDEST {
            return Err(format!(
                "kernel {major}.{minor} has no livepatch callbacks: they were merged in v4.15 (use --semantics seed-v1 for the 2017 proposal)"
            ));
        }
        Ok(v)
    }

    /// `4.15`, or `latest`.
    pub fn name(self) -> String {
        match self {
            KernelVersion::Release { major, minor } => format!("{major}.{minor}"),
            KernelVersion::Latest => "latest".into(),
        }
    }

    /// Whether this version is vMAJOR.MINOR or newer.
    pub fn at_least(self, major: u16, minor: u16) -> bool {
        self >= KernelVersion::v(major, minor)
    }

    /// The version a pasted log's `Linux version X.Y...` banner names.
    pub fn from_banner(log: &str) -> Option<KernelVersion> {
        log.lines().find_map(|l| {
            let at = l.find("Linux version ")?;
            let rest = &l[at + "Linux version ".len()..];
            KernelVersion::parse(rest.split_whitespace().next()?).ok()
        })
    }
}

impl std::str::FromStr for KernelVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<KernelVersion, String> {
        KernelVersion::parse(s)
    }
}

impl std::fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// The kernel a run follows: a profile and, for mainline, a version. Every
/// difference between kernels is one of its methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kernel {
    /// The profile (mainline or a proposal).
    pub semantics: Semantics,
    /// The mainline release (the proposals have their own bases).
    pub version: KernelVersion,
}

impl Kernel {
    // --- Profiles: which callbacks exist at all -------------------------

    /// The July 2017 v1 proposal: `patch_hooks[]`/`unpatch_hooks[]` run
    /// inside `klp_patch_object()`/`klp_unpatch_object()` (hooks_v1.rs).
    pub(crate) fn hooks_v1(self) -> bool {
        self.semantics.hooks_v1()
    }

    /// `struct klp_callbacks` per object: mainline since v4.15 (93862e385ded
    /// "livepatch: add (un)patch callbacks").
    pub(crate) fn object_callbacks(self) -> bool {
        self.semantics.object_callbacks()
    }

    /// Callbacks per `klp_state`: the unmerged January 2025 proposal
    /// (state_callbacks.rs).
    pub(crate) fn state_callbacks(self) -> bool {
        self.semantics.state_callbacks()
    }

    /// Whether livepatch modules register their patch (`klp_register_patch()`)
    /// and a disabled patch stays registered, can be enabled again from
    /// sysfs, and only patches in stack order may be enabled or disabled,
    /// module coming and going handle only enabled or transition patches,
    /// and after any forced transition no livepatch module is released:
    /// v4.15 to v5.0, until v5.1's 958ef1e39d24 ("livepatch: Simplify API
    /// by removing registration step"), "livepatch: Remove ordering
    /// (stacking) of the livepatches", "livepatch: Module coming and going
    /// callbacks can proceed with all listed patches", "livepatch: Do not
    /// block the removal of patches loaded after a forced transition" and
    /// e1452b607c48 ("livepatch: Add atomic replace") (registration.rs).
    pub(crate) fn registration_api(self) -> bool {
        !self.version.at_least(5, 1)
    }

    // --- transition.c ---------------------------------------------------

    /// Whether `klp_init_transition()`, `klp_complete_transition()` and
    /// `klp_reverse_transition()` print their `pr_debug()` lines: mainline
    /// since the per-task consistency model (v4.12, d83a7cb375ee
    /// "livepatch: change to a per-task consistency model"); the v1
    /// proposal's tree predates them.
    pub(crate) fn transition_debug_lines(self) -> bool {
        !self.hooks_v1()
    }

    /// `klp_start_transition()`'s line: "starting %s transition" in
    /// mainline (d83a7cb375ee); the v1 tree's base printed "%s...".
    pub(crate) fn start_transition_message(self, name: &str, target: KlpState) -> String {
        if self.hooks_v1() {
            format!("'{name}': {}...", target.verb())
        } else {
            format!("'{name}': starting {} transition", target.verb())
        }
    }

    /// Whether "'%s': %s complete" comes from `klp_try_complete_transition()`
    /// before the cleanup (the v1 tree's v4.12/v4.13 base) instead of from
    /// `klp_complete_transition()` after the post callbacks (mainline).
    pub(crate) fn complete_message_before_cleanup(self) -> bool {
        self.hooks_v1()
    }

    /// `klp_cancel_transition()`'s `pr_debug()` line, if any. Every mainline
    /// release since d83a7cb375ee prints "canceling patching transition,
    /// going to unpatch" (the v4.15 transition.c says so too; the v4.15
    /// callbacks.txt session shows a wording no release printed).
    pub(crate) fn cancel_message(self, name: &str) -> Option<String> {
        self.transition_debug_lines()
            .then(|| format!("'{name}': canceling patching transition, going to unpatch"))
    }

    /// Whether `klp_force_transition()` marks every patch on `klp_patches`
    /// as forced (so none of their modules can be removed): from `force`'s
    /// arrival ("livepatch: force transition to finish") until
    /// v5.18, whose 2957308343fa "livepatch: Don't block removal of patches
    /// that are safe to unload" marks only the patches whose code may still
    /// run.
    pub(crate) fn force_marks_every_patch(self) -> bool {
        !self.version.at_least(5, 18)
    }

    /// Whether `klp_complete_transition()` of a replacing patch takes the
    /// replaced patches off `klp_patches` (`klp_discard_replaced_patches()`)
    /// before the post_patch callbacks: v5.1 to v5.4, from e1452b607c48
    /// "livepatch: Add atomic replace" until v5.5's "livepatch: Keep
    /// replaced patches until post_patch callback is called", which only
    /// unpatches them there and frees them after the completion.
    pub(crate) fn replaced_patches_leave_list_before_post_patch(self) -> bool {
        !self.version.at_least(5, 5)
    }

    /// Whether `klp_try_complete_transition()` sends the fake signals by
    /// itself every `SIGNALS_TIMEOUT` attempts ("signaling remaining
    /// tasks"): v5.1 and later (cba82dea3061 "livepatch: Send a fake signal
    /// periodically", then 0b3d52790e1c "livepatch: Remove signal sysfs
    /// attribute"); before, an administrator wrote the `signal` file.
    pub(crate) fn automatic_signals(self) -> bool {
        self.version.at_least(5, 1)
    }

    // --- ftrace, under patch.c ---------------------------------------------

    /// Whether livepatch's ftrace ops are permanent (FTRACE_OPS_FL_PERMANENT):
    /// v5.5 and later (7162431dcf72 "ftrace: Introduce PERMANENT ftrace_ops
    /// flag"). Then `register_ftrace_function()` refuses them while ftrace
    /// is disabled, and `ftrace_enable_sysctl()` refuses to disable ftrace
    /// while one is registered (EBUSY); before, both succeeded and a
    /// patched function silently ran its original code while ftrace was off.
    pub(crate) fn ftrace_ops_permanent(self) -> bool {
        self.version.at_least(5, 5)
    }

    // --- core.c: the sysfs attributes -----------------------------------

    /// Whether `/sys/kernel/livepatch/<patch>/ATTR` exists (of those the
    /// model knows): `enabled` and `transition` always; `force` from v4.16
    /// ("livepatch: force transition to finish"); `signal` (`signal_store()`
    /// in core.c) from v4.16 (43347d56c8d9 "livepatch: send a fake signal to
    /// all blocking tasks") until v5.1's 0b3d52790e1c ("livepatch: Remove signal sysfs
    /// attribute"); `replace` from v6.11 ("livepatch: Add "replace" sysfs
    /// attribute", ABI KernelVersion 6.11.0); `stack_order`
    /// (`stack_order_show()` in core.c) from v6.14 (3dae09de4061 "livepatch:
    /// Add stack_order sysfs attribute", in livepatching-for-6.14).
    pub(crate) fn patch_attr_exists(self, attr: &str) -> bool {
        match attr {
            "force" => self.version.at_least(4, 16),
            "signal" => self.version.at_least(4, 16) && !self.version.at_least(5, 1),
            "replace" => self.version.at_least(6, 11),
            "stack_order" => self.version.at_least(6, 14),
            _ => true,
        }
    }

    /// Whether `/sys/kernel/livepatch/<patch>/<object>/patched` exists: v6.0
    /// and later ("livepatch: add sysfs entry "patched" for each
    /// klp_object", ABI KernelVersion 6.0.0).
    pub(crate) fn object_patched_attr(self) -> bool {
        self.version.at_least(6, 0)
    }

    // --- the selftest modules and harness ----------------------------------

    /// Whether lib/livepatch/test_klp_shadow_vars.c's init is its first
    /// form (v5.1 to v5.8: four variables on `THIS_MODULE`, `+ 1`, `+ 2`,
    /// the last freed by `klp_shadow_free_all()` with the destructor), before
    /// livepatching-for-5.9's 6a26a9df169d "selftests/livepatch: rework
    /// test-klp-shadow-vars" and 76efe6da89d8 "selftests/livepatch: more
    /// verification in test-klp-shadow-vars" (three objects, two passes of
    /// checks).
    pub(crate) fn shadow_vars_test_first_form(self) -> bool {
        !self.version.at_least(5, 9)
    }

    /// Whether functions.sh's `set_ftrace_enabled()` logs sysctl's whole
    /// output pasted onto one line (`sysctl KEY=N 2>&1 | paste --serial`):
    /// the selftests of v5.5 to v5.8 (test-ftrace.sh came in v5.5), written
    /// for procps before 3.3.16, whose sysctl prints "KEY = N" after its
    /// error even when the write fails. livepatching-for-5.9's
    /// "selftests/livepatch: adopt to newer sysctl error format" runs
    /// `sysctl -q` and reads the key back only on success.
    pub(crate) fn set_ftrace_enabled_pastes_sysctl_output(self) -> bool {
        !self.version.at_least(5, 9)
    }

    // --- state.c --------------------------------------------------------

    /// Whether `struct klp_state` and the compatibility check of
    /// `klp_enable_patch()` exist: v5.5 and later ("livepatch: Basic API to
    /// track system state changes", "livepatch: Allow to distinguish
    /// different version of system state changes").
    pub(crate) fn has_klp_state(self) -> bool {
        self.version.at_least(5, 5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_banners_and_uname() {
        assert_eq!(KernelVersion::parse("5.4"), Ok(KernelVersion::v(5, 4)));
        assert_eq!(KernelVersion::parse("v6.12"), Ok(KernelVersion::v(6, 12)));
        assert_eq!(
            KernelVersion::parse("5.14.0-70.13.1.el9_0.x86_64"),
            Ok(KernelVersion::v(5, 14))
        );
        assert_eq!(
            KernelVersion::parse("4.15.0-rc3+"),
            Ok(KernelVersion::v(4, 15))
        );
        assert_eq!(KernelVersion::parse("latest"), Ok(KernelVersion::Latest));
        assert!(KernelVersion::parse("4.14").unwrap_err().contains("v4.15"));
        assert!(KernelVersion::parse("five").is_err());
        assert!(KernelVersion::v(6, 12) < KernelVersion::Latest);
        assert!(KernelVersion::v(5, 4) < KernelVersion::v(5, 18));
        assert_eq!(
            KernelVersion::from_banner(
                "[    0.000000] Linux version 5.15.0-91-generic (buildd@lcy02) (gcc 11.4.0)\n"
            ),
            Some(KernelVersion::v(5, 15))
        );
        assert_eq!(KernelVersion::from_banner("livepatch: x"), None);
    }

    #[test]
    fn decisions_follow_the_commits() {
        let k = |major, minor| Kernel {
            semantics: Semantics::Upstream,
            version: KernelVersion::v(major, minor),
        };
        assert!(k(5, 17).force_marks_every_patch());
        assert!(!k(5, 18).force_marks_every_patch());
        assert!(k(5, 4).replaced_patches_leave_list_before_post_patch());
        assert!(!k(5, 5).replaced_patches_leave_list_before_post_patch());
        assert!(!k(5, 4).has_klp_state() && k(5, 5).has_klp_state());
        assert!(!Kernel::default().force_marks_every_patch());
        assert!(Kernel::default().has_klp_state());
        assert!(!k(4, 15).patch_attr_exists("signal") && k(4, 16).patch_attr_exists("signal"));
        assert!(k(5, 0).patch_attr_exists("signal") && !k(5, 1).patch_attr_exists("signal"));
        assert!(!k(6, 13).patch_attr_exists("stack_order"));
        assert!(k(6, 14).patch_attr_exists("stack_order"));
        assert!(Kernel::default().patch_attr_exists("stack_order"));
        assert!(k(5, 8).shadow_vars_test_first_form() && !k(5, 9).shadow_vars_test_first_form());
        assert!(!Kernel::default().shadow_vars_test_first_form());
        assert!(k(5, 5).set_ftrace_enabled_pastes_sysctl_output());
        assert!(!k(5, 4).ftrace_ops_permanent());
        assert!(k(5, 5).ftrace_ops_permanent());
        assert!(!k(5, 9).set_ftrace_enabled_pastes_sysctl_output());
        assert!(!Kernel::default().set_ftrace_enabled_pastes_sysctl_output());
    }

    #[test]
    fn the_kernel_header_is_read_and_its_errors_say_where() {
        let s = crate::parse("# kernel: 5.4\n% modprobe test_klp_callbacks_mod\n").unwrap();
        assert_eq!(s.kernel, Some(KernelVersion::v(5, 4)));
        assert_eq!(
            crate::parse("# a comment\n").map(|s| s.kernel).ok(),
            Some(None)
        );
        let e = crate::parse("# kernel: 3.10\n").unwrap_err().to_string();
        assert!(e.starts_with("line 1, col 11"), "{e}");
        assert!(e.contains("v4.15"), "{e}");
        let e = crate::parse("% modprobe test_klp_callbacks_mod\n# kernel: 5.4\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 2, col 1:"), "{e}");
        let e = crate::parse("# kernel: 5.4\n# kernel: 6.1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a second kernel"), "{e}");
    }

    #[test]
    fn a_switch_rewrites_only_the_kernel_header() {
        let text = "# semantics: seed-v1\n# kernel: 5.4\n% rmmod x\n";
        assert_eq!(
            crate::scenario::with_kernel(text, KernelVersion::v(6, 1)),
            "# semantics: seed-v1\n# kernel: 6.1\n% rmmod x\n"
        );
        assert_eq!(
            crate::scenario::with_kernel(text, KernelVersion::Latest),
            "# semantics: seed-v1\n% rmmod x\n"
        );
        assert_eq!(
            crate::scenario::with_kernel("% rmmod x\n", KernelVersion::v(5, 4)),
            "# kernel: 5.4\n% rmmod x\n"
        );
        for (v, why) in KernelVersion::NOTABLE {
            assert_eq!(KernelVersion::parse(&v.name()), Ok(v), "{why}");
        }
    }
}
