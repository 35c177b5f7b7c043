//! The init and exit code of the built-in modules that do more than print
//! lines ([`ModuleCode`]): what the C source does, step by step, calling
//! the modelled kernel API (`livepatch/shadow.rs`).

use crate::catalog::ModuleCode;
use crate::errno::Errno;
use crate::livepatch::shadow::{Gfp, Ptr};
use crate::world::World;

impl World {
    /// The module's init function (`do_init_module()` calls it).
    pub(crate) fn module_code_init(&mut self, name: &str, code: ModuleCode) -> Result<(), Errno> {
        match code {
            ModuleCode::ShadowVarsTest => self.call("test_klp_shadow_vars_init", |w| {
                if w.kernel().shadow_vars_test_first_form() {
                    ShadowVarsTest::new(name).init_first_form(w)
                } else {
                    ShadowVarsTest::new(name).init(w)
                }
            }),
            // livepatch_shadow_mod_init(): schedule_delayed_work() of
            // alloc_dwork (1 s) and cleanup_dwork (3 s); prints nothing.
            ModuleCode::ShadowDemo => Ok(()),
        }
    }

    /// The module's exit function (`delete_module()` calls it).
    pub(crate) fn module_code_exit(&mut self, _name: &str, code: ModuleCode) {
        match code {
            // test_klp_shadow_vars_exit(): empty.
            ModuleCode::ShadowVarsTest => {}
            // livepatch_shadow_mod_exit(): cancel_delayed_work_sync() of both
            // works, then dummy_free() of every dummy left on dummy_list:
            // none, as the model never runs the works (see
            // `module_code_sleep`).
            ModuleCode::ShadowDemo => {}
        }
    }

    /// `sleep N` with modules loaded whose delayed work prints on a timer:
    /// the model does not run that work, and says so.
    pub(crate) fn module_code_sleep(&mut self, secs: u32) {
        if secs == 0 {
            return;
        }
        let timed: Vec<String> = self
            .modules
            .iter()
            .filter(|m| {
                matches!(
                    m.def.body,
                    crate::catalog::ModuleBody::Code(ModuleCode::ShadowDemo)
                )
            })
            .map(|m| m.name().to_string())
            .collect();
        for name in timed {
            self.note(format!(
                "{name}: not modelled: on a kernel its delayed work runs in these {secs} s \
                 (alloc_work_func every second: 'dummy_alloc: dummy @ <%p>, expires @ <jiffies>'; \
                 cleanup_work_func every 3 s: 'cleanup_work_func: jiffies = <jiffies>', then \
                 'dummy_free: ...' for each expired dummy, or the livepatched versions' lines), \
                 and rmmod frees the dummies left; the model prints none of these lines"
            ));
        }
    }
}

/// `SV_ID1`, `SV_ID2` of test_klp_shadow_vars.c.
const SV_ID1: u64 = 0x1234;
const SV_ID2: u64 = 0x1235;
/// `NUM_OBJS`
const NUM_OBJS: usize = 3;
/// `sizeof(pnfields1[i])`: a pointer.
const PTR_SIZE: u64 = 8;

/// Where init's stack frame lies (a vmalloc'd kernel stack), and its
/// locals in it: `struct test_object objs[3]` (32 bytes each), `char
/// nfields1[3]`, `int nfields2[3]`.
const STACK: Ptr = 0xffff_c900_0001_3c00;
const OBJS: Ptr = STACK;
const NFIELDS1: Ptr = STACK + 0x60;
const NFIELDS2: Ptr = STACK + 0x64;
/// The first form's objects (v5.1 to v5.8): `THIS_MODULE` and the bytes
/// after it, and the locals `int var1, var2, var3, var4` of init's frame.
const THIS_MODULE: Ptr = 0xffff_ffff_c0a0_3000;
const VARS: Ptr = STACK + 0x80;
/// The module's functions passed as ctor and dtor (module text).
const SHADOW_CTOR: Ptr = 0xffff_ffff_c0a0_1000;
const SHADOW_DTOR: Ptr = 0xffff_ffff_c0a0_1080;

/// test_klp_shadow_vars.c: its `ptr_list` (pointer → `PTR<n>` id) and
/// the wrappers that print each shadow variable call.
struct ShadowVarsTest {
    name: String,
    /// `ptr_list`: every pointer seen, with its id.
    ptr_list: Vec<(Ptr, i32)>,
    /// `ptr_id()`'s `static int count`.
    count: i32,
}

impl ShadowVarsTest {
    fn new(name: &str) -> ShadowVarsTest {
        ShadowVarsTest {
            name: name.into(),
            ptr_list: Vec::new(),
            count: 0,
        }
    }

