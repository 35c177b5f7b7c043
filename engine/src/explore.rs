//! Exhaustive exploration: every sequence of catalog commands up to a depth,
//! breadth first, each distinct system state expanded once. What a state
//! must keep is checked after each step; a violation (or, for a question,
//! a witness) comes back as the shortest scenario that reaches it, as text
//! that pastes straight into a file or a share link.

use crate::World;
use crate::command::{Command, Loader};
use crate::event::Event;
use crate::invariants::{Pairing, callbacks_only_for_loaded_objects, snapshot_consistent_on};
use serde::Serialize;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A set of hashes, itself hashed with Fx: no random seed, and no SipHash
/// code in the site.
type HashesSet<T> = HashSet<T, BuildHasherDefault<crate::world::FxHasher>>;

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

pub(crate) fn load(module: &str, params: &[(&str, &str)]) -> Command {
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

/// What an observer of the exploration remembers along a path besides the
/// system state (for example which objects had a successful `pre_patch`).
/// Two paths to the same system state with the same memory are one state.
pub trait Observer: Clone + Hash {
    /// What an observation finds.
    type Found;
    /// Looks at one step: the system before, the command, what it caused
    /// and the system after. `Some` ends that path (a violation, a
    /// witness); `None` goes on.
    fn observe(
        &mut self,
        before: &World,
        cmd: &Command,
        events: &[Event],
        after: &World,
    ) -> Option<Self::Found>;
}

/// A path's end that an observer reported.
#[derive(Clone, Debug)]
pub struct Hit<F> {
    /// What the observer found.
    pub found: F,
    /// The commands from a fresh system, indexes into the vocabulary.
    pub path: Vec<usize>,
    /// The events of the last command.
    pub events: Vec<Event>,
}

/// How far a [`Search`] has got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The depth being expanded (commands from a fresh system).
    pub depth: usize,
    /// The deepest level searched.
    pub max_depth: usize,
    /// Distinct states reached so far.
    pub states: usize,
    /// Steps executed so far.
    pub steps: u64,
    /// Whether every level has been searched.
    pub done: bool,
}

struct Node<O> {
    world: World,
    observer: O,
    /// Index into `Search::parents`.
    id: usize,
}

/// A breadth-first search over the vocabulary, run in slices of steps so
/// that a page can yield between frames. Each distinct (system state,
/// observer memory) is expanded once, so the first hit of a kind is at the
/// smallest depth.
pub struct Search<O: Observer> {
    vocab: Vec<Command>,
    max_depth: usize,
    depth: usize,
    frontier: Vec<Node<O>>,
    next: Vec<Node<O>>,
    /// Where in the frontier the slice stopped: node, then command.
    node: usize,
    cmd: usize,
    seen: HashesSet<(u64, u64)>,
    states: HashesSet<u64>,
    /// (parent id, command index) per node; the root is its own parent.
    parents: Vec<(usize, usize)>,
    steps: u64,
}

impl<O: Observer> Search<O> {
    /// A search from a fresh system up to `max_depth` commands.
    pub fn new(observer: O, max_depth: usize) -> Search<O> {
        Search::from_world(World::new(), observer, max_depth)
    }

    /// A search from `world` up to `max_depth` commands.
    pub fn from_world(world: World, observer: O, max_depth: usize) -> Search<O> {
        Search::with_vocabulary(world, observer, max_depth, vocabulary())
    }

    /// A search from `world` over the given commands.
    pub fn with_vocabulary(
        world: World,
        observer: O,
        max_depth: usize,
        vocab: Vec<Command>,
    ) -> Search<O> {
        let key = (world.state_hash(), hash_of(&observer));
        Search {
            vocab,
            max_depth,
            depth: 0,
            states: HashesSet::from_iter([key.0]),
            seen: HashesSet::from_iter([key]),
            frontier: vec![Node {
                world,
                observer,
                id: 0,
            }],
            next: Vec::new(),
            node: 0,
            cmd: 0,
            parents: vec![(0, 0)],
            steps: 0,
        }
    }

    /// The commands searched over.
    pub fn vocabulary(&self) -> &[Command] {
        &self.vocab
    }

