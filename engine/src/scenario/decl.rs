//! `define module NAME ... end` and `define livepatch NAME ... end`: a
//! scenario's own modules.
//!
//! ```text
//! define module my_target
//!   func my_func
//!   task worker sleeps in my_func
//!   init prints "my_target_init"
//! end
//!
//! define livepatch my_fix
//!   replace
//!   state 1 version 2
//!   object vmlinux
//!     pre_patch returns -ENODEV
//!   object my_target
//!     func my_func
//!     post_patch sets "my flag"
//!     pre_unpatch restores "my flag"
//! end
//! ```

use super::error::{ParseError, ParseErrorKind as K, clip, did_you_mean};
use super::lexer::{Word, words};
use crate::catalog::{
    CallbackDef, Flag, FuncBody, FuncDef, ModuleBody, ModuleDef, ObjectDef, ParamDef, ParamKind,
    PatchDef, Ret, StateDef, TaskDef, Wake,
};
use crate::errno::Errno;
use crate::event::{CallbackKind, Effect};
use crate::semantics::StateCallbacksDef;

/// What a `define` block declares.
// One value per block, moved once into the catalog: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Decl {
    /// `define module` / `define livepatch`, with the vmlinux functions its
    /// objects redirect and the modules its objects name (both checked once
    /// every block has been read).
    Module(
        Box<ModuleDef>,
        Vec<FuncUse>,
        Vec<StateCallbacksDef>,
        Vec<FuncUse>,
    ),
    /// `define vmlinux`: functions the running kernel has.
    Vmlinux(Vec<String>),
}

/// A name a declaration refers to (a `func OLD` under `object vmlinux`, or
/// the module of an `object MODULE` line): where, and which.
pub(crate) struct FuncUse {
    pub line: usize,
    pub col: usize,
    pub name: String,
}

/// Parses the `define` block that starts at `lines[start]`; returns what
/// it declares and the index of the line after `end`.
pub(crate) fn parse_define(lines: &[&str], start: usize) -> Result<(Decl, usize), ParseError> {
    let head = words(lines[start], start + 1)?;
    let lineno = start + 1;
    let kind = head.get(1).ok_or_else(|| {
        ParseError::new(
            lineno,
            8,
            K::MissingArgument("'module', 'livepatch' or 'vmlinux'"),
        )
    })?;
    if kind.text == "vmlinux" {
        return parse_vmlinux(lines, start, &head);
    }
    let name = head.get(2).ok_or_else(|| {
        ParseError::new(
            lineno,
            kind.col + kind.text.len(),
            K::MissingArgument("module name"),
        )
    })?;
    if !valid_name(&name.text) {
        return Err(ParseError::new(
            lineno,
            name.col,
            K::BadDeclaration(format!("'{}' is not a module name", name.text)),
        )
        .hint("module names use letters, digits and '_'"));
    }
    if let Some(extra) = head.get(3) {
        return Err(ParseError::new(
            lineno,
            extra.col,
            K::TrailingInput(extra.text.clone()),
        ));
    }
    let mut b = Builder::new(&name.text, &kind.text, lineno, kind.col)?;
    let what = format!("{} {}", kind.text, name.text);
    let next = block_lines(lines, start, &what, |ws, ln| b.line(ws, ln))?;
    let uses = std::mem::take(&mut b.vmlinux_funcs);
    let states = std::mem::take(&mut b.state_callbacks);
    let objects = std::mem::take(&mut b.objects);
    Ok((
        Decl::Module(Box::new(b.finish()), uses, states, objects),
        next,
    ))
}

