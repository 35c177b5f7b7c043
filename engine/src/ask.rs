//! "Can this ever happen?": a reviewer's questions about the callbacks,
//! answered by exploring every command sequence of the selftest modules
//! ([`crate::explore`]). The answer is either "never", with the states
//! checked and the depth, or "yes", with the shortest scenario where it
//! happens.

use crate::World;
use crate::command::Command;
use crate::event::{CallbackKind, Effect, Event, EventKind, ModuleState, TransitionPhase};
pub use crate::explore::Progress;
use crate::explore::{Observer, Search};
use crate::invariants::{PairSet, Pairing};
use serde::Serialize;
use std::fmt;

/// The depth questions are explored to unless told otherwise.
pub const DEFAULT_DEPTH: usize = 8;

/// One of the questions the site lists, with the kernel's reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Named {
    /// Short id, for `klpscope explore --ask ID` and links.
    pub id: &'static str,
    /// The question as a reader asks it.
    pub text: &'static str,
    /// Why the kernel answers as it does, in one line.
    pub reason: &'static str,
    #[serde(skip)]
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    PostUnpatchWithoutPrePatch,
    PostPatchTwice,
    CallbackSeesUnformed,
    CallbackForUnloadedModule,
    TwoTransitions,
    PostPatchAfterForce,
    PreUnpatchBeforePostPatch,
}

/// The questions every reader can ask, in the order the site lists them.
pub const QUESTIONS: &[Named] = &[
    Named {
        id: "post-unpatch-without-pre-patch",
        text: "Can post_unpatch run on an object whose pre_patch did not succeed?",
        reason: "klp_post_unpatch_callback() runs only when post_unpatch_enabled is set, \
                 and only a pre_patch that returned 0 sets it (kernel/livepatch/core.h).",
        kind: Kind::PostUnpatchWithoutPrePatch,
    },
    Named {
        id: "post-patch-twice",
        text: "Can post_patch run twice on one object for one loaded patch?",
        reason: "post_patch runs at the end of each patching transition and in \
                 klp_module_coming() each time a target module loads while its patch is enabled.",
        kind: Kind::PostPatchTwice,
    },
    Named {
        id: "callback-sees-unformed",
        text: "Can a callback see its module in MODULE_STATE_UNFORMED?",
        reason: "The loader calls klp_module_coming() from prepare_coming_module(), once the \
                 module is COMING; an object is bound to a module only there (mod->klp_alive).",
        kind: Kind::CallbackSeesUnformed,
    },
    Named {
        id: "callback-for-unloaded-module",
        text: "Can a callback run for a module that is not loaded?",
        reason: "klp_module_going() runs the unpatch callbacks before the module is freed and \
                 unbinds the object; later transitions skip it (klp_is_object_loaded()).",
        kind: Kind::CallbackForUnloadedModule,
    },
    Named {
        id: "two-transitions",
        text: "Can two patches be in transition at the same time?",
        reason: "__klp_enable_patch() and __klp_disable_patch() return -EBUSY while \
                 klp_transition_patch is set; a write to enabled then only reverses it.",
        kind: Kind::TwoTransitions,
    },
    Named {
        id: "post-patch-after-force",
        text: "Can post_patch run while a task may still be running the old code?",
        reason: "klp_force_transition() marks every task patched without checking its stack; \
                 klp_complete_transition() then runs post_patch as after a normal transition.",
        kind: Kind::PostPatchAfterForce,
    },
    Named {
        id: "pre-unpatch-before-post-patch",
        text: "Can pre_unpatch run on an object whose post_patch has not run?",
        reason: "pre_unpatch runs when a finished patch starts unpatching (__klp_disable_patch(), \
                 refused during any transition) or its target goes (klp_cleanup_module_patches_limited(), \
                 skipped for the patch in transition); klp_reverse_transition() never calls it.",
        kind: Kind::PreUnpatchBeforePostPatch,
    },
];

