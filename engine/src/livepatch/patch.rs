//! kernel/livepatch/patch.c, in its order: pushing and popping funcs on the ftrace ops
//! stacks, and the ftrace handler that picks old or new code per task.

use crate::errno::Errno;
use crate::event::{KlpState, Level};
use crate::livepatch::transition::func_code;
use crate::world::{Impl, ObjRef, Ops, StackEntry, Task, World};

impl World {
    /// Kernel: `klp_find_ops()`, kernel/livepatch/patch.c.
    pub(crate) fn klp_find_ops(&self, obj: Option<&str>, old_name: &str) -> Option<usize> {
        self.klp_ops
            .iter()
            .position(|ops| ops.obj.as_deref() == obj && ops.old_name == old_name)
    }

    /// Kernel: `klp_ftrace_handler()`, kernel/livepatch/patch.c: which code
    /// `task` runs when it calls `old_name` of object `obj`.
    pub(crate) fn klp_ftrace_handler(
        &self,
        task: &Task,
        obj: Option<&str>,
        old_name: &str,
    ) -> Impl {
        // With ftrace disabled the call sites are nops and the handler never
        // runs (possible with a patch registered only before v5.5's
        // permanent ops: see `ftrace_ops_permanent`).
        if !self.ftrace_enabled {
            return Impl::Original;
        }
        let Some(ops) = self.klp_find_ops(obj, old_name).map(|i| &self.klp_ops[i]) else {
            return Impl::Original;
        };
        let mut depth = ops.func_stack.len();
        let Some(mut entry) = depth.checked_sub(1).map(|i| &ops.func_stack[i]) else {
            return Impl::Original;
        };
        // smp_rmb(): ops->func_stack before func->transition (the write
        // barrier is in __klp_enable_patch()). Sequential here.
        // In transition: a task still in the initial state (unpatched) uses
        // the previous func on the stack, or the original code.
        // smp_rmb(): func->transition before current->patch_state (the
        // write barrier is in klp_init_transition()). Sequential here.
        if self.stack_func(entry).is_some_and(|f| f.transition)
            && task.patch_state == KlpState::Unpatched
        {
            depth -= 1;
            match depth.checked_sub(1) {
                Some(i) => entry = &ops.func_stack[i],
                None => return Impl::Original,
            }
        }
        self.stack_func(entry)
            .map_or(Impl::Original, |f| func_code(&entry.patch, f))
    }

    /// Kernel: `klp_unpatch_func()`, kernel/livepatch/patch.c: pop from the
    /// ops stack, unregistering the handler with the last func.
    fn klp_unpatch_func(&mut self, o: ObjRef, func: usize) {
        let here = |e: &StackEntry| e.patch == o.patch && e.obj == o.obj && e.func == func;
        if let Some(i) = self
            .klp_ops
            .iter()
            .position(|ops| ops.func_stack.iter().any(here))
        {
            self.klp_ops[i].func_stack.retain(|e| !here(e));
            if self.klp_ops[i].func_stack.is_empty() {
                self.klp_ops.remove(i);
            }
        }
        if let Some(f) = self.object_mut(o).map(|obj| &mut obj.funcs[func]) {
            f.patched = false;
        }
    }

    /// Kernel: `klp_patch_func()`, kernel/livepatch/patch.c: push onto the
    /// function's ops stack, registering the ftrace handler for its first func.
    fn klp_patch_func(&mut self, o: ObjRef, func: usize) -> Result<(), Errno> {
        let Some(obj) = self.patch(o.patch).and_then(|p| p.objs.get(o.obj)) else {
            return Err(Errno::EINVAL);
        };
        let obj_name = obj.name.clone();
        let old_name = obj.funcs[func].def.old_name.clone();
        let entry = StackEntry {
            patch: o.patch.into(),
            obj: o.obj,
            func,
        };
        match self.klp_find_ops(obj_name.as_deref(), &old_name) {
            Some(i) => self.klp_ops[i].func_stack.push(entry),
            None => {
                // register_ftrace_function() refuses a permanent ops
                // (FTRACE_OPS_FL_PERMANENT, v5.5) while ftrace is disabled,
                // and one whose function another ops already modifies.
                let registered = if self.ftrace_enabled || !self.kernel().ftrace_ops_permanent() {
                    self.call("register_ftrace_function", |w| {
                        w.__ftrace_hash_update_ipmodify(&old_name, true)
                    })
                } else {
                    Err(Errno::EBUSY)
                };
                if let Err(err) = registered {
                    self.pr(
                        Level::Err,
                        format!(
                            "failed to register ftrace handler for function '{old_name}' ({})",
                            err.negative()
                        ),
                        Some(o.patch),
                    );
                    return Err(err);
                }
                self.klp_ops.push(Ops {
                    obj: obj_name,
                    old_name,
                    func_stack: vec![entry],
                });
            }
        }
        if let Some(f) = self.object_mut(o).map(|obj| &mut obj.funcs[func]) {
            f.patched = true;
        }
        Ok(())
    }

