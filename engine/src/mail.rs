//! Plain text for mail and docs: what the copy buttons and `klpscope run
//! --format docs|mail` give. Every piece is plain text that survives a
//! mail client: the share link, the scenario, the 72-column swim-lane.

use crate::{Run, share};

/// A scenario as it travels: its profile header, `define` blocks and
/// commands, without comments or expected output (what its link holds).
/// Declarations are indented as the documentation writes them: two
/// spaces inside a block, four under an `object`.
pub fn scenario_text(text: &str) -> String {
    let plain = share::decode(&share::encode(text)).unwrap_or_else(|_| text.to_string());
    let mut out = String::with_capacity(plain.len() + 64);
    let (mut in_define, mut in_object) = (false, false);
    for line in plain.lines() {
        let l = line.trim();
        let indent = if !in_define {
            in_define = l.starts_with("define ");
            in_object = false;
            ""
        } else if l == "end" {
            in_define = false;
            ""
        } else if l.starts_with("object ") {
            in_object = true;
            "  "
        } else if in_object {
            "    "
        } else {
            "  "
        };
        out.push_str(indent);
        out.push_str(if in_define || l == "end" { l } else { line });
        out.push('\n');
    }
    out
}

/// A fenced ```` ```klpscope ```` block of the scenario, for a page of
/// the documentation (or any Markdown that renders klpscope blocks).
pub fn docs_block(text: &str) -> String {
    let body = scenario_text(text);
    // A fence longer than any backtick run inside keeps the block closed.
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}klpscope\n{body}{fence}\n")
}

/// Link, scenario and swim-lane together, ready to paste into a mail.
/// `base` is the site's address the fragment is appended to (empty: the
/// fragment alone); `at` the step shown, when not the last.
pub fn for_mail(text: &str, run: &Run, base: &str, at: Option<usize>) -> String {
    let mut link = format!("{base}#{}", share::encode(text));
    if let Some(at) = at {
        link.push_str(&format!("&at={at}"));
    }
    let scenario = scenario_text(text);
    let lane = crate::render::timeline(run);
    format!("klpscope: {link}\n\nThe scenario:\n\n{scenario}\nWhat the model shows:\n\n{lane}")
}
