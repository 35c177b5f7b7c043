//! Module definitions: the kernel selftest modules built in, and the shape
//! user-declared modules take (see `scenario::decl`).
//!
//! A definition is data; what a module *does* when loaded is carried out by
//! `module.rs` (the loader) and `livepatch/` (the core), never here.

use crate::event::{CallbackKind, Effect};
use serde::Serialize;

mod samples;
pub(crate) mod selftests;
mod shadow;

/// A loadable module: a livepatch or an ordinary (target) module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ModuleDef {
    /// Module name (`KBUILD_MODNAME`).
    pub name: String,
    /// One line for humans.
    pub summary: String,
    /// `module_param`s, all writable (0644) as in the selftest modules.
    pub params: Vec<ParamDef>,
    /// Functions the module defines, for livepatch symbol lookup.
    pub symbols: Vec<String>,
    /// What its init and exit do.
    pub body: ModuleBody,
    /// What its init returns when it fails on purpose (`init returns
    /// -EINVAL`): a target's init prints its lines and returns this before
    /// starting its tasks, a livepatch's returns it before
    /// `klp_enable_patch()`. 0: init does its work and returns its result.
    pub init_returns: i32,
}

/// A `module_param`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ParamDef {
    /// Parameter name.
    pub name: String,
    /// Its type.
    pub kind: ParamKind,
    /// The default, as sysfs prints it.
    pub default: String,
}

/// Parameter types used by the modelled modules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ParamKind {
    /// `int` (`param_set_int`, kstrtoint).
    Int,
    /// `bool` (`param_set_bool`, kstrtobool; sysfs shows Y/N).
    Bool,
    /// `module_param_array(x, int, &num, ...)` (`param_array_set`: a
    /// comma-separated list of ints; `num` counts them).
    IntArray,
    /// `module_param_string()` (`param_set_copystring`).
    String,
}

/// What a module's init/exit do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ModuleBody {
    /// An ordinary module: prints in init/exit, may park tasks in its functions.
    Target {
        /// Lines printed by init (without the `name: ` prefix).
        init: Vec<String>,
        /// Lines printed by exit.
        exit: Vec<String>,
        /// Tasks that sleep in one of the module's functions once it is loaded.
        tasks: Vec<TaskDef>,
    },
    /// test_klp_callbacks_busy, current form: a work item that loops in
    /// `busymod_work_func` while `block_transition` is set; init waits for it to start.
    Busy,
    /// test_klp_callbacks_busy, v5.1 form (and the sample
    /// livepatch-callbacks-busymod): a delayed work item that sleeps
    /// `sleep_secs` seconds in `busymod_work_func`.
    BusyV51 {
        /// What init prints first (its `__func__`).
        init: String,
        /// What exit prints last (its `__func__`).
        exit: String,
    },
    /// A livepatch module: its init returns `klp_enable_patch(&patch)`.
    Livepatch(PatchDef),
    /// test_klp_kprobe: init `register_kprobe()` on the `symbol` parameter,
    /// with a post handler if `has_post_handler`; exit unregisters it.
    Kprobe,
    /// A module whose init or exit runs code of its own, modelled in
    /// `module_code.rs`.
    Code(ModuleCode),
}

/// The built-in modules whose init/exit do more than print lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ModuleCode {
    /// test_klp_shadow_vars.c: init calls the shadow variable API and
    /// prints every call, with pointers as `PTR<n>` ids.
    ShadowVarsTest,
    /// samples/livepatch/livepatch-shadow-mod.c: init queues two delayed
    /// works (allocate a dummy every second, free expired ones every 3 s);
    /// exit cancels them and frees the dummies left.
    ShadowDemo,
}

/// A task that a target module parks in one of its functions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct TaskDef {
    /// `comm` of the task.
    pub name: String,
    /// The function it sleeps in.
    pub sleeps_in: String,
    /// What wakes it.
    pub until: Wake,
    /// Started by init (`None`), or by a write of Y to this bool parameter
    /// (its `kernel_param_ops.set`; a load's parameters count too), once.
    pub started_by: Option<String>,
}

/// What lets a parked task leave its function.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Wake {
    /// The module's exit wakes it.
    Removed,
    /// It loops while this bool parameter is set (and exit clears it).
    ParamCleared(String),
}

/// `struct klp_patch` as the livepatch module declares it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PatchDef {
    /// `objs[]`, in order.
    pub objs: Vec<ObjectDef>,
    /// `patch->replace`.
    pub replace: Flag,
    /// `patch->states`.
    pub states: Vec<StateDef>,
}

