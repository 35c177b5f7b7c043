//! The modelled system: the livepatch core's globals, the loaded modules and
//! the tasks, as fields of one [`World`]. The code that changes them lives
//! in `livepatch/` and `module.rs`, named after the kernel functions.

use crate::catalog::{CallbackDef, Catalog, FuncDef, ModuleDef, StateDef};
use crate::event::{CallbackKind, Event, EventKind, KlpState, Level, ModuleState, TransitionPhase};
use crate::livepatch::kernel_version::{Kernel, KernelVersion};
use crate::semantics::{Semantics, StateCallbacksDef};
use crate::snapshot::{
    ModuleSnapshot, ObjectSnapshot, PatchSnapshot, Snapshot, TaskSnapshot, TransitionSnapshot,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `struct klp_func` at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Func {
    pub def: FuncDef,
    /// Added by atomic replace: redirects to the original code.
    pub nop: bool,
    /// On its ftrace ops `func_stack`.
    pub patched: bool,
    /// A transition involving this func is in flight.
    pub transition: bool,
}

/// `struct klp_object` at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Object {
    /// `None` is vmlinux.
    pub name: Option<String>,
    pub funcs: Vec<Func>,
    /// Shared for the same reason as [`Module::def`].
    pub callbacks: Arc<[(CallbackKind, CallbackDef)]>,
    /// `obj->callbacks.post_unpatch_enabled`.
    pub post_unpatch_enabled: bool,
    /// `obj->mod != NULL`: bound to a loaded, `klp_alive` module.
    pub mod_bound: bool,
    /// `obj->patched`.
    pub patched: bool,
    /// Allocated by atomic replace (no callbacks).
    pub dynamic: bool,
}

impl Object {
    /// `klp_is_module()`
    pub fn is_module(&self) -> bool {
        self.name.is_some()
    }

    /// `klp_is_object_loaded()`
    pub fn is_loaded(&self) -> bool {
        !self.is_module() || self.mod_bound
    }

    /// The name the kernel prints (`obj->name ?: "vmlinux"`).
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("vmlinux")
    }
}

/// `struct klp_patch` at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Patch {
    /// `patch->mod->name`.
    pub name: String,
    pub objs: Vec<Object>,
    pub replace: bool,
    pub states: Vec<StateDef>,
    /// `patch->enabled`.
    pub enabled: bool,
    /// `patch->forced`: the module reference is never dropped.
    pub forced: bool,
    /// The states' callbacks and their run-time flags (2025 proposal).
    pub state_cbs: Vec<StateCallbacks>,
}

/// A `klp_state` with `struct klp_state_callbacks` at run time (2025
/// proposal; unused by the other profiles).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StateCallbacks {
    pub def: StateCallbacksDef,
    /// This transition introduces the state (no other patch has it).
    pub introducing: bool,
    /// `callbacks.pre_patch_succeeded`.
    pub pre_patch_succeeded: bool,
    /// Its pre_unpatch ran: the state is leaving with this transition.
    pub leaving: bool,
}

/// One entry of an ftrace ops `func_stack`: a func of a patch's object.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StackEntry {
    pub patch: String,
    pub obj: usize,
    pub func: usize,
}

/// `struct klp_ops`: one per patched function, with the stack of funcs that
/// redirect it (newest last here, `list_first_entry` in the kernel).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Ops {
    /// The object the function belongs to (`None` = vmlinux).
    pub obj: Option<String>,
    pub old_name: String,
    pub func_stack: Vec<StackEntry>,
}

/// Which code a task runs for a function.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Impl {
    /// The original function (or a nop, which redirects to it).
    Original,
    /// A patch's replacement.
    New { patch: String, name: String },
}

/// A function a task sleeps in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Frame {
    pub obj: Option<String>,
    pub func: String,
    pub code: Impl,
}

/// What lets a sleeping task continue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Park {
    /// Loops while a bool parameter of its module is set.
    WhileParam(String),
    /// Sleeps until its module's exit waits for it.
    UntilExit,
    /// Sleeps until this time (seconds since boot, see `World::clock`).
    Until(u64),
}

