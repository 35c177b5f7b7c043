//! The selftest modules of test-livepatch.sh, test-syscall.sh,
//! test-kprobe.sh and the module-function tests
//! (tools/testing/selftests/livepatch/test_modules/), and what the model
//! needs to know of the user space and the files those scripts read.

use super::{FuncBody, FuncDef, ModuleBody, ModuleDef, ObjectDef, ParamDef, ParamKind, PatchDef};
use crate::catalog::Flag;

const MOD_TARGET: &str = "test_klp_mod_target";

/// test_klp_mod_target.c: creates `/proc/test_klp_mod_target`, shown by
/// `test_klp_mod_target_show()`; init and exit print their names.
pub(super) fn mod_target() -> ModuleDef {
    ModuleDef {
        name: MOD_TARGET.into(),
        summary: "target module: /proc/test_klp_mod_target shows test_klp_mod_target_show()".into(),
        params: vec![],
        symbols: vec![
            "test_klp_mod_target_show".into(),
            "test_klp_mod_target_init".into(),
            "test_klp_mod_target_exit".into(),
        ],
        init_returns: 0,
        body: ModuleBody::Target {
            // pr_info("%s\n", __func__);
            init: vec!["test_klp_mod_target_init".into()],
            exit: vec!["test_klp_mod_target_exit".into()],
            tasks: vec![],
        },
    }
}

/// test_klp_mod_patch.c: patches `test_klp_mod_target_show` in the
/// test_klp_mod_target object; no callbacks, no parameters.
pub(super) fn mod_patch() -> ModuleDef {
    ModuleDef {
        name: "test_klp_mod_patch".into(),
        summary:
            "livepatch: replaces test_klp_mod_target_show in test_klp_mod_target; no callbacks"
                .into(),
        params: vec![],
        symbols: vec!["livepatch_mod_target_show".into()],
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![ObjectDef {
                name: Some(MOD_TARGET.into()),
                funcs: vec![FuncDef {
                    old_name: "test_klp_mod_target_show".into(),
                    new_name: "livepatch_mod_target_show".into(),
                    body: FuncBody::Returns(vec![]),
                }],
                callbacks: vec![],
            }],
            replace: Flag::Fixed(false),
            states: vec![],
        }),
    }
}

/// The getpid syscall as x86_64 names it (`FN_PREFIX` `__x64_` with
/// ARCH_HAS_SYSCALL_WRAPPER); test_klp_syscall.c patches this symbol.
pub(crate) const SYS_GETPID: &str = "__x64_sys_getpid";

/// test_klp_syscall.c: patches the getpid syscall; `klp_pids` (an int
/// array, count in `npids_pending`) lists the pids whose first call of
/// the new `lp_sys_getpid()` is counted off; `/sys/kernel/test_klp_syscall/npids`
/// shows the count still pending.
pub(super) fn syscall() -> ModuleDef {
    ModuleDef {
        name: "test_klp_syscall".into(),
        summary: "livepatch: replaces the getpid syscall; klp_pids lists the processes to count off as they switch"
            .into(),
        params: vec![ParamDef {
            name: "klp_pids".into(),
            kind: ParamKind::IntArray,
            default: String::new(),
        }],
        symbols: vec!["lp_sys_getpid".into()],
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![ObjectDef {
                name: None,
                funcs: vec![FuncDef {
                    old_name: SYS_GETPID.into(),
                    new_name: "lp_sys_getpid".into(),
                    body: FuncBody::ClearsCallerPid("klp_pids".into()),
                }],
                callbacks: vec![],
            }],
            replace: Flag::Fixed(false),
            states: vec![],
        }),
    }
}

/// test_klp_kprobe.c: init registers a kprobe on `symbol` (default
/// `cmdline_proc_show`), with a post handler unless `has_post_handler` is
/// false; exit unregisters it. Its `pr_info()` lines carry no module
/// prefix ("Planted kprobe at ..."), so the selftests' filter drops them
/// and the model prints none.
pub(super) fn kprobe() -> ModuleDef {
    ModuleDef {
        name: "test_klp_kprobe".into(),
        summary: "kprobe on symbol (cmdline_proc_show); with has_post_handler=Y it claims IPMODIFY"
            .into(),
        params: vec![
            ParamDef {
                name: "symbol".into(),
                kind: ParamKind::String,
                default: "cmdline_proc_show".into(),
            },
            ParamDef {
                name: "has_post_handler".into(),
                kind: ParamKind::Bool,
                default: "Y".into(),
            },
        ],
        symbols: vec!["pre_handler".into(), "post_handler".into()],
        init_returns: 0,
        body: ModuleBody::Kprobe,
    }
}