/// A patch flag: fixed at build time, or copied from a module parameter in init.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Flag {
    /// Compiled in.
    Fixed(bool),
    /// `patch.replace = replace;` from a module parameter.
    Param(String),
}

/// `struct klp_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StateDef {
    /// `id`
    pub id: u64,
    /// `version`
    pub version: u32,
}

/// `struct klp_object` as declared.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ObjectDef {
    /// `None` for vmlinux.
    pub name: Option<String>,
    /// `funcs[]`.
    pub funcs: Vec<FuncDef>,
    /// The callbacks that exist (absent ones are NULL).
    pub callbacks: Vec<(CallbackKind, CallbackDef)>,
}

impl ObjectDef {
    /// The object's name as the kernel prints it.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("vmlinux")
    }
}

/// `struct klp_func` as declared.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FuncDef {
    /// `old_name`
    pub old_name: String,
    /// Name of the replacement function.
    pub new_name: String,
    /// What the replacement does when a task calls it.
    pub body: FuncBody,
}

/// What a replacement function does.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FuncBody {
    /// What the original does: a task that calls it sleeps there alike,
    /// on the same condition (`sleeps`, the default of a declared `func`).
    Sleeps,
    /// Prints these lines (none: `returns`) and returns at once.
    Returns(Vec<String>),
    /// test_klp_syscall's `lp_sys_getpid()`: if the calling task's pid is
    /// in this int array parameter, zero it there and count it off the
    /// array's `num`; then return the pid.
    ClearsCallerPid(String),
}

/// What one callback does.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CallbackDef {
    /// Prints the selftests' `callback_info()` line first.
    pub report: bool,
    /// What `pre_patch` returns.
    pub ret: Ret,
    /// Further lines it prints (without the module prefix).
    pub lines: Vec<String>,
    /// What it declares it does to the system.
    pub effects: Vec<Effect>,
    /// A helper with its own behaviour (test_klp_state*).
    pub helper: Option<Helper>,
}

impl CallbackDef {
    /// A callback that only prints the `callback_info()` line and returns 0.
    pub fn report() -> CallbackDef {
        CallbackDef {
            report: true,
            ret: Ret::Fixed(0),
            lines: Vec::new(),
            effects: Vec::new(),
            helper: None,
        }
    }
}

/// What `pre_patch` returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Ret {
    /// A constant.
    Fixed(i32),
    /// The current value of an int module parameter (`pre_patch_ret`).
    Param(String),
}

/// Callback helpers of the test_klp_state modules (console_loglevel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Helper {
    /// test_klp_state.c: always allocates/fixes/restores/frees.
    LoglevelV1,
    /// test_klp_state2.c / test_klp_state3.c: takes over a previous state
    /// found with `klp_get_prev_state()`.
    LoglevelV2,
}

/// What the app needs to show a control for a catalog module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ModuleInfo {
    /// Module name.
    pub name: String,
    /// A livepatch module?
    pub livepatch: bool,
    /// One line for humans.
    pub summary: String,
    /// Its parameters.
    pub params: Vec<ParamDef>,
    /// The scenario declares it: loaded as `insmod NAME.ko` (`klpscope
    /// kmod` builds it beside run.sh), where a selftest module is
    /// `test_modules/NAME.ko`.
    pub declared: bool,
}

const DEMO: &str = "test_klp_callbacks_demo";
const MOD: &str = "test_klp_callbacks_mod";
const BUSY: &str = "test_klp_callbacks_busy";

fn all_callbacks(make: impl Fn(CallbackKind) -> CallbackDef) -> Vec<(CallbackKind, CallbackDef)> {
    CallbackKind::ALL
        .into_iter()
        .map(|k| (k, make(k)))
        .collect()
}

fn demo_callbacks() -> Vec<(CallbackKind, CallbackDef)> {
    all_callbacks(|k| CallbackDef {
        ret: if k == CallbackKind::PrePatch {
            Ret::Param("pre_patch_ret".into())
        } else {
            Ret::Fixed(0)
        },
        ..CallbackDef::report()
    })
}

fn int_param(name: &str) -> ParamDef {
    ParamDef {
        name: name.into(),
        kind: ParamKind::Int,
        default: "0".into(),
    }
}

fn bool_param(name: &str) -> ParamDef {
    ParamDef {
        name: name.into(),
        kind: ParamKind::Bool,
        default: "N".into(),
    }
}

fn callbacks_demo() -> ModuleDef {
    demo_livepatch(DEMO, MOD, BUSY, "livepatch")
}

