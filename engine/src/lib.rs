//! klpscope's engine: a model of the Linux kernel livepatch core that shows
//! which (un)patch callback runs when, and what it sees.
//!
//! Data flows one way:
//!
//! ```text
//! scenario text --parse--> Scenario --run (World::apply per command)--> Run
//!     Run = per step: the Events it caused + a Snapshot  --render--> kernel log, JSON
//! ```
//!
//! The [`World`] mirrors kernel/livepatch/: `core.c` (enable, disable,
//! module coming/going, sysfs), `transition.c` (the consistency model),
//! `patch.c` (ftrace ops stacks and the handler), `state.c` and the
//! callback wrappers of `core.h`; functions carry their kernel names.
//! The module loader of kernel/module/main.c runs around it.
//!
//! Not modelled: ftrace itself, RCU and barriers (they become comments),
//! kobjects beyond the sysfs files a person writes, relocations, real
//! stacks (a task sleeps in at most one modelled function), time.
//!
//! ```
//! let run = klpscope_engine::run_text(
//!     "% insmod test_modules/test_klp_callbacks_demo.ko\n",
//! ).unwrap();
//! let log = klpscope_engine::render::log(&run);
//! assert_eq!(
//!     log.lines().nth(1),
//!     Some("livepatch: enabling patch 'test_klp_callbacks_demo'"),
//! );
//! ```
#![warn(missing_docs)]

pub mod ask;
#[cfg(feature = "book")]
pub mod book;
mod callback_code;
pub mod catalog;
pub mod check;
mod command;
pub mod contract;
pub mod diff;
pub mod errno;
pub mod event;
pub mod explore;
pub mod invariants;
pub mod kmod;
mod kprobes;
pub mod ledger;
mod livepatch;
pub mod log;
pub mod mail;
mod module;
mod module_code;
pub mod pointers;
pub mod quiz;
pub mod render;
pub mod scenario;
pub mod semantics;
pub mod share;
pub mod slug;
pub mod snapshot;
pub mod table;
mod user;
mod world;

pub use command::{Command, Loader};
pub use event::{CallbackKind, Effect, Event, EventKind, KlpState, ModuleState};
pub use livepatch::kernel_version::KernelVersion;
pub use scenario::{ParseError, Scenario, Step, parse};
pub use semantics::Semantics;
pub use snapshot::Snapshot;
pub use world::World;

use serde::Serialize;

/// The outcome of running a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Run {
    /// The system before the first command.
    pub initial: Snapshot,
    /// One entry per command.
    pub steps: Vec<StepResult>,
}

/// What one command did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepResult {
    /// 1-based line of the command in the scenario text.
    pub line: usize,
    /// The command as typed, without the `% ` prompt.
    pub command: String,
    /// The harness logs its `% ` line (false for a `# $ ` harness step).
    #[serde(skip_serializing_if = "is_true")]
    pub logged: bool,
    /// What it caused, in order.
    pub events: Vec<Event>,
    /// The system after it settled.
    pub snapshot: Snapshot,
}

fn is_true(b: &bool) -> bool {
    *b
}

/// Runs every command of a scenario on a freshly booted system, under the
/// profile its `# semantics:` header names (upstream without one).
pub fn run(scenario: &Scenario) -> Run {
    run_prefix(scenario, scenario.steps.len())
}

/// Runs every command of a scenario under the given semantics profile,
/// whatever its header says (a profile switch, or one side of a diff).
pub fn run_with(scenario: &Scenario, semantics: Semantics) -> Run {
    run_prefix_with(scenario, scenario.steps.len(), semantics)
}

/// Runs the first `n` commands (stepping back is replaying a prefix).
pub fn run_prefix(scenario: &Scenario, n: usize) -> Run {
    run_prefix_with(scenario, n, scenario.semantics.unwrap_or_default())
}

/// Runs the first `n` commands under the given semantics profile.
pub fn run_prefix_with(scenario: &Scenario, n: usize, semantics: Semantics) -> Run {
    let mut world = World::with_semantics(scenario.catalog.clone(), semantics)
        .on_kernel(scenario.kernel.unwrap_or_default());
    world.declare_state_callbacks(scenario.state_callbacks.clone());
    let initial = world.snapshot();
    let steps = scenario
        .steps
        .iter()
        .take(n)
        .map(|step| {
            let events = world.apply(&step.command);
            StepResult {
                line: step.line,
                command: step.command.to_string(),
                logged: step.logged,
                events,
                snapshot: world.snapshot(),
            }
        })
        .collect();
    Run { initial, steps }
}

/// Parses and runs scenario text.
pub fn run_text(text: &str) -> Result<Run, ParseError> {
    Ok(run(&parse(text)?))
}

/// Parses one command line (with or without the `% ` prompt) against a
/// catalog, e.g. for a command box.
pub fn parse_command(line: &str, catalog: &catalog::Catalog) -> Result<Command, ParseError> {
    let (text, col) = match line.strip_prefix("% ") {
        Some(rest) => (rest, 3),
        None => (line, 1),
    };
    scenario::parse_command(text, 1, col, catalog)
}

/// Sorts a short list in place, stably, by `less`. An insertion sort: the
/// lists the site sorts (search hits, a legend, module aliases) are short,
/// and the standard library's sort would add several kilobytes of code to
/// the browser build for each element type.
///
/// ```
/// let mut v = [(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd')];
/// klpscope_engine::sort_short_by(&mut v, |x, y| x.0 < y.0);
/// assert_eq!(v, [(0, 'd'), (1, 'b'), (2, 'a'), (2, 'c')]);
/// ```
pub fn sort_short_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}