/// The objects the explored livepatches have, for the builder's "on
/// OBJECT": vmlinux first, then modules, each once.
pub fn objects() -> Vec<String> {
    let catalog = crate::catalog::Catalog::builtin();
    let mut names = vec!["vmlinux".to_string()];
    for cmd in crate::explore::vocabulary() {
        let Command::Load { module, .. } = &cmd else {
            continue;
        };
        let Some(def) = catalog.resolve(module, &[], true) else {
            continue;
        };
        if let crate::catalog::ModuleBody::Livepatch(patch) = &def.body {
            for o in &patch.objs {
                let name = o.name.clone().unwrap_or_else(|| "vmlinux".into());
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// The command that caused a callback, as the question builder names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    /// `insmod` / `modprobe`
    Insmod,
    /// `rmmod`
    Rmmod,
    /// `echo 1 > .../enabled`
    Enable,
    /// `echo 0 > .../enabled`
    Disable,
    /// `echo 1 > .../force`
    Force,
    /// a write to a module parameter
    Param,
}

impl Verb {
    /// Every verb, in the builder's order.
    pub const ALL: [Verb; 6] = [
        Verb::Insmod,
        Verb::Rmmod,
        Verb::Enable,
        Verb::Disable,
        Verb::Force,
        Verb::Param,
    ];

    /// The word the builder and the CLI use.
    pub fn word(self) -> &'static str {
        match self {
            Verb::Insmod => "insmod",
            Verb::Rmmod => "rmmod",
            Verb::Enable => "enable",
            Verb::Disable => "disable",
            Verb::Force => "force",
            Verb::Param => "param",
        }
    }

    /// What kind of command `cmd` is, if one the builder names.
    pub fn of(cmd: &Command) -> Option<Verb> {
        match cmd {
            Command::Load { .. } => Some(Verb::Insmod),
            Command::Rmmod { .. } => Some(Verb::Rmmod),
            Command::PatchAttr { attr, value, .. } => match (attr.as_str(), value.as_str()) {
                ("enabled", "1") => Some(Verb::Enable),
                ("enabled", "0") => Some(Verb::Disable),
                ("force", "1") => Some(Verb::Force),
                _ => None,
            },
            Command::Param { .. } => Some(Verb::Param),
            _ => None,
        }
    }
}

/// "Can CALLBACK run on OBJECT seeing STATE after COMMAND?": each part
/// but the callback may be left open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pattern {
    /// Which callback.
    pub callback: CallbackKind,
    /// `vmlinux` or a module name; any object if `None`.
    pub object: Option<String>,
    /// The module state the callback sees; any (vmlinux included) if `None`.
    pub state: Option<ModuleState>,
    /// The kind of command that caused it; any if `None`.
    pub after: Option<Verb>,
}

impl Pattern {
    fn matches(&self, cmd: &Command, e: &Event) -> bool {
        let EventKind::Callback { callback, .. } = &e.kind else {
            return false;
        };
        *callback == self.callback
            && self
                .object
                .as_deref()
                .is_none_or(|o| e.object.as_deref() == Some(o))
            && self.state.is_none_or(|s| e.module_state == Some(s))
            && self.after.is_none_or(|v| Verb::of(cmd) == Some(v))
    }
}

impl Pattern {
    /// The builder's choices: a callback name, then an object, a module
    /// state and a command word, each empty for any. `None` if one is not
    /// a choice the builder offers.
    pub fn from_choices(callback: &str, object: &str, state: &str, after: &str) -> Option<Pattern> {
        Some(Pattern {
            callback: CallbackKind::from_name(callback)?,
            object: (!object.is_empty()).then(|| object.to_string()),
            state: match state {
                "" => None,
                s => Some(crate::quiz::read_state(s)?),
            },
            after: match after {
                "" => None,
                w => Some(Verb::ALL.into_iter().find(|v| v.word() == w)?),
            },
        })
    }
}

impl fmt::Display for Pattern {
    /// The builder's sentence, which [`Question::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.callback)?;
        if let Some(o) = &self.object {
            write!(f, " on {o}")?;
        }
        if let Some(s) = self.state {
            write!(f, " seeing {}", s.name())?;
        }
        if let Some(v) = self.after {
            write!(f, " after {}", v.word())?;
        }
        Ok(())
    }
}

