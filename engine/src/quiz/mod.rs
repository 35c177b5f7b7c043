//! Exercises: predict what one command does, and have the engine grade it.
//!
//! An exercise is a fenced ```` ```klpscope-quiz ```` block in the
//! documentation's Markdown:
//!
//! ```text
//! title: The target loads after the patch
//! skill: a module object's callbacks run from the module loader
//! % insmod test_modules/test_klp_callbacks_demo.ko
//! next: % insmod test_modules/test_klp_callbacks_mod.ko
//! hint: the module is in MODULE_STATE_COMING while its callbacks run
//! docs: #doc=modules/a-module-loads-under-a-patch
//! ```
//!
//! The lines before `next:` are the scenario so far (commands, comments,
//! `define` blocks); `next:` is the command whose effect the reader
//! predicts. The expected [`Answer`] is never written down: [`expected`]
//! runs the scenario and the command in the engine and reads the callbacks
//! of that last step and its console outcome. [`grade`] compares an answer
//! with it, item by item, and explains each mistake with the kernel call
//! chain (`why`) of the engine's event.
//!
//! ```
//! use klpscope_engine::quiz;
//! let md = "```klpscope-quiz\n\
//!           title: Enable a patch\n\
//!           skill: the patching callbacks of vmlinux\n\
//!           next: % insmod test_modules/test_klp_callbacks_demo.ko\n\
//!           ```\n";
//! let exercises = quiz::parse_quiz_blocks(md).unwrap();
//! let answer = quiz::parse_answer("pre_patch vmlinux\npost_patch vmlinux\nconsole: ok\n").unwrap();
//! let verdict = quiz::grade(&exercises[0], &answer).unwrap();
//! assert!(verdict.passed);
//! assert_eq!(exercises[0].id, "enable-a-patch");
//! ```

mod answer;
mod form;
mod grade;
mod parse;
pub mod term;

pub use answer::{ANSWER_FORMAT, AnswerError, parse_answer, read_state};
pub use form::Form;
pub use grade::{Finding, FindingKind, Score, Verdict, grade, grade_against};
pub use parse::{QUIZ_TAG, parse_quiz_blocks};

use crate::event::{CallbackKind, EventKind, ModuleState};
use crate::{StepResult, scenario};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The question of an exercise that words none (`ask:`).
pub const QUESTION: &str = "Which callbacks run, in which order, on which objects, seeing which \
                            module state, and what does the console show?";

/// One exercise: a scenario so far, the next command, what it trains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exercise {
    /// Stable slug for links (`id:` or the title's slug), e.g.
    /// `target-loaded-after-the-patch`; the site's link is `#quiz=ID`.
    pub id: String,
    /// One line naming the situation.
    pub title: String,
    /// The skill it trains.
    pub skill: String,
    /// The question, if the block words it (`ask:`); otherwise the reader
    /// predicts the callbacks and the console outcome.
    pub ask: Option<String>,
    /// The scenario before the command: `% ` commands, `#` comments and
    /// `define` blocks, as scenario text.
    pub prefix: String,
    /// The command to predict, without the `% ` prompt.
    pub command: String,
    /// A nudge for a reader who is stuck.
    pub hint: Option<String>,
    /// The documentation section that explains it: `#doc=CHAPTER/HEADING`.
    pub docs: Option<String>,
    /// Markdown line of the opening fence.
    pub line: usize,
    /// Markdown line of each line of `prefix`.
    #[serde(skip, default)]
    pub prefix_lines: Vec<usize>,
    /// Markdown line of `next:`.
    #[serde(skip, default)]
    pub command_line: usize,
}

impl Exercise {
    /// The scenario text with the command: prefix, then `% command`.
    pub fn scenario_text(&self) -> String {
        format!("{}% {}\n", self.prefix, self.command)
    }

    /// The Markdown line of line `n` (1-based) of [`Exercise::scenario_text`].
    fn markdown_line(&self, n: usize) -> usize {
        self.prefix_lines
            .get(n.wrapping_sub(1))
            .copied()
            .unwrap_or(self.command_line)
    }
}

/// One callback run: which, whose, on which object, seeing which state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Call {
    /// Which of the four.
    pub callback: CallbackKind,
    /// The livepatch whose callback it is; `None` in an answer that does
    /// not say (then any patch matches).
    pub patch: Option<String>,
    /// `vmlinux` or the module's name.
    pub object: String,
    /// The module's state the callback saw (`None` for vmlinux).
    pub state: Option<ModuleState>,
}

impl fmt::Display for Call {
    /// The answer format: `[PATCH: ]CALLBACK OBJECT [STATE]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.patch {
            write!(f, "{p}: ")?;
        }
        write!(f, "{} {}", self.callback, self.object)?;
        if let Some(s) = self.state {
            write!(f, " {}", short_state(s))?;
        }
        Ok(())
    }
}

/// The states a callback of a loaded module can see, as an answer form
/// offers them (a module in MODULE_STATE_UNFORMED has no callbacks run:
/// klp_module_coming() is called once it is COMING).
pub const ANSWER_STATES: [ModuleState; 3] =
    [ModuleState::Coming, ModuleState::Live, ModuleState::Going];

