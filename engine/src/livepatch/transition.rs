//! kernel/livepatch/transition.c: the consistency model. Tasks switch one by
//! one from the initial to the target state; post callbacks wait for all.

use crate::event::{EventKind, KlpState, Level, TransitionPhase};
use crate::world::{Impl, ObjRef, World};

/// `SIGNALS_TIMEOUT`: fake signals every this many failed attempts.
const SIGNALS_TIMEOUT: u32 = 15;

impl World {
    /// Kernel: `klp_complete_transition()`, kernel/livepatch/transition.c.
    fn klp_complete_transition(&mut self) {
        self.call("klp_complete_transition", |w| {
            let Some(name) = w.klp_transition_patch.clone() else {
                return;
            };
            let target = w.klp_target_state;
            let kernel = w.kernel();
            if kernel.transition_debug_lines() {
                w.pr(
                    Level::Debug,
                    format!("'{name}': completing {} transition", target.verb()),
                    Some(&name),
                );
            }
            let replace = w.patch(&name).is_some_and(|p| p.replace);
            if replace && target == KlpState::Patched {
                if kernel.replaced_patches_leave_list_before_post_patch() {
                    w.klp_discard_replaced_patches(&name);
                } else {
                    w.klp_unpatch_replaced_patches(&name);
                }
                w.klp_discard_nops(&name);
                if kernel.state_callbacks() {
                    w.klp_states_post_unpatch_replaced(&name);
                }
            }
            if target == KlpState::Unpatched {
                // All tasks run the old code: the new funcs can leave the stacks.
                w.klp_unpatch_objects(&name);
                // klp_synchronize_transition(): the handler no longer sees
                // this patch's funcs. A no-op in a sequential model.
            }
            if let Some(p) = w.patch_mut(&name) {
                for f in p.objs.iter_mut().flat_map(|o| o.funcs.iter_mut()) {
                    f.transition = false;
                }
            }
            // Patched: klp_synchronize_transition(), so that the handler
            // cannot see the IDLE task state set next. Sequential here.
            for t in &mut w.tasks {
                t.patch_state = KlpState::Idle;
                t.pending = false;
            }
            // Post callbacks only now that every task runs the target code,
            // and only for objects that are loaded.
            let nobjs = w.patch(&name).map_or(0, |p| p.objs.len());
            for obj in 0..nobjs {
                let o = ObjRef { patch: &name, obj };
                if !w.object_mut(o).is_some_and(|ob| ob.is_loaded()) {
                    continue;
                }
                if target == KlpState::Patched {
                    w.klp_post_patch_callback(o);
                } else {
                    w.klp_post_unpatch_callback(o);
                }
            }
            if kernel.state_callbacks() {
                if target == KlpState::Patched {
                    w.klp_states_post_patch(&name);
                } else {
                    if replace {
                        w.klp_states_post_patch_replaced(&name);
                    }
                    w.klp_states_post_unpatch(&name);
                }
            }
            if !kernel.complete_message_before_cleanup() {
                w.pr(
                    Level::Notice,
                    format!("'{name}': {} complete", target.verb()),
                    Some(&name),
                );
            }
            if kernel.registration_api() && target == KlpState::Unpatched {
                w.klp_module_put_after_unpatching(&name);
            }
            w.transition_event(TransitionPhase::Complete);
            w.klp_target_state = KlpState::Idle;
            w.klp_transition_patch = None;
            w.transition_reversed = false;
            w.transition_forced = false;
        })
    }

    /// Kernel: `klp_cancel_transition()`, kernel/livepatch/transition.c:
    /// undo a patching transition that was initialized but never started.
    pub(crate) fn klp_cancel_transition(&mut self) {
        self.call("klp_cancel_transition", |w| {
            if w.klp_target_state != KlpState::Patched {
                return;
            }
            let name = w.klp_transition_patch.clone().unwrap_or_default();
            if let Some(line) = w.kernel().cancel_message(&name) {
                w.pr(Level::Debug, line, Some(&name));
            }
            w.klp_target_state = KlpState::Unpatched;
            w.transition_event(TransitionPhase::Cancel);
            w.klp_complete_transition();
        })
    }

    /// Kernel: `klp_update_patch_state()`, kernel/livepatch/transition.c.
    fn klp_update_patch_state(&mut self, task: usize) {
        let target = self.klp_target_state;
        let t = &mut self.tasks[task];
        if t.pending {
            t.pending = false;
            t.patch_state = target;
        }
    }

