//! The registration API of v4.15 to v5.0, kernel/livepatch/core.c before
//! 958ef1e39d24 ("livepatch: Simplify API by removing registration step",
//! v5.1). A livepatch module's init registers its patch
//! (`klp_register_patch()`) and enables it; a disabled patch stays
//! registered, on the list and in sysfs, and can be enabled again by
//! writing 1 to `enabled`; the module reference is taken by each enable and
//! dropped when an unpatching transition completes; the module's exit
//! unregisters the patch. Only what differs from v5.1 is here; the rest is
//! core.rs, whose call sites ask `Kernel::registration_api()`.

use crate::catalog::{ModuleDef, PatchDef};
use crate::errno::Errno;
use crate::world::World;

impl World {
    /// Kernel (v4.15-v5.0): `klp_register_patch()` + `klp_init_patch()`,
    /// kernel/livepatch/core.c: the patch goes on `klp_patches`, disabled,
    /// with its sysfs directory. No module reference is taken here.
    fn klp_register_patch(&mut self, module: &ModuleDef, def: &PatchDef) -> Result<(), Errno> {
        self.call("klp_register_patch", |w| {
            let mut patch = w.klp_init_patch_early(module, def);
            // No atomic replace before v5.1 (e1452b607c48): no such field.
            patch.replace = false;
            w.klp_init_patch(patch)
        })
    }

    /// Kernel (v4.15-v5.0): `klp_unregister_patch()`, kernel/livepatch/core.c:
    /// a disabled patch leaves the list and sysfs; an enabled one is -EBUSY.
    pub(crate) fn klp_unregister_patch(&mut self, name: &str) -> Result<(), Errno> {
        self.call("klp_unregister_patch", |w| {
            let enabled = w.patch(name).map(|p| p.enabled).ok_or(Errno::EINVAL)?;
            if enabled {
                return Err(Errno::EBUSY);
            }
            w.klp_free_patch_start(name);
            Ok(())
        })
    }

    /// The init of a livepatch module before v5.1 (as samples/livepatch and
    /// lib/livepatch wrote it): `klp_register_patch()`, then
    /// `klp_enable_patch()`; when enabling fails, `klp_unregister_patch()`
    /// and the error goes to the module loader.
    pub(crate) fn klp_register_and_enable_patch(
        &mut self,
        module: &ModuleDef,
        def: &PatchDef,
    ) -> Result<(), Errno> {
        self.klp_register_patch(module, def)?;
        let name = module.name.as_str();
        if let Err(e) = self.call("klp_enable_patch", |w| w.__klp_enable_patch(name)) {
            let _ = self.klp_unregister_patch(name);
            return Err(e);
        }
        Ok(())
    }

    /// The stacking rule of `__klp_disable_patch()` before v5.1: the next
    /// patch on the list is enabled (so this one may not be disabled).
    pub(crate) fn next_patch_enabled(&self, name: &str) -> bool {
        let Some(i) = self.patch_index(name) else {
            return false;
        };
        self.klp_patches.get(i + 1).is_some_and(|p| p.enabled)
    }

    /// The stacking rule of `__klp_enable_patch()` before v5.1: the previous
    /// patch on the list is disabled (so this one may not be enabled).
    pub(crate) fn previous_patch_disabled(&self, name: &str) -> bool {
        let Some(i) = self.patch_index(name) else {
            return false;
        };
        i.checked_sub(1)
            .and_then(|p| self.klp_patches.get(p))
            .is_some_and(|p| !p.enabled)
    }

    /// `klp_complete_transition()` before v5.1: an unpatching transition
    /// drops the reference its enable took, unless a transition was ever
    /// forced: until "livepatch: Do not block the removal of patches loaded
    /// after a forced transition" (v5.1) that blocked every livepatch
    /// module, also those loaded later. A forced patch never leaves the
    /// list (its module is never released), so one on the list means a
    /// transition was forced.
    pub(crate) fn klp_module_put_after_unpatching(&mut self, name: &str) {
        let forced = self.klp_patches.iter().any(|p| p.forced);
        if !forced && let Some(m) = self.module_mut(name) {
            m.refcnt = m.refcnt.saturating_sub(1);
        }
    }
}
