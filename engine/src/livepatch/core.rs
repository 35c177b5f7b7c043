//! kernel/livepatch/core.c, in its order: lookups, the sysfs stores, nops,
//! freeing, initialization, enable/disable, atomic replace, and the module
//! loader hooks (`klp_module_coming` / `klp_module_going`).

use crate::catalog::{Flag, ModuleDef, ObjectDef, PatchDef};
use crate::errno::{Errno, kstrtobool};
use crate::event::{EventKind, KlpState, Level};
use crate::world::{Func, ObjRef, Object, Patch, World};
use std::sync::Arc;

impl World {
    /// `klp_for_each_patch()` up to (not including) `limit`: the names, so
    /// the loop body may change the list.
    fn patches_before(&self, limit: &str) -> Vec<String> {
        self.klp_patches
            .iter()
            .map(|p| p.name.clone())
            .take_while(|n| n != limit)
            .collect()
    }

    /// Kernel: `klp_find_object_module()`, kernel/livepatch/core.c: only a
    /// module that `klp_module_coming()` has seen (and `klp_module_going()`
    /// has not) counts as loaded.
    fn klp_find_object_module(&self, obj: &mut Object) {
        if let Some(name) = &obj.name {
            obj.mod_bound = self.module(name).is_some_and(|m| m.klp_alive);
        }
    }

    /// Kernel: `klp_find_object_symbol()`, kernel/livepatch/core.c: kallsyms
    /// of vmlinux (`objname` NULL) or of the module.
    fn klp_find_object_symbol(&self, objname: Option<&str>, name: &str) -> bool {
        match objname {
            None => self.catalog.vmlinux_has(name),
            Some(m) => self
                .module(m)
                .is_some_and(|m| m.def.symbols.iter().any(|s| s == name)),
        }
    }

    /// Kernel: `enabled_store()`, kernel/livepatch/core.c.
    pub(crate) fn enabled_store(&mut self, name: &str, buf: &str) -> Result<(), Errno> {
        self.call("enabled_store", |w| {
            let enabled = kstrtobool(buf)?;
            let current = w.patch(name).map(|p| p.enabled).ok_or(Errno::ENOENT)?;
            if current == enabled {
                return Err(Errno::EINVAL); // already in the requested state
            }
            if w.is_transition_patch(name) {
                w.klp_reverse_transition();
                Ok(())
            } else if !enabled {
                w.__klp_disable_patch(name)
            } else if w.kernel().registration_api() {
                w.__klp_enable_patch(name) // before v5.1 a disabled patch stays registered
            } else {
                Err(Errno::EINVAL) // a disabled patch is freed; it cannot come back
            }
        })
    }

    /// Kernel: `signal_store()`, kernel/livepatch/core.c (v4.16 to v5.0,
    /// `Kernel::patch_attr_exists("signal")`): the administrator's request
    /// to send the fake signals now.
    pub(crate) fn signal_store(&mut self, name: &str, buf: &str) -> Result<(), Errno> {
        self.call("signal_store", |w| {
            if !kstrtobool(buf)? {
                return Ok(());
            }
            if !w.is_transition_patch(name) {
                return Err(Errno::EINVAL);
            }
            w.klp_send_signals();
            Ok(())
        })
    }

    /// Kernel: `force_store()`, kernel/livepatch/core.c.
    pub(crate) fn force_store(&mut self, name: &str, buf: &str) -> Result<(), Errno> {
        self.call("force_store", |w| {
            if !kstrtobool(buf)? {
                return Ok(());
            }
            if !w.is_transition_patch(name) {
                return Err(Errno::EINVAL);
            }
            w.klp_force_transition();
            Ok(())
        })
    }

    /// Kernel: `stack_order_show()`, kernel/livepatch/core.c (v6.14,
    /// 3dae09de4061 "livepatch: Add stack_order sysfs attribute"): the
    /// patch's 1-based position on `klp_patches`, counted by
    /// `klp_for_each_patch()` up to it (the whole list, were it not there).
    pub(crate) fn stack_order_show(&self, name: &str) -> usize {
        self.patch_index(name)
            .map_or(self.klp_patches.len(), |i| i + 1)
    }

