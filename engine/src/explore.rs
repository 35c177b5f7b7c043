//! Exhaustive exploration: every sequence of catalog commands up to a depth,
//! with the invariants checked after each step. A violation comes back as
//! scenario text that pastes straight into a file or a share link.

use crate::World;
use crate::command::{Command, Loader};
use crate::invariants::{Pairing, callbacks_only_for_loaded_objects, snapshot_consistent};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What an exploration found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The depth explored.
    pub depth: usize,
    /// Commands in the vocabulary.
    pub commands: usize,
    /// Steps executed.
    pub steps: u64,
    /// Distinct system states reached.
    pub states: usize,
    /// Invariants broken, with the scenarios that break them.
    pub violations: Vec<Violation>,
}

/// A broken invariant and the scenario that breaks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// What broke.
    pub message: String,
    /// The commands leading there, as scenario text.
    pub scenario: String,
}

fn load(module: &str, params: &[(&str, &str)]) -> Command {
    Command::Load {
        loader: Loader::Insmod,
        path: format!("test_modules/{module}.ko"),
        module: module.into(),
        params: params
            .iter()
            .map(|(p, v)| (p.to_string(), Some(v.to_string())))
            .collect(),
    }
}

/// The commands explored: the callback selftest modules and their knobs.
pub fn vocabulary() -> Vec<Command> {
    let demo = "test_klp_callbacks_demo";
    let demo2 = "test_klp_callbacks_demo2";
    let mut v = vec![
        load(demo, &[]),
        load(demo, &[("pre_patch_ret", "-19")]),
        load(demo2, &[]),
        load(demo2, &[("replace", "1")]),
        load("test_klp_callbacks_mod", &[]),
        load("test_klp_callbacks_busy", &[("block_transition", "Y")]),
        Command::Param {
            module: "test_klp_callbacks_busy".into(),
            param: "block_transition".into(),
            value: "N".into(),
        },
    ];
    for m in [
        demo,
        demo2,
        "test_klp_callbacks_mod",
        "test_klp_callbacks_busy",
    ] {
        v.push(Command::Rmmod { module: m.into() });
    }
    for p in [demo, demo2] {
        for (attr, value) in [("enabled", "0"), ("enabled", "1"), ("force", "1")] {
            v.push(Command::PatchAttr {
                patch: p.into(),
                attr: attr.into(),
                value: value.into(),
            });
        }
    }
    v
}

/// Explores every command sequence up to `depth` from a fresh system.
pub fn explore(depth: usize) -> Report {
    let vocab = vocabulary();
    let mut report = Report {
        depth,
        commands: vocab.len(),
        ..Report::default()
    };
    let mut seen = HashMap::new();
    let world = World::new();
    let mut states = HashSet::from([world.state_hash()]);
    let mut path = Vec::new();
    dfs(
        &world,
        &Pairing::default(),
        depth,
        &vocab,
        &mut path,
        &mut seen,
        &mut states,
        &mut report,
    );
    report.states = states.len();
    report
}

#[allow(clippy::too_many_arguments)]
fn dfs(
    world: &World,
    pairing: &Pairing,
    depth: usize,
    vocab: &[Command],
    path: &mut Vec<usize>,
    seen: &mut HashMap<(u64, u64), usize>,
    states: &mut HashSet<u64>,
    report: &mut Report,
) {
    if depth == 0 {
        return;
    }
    for (i, cmd) in vocab.iter().enumerate() {
        let mut next = world.clone();
        let mut pairs = pairing.clone();
        let events = next.apply(cmd);
        report.steps += 1;
        path.push(i);
        let snapshot = next.snapshot();
        let checked = pairs
            .observe(&events)
            .and_then(|_| callbacks_only_for_loaded_objects(&events))
            .and_then(|_| snapshot_consistent(&snapshot));
        if let Err(message) = checked {
            report.violations.push(Violation {
                message,
                scenario: path.iter().map(|&k| format!("% {}\n", vocab[k])).collect(),
            });
        } else {
            let key = (next.state_hash(), hash_of(&pairs));
            states.insert(key.0);
            // Revisit a state only with more depth left than before.
            let left = depth - 1;
            if seen.get(&key).is_none_or(|&d| d < left) {
                seen.insert(key, left);
                dfs(&next, &pairs, depth - 1, vocab, path, seen, states, report);
            }
        }
        path.pop();
    }
}

fn hash_of(p: &Pairing) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    p.hash(&mut h);
    h.finish()
}