/// A task (`struct task_struct`) with its livepatch state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Task {
    pub comm: String,
    pub pid: u32,
    /// `task->patch_state`.
    pub patch_state: KlpState,
    /// `TIF_PATCH_PENDING`.
    pub pending: bool,
    /// The module whose code it runs, if any.
    pub owner: Option<String>,
    /// Where it sleeps (and so what the stack check sees).
    pub frame: Option<Frame>,
    pub park: Option<Park>,
    /// Lines its owner module prints when it wakes and returns.
    pub on_wake: Vec<String>,
    /// A user process that calls this vmlinux function (a syscall) in a
    /// loop, entering and leaving the kernel (test_klp-call_getpid).
    pub calls: Option<String>,
}

impl Task {
    pub fn label(&self) -> String {
        format!("{}:{}", self.comm, self.pid)
    }
}

/// A registered kprobe (`struct kprobe`) on a function's ftrace location
/// (CONFIG_KPROBES_ON_FTRACE).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Kprobe {
    /// The module that registered it.
    pub owner: String,
    /// `kp.symbol_name`.
    pub symbol: String,
    /// Armed through `kprobe_ipmodify_ops` (it has a post handler), which
    /// carries FTRACE_OPS_FL_IPMODIFY; otherwise `kprobe_ftrace_ops`.
    pub ipmodify: bool,
}

/// A loaded module (`struct module`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Module {
    /// Shared: a loaded module's definition never changes, and a world is
    /// cloned at every step of an exploration.
    pub def: Arc<ModuleDef>,
    /// `mod->state`.
    pub state: ModuleState,
    /// `mod->klp_alive`.
    pub klp_alive: bool,
    /// References held by others (the livepatch core holds one on a livepatch module).
    pub refcnt: u32,
    /// Current parameter values, as sysfs prints them.
    pub params: Vec<(String, String)>,
    /// The `num` count of each array parameter given at load
    /// (`module_param_array(name, type, &num, perm)`), as the module's code
    /// may change it.
    pub array_counts: Vec<(String, u32)>,
    /// Its init never returned (it waits for something that cannot happen).
    pub init_stuck: bool,
    /// The tasks a parameter write has started (`started by param`): each
    /// starts once, as the generated `set` op keeps its `task_struct`.
    pub started: Vec<String>,
}

impl Module {
    pub fn name(&self) -> &str {
        &self.def.name
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn param_bool(&self, name: &str) -> bool {
        self.param(name) == Some("Y")
    }

    /// The `num` of an array parameter (0 if none was given).
    pub fn array_count(&self, name: &str) -> u32 {
        self.array_counts
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, c)| *c)
    }

    pub fn param_int(&self, name: &str) -> i32 {
        self.param(name).and_then(|v| v.parse().ok()).unwrap_or(0)
    }
}

