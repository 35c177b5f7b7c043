//! The scenario language: a console session as the kernel selftests log it.
//!
//! ```text
//! % insmod test_modules/test_klp_callbacks_mod.ko     <- a command
//! test_klp_callbacks_mod: test_klp_callbacks_mod_init <- expected output
//! # anything                                          <- a comment
//! define livepatch my_patch ... end                   <- a module declaration
//! ```

mod decl;
mod error;
mod lexer;
mod parse;

pub use error::{ParseError, ParseErrorKind};
pub use parse::{parse, parse_command, with_kernel, with_semantics};

use crate::catalog::Catalog;
use crate::command::Command;
use serde::Serialize;

/// A parsed scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Built-in modules plus the scenario's own declarations.
    pub catalog: Catalog,
    /// Expected output lines before the first command.
    pub preamble: Vec<String>,
    /// The commands, in order.
    pub steps: Vec<Step>,
    /// Things that parse but will not do what they seem to (e.g. a patch of
    /// a vmlinux function the kernel does not have), with where and a hint.
    pub warnings: Vec<ParseError>,
    /// The profile its `# semantics: NAME` header names, if it has one
    /// ([`crate::run`] uses it; upstream when `None`).
    pub semantics: Option<crate::Semantics>,
    /// The mainline release its `# kernel: VERSION` header names, if it has
    /// one ([`crate::run`] uses it; the latest mainline when `None`).
    pub kernel: Option<crate::KernelVersion>,
    /// Per livepatch, its states' callbacks and flags as the 2025 proposal
    /// declares them (`state ID pre_patch ...` lines); only the
    /// `state-callbacks-2025` profile runs them.
    pub state_callbacks:
        std::collections::BTreeMap<String, Vec<crate::semantics::StateCallbacksDef>>,
}

/// One command and the output expected after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// 1-based line of the `% ` command.
    pub line: usize,
    /// The command.
    pub command: Command,
    /// The lines that follow it up to the next command (comments stripped).
    pub expected: Vec<String>,
    /// Written `% COMMAND`: the harness logs the command line. A `# $ COMMAND`
    /// step runs without it (a harness step such as a `/dev/kmsg` write).
    #[serde(skip_serializing_if = "is_logged")]
    pub logged: bool,
}

fn is_logged(b: &bool) -> bool {
    *b
}

/// The line that introduces a command in a transcript: `% COMMAND`, or
/// `# $ COMMAND` for a harness step that logs no command line.
pub fn prompt_line(command: &str, logged: bool) -> String {
    if logged {
        format!("% {command}")
    } else {
        format!("# $ {command}")
    }
}

impl Scenario {
    /// The scenario's command lines only, as a script (`% ` prefixed).
    pub fn commands_text(&self) -> String {
        self.steps
            .iter()
            .map(|s| format!("{}\n", prompt_line(&s.command.to_string(), s.logged)))
            .collect()
    }
}
