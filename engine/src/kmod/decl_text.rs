//! The `define` blocks of a scenario written back as text: `run.sh` prints
//! them before the console session, so that its transcript is a complete
//! scenario again.

use crate::Scenario;
use crate::catalog::{CallbackDef, Flag, FuncBody, ModuleBody, ModuleDef, ParamKind, Ret, Wake};
use crate::event::CallbackKind;
use std::fmt::Write;

/// The scenario's declarations (`define vmlinux`, `define module`,
/// `define livepatch`) as text that parses back to the same catalog.
pub fn declarations(scenario: &Scenario) -> String {
    let mut s = String::new();
    let builtin = crate::catalog::Catalog::builtin();
    let vmlinux: Vec<&String> = scenario
        .catalog
        .vmlinux_functions()
        .iter()
        .filter(|f| !builtin.vmlinux_has(f))
        .collect();
    if !vmlinux.is_empty() {
        s.push_str("define vmlinux\n");
        for f in vmlinux {
            let _ = writeln!(s, "  func {f}");
        }
        s.push_str("end\n");
    }
    for d in scenario.catalog.declared() {
        module(&mut s, d);
    }
    s
}

/// A quoted text: the scenario language has no escapes, and a text read
/// from it holds no `"`.
fn q(t: &str) -> String {
    format!("\"{t}\"")
}

fn module(s: &mut String, d: &ModuleDef) {
    let kind = if matches!(d.body, ModuleBody::Livepatch(_)) {
        "livepatch"
    } else {
        "module"
    };
    let _ = writeln!(s, "define {kind} {}", d.name);
    for p in &d.params {
        let ty = match p.kind {
            ParamKind::Int => "int",
            ParamKind::Bool => "bool",
            // No declaration form: say what it is in a comment.
            ParamKind::IntArray => {
                let _ = writeln!(s, "  # param {}: an int array (catalog only)", p.name);
                continue;
            }
            ParamKind::String => {
                let _ = writeln!(s, "  # param {}: a string (catalog only)", p.name);
                continue;
            }
        };
        let _ = writeln!(s, "  param {} {ty} = {}", p.name, p.default);
    }
    match &d.body {
        ModuleBody::Target { init, exit, tasks } => {
            for f in &d.symbols {
                let _ = writeln!(s, "  func {f}");
            }
            for t in tasks {
                let _ = write!(s, "  task {} sleeps in {}", t.name, t.sleeps_in);
                if let Wake::ParamCleared(p) = &t.until {
                    let _ = write!(s, " while {p}");
                }
                if let Some(p) = &t.started_by {
                    let _ = write!(s, " started by param {p}");
                }
                s.push('\n');
            }
            for l in init {
                let _ = writeln!(s, "  init prints {}", q(l));
            }
            for l in exit {
                let _ = writeln!(s, "  exit prints {}", q(l));
            }
            init_returns(s, d);
        }
        ModuleBody::Livepatch(p) => {
            match &p.replace {
                Flag::Fixed(true) => s.push_str("  replace\n"),
                Flag::Fixed(false) => {}
                Flag::Param(n) => {
                    let _ = writeln!(s, "  replace from param {n}");
                }
            }
            init_returns(s, d);
            for st in &p.states {
                let _ = writeln!(s, "  state {} version {}", st.id, st.version);
            }
            for o in &p.objs {
                let _ = writeln!(s, "  object {}", o.name.as_deref().unwrap_or("vmlinux"));
                for f in &o.funcs {
                    let _ = write!(s, "    func {} -> {}", f.old_name, f.new_name);
                    match &f.body {
                        FuncBody::Sleeps => {}
                        FuncBody::Returns(lines) if lines.is_empty() => s.push_str(" returns"),
                        FuncBody::ClearsCallerPid(_) => s.push_str(" returns"),
                        FuncBody::Returns(lines) => {
                            for l in lines {
                                let _ = write!(s, " prints {}", q(l));
                            }
                        }
                    }
                    s.push('\n');
                }
                let mut seen: Vec<CallbackKind> = Vec::new();
                for (k, cb) in &o.callbacks {
                    let hook = seen.contains(k);
                    seen.push(*k);
                    callback(s, *k, cb, hook);
                }
            }
        }
        ModuleBody::Busy
        | ModuleBody::BusyV51 { .. }
        | ModuleBody::Code(_)
        | ModuleBody::Kprobe => {}
    }
    s.push_str("end\n");
}

fn init_returns(s: &mut String, d: &ModuleDef) {
    if d.init_returns != 0 {
        let _ = writeln!(s, "  init returns {}", ret_text(d.init_returns));
    }
}

/// A return value as declared: `-EINVAL`, `1`.
pub(super) fn ret_text(v: i32) -> String {
    match crate::errno::Errno(v.unsigned_abs() as i32).name() {
        Some(n) if v < 0 => format!("-{n}"),
        _ => v.to_string(),
    }
}

fn callback(s: &mut String, k: CallbackKind, cb: &CallbackDef, hook: bool) {
    let name = match (hook, k) {
        (true, CallbackKind::PrePatch) => "patch_hook",
        (true, _) => "unpatch_hook",
        (false, k) => k.name(),
    };
    let _ = write!(s, "    {name}");
    if hook && cb.report {
        s.push_str(" report");
    }
    match &cb.ret {
        Ret::Fixed(0) => {}
        Ret::Fixed(v) => {
            let _ = write!(s, " returns {v}");
        }
        Ret::Param(p) => {
            let _ = write!(s, " returns param {p}");
        }
    }
    for l in &cb.lines {
        let _ = write!(s, " prints {}", q(l));
    }
    if !cb.report && !hook {
        s.push_str(" silent");
    }
    for e in &cb.effects {
        let _ = write!(s, " {}", effect(e));
    }
    s.push('\n');
}

/// An effect clause as written in a declaration (`frees "x"`).
pub(super) fn effect(e: &crate::event::Effect) -> String {
    use crate::event::Effect as E;
    let (verb, what) = match e {
        E::Sets(w) => ("sets", w),
        E::Restores(w) => ("restores", w),
        E::Allocates(w) => ("allocates", w),
        E::Frees(w) => ("frees", w),
        E::TakesOver(w) => ("takes over", w),
        E::Keeps(w) => ("keeps", w),
    };
    format!("{verb} {}", q(what))
}