/// `COMING` for `MODULE_STATE_COMING`.
pub fn short_state(s: ModuleState) -> &'static str {
    s.name().trim_start_matches("MODULE_STATE_")
}

/// What the console shows after the command.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "line")]
pub enum Console {
    /// The command succeeded: no error line.
    Ok,
    /// The command failed; the error line, when known (an answer may say
    /// only `error`).
    Error(Option<String>),
}

impl fmt::Display for Console {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Console::Ok => f.write_str("console: ok"),
            Console::Error(None) => f.write_str("console: error"),
            Console::Error(Some(line)) => write!(f, "console: error: {line}"),
        }
    }
}

/// A prediction (or the engine's result): the callbacks of the step in
/// order, and the console outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The callbacks, in the order they run.
    pub calls: Vec<Call>,
    /// The console outcome; `None` when an answer does not say.
    pub console: Option<Console>,
}

impl fmt::Display for Answer {
    /// The textual answer format (see [`ANSWER_FORMAT`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.calls {
            writeln!(f, "{c}")?;
        }
        if let Some(c) = &self.console {
            writeln!(f, "{c}")?;
        }
        Ok(())
    }
}

/// The engine's answer to an exercise, with what explains it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Solution {
    /// The callbacks (every one with its patch and state) and the console.
    pub answer: Answer,
    /// For each call of `answer.calls`, the kernel call chain that ran it.
    pub why: Vec<Vec<String>>,
    /// The call chain of the error line, if the command failed.
    pub console_why: Vec<String>,
    /// The whole step as the engine ran it (events and snapshot), for views.
    pub step: StepResult,
}

/// Where an exercise or an answer is wrong: Markdown (or answer) line and
/// column, a message and a hint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuizError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl QuizError {
    pub(crate) fn new(line: usize, col: usize, message: impl Into<String>) -> QuizError {
        QuizError {
            line,
            col,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> QuizError {
        self.hint = Some(hint.into());
        self
    }

    /// `FILE:LINE:COL: message` and the hint, as the CLI prints it.
    pub fn in_file(&self, file: &str) -> String {
        let mut s = format!("{file}:{}:{}: {}", self.line, self.col, self.message);
        if let Some(h) = &self.hint {
            s.push_str(&format!("\n  hint: {h}"));
        }
        s
    }
}

impl fmt::Display for QuizError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, col {}: {}", self.line, self.col, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for QuizError {}

/// Runs the exercise's scenario and command in the engine and reads the
/// answer off the last step: its callback events in order and its
/// user-space error line (or `ok`).
///
/// Fails, with the Markdown position, when the scenario does not parse,
/// when it parses with a warning (e.g. an undeclared vmlinux function), or
/// when `next:` is not exactly one command.
pub fn expected(ex: &Exercise) -> Result<Solution, QuizError> {
    let text = ex.scenario_text();
    let map = |e: &scenario::ParseError| {
        let line = ex.markdown_line(e.line);
        // `next: % ` shifts the command's columns.
        let col = if line == ex.command_line && e.line > ex.prefix_lines.len() {
            e.col + "next: ".len()
        } else {
            e.col
        };
        QuizError {
            line,
            col,
            message: e.message(),
            hint: e.hint.clone(),
        }
    };
    let sc = scenario::parse(&text).map_err(|e| map(&e))?;
    if let Some(w) = sc.warnings.first() {
        return Err(map(w));
    }
    let last = sc.steps.last().map(|s| s.line);
    if last != Some(ex.prefix_lines.len() + 1) {
        return Err(
            QuizError::new(ex.command_line, 1, "'next:' is not one command")
                .hint("'next:' holds exactly one '% ' command"),
        );
    }
    let run = crate::run(&sc);
    let Some(step) = run.steps.last() else {
        return Err(QuizError::new(ex.command_line, 1, "nothing to run"));
    };
    Ok(solution_of(step))
}

/// The answer a step gives, as [`expected`] reads it off an exercise's
/// last step: its callback events in order and its first user-space error
/// line (or `ok`), each with the kernel call chain that explains it. (The
/// site grades against the step its explorer already ran.)
pub fn solution_of(step: &StepResult) -> Solution {
    let mut answer = Answer {
        calls: Vec::new(),
        console: Some(Console::Ok),
    };
    let mut why = Vec::new();
    let mut console_why = Vec::new();
    for ev in &step.events {
        match &ev.kind {
            EventKind::Callback { callback, .. } => {
                answer.calls.push(Call {
                    callback: *callback,
                    patch: ev.patch.clone(),
                    object: ev.object.clone().unwrap_or_else(|| "vmlinux".into()),
                    state: ev.module_state,
                });
                why.push(ev.why.clone());
            }
            EventKind::UserError { .. } if answer.console == Some(Console::Ok) => {
                answer.console = Some(Console::Error(ev.text.clone()));
                console_why = ev.why.clone();
            }
            _ => {}
        }
    }
    Solution {
        answer,
        why,
        console_why,
        step: step.clone(),
    }
}

/// Levenshtein distance, for "did you mean" hints (inputs are short: at
/// most the first 64 characters count).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
