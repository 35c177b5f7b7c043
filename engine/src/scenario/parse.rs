//! Scenario text to [`Scenario`].

use super::decl::{Decl, FuncUse, parse_define};
use super::error::{ParseError, ParseErrorKind as K, did_you_mean};
use super::lexer::{Word, words};
use super::{Scenario, Step};
use crate::KernelVersion;
use crate::catalog::Catalog;
use crate::command::{Command, Loader};
use crate::semantics::Semantics;

/// Parses scenario text. Module names are checked against the built-in
/// catalog and the scenario's own `define` blocks (declared before use).
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let mut catalog = Catalog::builtin();
    let mut preamble = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut vmlinux_uses: Vec<FuncUse> = Vec::new();
    let mut object_uses: Vec<FuncUse> = Vec::new();
    let mut semantics = None;
    let mut kernel: Option<KernelVersion> = None;
    let mut state_callbacks = std::collections::BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let lineno = i + 1;
        let line = lines[i].trim_end_matches('\r');
        i += 1;
        if let Some(name) = semantics_header(line) {
            let col = line[..name.as_ptr() as usize - line.as_ptr() as usize]
                .chars()
                .count()
                + 1;
            let Some(profile) = Semantics::from_name(name) else {
                return Err(ParseError::new(
                    lineno,
                    col,
                    K::BadArgument(format!("unknown semantics '{name}'")),
                )
                .hint(format!("profiles: {}", Semantics::names())));
            };
            if !steps.is_empty() {
                return Err(ParseError::new(
                    lineno,
                    1,
                    K::BadArgument("'# semantics:' after the first command".into()),
                )
                .hint("the profile holds for the whole run: put the header before the first '% ' line"));
            }
            if semantics.is_some_and(|s| s != profile) {
                return Err(ParseError::new(
                    lineno,
                    col,
                    K::BadArgument(format!("a second semantics '{name}'")),
                )
                .hint("a scenario runs under one profile; keep one '# semantics:' line"));
            }
            semantics = Some(profile);
            continue;
        }
        if let Some(text) = header(line, "kernel:") {
            let col = line[..text.as_ptr() as usize - line.as_ptr() as usize]
                .chars()
                .count()
                + 1;
            let version = KernelVersion::parse(text).map_err(|why| {
                ParseError::new(lineno, col, K::BadArgument(format!("kernel '{text}'")))
                    .hint(format!("{why}; write a release from 4.15 on (e.g. '# kernel: 5.4') or '# kernel: latest'"))
            })?;
            if !steps.is_empty() {
                return Err(ParseError::new(
                    lineno,
                    1,
                    K::BadArgument("'# kernel:' after the first command".into()),
                )
                .hint("the kernel is booted once: put the header before the first '% ' line"));
            }
            if kernel.is_some_and(|k| k != version) {
                return Err(ParseError::new(
                    lineno,
                    col,
                    K::BadArgument(format!("a second kernel '{text}'")),
                )
                .hint("a scenario runs on one kernel; keep one '# kernel:' line"));
            }
            kernel = Some(version);
            continue;
        }
        // `# $ COMMAND`: a harness step that runs but logs no command line.
        if let Some(cmd) = line.strip_prefix("# $ ") {
            let command = parse_command(cmd, lineno, 5, &catalog)?;
            steps.push(Step {
                line: lineno,
                command,
                expected: Vec::new(),
                logged: false,
            });
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('%') {
            let Some(cmd) = rest.strip_prefix(' ') else {
                return Err(
                    ParseError::new(lineno, 2, K::MissingArgument("space after '%'"))
                        .hint("commands are written '% COMMAND'"),
                );
            };
            let command = parse_command(cmd, lineno, 3, &catalog)?;
            steps.push(Step {
                line: lineno,
                command,
                expected: Vec::new(),
                logged: true,
            });
            continue;
        }
        if line.starts_with("define ") || line == "define" {
            let (decl, next) = parse_define(&lines, i - 1)?;
            match decl {
                Decl::Module(def, uses, states, objects) => {
                    if !states.is_empty() {
                        state_callbacks.insert(def.name.clone(), states);
                    }
                    catalog.declare(*def);
                    vmlinux_uses.extend(uses);
                    object_uses.extend(objects);
                }
                Decl::Vmlinux(funcs) => funcs.iter().for_each(|f| catalog.declare_vmlinux(f)),
            }
            i = next;
            continue;
        }
        match steps.last_mut() {
            Some(step) => step.expected.push(line.to_string()),
            None => preamble.push(line.to_string()),
        }
    }
    let mut warnings = unknown_objects(&catalog, &object_uses);
    warnings.extend(unknown_vmlinux_functions(&catalog, &vmlinux_uses));
    Ok(Scenario {
        catalog,
        preamble,
        steps,
        warnings,
        semantics,
        kernel,
        state_callbacks,
    })
}

