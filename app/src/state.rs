//! The explorer's source of truth, shared by every pane.
//!
//! The scenario *text* is the state: controls append commands to it, the URL
//! fragment carries it, and everything shown is a replay of it by the engine.
//! The engine is deterministic and a step's outcome depends only on the
//! steps before it, so "the run of the first N commands" is the first N steps
//! of the replay: stepping back and scrubbing only move `cursor`.

use crate::model::Timeline;
use klpscope_engine::{Run, Semantics, StepResult};
use leptos::prelude::*;
use std::sync::Arc;

/// The engine's replay of a scenario text.
#[derive(Debug)]
pub struct Replay {
    /// The text replayed.
    pub text: String,
    /// The run, or the parse error (as the engine words it).
    pub run: Result<Run, String>,
    /// The run arranged for the timeline.
    pub timeline: Timeline,
}

impl PartialEq for Replay {
    /// Same text, same replay: the engine is deterministic.
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Replay {
    /// Replays a scenario text.
    pub fn new(text: &str) -> Replay {
        match klpscope_engine::parse(text) {
            Ok(scenario) => {
                let run = klpscope_engine::run(&scenario);
                let semantics = scenario.semantics.unwrap_or_default();
                Replay::under(text.to_string(), Ok(run), semantics)
            }
            Err(e) => Replay::of(text.to_string(), Err(e.to_string())),
        }
    }

    /// A run under a profile: its markers bear the profile's callback
    /// names (the 2017 hooks under their own).
    pub fn under(text: String, run: Result<Run, String>, semantics: Semantics) -> Replay {
        let mut r = Replay::of(text, run);
        r.timeline.name_callbacks(semantics);
        r
    }

    /// A run made elsewhere (one side of a comparison), arranged for the
    /// timeline.
    pub fn of(text: String, run: Result<Run, String>) -> Replay {
        let timeline = match &run {
            Ok(r) => Timeline::build(r, is_livepatch_in(r)),
            Err(_) => Timeline::default(),
        };
        Replay {
            text,
            run,
            timeline,
        }
    }

    /// The steps (empty when the text did not parse).
    pub fn steps(&self) -> &[StepResult] {
        match &self.run {
            Ok(r) => &r.steps,
            Err(_) => &[],
        }
    }

    /// The text up to (not including) the command of step `n + 1`: the
    /// scenario as it stood after `n` steps, comments and expected output
    /// of those steps included.
    pub fn prefix(&self, n: usize) -> String {
        let steps = self.steps();
        match steps.get(n) {
            Some(next) => self
                .text
                .lines()
                .take(next.line.saturating_sub(1))
                .map(|l| format!("{l}\n"))
                .collect(),
            None => {
                let mut t = self.text.clone();
                if !t.is_empty() && !t.ends_with('\n') {
                    t.push('\n');
                }
                t
            }
        }
    }

    /// The kernel-format transcript of the first `n` steps.
    pub fn transcript(&self, n: usize) -> String {
        match &self.run {
            Ok(run) => {
                let prefix = Run {
                    initial: run.initial.clone(),
                    steps: run.steps[..n.min(run.steps.len())].to_vec(),
                };
                klpscope_engine::render::log(&prefix)
            }
            Err(e) => e.clone(),
        }
    }
}

/// Whether a module of a run is a livepatch, as its snapshots say (or the
/// catalog, for one that never got loaded).
fn is_livepatch_in(run: &Run) -> impl Fn(&str) -> bool + '_ {
    move |name| {
        run.steps
            .iter()
            .flat_map(|s| s.snapshot.modules.iter())
            .find(|m| m.name == name)
            .map(|m| m.livepatch)
            .unwrap_or_else(|| {
                klpscope_engine::catalog::builtin()
                    .iter()
                    .any(|m| m.name == name && m.livepatch)
            })
    }
}

/// An event picked on the timeline or in the transcript: (1-based step, event index).
pub type Selection = (usize, usize);

/// Explorer state, provided as context by [`provide_explorer_state`].
#[derive(Clone, Copy)]
pub struct ExplorerState {
    /// The scenario text.
    pub scenario: RwSignal<String>,
    /// How many steps are applied (0 = none, `steps.len()` = all).
    pub cursor: RwSignal<usize>,
    /// The replay of `scenario`, shared by every pane.
    pub replay: Memo<Arc<Replay>>,
    /// The selected event.
    pub selected: RwSignal<Option<Selection>>,
    /// The last error from the command line or the scenario editor.
    pub error: RwSignal<Option<String>>,
    /// Why the timeline does not show the scenario editor's text, while it
    /// does not: the editor writes it, the explorer shows it.
    pub stale: RwSignal<Option<String>>,
    /// Notified when something outside the explorer (a live block of the
    /// docs, an exercise, an answer) opened a scenario in it: the explorer
    /// scrolls itself into view.
    pub reveal: Trigger,
}

impl ExplorerState {
    /// Number of steps in the scenario.
    pub fn len(&self) -> usize {
        self.replay.with(|r| r.steps().len())
    }

    /// The scenario has no step.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves the cursor, clamped to the scenario.
    pub fn seek(&self, n: usize) {
        let n = n.min(self.len());
        if self.cursor.get_untracked() != n {
            self.cursor.set(n);
        }
    }

