//! kernel/livepatch/shadow.c: shadow variables, data a livepatch attaches
//! to an existing object (`<obj, id>` → a zeroed data area) without
//! changing the object's layout.
//!
//! Pointers are addresses in the model's own address space ([`Ptr`], 0 is
//! NULL); `kzalloc()` hands out fresh ones and never fails. What the model
//! leaves out: the hash table's bucket order (`hash_for_each()` in
//! `klp_shadow_free_all()` walks buckets by hash; the model walks the
//! variables in the order they were attached, so with more than one
//! variable and a printing destructor a kernel may print in another order,
//! as test_klp_shadow_vars.c says in its comment on pass 6), RCU and the
//! spin lock (comments where the kernel takes them).

use crate::event::{EventKind, Level};
use crate::world::World;

/// A kernel virtual address; 0 is NULL.
pub(crate) type Ptr = u64;

/// Where the model's `kzalloc()` starts handing out memory (a direct-map
/// address, as slab objects have on x86_64).
pub(crate) const HEAP_START: Ptr = 0xffff_8881_0400_0000;

/// `struct klp_shadow`: `hlist_node` and `rcu_head` (16 bytes each), `obj`
/// and `id` (8 bytes each) come before `data[]`.
const KLP_SHADOW_HEADER: u64 = 48;

/// A GFP mask as `%pGg` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Gfp {
    /// `GFP_KERNEL`
    Kernel,
}

impl std::fmt::Display for Gfp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Gfp::Kernel => "GFP_KERNEL",
        })
    }
}

/// `struct klp_shadow`, attached to `klp_shadow_hash`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct KlpShadow {
    /// `shadow->obj`: the parent object.
    pub obj: Ptr,
    /// `shadow->id`.
    pub id: u64,
    /// `shadow->data`: the address of the data area.
    pub data: Ptr,
    /// The data area's first word (what the modelled users keep there: a
    /// pointer or a counter); zero after `kzalloc()`.
    pub word: u64,
}

/// `klp_shadow_ctor_t`: called with the parent object, the new data area
/// (its address and its first word) and `ctor_data`; non-zero fails the
/// allocation.
pub(crate) type Ctor<'a> = dyn FnMut(&mut World, Ptr, Ptr, &mut u64, Ptr) -> i32 + 'a;

/// `klp_shadow_dtor_t`: called with the parent object and the data area
/// (its address and its first word) before the variable is freed.
pub(crate) type Dtor<'a> = dyn FnMut(&mut World, Ptr, Ptr, u64) + 'a;

/// `klp_shadow_match()`
fn klp_shadow_match(shadow: &KlpShadow, obj: Ptr, id: u64) -> bool {
    shadow.obj == obj && shadow.id == id
}

impl World {
    /// `kzalloc()`: a fresh, zeroed block of `size` bytes (never NULL here).
    pub(crate) fn kzalloc(&mut self, size: u64) -> Ptr {
        let p = self.heap_next;
        // Slab objects are at least 8-byte aligned; keep 64 as kmalloc-64 does.
        self.heap_next = p.saturating_add(size.div_ceil(64).max(1) * 64);
        p
    }

    /// Kernel: `klp_shadow_get()`: the data of the `<obj, id>` variable, or NULL.
    pub(crate) fn klp_shadow_get(&self, obj: Ptr, id: u64) -> Ptr {
        // rcu_read_lock(); hash_for_each_possible_rcu(...)
        self.klp_shadow_hash
            .iter()
            .find(|s| klp_shadow_match(s, obj, id))
            .map_or(0, |s| s.data)
    }

    /// The first word of a live shadow variable's data area (`*data` in C).
    pub(crate) fn shadow_word(&self, data: Ptr) -> Option<u64> {
        self.klp_shadow_hash
            .iter()
            .find(|s| s.data == data)
            .map(|s| s.word)
    }

