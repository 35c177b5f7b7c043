//! The module loader and unloader (kernel/module/main.c), the sysfs and
//! sysctl writes, and `World::apply`, which runs one command and lets the
//! system settle.

use crate::catalog::{FuncBody, ModuleBody, ModuleDef, ParamKind, TaskDef, Wake};
use crate::command::{Command, Loader};
use crate::errno::{Errno, kstrtobool, kstrtoint};
use crate::event::{Event, EventKind, Level, ModuleState};
use crate::world::{Frame, Impl, Module, Park, Task, World};

/// How a module's init ended.
enum InitResult {
    Ok,
    Err(Errno),
    /// Waits forever: the loading command never returns.
    Stuck(String),
}

impl World {
    /// Runs one command; returns what it made happen, in order.
    pub fn apply(&mut self, cmd: &Command) -> Vec<Event> {
        self.step += 1;
        self.events.clear();
        match cmd {
            Command::Load {
                loader,
                path,
                module,
                params,
            } => self.load(*loader, path, module, params),
            Command::Rmmod { module } => self.rmmod(module),
            Command::PatchAttr { patch, attr, value } => {
                self.write_patch_attr(cmd, patch, attr, value)
            }
            Command::Param {
                module,
                param,
                value,
            } => self.write_param(cmd, module, param, value),
            Command::Sysctl { key, value } => self.sysctl(key, value),
            Command::Sleep { secs } => self.sleep(*secs),
            Command::Kmsg { text } => self.devkmsg_write(text),
            Command::Grep { pattern, file } => self.grep_to_kmsg(pattern, file),
            Command::Start { program } => self.start_program(program),
            Command::Kill { pid } => self.kill(*pid),
        }
        self.settle();
        std::mem::take(&mut self.events)
    }

    /// What a short wait after a command brings: sleeping tasks whose
    /// condition cleared return, queued frees run, and the transition work
    /// (`klp_transition_work_fn`) makes one more attempt.
    fn settle(&mut self) {
        self.wake_tasks();
        self.call("klp_free_patch_work_fn", World::klp_free_patch_work_fn);
        if self.klp_transition_patch.is_some() {
            self.call("klp_transition_work_fn", World::klp_try_complete_transition);
            self.call("klp_free_patch_work_fn", World::klp_free_patch_work_fn);
        }
        self.run_user_processes();
    }

    /// `sleep N`: each second, expired sleeps end, queued frees run and the
    /// transition work (`klp_transition_work_fn`) retries.
    fn sleep(&mut self, secs: u32) {
        self.module_code_sleep(secs);
        for _ in 0..secs {
            self.clock += 1;
            self.wake_tasks();
            self.call("klp_free_patch_work_fn", World::klp_free_patch_work_fn);
            if self.klp_transition_patch.is_some() {
                self.call("klp_transition_work_fn", World::klp_try_complete_transition);
            }
            self.run_user_processes();
        }
    }

    fn user_error(&mut self, errno: Errno, text: String) {
        self.emit(
            EventKind::UserError { errno: errno.0 },
            Some(text),
            None,
            None,
        );
    }

    fn load(
        &mut self,
        loader: Loader,
        path: &str,
        name: &str,
        params: &[(String, Option<String>)],
    ) {
        let existing = self.module(name).map(|m| m.state);
        let result = match existing {
            // module_patient_check_exists(): a load of a module that is still
            // coming waits until it is live or gone.
            Some(ModuleState::Coming | ModuleState::Unformed) => {
                let tool = if loader == Loader::Insmod {
                    "insmod"
                } else {
                    "modprobe"
                };
                return self.note(format!(
                    "{tool} does not return: it waits for the first load of {name} to finish"
                ));
            }
            // modprobe: already loaded, nothing to do.
            Some(_) if loader == Loader::Modprobe => return,
            Some(_) => Err(Errno::EEXIST),
            None => {
                let current_only = path.starts_with("test_modules/");
                self.call("load_module", |w| w.load_module(name, params, current_only))
            }
        };
        let Err(e) = result else {
            return;
        };
        // A positive return (a callback returning > 0, kept here as a
        // negative errno) is not an error to user space: the tools succeed.
        if e.0 < 0 {
            return;
        }
        {
            let line = match loader {
                Loader::Insmod => format!(
                    "insmod: ERROR: could not insert module {path}: {}",
                    e.kmod_strerror()
                ),
                // libkmod: a module that is already there is success.
                Loader::Modprobe if e == Errno::EEXIST => return,
                Loader::Modprobe if e == Errno::ENOENT => format!(
                    "modprobe: ERROR: could not insert '{name}': Unknown symbol in module, or unknown parameter (see dmesg)"
                ),
                Loader::Modprobe => {
                    format!(
                        "modprobe: ERROR: could not insert '{name}': {}",
                        e.strerror()
                    )
                }
            };
            self.user_error(e, line);
        }
    }

