//! Share links: a scenario in a URL fragment, short enough for a mail.
//!
//! Only what a scenario needs to be replayed is kept: its semantics
//! profile, its commands and its `define` blocks (expected output and
//! comments are dropped). The current form is `s1=` (version 1), a
//! comma-separated list of tokens that stays readable:
//!
//! | token | stands for |
//! |---|---|
//! | `@seed-v1` | `# semantics: seed-v1` |
//! | `@5.4` | `# kernel: 5.4` |
//! | `i.demo+pre_patch_ret=-19` | `insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19` |
//! | `p.busy+sleep_secs=0` | `modprobe test_klp_callbacks_busy sleep_secs=0` |
//! | `r.mod` | `rmmod test_klp_callbacks_mod` |
//! | `demo/enabled=0` | `echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled` |
//! | `demo.pre_patch_ret=-19` | `echo -19 > /sys/module/test_klp_callbacks_demo/parameters/pre_patch_ret` |
//! | `ftrace=0` | `sysctl -w kernel.ftrace_enabled=0` |
//! | `sleep+5` | any other command, written out (`sleep 5`) |
//! | `$grep+'live+patched'+/proc/cmdline+>+/dev/kmsg` | a harness step, `# $ grep 'live patched' /proc/cmdline > /dev/kmsg` |
//! | `d.define+module+m!func+f!end` | `define` blocks, line by line (`!` ends a line) |
//! | `z.…` | `define` blocks, deflated and base64url-encoded |
//!
//! A catalog module is named by its short alias (its name without
//! `test_klp_callbacks_` or `test_klp_`) unless the scenario declares a
//! module of that name. Spaces are `+`; any byte outside
//! `A-Z a-z 0-9 - _ . / = : ~` is percent-encoded. Each command is only
//! written short when the short token reads back as the same command;
//! otherwise it is written out, so every scenario round-trips.
//!
//! The first form, `s=` (every line written out, `!` between lines,
//! declarations prefixed with `>`), still decodes: links made with it
//! keep working.
//!
//! A fragment may hold other parts (`doc=`, `at=`, `ev=`, `embed`),
//! separated by `&`: [`decode`] finds the scenario among them, and takes a
//! whole URL as well.

use crate::scenario::{ParseError, ParseErrorKind, parse};
use std::sync::LazyLock;

/// The longest fragment [`decode`] reads, in bytes.
pub const MAX_FRAGMENT: usize = 64 * 1024; // (the error hint says 65536)

/// The most text a `z.` token may inflate to, in bytes.
pub const MAX_INFLATED: usize = 64 * 1024;

/// The catalog's names start with one of these; the alias is the rest.
const ALIAS_PREFIXES: [&str; 2] = ["test_klp_callbacks_", "test_klp_"];
/// Words that start a command written out in full.
const VERBS: [&str; 8] = [
    "insmod", "modprobe", "rmmod", "echo", "sysctl", "sleep", "grep", "kill",
];
const FTRACE: &str = "kernel.ftrace_enabled";

fn keep(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-_./=~:".contains(&c)
}

/// Bytes kept by the first (`s=`) form.
fn keep_v0(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-_./=~,:".contains(&c)
}

fn escape_with(s: &str, keep: fn(u8) -> bool, out: &mut String) {
    for &b in s.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b if keep(b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    escape_with(s, keep, &mut out);
    out
}

/// `+` is a space, `%XX` a byte; `what` and `col` place an error.
fn unescape(raw: &str, line: usize, col: usize) -> Result<String, ParseError> {
    let raw = raw.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut j = 0;
    while j < raw.len() {
        match raw[j] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw
                    .get(j + 1..j + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                    return Err(ParseError::new(
                        line,
                        col + j,
                        ParseErrorKind::BadArgument("%".into()),
                    )
                    .hint("'%' must be followed by two hex digits"));
                };
                bytes.push(v);
                j += 2;
            }
            b => bytes.push(b),
        }
        j += 1;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The short alias of a catalog module name, if it has one.
fn alias_of(name: &str) -> Option<&str> {
    ALIAS_PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .filter(|a| !a.is_empty())
}

/// The modules a scenario declares, read off its `define` lines.
fn declared_names(defines: &str) -> Vec<String> {
    defines
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("define"))
                .then(|| w.nth(1).map(str::to_string))
                .flatten()
        })
        .collect()
}

/// The catalog's module names, built once: a link of 300 commands looks
/// a name up for each, and building the catalog is what costs.
static CATALOG_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    crate::catalog::builtin()
        .into_iter()
        .map(|m| m.name)
        .collect()
});