/// test_klp_callbacks_demo.c and the sample it was made from,
/// livepatch-callbacks-demo.c: `callback_info()` reporting callbacks (with
/// `pre_patch_ret`) on vmlinux, the target module `target` and the busy
/// module `busy`, whose `busymod_work_func` it replaces with
/// `patched_work_func`.
pub(crate) fn demo_livepatch(name: &str, target: &str, busy: &str, kind: &str) -> ModuleDef {
    let obj = |name: Option<&str>, funcs: Vec<FuncDef>| ObjectDef {
        name: name.map(Into::into),
        funcs,
        callbacks: demo_callbacks(),
    };
    ModuleDef {
        name: name.into(),
        summary: format!(
            "{kind}: all four callbacks on vmlinux, {target} and {busy} (patches busymod_work_func)"
        ),
        params: vec![int_param("pre_patch_ret")],
        symbols: vec!["patched_work_func".into()],
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![
                obj(None, vec![]),
                obj(Some(target), vec![]),
                obj(
                    Some(busy),
                    vec![FuncDef {
                        old_name: "busymod_work_func".into(),
                        new_name: "patched_work_func".into(),
                        // pr_info("%s\n", __func__);
                        body: FuncBody::Returns(vec!["patched_work_func".into()]),
                    }],
                ),
            ],
            replace: Flag::Fixed(false),
            states: vec![],
        }),
    }
}

fn callbacks_demo2() -> ModuleDef {
    ModuleDef {
        name: "test_klp_callbacks_demo2".into(),
        summary: "livepatch: all four callbacks on vmlinux; replace=1 makes it an atomic replace"
            .into(),
        params: vec![int_param("replace")],
        symbols: vec![],
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![ObjectDef {
                name: None,
                funcs: vec![],
                callbacks: all_callbacks(|_| CallbackDef::report()),
            }],
            replace: Flag::Param("replace".into()),
            states: vec![],
        }),
    }
}

fn callbacks_mod() -> ModuleDef {
    ModuleDef {
        name: MOD.into(),
        summary: "target module: prints in init and exit".into(),
        params: vec![],
        symbols: vec![
            "test_klp_callbacks_mod_init".into(),
            "test_klp_callbacks_mod_exit".into(),
        ],
        init_returns: 0,
        body: ModuleBody::Target {
            init: vec!["test_klp_callbacks_mod_init".into()],
            exit: vec!["test_klp_callbacks_mod_exit".into()],
            tasks: vec![],
        },
    }
}

fn callbacks_busy() -> ModuleDef {
    ModuleDef {
        name: BUSY.into(),
        summary: "target module: a worker loops in busymod_work_func while block_transition=Y"
            .into(),
        params: vec![bool_param("block_transition")],
        symbols: vec![
            "busymod_work_func".into(),
            "test_klp_callbacks_busy_init".into(),
            "test_klp_callbacks_busy_exit".into(),
        ],
        init_returns: 0,
        body: ModuleBody::Busy,
    }
}

fn callbacks_busy_v51() -> ModuleDef {
    ModuleDef {
        summary:
            "target module (v5.1 form): a worker sleeps sleep_secs seconds in busymod_work_func"
                .into(),
        params: vec![int_param("sleep_secs")],
        body: ModuleBody::BusyV51 {
            init: "test_klp_callbacks_busy_init".into(),
            exit: "test_klp_callbacks_busy_exit".into(),
        },
        ..callbacks_busy()
    }
}

fn klp_state(name: &str, version: u32, helper: Helper) -> ModuleDef {
    let effects = |k: CallbackKind| match k {
        CallbackKind::PrePatch => vec![Effect::Allocates("state 1".into())],
        CallbackKind::PostPatch => vec![Effect::Sets("console_loglevel".into())],
        CallbackKind::PreUnpatch => vec![Effect::Restores("console_loglevel".into())],
        CallbackKind::PostUnpatch => vec![Effect::Frees("state 1".into())],
    };
    ModuleDef {
        name: name.into(),
        summary: format!(
            "livepatch (replace): klp_state id 1 version {version}; callbacks manage console_loglevel"
        ),
        params: vec![],
        symbols: vec![],
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![ObjectDef {
                name: None,
                funcs: vec![],
                callbacks: all_callbacks(|k| CallbackDef {
                    effects: effects(k),
                    helper: Some(helper),
                    ..CallbackDef::report()
                }),
            }],
            replace: Flag::Fixed(true),
            states: vec![StateDef { id: 1, version }],
        }),
    }
}