    /// One step back.
    pub fn back(&self) {
        self.seek(self.cursor.get_untracked().saturating_sub(1));
    }

    /// One step forward.
    pub fn forward(&self) {
        self.seek(self.cursor.get_untracked() + 1);
    }

    /// Runs a command after the current step. Steps after the cursor are
    /// dropped first, as when typing after an undo. A command the kernel
    /// refuses is fine (its answer is shown); text the scenario language
    /// cannot parse is not added and the error is shown instead.
    pub fn issue(&self, command: &str) -> bool {
        let command = command.trim();
        let command = command.strip_prefix("% ").unwrap_or(command).trim();
        if command.is_empty() {
            return false;
        }
        let replay = self.replay.get_untracked();
        let cursor = self.cursor.get_untracked().min(replay.steps().len());
        let text = format!("{}% {command}\n", replay.prefix(cursor));
        self.load(&text, None)
    }

    /// Replaces the scenario, with the cursor at `at` (default: the end).
    /// Returns false (and shows the error) when the text does not parse.
    pub fn load(&self, text: &str, at: Option<usize>) -> bool {
        match self.try_load(text, at) {
            Ok(()) => true,
            Err(e) => {
                self.error.set(Some(e.to_string()));
                false
            }
        }
    }

    /// Like [`ExplorerState::load`], but hands the parse error back to the
    /// caller (the scenario editor shows it beside the text) instead of
    /// showing it at the command line.
    pub fn try_load(
        &self,
        text: &str,
        at: Option<usize>,
    ) -> Result<(), klpscope_engine::ParseError> {
        klpscope_engine::parse(text)?;
        self.error.set(None);
        self.selected.set(None);
        self.scenario.set(text.to_string());
        let len = self.len();
        self.cursor.set(at.map_or(len, |a| a.min(len)));
        Ok(())
    }

    /// Asks the explorer to scroll into view (where the panes are
    /// stacked, it is below the docs).
    pub fn show(&self) {
        self.reveal.notify();
    }

    /// Back to an empty scenario.
    pub fn reset(&self) {
        self.error.set(None);
        self.selected.set(None);
        self.scenario.set(String::new());
        self.cursor.set(0);
    }
}

/// A handle that can only append commands: what the controls get. They
/// never need the run, so they do not re-render when it changes.
#[derive(Clone, Copy)]
pub struct CommandSink(ExplorerState);

impl CommandSink {
    /// See [`ExplorerState::issue`].
    pub fn issue(&self, command: &str) -> bool {
        self.0.issue(command)
    }
}

impl ExplorerState {
    /// The append-only handle for controls.
    pub fn sink(&self) -> CommandSink {
        CommandSink(*self)
    }
}

/// Creates the explorer state and provides it to every component below.
pub fn provide_explorer_state(initial: String, at: Option<usize>) -> ExplorerState {
    let scenario = RwSignal::new(initial);
    let replay = Memo::new(move |_| Arc::new(Replay::new(&scenario.read())));
    let len = replay.with_untracked(|r| r.steps().len());
    let state = ExplorerState {
        scenario,
        cursor: RwSignal::new(at.map_or(len, |a| a.min(len))),
        replay,
        selected: RwSignal::new(None),
        error: RwSignal::new(None),
        stale: RwSignal::new(None),
        reveal: Trigger::new(),
    };
    provide_context(state);
    state
}

/// The explorer state provided by an ancestor.
pub fn use_explorer_state() -> ExplorerState {
    expect_context::<ExplorerState>()
}

/// Which chapter and heading the documentation pane shows.
#[derive(Clone, Copy)]
pub struct DocState {
    /// Index into [`crate::chapters::CHAPTERS`].
    pub chapter: RwSignal<usize>,
    /// Heading slug to scroll to, if any.
    pub heading: RwSignal<Option<String>>,
    /// The exercise a `#quiz=ID` link opened, to scroll to (it stays in
    /// the address until another chapter or section is opened).
    pub quiz: RwSignal<Option<String>>,
    /// The heading opened next takes the focus, once it is shown (a
    /// search result was chosen: reading and Tab go on from there).
    pub focus: RwSignal<bool>,
}

/// The two panes of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// The documentation.
    Docs,
    /// The explorer.
    Explorer,
}

/// Asks a pane to come into view with the focus on its title (the skip
/// link and the top bar's links): the pane, which owns its elements,
/// does it. Provided by the page; an embedded explorer has none.
#[derive(Clone, Copy)]
pub struct Jump(pub RwSignal<Option<Pane>>);

impl Jump {
    /// Asks `pane` to come into view and take the focus.
    pub fn to(&self, pane: Pane) {
        self.0.set(Some(pane));
    }

    /// Makes `pane` follow the requests: scroll `section` into view and
    /// focus `title` (outside the Tab order).
    pub fn follow(
        pane: Pane,
        section: NodeRef<leptos::html::Section>,
        title: NodeRef<leptos::html::H1>,
    ) {
        let Some(jump) = use_context::<Jump>() else {
            return;
        };
        Effect::new(move |_| {
            if jump.0.get() != Some(pane) {
                return;
            }
            if let Some(el) = section.get_untracked() {
                el.scroll_into_view();
            }
            if let Some(h) = title.get_untracked() {
                let _ = h.set_attribute("tabindex", "-1");
                let _ = h.focus();
            }
        });
    }
}
