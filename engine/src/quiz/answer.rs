//! The textual answer format, for the terminal and for tests.

use super::{Answer, Call, Console, QuizError};
use crate::event::{CallbackKind, ModuleState};

/// The answer format, as `klpscope quiz --help` prints it.
pub const ANSWER_FORMAT: &str = "\
Answer format: one callback per line, in the order they run, then the console.

  pre_patch vmlinux
  pre_patch test_klp_callbacks_mod COMING
  test_klp_callbacks_demo2: post_unpatch vmlinux
  console: ok

  CALLBACK OBJECT [STATE]   CALLBACK is pre_patch, post_patch, pre_unpatch or
                            post_unpatch; OBJECT is vmlinux or a module; STATE
                            (COMING, LIVE, GOING) is the module state the
                            callback sees (none for vmlinux).
  PATCH: CALLBACK ...       names the livepatch whose callback it is; without
                            it, any patch's callback matches.
  console: ok               the command succeeds;
  console: error            it fails (console: error: LINE names the line).
  none                      no callback runs (optional: an answer with no
                            callback lines says the same).

A selftest log line pasted as is also reads as an answer line, e.g.
  test_klp_callbacks_demo: pre_patch_callback: test_klp_callbacks_mod -> [MODULE_STATE_COMING] ...
Lines starting with # are ignored. At the prompt an answer ends with its
console: line or an empty line; 'hint' prints the exercise's hint.";

/// A line of an answer that does not read.
pub type AnswerError = QuizError;

/// Reads a whole answer (see [`ANSWER_FORMAT`]); errors name line and column.
pub fn parse_answer(text: &str) -> Result<Answer, AnswerError> {
    let mut answer = Answer::default();
    for (i, line) in text.lines().enumerate() {
        parse_answer_line(line, i + 1, &mut answer)?;
    }
    Ok(answer)
}

/// Adds one line to an answer. Blank lines, `#` comments and `none` add
/// nothing.
pub(crate) fn parse_answer_line(
    line: &str,
    n: usize,
    answer: &mut Answer,
) -> Result<(), AnswerError> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') || t.eq_ignore_ascii_case("none") {
        return Ok(());
    }
    let col = |s: &str| line.len() - line.trim_start().len() + 1 + (t.len() - s.len());
    if let Some(rest) = t.strip_prefix("console:") {
        if answer.console.is_some() {
            return Err(QuizError::new(n, 1, "a second 'console:' line")
                .hint("an answer has one console outcome"));
        }
        let rest = rest.trim();
        let console = if rest.eq_ignore_ascii_case("ok") {
            Console::Ok
        } else if rest.eq_ignore_ascii_case("error") {
            Console::Error(None)
        } else if let Some(l) = rest.strip_prefix("error:") {
            Console::Error(Some(l.trim().to_string()).filter(|l| !l.is_empty()))
        } else if is_error_line(rest) {
            Console::Error(Some(rest.to_string()))
        } else {
            return Err(QuizError::new(
                n,
                col(rest),
                format!("cannot read console outcome '{}'", super::parse::clip(rest)),
            )
            .hint("write 'console: ok', 'console: error' or 'console: error: LINE'"));
        };
        answer.console = Some(console);
        return Ok(());
    }
    answer.calls.push(parse_call(t, n, &col)?);
    Ok(())
}

/// A user-space error line as the console prints it.
fn is_error_line(s: &str) -> bool {
    ["insmod:", "modprobe:", "rmmod:", "-bash:"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// `[PATCH:] CALLBACK[_callback][:] OBJECT [->] [STATE]`.
fn parse_call(t: &str, n: usize, col: &dyn Fn(&str) -> usize) -> Result<Call, AnswerError> {
    let mut patch = None;
    let mut callback = None;
    let mut object: Option<String> = None;
    let mut state = None;
    let mut rest = t;
    while let Some(word) = rest.split_whitespace().next() {
        let at = rest.find(word).unwrap_or(0);
        let here = &rest[at..];
        rest = &here[word.len()..];
        let bare = word.trim_end_matches(':');
        if word == "->" {
            continue;
        }
        if callback.is_none() {
            let name = bare.strip_suffix("_callback").unwrap_or(bare);
            if let Some(k) = CallbackKind::from_name(name) {
                callback = Some(k);
                continue;
            }
            if patch.is_none() && word.ends_with(':') && !bare.is_empty() {
                patch = Some(bare.to_string());
                continue;
            }
            let mut e = QuizError::new(
                n,
                col(here),
                format!("'{}' is not a callback", super::parse::clip(bare)),
            );
            e.hint = Some(match close_callback(name) {
                Some(k) => format!("did you mean '{k}'?"),
                None => "a line starts with pre_patch, post_patch, pre_unpatch or post_unpatch \
                         (optionally after 'PATCH:')"
                    .into(),
            });
            return Err(e);
        }
        if object.is_none() {
            if bare.is_empty()
                || !bare
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(QuizError::new(
                    n,
                    col(here),
                    format!("'{}' is not an object name", super::parse::clip(word)),
                )
                .hint("the object is vmlinux or a module name, e.g. test_klp_callbacks_mod"));
            }
            object = Some(bare.to_string());
            continue;
        }
        if state.is_none() {
            let bracketed = word.starts_with('[');
            let s = bare.trim_start_matches('[').trim_end_matches(']');
            if let Some(st) = read_state(s) {
                state = Some(st);
                if bracketed {
                    // a pasted log line: the state's description follows
                    break;
                }
                continue;
            }
        }
        return Err(QuizError::new(
            n,
            col(here),
            format!("unexpected '{}'", super::parse::clip(word)),
        )
        .hint("after the object comes at most its module state: COMING, LIVE or GOING"));
    }
    let Some(callback) = callback else {
        return Err(
            QuizError::new(n, 1, "no callback on this line").hint("e.g. 'pre_patch vmlinux'")
        );
    };
    let Some(object) = object else {
        return Err(
            QuizError::new(n, t.len() + 1, format!("'{callback}' of which object?"))
                .hint("name the object: vmlinux or a module, e.g. 'pre_patch vmlinux'"),
        );
    };
    Ok(Call {
        callback,
        patch,
        object,
        state,
    })
}

/// The module state an answer names: `COMING`, `coming`,
/// `MODULE_STATE_COMING`, ... (also what the site's state select holds).
pub fn read_state(s: &str) -> Option<ModuleState> {
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("MODULE_STATE_").unwrap_or(&up);
    [
        ModuleState::Live,
        ModuleState::Coming,
        ModuleState::Going,
        ModuleState::Unformed,
    ]
    .into_iter()
    .find(|st| super::short_state(*st) == name)
}

/// The callback name a typo most likely meant.
fn close_callback(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_lowercase().replace('-', "_");
    CallbackKind::ALL
        .iter()
        .map(|k| k.name())
        .map(|k| (super::edit_distance(&w, k), k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}