/// `text` under profile `s`: its `# semantics:` header lines removed and,
/// unless `s` is upstream (what a scenario without one runs under), one
/// put first. Every other line stays as it is.
pub fn with_semantics(text: &str, s: Semantics) -> String {
    let mut out = String::new();
    if s != Semantics::Upstream {
        out.push_str(&format!("# semantics: {}\n", s.name()));
    }
    for line in text.lines() {
        if semantics_header(line.trim()).is_none() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `text` on release `v`: its `# kernel:` header lines removed and, unless
/// `v` is the latest (what a scenario without one runs on), one put first
/// (after a `# semantics:` header that comes first). Every other line stays.
pub fn with_kernel(text: &str, v: KernelVersion) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    if let Some(first) = lines.peek()
        && semantics_header(first.trim()).is_some()
    {
        out.push_str(first);
        out.push('\n');
        lines.next();
    }
    if v != KernelVersion::Latest {
        out.push_str(&format!("# kernel: {v}\n"));
    }
    for line in lines {
        if header(line.trim(), "kernel:").is_none() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The profile name of a `# semantics: NAME` header line, if it is one.
fn semantics_header(line: &str) -> Option<&str> {
    header(line, "semantics:")
}

/// The value of a `# KEY VALUE` header line (`key` with its colon).
fn header<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix('#')?.trim_start();
    Some(rest.strip_prefix(key)?.trim())
}

/// `object MODULE` lines of a livepatch that name a module neither the
/// catalog nor the scenario declares (anywhere in the text), when the name
/// is close to one it does: a warning, not an error. The kernel accepts
/// such a patch (`klp_init_object()` looks the module up only when it is
/// loaded, and cumulative patches routinely carry objects for modules a
/// machine never loads), so the model does too; a near miss is worth a
/// "did you mean" where the name is typed.
fn unknown_objects(catalog: &Catalog, uses: &[FuncUse]) -> Vec<ParseError> {
    uses.iter()
        .filter(|u| !catalog.contains(&u.name))
        .filter_map(|u| {
            let targets = catalog.names().into_iter().filter(|n| *n != u.name);
            let close = did_you_mean(&u.name, targets)?;
            Some(
                ParseError::new(u.line, u.col, K::UnknownObject(u.name.clone())).hint(format!(
                    "did you mean '{close}'? Otherwise its callbacks run only if a module named '{}' is loaded",
                    u.name
                )),
            )
        })
        .collect()
}

/// `func` lines under `object vmlinux` that name a function vmlinux does not
/// have: not a parse error (the kernel refuses such a patch when it loads,
/// and the model shows that), but worth a warning where the name is typed.
fn unknown_vmlinux_functions(catalog: &Catalog, uses: &[FuncUse]) -> Vec<ParseError> {
    uses.iter()
        .filter(|u| !catalog.vmlinux_has(&u.name))
        .map(|u| {
            let known = catalog.vmlinux_functions().iter().map(String::as_str);
            let hint = match did_you_mean(&u.name, known) {
                Some(s) => format!(
                    "did you mean '{s}'? Otherwise declare it: 'define vmlinux', 'func {}', 'end'",
                    u.name
                ),
                None => format!(
                    "declare the functions of your kernel: 'define vmlinux', 'func {}', 'end'",
                    u.name
                ),
            };
            ParseError::new(u.line, u.col, K::UnknownVmlinuxFunction(u.name.clone())).hint(hint)
        })
        .collect()
}

const COMMANDS: [&str; 8] = [
    "insmod", "modprobe", "rmmod", "echo", "sysctl", "sleep", "grep", "kill",
];

/// The longest `sleep` a scenario may ask for.
const MAX_SLEEP: u32 = 3600;

/// Parses one command (the text after `% `); `col0` is the column of its
/// first character in the line.
pub fn parse_command(
    text: &str,
    lineno: usize,
    col0: usize,
    catalog: &Catalog,
) -> Result<Command, ParseError> {
    let mut ws = words(text, lineno)?;
    for w in &mut ws {
        w.col += col0 - 1;
    }
    let Some(first) = ws.first() else {
        return Err(ParseError::new(lineno, col0, K::MissingArgument("command"))
            .hint("e.g. '% insmod test_modules/test_klp_callbacks_mod.ko'"));
    };
    let end_col = col0 + text.chars().count();
    let cmd = match first.text.as_str() {
        "insmod" => parse_load(Loader::Insmod, &ws, lineno, end_col, catalog)?,
        "modprobe" => parse_load(Loader::Modprobe, &ws, lineno, end_col, catalog)?,
        "rmmod" => {
            let m = arg(&ws, 1, lineno, end_col, "module name")?;
            no_more(&ws, 2, lineno)?;
            Command::Rmmod {
                module: rmmod_name(m, lineno)?,
            }
        }
        "echo" => parse_echo(&ws, lineno, end_col)?,
        "grep" => parse_grep(&ws, lineno, end_col)?,
        "kill" => {
            let p = arg(&ws, 1, lineno, end_col, "process id")?;
            no_more(&ws, 2, lineno)?;
            match p.text.parse::<u32>() {
                Ok(pid) => Command::Kill { pid },
                Err(_) => {
                    return Err(
                        ParseError::new(lineno, p.col, K::BadArgument(p.text.clone()))
                            .hint("kill takes a process id, e.g. 'kill 1001'"),
                    );
                }
            }
        }
        prog if prog.starts_with("./") => parse_start(&ws, lineno, end_col)?,
        "sysctl" => parse_sysctl(&ws, lineno, end_col)?,
        "sleep" => {
            let n = arg(&ws, 1, lineno, end_col, "number of seconds")?;
            no_more(&ws, 2, lineno)?;
            match n.text.parse::<u32>() {
                Ok(secs) if secs <= MAX_SLEEP => Command::Sleep { secs },
                _ => {
                    return Err(
                        ParseError::new(lineno, n.col, K::BadArgument(n.text.clone()))
                            .hint(format!("sleep takes whole seconds, 0 to {MAX_SLEEP}")),
                    );
                }
            }
        }
        other => {
            let mut e = ParseError::new(lineno, first.col, K::UnknownCommand(other.into()));
            e = match did_you_mean(other, COMMANDS) {
                Some(s) => e.hint(format!("did you mean '{s}'?")),
                None => e.hint(format!("commands: {}", COMMANDS.join(", "))),
            };
            return Err(e);
        }
    };
    Ok(cmd)
}

fn arg<'a>(
    ws: &'a [Word],
    i: usize,
    lineno: usize,
    end_col: usize,
    what: &'static str,
) -> Result<&'a Word, ParseError> {
    ws.get(i)
        .ok_or_else(|| ParseError::new(lineno, end_col, K::MissingArgument(what)))
}