    /// How far the search has got.
    pub fn progress(&self) -> Progress {
        Progress {
            depth: self.depth + 1,
            max_depth: self.max_depth,
            states: self.states.len(),
            steps: self.steps,
            done: self.done(),
        }
    }

    fn done(&self) -> bool {
        self.depth >= self.max_depth || self.frontier.is_empty()
    }

    /// Runs at most `budget` steps. Returns the first hit met, if any; call
    /// again to go on past it. `None` with [`Progress::done`] means the
    /// search is over.
    pub fn run(&mut self, budget: u64) -> Option<Hit<O::Found>> {
        let mut left = budget;
        while !self.done() && left > 0 {
            if self.node == self.frontier.len() {
                self.frontier = std::mem::take(&mut self.next);
                self.node = 0;
                self.depth += 1;
                continue;
            }
            let node = &self.frontier[self.node];
            let cmd = &self.vocab[self.cmd];
            let mut world = node.world.clone();
            let mut observer = node.observer.clone();
            let events = world.apply(cmd);
            self.steps += 1;
            left -= 1;
            let parent = node.id;
            let index = self.cmd;
            let found = observer.observe(&node.world, cmd, &events, &world);
            self.cmd += 1;
            if self.cmd == self.vocab.len() {
                self.cmd = 0;
                self.node += 1;
            }
            if let Some(found) = found {
                let mut path = self.path_to(parent);
                path.push(index);
                return Some(Hit {
                    found,
                    path,
                    events,
                });
            }
            let key = (world.state_hash(), hash_of(&observer));
            self.states.insert(key.0);
            // The last level is only checked, never expanded.
            if self.seen.insert(key) && self.depth + 1 < self.max_depth {
                self.parents.push((parent, index));
                self.next.push(Node {
                    world,
                    observer,
                    id: self.parents.len() - 1,
                });
            }
        }
        None
    }

    fn path_to(&self, mut id: usize) -> Vec<usize> {
        let mut path = Vec::new();
        while id != 0 {
            let (parent, cmd) = self.parents[id];
            path.push(cmd);
            id = parent;
        }
        path.reverse();
        path
    }

    /// A path as scenario text, one `% ` line per command.
    pub fn scenario(&self, path: &[usize]) -> String {
        path.iter()
            .map(|&k| format!("% {}\n", self.vocab[k]))
            .collect()
    }
}

/// The invariants of [`crate::invariants`], as an exploration observer.
#[derive(Clone, Debug, Default, Hash)]
struct Invariants {
    pairing: Pairing,
}

impl Observer for Invariants {
    type Found = String;
    fn observe(
        &mut self,
        _: &World,
        _: &Command,
        events: &[Event],
        after: &World,
    ) -> Option<String> {
        self.pairing
            .observe(events)
            .and_then(|_| callbacks_only_for_loaded_objects(events))
            .and_then(|_| snapshot_consistent_on(&after.snapshot(), after.kernel_version()))
            .err()
    }
}

/// Explores every command sequence up to `depth` from a fresh system and
/// reports each invariant broken, with the shortest scenario that breaks it.
pub fn explore(depth: usize) -> Report {
    explore_on(depth, crate::KernelVersion::Latest)
}

/// [`explore`] on mainline release `kernel` (each violating scenario then
/// carries a `# kernel:` header).
pub fn explore_on(depth: usize, kernel: crate::KernelVersion) -> Report {
    let mut search =
        Search::from_world(World::new().on_kernel(kernel), Invariants::default(), depth);
    let header = if kernel == crate::KernelVersion::Latest {
        String::new()
    } else {
        format!("# kernel: {kernel}\n")
    };
    let mut violations = Vec::new();
    while let Some(hit) = search.run(u64::MAX) {
        violations.push(Violation {
            message: hit.found,
            scenario: format!("{header}{}", search.scenario(&hit.path)),
        });
    }
    let progress = search.progress();
    Report {
        depth,
        commands: search.vocabulary().len(),
        steps: progress.steps,
        states: progress.states,
        violations,
    }
}

pub(crate) fn hash_of(value: &impl Hash) -> u64 {
    let mut h = crate::world::FxHasher::default();
    value.hash(&mut h);
    h.finish()
}