/// What a module name in a token stands for: a declared module by its
/// name, else a catalog module by its alias, else the name as written.
#[inline(never)]
fn expand(name: &str, declared: &[String]) -> String {
    if declared.iter().any(|d| d == name) {
        return name.to_string();
    }
    CATALOG_NAMES
        .iter()
        .find(|m| alias_of(m) == Some(name))
        .map_or_else(|| name.to_string(), String::clone)
}

/// The shortest name for `name` that [`expand`] reads back.
fn shorten(name: &str, declared: &[String]) -> String {
    match alias_of(name) {
        Some(a) if expand(a, declared) == name => a.to_string(),
        _ => name.to_string(),
    }
}

/// The command line (without `% `) a command token stands for.
fn command_of(token: &str, declared: &[String]) -> Option<String> {
    let first = token.split(' ').next().unwrap_or("");
    if VERBS.contains(&first) || first.starts_with("./") {
        return Some(token.to_string());
    }
    if let Some(rest) = token.strip_prefix("i.") {
        let (name, args) = rest
            .split_once(' ')
            .map_or((rest, None), |(n, a)| (n, Some(a)));
        let path = format!("test_modules/{}.ko", expand(name, declared));
        return Some(match args {
            Some(a) => format!("insmod {path} {a}"),
            None => format!("insmod {path}"),
        });
    }
    if let Some(rest) = token.strip_prefix("p.") {
        let (name, args) = rest
            .split_once(' ')
            .map_or((rest, None), |(n, a)| (n, Some(a)));
        let name = expand(name, declared);
        return Some(match args {
            Some(a) => format!("modprobe {name} {a}"),
            None => format!("modprobe {name}"),
        });
    }
    if let Some(name) = token.strip_prefix("r.") {
        return Some(format!("rmmod {}", expand(name, declared)));
    }
    if let Some(v) = token.strip_prefix("ftrace=") {
        return Some(format!("sysctl -w {FTRACE}={v}"));
    }
    let (lhs, value) = token.split_once('=')?;
    if let Some((patch, attr)) = lhs.split_once('/') {
        let patch = expand(patch, declared);
        return Some(format!(
            "echo {value} > /sys/kernel/livepatch/{patch}/{attr}"
        ));
    }
    let (module, param) = lhs.split_once('.')?;
    let module = expand(module, declared);
    Some(format!(
        "echo {value} > /sys/module/{module}/parameters/{param}"
    ))
}

/// The short token for a command, before escaping (`None`: write it out).
fn short_token(cmd: &crate::Command, declared: &[String]) -> Option<String> {
    use crate::{Command as C, Loader};
    let args = |params: &[(String, Option<String>)]| -> String {
        params
            .iter()
            .map(|(p, v)| match v {
                Some(v) => format!(" {p}={v}"),
                None => format!(" {p}"),
            })
            .collect()
    };
    Some(match cmd {
        C::Load {
            loader: Loader::Insmod,
            module,
            params,
            ..
        } => format!("i.{}{}", shorten(module, declared), args(params)),
        C::Load {
            loader: Loader::Modprobe,
            module,
            params,
            ..
        } => format!("p.{}{}", shorten(module, declared), args(params)),
        C::Rmmod { module } => format!("r.{}", shorten(module, declared)),
        C::PatchAttr { patch, attr, value } => {
            format!("{}/{attr}={value}", shorten(patch, declared))
        }
        C::Param {
            module,
            param,
            value,
        } => format!("{}.{param}={value}", shorten(module, declared)),
        C::Sysctl { key, value } if key == FTRACE => format!("ftrace={value}"),
        _ => return None,
    })
}

/// Where a line's trailing comment starts, as the `define` parser reads
/// words: a word that starts with `#`, outside a quoted string.
fn comment_start(line: &str) -> Option<usize> {
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            chars.by_ref().find(|&(_, c)| c == '"')?;
        } else {
            if c == '#' {
                return Some(i);
            }
            while chars.next_if(|&(_, c)| !c.is_whitespace()).is_some() {}
        }
    }
    None
}

/// A `define` line as the link keeps it: trailing comment cut, trimmed.
fn compact_define_line(line: &str) -> String {
    let line = line.trim_end_matches('\r');
    let cut = comment_start(line).map_or(line, |i| &line[..i]).trim();
    if cut == "end" && line.trim() != "end" {
        // The parser ends a block only at a bare `end`.
        return line.trim().to_string();
    }
    cut.to_string()
}

/// `miniz_oxide`'s best compression: links hold a few hundred bytes, so
/// time does not matter and every byte saved shortens the link.
const DEFLATE_LEVEL: u8 = 10;

/// The token for a group of `define` blocks: readable or deflated,
/// whichever is shorter.
fn define_token(text: &str) -> String {
    let mut readable = String::from("d.");
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            readable.push('!');
        }
        escape_with(line, keep, &mut readable);
    }
    let deflated = format!("z.{}", deflate_text(text));
    if deflated.len() < readable.len() {
        return deflated;
    }
    readable
}