fn no_more(ws: &[Word], from: usize, lineno: usize) -> Result<(), ParseError> {
    match ws.get(from) {
        Some(w) => Err(ParseError::new(
            lineno,
            w.col,
            K::TrailingInput(w.text.clone()),
        )),
        None => Ok(()),
    }
}

/// The module `rmmod` removes: kmod's rmmod takes a name or the path of a
/// module file (`kmod_module_new_from_path()`: the file name without `.ko`),
/// and treats '-' and '_' alike. Any name is accepted; the kernel says
/// whether it is loaded.
fn rmmod_name(w: &Word, lineno: usize) -> Result<String, ParseError> {
    let name = match w.text.rsplit_once('/') {
        Some((_, file)) => file.strip_suffix(".ko").unwrap_or(file),
        None => w.text.strip_suffix(".ko").unwrap_or(&w.text),
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(
            ParseError::new(lineno, w.col, K::BadArgument(w.text.clone()))
                .hint("rmmod takes a module name or file, e.g. 'rmmod test_klp_callbacks_mod'"),
        );
    }
    Ok(name.replace('-', "_"))
}

fn module_name(w: &Word, lineno: usize, catalog: &Catalog) -> Result<String, ParseError> {
    // kmod treats '-' and '_' in module names alike.
    let name = w.text.replace('-', "_");
    if catalog.contains(&name) {
        return Ok(name);
    }
    let e = ParseError::new(lineno, w.col, K::UnknownModule(w.text.clone()));
    Err(match did_you_mean(&name, catalog.names()) {
        Some(s) => e.hint(format!("did you mean '{s}'?")),
        None => e.hint("declare it with 'define module NAME' or 'define livepatch NAME' ... 'end' before using it"),
    })
}