/// `define vmlinux` followed by `func NAME` lines: functions of the
/// running kernel that a livepatch may redirect.
fn parse_vmlinux(lines: &[&str], start: usize, head: &[Word]) -> Result<(Decl, usize), ParseError> {
    let hint = "'define vmlinux' holds only 'func NAME' lines";
    if let Some(extra) = head.get(2) {
        return Err(
            ParseError::new(start + 1, extra.col, K::TrailingInput(extra.text.clone())).hint(hint),
        );
    }
    let mut funcs = Vec::new();
    let next = block_lines(lines, start, "vmlinux", |ws, ln| match ws {
        [f, name] if f.text == "func" => {
            funcs.push(name.text.clone());
            Ok(())
        }
        [f] if f.text == "func" => Err(bad(ln, f, "missing function name", hint)),
        [f, _, extra, ..] if f.text == "func" => Err(bad(
            ln,
            extra,
            "unexpected words after the function name",
            hint,
        )),
        [w, ..] => Err(bad(ln, w, &format!("unknown line '{}'", w.text), hint)),
        [] => Ok(()),
    })?;
    Ok((Decl::Vmlinux(funcs), next))
}

/// Feeds the lines of the block opened at `lines[start]` to `line`, words
/// split and trailing comments cut; returns the index after its `end`.
fn block_lines(
    lines: &[&str],
    start: usize,
    what: &str,
    mut line: impl FnMut(&[Word], usize) -> Result<(), ParseError>,
) -> Result<usize, ParseError> {
    let mut i = start + 1;
    while i < lines.len() {
        let ln = i + 1;
        let text = lines[i].trim_end_matches('\r');
        i += 1;
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed == "end" {
            return Ok(i);
        }
        // A command or another block cannot be part of a declaration: the
        // `end` of this one is missing, and the error belongs to its
        // `define` line, not to the line that gave it away.
        if text.starts_with('%') || text.starts_with("define ") || trimmed == "define" {
            return Err(unterminated(start, what).hint(format!(
                "finish the block with a line 'end' before line {ln}"
            )));
        }
        // A word starting with '#' begins a trailing comment.
        let mut ws = words(text, ln)?;
        if let Some(c) = ws.iter().position(|w| !w.quoted && w.text.starts_with('#')) {
            ws.truncate(c);
        }
        line(&ws, ln)?;
    }
    Err(unterminated(start, what).hint("finish the block with a line 'end'"))
}