    /// Kernel: `klp_check_stack()`, kernel/livepatch/transition.c: the
    /// function, if any, that keeps this task from switching. Patching looks
    /// for the code being replaced; unpatching for the new code.
    pub(crate) fn klp_check_stack(&self, task: usize) -> Option<String> {
        let frame = self.tasks[task].frame.as_ref()?;
        let name = self.klp_transition_patch.as_deref()?;
        let patch = self.patch(name)?;
        for (oi, obj) in patch.objs.iter().enumerate() {
            if !obj.patched || obj.name != frame.obj {
                continue;
            }
            for (fi, func) in obj.funcs.iter().enumerate() {
                if func.def.old_name != frame.func {
                    continue;
                }
                let busy = if self.klp_target_state == KlpState::Unpatched {
                    // The to-be-unpatched code is the func itself; a nop's
                    // new_func is the original function.
                    frame.code == func_code(name, func)
                } else {
                    frame.code == self.previous_code(name, oi, fi, obj.name.as_deref())
                };
                if busy {
                    return Some(func.def.old_name.clone());
                }
            }
        }
        None
    }

    /// Part of `klp_check_stack_func()`, kernel/livepatch/transition.c: the
    /// code a func replaces (the previous func on its ops stack, or the
    /// original function when it is alone there), looked for when patching.
    fn previous_code(&self, patch: &str, obj: usize, func: usize, obj_name: Option<&str>) -> Impl {
        let old_name = match self.patch(patch).and_then(|p| p.objs.get(obj)) {
            Some(o) => o.funcs[func].def.old_name.clone(),
            None => return Impl::Original,
        };
        let Some(ops) = self
            .klp_find_ops(obj_name, &old_name)
            .map(|i| &self.klp_ops[i])
        else {
            return Impl::Original;
        };
        let pos = ops
            .func_stack
            .iter()
            .position(|e| e.patch == patch && e.obj == obj && e.func == func);
        match pos
            .and_then(|p| p.checked_sub(1))
            .map(|p| &ops.func_stack[p])
        {
            Some(prev) => self
                .stack_func(prev)
                .map_or(Impl::Original, |f| func_code(&prev.patch, f)),
            None => Impl::Original,
        }
    }

    /// Kernel: `klp_try_switch_task()`, kernel/livepatch/transition.c.
    /// (Its pr_debug lines are off in the selftests; they become events.)
    fn klp_try_switch_task(&mut self, task: usize) -> bool {
        if self.tasks[task].patch_state == self.klp_target_state {
            return true;
        }
        if let Some(function) = self.klp_check_stack(task) {
            let label = self.tasks[task].label();
            let patch = self.klp_transition_patch.clone();
            self.emit(
                EventKind::TaskBlocked {
                    task: label,
                    function,
                },
                None,
                patch.as_deref(),
                None,
            );
            return false;
        }
        let t = &mut self.tasks[task];
        t.pending = false;
        t.patch_state = self.klp_target_state;
        true
    }

    /// Kernel: `klp_send_signals()`, kernel/livepatch/transition.c.
    /// Fake signals cannot move a task that sleeps in a patched function.
    /// Called by the administrator's `signal` write before v5.1, it gave its
    /// notice at every call; called every `SIGNALS_TIMEOUT` attempts since,
    /// at the first only.
    pub(crate) fn klp_send_signals(&mut self) {
        if !self.kernel().automatic_signals() || self.klp_signals_cnt == SIGNALS_TIMEOUT {
            self.pr(Level::Notice, "signaling remaining tasks".into(), None);
        }
    }

    /// Kernel: `klp_try_complete_transition()`, kernel/livepatch/transition.c.
    pub(crate) fn klp_try_complete_transition(&mut self) {
        self.call("klp_try_complete_transition", |w| {
            if w.klp_target_state == KlpState::Idle {
                return;
            }
            let mut complete = true;
            for task in 0..w.tasks.len() {
                if !w.klp_try_switch_task(task) {
                    complete = false;
                }
            }
            if !complete {
                if w.kernel().automatic_signals()
                    && w.klp_signals_cnt > 0
                    && w.klp_signals_cnt % SIGNALS_TIMEOUT == 0
                {
                    w.klp_send_signals();
                }
                w.klp_signals_cnt += 1;
                // schedule_delayed_work(&klp_transition_work, HZ): the next
                // attempt comes with the next settle (World::settle).
                return;
            }
            let Some(name) = w.klp_transition_patch.clone() else {
                return;
            };
            if w.kernel().complete_message_before_cleanup() {
                // v4.12/v4.13 (the v1 tree's base): the line comes before
                // the cleanup, so before v1's unpatch hooks.
                let verb = w.klp_target_state.verb();
                w.pr(
                    Level::Notice,
                    format!("'{name}': {verb} complete"),
                    Some(&name),
                );
            }
            w.klp_complete_transition();
            // Freeing is done here, not in klp_complete_transition(),
            // because that is also called from klp_cancel_transition().
            let (enabled, replace) = w
                .patch(&name)
                .map_or((true, false), |p| (p.enabled, p.replace));
            if w.kernel().registration_api() {
                // Before v5.1 a disabled patch stays registered until its
                // module's exit unregisters it.
            } else if !enabled {
                w.klp_free_patch_async(&name);
            } else if replace {
                w.klp_free_replaced_patches_async(&name);
            }
        })
    }