fn parse_load(
    loader: Loader,
    ws: &[Word],
    lineno: usize,
    end_col: usize,
    catalog: &Catalog,
) -> Result<Command, ParseError> {
    let target = arg(ws, 1, lineno, end_col, "module")?;
    let module_word = match loader {
        Loader::Insmod => {
            let file = target.text.rsplit('/').next().unwrap_or_default();
            let Some(stem) = file.strip_suffix(".ko") else {
                return Err(ParseError::new(
                    lineno,
                    target.col,
                    K::BadArgument(target.text.clone()),
                )
                .hint("insmod takes a module file, e.g. 'test_modules/NAME.ko'"));
            };
            Word {
                text: stem.into(),
                col: target.col + target.text.len() - file.len(),
                quoted: false,
            }
        }
        Loader::Modprobe => target.clone(),
    };
    let module = module_name(&module_word, lineno, catalog)?;
    let mut params = Vec::new();
    for w in &ws[2..] {
        let (p, v) = match w.text.split_once('=') {
            Some((p, v)) => (p.to_string(), Some(v.to_string())),
            None => (w.text.clone(), None),
        };
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(
                ParseError::new(lineno, w.col, K::BadArgument(w.text.clone()))
                    .hint("module parameters are written NAME=VALUE"),
            );
        }
        params.push((p, v));
    }
    Ok(Command::Load {
        loader,
        path: target.text.clone(),
        module,
        params,
    })
}

/// `echo TEXT... > /dev/kmsg`, if that is what `ws` is.
fn echo_kmsg(ws: &[Word]) -> Option<Command> {
    let redirect = ws
        .iter()
        .position(|w| !w.quoted && w.text.starts_with('>'))?;
    let path = match ws[redirect].text.as_str() {
        ">" => ws.get(redirect + 1)?.text.as_str(),
        p => &p[1..],
    };
    let last = if ws[redirect].text == ">" {
        redirect + 1
    } else {
        redirect
    };
    (path == "/dev/kmsg" && last + 1 == ws.len() && redirect > 1).then(|| Command::Kmsg {
        text: ws[1..redirect]
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    })
}

fn parse_echo(ws: &[Word], lineno: usize, end_col: usize) -> Result<Command, ParseError> {
    if let Some(cmd) = echo_kmsg(ws) {
        return Ok(cmd);
    }
    let value = arg(ws, 1, lineno, end_col, "value to write")?;
    let (path_word, rest) = match ws.get(2) {
        Some(w) if w.text == ">" => (arg(ws, 3, lineno, end_col, "path after '>'")?, 4),
        Some(w) if w.text.starts_with('>') => (w, 3),
        Some(w) => {
            return Err(
                ParseError::new(lineno, w.col, K::BadArgument(w.text.clone()))
                    .hint("write to a file: echo VALUE > /sys/..."),
            );
        }
        None => {
            return Err(ParseError::new(
                lineno,
                end_col,
                K::MissingArgument("'> PATH'"),
            ));
        }
    };
    no_more(ws, rest, lineno)?;
    let path = path_word.text.trim_start_matches('>');
    let bad = || {
        ParseError::new(lineno, path_word.col, K::BadPath(path.into())).hint(
            "klpscope models /sys/kernel/livepatch/PATCH/ATTRIBUTE \
             and /sys/module/MODULE/parameters/PARAM",
        )
    };
    let parts: Vec<&str> = path.split('/').collect();
    let value = value.text.clone();
    match parts.as_slice() {
        ["", "sys", "kernel", "livepatch", patch, attr] if !patch.is_empty() => {
            if attr.is_empty() || !attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad());
            }
            Ok(Command::PatchAttr {
                patch: patch.to_string(),
                attr: attr.to_string(),
                value,
            })
        }
        ["", "sys", "module", module, "parameters", param]
            if !module.is_empty() && !param.is_empty() =>
        {
            Ok(Command::Param {
                module: module.to_string(),
                param: param.to_string(),
                value,
            })
        }
        _ => Err(bad()),
    }
}