/// The fragment (without `#`) for a scenario text: the `s1=` form, or
/// the `s=` form for a text that does not parse (so its error can still
/// be shown where the link opens).
pub fn encode(text: &str) -> String {
    let Ok(scenario) = parse(text) else {
        return encode_v0(text);
    };
    // Declarations first: aliases depend on the names they declare.
    let mut groups: Vec<Option<String>> = Vec::new(); // None: the next command
    let mut in_define = false;
    let mut defines = String::new();
    for line in text.lines() {
        let started = !in_define && (line.starts_with("define ") || line == "define");
        if in_define || started {
            let l = compact_define_line(line);
            in_define = line.trim_end_matches('\r').trim() != "end";
            if !l.is_empty() && !l.starts_with('#') {
                match groups.last_mut() {
                    Some(Some(g)) => {
                        g.push_str(&l);
                        g.push('\n');
                    }
                    _ => groups.push(Some(format!("{l}\n"))),
                }
                defines.push_str(&l);
                defines.push('\n');
            }
        } else if line.starts_with("% ") || line.starts_with("# $ ") {
            groups.push(None);
        }
    }
    let declared = declared_names(&defines);
    let mut tokens = Vec::new();
    if let Some(s) = scenario.semantics {
        tokens.push(format!("@{}", s.name()));
    }
    if let Some(v) = scenario.kernel {
        tokens.push(format!("@{v}"));
    }
    let mut steps = scenario.steps.iter();
    for g in groups {
        match g {
            Some(d) => tokens.push(define_token(&d)),
            None => {
                let Some(step) = steps.next() else { break };
                let line = step.command.to_string();
                // A harness step that logs no command line: `$COMMAND`.
                if !step.logged {
                    tokens.push(escape(&format!("${line}")));
                    continue;
                }
                let token = short_token(&step.command, &declared)
                    .filter(|t| !["d.", "z.", "@"].iter().any(|p| t.starts_with(p)))
                    .filter(|t| command_of(t, &declared).as_deref() == Some(line.as_str()))
                    .unwrap_or(line);
                tokens.push(escape(&token));
            }
        }
    }
    format!("s1={}", tokens.join(","))
}

/// The first form (`s=`): every line written out.
pub fn encode_v0(text: &str) -> String {
    let mut lines = Vec::new();
    let mut in_define = false;
    for line in text.lines() {
        if let Some(cmd) = line.strip_prefix("% ") {
            lines.push(cmd.to_string());
        } else if in_define || line.starts_with("define ") {
            in_define = line.trim() != "end";
            lines.push(format!(">{line}"));
        }
    }
    let mut out = String::from("s=");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('!');
        }
        escape_with(line, keep_v0, &mut out);
    }
    out
}

/// A link error at `col` of the scenario part: what was found (its first
/// 20 characters) and how to fix it.
#[inline(never)]
fn bad(col: usize, found: &str, hint: &str) -> ParseError {
    let shown: String = found.chars().take(20).collect();
    ParseError::new(1, col, ParseErrorKind::BadArgument(shown)).hint(hint.to_string())
}

/// The scenario part of a URL or fragment (`s=…` or `s1=…`), if any.
fn scenario_part(input: &str) -> Option<&str> {
    let frag = input.split_once('#').map_or(input, |(_, f)| f);
    frag.split('&')
        .find(|p| p.starts_with("s=") || p.starts_with("s1="))
}

/// The scenario text a link stands for. Takes a fragment (with or without
/// `#`, possibly with other `&` parts) or a whole URL.
pub fn decode(input: &str) -> Result<String, ParseError> {
    if input.len() > MAX_FRAGMENT {
        return Err(link_error(
            1,
            format!(
                "the link is {} bytes, over the limit of 64 KiB ({MAX_FRAGMENT} bytes)",
                input.len()
            ),
            "share the scenario file instead",
        ));
    }
    let Some(part) = scenario_part(input.trim()) else {
        return Err(bad(
            1,
            input.trim(),
            "a klpscope link holds a scenario part starting with 's1=' (or 's=')",
        ));
    };
    match part.strip_prefix("s1=") {
        Some(body) => decode_v1(body),
        None => decode_v0(&part[2..]),
    }
}

