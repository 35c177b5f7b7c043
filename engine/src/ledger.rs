//! The ledger of a run: what the callbacks declared they set up (`sets`,
//! `allocates`), what undid it (`restores`, `frees`), who took it over
//! (`takes over`, `keeps`), and what remains at the end, with leaks flagged
//! and the kernel's reason.
//!
//! Built from the callback events (their declared [`Effect`]s) and the
//! snapshots: the only kernel rule it adds is the one that makes leaks,
//! `klp_unpatch_replaced_patches()` (kernel/livepatch/core.c; before 5.5
//! `klp_discard_replaced_patches()`), which removes the patches an atomic
//! replace supersedes without running any of their callbacks.

use crate::event::{CallbackKind, Effect, EventKind, KlpState, TransitionPhase};
use crate::{Run, Snapshot};
use serde::Serialize;

/// One callback's act on an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Act {
    /// 1-based command number.
    pub step: usize,
    /// The command, without the prompt.
    pub command: String,
    /// The livepatch whose callback acted.
    pub patch: String,
    /// The object (`vmlinux` or a module).
    pub object: String,
    /// Which callback.
    pub callback: CallbackKind,
    /// What it declared (`sets X`, `takes over X`, ...).
    pub effect: String,
}

/// What became of an entry by the end of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "why")]
pub enum Outcome {
    /// Undone by a callback.
    Undone,
    /// Still in place, held by a patch that is still installed: its own
    /// unpatch callbacks can still undo it.
    Held(String),
    /// Still in place and nothing left installed will undo it.
    Leaked(String),
}

/// One thing set up by a callback, under the name it declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The name the declarations use (`"feature flag"`, `state 1`, ...).
    pub what: String,
    /// Every act on it, in order.
    pub acts: Vec<Act>,
    /// The patch responsible for it at the end.
    pub owner: String,
    /// What became of it.
    pub outcome: Outcome,
}

/// The ledger of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// One entry per setup, in the order they were made.
    pub entries: Vec<Entry>,
    /// Undos and takeovers of something nothing had set up.
    pub unmatched: Vec<Act>,
}

impl Ledger {
    /// The entries that leak.
    pub fn leaks(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Leaked(_)))
    }
}

fn is_patching(kind: CallbackKind) -> bool {
    matches!(kind, CallbackKind::PrePatch | CallbackKind::PostPatch)
}

/// Builds the ledger of a run.
pub fn ledger(run: &Run) -> Ledger {
    ledger_until(run, run.steps.len())
}