/// The whole modelled system. Deterministic: the same commands give the
/// same events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct World {
    /// Shared: fixed at boot.
    pub(crate) catalog: Arc<Catalog>,
    /// Loaded modules, in load order.
    pub(crate) modules: Vec<Module>,
    /// `klp_patches`: enabled patches and the one in transition, oldest first.
    pub(crate) klp_patches: Vec<Patch>,
    /// `klp_transition_patch`: the one patch in transition.
    pub(crate) klp_transition_patch: Option<String>,
    /// `klp_target_state`.
    pub(crate) klp_target_state: KlpState,
    /// `klp_signals_cnt`: failed completion attempts of this transition.
    pub(crate) klp_signals_cnt: u32,
    /// `klp_ops`: one per redirected function.
    pub(crate) klp_ops: Vec<Ops>,
    /// Every task, idle tasks included.
    pub(crate) tasks: Vec<Task>,
    pub(crate) next_pid: u32,
    /// `kernel.ftrace_enabled`.
    pub(crate) ftrace_enabled: bool,
    /// Registered kprobes (kernel/kprobes.c), in registration order.
    pub(crate) kprobes: Vec<Kprobe>,
    /// Seconds since boot; only `sleep` advances it.
    pub(crate) clock: u64,
    /// Patches whose `free_work` is queued (`klp_free_patch_finish` pending).
    pub(crate) free_work: Vec<Patch>,
    /// `klp_shadow_hash`: the attached shadow variables (shadow.c).
    pub(crate) klp_shadow_hash: Vec<crate::livepatch::shadow::KlpShadow>,
    /// The next address the model's `kzalloc()` hands out.
    pub(crate) heap_next: crate::livepatch::shadow::Ptr,
    /// The transition in progress was reversed / forced (for the views).
    pub(crate) transition_reversed: bool,
    pub(crate) transition_forced: bool,
    /// Which kernel's semantics this system follows (fixed at boot).
    pub(crate) semantics: Semantics,
    /// Which mainline release it is (fixed at boot; latest by default).
    pub(crate) kernel_version: KernelVersion,
    /// Test builds only: a kernel rule deliberately broken, so that a test
    /// can check that exploration catches it.
    #[cfg(test)]
    pub(crate) broken: Option<BrokenRule>,
    /// Per livepatch module, its states' callbacks as declared (2025 proposal).
    pub(crate) state_callbacks: BTreeMap<String, Vec<StateCallbacksDef>>,
    // Output of the command being applied.
    pub(crate) step: usize,
    pub(crate) events: Vec<Event>,
    pub(crate) why: Vec<&'static str>,
}