    /// Kernel: `klp_start_transition()`, kernel/livepatch/transition.c.
    pub(crate) fn klp_start_transition(&mut self) {
        self.call("klp_start_transition", |w| {
            let name = w.klp_transition_patch.clone().unwrap_or_default();
            let target = w.klp_target_state;
            let line = w.kernel().start_transition_message(&name, target);
            w.pr(Level::Notice, line, Some(&name));
            for t in &mut w.tasks {
                if t.patch_state != target {
                    t.pending = true;
                }
            }
            w.klp_signals_cnt = 0;
            w.transition_event(TransitionPhase::Start);
        })
    }

    /// Kernel: `klp_init_transition()`, kernel/livepatch/transition.c.
    pub(crate) fn klp_init_transition(&mut self, patch: &str, state: KlpState) {
        self.call("klp_init_transition", |w| {
            w.klp_transition_patch = Some(patch.into());
            w.klp_target_state = state;
            w.transition_reversed = false;
            w.transition_forced = false;
            if w.kernel().transition_debug_lines() {
                w.pr(
                    Level::Debug,
                    format!("'{patch}': initializing {} transition", state.verb()),
                    Some(patch),
                );
            }
            let initial = if state == KlpState::Patched {
                KlpState::Unpatched
            } else {
                KlpState::Patched
            };
            for t in &mut w.tasks {
                t.patch_state = initial;
            }
            // smp_wmb(): task states before func->transition; sequential here.
            if let Some(p) = w.patch_mut(patch) {
                for f in p.objs.iter_mut().flat_map(|o| o.funcs.iter_mut()) {
                    f.transition = true;
                }
            }
            w.transition_event(TransitionPhase::Init);
        })
    }

    /// Kernel: `klp_reverse_transition()`, kernel/livepatch/transition.c.
    /// No callbacks run here: completion runs those of the new direction.
    pub(crate) fn klp_reverse_transition(&mut self) {
        self.call("klp_reverse_transition", |w| {
            let name = w.klp_transition_patch.clone().unwrap_or_default();
            let from = if w.klp_target_state == KlpState::Patched {
                "patching to unpatching"
            } else {
                "unpatching to patching"
            };
            if w.kernel().transition_debug_lines() {
                w.pr(
                    Level::Debug,
                    format!("'{name}': reversing transition from {from}"),
                    Some(&name),
                );
            }
            if let Some(p) = w.patch_mut(&name) {
                p.enabled = !p.enabled;
            }
            w.klp_target_state = if w.klp_target_state == KlpState::Patched {
                KlpState::Unpatched
            } else {
                KlpState::Patched
            };
            // Clear every TIF_PATCH_PENDING so that klp_update_patch_state()
            // cannot race with klp_start_transition().
            for t in &mut w.tasks {
                t.pending = false;
            }
            w.transition_reversed = true;
            w.transition_event(TransitionPhase::Reverse);
            // klp_synchronize_transition(): let running klp_update_patch_state()
            // calls finish. The two writes above follow the pre-6.4 order;
            // since 6.4 they come here instead, followed by smp_wmb() (the
            // target state before the TIF_PATCH_PENDING writes of
            // klp_start_transition()). Sequential here: no visible difference.
            w.klp_start_transition();
        })
    }

    /// Kernel: `klp_force_transition()`, kernel/livepatch/transition.c:
    /// every task is switched, whatever its stack. Patches that may still be
    /// running old code are marked forced, so their modules stay loaded.
    pub(crate) fn klp_force_transition(&mut self) {
        self.call("klp_force_transition", |w| {
            w.pr(
                Level::Warn,
                "forcing remaining tasks to the patched state".into(),
                w.klp_transition_patch.clone().as_deref(),
            );
            for task in 0..w.tasks.len() {
                w.klp_update_patch_state(task);
            }
            let name = w.klp_transition_patch.clone().unwrap_or_default();
            if w.kernel().force_marks_every_patch() {
                // klp_for_each_patch(patch) patch->forced = true;
                for p in &mut w.klp_patches {
                    p.forced = true;
                }
            } else if w.klp_target_state == KlpState::Unpatched {
                if let Some(p) = w.patch_mut(&name) {
                    p.forced = true;
                }
            } else if w.patch(&name).is_some_and(|p| p.replace) {
                for p in w.klp_patches.iter_mut().filter(|p| p.name != name) {
                    p.forced = true;
                }
            }
            w.transition_forced = true;
            w.transition_event(TransitionPhase::Force);
        })
    }
}

/// The code a func redirects to: its replacement, or the original for a nop
/// (`func->new_func`, which `klp_init_object_loaded()` sets to `old_func`
/// for a nop).
pub(crate) fn func_code(patch: &str, func: &crate::world::Func) -> Impl {
    if func.nop {
        Impl::Original
    } else {
        Impl::New {
            patch: patch.into(),
            name: func.def.new_name.clone(),
        }
    }
}