    /// Kernel: `load_module()` + `do_init_module()`, kernel/module/main.c.
    fn load_module(
        &mut self,
        name: &str,
        params: &[(String, Option<String>)],
        current_only: bool,
    ) -> Result<(), Errno> {
        let given: Vec<(String, String)> = params
            .iter()
            .map(|(p, v)| (p.clone(), v.clone().unwrap_or_default()))
            .collect();
        let Some(def) = self.catalog.resolve(name, &given, current_only).cloned() else {
            return Err(Errno::ENOENT);
        };
        self.modules.push(Module {
            params: def
                .params
                .iter()
                .map(|p| (p.name.clone(), p.default.clone()))
                .collect(),
            def: std::sync::Arc::new(def.clone()),
            state: ModuleState::Unformed,
            klp_alive: false,
            // module_unload_init(): a reference held during initialization.
            refcnt: 1,
            init_stuck: false,
            started: Vec::new(),
            array_counts: Vec::new(),
        });
        self.set_module_state(name, ModuleState::Unformed);
        // complete_formation(): fully formed, ready to run.
        self.set_module_state(name, ModuleState::Coming);
        // prepare_coming_module(): livepatch first, before other notifiers.
        if let Err(e) = self.klp_module_coming(name) {
            self.free_module(name);
            return Err(e);
        }
        if let Err(e) = self.parse_args(&def, params) {
            self.module_going(name);
            return Err(e);
        }
        let result = self.call("do_init_module", |w| w.do_init(&def));
        if !matches!(result, InitResult::Stuck(_)) {
            self.module_put(name); // drop the initial reference
        }
        match result {
            InitResult::Ok => {
                self.set_module_state(name, ModuleState::Live);
                self.after_init(&def);
                Ok(())
            }
            InitResult::Err(e) if e.0 < 0 => {
                // do_init_module(): one pr_warn() of two lines, then dump_stack().
                for line in [
                    format!(
                        "do_init_module: '{name}'->init suspiciously returned {}, it should follow 0/-E convention",
                        -e.0
                    ),
                    "do_init_module: loading module anyway...".to_string(),
                ] {
                    self.emit(
                        EventKind::Kernel { level: Level::Warn },
                        Some(line),
                        None,
                        Some(name),
                    );
                }
                self.note("dump_stack(): the kernel prints the call trace of the init here".into());
                self.set_module_state(name, ModuleState::Live);
                Ok(())
            }
            InitResult::Err(e) => {
                self.module_going(name);
                Err(e)
            }
            InitResult::Stuck(why) => {
                if let Some(m) = self.module_mut(name) {
                    m.init_stuck = true;
                }
                self.note(why);
                Ok(())
            }
        }
    }

    fn module_put(&mut self, name: &str) {
        if let Some(m) = self.module_mut(name) {
            m.refcnt = m.refcnt.saturating_sub(1);
        }
    }

    /// Kernel: `parse_args()` with `unknown_module_param_cb()`, kernel/params.c
    /// and kernel/module/main.c. Runs after `klp_module_coming()`.
    fn parse_args(
        &mut self,
        def: &ModuleDef,
        params: &[(String, Option<String>)],
    ) -> Result<(), Errno> {
        let mut result = Ok(());
        for (p, v) in params {
            let Some(kind) = def.params.iter().find(|d| &d.name == p).map(|d| d.kind) else {
                self.emit(
                    EventKind::Kernel { level: Level::Warn },
                    Some(format!("{}: unknown parameter '{p}' ignored", def.name)),
                    None,
                    Some(&def.name),
                );
                continue;
            };
            // Only bool parameters (KERNEL_PARAM_OPS_FL_NOARG) may omit the
            // value, which then means true.
            let set = match (v.as_deref(), kind) {
                (Some(v), _) => param_set(kind, v),
                (None, ParamKind::Bool) => param_set(kind, "1"),
                (None, _) => Err(Errno::EINVAL),
            };
            match set {
                Ok(shown) => {
                    self.store_param(&def.name, p, kind, shown);
                    self.start_tasks(&def.name, p);
                }
                // parse_args() reports every bad parameter and fails with the last error.
                Err(e) => {
                    self.emit(
                        EventKind::Kernel { level: Level::Err },
                        Some(format!(
                            "{}: `{}' invalid for parameter `{p}'",
                            def.name,
                            v.as_deref().unwrap_or("")
                        )),
                        None,
                        Some(&def.name),
                    );
                    result = Err(e);
                }
            }
        }
        result
    }