fn unterminated(start: usize, what: &str) -> ParseError {
    ParseError::new(start + 1, 1, K::UnterminatedDefine(what.to_string()))
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The first words of the lines of a `define livepatch` block.
const LIVEPATCH_LINES: &[&str] = &[
    "replace",
    "state",
    "param",
    "object",
    "func",
    "pre_patch",
    "post_patch",
    "pre_unpatch",
    "post_unpatch",
    "patch_hook",
    "unpatch_hook",
];

/// The first words of the lines of a `define module` block.
const MODULE_LINES: &[&str] = &["func", "param", "task", "init", "exit"];

/// The clauses of a callback line.
const CLAUSES: &[&str] = &[
    "returns",
    "prints",
    "silent",
    "sets",
    "restores",
    "allocates",
    "frees",
    "keeps",
    "takes",
];

struct Builder {
    def: ModuleDef,
    patch: Option<PatchDef>,
    vmlinux_funcs: Vec<FuncUse>,
    /// The modules named by `object` lines (not vmlinux).
    objects: Vec<FuncUse>,
    /// `state ID CALLBACK|block_disable|shadow` lines (2025 proposal).
    state_callbacks: Vec<StateCallbacksDef>,
}

fn bad(ln: usize, w: &Word, what: &str, hint: &str) -> ParseError {
    ParseError::new(ln, w.col, K::BadDeclaration(what.into())).hint(hint.to_string())
}

impl Builder {
    fn new(name: &str, kind: &str, ln: usize, col: usize) -> Result<Builder, ParseError> {
        let name = name.replace('-', "_");
        let (body, patch) = match kind {
            "module" => (
                ModuleBody::Target {
                    init: vec![],
                    exit: vec![],
                    tasks: vec![],
                },
                None,
            ),
            "livepatch" => (
                ModuleBody::Target {
                    init: vec![],
                    exit: vec![],
                    tasks: vec![],
                },
                Some(PatchDef {
                    objs: vec![],
                    replace: Flag::Fixed(false),
                    states: vec![],
                }),
            ),
            other => {
                let e = ParseError::new(
                    ln,
                    col,
                    K::BadDeclaration(format!("'define {}'", clip(other))),
                );
                return Err(
                    match did_you_mean(other, ["module", "livepatch", "vmlinux"]) {
                        Some(s) => e.hint(format!("did you mean 'define {s}'?")),
                        None => e.hint(
                            "write 'define module NAME', 'define livepatch NAME' or 'define vmlinux'",
                        ),
                    },
                );
            }
        };
        Ok(Builder {
            def: ModuleDef {
                summary: format!("declared {kind}"),
                name,
                params: vec![],
                symbols: vec![],
                body,
                init_returns: 0,
            },
            patch,
            vmlinux_funcs: Vec::new(),
            objects: Vec::new(),
            state_callbacks: Vec::new(),
        })
    }

    fn finish(mut self) -> ModuleDef {
        if let Some(p) = self.patch {
            self.def.body = ModuleBody::Livepatch(p);
        }
        self.def
    }

    fn line(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let key = &ws[0];
        if let Some(kind) = CallbackKind::from_name(&key.text) {
            return self.callback(kind, ws, ln);
        }
        // v1 hooks (seed-v1): more functions in the pre_patch / post_unpatch
        // slots, kept in order, silent unless they print.
        if let Some(kind) = match key.text.as_str() {
            "patch_hook" => Some(CallbackKind::PrePatch),
            "unpatch_hook" => Some(CallbackKind::PostUnpatch),
            _ => None,
        } {
            return self.hook(kind, ws, ln);
        }
        match (key.text.as_str(), self.patch.is_some()) {
            ("param", _) => self.param(ws, ln),
            ("func", _) => self.func(ws, ln),
            ("replace", true) => {
                self.patch_mut().replace = match ws.get(1).map(|w| w.text.as_str()) {
                    None => Flag::Fixed(true),
                    Some("from") if ws.len() == 4 && ws[2].text == "param" => {
                        Flag::Param(ws[3].text.clone())
                    }
                    Some(_) => {
                        return Err(bad(
                            ln,
                            &ws[1],
                            "unexpected words after 'replace'",
                            "write 'replace' or 'replace from param NAME'",
                        ));
                    }
                };
                Ok(())
            }
            ("state", true) => self.state(ws, ln),
            ("object", true) => self.object(ws, ln),
            ("task", false) => self.task(ws, ln),
            ("init", _) if ws.get(1).is_some_and(|w| w.text == "returns") => {
                self.init_returns(ws, ln)
            }
            ("init" | "exit", false) => self.prints(ws, ln),
            (other, is_patch) => {
                let (keywords, hint): (&[&str], _) = if is_patch {
                    (
                        LIVEPATCH_LINES,
                        "a livepatch has: replace, state ID version V, param, object NAME, func OLD [-> NEW], and callback lines (pre_patch ...)",
                    )
                } else {
                    (
                        MODULE_LINES,
                        "a module has: func NAME, param NAME int|bool [= V], task COMM sleeps in FUNC [while PARAM], init/exit prints \"TEXT\"",
                    )
                };
                let hint = if !is_patch && LIVEPATCH_LINES.contains(&other) {
                    format!("'{other}' belongs in a 'define livepatch' (this is a 'define module')")
                } else if is_patch && MODULE_LINES.contains(&other) {
                    format!("'{other}' belongs in a 'define module' (this is a 'define livepatch')")
                } else {
                    match did_you_mean(other, keywords.iter().copied()) {
                        Some(s) => format!("did you mean '{s}'?"),
                        None => hint.to_string(),
                    }
                };
                Err(bad(
                    ln,
                    key,
                    &format!("unknown line '{}'", clip(other)),
                    &hint,
                ))
            }
        }
    }

    fn patch_mut(&mut self) -> &mut PatchDef {
        self.patch.get_or_insert_with(|| PatchDef {
            objs: vec![],
            replace: Flag::Fixed(false),
            states: vec![],
        })
    }

    fn param(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'param NAME int' or 'param NAME bool = Y'";
        let (Some(name), Some(ty)) = (ws.get(1), ws.get(2)) else {
            return Err(bad(ln, &ws[0], "incomplete param", hint));
        };
        let kind = match ty.text.as_str() {
            "int" => ParamKind::Int,
            "bool" => ParamKind::Bool,
            _ => return Err(bad(ln, ty, "param type must be int or bool", hint)),
        };
        let default = match (ws.get(3), ws.get(4)) {
            (None, _) => if kind == ParamKind::Int { "0" } else { "N" }.to_string(),
            (Some(eq), Some(v)) if eq.text == "=" => {
                let ok = match kind {
                    ParamKind::Int => crate::errno::kstrtoint(&v.text).map(|n| n.to_string()),
                    ParamKind::Bool => {
                        crate::errno::kstrtobool(&v.text).map(|b| if b { "Y" } else { "N" }.into())
                    }
                    // Not declarable (the type words are int and bool).
                    ParamKind::IntArray | ParamKind::String => Ok(v.text.clone()),
                };
                ok.map_err(|_| bad(ln, v, "bad default value", hint))?
            }
            (Some(w), _) => return Err(bad(ln, w, "expected '= VALUE'", hint)),
        };
        self.def.params.push(ParamDef {
            name: name.text.clone(),
            kind,
            default,
        });
        Ok(())
    }

    fn func(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'func NAME' (in a module) or 'func OLD [-> NEW]' (in an object)";
        let name = ws
            .get(1)
            .ok_or_else(|| bad(ln, &ws[0], "missing function name", hint))?;
        if self.patch.is_none() {
            if let Some(w) = ws.get(2) {
                return Err(bad(ln, w, "unexpected words after the function name", hint));
            }
            self.def.symbols.push(name.text.clone());
            return Ok(());
        }
        let hint =
            "write 'func OLD [-> NEW] [sleeps | returns | prints \"TEXT\" ...]' (in an object)";
        let (new_name, rest) = match (ws.get(2), ws.get(3)) {
            (Some(arrow), Some(n)) if arrow.text == "->" => (n.text.clone(), &ws[4..]),
            (Some(arrow), None) if arrow.text == "->" => {
                return Err(bad(ln, arrow, "missing the replacement's name", hint));
            }
            _ => (format!("livepatch_{}", name.text), &ws[2..]),
        };
        let body = func_body(rest, ln, hint)?;
        let obj = self.patch_mut().objs.last_mut().ok_or_else(|| {
            bad(
                ln,
                &ws[0],
                "func before any object",
                "start with 'object vmlinux' or 'object MODULE'",
            )
        })?;
        let in_vmlinux = obj.name.is_none();
        obj.funcs.push(FuncDef {
            old_name: name.text.clone(),
            new_name: new_name.clone(),
            body,
        });
        self.def.symbols.push(new_name);
        if in_vmlinux {
            self.vmlinux_funcs.push(FuncUse {
                line: ln,
                col: name.col,
                name: name.text.clone(),
            });
        }
        Ok(())
    }

    fn state(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'state ID version V', e.g. 'state 1 version 2'";
        let parse_num = |w: Option<&Word>| w.and_then(|w| w.text.parse::<u64>().ok());
        if let (Some(id), Some(what)) = (parse_num(ws.get(1)), ws.get(2))
            && id > 0
            && what.text != "version"
        {
            return self.state_extra(id, ws, ln);
        }
        match (
            parse_num(ws.get(1)),
            ws.get(2).map(|w| w.text.as_str()),
            parse_num(ws.get(3)),
        ) {
            (Some(id), Some("version"), Some(v))
                if id > 0 && ws.len() == 4 && v <= u32::MAX as u64 =>
            {
                self.patch_mut().states.push(StateDef {
                    id,
                    version: v as u32,
                });
                Ok(())
            }
            _ => Err(bad(ln, &ws[0], "malformed state", hint)),
        }
    }

    /// `state ID CALLBACK clauses`, `state ID block_disable`, `state ID
    /// shadow` (2025 proposal): declares the state (version 1) if needed.
    fn state_extra(&mut self, id: u64, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'state ID pre_patch|post_patch|pre_unpatch|post_unpatch CLAUSES', \
                    'state ID block_disable' or 'state ID shadow'";
        let entry = match self.state_callbacks.iter().position(|s| s.id == id) {
            Some(i) => i,
            None => {
                self.state_callbacks.push(StateCallbacksDef {
                    id,
                    callbacks: vec![],
                    block_disable: false,
                    is_shadow: false,
                });
                self.state_callbacks.len() - 1
            }
        };
        let what = &ws[2];
        match what.text.as_str() {
            "block_disable" | "shadow" if ws.len() == 3 => {
                let s = &mut self.state_callbacks[entry];
                if what.text == "shadow" {
                    s.is_shadow = true;
                } else {
                    s.block_disable = true;
                }
            }
            name => {
                let Some(kind) = CallbackKind::from_name(name) else {
                    let hint = match did_you_mean(
                        name,
                        [
                            "pre_patch",
                            "post_patch",
                            "pre_unpatch",
                            "post_unpatch",
                            "block_disable",
                            "shadow",
                        ],
                    ) {
                        Some(s) => format!("did you mean '{s}'?"),
                        None => hint.to_string(),
                    };
                    return Err(bad(
                        ln,
                        what,
                        &format!("unknown state line '{}'", clip(name)),
                        &hint,
                    ));
                };
                let cb = self.callback_def(kind, false, &ws[2..], ln)?;
                let s = &mut self.state_callbacks[entry];
                s.callbacks.retain(|(k, _)| *k != kind);
                s.callbacks.push((kind, cb));
            }
        }
        let patch = self.patch_mut();
        if !patch.states.iter().any(|s| s.id == id) {
            patch.states.push(StateDef { id, version: 1 });
        }
        Ok(())
    }

    fn object(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'object vmlinux' or 'object MODULE_NAME'";
        let name = ws
            .get(1)
            .ok_or_else(|| bad(ln, &ws[0], "missing object name", hint))?;
        if let Some(w) = ws.get(2) {
            return Err(bad(ln, w, "unexpected words after the object name", hint));
        }
        let obj_name = (name.text != "vmlinux").then(|| name.text.replace('-', "_"));
        if self.patch_mut().objs.iter().any(|o| o.name == obj_name) {
            return Err(bad(
                ln,
                name,
                "a patch has at most one object per module",
                hint,
            ));
        }
        if let Some(module) = &obj_name {
            self.objects.push(FuncUse {
                line: ln,
                col: name.col,
                name: module.clone(),
            });
        }
        self.patch_mut().objs.push(ObjectDef {
            name: obj_name,
            funcs: vec![],
            callbacks: vec![],
        });
        Ok(())
    }

    fn task(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'task COMM sleeps in FUNC [while PARAM] [started by param PARAM]'";
        let (Some(comm), Some(s), Some(inn), Some(func)) =
            (ws.get(1), ws.get(2), ws.get(3), ws.get(4))
        else {
            return Err(bad(ln, &ws[0], "incomplete task", hint));
        };
        if s.text != "sleeps" || inn.text != "in" {
            return Err(bad(ln, s, "expected 'sleeps in'", hint));
        }
        let mut rest = &ws[5..];
        let until = match rest {
            [w, p, ..] if w.text == "while" => {
                rest = &rest[2..];
                Wake::ParamCleared(p.text.clone())
            }
            _ => Wake::Removed,
        };
        let started_by = match rest {
            [] => None,
            [s, b, p, name] if s.text == "started" && b.text == "by" && p.text == "param" => {
                if !self
                    .def
                    .params
                    .iter()
                    .any(|q| q.name == name.text && q.kind == ParamKind::Bool)
                {
                    return Err(bad(
                        ln,
                        name,
                        "no such bool param",
                        "declare it first: 'param NAME bool'",
                    ));
                }
                Some(name.text.clone())
            }
            [w, ..] => {
                return Err(bad(
                    ln,
                    w,
                    "expected 'while PARAM' or 'started by param PARAM'",
                    hint,
                ));
            }
        };
        if started_by.is_none() && self.def.init_returns != 0 {
            return Err(init_fails_with_task(ln, &ws[0]));
        }
        if let ModuleBody::Target { tasks, .. } = &mut self.def.body {
            tasks.push(TaskDef {
                name: comm.text.clone(),
                sleeps_in: func.text.clone(),
                until,
                started_by,
            });
        }
        Ok(())
    }

    /// `init returns -EINVAL`: the module's init fails (or returns a
    /// positive value) on purpose.
    fn init_returns(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'init returns -ENAME' or 'init returns N', e.g. 'init returns -EINVAL'";
        let Some(v) = ws.get(2) else {
            return Err(bad(ln, &ws[1], "missing return value", hint));
        };
        if let Some(w) = ws.get(3) {
            return Err(bad(ln, w, "unexpected words after the return value", hint));
        }
        let ret = parse_ret(&v.text)
            .filter(|r| *r != 0)
            .ok_or_else(|| bad(ln, v, "bad return value", hint))?;
        if let ModuleBody::Target { tasks, .. } = &self.def.body
            && tasks.iter().any(|t| t.started_by.is_none())
        {
            return Err(init_fails_with_task(ln, &ws[0]));
        }
        self.def.init_returns = ret;
        Ok(())
    }

    fn prints(&mut self, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let hint = "write 'init prints \"TEXT\"'";
        let (Some(p), Some(text)) = (ws.get(1), ws.get(2)) else {
            return Err(bad(ln, &ws[0], "incomplete line", hint));
        };
        if p.text != "prints" || ws.len() != 3 {
            return Err(bad(ln, p, "expected 'prints \"TEXT\"'", hint));
        }
        if let ModuleBody::Target { init, exit, .. } = &mut self.def.body {
            if ws[0].text == "init" { init } else { exit }.push(text.text.clone());
        }
        Ok(())
    }

    fn callback(&mut self, kind: CallbackKind, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let cb = self.callback_def(kind, false, ws, ln)?;
        let obj = self.callback_object(ws, ln)?;
        obj.callbacks.retain(|(k, _)| *k != kind);
        obj.callbacks.push((kind, cb));
        Ok(())
    }

    /// `patch_hook ...` / `unpatch_hook ...`: one more v1 hook of the
    /// object, after those declared before it.
    fn hook(&mut self, kind: CallbackKind, ws: &[Word], ln: usize) -> Result<(), ParseError> {
        let mut cb = self.callback_def(kind, true, ws, ln)?;
        if !ws.iter().any(|w| w.text == "report") {
            cb.report = false;
        }
        self.callback_object(ws, ln)?.callbacks.push((kind, cb));
        Ok(())
    }

    fn callback_object(&mut self, ws: &[Word], ln: usize) -> Result<&mut ObjectDef, ParseError> {
        self.patch
            .as_mut()
            .and_then(|p| p.objs.last_mut())
            .ok_or_else(|| {
                bad(
                    ln,
                    &ws[0],
                    "callback outside an object",
                    "callbacks belong to an 'object' of a 'define livepatch'",
                )
            })
    }

    fn callback_def(
        &mut self,
        kind: CallbackKind,
        hook: bool,
        ws: &[Word],
        ln: usize,
    ) -> Result<CallbackDef, ParseError> {
        let hint = "clauses: returns ERRNO|N|param NAME (pre_patch and hooks only), prints \"TEXT\", silent, \
                    sets X, restores X, allocates X, frees X, takes over X, keeps X";
        let mut cb = CallbackDef::report();
        let mut i = 1;
        let take = |i: usize, what: &str| -> Result<String, ParseError> {
            ws.get(i)
                .map(|w| w.text.clone())
                .ok_or_else(|| bad(ln, &ws[i - 1], &format!("missing {what}"), hint))
        };
        while i < ws.len() {
            let w = &ws[i];
            match w.text.as_str() {
                "report" if hook => i += 1,
                "returns" if kind == CallbackKind::PrePatch || hook => {
                    let v = take(i + 1, "return value")?;
                    if v == "param" {
                        let p = take(i + 2, "parameter name")?;
                        if !self
                            .def
                            .params
                            .iter()
                            .any(|q| q.name == p && q.kind == ParamKind::Int)
                        {
                            return Err(bad(
                                ln,
                                &ws[i + 2],
                                "no such int param",
                                "declare it first: 'param NAME int'",
                            ));
                        }
                        cb.ret = Ret::Param(p);
                        i += 3;
                        continue;
                    }
                    cb.ret = Ret::Fixed(parse_ret(&v).ok_or_else(|| {
                        bad(
                            ln,
                            &ws[i + 1],
                            "bad return value",
                            "use 0, a number or -ENAME (e.g. -ENODEV)",
                        )
                    })?);
                    i += 2;
                }
                "returns" => {
                    return Err(bad(
                        ln,
                        w,
                        "only pre_patch returns a value",
                        "the other callbacks return void",
                    ));
                }
                "prints" => {
                    cb.lines.push(take(i + 1, "text")?);
                    i += 2;
                }
                "silent" => {
                    cb.report = false;
                    i += 1;
                }
                "sets" | "restores" | "allocates" | "frees" | "keeps" => {
                    let what = take(i + 1, "what it changes")?;
                    cb.effects.push(match w.text.as_str() {
                        "sets" => Effect::Sets(what),
                        "restores" => Effect::Restores(what),
                        "allocates" => Effect::Allocates(what),
                        "frees" => Effect::Frees(what),
                        _ => Effect::Keeps(what),
                    });
                    i += 2;
                }
                "takes" if ws.get(i + 1).is_some_and(|w| w.text == "over") => {
                    cb.effects
                        .push(Effect::TakesOver(take(i + 2, "what it takes over")?));
                    i += 3;
                }
                _ => {
                    let hint = match did_you_mean(&w.text, CLAUSES.iter().copied()) {
                        Some(s) => format!("did you mean '{s}'?"),
                        None => hint.to_string(),
                    };
                    return Err(bad(
                        ln,
                        w,
                        &format!("unknown clause '{}'", clip(&w.text)),
                        &hint,
                    ));
                }
            }
        }
        Ok(cb)
    }
}

/// A failing init starts no task: one it would start is refused.
fn init_fails_with_task(ln: usize, w: &Word) -> ParseError {
    bad(
        ln,
        w,
        "an init that fails ('init returns') starts no task",
        "start the task by a parameter ('task COMM sleeps in FUNC started by param NAME') or drop 'init returns'",
    )
}

/// `0`, `-19`, `-ENODEV` or a positive `1` (the kernel takes any int:
/// `klp_pre_patch_callback()` and `do_init_module()` test it against 0).
fn parse_ret(s: &str) -> Option<i32> {
    if let Some(name) = s.strip_prefix('-').filter(|n| n.starts_with('E')) {
        return Errno::from_name(name).map(|e| e.negative());
    }
    s.parse::<i32>().ok()
}

/// What a replacement does: `sleeps` (the default), `returns`, or
/// `prints "TEXT"` (one or more; it returns after printing).
fn func_body(ws: &[Word], ln: usize, hint: &str) -> Result<FuncBody, ParseError> {
    match ws {
        [] => Ok(FuncBody::Sleeps),
        [w] if w.text == "sleeps" => Ok(FuncBody::Sleeps),
        [w] if w.text == "returns" => Ok(FuncBody::Returns(vec![])),
        [w, ..] if w.text == "prints" => {
            let mut lines = Vec::new();
            for pair in ws.chunks(2) {
                match pair {
                    [p, text] if p.text == "prints" => lines.push(text.text.clone()),
                    [p] if p.text == "prints" => {
                        return Err(bad(ln, p, "missing text", hint));
                    }
                    [w, ..] => {
                        return Err(bad(ln, w, &format!("unexpected '{}'", w.text), hint));
                    }
                    [] => {}
                }
            }
            Ok(FuncBody::Returns(lines))
        }
        [w, ..] => Err(bad(
            ln,
            w,
            &format!("unknown replacement behaviour '{}'", w.text),
            hint,
        )),
    }
}
