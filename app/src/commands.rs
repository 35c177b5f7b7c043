//! The exact command lines the explorer's controls issue, built from the
//! engine's module catalog. The engine decides what each command does; a
//! command the kernel would refuse is still issued, and the answer shown.

use klpscope_engine::catalog::{self, ModuleInfo, ParamKind};

/// Return values offered for a callback's return-value parameter
/// (`pre_patch_ret`): (value, label).
pub const ERRNO_CHOICES: &[(&str, &str)] = &[
    ("0", "0 (success)"),
    ("-19", "-ENODEV (-19)"),
    ("-22", "-EINVAL (-22)"),
    ("-16", "-EBUSY (-16)"),
    ("-12", "-ENOMEM (-12)"),
];

/// How a control edits a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamControl {
    /// A choice among [`ERRNO_CHOICES`].
    Errno,
    /// Y or N.
    Bool,
    /// 0 or 1 in an int parameter (`replace`).
    Switch,
    /// Any integer.
    Int,
}

/// The control for a catalog parameter.
pub fn param_control(name: &str, kind: ParamKind) -> ParamControl {
    match kind {
        ParamKind::Bool => ParamControl::Bool,
        ParamKind::Int if name.ends_with("_ret") => ParamControl::Errno,
        ParamKind::Int if name == "replace" => ParamControl::Switch,
        ParamKind::Int => ParamControl::Int,
        // klp_pids (test_klp_syscall), symbol (test_klp_kprobe): typed in the
        // command box; the control takes any value as it is.
        ParamKind::IntArray | ParamKind::String => ParamControl::Int,
    }
}

/// The modules the explorer offers, in catalog order.
pub fn modules() -> Vec<ModuleInfo> {
    catalog::builtin()
}

/// `insmod test_modules/NAME.ko p=v ...` (`insmod NAME.ko ...` for a module
/// the scenario declares), naming only parameters that differ from their
/// defaults (as the selftests do).
pub fn insmod(module: &ModuleInfo, values: &[(String, String)]) -> String {
    let dir = if module.declared { "" } else { "test_modules/" };
    let mut cmd = format!("insmod {dir}{}.ko", module.name);
    for p in &module.params {
        if let Some((_, v)) = values.iter().find(|(n, _)| *n == p.name)
            && *v != p.default
            && !v.is_empty()
        {
            cmd.push_str(&format!(" {}={}", p.name, v));
        }
    }
    cmd
}

/// `rmmod NAME`.
pub fn rmmod(name: &str) -> String {
    format!("rmmod {name}")
}

/// `echo V > /sys/kernel/livepatch/NAME/enabled`.
pub fn enabled(name: &str, value: u8) -> String {
    format!("echo {value} > /sys/kernel/livepatch/{name}/enabled")
}

/// `echo 1 > /sys/kernel/livepatch/NAME/force`.
pub fn force(name: &str) -> String {
    format!("echo 1 > /sys/kernel/livepatch/{name}/force")
}

/// `echo V > /sys/module/NAME/parameters/PARAM`.
pub fn param_write(name: &str, param: &str, value: &str) -> String {
    format!("echo {value} > /sys/module/{name}/parameters/{param}")
}

/// `sysctl -w kernel.ftrace_enabled=V`.
pub fn ftrace(value: u8) -> String {
    format!("sysctl -w kernel.ftrace_enabled={value}")
}