/// The ledger of the first `n` commands of a run: where things stand
/// after command `n` (the explorer's cursor).
pub fn ledger_until(run: &Run, n: usize) -> Ledger {
    let mut entries: Vec<Entry> = Vec::new();
    // Entry index still in place, by name.
    let mut live: Vec<(String, usize)> = Vec::new();
    let mut unmatched = Vec::new();
    // Replaced patch -> (the patch that replaced it, step).
    let mut replaced: Vec<(String, String, usize)> = Vec::new();
    let mut before: &Snapshot = &run.initial;
    let steps = &run.steps[..n.min(run.steps.len())];
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        for ev in &step.events {
            match &ev.kind {
                EventKind::Callback {
                    callback, effects, ..
                } => {
                    let patch = ev.patch.clone().unwrap_or_default();
                    for effect in effects {
                        let act = Act {
                            step: n,
                            command: step.command.clone(),
                            patch: patch.clone(),
                            object: ev.object.clone().unwrap_or_else(|| "vmlinux".into()),
                            callback: *callback,
                            effect: effect.to_string(),
                        };
                        let found = |what: &str, live: &[(String, usize)]| {
                            live.iter().position(|(w, _)| w == what)
                        };
                        match effect {
                            Effect::Sets(w) | Effect::Allocates(w) => match found(w, &live) {
                                // Set up again while in place: the same entry,
                                // now the new setter's (a second setup of
                                // something that counts is a bug; the acts show it).
                                Some(k) => {
                                    let e = &mut entries[live[k].1];
                                    e.acts.push(act);
                                    e.owner = patch.clone();
                                }
                                None => {
                                    live.push((w.clone(), entries.len()));
                                    entries.push(Entry {
                                        what: w.clone(),
                                        acts: vec![act],
                                        owner: patch.clone(),
                                        outcome: Outcome::Undone,
                                    });
                                }
                            },
                            Effect::Restores(w) | Effect::Frees(w) => match found(w, &live) {
                                Some(k) => {
                                    let (_, idx) = live.remove(k);
                                    entries[idx].acts.push(act);
                                }
                                None => unmatched.push(act),
                            },
                            Effect::TakesOver(w) | Effect::Keeps(w) => match found(w, &live) {
                                Some(k) => {
                                    let e = &mut entries[live[k].1];
                                    e.acts.push(act);
                                    if is_patching(*callback) {
                                        // Adopted by the patch coming in.
                                        e.owner = patch.clone();
                                    } else if let Some(p) = before
                                        .patches
                                        .iter()
                                        .rev()
                                        .find(|p| p.name != patch && p.enabled)
                                    {
                                        // Left in place for the patch below.
                                        e.owner = p.name.clone();
                                    }
                                }
                                None => unmatched.push(act),
                            },
                        }
                    }
                }
                // klp_complete_transition() of a patching transition of a
                // `replace` patch: klp_unpatch_replaced_patches() removes every
                // other installed patch, without callbacks.
                EventKind::Transition {
                    phase: TransitionPhase::Complete,
                    target: KlpState::Patched,
                } => {
                    let Some(r) = ev.patch.as_deref() else {
                        continue;
                    };
                    let is_replace = step
                        .snapshot
                        .patches
                        .iter()
                        .chain(before.patches.iter())
                        .any(|p| p.name == r && p.replace);
                    if is_replace {
                        for p in before.patches.iter().filter(|p| p.name != r && p.enabled) {
                            replaced.push((p.name.clone(), r.to_string(), n));
                        }
                    }
                }
                _ => {}
            }
        }
        before = &step.snapshot;
    }
    let end = steps.last().map_or(&run.initial, |s| &s.snapshot);
    for (_, idx) in live {
        let e = &mut entries[idx];
        let installed = end.patches.iter().any(|p| p.name == e.owner && p.enabled);
        // klp_complete_transition() still runs the post_unpatch callbacks
        // of a patch whose disabling is under way.
        let unpatching = end.transition.as_ref().is_some_and(|t| t.patch == e.owner);
        e.outcome = if installed {
            Outcome::Held(format!(
                "'{}' is still enabled: its pre_unpatch/post_unpatch can still undo it",
                e.owner
            ))
        } else if unpatching {
            Outcome::Held(format!(
                "'{}' is being disabled: its post_unpatch runs when the transition completes",
                e.owner
            ))
        } else if let Some((_, r, step)) = replaced.iter().rev().find(|(p, _, _)| *p == e.owner) {
            Outcome::Leaked(format!(
                "atomic replace: '{r}' replaced '{}' at step {step}, and \
klp_unpatch_replaced_patches() runs none of a replaced patch's callbacks (no pre_unpatch, \
no post_unpatch); '{r}' did not take it over",
                e.owner
            ))
        } else {
            Outcome::Leaked(format!(
                "'{}' is no longer enabled and none of its callbacks undid it",
                e.owner
            ))
        };
    }
    Ledger { entries, unmatched }
}

/// The ledger as plain text (`klpscope run --format ledger`).
pub fn text(l: &Ledger) -> String {
    let mut out = String::new();
    let act_line = |a: &Act| {
        format!(
            "step {} ({}): {} {} on {}: {}",
            a.step, a.command, a.patch, a.callback, a.object, a.effect
        )
    };
    if l.entries.is_empty() && l.unmatched.is_empty() {
        out.push_str("No callback declares an effect: nothing to account for.\n");
        return out;
    }
    for e in &l.entries {
        out.push_str(&format!("\"{}\"\n", e.what));
        for a in &e.acts {
            out.push_str(&format!("  {}\n", act_line(a)));
        }
        let end = match &e.outcome {
            Outcome::Undone => "undone".to_string(),
            Outcome::Held(why) => format!("remains: {why}"),
            Outcome::Leaked(why) => format!("LEAK: {why}"),
        };
        out.push_str(&format!("  => {end}\n"));
    }
    for a in &l.unmatched {
        out.push_str(&format!(
            "unmatched: {} (nothing had set it up)\n",
            act_line(a)
        ));
    }
    let undone = l
        .entries
        .iter()
        .filter(|e| e.outcome == Outcome::Undone)
        .count();
    let leaks = l.leaks().count();
    out.push_str(&format!(
        "{} set up, {undone} undone, {} remain, {leaks} leaked\n",
        l.entries.len(),
        l.entries.len() - undone - leaks,
    ));
    out
}