/// A question to explore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// One of [`QUESTIONS`].
    Named(Named),
    /// A question from the builder.
    Pattern(Pattern),
    /// "Can X leak?": can something a callback declares it sets up or
    /// allocates (`sets X`, `allocates X`) stay in place once no installed
    /// patch is responsible for it?
    Leak(String),
}

/// Why a question could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionError {
    /// What is wrong.
    pub message: String,
    /// How to ask instead.
    pub hint: String,
}

impl fmt::Display for QuestionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (hint: {})", self.message, self.hint)
    }
}

impl Question {
    /// Reads a question: the id of one of [`QUESTIONS`], or
    /// `CALLBACK [on OBJECT] [seeing STATE] [after insmod|rmmod|enable|disable|force|param]`.
    pub fn parse(text: &str) -> Result<Question, QuestionError> {
        let text = text.trim().trim_end_matches('?').trim();
        let text = text
            .strip_prefix("can ")
            .or_else(|| text.strip_prefix("Can "))
            .unwrap_or(text);
        if let Some(q) = Question::named(text) {
            return Ok(q);
        }
        if let Some(what) = text.strip_suffix(" leak") {
            let what = what.trim().trim_matches('"');
            if !what.is_empty() {
                return Ok(Question::Leak(what.to_string()));
            }
        }
        let mut words = text.split_whitespace().peekable();
        let first = words.next().unwrap_or("");
        let Some(callback) = CallbackKind::ALL.into_iter().find(|c| c.name() == first) else {
            let ids: Vec<&str> = QUESTIONS.iter().map(|n| n.id).collect();
            return Err(QuestionError {
                message: format!("unknown question '{}'", clip(text)),
                hint: format!(
                    "ask one of {}, or 'CALLBACK [on OBJECT] [seeing STATE] [after COMMAND]' \
                     such as 'post_unpatch on test_klp_callbacks_mod seeing MODULE_STATE_GOING after rmmod'",
                    ids.join(", ")
                ),
            });
        };
        let mut p = Pattern {
            callback,
            object: None,
            state: None,
            after: None,
        };
        // "CALLBACK run on ...", as [`Question::text`] writes it.
        words.next_if_eq(&"run");
        while let Some(word) = words.next() {
            let Some(value) = words.next() else {
                return Err(QuestionError {
                    message: format!("'{}' needs a value", clip(word)),
                    hint: "write 'on OBJECT', 'seeing STATE' or 'after COMMAND'".into(),
                });
            };
            match word {
                "on" => p.object = Some(value.to_string()),
                "seeing" => p.state = Some(parse_state(value)?),
                "after" => {
                    p.after = Some(
                        Verb::ALL
                            .into_iter()
                            .find(|v| v.word() == value)
                            .ok_or_else(|| QuestionError {
                                message: format!("unknown command '{}'", clip(value)),
                                hint: "after insmod, rmmod, enable, disable, force or param".into(),
                            })?,
                    )
                }
                _ => {
                    return Err(QuestionError {
                        message: format!("unexpected '{}'", clip(word)),
                        hint: "write 'on OBJECT', 'seeing STATE' or 'after COMMAND'".into(),
                    });
                }
            }
        }
        Ok(Question::Pattern(p))
    }

    /// One of [`QUESTIONS`], by its id.
    pub fn named(id: &str) -> Option<Question> {
        QUESTIONS
            .iter()
            .find(|n| n.id == id)
            .map(|n| Question::Named(*n))
    }

    /// The question as a sentence.
    pub fn text(&self) -> String {
        match self {
            Question::Named(n) => n.text.to_string(),
            Question::Leak(what) => format!("Can \"{what}\" leak?"),
            Question::Pattern(p) => {
                let s = p.to_string();
                let rest = s.strip_prefix(p.callback.name()).unwrap_or_default();
                format!("Can {} run{rest}?", p.callback)
            }
        }
    }
}