    /// Kernel: `__klp_unpatch_object()`, kernel/livepatch/patch.c (in v1,
    /// `klp_unpatch_object()` with its unpatch hooks last).
    fn __klp_unpatch_object(&mut self, o: ObjRef, nops_only: bool) {
        let Some(obj) = self.object_mut(o) else {
            return;
        };
        let funcs: Vec<(usize, bool, bool)> = obj
            .funcs
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f.nop, f.patched))
            .collect();
        for (i, nop, patched) in funcs {
            if (nops_only && !nop) || !patched {
                continue;
            }
            self.klp_unpatch_func(o, i);
        }
        if let Some(obj) = self.object_mut(o)
            && (obj.dynamic || !nops_only)
        {
            obj.patched = false;
        }
        if self.kernel().hooks_v1() && !nops_only {
            self.klp_run_unpatch_hooks(o);
        }
    }

    /// Kernel: `klp_unpatch_object()`, kernel/livepatch/patch.c.
    pub(crate) fn klp_unpatch_object(&mut self, o: ObjRef) {
        self.__klp_unpatch_object(o, false);
    }

    /// Kernel: `klp_patch_object()`, kernel/livepatch/patch.c (in v1, its
    /// patch hooks first).
    pub(crate) fn klp_patch_object(&mut self, o: ObjRef) -> Result<(), Errno> {
        self.call("klp_patch_object", |w| {
            if w.kernel().hooks_v1() {
                w.klp_run_patch_hooks(o);
            }
            let nfuncs = w.object_mut(o).map_or(0, |obj| obj.funcs.len());
            for func in 0..nfuncs {
                if let Err(e) = w.klp_patch_func(o, func) {
                    w.klp_unpatch_object(o);
                    return Err(e);
                }
            }
            if let Some(obj) = w.object_mut(o) {
                obj.patched = true;
            }
            Ok(())
        })
    }

    /// Kernel: `__klp_unpatch_objects()`, kernel/livepatch/patch.c.
    fn __klp_unpatch_objects(&mut self, patch: &str, nops_only: bool) {
        let nobjs = self.patch(patch).map_or(0, |p| p.objs.len());
        for obj in 0..nobjs {
            let o = ObjRef { patch, obj };
            if self.object_mut(o).is_some_and(|ob| ob.patched) {
                self.__klp_unpatch_object(o, nops_only);
            }
        }
    }

    /// Kernel: `klp_unpatch_objects()`, kernel/livepatch/patch.c.
    pub(crate) fn klp_unpatch_objects(&mut self, patch: &str) {
        self.__klp_unpatch_objects(patch, false);
    }

    /// Kernel: `klp_unpatch_objects_dynamic()`, kernel/livepatch/patch.c.
    pub(crate) fn klp_unpatch_objects_dynamic(&mut self, patch: &str) {
        self.__klp_unpatch_objects(patch, true);
    }

    /// The `struct klp_func` of an ops stack entry (no kernel counterpart: the
    /// kernel's `func_stack` holds the pointer).
    pub(crate) fn stack_func(&self, e: &StackEntry) -> Option<&crate::world::Func> {
        self.patch(&e.patch)?.objs.get(e.obj)?.funcs.get(e.func)
    }
}