    /// Kernel: `klp_add_nops()`, kernel/livepatch/core.c: for everything an
    /// installed patch redirects and the new one does not, a nop func (in a
    /// dynamic object if needed) that leads back to the original code.
    fn klp_add_nops(&self, patch: &mut Patch) {
        for old_patch in &self.klp_patches {
            for old_obj in &old_patch.objs {
                let idx = match patch.objs.iter().position(|o| o.name == old_obj.name) {
                    Some(i) => i,
                    None => {
                        patch.objs.push(Object {
                            dynamic: true,
                            ..Self::klp_init_object_early(&ObjectDef {
                                name: old_obj.name.clone(),
                                funcs: vec![],
                                callbacks: vec![],
                            })
                        });
                        patch.objs.len() - 1
                    }
                };
                let obj = &mut patch.objs[idx];
                for old_func in &old_obj.funcs {
                    if obj
                        .funcs
                        .iter()
                        .any(|f| f.def.old_name == old_func.def.old_name)
                    {
                        continue;
                    }
                    obj.funcs.push(Func {
                        def: old_func.def.clone(),
                        nop: true,
                        patched: false,
                        transition: false,
                    });
                }
            }
        }
    }

    /// Kernel: `klp_free_patch_start()`, kernel/livepatch/core.c: off the list.
    pub(crate) fn klp_free_patch_start(&mut self, name: &str) -> Option<Patch> {
        let i = self.patch_index(name)?;
        let patch = self.klp_patches.remove(i);
        self.emit(
            EventKind::PatchList { added: false },
            None,
            Some(name),
            None,
        );
        Some(patch)
    }

    /// Kernel: `klp_free_patch_finish()`, kernel/livepatch/core.c: the sysfs
    /// directory goes away and, unless forced, the module reference is dropped.
    fn klp_free_patch_finish(&mut self, name: &str, forced: bool) {
        if !forced && let Some(m) = self.module_mut(name) {
            m.refcnt = m.refcnt.saturating_sub(1);
        }
    }

    /// Kernel: `klp_free_patch_work_fn()`, kernel/livepatch/core.c: runs the
    /// queued frees.
    pub(crate) fn klp_free_patch_work_fn(&mut self) {
        for p in std::mem::take(&mut self.free_work) {
            self.klp_free_patch_finish(&p.name, p.forced);
        }
    }

    /// Kernel: `klp_free_patch_async()`, kernel/livepatch/core.c.
    pub(crate) fn klp_free_patch_async(&mut self, name: &str) {
        if let Some(p) = self.klp_free_patch_start(name) {
            self.free_work.push(p); // schedule_work(&patch->free_work)
        }
    }

    /// Kernel: `klp_free_replaced_patches_async()`, kernel/livepatch/core.c.
    pub(crate) fn klp_free_replaced_patches_async(&mut self, new_patch: &str) {
        for old in self.patches_before(new_patch) {
            self.klp_free_patch_async(&old);
        }
    }

    /// Kernel: `klp_init_object_loaded()`, kernel/livepatch/core.c: resolve
    /// each func's `old_name` in the object (`klp_find_object_symbol()`).
    fn klp_init_object_loaded(&mut self, obj: &Object) -> Result<(), Errno> {
        for func in &obj.funcs {
            if !self.klp_find_object_symbol(obj.name.as_deref(), &func.def.old_name) {
                self.pr(
                    Level::Err,
                    format!("symbol '{}' not found in symbol table", func.def.old_name),
                    None,
                );
                return Err(Errno::EINVAL);
            }
        }
        Ok(())
    }

    /// Kernel: `klp_init_object_early()` + `klp_init_func_early()`, kernel/livepatch/core.c.
    fn klp_init_object_early(def: &ObjectDef) -> Object {
        Object {
            name: def.name.clone(),
            funcs: def
                .funcs
                .iter()
                .map(|f| Func {
                    def: f.clone(),
                    nop: false,
                    patched: false,
                    transition: false,
                })
                .collect(),
            callbacks: Arc::from(def.callbacks.as_slice()),
            post_unpatch_enabled: false,
            mod_bound: false,
            patched: false,
            dynamic: false,
        }
    }

    /// Kernel: `klp_init_patch_early()`, kernel/livepatch/core.c.
    pub(crate) fn klp_init_patch_early(&self, module: &ModuleDef, def: &PatchDef) -> Patch {
        let replace = match &def.replace {
            Flag::Fixed(v) => *v,
            Flag::Param(p) => self
                .module(&module.name)
                .is_some_and(|m| m.param_int(p) != 0),
        };
        Patch {
            name: module.name.clone(),
            objs: def.objs.iter().map(Self::klp_init_object_early).collect(),
            replace,
            states: def.states.clone(),
            enabled: false,
            forced: false,
            state_cbs: self.klp_init_state_callbacks(&module.name),
        }
    }

