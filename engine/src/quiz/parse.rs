//! Reading ```` ```klpscope-quiz ```` blocks out of Markdown.

use super::{Exercise, QuizError};

/// The fence tag of an exercise block.
pub const QUIZ_TAG: &str = "klpscope-quiz";

/// The keys a block knows, in the order a block usually lists them.
const KEYS: [&str; 7] = ["title", "id", "skill", "ask", "next", "hint", "docs"];

/// Keys whose text may go on over indented lines.
const TEXT_KEYS: [&str; 4] = ["title", "skill", "ask", "hint"];

/// The longest block body accepted, in lines (a block is typed by hand).
const MAX_LINES: usize = 400;

/// Every exercise in a Markdown text, in the order they appear.
///
/// Each ```` ```klpscope-quiz ```` block is one exercise. Errors carry the
/// Markdown line and column and a hint. A block whose scenario does not
/// parse is reported too (see [`super::expected`] for running it).
pub fn parse_quiz_blocks(markdown: &str) -> Result<Vec<Exercise>, QuizError> {
    let mut out: Vec<Exercise> = Vec::new();
    let mut block: Option<(usize, Vec<(usize, &str)>)> = None;
    let mut fence = "";
    for (i, line) in markdown.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim_start();
        match &mut block {
            None => {
                let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
                if ticks >= 3 && trimmed[ticks..].trim() == QUIZ_TAG {
                    fence = &trimmed[..ticks];
                    block = Some((n, Vec::new()));
                }
            }
            Some((start, lines)) => {
                if trimmed.starts_with(fence) && trimmed.trim_end().trim_matches('`').is_empty() {
                    let ex = parse_block(*start, lines)?;
                    if let Some(prev) = out.iter().find(|e| e.id == ex.id) {
                        return Err(QuizError::new(
                            ex.line,
                            1,
                            format!("two exercises have the id '{}'", ex.id),
                        )
                        .hint(format!(
                            "the other one is at line {}; give one of them an 'id:' line",
                            prev.line
                        )));
                    }
                    out.push(ex);
                    block = None;
                } else if lines.len() >= MAX_LINES {
                    return Err(QuizError::new(*start, 1, "exercise block too long")
                        .hint(format!("a block has at most {MAX_LINES} lines")));
                } else {
                    lines.push((n, line));
                }
            }
        }
    }
    if let Some((start, _)) = block {
        return Err(
            QuizError::new(start, 1, format!("'{QUIZ_TAG}' block is not closed"))
                .hint("end it with a line of three backticks"),
        );
    }
    Ok(out)
}