    /// Kernel: `__klp_shadow_get_or_alloc()`.
    // The kernel's seven parameters, and `self` for the globals.
    #[allow(clippy::too_many_arguments)]
    fn __klp_shadow_get_or_alloc(
        &mut self,
        obj: Ptr,
        id: u64,
        size: u64,
        _gfp_flags: Gfp,
        ctor: Option<&mut Ctor<'_>>,
        ctor_data: Ptr,
        warn_on_exist: bool,
    ) -> Ptr {
        // Check if the shadow variable already exists.
        let mut shadow_data = self.klp_shadow_get(obj, id);
        if shadow_data == 0 {
            // Allocate a new one, zeroed; look for <obj, id> again under
            // klp_shadow_lock (nothing else runs in between in the model).
            let new_shadow = self.kzalloc(size.saturating_add(KLP_SHADOW_HEADER));
            shadow_data = self.klp_shadow_get(obj, id);
            if shadow_data == 0 {
                let data = new_shadow + KLP_SHADOW_HEADER;
                let mut word = 0;
                if let Some(ctor) = ctor {
                    let err = ctor(self, obj, data, &mut word, ctor_data);
                    if err != 0 {
                        // spin_unlock_irqrestore(); kfree(new_shadow);
                        self.emit(
                            EventKind::Kernel { level: Level::Err },
                            Some(format!(
                                "livepatch: Failed to construct shadow variable <{obj:016x}, {id:x}> ({err})"
                            )),
                            None,
                            None,
                        );
                        return 0;
                    }
                }
                // hash_add_rcu(klp_shadow_hash, ...)
                self.klp_shadow_hash.push(KlpShadow {
                    obj,
                    id,
                    data,
                    word,
                });
                return data;
            }
            // Found under the lock: kfree(new_shadow), goto exists.
        }
        // exists:
        if warn_on_exist {
            // WARN(1, ...): the message, then the warning's report.
            self.emit(
                EventKind::Kernel { level: Level::Warn },
                Some(format!("Duplicate shadow variable <{obj:016x}, {id:x}>")),
                None,
                None,
            );
            self.note(
                "WARN(): the kernel prints its 'WARNING: ... at kernel/livepatch/shadow.c' report and call trace here".into(),
            );
            return 0;
        }
        shadow_data
    }

    /// Kernel: `klp_shadow_alloc()`: attaches a new `<obj, id>` variable;
    /// NULL (with a WARN) if one exists, or if `ctor` fails.
    pub(crate) fn klp_shadow_alloc(
        &mut self,
        obj: Ptr,
        id: u64,
        size: u64,
        gfp_flags: Gfp,
        ctor: Option<&mut Ctor<'_>>,
        ctor_data: Ptr,
    ) -> Ptr {
        self.call("klp_shadow_alloc", |w| {
            w.__klp_shadow_get_or_alloc(obj, id, size, gfp_flags, ctor, ctor_data, true)
        })
    }

    /// Kernel: `klp_shadow_get_or_alloc()`: the existing `<obj, id>`
    /// variable, or a new one (`ctor` runs only then).
    pub(crate) fn klp_shadow_get_or_alloc(
        &mut self,
        obj: Ptr,
        id: u64,
        size: u64,
        gfp_flags: Gfp,
        ctor: Option<&mut Ctor<'_>>,
        ctor_data: Ptr,
    ) -> Ptr {
        self.call("klp_shadow_get_or_alloc", |w| {
            w.__klp_shadow_get_or_alloc(obj, id, size, gfp_flags, ctor, ctor_data, false)
        })
    }

    /// Kernel: `klp_shadow_free_struct()`: unhash, call `dtor`, free.
    fn klp_shadow_free_struct(&mut self, index: usize, dtor: &mut Option<&mut Dtor<'_>>) {
        // hash_del_rcu(&shadow->node);
        let shadow = self.klp_shadow_hash.remove(index);
        if let Some(dtor) = dtor {
            dtor(self, shadow.obj, shadow.data, shadow.word);
        }
        // kfree_rcu(shadow, rcu_head);
    }