    /// Kernel: `klp_init_patch()`, kernel/livepatch/core.c: nops for a
    /// replacing patch, objects bound to loaded modules, symbols resolved,
    /// then onto `klp_patches`.
    pub(crate) fn klp_init_patch(&mut self, mut patch: Patch) -> Result<(), Errno> {
        if patch.replace {
            self.klp_add_nops(&mut patch);
        }
        let mut result = Ok(());
        for obj in 0..patch.objs.len() {
            self.klp_find_object_module(&mut patch.objs[obj]);
            if patch.objs[obj].is_loaded()
                && let Err(e) = self.klp_init_object_loaded(&patch.objs[obj])
            {
                result = Err(e);
                break;
            }
        }
        result?;
        let name = patch.name.clone();
        self.klp_patches.push(patch);
        self.emit(
            EventKind::PatchList { added: true },
            None,
            Some(&name),
            None,
        );
        Ok(())
    }

    /// Kernel: `__klp_disable_patch()`, kernel/livepatch/core.c.
    fn __klp_disable_patch(&mut self, name: &str) -> Result<(), Errno> {
        self.call("__klp_disable_patch", |w| {
            if !w.patch(name).is_some_and(|p| p.enabled) {
                return Err(Errno::EINVAL);
            }
            if w.klp_transition_patch.is_some() {
                return Err(Errno::EBUSY);
            }
            // Before v5.1: only the last enabled patch can be disabled.
            if w.kernel().registration_api() && w.next_patch_enabled(name) {
                return Err(Errno::EBUSY);
            }
            let state_callbacks = w.kernel().state_callbacks();
            if state_callbacks && w.klp_states_block_disable(name) {
                return Err(Errno::EBUSY); // 2025: a block_disable state cannot leave
            }
            w.klp_init_transition(name, KlpState::Unpatched);
            if state_callbacks {
                w.klp_states_pre_unpatch(name);
            }
            let nobjs = w.patch(name).map_or(0, |p| p.objs.len());
            for obj in 0..nobjs {
                let o = ObjRef { patch: name, obj };
                if w.object_mut(o).is_some_and(|ob| ob.patched) {
                    w.klp_pre_unpatch_callback(o);
                }
            }
            // smp_wmb(): see klp_init_transition().
            w.klp_start_transition();
            if let Some(p) = w.patch_mut(name) {
                p.enabled = false;
            }
            w.klp_try_complete_transition();
            Ok(())
        })
    }

    /// Kernel: `__klp_enable_patch()`, kernel/livepatch/core.c.
    pub(crate) fn __klp_enable_patch(&mut self, name: &str) -> Result<(), Errno> {
        self.call("__klp_enable_patch", |w| {
            if w.klp_transition_patch.is_some() {
                return Err(Errno::EBUSY);
            }
            if w.kernel().registration_api() {
                // Before v5.1: only the first disabled patch can be enabled,
                // and each enable takes the module reference
                // (try_module_get(patch->mod)).
                if w.previous_patch_disabled(name) {
                    return Err(Errno::EBUSY);
                }
                if let Some(m) = w.module_mut(name) {
                    m.refcnt += 1;
                }
            }
            w.pr(
                Level::Notice,
                format!("enabling patch '{name}'"),
                Some(name),
            );
            w.klp_init_transition(name, KlpState::Patched);
            if w.kernel().state_callbacks() {
                // 2025: the states' callbacks run before the barrier.
                if let Err(e) = w.klp_states_pre_patch(name) {
                    return w.klp_enable_patch_err(name, e);
                }
                if w.patch(name).is_some_and(|p| p.replace) {
                    w.klp_states_pre_unpatch_replaced(name);
                }
            }
            // smp_wmb(): func->transition before the funcs become visible.
            let nobjs = w.patch(name).map_or(0, |p| p.objs.len());
            for obj in 0..nobjs {
                let o = ObjRef { patch: name, obj };
                let (loaded, obj_name) = match w.object_mut(o) {
                    Some(ob) => (ob.is_loaded(), ob.display_name().to_string()),
                    None => continue,
                };
                if !loaded {
                    continue;
                }
                let ret = w.klp_pre_patch_callback(o);
                if ret != 0 {
                    w.pr(
                        Level::Warn,
                        format!("pre-patch callback failed for object '{obj_name}'"),
                        Some(name),
                    );
                    return w.klp_enable_patch_err(name, Errno(-ret));
                }
                if let Err(e) = w.klp_patch_object(o) {
                    w.pr(
                        Level::Warn,
                        format!("failed to patch object '{obj_name}'"),
                        Some(name),
                    );
                    return w.klp_enable_patch_err(name, e);
                }
            }
            w.klp_start_transition();
            if let Some(p) = w.patch_mut(name) {
                p.enabled = true;
            }
            w.klp_try_complete_transition();
            Ok(())
        })
    }