fn parse_state(word: &str) -> Result<ModuleState, QuestionError> {
    let short = word
        .trim_start_matches("MODULE_STATE_")
        .to_ascii_uppercase();
    match short.as_str() {
        "LIVE" => Ok(ModuleState::Live),
        "COMING" => Ok(ModuleState::Coming),
        "GOING" => Ok(ModuleState::Going),
        "UNFORMED" => Ok(ModuleState::Unformed),
        _ => Err(QuestionError {
            message: format!("unknown module state '{}'", clip(word)),
            hint: "seeing MODULE_STATE_LIVE, COMING, GOING or UNFORMED".into(),
        }),
    }
}

/// At most 40 characters of user input, for messages.
fn clip(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The answer to a question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum Answer {
    /// It never happens within the depth explored.
    Never {
        /// Distinct states checked.
        states: usize,
        /// Commands deep.
        depth: usize,
        /// Steps executed.
        steps: u64,
    },
    /// It happens: the shortest scenario.
    Yes(Witness),
}

/// The shortest scenario in which the asked thing happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Witness {
    /// The scenario, one `% ` line per command.
    pub scenario: String,
    /// The 1-based step (command) where it happens: the last one.
    pub step: usize,
    /// The index of the event in that step's events.
    pub event: usize,
    /// What happened, in words.
    pub what: String,
    /// Distinct states checked before it was found.
    pub states: usize,
}

/// What a question's observer remembers along a path.
#[derive(Clone, Debug, Hash)]
struct Watch {
    question: Question,
    pairing: Pairing,
    /// (patch, object) pairs, per question: which had post_patch.
    seen: PairSet,
}

impl std::hash::Hash for Question {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {
        // Constant along a search: nothing to tell states apart by.
    }
}

fn key(e: &Event) -> (String, String) {
    (
        e.patch.clone().unwrap_or_default(),
        e.object.clone().unwrap_or_default(),
    )
}

fn callback(e: &Event) -> Option<CallbackKind> {
    match &e.kind {
        EventKind::Callback { callback, .. } => Some(*callback),
        _ => None,
    }
}

fn describe(e: &Event) -> String {
    let state = e
        .module_state
        .map(|s| format!(" seeing {}", s.name()))
        .unwrap_or_default();
    format!(
        "{} of {} on {}{state}",
        callback(e)
            .map(|c| c.to_string())
            .unwrap_or_else(|| "event".into()),
        e.patch.as_deref().unwrap_or("?"),
        e.object.as_deref().unwrap_or("?"),
    )
}

impl Observer for Watch {
    /// (index of the event in the step, what happened)
    type Found = (usize, String);

