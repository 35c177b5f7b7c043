//! Kprobes on ftrace locations (kernel/kprobes.c) and the one ftrace rule
//! they share with livepatch: a function's `ip` may be modified by one
//! ftrace ops only (FTRACE_OPS_FL_IPMODIFY, kernel/trace/ftrace.c).

use crate::errno::Errno;
use crate::world::{Kprobe, World};

impl World {
    /// Kernel: `__ftrace_hash_update_ipmodify()`, kernel/trace/ftrace.c: an
    /// ops with FTRACE_OPS_FL_IPMODIFY may not take a function that another
    /// such ops already has (-EBUSY). Livepatch's ops always modify the ip
    /// (`klp_patch_func()`); a kprobe's do when it has a post handler
    /// (`kprobe_ipmodify_ops`, one ops shared by all such kprobes).
    pub(crate) fn __ftrace_hash_update_ipmodify(
        &self,
        func: &str,
        for_livepatch: bool,
    ) -> Result<(), Errno> {
        let taken = if for_livepatch {
            self.kprobes.iter().any(|k| k.ipmodify && k.symbol == func)
        } else {
            self.klp_ops.iter().any(|ops| ops.old_name == func)
        };
        if taken { Err(Errno::EBUSY) } else { Ok(()) }
    }

    /// Kernel: `register_kprobe()`, kernel/kprobes.c: look the symbol up
    /// (-ENOENT if kallsyms has none), then `arm_kprobe_ftrace()`, which
    /// registers `kprobe_ipmodify_ops` for a kprobe with a post handler and
    /// `kprobe_ftrace_ops` otherwise.
    pub(crate) fn register_kprobe(
        &mut self,
        owner: &str,
        symbol: &str,
        post_handler: bool,
    ) -> Result<(), Errno> {
        let known = self.catalog.vmlinux_has(symbol)
            || self
                .modules
                .iter()
                .any(|m| m.def.symbols.iter().any(|s| s == symbol));
        if !known {
            return Err(Errno::ENOENT);
        }
        if post_handler {
            self.call("arm_kprobe_ftrace", |w| {
                w.__ftrace_hash_update_ipmodify(symbol, false)
            })
            .inspect_err(|e| {
                // WARN(): "Failed to register kprobe-ftrace (error %d)".
                self.note(format!(
                    "register_ftrace_function(&kprobe_ipmodify_ops) fails ({}): the kernel WARNs \
                     \"Failed to register kprobe-ftrace\" with a call trace",
                    e.negative()
                ));
            })?;
        }
        self.kprobes.push(Kprobe {
            owner: owner.into(),
            symbol: symbol.into(),
            ipmodify: post_handler,
        });
        Ok(())
    }

    /// Kernel: `unregister_kprobe()`, kernel/kprobes.c.
    pub(crate) fn unregister_kprobe(&mut self, owner: &str) {
        self.kprobes.retain(|k| k.owner != owner);
    }
}
