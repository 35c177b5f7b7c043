//! The situation table: patch phase × what happens to a target module, and
//! which callbacks the target's object gets, with the module state each one
//! sees. Every cell is computed by running a small scenario in the model.

use crate::contract::Contract;
use crate::event::{CallbackKind, Event, EventKind, ModuleState};
use crate::{parse, run};
use serde::Serialize;

/// A target module `tgt`, a module whose task can hold a transition
/// (`hold`), and a patch `p` with all four callbacks on `tgt`.
const DECLS: &str = "\
define module tgt
end
define module holder
  func hold_func
  param hold bool = Y
  task holder sleeps in hold_func while hold
end
define livepatch p
  object tgt
    pre_patch
    post_patch
    pre_unpatch
    post_unpatch
  object holder
    func hold_func
end
";

/// One cell of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The patch's phase, e.g. "being enabled (patching transition)".
    pub phase: &'static str,
    /// What happens to the target, e.g. "loaded during the phase".
    pub event: &'static str,
    /// The scenario that was run (setup included).
    pub scenario: String,
    /// Per command of interest: the command and the target's callbacks.
    pub moments: Vec<Moment>,
}

/// The callbacks one command caused on the target object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Moment {
    /// The command, as typed.
    pub command: String,
    /// What the command does here, in two or three words.
    pub label: &'static str,
    /// (callback, state of `tgt` when it ran).
    pub callbacks: Vec<(CallbackKind, Option<ModuleState>)>,
    /// The contract of each of those callbacks, in the same order.
    pub contracts: Vec<Option<Contract>>,
}

const LOAD_TGT: &str = "insmod tgt.ko";
const RM_TGT: &str = "rmmod tgt";
const LOAD_HOLDER: &str = "insmod holder.ko";
const ENABLE: &str = "insmod p.ko";
const DISABLE: &str = "echo 0 > /sys/kernel/livepatch/p/enabled";
const REENABLE: &str = "echo 1 > /sys/kernel/livepatch/p/enabled";
const RELEASE: &str = "echo N > /sys/module/holder/parameters/hold";

/// A short name for each command of the table.
fn label(command: &str) -> &'static str {
    match command {
        LOAD_TGT => "load tgt",
        RM_TGT => "rmmod tgt",
        LOAD_HOLDER => "load holder",
        ENABLE => "load p (enable)",
        DISABLE => "disable p",
        REENABLE => "re-enable p",
        RELEASE => "release holder",
        _ => "command",
    }
}

/// (phase, event, setup commands, observed commands).
fn cells() -> Vec<(
    &'static str,
    &'static str,
    Vec<&'static str>,
    Vec<&'static str>,
)> {
    // Patching stalls while `holder`'s task sleeps in the original function;
    // unpatching stalls while it sleeps in the patch's (holder loaded after p).
    let enabling = "being enabled (patching transition)";
    let steady = "enabled, steady";
    let disabling = "being disabled (unpatching transition)";
    vec![
        (
            enabling,
            "already loaded",
            vec![LOAD_TGT, LOAD_HOLDER],
            vec![ENABLE, RELEASE],
        ),
        (
            enabling,
            "loaded during the transition",
            vec![LOAD_HOLDER],
            vec![ENABLE, LOAD_TGT, RELEASE],
        ),
        (
            enabling,
            "removed during the transition",
            vec![LOAD_TGT, LOAD_HOLDER],
            vec![ENABLE, RM_TGT, RELEASE],
        ),
        (steady, "already loaded", vec![LOAD_TGT, ENABLE], vec![]),
        (steady, "loaded", vec![ENABLE], vec![LOAD_TGT]),
        (steady, "removed", vec![LOAD_TGT, ENABLE], vec![RM_TGT]),
        (
            disabling,
            "already loaded",
            vec![LOAD_TGT, ENABLE, LOAD_HOLDER],
            vec![DISABLE, RELEASE],
        ),
        (
            disabling,
            "loaded during the transition",
            vec![ENABLE, LOAD_HOLDER],
            vec![DISABLE, LOAD_TGT, RELEASE],
        ),
        (
            disabling,
            "removed during the transition",
            vec![LOAD_TGT, ENABLE, LOAD_HOLDER],
            vec![DISABLE, RM_TGT, RELEASE],
        ),
        (
            "enable reversed (patching → unpatching)",
            "already loaded",
            vec![LOAD_TGT, LOAD_HOLDER],
            vec![ENABLE, DISABLE],
        ),
        (
            "disable reversed (unpatching → patching)",
            "already loaded",
            vec![LOAD_TGT, ENABLE, LOAD_HOLDER],
            vec![DISABLE, REENABLE],
        ),
        (
            "disabled and freed",
            "loaded, removed",
            vec![ENABLE, DISABLE],
            vec![LOAD_TGT, RM_TGT],
        ),
    ]
}

/// Computes the table by running one scenario per cell.
pub fn situation_table() -> Vec<Cell> {
    situation_table_on(crate::KernelVersion::Latest)
}