/// A file under /proc that a `show` function of vmlinux or of a module
/// fills (`proc_create_single()`, seq_file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ProcFile {
    /// Its path.
    pub path: &'static str,
    /// The object whose function shows it (`None`: vmlinux).
    pub obj: Option<&'static str>,
    /// The `show` function.
    pub show: &'static str,
}

/// The /proc files the selftests read: `/proc/cmdline`
/// (fs/proc/cmdline.c), `/proc/meminfo` (fs/proc/meminfo.c) and
/// test_klp_mod_target's entry.
pub(crate) const PROC_FILES: [ProcFile; 3] = [
    ProcFile {
        path: "/proc/cmdline",
        obj: None,
        show: "cmdline_proc_show",
    },
    ProcFile {
        path: "/proc/meminfo",
        obj: None,
        show: "meminfo_proc_show",
    },
    ProcFile {
        path: "/proc/test_klp_mod_target",
        obj: Some(MOD_TARGET),
        show: "test_klp_mod_target_show",
    },
];

/// What a `show` function writes (`seq_printf()`), by the module that
/// defines it and its name; `None` for text the model does not know
/// (the boot command line, the memory counters).
pub(crate) fn seq_show(module: Option<&str>, func: &str) -> Option<&'static str> {
    Some(match (module, func) {
        // seq_printf(m, "%s: %s\n", THIS_MODULE->name, "this has been live patched");
        (Some("test_klp_livepatch"), "livepatch_cmdline_proc_show") => {
            "test_klp_livepatch: this has been live patched"
        }
        (Some("test_klp_atomic_replace"), "livepatch_meminfo_proc_show") => {
            "test_klp_atomic_replace: this has been live patched"
        }
        (Some("test_klp_mod_patch"), "livepatch_mod_target_show") => {
            "test_klp_mod_patch: this has been live patched"
        }
        (Some(MOD_TARGET), "test_klp_mod_target_show") => "test_klp_mod_target: original output",
        _ => return None,
    })
}

/// A user-space program the selftests start, and the syscall it calls in
/// a loop.
pub(crate) struct Program {
    /// The command as the script runs it.
    pub path: &'static str,
    /// `comm` of its process.
    pub comm: &'static str,
    /// The vmlinux function each loop iteration calls.
    pub calls: &'static str,
}

/// test_klp-call_getpid.c: loops calling getpid() until SIGTERM/SIGINT.
pub(crate) const PROGRAMS: [Program; 1] = [Program {
    path: "./test_klp-call_getpid",
    comm: "test_klp-call_",
    calls: SYS_GETPID,
}];

/// A sysfs attribute a module creates outside /sys/module (a kobject of
/// its own), shown from the count of one of its array parameters.
pub(crate) struct CountAttr {
    /// The module.
    pub module: &'static str,
    /// Path of the attribute.
    pub path: &'static str,
    /// The array parameter whose count (`module_param_array`'s `num`) it shows.
    pub param: &'static str,
}

/// test_klp_syscall's `npids_show()`: `sprintf(buf, "%u\n", npids_pending)`.
pub(crate) const COUNT_ATTRS: [CountAttr; 1] = [CountAttr {
    module: "test_klp_syscall",
    path: "/sys/kernel/test_klp_syscall/npids",
    param: "klp_pids",
}];

/// The harness step behind a line the selftest scripts write into the
/// log without a `% ` line before it, if `line` is one: test-livepatch.sh's
/// `grep 'live patched' FILE > /dev/kmsg` (the line a patched `show`
/// function of `catalog`'s livepatches prints), test-ftrace.sh's
/// `echo "livepatch: ok"`, test-syscall.sh's count of the processes left.
pub(crate) fn harness_step(line: &str, catalog: &super::Catalog) -> Option<String> {
    if line == "livepatch: ok" {
        return Some("echo \"livepatch: ok\" > /dev/kmsg".into());
    }
    for a in COUNT_ATTRS {
        let prefix = format!("{}: Remaining not livepatched processes: ", a.module);
        if line
            .strip_prefix(&prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Some(format!("echo \"{prefix}$(cat {})\" > /dev/kmsg", a.path));
        }
    }
    if !line.contains("live patched") {
        return None;
    }
    PROC_FILES.iter().find_map(|f| {
        let patched_here = catalog.names().into_iter().any(|m| {
            let Some(def) = catalog.resolve(m, &[], true) else {
                return false;
            };
            let super::ModuleBody::Livepatch(p) = &def.body else {
                return false;
            };
            p.objs
                .iter()
                .filter(|o| o.name.as_deref() == f.obj)
                .flat_map(|o| &o.funcs)
                .any(|func| {
                    func.old_name == f.show && seq_show(Some(m), &func.new_name) == Some(line)
                })
        });
        patched_here.then(|| format!("grep 'live patched' {} > /dev/kmsg", f.path))
    })
}