fn klp_livepatch() -> ModuleDef {
    cmdline_livepatch("test_klp_livepatch", "livepatch")
}

/// test_klp_livepatch.c and the sample it was made from, livepatch-sample.c:
/// `cmdline_proc_show()` replaced by `livepatch_cmdline_proc_show()` (what
/// /proc/cmdline then reads is `selftests::seq_show`'s), no callbacks, and
/// an init that only calls `klp_enable_patch()`.
pub(crate) fn cmdline_livepatch(name: &str, kind: &str) -> ModuleDef {
    ModuleDef {
        name: name.into(),
        summary: format!("{kind}: replaces cmdline_proc_show in vmlinux; no callbacks"),
        params: vec![],
        symbols: vec!["livepatch_cmdline_proc_show".into()],
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![ObjectDef {
                name: None,
                funcs: vec![FuncDef {
                    old_name: "cmdline_proc_show".into(),
                    new_name: "livepatch_cmdline_proc_show".into(),
                    // seq_printf() into /proc/cmdline: nothing in the log.
                    body: FuncBody::Returns(vec![]),
                }],
                callbacks: vec![],
            }],
            replace: Flag::Fixed(false),
            states: vec![],
        }),
    }
}

fn klp_atomic_replace() -> ModuleDef {
    ModuleDef {
        name: "test_klp_atomic_replace".into(),
        summary: "livepatch: replaces meminfo_proc_show in vmlinux; replace=1 makes it an atomic replace; no callbacks".into(),
        params: vec![int_param("replace")],
        symbols: vec!["livepatch_meminfo_proc_show".into()],
        init_returns: 0,
        body: ModuleBody::Livepatch(PatchDef {
            objs: vec![ObjectDef {
                name: None,
                funcs: vec![FuncDef {
                    old_name: "meminfo_proc_show".into(),
                    new_name: "livepatch_meminfo_proc_show".into(),
                    body: FuncBody::Returns(vec![]),
                }],
                callbacks: vec![],
            }],
            replace: Flag::Param("replace".into()),
            states: vec![],
        }),
    }
}

/// The built-in modules: the kernel's livepatch selftest modules.
pub fn builtin_defs() -> Vec<ModuleDef> {
    vec![
        callbacks_demo(),
        callbacks_demo2(),
        callbacks_mod(),
        callbacks_busy(),
        callbacks_busy_v51(),
        klp_state("test_klp_state", 1, Helper::LoglevelV1),
        klp_state("test_klp_state2", 2, Helper::LoglevelV2),
        klp_state("test_klp_state3", 2, Helper::LoglevelV2),
        klp_livepatch(),
        klp_atomic_replace(),
        shadow::shadow_vars(),
        samples::livepatch_sample(),
        samples::callbacks_demo(),
        samples::callbacks_mod(),
        samples::callbacks_busymod(),
        samples::shadow_mod(),
        samples::shadow_fix1(),
        samples::shadow_fix2(),
        selftests::syscall(),
        selftests::mod_target(),
        selftests::mod_patch(),
        selftests::kprobe(),
    ]
}

/// The built-in modules as the app lists them (one entry per name; the
/// v5.1 busy module is chosen by loading it with `sleep_secs`).
pub fn builtin() -> Vec<ModuleInfo> {
    Catalog::builtin().infos()
}

/// The modules a scenario can load: built-ins plus its own declarations
/// (a declaration with a built-in's name replaces it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Catalog {
    /// The built-in definitions first (the first `builtins`), then the
    /// declared ones in declaration order.
    defs: Vec<ModuleDef>,
    builtins: usize,
    /// Functions of vmlinux that a livepatch may redirect: kallsyms, as far
    /// as the model knows it.
    vmlinux: Vec<String>,
}

impl Catalog {
    /// The built-in catalog: the selftest modules, and the vmlinux functions
    /// they patch.
    pub fn builtin() -> Catalog {
        let defs = builtin_defs();
        let mut vmlinux: Vec<String> = Vec::new();
        for def in &defs {
            let ModuleBody::Livepatch(p) = &def.body else {
                continue;
            };
            for f in p
                .objs
                .iter()
                .filter(|o| o.name.is_none())
                .flat_map(|o| &o.funcs)
            {
                if !vmlinux.contains(&f.old_name) {
                    vmlinux.push(f.old_name.clone());
                }
            }
        }
        Catalog {
            builtins: defs.len(),
            defs,
            vmlinux,
        }
    }