    /// `ptr_id()`: the id of a pointer, a new one (counting up) if unseen.
    fn ptr_id(&mut self, ptr: Ptr) -> i32 {
        if let Some((_, id)) = self.ptr_list.iter().find(|(p, _)| *p == ptr) {
            return *id;
        }
        let id = self.count;
        self.count += 1;
        self.ptr_list.push((ptr, id));
        id
    }

    fn pr_info(&self, w: &mut World, msg: &str) {
        w.mod_print(&self.name, msg);
    }

    /// `shadow_get()`: `klp_shadow_get()`, then print it.
    fn shadow_get(&mut self, w: &mut World, obj: Ptr, id: u64) -> Ptr {
        let sv = w.klp_shadow_get(obj, id);
        let line = format!(
            "klp_shadow_get(obj=PTR{}, id=0x{id:x}) = PTR{}",
            self.ptr_id(obj),
            self.ptr_id(sv)
        );
        self.pr_info(w, &line);
        sv
    }

    /// `shadow_alloc()` and `shadow_get_or_alloc()`: the call with
    /// `shadow_ctor`, then print it. `var` is the pointer the test's
    /// `ctor_data` points to (`*var`): the value the constructor copies.
    fn alloc(&mut self, w: &mut World, get_or_alloc: bool, obj: Ptr, id: u64, var: Ptr) -> Ptr {
        let size = PTR_SIZE;
        let gfp_flags = Gfp::Kernel;
        let sv = {
            let t = &mut *self;
            // shadow_ctor(): *sv = *var; print both.
            let mut ctor = |w: &mut World, _obj: Ptr, data: Ptr, word: &mut u64, var: Ptr| {
                *word = var;
                let line = format!("shadow_ctor: PTR{} -> PTR{}", t.ptr_id(data), t.ptr_id(var));
                t.pr_info(w, &line);
                0
            };
            if get_or_alloc {
                w.klp_shadow_get_or_alloc(obj, id, size, gfp_flags, Some(&mut ctor), var)
            } else {
                w.klp_shadow_alloc(obj, id, size, gfp_flags, Some(&mut ctor), var)
            }
        };
        let func = if get_or_alloc {
            "shadow_get_or_alloc"
        } else {
            "shadow_alloc"
        };
        let line = format!(
            "klp_{func}(obj=PTR{}, id=0x{id:x}, size={size:x}, gfp_flags={gfp_flags}), ctor=PTR{}, ctor_data=PTR{} = PTR{}",
            self.ptr_id(obj),
            self.ptr_id(SHADOW_CTOR),
            self.ptr_id(var),
            self.ptr_id(sv)
        );
        self.pr_info(w, &line);
        sv
    }

    /// `shadow_dtor()`: prints the object and its shadow data.
    fn shadow_dtor(&mut self, w: &mut World, obj: Ptr, data: Ptr) {
        let line = format!(
            "shadow_dtor(obj=PTR{}, shadow_data=PTR{})",
            self.ptr_id(obj),
            self.ptr_id(data)
        );
        self.pr_info(w, &line);
    }

    /// `shadow_free()`: `klp_shadow_free()` with `shadow_dtor`, then print it.
    fn shadow_free(&mut self, w: &mut World, obj: Ptr, id: u64) {
        {
            let t = &mut *self;
            let mut dtor =
                |w: &mut World, obj: Ptr, data: Ptr, _word: u64| t.shadow_dtor(w, obj, data);
            w.klp_shadow_free(obj, id, Some(&mut dtor));
        }
        let line = format!(
            "klp_shadow_free(obj=PTR{}, id=0x{id:x}, dtor=PTR{})",
            self.ptr_id(obj),
            self.ptr_id(SHADOW_DTOR)
        );
        self.pr_info(w, &line);
    }

    /// `shadow_free_all()` with a NULL dtor, then print it.
    fn shadow_free_all(&mut self, w: &mut World, id: u64) {
        w.klp_shadow_free_all(id, None);
        let line = format!(
            "klp_shadow_free_all(id=0x{id:x}, dtor=PTR{})",
            self.ptr_id(0)
        );
        self.pr_info(w, &line);
    }

    /// The first form's `shadow_free_all()`, called with `shadow_dtor`.
    fn shadow_free_all_dtor(&mut self, w: &mut World, id: u64) {
        {
            let t = &mut *self;
            let mut dtor =
                |w: &mut World, obj: Ptr, data: Ptr, _word: u64| t.shadow_dtor(w, obj, data);
            w.klp_shadow_free_all(id, Some(&mut dtor));
        }
        let line = format!(
            "klp_shadow_free_all(id=0x{id:x}, dtor=PTR{})",
            self.ptr_id(SHADOW_DTOR)
        );
        self.pr_info(w, &line);
    }