    /// The module's init function.
    fn do_init(&mut self, def: &ModuleDef) -> InitResult {
        let name = def.name.as_str();
        // `init returns N`: kept as an errno, negated (a positive N is a
        // negative errno), as the callbacks' returns are.
        let fails = (def.init_returns != 0).then(|| Errno(-def.init_returns));
        match &def.body {
            ModuleBody::Livepatch(_) if let Some(e) = fails => InitResult::Err(e),
            ModuleBody::Livepatch(patch) if self.kernel().registration_api() => {
                match self.klp_register_and_enable_patch(def, patch) {
                    Ok(()) => InitResult::Ok,
                    Err(e) => InitResult::Err(e),
                }
            }
            ModuleBody::Livepatch(patch) => match self.klp_enable_patch(def, patch) {
                Ok(()) => InitResult::Ok,
                Err(e) => InitResult::Err(e),
            },
            ModuleBody::Target { init, tasks, .. } => {
                for line in init {
                    self.mod_print(name, line);
                }
                if let Some(e) = fails {
                    // The failing init stops the tasks a parameter started.
                    self.flush_tasks(name);
                    return InitResult::Err(e);
                }
                for t in tasks.iter().filter(|t| t.started_by.is_none()) {
                    self.spawn_parked(name, t);
                }
                InitResult::Ok
            }
            ModuleBody::Busy => self.busy_init(name),
            ModuleBody::Kprobe => self.kprobe_init(name),
            ModuleBody::BusyV51 { init, .. } => {
                self.mod_print(name, init);
                InitResult::Ok
            }
            ModuleBody::Code(code) => match self.module_code_init(name, *code) {
                Ok(()) => InitResult::Ok,
                Err(e) => InitResult::Err(e),
            },
        }
    }

    /// test_klp_kprobe's `kprobe_init()`: `register_kprobe()` on `symbol`,
    /// with the post handler if `has_post_handler`; its result is init's.
    fn kprobe_init(&mut self, name: &str) -> InitResult {
        let Some(m) = self.module(name) else {
            return InitResult::Err(Errno::ENOENT);
        };
        let symbol = m.param("symbol").unwrap_or_default().to_string();
        let post = m.param_bool("has_post_handler");
        match self.call("register_kprobe", |w| {
            w.register_kprobe(name, &symbol, post)
        }) {
            Ok(()) => InitResult::Ok,
            Err(e) => InitResult::Err(e),
        }
    }

    /// What runs right after init returned (queued work).
    fn after_init(&mut self, def: &ModuleDef) {
        if let ModuleBody::BusyV51 { .. } = def.body {
            // schedule_delayed_work(&work, 0): the work runs now.
            let secs = self
                .module(&def.name)
                .map_or(0, |m| m.param_int("sleep_secs"));
            let (task, code) = self.new_kworker(&def.name, "busymod_work_func");
            match code {
                Impl::New { patch, name } => {
                    self.tasks.remove(task);
                    self.run_replacement(&patch, &name);
                }
                Impl::Original => {
                    self.mod_print(
                        &def.name,
                        &format!("busymod_work_func, sleeping {secs} seconds ..."),
                    );
                    if secs == 0 {
                        self.mod_print(&def.name, "busymod_work_func exit");
                    } else {
                        // msleep() takes an unsigned: a negative time is very long.
                        let secs = u64::try_from(secs).unwrap_or(u64::from(u32::MAX) / 1000);
                        let until = Park::Until(self.clock.saturating_add(secs));
                        self.park(task, &def.name, "busymod_work_func", until);
                    }
                }
            }
        }
    }