    fn observe(
        &mut self,
        before: &World,
        cmd: &Command,
        events: &[Event],
        after: &World,
    ) -> Option<(usize, String)> {
        let kind = match &self.question {
            Question::Leak(what) => return self.observe_leak(what.clone(), events, after),
            Question::Pattern(p) => {
                return events
                    .iter()
                    .position(|e| p.matches(cmd, e))
                    .map(|i| (i, describe(&events[i])));
            }
            Question::Named(n) => n.kind,
        };
        match kind {
            Kind::PostUnpatchWithoutPrePatch => {
                for (i, e) in events.iter().enumerate() {
                    if self.pairing.observe(std::slice::from_ref(e)).is_err() {
                        return Some((
                            i,
                            format!("{} without a successful pre_patch", describe(e)),
                        ));
                    }
                }
                None
            }
            Kind::PostPatchTwice => {
                // A livepatch module loaded again is a new patch.
                if let Command::Load { module, .. } = cmd {
                    self.seen.retain(|(patch, _)| patch != module);
                }
                for (i, e) in events.iter().enumerate() {
                    if callback(e) == Some(CallbackKind::PostPatch) && !self.seen.insert(key(e)) {
                        return Some((i, format!("{}, a second time", describe(e))));
                    }
                }
                None
            }
            Kind::CallbackSeesUnformed => events
                .iter()
                .position(|e| {
                    callback(e).is_some() && e.module_state == Some(ModuleState::Unformed)
                })
                .map(|i| (i, describe(&events[i]))),
            Kind::CallbackForUnloadedModule => events
                .iter()
                .position(|e| {
                    callback(e).is_some()
                        && e.object.as_deref() != Some("vmlinux")
                        && e.module_state.is_none()
                })
                .map(|i| {
                    let what = format!("{} for a module that is not loaded", describe(&events[i]));
                    (i, what)
                }),
            Kind::TwoTransitions => {
                let n = after
                    .snapshot()
                    .patches
                    .iter()
                    .filter(|p| p.transition)
                    .count();
                (n > 1).then(|| {
                    (
                        events.len().saturating_sub(1),
                        format!("{n} patches in transition"),
                    )
                })
            }
            Kind::PostPatchAfterForce => {
                let mut forced = before.transition_forced;
                for (i, e) in events.iter().enumerate() {
                    if let EventKind::Transition {
                        phase: TransitionPhase::Force,
                        ..
                    } = e.kind
                    {
                        forced = true;
                    }
                    if forced && callback(e) == Some(CallbackKind::PostPatch) {
                        return Some((i, format!("{} after a forced transition", describe(e))));
                    }
                }
                None
            }
            Kind::PreUnpatchBeforePostPatch => {
                for (i, e) in events.iter().enumerate() {
                    match callback(e) {
                        Some(CallbackKind::PostPatch) => {
                            self.seen.insert(key(e));
                        }
                        Some(CallbackKind::PrePatch | CallbackKind::PostUnpatch) => {
                            self.seen.remove(&key(e));
                        }
                        Some(CallbackKind::PreUnpatch) if !self.seen.remove(&key(e)) => {
                            return Some((i, format!("{} before its post_patch", describe(e))));
                        }
                        _ => {}
                    }
                }
                None
            }
        }
    }
}

impl Watch {
    /// "Can X leak?": follows who is responsible for X along the path
    /// (`seen` holds (X, owner) while X is in place) from the callbacks'
    /// declared effects; X leaks when its owner is neither enabled nor in
    /// transition any more. The kernel path that leaks:
    /// klp_unpatch_replaced_patches() (core.c) disables a patch that atomic
    /// replace supersedes without running any of its callbacks.
    fn observe_leak(
        &mut self,
        what: String,
        events: &[Event],
        after: &World,
    ) -> Option<(usize, String)> {
        let mut replaced_by = None;
        for e in events {
            if let EventKind::Transition {
                phase: TransitionPhase::Complete,
                target: crate::event::KlpState::Patched,
            } = e.kind
                && let Some(p) = e.patch.as_deref()
                && after.patch(p).is_some_and(|p| p.replace)
            {
                replaced_by = Some(p.to_string());
            }
            let EventKind::Callback {
                callback, effects, ..
            } = &e.kind
            else {
                continue;
            };
            let patch = e.patch.clone().unwrap_or_default();
            for effect in effects {
                match effect {
                    Effect::Sets(w) | Effect::Allocates(w) if *w == what => {
                        self.seen.retain(|(x, _)| *x != what);
                        self.seen.insert((what.clone(), patch.clone()));
                    }
                    Effect::Restores(w) | Effect::Frees(w) if *w == what => {
                        self.seen.retain(|(x, _)| *x != what);
                    }
                    Effect::TakesOver(w) | Effect::Keeps(w)
                        if *w == what
                            && matches!(
                                callback,
                                CallbackKind::PrePatch | CallbackKind::PostPatch
                            )
                            && self.seen.contains_first(&what) =>
                    {
                        self.seen.retain(|(x, _)| *x != what);
                        self.seen.insert((what.clone(), patch.clone()));
                    }
                    _ => {}
                }
            }
        }
        let owner = self.seen.owner_of(&what)?;
        let responsible =
            after.patch(&owner).is_some_and(|p| p.enabled) || after.is_transition_patch(&owner);
        if responsible {
            return None;
        }
        let why = match replaced_by {
            Some(r) => format!(
                "\"{what}\" of {owner} leaks: {r} replaced {owner}, and \
                 klp_unpatch_replaced_patches() runs none of {owner}'s callbacks"
            ),
            None => format!("\"{what}\" of {owner} leaks: {owner} left without undoing it"),
        };
        Some((events.len().saturating_sub(1), why))
    }
}