    /// `test_klp_shadow_vars_init()` in its first form (lib/livepatch,
    /// v5.1 to v5.8): four shadow variables on `THIS_MODULE`, `+ 1` and
    /// `+ 2`, each checked once, the last ones freed with the destructor.
    fn init_first_form(&mut self, w: &mut World) -> Result<(), Errno> {
        let obj = THIS_MODULE;
        let id = SV_ID1;
        let var = |i: u64| VARS + 4 * (i - 1);
        self.ptr_id(0);
        for i in 1..=4 {
            self.ptr_id(var(i));
        }

        // With an empty shadow variable hash table, expect not to find any
        // matches.
        let ret = self.shadow_get(w, obj, id);
        self.expect_null(w, ret);

        // Allocate a few shadow variables with different <obj> and <id>.
        let sv1 = self.alloc(w, false, obj, id, var(1));
        if sv1 == 0 {
            return Err(Errno::ENOMEM);
        }
        let sv2 = self.alloc(w, false, obj + 1, id, var(2));
        if sv2 == 0 {
            return Err(Errno::ENOMEM);
        }
        let sv3 = self.alloc(w, false, obj, id + 1, var(3));
        if sv3 == 0 {
            return Err(Errno::ENOMEM);
        }

        // Verify we can find our new shadow variables and that they point
        // to expected data.
        for (o, i, sv, v) in [
            (obj, id, sv1, 1),
            (obj + 1, id, sv2, 2),
            (obj, id + 1, sv3, 3),
        ] {
            let ret = self.shadow_get(w, o, i);
            if ret == 0 {
                return Err(Errno::EINVAL);
            }
            self.check(w, ret, sv, var(v));
        }

        // Allocate or get a few more, this time with the same <obj>, <id>.
        // The second invocation should return the same shadow var.
        let sv4 = self.alloc(w, true, obj + 2, id, var(4));
        if sv4 == 0 {
            return Err(Errno::ENOMEM);
        }
        let ret = self.alloc(w, true, obj + 2, id, var(4));
        if ret == 0 {
            return Err(Errno::EINVAL);
        }
        self.check(w, ret, sv4, var(4));

        // Free the <obj=*, id> shadow variables and check that we can no
        // longer find them.
        for o in [obj, obj + 1, obj + 2] {
            self.shadow_free(w, o, id);
            let ret = self.shadow_get(w, o, id);
            self.expect_null(w, ret);
        }

        // We should still find an <id+1> variable.
        let ret = self.shadow_get(w, obj, id + 1);
        if ret == 0 {
            return Err(Errno::EINVAL);
        }
        self.check(w, ret, sv3, var(3));

        // Free all the <id+1> variables, too.
        self.shadow_free_all_dtor(w, id + 1);
        let ret = self.shadow_get(w, obj, id);
        if ret == 0 {
            self.pr_info(w, "  shadow_get() got expected NULL result");
        }

        // free_ptr_list()
        self.ptr_list.clear();
        Ok(())
    }

    /// "got expected PTRa -> PTRb result" when `sv` is `expected_sv` and
    /// holds `expected`.
    fn check(&mut self, w: &mut World, sv: Ptr, expected_sv: Ptr, expected: Ptr) {
        let held = w.shadow_word(expected_sv).unwrap_or(0);
        if sv == expected_sv && held == expected {
            let line = format!(
                "  got expected PTR{} -> PTR{} result",
                self.ptr_id(expected_sv),
                self.ptr_id(held)
            );
            self.pr_info(w, &line);
        }
    }

    fn expect_null(&mut self, w: &mut World, sv: Ptr) {
        if sv == 0 {
            self.pr_info(w, "  got expected NULL result");
        }
    }