    /// test_klp_callbacks_busy_init(): queue the work and wait until it has
    /// started; unless block_transition is set, also wait for it to finish.
    fn busy_init(&mut self, name: &str) -> InitResult {
        self.mod_print(name, "test_klp_callbacks_busy_init");
        let (task, code) = self.new_kworker(name, "busymod_work_func");
        match code {
            Impl::New { patch, name: func } => {
                self.tasks.remove(task);
                self.run_replacement(&patch, &func);
                InitResult::Stuck(format!(
                    "insmod does not return: {name}'s init waits for busymod_work_func to start, \
                     but the work now runs {patch}'s {func}, which never signals it"
                ))
            }
            Impl::Original => {
                self.mod_print(name, "busymod_work_func enter");
                if self
                    .module(name)
                    .is_some_and(|m| m.param_bool("block_transition"))
                {
                    self.park(
                        task,
                        name,
                        "busymod_work_func",
                        Park::WhileParam("block_transition".into()),
                    );
                } else {
                    self.mod_print(name, "busymod_work_func exit");
                }
                InitResult::Ok
            }
        }
    }

    /// What the replacement `func` of `patch` does (`None`: no such one).
    pub(crate) fn replacement_body(&self, patch: &str, func: &str) -> Option<FuncBody> {
        self.patch(patch)?
            .objs
            .iter()
            .flat_map(|o| o.funcs.iter())
            .find(|f| f.def.new_name == func)
            .map(|f| f.def.body.clone())
    }

    /// A replacement function runs instead of the original and returns
    /// (a kworker's work function: what it prints, it prints).
    fn run_replacement(&mut self, patch: &str, func: &str) {
        if let Some(FuncBody::Returns(lines)) = self.replacement_body(patch, func) {
            for line in lines {
                self.mod_print(patch, &line);
            }
        }
    }

    /// A kworker that calls `func` of `module`: which code it gets is the
    /// ftrace handler's choice.
    fn new_kworker(&mut self, module: &str, func: &str) -> (usize, Impl) {
        let idx = self.spawn_task("kworker/0:1", module);
        let code = self.klp_ftrace_handler(&self.tasks[idx], Some(module), func);
        (idx, code)
    }

    fn spawn_task(&mut self, comm: &str, module: &str) -> usize {
        // A kthread that exists during a transition has already been
        // switched: it sleeps outside any patched function.
        let task = Task {
            comm: comm.into(),
            pid: self.next_pid,
            patch_state: self.klp_target_state,
            pending: false,
            owner: Some(module.into()),
            frame: None,
            park: None,
            on_wake: Vec::new(),
            calls: None,
        };
        self.next_pid += 1;
        self.tasks.push(task);
        self.tasks.len() - 1
    }

    /// Parks task `idx` in `func` of `module`, running whatever code the
    /// ftrace handler picks for it.
    fn park(&mut self, idx: usize, module: &str, func: &str, park: Park) {
        let code = self.klp_ftrace_handler(&self.tasks[idx], Some(module), func);
        let t = &mut self.tasks[idx];
        t.frame = Some(Frame {
            obj: Some(module.into()),
            func: func.into(),
            code,
        });
        t.park = Some(park);
        t.on_wake = vec![format!("{func} exit")];
    }

    /// A declared task of a target module: calls one of its functions and
    /// sleeps there, unless the ftrace handler gives it a replacement that
    /// returns at once.
    fn spawn_parked(&mut self, module: &str, def: &TaskDef) {
        let idx = self.spawn_task(&def.name, module);
        let code = self.klp_ftrace_handler(&self.tasks[idx], Some(module), &def.sleeps_in);
        if let Impl::New { patch, name } = code
            && let Some(FuncBody::Returns(lines)) = self.replacement_body(&patch, &name)
        {
            for line in lines {
                self.mod_print(&patch, &line);
            }
            // It goes on outside any modelled function.
            self.tasks.remove(idx);
            return;
        }
        let park = match &def.until {
            Wake::Removed => Park::UntilExit,
            Wake::ParamCleared(p) => Park::WhileParam(p.clone()),
        };
        self.park(idx, module, &def.sleeps_in, park);
        self.tasks[idx].on_wake.clear();
    }

    /// Tasks whose loop condition cleared return from their function.
    fn wake_tasks(&mut self) {
        let mut i = 0;
        while i < self.tasks.len() {
            let wake = match (&self.tasks[i].park, &self.tasks[i].owner) {
                (Some(Park::WhileParam(p)), Some(owner)) => {
                    !self.module(owner).is_some_and(|m| m.param_bool(p))
                }
                (Some(Park::Until(t)), _) => *t <= self.clock,
                _ => false,
            };
            if wake {
                self.finish_task(i);
            } else {
                i += 1;
            }
        }
    }

    /// Task `i` returns from where it sleeps, prints its last lines and exits.
    fn finish_task(&mut self, i: usize) {
        let t = self.tasks.remove(i);
        if let Some(owner) = &t.owner {
            for line in &t.on_wake {
                self.mod_print(owner, line);
            }
        }
    }