/// [`situation_table`] on mainline release `kernel` (each cell's scenario
/// then carries a `# kernel:` header).
pub fn situation_table_on(kernel: crate::KernelVersion) -> Vec<Cell> {
    cells()
        .into_iter()
        .map(|(phase, event, setup, observed)| {
            let mut text = if kernel == crate::KernelVersion::Latest {
                String::new()
            } else {
                format!("# kernel: {kernel}\n")
            };
            text.push_str(DECLS);
            for c in setup.iter().chain(observed.iter()) {
                text.push_str("% ");
                text.push_str(c);
                text.push('\n');
            }
            let scenario = parse(&text).expect("the table's scenarios are well formed");
            let result = run(&scenario);
            let moments = result.steps[setup.len()..]
                .iter()
                .map(|step| {
                    let on_tgt = || {
                        step.events
                            .iter()
                            .filter(|e| e.object.as_deref() == Some("tgt"))
                            .filter_map(|e: &Event| match &e.kind {
                                EventKind::Callback {
                                    callback, contract, ..
                                } => Some((e, *callback, contract)),
                                _ => None,
                            })
                    };
                    Moment {
                        command: step.command.clone(),
                        label: label(&step.command),
                        callbacks: on_tgt().map(|(e, k, _)| (k, e.module_state)).collect(),
                        contracts: on_tgt().map(|(_, _, c)| c.as_deref().cloned()).collect(),
                    }
                })
                .collect();
            Cell {
                phase,
                event,
                scenario: text,
                moments,
            }
        })
        .collect()
}

fn describe(m: &Moment) -> String {
    let cbs: Vec<String> = m
        .callbacks
        .iter()
        .map(|(k, s)| match s {
            Some(s) => format!("{k} ({})", s.name().trim_start_matches("MODULE_STATE_")),
            None => k.to_string(),
        })
        .collect();
    let what = if cbs.is_empty() {
        "nothing".to_string()
    } else {
        cbs.join(", ")
    };
    format!("{}: {what}", m.label)
}

/// The table as Markdown; each row links to its scenario in the explorer.
pub fn markdown(cells: &[Cell]) -> String {
    let mut out = String::from(
        "| patch phase | target module | callbacks of the target's object (state seen) | this object's code | the rest of the patch | module | |\n|---|---|---|---|---|---|---|\n",
    );
    for c in cells {
        let moments: Vec<String> = c.moments.iter().map(describe).collect();
        let body = if moments.is_empty() {
            "nothing".to_string()
        } else {
            moments.join("<br>")
        };
        let link = format!(
            "[explore](#doc=situations&{})",
            crate::share::encode(&c.scenario)
        );
        let column = |f: &dyn Fn(&Contract) -> String| {
            let lines: Vec<String> = c
                .moments
                .iter()
                .flat_map(|m| m.callbacks.iter().zip(&m.contracts))
                .map(|((k, _), contract)| match contract {
                    Some(ct) => format!("{k}: {}", f(ct)),
                    None => format!("{k}: –"),
                })
                .collect();
            if lines.is_empty() {
                "–".to_string()
            } else {
                lines.join("<br>")
            }
        };
        let object = column(&|ct| ct.object_code.to_string());
        let system = column(&|ct| ct.system_code.to_string());
        let module = column(&|ct| {
            if ct.can_fail {
                format!("{}, can fail", ct.module)
            } else {
                ct.module.to_string()
            }
        });
        out.push_str(&format!(
            "| {} | {} | {body} | {object} | {system} | {module} | {link} |\n",
            c.phase, c.event
        ));
    }
    out
}

/// The table as plain text, one block per cell.
pub fn text(cells: &[Cell]) -> String {
    let mut out = String::new();
    for c in cells {
        out.push_str(&format!("{} / target {}\n", c.phase, c.event));
        if c.moments.is_empty() {
            out.push_str("    nothing\n");
        }
        for m in &c.moments {
            out.push_str(&format!("    {}\n", describe(m)));
            for ((k, _), ct) in m.callbacks.iter().zip(&m.contracts) {
                if let Some(ct) = ct {
                    out.push_str(&format!(
                        "        {k}: this object {}, the rest of the patch {}, module {}{}\n",
                        ct.object_code,
                        ct.system_code,
                        ct.module,
                        if ct.can_fail { ", can fail" } else { "" }
                    ));
                }
            }
        }
    }
    out
}

/// Every callback of every situation with its full contract, as Markdown
/// (`klpscope table --format contracts`; the book's contracts chapter).
pub fn contracts_markdown(cells: &[Cell]) -> String {
    let mut out = String::new();
    for c in cells {
        out.push_str(&format!("### {}, target {}\n\n", c.phase, c.event));
        let mut any = false;
        for m in &c.moments {
            for ((k, state), ct) in m.callbacks.iter().zip(&m.contracts) {
                let Some(ct) = ct else { continue };
                any = true;
                let seen = state.map_or(String::new(), |s| format!(", `{}`", s.name()));
                out.push_str(&format!(
                    "**{}: `{k}`** of `tgt`{seen}\n\n| | |\n|---|---|\n",
                    m.label
                ));
                let row = |out: &mut String, name: &str, value: &str| {
                    out.push_str(&format!("| {name} | {} |\n", value.replace('|', "\\|")));
                };
                row(&mut out, "this object's code", ct.object_code.name());
                row(&mut out, "the rest of the patch", ct.system_code.name());
                row(&mut out, "module", ct.module.name());
                row(&mut out, "held", &ct.locks.held.join("; "));
                row(&mut out, "must not", &ct.locks.must_not.join("; "));
                row(&mut out, "can fail", &ct.failure());
                row(&mut out, "what follows", &ct.counterpart);
                let others: Vec<String> = ct
                    .others
                    .objects
                    .iter()
                    .map(|o| format!("`{}` ({})", o.name, o.state()))
                    .collect();
                row(&mut out, "other objects", &others.join(", "));
                out.push('\n');
            }
        }
        if !any {
            out.push_str("No callback of `tgt` runs.\n\n");
        }
    }
    out
}