    /// `test_klp_shadow_vars_init()`.
    // The C source's loops over `i`, kept as they are so the two read alike.
    #[allow(clippy::needless_range_loop)]
    fn init(&mut self, w: &mut World) -> Result<(), Errno> {
        let objs = |i: usize| OBJS + 32 * i as u64;
        let nfields1 = |i: usize| NFIELDS1 + i as u64;
        let nfields2 = |i: usize| NFIELDS2 + 4 * i as u64;
        let mut sv1 = [0; NUM_OBJS];
        let mut sv2 = [0; NUM_OBJS];
        self.ptr_id(0);

        // With an empty shadow variable hash table, expect no match.
        let sv = self.shadow_get(w, objs(0), SV_ID1);
        self.expect_null(w, sv);

        let result = (|| {
            // pass 1: init & alloc a char+int pair of svars for each objs
            for i in 0..NUM_OBJS {
                let pnfields1 = nfields1(i);
                self.ptr_id(pnfields1);
                sv1[i] = self.alloc(w, i % 2 == 0, objs(i), SV_ID1, pnfields1);
                if sv1[i] == 0 {
                    return Err(Errno::ENOMEM);
                }
                let pnfields2 = nfields2(i);
                self.ptr_id(pnfields2);
                sv2[i] = self.alloc(w, false, objs(i), SV_ID2, pnfields2);
                if sv2[i] == 0 {
                    return Err(Errno::ENOMEM);
                }
            }
            // pass 2: verify we find allocated svars and where they point to
            for i in 0..NUM_OBJS {
                let sv = self.shadow_get(w, objs(i), SV_ID1);
                if sv == 0 {
                    return Err(Errno::EINVAL);
                }
                self.check(w, sv, sv1[i], nfields1(i));
                let sv = self.shadow_get(w, objs(i), SV_ID2);
                if sv == 0 {
                    return Err(Errno::EINVAL);
                }
                self.check(w, sv, sv2[i], nfields2(i));
            }
            // pass 3: verify that 'get_or_alloc' returns already allocated svars
            for i in 0..NUM_OBJS {
                let pndup = nfields1(i);
                self.ptr_id(pndup);
                let sv = self.alloc(w, true, objs(i), SV_ID1, pndup);
                if sv == 0 {
                    return Err(Errno::EINVAL);
                }
                self.check(w, sv, sv1[i], nfields1(i));
            }
            // pass 4: free <objs[*], SV_ID1> pairs of svars, verify removal
            for i in 0..NUM_OBJS {
                self.shadow_free(w, objs(i), SV_ID1);
                let sv = self.shadow_get(w, objs(i), SV_ID1);
                self.expect_null(w, sv);
            }
            // pass 5: check we still find <objs[*], SV_ID2> svar pairs
            for i in 0..NUM_OBJS {
                let sv = self.shadow_get(w, objs(i), SV_ID2);
                if sv == 0 {
                    return Err(Errno::EINVAL);
                }
                self.check(w, sv, sv2[i], nfields2(i));
            }
            // pass 6: free all the <objs[*], SV_ID2> svar pairs too.
            self.shadow_free_all(w, SV_ID2);
            for i in 0..NUM_OBJS {
                let sv = self.shadow_get(w, objs(i), SV_ID2);
                self.expect_null(w, sv);
            }
            Ok(())
        })();
        if result.is_err() {
            // out:
            self.shadow_free_all(w, SV_ID1);
            self.shadow_free_all(w, SV_ID2);
        }
        // free_ptr_list()
        self.ptr_list.clear();
        result
    }
}

#[cfg(test)]
mod tests {
    use crate::event::EventKind;

    #[test]
    fn shadow_vars_init_leaves_no_shadow_variable_behind() {
        let run = crate::run_text("% insmod test_modules/test_klp_shadow_vars.ko\n").unwrap();
        let printed = run.steps[0]
            .events
            .iter()
            .filter(|e| e.kind == EventKind::ModuleOutput)
            .count();
        assert_eq!(printed, 57);
        let mut w = crate::World::new();
        let cmd = crate::parse("% insmod test_modules/test_klp_shadow_vars.ko\n").unwrap();
        w.apply(&cmd.steps[0].command);
        assert!(w.klp_shadow_hash.is_empty());
    }

    #[test]
    fn shadow_vars_init_runs_its_first_form_before_5_9() {
        let printed = |text: &str| {
            let run = crate::run_text(text).unwrap();
            run.steps[0]
                .events
                .iter()
                .filter(|e| e.kind == EventKind::ModuleOutput)
                .count()
        };
        assert_eq!(
            printed("# kernel: 5.8\n% modprobe test_klp_shadow_vars\n"),
            36
        );
        assert_eq!(
            printed("# kernel: 5.9\n% modprobe test_klp_shadow_vars\n"),
            57
        );
    }

    #[test]
    fn a_sleep_with_the_shadow_demo_loaded_says_what_is_not_modelled() {
        let run = crate::run_text(
            "% insmod samples/livepatch/livepatch-shadow-mod.ko\n% sleep 5\n% sleep 0\n",
        )
        .unwrap();
        let kinds: Vec<_> = run.steps[1].events.iter().map(|e| &e.kind).collect();
        assert_eq!(kinds, [&EventKind::Note]);
        assert!(run.steps[2].events.is_empty());
    }
}