/// The `s1=` body. Errors place the token: line 1, column of its start.
fn decode_v1(body: &str) -> Result<String, ParseError> {
    let mut defines = String::new();
    let mut raw_tokens = Vec::new();
    let mut col = 4; // after "s1="
    for raw in body.split(',') {
        raw_tokens.push((raw, col));
        col += raw.len() + 1;
    }
    // First pass: the declarations, whose names the aliases give way to.
    let mut define_texts = Vec::new();
    for &(raw, col) in &raw_tokens {
        let text = if let Some(b64) = raw.strip_prefix("z.") {
            Some(inflate_token(b64, col)?)
        } else if let Some(lines) = raw.strip_prefix("d.") {
            let mut t = String::new();
            for l in lines.split('!') {
                t.push_str(&unescape(l, 1, col)?);
                t.push('\n');
            }
            Some(t)
        } else {
            None
        };
        if let Some(t) = &text {
            defines.push_str(t);
        }
        define_texts.push(text);
    }
    let declared = declared_names(&defines);
    let mut out = String::new();
    for (&(raw, col), define) in raw_tokens.iter().zip(define_texts) {
        if raw.is_empty() {
            continue;
        }
        if let Some(d) = define {
            out.push_str(&d);
            continue;
        }
        let token = unescape(raw, 1, col)?;
        if let Some(name) = token.strip_prefix('@') {
            // `@5.4`, `@latest`: the kernel; a profile's name starts with a letter.
            if name == "latest" || name.starts_with(|c: char| c.is_ascii_digit()) {
                let v =
                    crate::KernelVersion::parse(name).map_err(|why| bad(col + 1, name, &why))?;
                out.push_str(&format!("# kernel: {v}\n"));
                continue;
            }
            let Some(s) = crate::Semantics::from_name(name) else {
                return Err(bad(
                    col + 1,
                    name,
                    "an unknown semantics profile: upstream, seed-v1 or state-callbacks-2025",
                ));
            };
            out.push_str(&format!("# semantics: {}\n", s.name()));
            continue;
        }
        if let Some(cmd) = token.strip_prefix('$') {
            out.push_str(&format!("# $ {cmd}\n"));
            continue;
        }
        let Some(line) = command_of(&token, &declared).filter(|l| !l.contains('\n')) else {
            return Err(bad(
                col,
                &token,
                "a link token is a command such as 'i.demo', 'r.mod', 'demo/enabled=0' or a 'd.'/'z.' block",
            ));
        };
        out.push_str("% ");
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Text deflated (raw DEFLATE, RFC 1951, `miniz_oxide` at its best level)
/// and base64url-encoded: the body of a `z.` token. Any inflater reads it,
/// so links written with other compressors (the fixed-code one of earlier
/// builds) open the same; `tests/links/` keeps some.
pub fn deflate_text(text: &str) -> String {
    base64url_encode(&miniz_oxide::deflate::compress_to_vec(
        text.as_bytes(),
        DEFLATE_LEVEL,
    ))
}

fn inflate_token(b64: &str, col: usize) -> Result<String, ParseError> {
    let cut = "the link may have been cut or altered: copy it again whole";
    if let Some((at, c)) = b64
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(link_error(
            col,
            format!(
                "the 'z.' block is not base64url: '{c}' at its character {} (only A-Z a-z 0-9 - _)",
                at + 1
            ),
            cut,
        ));
    }
    let bytes = base64url_decode(b64).ok_or_else(|| {
        link_error(
            col,
            format!(
                "the 'z.' block does not decode as base64url: its length ({}) cannot end a block",
                b64.len()
            ),
            cut,
        )
    })?;
    let text = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_INFLATED).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => link_error(
                col,
                format!(
                    "the 'z.' block inflates to more than the limit of 64 KiB ({MAX_INFLATED} bytes)"
                ),
                "share the scenario file instead",
            ),
            _ => link_error(
                col,
                "the 'z.' block decodes but does not inflate (it is not complete DEFLATE data)"
                    .to_string(),
                cut,
            ),
        },
    )?;
    String::from_utf8(text).map_err(|_| {
        link_error(
            col,
            "the 'z.' block inflates to bytes that are not UTF-8 text".to_string(),
            cut,
        )
    })
}

/// A link that cannot be read at column `col`, and why.
fn link_error(col: usize, why: String, hint: &str) -> ParseError {
    ParseError::new(1, col, ParseErrorKind::BadLink(why)).hint(hint.to_string())
}

/// The `s=` body: lines separated by `!`, declarations prefixed `>`.
fn decode_v0(body: &str) -> Result<String, ParseError> {
    let mut text = String::new();
    if body.is_empty() {
        return Ok(text);
    }
    for (i, line) in body.split('!').enumerate() {
        let line = unescape(line, i + 1, 1)?;
        match line.strip_prefix('>') {
            Some(decl) => text.push_str(decl),
            None => {
                text.push_str("% ");
                text.push_str(&line);
            }
        }
        text.push('\n');
    }
    Ok(text)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Base64url without padding; `None` for any other character or length.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|&b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}
