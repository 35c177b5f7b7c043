//! Named properties the model must keep, checked by `klpscope explore` and
//! by the property tests.

use crate::event::{CallbackKind, Event, EventKind, KlpState, ModuleState};
use crate::snapshot::Snapshot;

/// A small set of (patch, object) pairs, kept sorted so that equal sets
/// hash equally. A sorted `Vec` rather than a `BTreeSet`: it holds a few
/// pairs, and the site carries one set implementation fewer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct PairSet(Vec<(String, String)>);

impl PairSet {
    /// Adds `key`; false if it was there.
    pub(crate) fn insert(&mut self, key: (String, String)) -> bool {
        match self.0.binary_search(&key) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, key);
                true
            }
        }
    }

    /// Removes `key`; false if it was not there.
    pub(crate) fn remove(&mut self, key: &(String, String)) -> bool {
        match self.0.binary_search(key) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether a pair starts with `first`.
    pub(crate) fn contains_first(&self, first: &str) -> bool {
        self.0.iter().any(|(a, _)| a == first)
    }

    /// The second member of the first pair that starts with `first`.
    pub(crate) fn owner_of(&self, first: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(a, _)| a == first)
            .map(|(_, b)| b.clone())
    }

    /// Keeps the pairs `keep` approves of.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&(String, String)) -> bool) {
        self.0.retain(keep);
    }
}

/// Tracks which objects had a successful `pre_patch` not yet paired with a
/// `post_unpatch`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pairing {
    armed: PairSet,
}

impl Pairing {
    /// Always: post_unpatch only after a successful pre_patch of the same
    /// object, at most once per pre_patch.
    pub fn observe(&mut self, events: &[Event]) -> Result<(), String> {
        for e in events {
            let EventKind::Callback { callback, ret, .. } = &e.kind else {
                continue;
            };
            let key = (
                e.patch.clone().unwrap_or_default(),
                e.object.clone().unwrap_or_default(),
            );
            match callback {
                CallbackKind::PrePatch if *ret == Some(0) => {
                    self.armed.insert(key);
                }
                CallbackKind::PrePatch => {
                    self.armed.remove(&key);
                }
                CallbackKind::PostUnpatch if !self.armed.remove(&key) => {
                    return Err(format!(
                        "post_unpatch of {} / {} without a successful pre_patch",
                        key.0, key.1
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Always: callbacks run for vmlinux or for a formed module, never for an
/// unloaded or UNFORMED one.
pub fn callbacks_only_for_loaded_objects(events: &[Event]) -> Result<(), String> {
    for e in events {
        if let EventKind::Callback { callback, .. } = e.kind {
            let obj = e.object.as_deref().unwrap_or_default();
            if obj != "vmlinux" && matches!(e.module_state, None | Some(ModuleState::Unformed)) {
                return Err(format!("{callback} for unloaded object {obj}"));
            }
        }
    }
    Ok(())
}

/// Always: the snapshot is consistent (one transition at most, task states
/// agree with it, patches hold their modules, patched objects are loaded).
pub fn snapshot_consistent(s: &Snapshot) -> Result<(), String> {
    snapshot_consistent_on(s, crate::KernelVersion::Latest)
}

/// [`snapshot_consistent`] on mainline release `kernel`: before v5.1
/// (registration.rs) a registered patch that is neither enabled nor in
/// transition stays on the list and holds no module reference.
pub fn snapshot_consistent_on(s: &Snapshot, kernel: crate::KernelVersion) -> Result<(), String> {
    let registered = !kernel.at_least(5, 1);
    let in_transition = s.patches.iter().filter(|p| p.transition).count();
    if in_transition > 1 || (in_transition == 1) != s.transition.is_some() {
        return Err(format!(
            "{in_transition} patches in transition, transition = {:?}",
            s.transition.as_ref().map(|t| &t.patch)
        ));
    }
    let idle = s
        .tasks
        .iter()
        .all(|t| t.patch_state == KlpState::Idle && !t.pending);
    if s.transition.is_none() != idle {
        return Err("task states disagree with the transition".into());
    }
    for p in &s.patches {
        let Some(m) = s.modules.iter().find(|m| m.name == p.name) else {
            return Err(format!("patch {} without its module", p.name));
        };
        let applied = p.transition || p.enabled;
        if m.refcnt == 0 && (applied || !registered) {
            return Err(format!("patch {} does not hold its module", p.name));
        }
        if !applied && !registered {
            return Err(format!("disabled patch {} left on the list", p.name));
        }
        for o in &p.objects {
            if o.patched && !o.loaded {
                return Err(format!("{}: {} patched but not loaded", p.name, o.name));
            }
            let alive = s.modules.iter().any(|m| m.name == o.name && m.klp_alive);
            if o.loaded && o.name != "vmlinux" && !alive {
                return Err(format!(
                    "{}: {} bound to a module that is not alive",
                    p.name, o.name
                ));
            }
        }
    }
    for (i, m) in s.modules.iter().enumerate() {
        if s.modules[..i].iter().any(|n| n.name == m.name) {
            return Err(format!("{} loaded twice", m.name));
        }
    }
    Ok(())
}