    /// Wakes and reaps every task of `module` (its exit waits for them).
    fn flush_tasks(&mut self, module: &str) {
        while let Some(i) = self
            .tasks
            .iter()
            .position(|t| t.owner.as_deref() == Some(module))
        {
            self.finish_task(i);
        }
    }

    /// The `coming_cleanup` / failed-init path: GOING, then `klp_module_going()`.
    fn module_going(&mut self, name: &str) {
        self.set_module_state(name, ModuleState::Going);
        self.klp_module_going(name);
        self.free_module(name);
    }

    fn free_module(&mut self, name: &str) {
        self.modules.retain(|m| m.name() != name);
        self.tasks.retain(|t| t.owner.as_deref() != Some(name));
        self.emit(
            EventKind::ModuleState {
                module: name.into(),
                state: None,
            },
            None,
            None,
            Some(name),
        );
    }

    /// `rmmod NAME`: kmod's checks, then `delete_module()`.
    fn rmmod(&mut self, name: &str) {
        let Some(m) = self.module(name) else {
            let line = format!("rmmod: ERROR: Module {name} is not currently loaded");
            return self.user_error(Errno::ENOENT, line);
        };
        if m.refcnt > 0 {
            let line = format!("rmmod: ERROR: Module {name} is in use");
            return self.user_error(Errno::EBUSY, line);
        }
        if m.state != ModuleState::Live {
            let line = format!(
                "rmmod: ERROR: could not remove module {name}: {}",
                Errno::EBUSY.strerror()
            );
            return self.user_error(Errno::EBUSY, line);
        }
        self.call("delete_module", |w| w.delete_module(name));
    }

    /// Kernel: `delete_module()`, kernel/module/main.c: GOING, the exit
    /// function, then `klp_module_going()`.
    fn delete_module(&mut self, name: &str) {
        let Some(def) = self.module(name).map(|m| m.def.clone()) else {
            return;
        };
        self.set_module_state(name, ModuleState::Going);
        match &def.body {
            ModuleBody::Target { exit, .. } => {
                self.flush_tasks(name);
                for line in exit {
                    self.mod_print(name, line);
                }
            }
            ModuleBody::Busy => {
                // WRITE_ONCE(block_transition, false); flush_work(&work);
                if let Some(m) = self.module_mut(name) {
                    m.params.retain(|(p, _)| p != "block_transition");
                    m.params.push(("block_transition".into(), "N".into()));
                }
                self.flush_tasks(name);
                self.mod_print(name, "test_klp_callbacks_busy_exit");
            }
            ModuleBody::BusyV51 { exit, .. } => {
                // cancel_delayed_work_sync(): waits for a running work item.
                self.flush_tasks(name);
                self.mod_print(name, exit);
            }
            ModuleBody::Code(code) => self.module_code_exit(name, *code),
            ModuleBody::Kprobe => self.call("unregister_kprobe", |w| w.unregister_kprobe(name)),
            // Before v5.1 the exit unregisters the patch (WARN_ON() on error).
            ModuleBody::Livepatch(_) if self.kernel().registration_api() => {
                let _ = self.klp_unregister_patch(name);
            }
            ModuleBody::Livepatch(_) => {}
        }
        self.klp_module_going(name);
        self.free_module(name);
    }

    fn write_patch_attr(&mut self, cmd: &Command, patch: &str, attr: &str, value: &str) {
        if self.patch(patch).is_none() {
            return self.no_such_file(cmd);
        }
        if !self.kernel().patch_attr_exists(attr) {
            // kernfs cannot create a file the kernel does not have.
            return self.write_error(cmd, Errno::EACCES);
        }
        let result = match attr {
            "enabled" => self.enabled_store(patch, value),
            "force" => self.force_store(patch, value),
            "signal" => self.signal_store(patch, value),
            // Read-only attributes (transition, replace, ...).
            _ => Err(Errno::EACCES),
        };
        if let Err(e) = result {
            self.write_error(cmd, e);
        }
    }

    fn write_param(&mut self, cmd: &Command, module: &str, param: &str, value: &str) {
        let Some(params) = self.module(module).map(|m| m.def.params.clone()) else {
            return self.no_such_file(cmd);
        };
        let Some(kind) = params.iter().find(|p| p.name == param).map(|p| p.kind) else {
            // No parameters directory at all, or no such file in it (kernfs
            // cannot create files: EACCES).
            return if params.is_empty() {
                self.no_such_file(cmd)
            } else {
                self.write_error(cmd, Errno::EACCES)
            };
        };
        match param_set(kind, value) {
            Ok(shown) => {
                self.store_param(module, param, kind, shown);
                self.start_tasks(module, param);
            }
            Err(e) => self.write_error(cmd, e),
        }
    }