/// The commands a leak question explores: the default vocabulary, the
/// `klp_state` selftest modules (whose callbacks declare what they set up),
/// and the scenario's own modules: load, disable, remove.
fn leak_vocabulary(world: &World) -> Vec<Command> {
    let mut v = crate::explore::vocabulary();
    let mut names: Vec<(String, bool)> = ["test_klp_state", "test_klp_state2", "test_klp_state3"]
        .into_iter()
        .map(|n| (n.to_string(), true))
        .collect();
    for d in world.catalog().declared() {
        let livepatch = matches!(d.body, crate::catalog::ModuleBody::Livepatch(_));
        names.push((d.name.clone(), livepatch));
    }
    for (name, livepatch) in names {
        v.push(crate::explore::load(&name, &[]));
        v.push(Command::Rmmod {
            module: name.clone(),
        });
        if livepatch {
            v.push(Command::PatchAttr {
                patch: name,
                attr: "enabled".into(),
                value: "0".into(),
            });
        }
    }
    v
}

/// A question being explored, a slice at a time (for a page that must
/// keep painting); [`ask`] runs one to the end.
pub struct Asking {
    search: Search<Watch>,
}

impl Asking {
    /// Starts exploring `question` to `depth` commands.
    pub fn new(question: Question, depth: usize) -> Asking {
        Asking::from_world(World::new(), question, depth)
    }

    /// Starts exploring `question` from `world`.
    pub(crate) fn from_world(world: World, question: Question, depth: usize) -> Asking {
        let vocab = match &question {
            Question::Leak(_) => leak_vocabulary(&world),
            _ => crate::explore::vocabulary(),
        };
        let watch = Watch {
            question,
            pairing: Pairing::default(),
            seen: PairSet::default(),
        };
        Asking {
            search: Search::with_vocabulary(world, watch, depth, vocab),
        }
    }

    /// Runs at most `budget` steps; the answer once there is one.
    pub fn run(&mut self, budget: u64) -> Option<Answer> {
        if let Some(hit) = self.search.run(budget) {
            let (event, what) = hit.found;
            return Some(Answer::Yes(Witness {
                scenario: self.search.scenario(&hit.path),
                step: hit.path.len(),
                event,
                what,
                states: self.search.progress().states,
            }));
        }
        let p = self.search.progress();
        p.done.then_some(Answer::Never {
            states: p.states,
            depth: p.max_depth,
            steps: p.steps,
        })
    }

    /// How far the exploration has got.
    pub fn progress(&self) -> Progress {
        self.search.progress()
    }
}