/// The multiply-rotate hash of rustc's `FxHasher`: state hashes only tell
/// states apart within one process, so speed matters more than DoS
/// resistance (SipHash was a third of an exploration's time).
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A kernel rule a test can break (`World::broken`, test builds only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BrokenRule {
    /// `klp_post_unpatch_callback()` ignores `post_unpatch_enabled`.
    PostUnpatchGate,
}

impl World {
    /// Whether a test broke this rule; always false outside tests.
    pub(crate) fn rule_broken(&self, _rule: BrokenRule) -> bool {
        #[cfg(test)]
        {
            self.broken == Some(_rule)
        }
        #[cfg(not(test))]
        {
            false
        }
    }

    /// A freshly booted system with the built-in catalog.
    pub fn new() -> World {
        World::with_catalog(Catalog::builtin())
    }

    /// A freshly booted system that can load the given modules.
    pub fn with_catalog(catalog: Catalog) -> World {
        World::with_semantics(catalog, Semantics::Upstream)
    }

    /// A freshly booted system that can load the given modules and follows
    /// the given kernel's livepatch semantics.
    pub fn with_semantics(catalog: Catalog, semantics: Semantics) -> World {
        let base = |comm: &str, pid| Task {
            comm: comm.into(),
            pid,
            patch_state: KlpState::Idle,
            pending: false,
            owner: None,
            frame: None,
            park: None,
            on_wake: Vec::new(),
            calls: None,
        };
        World {
            catalog: Arc::new(catalog),
            modules: Vec::new(),
            klp_patches: Vec::new(),
            klp_transition_patch: None,
            klp_target_state: KlpState::Idle,
            klp_signals_cnt: 0,
            klp_ops: Vec::new(),
            tasks: vec![
                base("systemd", 1),
                base("bash", 1000),
                base("swapper/0", 0),
                base("swapper/1", 0),
            ],
            next_pid: 1001,
            ftrace_enabled: true,
            kprobes: Vec::new(),
            clock: 0,
            free_work: Vec::new(),
            klp_shadow_hash: Vec::new(),
            heap_next: crate::livepatch::shadow::HEAP_START,
            transition_reversed: false,
            transition_forced: false,
            #[cfg(test)]
            broken: None,
            semantics,
            kernel_version: KernelVersion::Latest,
            state_callbacks: BTreeMap::new(),
            step: 0,
            events: Vec::new(),
            why: Vec::new(),
        }
    }

    /// A hash of the system's state (not of the last command's output):
    /// two worlds with the same hash behave the same from here on.
    pub fn state_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = FxHasher::default();
        self.modules.hash(&mut h);
        self.klp_patches.hash(&mut h);
        self.klp_transition_patch.hash(&mut h);
        self.klp_target_state.hash(&mut h);
        self.klp_ops.hash(&mut h);
        self.tasks.hash(&mut h);
        self.next_pid.hash(&mut h);
        self.ftrace_enabled.hash(&mut h);
        self.kprobes.hash(&mut h);
        self.clock.hash(&mut h);
        self.free_work.hash(&mut h);
        self.klp_shadow_hash.hash(&mut h);
        self.heap_next.hash(&mut h);
        self.transition_reversed.hash(&mut h);
        self.transition_forced.hash(&mut h);
        h.finish()
    }

    /// The semantics profile this system follows.
    pub fn semantics(&self) -> Semantics {
        self.semantics
    }

    /// The same system booted on mainline release `version` instead of the
    /// latest (before any command runs).
    pub fn on_kernel(mut self, version: KernelVersion) -> World {
        self.kernel_version = version;
        self
    }

    /// The mainline release this system runs.
    pub fn kernel_version(&self) -> KernelVersion {
        self.kernel_version
    }

    /// The kernel this system runs: the decisions where kernels differ
    /// (livepatch/kernel_version.rs).
    pub(crate) fn kernel(&self) -> Kernel {
        Kernel {
            semantics: self.semantics,
            version: self.kernel_version,
        }
    }

    /// Gives the livepatch modules their states' callbacks
    /// ([`Scenario::state_callbacks`](crate::Scenario::state_callbacks)),
    /// which the `state-callbacks-2025` profile runs.
    pub fn declare_state_callbacks(&mut self, table: BTreeMap<String, Vec<StateCallbacksDef>>) {
        self.state_callbacks = table;
    }

    /// The modules this world can load.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Runs `f` with `name` pushed on the call chain that events record.
    pub(crate) fn call<R>(&mut self, name: &'static str, f: impl FnOnce(&mut World) -> R) -> R {
        self.why.push(name);
        let r = f(self);
        self.why.pop();
        r
    }

    /// Records an event at the current step and call chain.
    pub(crate) fn emit(
        &mut self,
        kind: EventKind,
        text: Option<String>,
        patch: Option<&str>,
        object: Option<&str>,
    ) {
        let module_state = object.and_then(|o| self.module(o)).map(|m| m.state);
        self.events.push(Event {
            step: self.step,
            kind,
            text,
            patch: patch.map(Into::into),
            object: object.map(Into::into),
            module_state,
            why: self.why.iter().map(|s| s.to_string()).collect(),
        });
    }

    /// `pr_*()` from kernel/livepatch: the line gets the `livepatch: ` prefix.
    pub(crate) fn pr(&mut self, level: Level, msg: String, patch: Option<&str>) {
        self.emit(
            EventKind::Kernel { level },
            Some(format!("livepatch: {msg}")),
            patch,
            None,
        );
    }

    /// A module's own `pr_info()`: the line gets the `<module>: ` prefix.
    pub(crate) fn mod_print(&mut self, module: &str, msg: &str) {
        self.emit(
            EventKind::ModuleOutput,
            Some(format!("{module}: {msg}")),
            None,
            Some(module),
        );
    }

    /// A note from the model, shown as a `# ` comment line.
    pub(crate) fn note(&mut self, msg: String) {
        self.emit(EventKind::Note, Some(format!("# {msg}")), None, None);
    }

    pub(crate) fn module(&self, name: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.name() == name)
    }

    pub(crate) fn module_mut(&mut self, name: &str) -> Option<&mut Module> {
        self.modules.iter_mut().find(|m| m.name() == name)
    }

    pub(crate) fn patch_index(&self, name: &str) -> Option<usize> {
        self.klp_patches.iter().position(|p| p.name == name)
    }

    pub(crate) fn patch(&self, name: &str) -> Option<&Patch> {
        self.klp_patches.iter().find(|p| p.name == name)
    }

    pub(crate) fn patch_mut(&mut self, name: &str) -> Option<&mut Patch> {
        self.klp_patches.iter_mut().find(|p| p.name == name)
    }

    pub(crate) fn is_transition_patch(&self, name: &str) -> bool {
        self.klp_transition_patch.as_deref() == Some(name)
    }

    /// Sets a module's state, reporting the change.
    pub(crate) fn set_module_state(&mut self, name: &str, state: ModuleState) {
        if let Some(m) = self.module_mut(name) {
            m.state = state;
        }
        self.emit(
            EventKind::ModuleState {
                module: name.into(),
                state: Some(state),
            },
            None,
            None,
            Some(name),
        );
    }

    /// What `/sys`, `/proc` and the core's globals show now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            patches: self
                .klp_patches
                .iter()
                .map(|p| self.patch_snapshot(p))
                .collect(),
            transition: self
                .klp_transition_patch
                .as_ref()
                .map(|name| TransitionSnapshot {
                    patch: name.clone(),
                    target: self.klp_target_state,
                    pending: self
                        .tasks
                        .iter()
                        .filter(|t| t.patch_state != self.klp_target_state)
                        .count(),
                    blocked: self.blocked_tasks(),
                    reversed: self.transition_reversed,
                    forced: self.transition_forced,
                }),
            modules: self
                .modules
                .iter()
                .map(|m| ModuleSnapshot {
                    name: m.name().into(),
                    state: m.state,
                    livepatch: matches!(m.def.body, crate::catalog::ModuleBody::Livepatch(_)),
                    refcnt: m.refcnt,
                    klp_alive: m.klp_alive,
                    params: m.params.clone(),
                })
                .collect(),
            tasks: self
                .tasks
                .iter()
                .map(|t| TaskSnapshot {
                    name: t.label(),
                    patch_state: t.patch_state,
                    pending: t.pending,
                    sleeping_in: t.frame.as_ref().map(|f| match &f.code {
                        Impl::Original => f.func.clone(),
                        Impl::New { name, .. } => name.clone(),
                    }),
                })
                .collect(),
            ftrace_enabled: self.ftrace_enabled,
        }
    }

    fn patch_snapshot(&self, p: &Patch) -> PatchSnapshot {
        PatchSnapshot {
            name: p.name.clone(),
            enabled: p.enabled,
            transition: self.is_transition_patch(&p.name),
            forced: p.forced,
            replace: p.replace,
            states: p.states.iter().map(|s| (s.id, s.version)).collect(),
            objects: p
                .objs
                .iter()
                .map(|o| ObjectSnapshot {
                    name: o.display_name().into(),
                    loaded: o.is_loaded(),
                    patched: o.patched,
                    dynamic: o.dynamic,
                    funcs: o
                        .funcs
                        .iter()
                        .map(|f| {
                            if f.nop {
                                format!("{} (nop)", f.def.old_name)
                            } else {
                                f.def.old_name.clone()
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// Which object of which patch a core function works on (`struct klp_object *`).
#[derive(Clone, Copy)]
pub(crate) struct ObjRef<'a> {
    pub patch: &'a str,
    pub obj: usize,
}

/// Support for the views: events and facts the kernel does not print but a
/// timeline or the state panel shows.
impl World {
    /// The `Transition` event of a phase (a view's marker; the kernel's own
    /// line, if any, is a separate event).
    pub(crate) fn transition_event(&mut self, phase: TransitionPhase) {
        let patch = self.klp_transition_patch.clone();
        self.emit(
            EventKind::Transition {
                phase,
                target: self.klp_target_state,
            },
            None,
            patch.as_deref(),
            None,
        );
    }

    /// Tasks that the last attempt could not switch, with what blocks them.
    pub(crate) fn blocked_tasks(&self) -> Vec<(String, String)> {
        if self.klp_transition_patch.is_none() {
            return Vec::new();
        }
        (0..self.tasks.len())
            .filter(|&t| self.tasks[t].patch_state != self.klp_target_state)
            .filter_map(|t| self.klp_check_stack(t).map(|f| (self.tasks[t].label(), f)))
            .collect()
    }

    /// The object an [`ObjRef`] names (no kernel counterpart: C has the pointer).
    pub(crate) fn object_mut(&mut self, o: ObjRef) -> Option<&mut Object> {
        self.patch_mut(o.patch)?.objs.get_mut(o.obj)
    }
}