/// One block body: `key: value` lines around the scenario prefix.
fn parse_block(start: usize, lines: &[(usize, &str)]) -> Result<Exercise, QuizError> {
    let mut fields: Vec<(&'static str, usize, String)> = Vec::new();
    let mut prefix = String::new();
    let mut prefix_lines = Vec::new();
    let mut in_define = false;
    let mut last_text_key: Option<usize> = None;
    for &(n, line) in lines {
        let trimmed = line.trim();
        if in_define {
            if trimmed == "end" {
                in_define = false;
            }
            prefix.push_str(line);
            prefix.push('\n');
            prefix_lines.push(n);
            continue;
        }
        // An indented line after a text key goes on with that key's text.
        if let Some(idx) = last_text_key
            && !trimmed.is_empty()
            && line.starts_with(char::is_whitespace)
        {
            let value = &mut fields[idx].2;
            value.push(' ');
            value.push_str(trimmed);
            continue;
        }
        last_text_key = None;
        if let Some((key, value)) = key_value(line) {
            let Some(&known) = KEYS.iter().find(|k| **k == key) else {
                let mut e = QuizError::new(n, 1, format!("unknown key '{key}'"));
                e.hint = Some(match did_you_mean(key) {
                    Some(k) => format!("did you mean '{k}:'?"),
                    None => format!("the keys are {}", KEYS.join(", ")),
                });
                return Err(e);
            };
            if fields.iter().any(|(k, _, _)| *k == known) {
                return Err(QuizError::new(n, 1, format!("'{known}:' given twice"))
                    .hint("each key appears once in a block"));
            }
            if known == "next" {
                // fine anywhere after the prefix
            } else if value.is_empty() {
                return Err(QuizError::new(
                    n,
                    key.len() + 2,
                    format!("'{known}:' is empty"),
                ));
            }
            if TEXT_KEYS.contains(&known) {
                last_text_key = Some(fields.len());
            }
            fields.push((known, n, value.to_string()));
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        if fields.iter().any(|(k, _, _)| *k == "next") {
            return Err(QuizError::new(n, 1, "scenario line after 'next:'").hint(
                "the scenario comes before 'next:'; 'next:' holds the one command to predict",
            ));
        }
        if trimmed.starts_with("% ") || trimmed.starts_with('#') {
            // a command or a comment
        } else if trimmed.starts_with("define ") {
            in_define = true;
        } else {
            return Err(
                QuizError::new(n, 1, format!("cannot read '{}'", clip(trimmed))).hint(
                    "a block holds 'key: value' lines, '% ' commands, '# ' comments \
                     and 'define ... end' blocks",
                ),
            );
        }
        prefix.push_str(line);
        prefix.push('\n');
        prefix_lines.push(n);
    }
    if in_define {
        let n = prefix_lines.last().copied().unwrap_or(start);
        return Err(QuizError::new(n, 1, "'define' block has no matching 'end'")
            .hint("close the declaration with a line 'end'"));
    }
    let get = |key: &str| {
        fields
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, n, v)| (*n, v.clone()))
    };
    let need = |key: &str, hint: &str| {
        get(key).ok_or_else(|| {
            QuizError::new(start, 1, format!("exercise has no '{key}:' line")).hint(hint)
        })
    };
    let (_, title) = need("title", "start the block with 'title: ...'")?;
    let (_, skill) = need("skill", "say what the exercise trains: 'skill: ...'")?;
    let (next_line, next) = need(
        "next",
        "name the command to predict: 'next: % insmod test_modules/X.ko'",
    )?;
    let command = next.strip_prefix("% ").unwrap_or(&next).trim().to_string();
    if command.is_empty() {
        return Err(QuizError::new(next_line, 1, "'next:' has no command")
            .hint("e.g. 'next: % rmmod test_klp_callbacks_mod'"));
    }
    let id = match get("id") {
        Some((n, id)) => {
            if !is_slug(&id) {
                return Err(
                    QuizError::new(n, 5, format!("'{}' is not a usable id", clip(&id)))
                        .hint("an id is lower case letters, digits and '-', at most 80 characters"),
                );
            }
            id
        }
        None => crate::slug::slug(&title, "exercise"),
    };
    let docs = match get("docs") {
        Some((n, d)) => {
            if !d.starts_with("#doc=") || !d[5..].split('/').all(is_slug) {
                return Err(
                    QuizError::new(n, 7, format!("'{}' is not a docs link", clip(&d))).hint(
                        "write '#doc=CHAPTER/heading-slug', e.g. '#doc=modules/a-module-goes-away'",
                    ),
                );
            }
            Some(d)
        }
        None => None,
    };
    Ok(Exercise {
        id,
        title,
        skill,
        ask: get("ask").map(|(_, v)| v),
        prefix,
        command,
        hint: get("hint").map(|(_, v)| v),
        docs,
        line: start,
        prefix_lines,
        command_line: next_line,
    })
}

/// `key: value` when the line starts with a lower-case word and a colon.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return None;
    }
    Some((key, value.trim()))
}

/// Whether `s` is usable in a link: letters, digits, `-`, `_`.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The known key one typo away from `word`.
fn did_you_mean(word: &str) -> Option<&'static str> {
    KEYS.iter()
        .copied()
        .find(|k| super::edit_distance(word, k) <= 2)
}

/// At most 40 characters of `s`, for messages.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}