/// `grep PATTERN FILE > /dev/kmsg` (the selftests quote the pattern).
fn parse_grep(ws: &[Word], lineno: usize, end_col: usize) -> Result<Command, ParseError> {
    let pattern = arg(ws, 1, lineno, end_col, "pattern")?;
    let file = arg(ws, 2, lineno, end_col, "file")?;
    let (target, rest) = match ws.get(3) {
        Some(w) if w.text == ">" => (arg(ws, 4, lineno, end_col, "path after '>'")?, 5),
        Some(w) if w.text.starts_with('>') => (w, 4),
        Some(w) => {
            return Err(
                ParseError::new(lineno, w.col, K::TrailingInput(w.text.clone()))
                    .hint("grep reads one file: grep 'PATTERN' /proc/cmdline > /dev/kmsg"),
            );
        }
        None => {
            return Err(
                ParseError::new(lineno, end_col, K::MissingArgument("'> /dev/kmsg'"))
                    .hint("klpscope models grep writing into the kernel log: grep 'PATTERN' FILE > /dev/kmsg"),
            );
        }
    };
    no_more(ws, rest, lineno)?;
    if target.text.trim_start_matches('>') != "/dev/kmsg" {
        return Err(
            ParseError::new(lineno, target.col, K::BadPath(target.text.clone()))
                .hint("grep's output goes to /dev/kmsg, the kernel log"),
        );
    }
    let files = crate::catalog::selftests::PROC_FILES;
    if !files.iter().any(|f| f.path == file.text) {
        let names = files.iter().map(|f| f.path);
        let e = ParseError::new(lineno, file.col, K::BadPath(file.text.clone()));
        return Err(match did_you_mean(&file.text, names) {
            Some(s) => e.hint(format!("did you mean '{s}'?")),
            None => e.hint(format!(
                "klpscope models {}",
                files.map(|f| f.path).join(", ")
            )),
        });
    }
    Ok(Command::Grep {
        pattern: pattern.text.clone(),
        file: file.text.clone(),
    })
}

/// `./PROGRAM &`: a known test program, in the background.
fn parse_start(ws: &[Word], lineno: usize, end_col: usize) -> Result<Command, ParseError> {
    let prog = &ws[0];
    let programs = crate::catalog::selftests::PROGRAMS;
    if !programs.iter().any(|p| p.path == prog.text) {
        let e = ParseError::new(lineno, prog.col, K::UnknownCommand(prog.text.clone()));
        return Err(
            match did_you_mean(&prog.text, programs.iter().map(|p| p.path)) {
                Some(s) => e.hint(format!("did you mean '{s}'?")),
                None => e.hint(format!(
                    "klpscope knows the program {}",
                    programs.map(|p| p.path).join(", ")
                )),
            },
        );
    }
    match ws.get(1) {
        Some(w) if w.text == "&" => no_more(ws, 2, lineno)?,
        Some(w) => {
            return Err(
                ParseError::new(lineno, w.col, K::TrailingInput(w.text.clone()))
                    .hint("the program takes no arguments: './test_klp-call_getpid &'"),
            );
        }
        None => {
            return Err(ParseError::new(lineno, end_col, K::MissingArgument("'&'"))
                .hint("it loops until killed: run it in the background with ' &'"));
        }
    }
    Ok(Command::Start {
        program: prog.text.clone(),
    })
}

fn parse_sysctl(ws: &[Word], lineno: usize, end_col: usize) -> Result<Command, ParseError> {
    let mut i = 1;
    if ws.get(1).is_some_and(|w| w.text == "-w" || w.text == "-q") {
        i = 2;
    }
    let kv = arg(ws, i, lineno, end_col, "KEY=VALUE")?;
    no_more(ws, i + 1, lineno)?;
    let Some((key, value)) = kv.text.split_once('=') else {
        return Err(
            ParseError::new(lineno, kv.col, K::BadArgument(kv.text.clone()))
                .hint("write sysctl -w kernel.ftrace_enabled=0"),
        );
    };
    if key != "kernel.ftrace_enabled" {
        return Err(ParseError::new(lineno, kv.col, K::BadArgument(key.into()))
            .hint("the only modelled sysctl is kernel.ftrace_enabled"));
    }
    Ok(Command::Sysctl {
        key: key.into(),
        value: value.into(),
    })
}