/// Explores `question` to `depth` commands and answers it.
pub fn ask(question: Question, depth: usize) -> Answer {
    let mut asking = Asking::new(question, depth);
    loop {
        if let Some(answer) = asking.run(u64::MAX) {
            return answer;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::BrokenRule;

    fn named(id: &str) -> Question {
        Question::parse(id).expect("a listed question")
    }

    #[test]
    fn the_builders_choices_ask_what_the_same_sentence_asks() {
        let p = Pattern::from_choices(
            "pre_unpatch",
            "test_klp_callbacks_mod",
            "MODULE_STATE_GOING",
            "rmmod",
        )
        .expect("the builder's choices");
        let sentence =
            "pre_unpatch on test_klp_callbacks_mod seeing MODULE_STATE_GOING after rmmod";
        assert_eq!(Question::parse(sentence), Ok(Question::Pattern(p.clone())));
        assert_eq!(p.to_string(), sentence);
        let any = Pattern::from_choices("post_patch", "", "", "").unwrap();
        assert_eq!((any.object, any.state, any.after), (None, None, None));
        assert_eq!(Pattern::from_choices("post_pach", "", "", ""), None);
        assert_eq!(
            Pattern::from_choices("post_patch", "", "MODULE_STATE_X", ""),
            None
        );
        assert_eq!(Pattern::from_choices("post_patch", "", "", "reboot"), None);
        assert_eq!(
            Question::named("post-patch-twice"),
            Some(named("post-patch-twice"))
        );
        assert_eq!(Question::named("post_patch"), None);
        // The sentence a reader sees reads back as the same question.
        let q =
            Question::Pattern(Pattern::from_choices("post_patch", "vmlinux", "", "force").unwrap());
        assert_eq!(q.text(), "Can post_patch run on vmlinux after force?");
        assert_eq!(Question::parse(&q.text()), Ok(q));
    }

    fn witness(answer: Answer) -> Witness {
        match answer {
            Answer::Yes(w) => w,
            Answer::Never { states, depth, .. } => {
                panic!("expected a witness, got never ({states} states, depth {depth})")
            }
        }
    }

    /// Replays a witness and returns the events of its last step.
    fn last_step(w: &Witness) -> Vec<Event> {
        let run = crate::run(&crate::parse(&w.scenario).expect("a witness parses"));
        assert_eq!(run.steps.len(), w.step);
        run.steps.last().expect("one step at least").events.clone()
    }

    #[test]
    fn post_unpatch_never_runs_without_a_successful_pre_patch() {
        let answer = ask(named("post-unpatch-without-pre-patch"), 5);
        let Answer::Never { states, depth, .. } = answer else {
            panic!("the post_unpatch_enabled gate was crossed: {answer:?}");
        };
        assert_eq!(depth, 5);
        assert!(states > 100, "{states} states");
    }

    #[test]
    fn post_patch_runs_twice_on_one_object_and_the_witness_shows_it() {
        let w = witness(ask(named("post-patch-twice"), 6));
        assert_eq!(w.step, 4, "shortest scenario:\n{}", w.scenario);
        // Replayed on its own, the witness runs post_patch on the object a
        // second time in its last step, at the event it names.
        let run = crate::run(&crate::parse(&w.scenario).expect("parses"));
        let post_patch = |e: &Event| callback(e) == Some(CallbackKind::PostPatch);
        let last = &run.steps[w.step - 1].events[w.event];
        assert!(post_patch(last), "{last:?}");
        let earlier = run.steps[..w.step - 1]
            .iter()
            .flat_map(|s| &s.events)
            .filter(|e| post_patch(e) && key(e) == key(last))
            .count();
        assert_eq!(earlier, 1, "{}", w.scenario);
    }

    #[test]
    fn force_lets_post_patch_run_over_old_code() {
        let w = witness(ask(named("post-patch-after-force"), 6));
        let events = last_step(&w);
        assert_eq!(callback(&events[w.event]), Some(CallbackKind::PostPatch));
        assert!(w.scenario.contains("/force"), "{}", w.scenario);
    }

    #[test]
    fn a_pattern_question_finds_post_unpatch_on_a_going_module() {
        let q = Question::parse(
            "can post_unpatch on test_klp_callbacks_mod seeing MODULE_STATE_GOING after rmmod?",
        )
        .expect("parses");
        let w = witness(ask(q, 4));
        let events = last_step(&w);
        let e = &events[w.event];
        assert_eq!(callback(e), Some(CallbackKind::PostUnpatch));
        assert_eq!(e.object.as_deref(), Some("test_klp_callbacks_mod"));
        assert_eq!(e.module_state, Some(ModuleState::Going));
        assert!(
            w.scenario
                .lines()
                .last()
                .unwrap_or("")
                .starts_with("% rmmod")
        );
    }

    #[test]
    fn the_builder_offers_the_objects_of_the_explored_livepatches() {
        assert_eq!(
            objects(),
            [
                "vmlinux",
                "test_klp_callbacks_mod",
                "test_klp_callbacks_busy"
            ]
        );
    }

    #[test]
    fn the_builder_sentence_reads_back() {
        let p = Pattern {
            callback: CallbackKind::PreUnpatch,
            object: Some("vmlinux".into()),
            state: Some(ModuleState::Live),
            after: Some(Verb::Disable),
        };
        assert_eq!(Question::parse(&p.to_string()), Ok(Question::Pattern(p)));
    }

    #[test]
    fn a_bad_question_says_how_to_ask() {
        for (text, wanted) in [
            ("post_ptach", "unknown question"),
            (
                "pre_patch seeing MODULE_STATE_SLEEPY",
                "unknown module state",
            ),
            ("pre_patch after reboot", "unknown command"),
            ("pre_patch on", "needs a value"),
            ("pre_patch under vmlinux", "unexpected"),
        ] {
            let e = Question::parse(text).expect_err(text);
            assert!(e.message.contains(wanted), "{text}: {e}");
            assert!(!e.hint.is_empty());
        }
    }

    #[test]
    fn a_broken_post_unpatch_gate_is_caught_with_a_one_command_scenario() {
        let mut world = World::new();
        world.broken = Some(BrokenRule::PostUnpatchGate);
        let mut asking = Asking::from_world(world, named("post-unpatch-without-pre-patch"), 4);
        let w = loop {
            if let Some(a) = asking.run(1000) {
                break witness(a);
            }
        };
        assert_eq!(
            w.scenario,
            "% insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19\n"
        );
    }

    #[test]
    fn asking_in_slices_gives_the_same_answer_with_progress() {
        let mut asking = Asking::new(named("two-transitions"), 4);
        let mut last = 0;
        let answer = loop {
            if let Some(a) = asking.run(50) {
                break a;
            }
            let p = asking.progress();
            assert!(p.steps >= last + 50 && !p.done);
            last = p.steps;
        };
        assert_eq!(answer, ask(named("two-transitions"), 4));
    }

    #[test]
    fn a_leak_question_reads_back() {
        let q = Question::parse("can console_loglevel leak?").expect("a question");
        assert_eq!(q, Question::Leak("console_loglevel".into()));
        assert_eq!(q.text(), "Can \"console_loglevel\" leak?");
    }

    #[test]
    fn klp_state_compatibility_keeps_the_selftest_state_from_leaking() {
        // klp_is_patch_compatible(): a cumulative patch without state 1 is
        // refused while a patch with it is installed, so nothing replaces
        // test_klp_state without taking console_loglevel over.
        let answer = ask(Question::Leak("console_loglevel".into()), 3);
        assert!(matches!(answer, Answer::Never { .. }), "{answer:?}");
    }

    #[test]
    fn atomic_replace_leaks_what_the_replaced_patch_set_up() {
        let scenario = crate::parse(
            "define module tgt\n  func tgt_work\nend\n\
             define livepatch fix_a\n  object tgt\n    func tgt_work -> tgt_work_a\n    \
             post_patch sets \"feature flag\"\n    pre_unpatch restores \"feature flag\"\nend\n\
             define livepatch fix_c\n  replace\n  object vmlinux\n    post_patch\nend\n",
        )
        .expect("parses");
        let world = World::with_catalog(scenario.catalog.clone());
        let mut asking = Asking::from_world(world, Question::Leak("feature flag".into()), 3);
        let answer = loop {
            if let Some(a) = asking.run(u64::MAX) {
                break a;
            }
        };
        let w = witness(answer);
        assert_eq!(w.step, 3, "{}", w.scenario);
        assert!(
            w.what.contains("klp_unpatch_replaced_patches"),
            "{}",
            w.what
        );
        // Any atomic replace will do: fix_c, or the selftest demo2 with replace=1.
        assert!(w.what.contains("of fix_a leaks"), "{}", w.what);
        assert!(
            w.scenario.contains("fix_a.ko") && w.scenario.contains("tgt.ko"),
            "{}",
            w.scenario
        );
    }
}