    /// Keeps a parameter's new value (and an array's count, `num`).
    fn store_param(&mut self, module: &str, param: &str, kind: ParamKind, shown: String) {
        let Some(m) = self.module_mut(module) else {
            return;
        };
        if kind == ParamKind::IntArray {
            let n = shown.split(',').filter(|v| !v.is_empty()).count();
            m.array_counts.retain(|(p, _)| p != param);
            m.array_counts
                .push((param.into(), u32::try_from(n).unwrap_or(u32::MAX)));
        }
        m.params.retain(|(n, _)| n != param);
        m.params.push((param.into(), shown));
    }

    /// The `set` op of a parameter that starts tasks (`started by param`):
    /// once it holds Y, each task it starts that has not started yet starts
    /// and is in place when the write (or the load) returns.
    fn start_tasks(&mut self, module: &str, param: &str) {
        let Some(m) = self.module(module) else {
            return;
        };
        if !m.param_bool(param) {
            return;
        }
        let ModuleBody::Target { tasks, .. } = &m.def.body else {
            return;
        };
        let start: Vec<TaskDef> = tasks
            .iter()
            .filter(|t| t.started_by.as_deref() == Some(param) && !m.started.contains(&t.name))
            .cloned()
            .collect();
        for t in start {
            if let Some(m) = self.module_mut(module) {
                m.started.push(t.name.clone());
            }
            self.call("kthread_run", |w| w.spawn_parked(module, &t));
        }
    }

    fn no_such_file(&mut self, cmd: &Command) {
        let path = cmd.sysfs_path().unwrap_or_default();
        self.user_error(
            Errno::ENOENT,
            format!("-bash: {path}: No such file or directory"),
        );
    }

    fn write_error(&mut self, cmd: &Command, e: Errno) {
        let line = if e == Errno::EACCES {
            format!(
                "-bash: {}: Permission denied",
                cmd.sysfs_path().unwrap_or_default()
            )
        } else {
            format!("-bash: echo: write error: {}", e.strerror())
        };
        self.user_error(e, line);
    }

    /// `sysctl -w kernel.ftrace_enabled=N` as the selftest harness runs it
    /// (`set_ftrace_enabled`), logging what it did: "KEY = N", or procps'
    /// sysctl's error (`xwarn()`: "setting key \"KEY\"" and `strerror()`),
    /// followed before v5.9 by the "KEY = N" older procps still printed.
    fn sysctl(&mut self, key: &str, value: &str) {
        let result = self.call("ftrace_enable_sysctl", |w| {
            let v = kstrtoint(value)?;
            // Permanent ops (livepatch's, v5.5) keep ftrace from being
            // disabled.
            if v == 0 && !w.klp_ops.is_empty() && w.kernel().ftrace_ops_permanent() {
                return Err(Errno::EBUSY);
            }
            w.ftrace_enabled = v != 0;
            Ok(v)
        });
        let line = match result {
            Ok(v) => format!("livepatch: {key} = {v}"),
            Err(e) if self.kernel().set_ftrace_enabled_pastes_sysctl_output() => format!(
                "livepatch: sysctl: setting key \"{key}\": {} {key} = {value}",
                e.strerror()
            ),
            Err(e) => format!("livepatch: sysctl: setting key \"{key}\": {}", e.strerror()),
        };
        self.emit(EventKind::Harness, Some(line), None, None);
    }
}

/// `param_set_int()` / `param_set_bool()` / `param_array_set()` /
/// `param_set_copystring()`: the value as sysfs shows it after.
fn param_set(kind: ParamKind, value: &str) -> Result<String, Errno> {
    match kind {
        ParamKind::Int => kstrtoint(value).map(|v| v.to_string()),
        ParamKind::Bool => kstrtobool(value).map(|b| if b { "Y" } else { "N" }.to_string()),
        ParamKind::IntArray => value
            .split(',')
            .map(|v| kstrtoint(v).map(|n| n.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map(|vs| vs.join(",")),
        // KSYM_NAME_LEN (512) with its NUL: a longer string is -ENOSPC.
        ParamKind::String if value.len() >= 512 => Err(Errno(28)),
        ParamKind::String => Ok(value.to_string()),
    }
}