    /// The `err:` label of `__klp_enable_patch()`.
    fn klp_enable_patch_err(&mut self, name: &str, e: Errno) -> Result<(), Errno> {
        self.pr(
            Level::Warn,
            format!("failed to enable patch '{name}'"),
            Some(name),
        );
        self.klp_cancel_transition();
        Err(e)
    }

    /// Kernel: `klp_enable_patch()`, kernel/livepatch/core.c, called from
    /// the livepatch module's init.
    pub(crate) fn klp_enable_patch(
        &mut self,
        module: &ModuleDef,
        def: &PatchDef,
    ) -> Result<(), Errno> {
        self.call("klp_enable_patch", |w| {
            let patch = w.klp_init_patch_early(module, def);
            let kernel = w.kernel();
            let compatible = if kernel.state_callbacks() {
                w.proposal_2025_is_patch_compatible(&patch)
            } else if kernel.has_klp_state() {
                w.klp_is_patch_compatible(&patch)
            } else {
                true // before v5.5 there is no klp_state to be incompatible with
            };
            if !compatible {
                w.pr(
                    Level::Err,
                    format!(
                        "Livepatch patch ({}) is not compatible with the already installed livepatches.",
                        patch.name
                    ),
                    Some(&patch.name),
                );
                return Err(Errno::EINVAL);
            }
            // try_module_get(patch->mod): held until the patch is freed.
            if let Some(m) = w.module_mut(&module.name) {
                m.refcnt += 1;
            }
            let name = patch.name.clone();
            let result = match w.klp_init_patch(patch) {
                Ok(()) => w.__klp_enable_patch(&name),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                w.klp_free_patch_start(&name);
                w.klp_free_patch_finish(&name, false);
                return Err(e);
            }
            Ok(())
        })
    }

    /// Kernel: `klp_unpatch_replaced_patches()`, kernel/livepatch/core.c:
    /// replaced patches leave without any of their callbacks.
    pub(crate) fn klp_unpatch_replaced_patches(&mut self, new_patch: &str) {
        self.call("klp_unpatch_replaced_patches", |w| {
            for old in w.patches_before(new_patch) {
                if let Some(p) = w.patch_mut(&old) {
                    p.enabled = false;
                }
                w.klp_unpatch_objects(&old);
            }
        })
    }

    /// Kernel: `klp_discard_replaced_patches()`, kernel/livepatch/core.c of
    /// v5.1 to v5.4: replaced patches are unpatched and taken off the list
    /// (their free queued) before the replacement's post_patch callbacks.
    pub(crate) fn klp_discard_replaced_patches(&mut self, new_patch: &str) {
        self.call("klp_discard_replaced_patches", |w| {
            for old in w.patches_before(new_patch) {
                if let Some(p) = w.patch_mut(&old) {
                    p.enabled = false;
                }
                w.klp_unpatch_objects(&old);
                w.klp_free_patch_async(&old);
            }
        })
    }

    /// Kernel: `klp_discard_nops()`, kernel/livepatch/core.c.
    pub(crate) fn klp_discard_nops(&mut self, new_patch: &str) {
        self.klp_unpatch_objects_dynamic(new_patch);
        // klp_free_objects_dynamic(): drop nop funcs and dynamic objects.
        if let Some(p) = self.patch_mut(new_patch) {
            p.objs.retain(|o| !o.dynamic);
            for o in &mut p.objs {
                o.funcs.retain(|f| !f.nop);
            }
        }
    }