    /// Kernel: `klp_shadow_free()`: detaches and frees the `<obj, id>` variable.
    pub(crate) fn klp_shadow_free(&mut self, obj: Ptr, id: u64, dtor: Option<&mut Dtor<'_>>) {
        let mut dtor = dtor;
        self.call("klp_shadow_free", |w| {
            // spin_lock_irqsave(&klp_shadow_lock, flags);
            if let Some(i) = w
                .klp_shadow_hash
                .iter()
                .position(|s| klp_shadow_match(s, obj, id))
            {
                w.klp_shadow_free_struct(i, &mut dtor);
            }
        });
    }

    /// Kernel: `klp_shadow_free_all()`: detaches and frees every `<_, id>` variable.
    pub(crate) fn klp_shadow_free_all(&mut self, id: u64, dtor: Option<&mut Dtor<'_>>) {
        let mut dtor = dtor;
        self.call("klp_shadow_free_all", |w| {
            // spin_lock_irqsave(&klp_shadow_lock, flags); hash_for_each(...)
            let mut i = 0;
            while i < w.klp_shadow_hash.len() {
                if w.klp_shadow_hash[i].id == id {
                    w.klp_shadow_free_struct(i, &mut dtor);
                } else {
                    i += 1;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_get_free_follow_shadow_c() {
        let mut w = World::new();
        assert_eq!(w.klp_shadow_get(0x1000, 1), 0);
        let mut calls = 0;
        let mut ctor = |_: &mut World, obj: Ptr, _: Ptr, word: &mut u64, data: Ptr| {
            calls += 1;
            assert_eq!(obj, 0x1000);
            *word = data;
            0
        };
        let a = w.klp_shadow_alloc(0x1000, 1, 8, Gfp::Kernel, Some(&mut ctor), 0x2000);
        assert_ne!(a, 0);
        assert_eq!(w.klp_shadow_get(0x1000, 1), a);
        assert_eq!(w.shadow_word(a), Some(0x2000));
        // get_or_alloc finds it and does not construct again.
        let b = w.klp_shadow_get_or_alloc(0x1000, 1, 8, Gfp::Kernel, Some(&mut ctor), 0x3000);
        assert_eq!(a, b);
        // A second alloc of the same <obj, id> WARNs and returns NULL.
        let c = w.klp_shadow_alloc(0x1000, 1, 8, Gfp::Kernel, Some(&mut ctor), 0x3000);
        assert_eq!(c, 0);
        assert_eq!(calls, 1);
        assert!(w.events.iter().any(|e| {
            e.text
                .as_deref()
                .is_some_and(|t| t.starts_with("Duplicate shadow variable <0000000000001000, 1>"))
        }));
        // Another id on the same object is another variable.
        let d = w.klp_shadow_alloc(0x1000, 2, 4, Gfp::Kernel, None, 0);
        assert!(d != 0 && d != a);
        assert_eq!(w.shadow_word(d), Some(0));
        let mut freed = Vec::new();
        let mut dtor =
            |_: &mut World, obj: Ptr, data: Ptr, word: u64| freed.push((obj, data, word));
        w.klp_shadow_free(0x1000, 1, Some(&mut dtor));
        assert_eq!(w.klp_shadow_get(0x1000, 1), 0);
        assert_eq!(w.klp_shadow_get(0x1000, 2), d);
        w.klp_shadow_free_all(2, None);
        assert!(w.klp_shadow_hash.is_empty());
        assert_eq!(freed, vec![(0x1000, a, 0x2000)]);
    }

    #[test]
    fn a_failing_constructor_attaches_nothing() {
        let mut w = World::new();
        let mut ctor = |_: &mut World, _: Ptr, _: Ptr, _: &mut u64, data: Ptr| {
            if data == 0 { -22 } else { 0 }
        };
        let p = w.klp_shadow_get_or_alloc(0x40, 7, 8, Gfp::Kernel, Some(&mut ctor), 0);
        assert_eq!(p, 0);
        assert_eq!(w.klp_shadow_get(0x40, 7), 0);
        let line = w
            .events
            .last()
            .and_then(|e| e.text.clone())
            .unwrap_or_default();
        assert_eq!(
            line,
            "livepatch: Failed to construct shadow variable <0000000000000040, 7> (-22)"
        );
    }
}