    /// Adds a vmlinux function (a `define vmlinux` block's `func` line).
    pub fn declare_vmlinux(&mut self, name: &str) {
        if !self.vmlinux_has(name) {
            self.vmlinux.push(name.to_string());
        }
    }

    /// Whether vmlinux has a function of this name.
    pub fn vmlinux_has(&self, name: &str) -> bool {
        self.vmlinux.iter().any(|f| f == name)
    }

    /// The vmlinux functions known to the model, built-in ones first.
    pub fn vmlinux_functions(&self) -> &[String] {
        &self.vmlinux
    }

    /// Adds (or replaces) a declared module.
    pub fn declare(&mut self, def: ModuleDef) {
        let builtins = self.defs.iter().take(self.builtins);
        self.builtins -= builtins.filter(|d| d.name == def.name).count();
        self.defs.retain(|d| d.name != def.name);
        self.defs.push(def);
    }

    /// The scenario's own modules, in declaration order (`klpscope kmod`
    /// writes C for these).
    pub fn declared(&self) -> Vec<&ModuleDef> {
        self.defs.iter().skip(self.builtins).collect()
    }

    /// Every module as the app lists it, one entry per name: the built-in
    /// ones first, then the scenario's declarations in the order written
    /// (a declaration that replaces a built-in moves to its place there).
    pub fn infos(&self) -> Vec<ModuleInfo> {
        let mut out: Vec<ModuleInfo> = Vec::new();
        for (i, def) in self.defs.iter().enumerate() {
            if !out.iter().any(|m| m.name == def.name) {
                out.push(ModuleInfo {
                    name: def.name.clone(),
                    livepatch: matches!(def.body, ModuleBody::Livepatch(_)),
                    summary: def.summary.clone(),
                    params: def.params.clone(),
                    declared: i >= self.builtins,
                });
            }
        }
        out
    }

    /// Module names, deduplicated, in catalog order.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for d in &self.defs {
            if !names.contains(&d.name.as_str()) {
                names.push(&d.name);
            }
        }
        names
    }

    /// Whether a module of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.defs.iter().any(|d| d.name == name)
    }

    /// The module file `insmod`/`modprobe` would load for these parameters:
    /// where two builds share a name (test_klp_callbacks_busy), the one that
    /// knows all the given parameters wins, unless `current_only` (the
    /// `test_modules/` directory holds only the current build).
    pub fn resolve(
        &self,
        name: &str,
        params: &[(String, String)],
        current_only: bool,
    ) -> Option<&ModuleDef> {
        let mut candidates = self.defs.iter().filter(|d| d.name == name);
        let first = candidates.next()?;
        let knows_all = |d: &ModuleDef| {
            params
                .iter()
                .all(|(p, _)| d.params.iter().any(|q| &q.name == p))
        };
        if current_only || knows_all(first) {
            return Some(first);
        }
        candidates.find(|d| knows_all(d)).or(Some(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infos_list_the_declared_modules_after_the_built_in_ones() {
        let text = "define module tgt\n  func f\n  param hold bool = Y\nend\n\
                    define livepatch test_klp_livepatch\n  object vmlinux\n    pre_patch\nend\n\
                    define livepatch fix\n  param ret int\n  object tgt\n    func f -> f2\n    pre_patch returns param ret\nend\n";
        let infos = crate::parse(text).expect("parses").catalog.infos();
        let names: Vec<&str> = infos.iter().map(|m| m.name.as_str()).collect();
        let builtin = builtin();
        let mut expected: Vec<&str> = builtin
            .iter()
            .map(|m| m.name.as_str())
            .filter(|n| *n != "test_klp_livepatch")
            .collect();
        expected.extend(["tgt", "test_klp_livepatch", "fix"]);
        assert_eq!(names, expected);
        // One entry per name: the v5.1 busy build is not listed twice.
        assert_eq!(builtin.len(), builtin_defs().len() - 1);
        assert!(builtin.iter().all(|m| !m.declared));
        assert_eq!(infos.iter().filter(|m| m.declared).count(), 3);
        let tgt = &infos[infos.len() - 3];
        assert!(tgt.declared && !tgt.livepatch);
        assert_eq!(tgt.summary, "declared module");
        assert_eq!(
            (tgt.params[0].name.as_str(), tgt.params[0].default.as_str()),
            ("hold", "Y")
        );
        let fix = &infos[infos.len() - 1];
        assert!(fix.livepatch);
        assert_eq!(fix.params[0].kind, ParamKind::Int);
        // The declared test_klp_livepatch replaced the built-in one.
        assert_eq!(infos[infos.len() - 2].summary, "declared livepatch");
    }
}