    /// Kernel: `klp_cleanup_module_patches_limited()`, kernel/livepatch/core.c:
    /// revert the module from every patch before `limit` (all when `None`).
    fn klp_cleanup_module_patches_limited(&mut self, module: &str, limit: Option<&str>) {
        self.call("klp_cleanup_module_patches_limited", |w| {
            let names: Vec<String> = w.klp_patches.iter().map(|p| p.name.clone()).collect();
            for patch in names {
                if Some(patch.as_str()) == limit {
                    break;
                }
                let Some(obj) = w.patch(&patch).and_then(|p| {
                    p.objs
                        .iter()
                        .position(|o| o.name.as_deref() == Some(module))
                }) else {
                    continue;
                };
                let o = ObjRef { patch: &patch, obj };
                // Before v5.1 the list also holds registered, disabled
                // patches: only an enabled or transition patch is reverted.
                let applied = !w.kernel().registration_api()
                    || w.patch(&patch).is_some_and(|p| p.enabled)
                    || w.is_transition_patch(&patch);
                if applied {
                    if !w.is_transition_patch(&patch) {
                        w.klp_pre_unpatch_callback(o);
                    }
                    w.pr(
                        Level::Notice,
                        format!("reverting patch '{patch}' on unloading module '{module}'"),
                        Some(&patch),
                    );
                    w.klp_unpatch_object(o);
                    w.klp_post_unpatch_callback(o);
                }
                // klp_free_object_loaded(): the object is no longer loaded.
                if let Some(ob) = w.object_mut(o) {
                    ob.mod_bound = false;
                }
            }
        })
    }

    /// Kernel: `klp_module_coming()`, kernel/livepatch/core.c: apply every
    /// patch to a module before its init runs; the first failure refuses
    /// the module and reverts the patches before the failing one.
    pub(crate) fn klp_module_coming(&mut self, module: &str) -> Result<(), Errno> {
        self.call("klp_module_coming", |w| {
            if module == "vmlinux" {
                w.pr(Level::Err, "vmlinux.ko: invalid module name".into(), None);
                return Err(Errno::EINVAL);
            }
            // Each module has to know that klp_module_coming() has been called.
            if let Some(m) = w.module_mut(module) {
                m.klp_alive = true;
            }
            let names: Vec<String> = w.klp_patches.iter().map(|p| p.name.clone()).collect();
            for patch in names {
                let Some(obj) = w
                    .patch(&patch)
                    .and_then(|p| p.objs.iter().position(|o| o.name.as_deref() == Some(module)))
                else {
                    continue;
                };
                let o = ObjRef { patch: &patch, obj };
                let object = match w.object_mut(o) {
                    Some(ob) => {
                        ob.mod_bound = true; // obj->mod = mod
                        ob.clone()
                    }
                    None => continue,
                };
                let ret = 'apply: {
                    if let Err(e) = w.klp_init_object_loaded(&object) {
                        w.pr(
                            Level::Warn,
                            format!(
                                "failed to initialize patch '{patch}' for module '{module}' ({})",
                                e.negative()
                            ),
                            Some(&patch),
                        );
                        break 'apply Err(e);
                    }
                    // Before v5.1 a registered but disabled patch is only
                    // bound to the module, not applied.
                    if w.kernel().registration_api()
                        && !w.patch(&patch).is_some_and(|p| p.enabled)
                        && !w.is_transition_patch(&patch)
                    {
                        break 'apply Ok(());
                    }
                    w.pr(
                        Level::Notice,
                        format!("applying patch '{patch}' to loading module '{module}'"),
                        Some(&patch),
                    );
                    let ret = w.klp_pre_patch_callback(o);
                    if ret != 0 {
                        w.pr(
                            Level::Warn,
                            format!("pre-patch callback failed for object '{module}'"),
                            Some(&patch),
                        );
                        break 'apply Err(Errno(-ret));
                    }
                    if let Err(e) = w.klp_patch_object(o) {
                        w.pr(
                            Level::Warn,
                            format!(
                                "failed to apply patch '{patch}' to module '{module}' ({})",
                                e.negative()
                            ),
                            Some(&patch),
                        );
                        w.klp_post_unpatch_callback(o);
                        break 'apply Err(e);
                    }
                    if !w.is_transition_patch(&patch) {
                        w.klp_post_patch_callback(o);
                    }
                    Ok(())
                };
                // err: return the error to the module loader.
                if let Err(e) = ret {
                    w.pr(
                        Level::Warn,
                        format!(
                            "patch '{patch}' failed for module '{module}', refusing to load module '{module}'"
                        ),
                        Some(&patch),
                    );
                    if let Some(m) = w.module_mut(module) {
                        m.klp_alive = false;
                    }
                    if let Some(ob) = w.object_mut(o) {
                        ob.mod_bound = false;
                    }
                    w.klp_cleanup_module_patches_limited(module, Some(&patch));
                    return Err(e);
                }
            }
            Ok(())
        })
    }

    /// Kernel: `klp_module_going()`, kernel/livepatch/core.c.
    pub(crate) fn klp_module_going(&mut self, module: &str) {
        self.call("klp_module_going", |w| {
            if let Some(m) = w.module_mut(module) {
                m.klp_alive = false;
            }
            w.klp_cleanup_module_patches_limited(module, None);
        })
    }
}