/// Every command worth suggesting in the command line, for a `<datalist>`.
pub fn completions(modules: &[ModuleInfo]) -> Vec<String> {
    let mut out = Vec::new();
    for m in modules {
        out.push(insmod(m, &[]));
        for p in &m.params {
            let v = match param_control(&p.name, p.kind) {
                ParamControl::Errno => "-19",
                ParamControl::Bool => "Y",
                ParamControl::Int | ParamControl::Switch => "1",
            };
            out.push(insmod(m, &[(p.name.clone(), v.to_string())]));
        }
        out.push(format!("modprobe {}", m.name));
        out.push(rmmod(&m.name));
        if m.livepatch {
            out.push(enabled(&m.name, 0));
            out.push(enabled(&m.name, 1));
            out.push(force(&m.name));
        }
        for p in &m.params {
            let v = match param_control(&p.name, p.kind) {
                ParamControl::Bool => "N",
                // A parameter without a default (an empty list) gets a value.
                _ if p.default.is_empty() => "0",
                _ => p.default.as_str(),
            };
            out.push(param_write(&m.name, &p.name, v));
        }
    }
    out.push(ftrace(0));
    out.push(ftrace(1));
    // Time passing: sleeping work wakes, the transition work retries.
    out.push("sleep 1".to_string());
    out.push("sleep 10".to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(name: &str) -> ModuleInfo {
        modules()
            .into_iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name} in the catalog"))
    }

    #[test]
    fn insmod_names_only_changed_parameters() {
        let demo = module("test_klp_callbacks_demo");
        assert_eq!(
            insmod(&demo, &[("pre_patch_ret".into(), "0".into())]),
            "insmod test_modules/test_klp_callbacks_demo.ko"
        );
        assert_eq!(
            insmod(&demo, &[("pre_patch_ret".into(), "-19".into())]),
            "insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19"
        );
        let busy = module("test_klp_callbacks_busy");
        assert_eq!(
            insmod(&busy, &[("block_transition".into(), "Y".into())]),
            "insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y"
        );
    }

    const DECLARED: &str = "\
define module tgt
  func f
  param hold bool
  task w sleeps in f while hold
end
define livepatch fix
  param ret int
  object tgt
    func f -> f2
    pre_patch returns param ret
    post_unpatch
end
";

    #[test]
    fn a_declared_module_replays_the_commands_its_controls_issue() {
        let infos = klpscope_engine::parse(DECLARED)
            .expect("parses")
            .catalog
            .infos();
        let [.., tgt, fix] = &infos[..] else {
            panic!("two declared modules");
        };
        assert_eq!((tgt.name.as_str(), fix.name.as_str()), ("tgt", "fix"));
        // As scenarios (and run.sh, which puts the built modules beside
        // it) load a declared module.
        assert_eq!(insmod(fix, &[]), "insmod fix.ko");
        assert_eq!(
            insmod(tgt, &[("hold".into(), "Y".into())]),
            "insmod tgt.ko hold=Y"
        );
        let cmds = [
            insmod(tgt, &[("hold".into(), "Y".into())]),
            insmod(fix, &[]),
            force("fix"),
            param_write("fix", "ret", "-19"),
            param_write("tgt", "hold", "N"),
            enabled("fix", 0),
            rmmod("fix"),
            rmmod("tgt"),
        ];
        let text: String = std::iter::once(DECLARED.to_string())
            .chain(cmds.iter().map(|c| format!("% {c}\n")))
            .collect();
        let run = klpscope_engine::run_text(&text).expect("replays");
        assert_eq!(run.steps.len(), cmds.len());
        for step in &run.steps {
            assert!(
                !step
                    .events
                    .iter()
                    .any(|e| matches!(e.kind, klpscope_engine::event::EventKind::UserError { .. })),
                "{}",
                step.command
            );
        }
        // Loaded, the patch enabled (its transition stalled on the
        // worker, then forced); at the end both gone.
        let after_load = &run.steps[1].snapshot;
        assert!(after_load.modules.iter().any(|m| m.name == "fix"));
        assert!(
            after_load
                .patches
                .iter()
                .any(|p| p.name == "fix" && p.enabled)
        );
        assert!(after_load.transition.is_some());
        assert!(run.steps[2].snapshot.transition.is_none());
        assert!(run.steps[7].snapshot.modules.is_empty());
        for cmd in completions(&infos) {
            klpscope_engine::parse(&format!("{DECLARED}% {cmd}\n"))
                .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        }
    }

    #[test]
    fn every_completion_is_a_command_the_engine_parses() {
        for cmd in completions(&modules()) {
            let text = format!("% {cmd}\n");
            klpscope_engine::parse(&text).unwrap_or_else(|e| panic!("{cmd}: {e}"));
        }
    }
}
