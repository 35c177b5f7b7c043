//! What the system looks like after the current step: the engine's snapshot,
//! laid out as `/sys/kernel/livepatch`, `/sys/module` and
//! `/proc/<pid>/patch_state` would show it.
//!
//! The snapshot is drawn anew at each step with plain DOM calls, text as
//! text nodes ([`add`]): Leptos views for its lists and tables would cost
//! the site several kilobytes.

use super::add;
use crate::state::use_explorer_state;
use klpscope_engine::event::KlpState;
use klpscope_engine::snapshot::{
    ModuleSnapshot, PatchSnapshot, Snapshot, TaskSnapshot, TransitionSnapshot,
};
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::Element;

type Drawn = Result<(), JsValue>;

/// The state panel for the explorer's cursor.
#[component]
pub fn StatePanel() -> impl IntoView {
    let state = use_explorer_state();
    let snapshot = move || {
        let replay = state.replay.get();
        let n = state.cursor.get();
        match &replay.run {
            Ok(run) if n > 0 => run.steps.get(n - 1).map(|s| s.snapshot.clone()),
            Ok(run) => Some(run.initial.clone()),
            Err(_) => None,
        }
    };
    let body = NodeRef::<leptos::html::Div>::new();
    super::redraw(body, move |el| match snapshot() {
        Some(s) => draw(el, &s),
        None => Ok(()),
    });
    view! {
        <section class="panel state-panel" aria-labelledby="state-h" data-testid="state-panel">
            <h2 id="state-h">
                "State "
                <span class="muted">
                    {move || match state.cursor.get() {
                        0 => "before the first command".to_string(),
                        n => format!("after step {n}"),
                    }}
                </span>
            </h2>
            <div node_ref=body></div>
        </section>
    }
}

fn draw(root: &Element, s: &Snapshot) -> Drawn {
    let grid = add(root, "div", "state-grid", "")?;
    patches(&grid, &s.patches)?;
    transition(&grid, s.transition.as_ref())?;
    modules(&grid, &s.modules)?;
    tasks(&grid, &s.tasks)?;
    let p = add(root, "p", "ftrace", "kernel.ftrace_enabled = ")?;
    add(&p, "code", "", yes(s.ftrace_enabled))?;
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

/// A `state-block` with its heading (and a muted note after it).
fn block(parent: &Element, title: &str, note: &str) -> Result<Element, JsValue> {
    let b = add(parent, "div", "state-block", "")?;
    let h = add(&b, "h3", "", title)?;
    if !note.is_empty() {
        add(&h, "span", "muted", note)?;
    }
    Ok(b)
}

/// A table with its column heads; returns its body.
fn table(parent: &Element, class: &str, heads: &[&str]) -> Result<Element, JsValue> {
    let t = add(parent, "table", class, "")?;
    t.set_attribute("tabindex", "0")?;
    let tr = add(&add(&t, "thead", "", "")?, "tr", "", "")?;
    for h in heads {
        add(&tr, "th", "", h)?.set_attribute("scope", "col")?;
    }
    add(&t, "tbody", "", "")
}

/// A `<code>` in `parent`, after `before` as text.
fn code(parent: &Element, before: &str, text: &str) -> Drawn {
    if !before.is_empty() {
        parent.insert_adjacent_text("beforeend", before)?;
    }
    add(parent, "code", "", text).map(drop)
}

fn patches(parent: &Element, patches: &[PatchSnapshot]) -> Drawn {
    let b = block(parent, "Patches ", "(klp_patches, oldest first)")?;
    if patches.is_empty() {
        return add(&b, "p", "muted", "No patch: klp_patches is empty.").map(drop);
    }
    let ol = add(&b, "ol", "patches", "")?;
    for p in patches {
        let li = add(&ol, "li", "", "")?;
        li.set_attribute("data-patch", &p.name)?;
        let head = add(&li, "div", "", "")?;
        add(&head, "code", "pname", &p.name)?;
        code(&head, " enabled=", yes(p.enabled))?;
        code(&head, " transition=", yes(p.transition))?;
        head.insert_adjacent_text("beforeend", " ")?;
        for (flag, on) in [("replace", p.replace), ("forced", p.forced)] {
            if on {
                add(&head, "span", "flag", flag)?;
            }
        }
        if !p.states.is_empty() {
            let s: Vec<String> = p
                .states
                .iter()
                .map(|(id, v)| format!("id {id} v{v}"))
                .collect();
            add(&li, "div", "muted", &format!("klp_state: {}", s.join(", ")))?;
        }
        let body = table(&li, "objects", &["object", "loaded", "patched", "funcs"])?;
        for o in &p.objects {
            let tr = add(&body, "tr", if o.dynamic { "dynamic" } else { "" }, "")?;
            let name = add(&tr, "td", "", "")?;
            add(&name, "code", "", &o.name)?;
            if o.dynamic {
                name.insert_adjacent_text("beforeend", " (dynamic)")?;
            }
            add(&tr, "td", "", yes(o.loaded))?;
            add(&tr, "td", "", yes(o.patched))?;
            add(&tr, "td", "funcs", &o.funcs.join(", "))?;
        }
    }
    Ok(())
}

fn transition(parent: &Element, t: Option<&TransitionSnapshot>) -> Drawn {
    let b = block(parent, "Transition", "")?;
    let Some(t) = t else {
        let p = add(&b, "p", "muted", "No transition in progress.")?;
        return p.set_attribute("data-testid", "transition-state");
    };
    let direction = match t.target {
        KlpState::Patched => "patching",
        KlpState::Unpatched => "unpatching",
        KlpState::Idle => "idle",
    };
    let status = if t.blocked.is_empty() {
        "in progress"
    } else {
        "stalled"
    };
    let p = add(&b, "p", "", "")?;
    p.set_attribute("data-testid", "transition-state")?;
    add(&p, "code", "", &t.patch)?;
    p.insert_adjacent_text("beforeend", " ")?;
    add(&p, "strong", "", direction)?;
    let mut rest = format!(" — {status}");
    if t.reversed {
        rest.push_str(", reversed");
    }
    if t.forced {
        rest.push_str(", forced");
    }
    p.insert_adjacent_text("beforeend", &rest)?;
    add(
        &b,
        "p",
        "muted",
        &format!(
            "klp_target_state = {}; tasks not yet switched: {}",
            t.target.value(),
            t.pending
        ),
    )?;
    if !t.blocked.is_empty() {
        let ul = add(&b, "ul", "blocked", "")?;
        for (task, func) in &t.blocked {
            let li = add(&ul, "li", "", "")?;
            add(&li, "code", "", task)?;
            code(&li, " sleeps in ", func)?;
        }
    }
    Ok(())
}

fn modules(parent: &Element, modules: &[ModuleSnapshot]) -> Drawn {
    let b = block(parent, "Modules", "")?;
    if modules.is_empty() {
        return add(&b, "p", "muted", "No module loaded.").map(drop);
    }
    let body = table(
        &b,
        "modules",
        &["module", "state", "refcnt", "klp_alive", "parameters"],
    )?;
    for m in modules {
        let tr = add(&body, "tr", "", "")?;
        tr.set_attribute("data-module", &m.name)?;
        let name = add(&tr, "td", "", "")?;
        add(&name, "code", "", &m.name)?;
        if m.livepatch {
            add(&name, "span", "flag", "livepatch")?;
        }
        code(&add(&tr, "td", "", "")?, "", m.state.name())?;
        add(&tr, "td", "", &m.refcnt.to_string())?;
        add(&tr, "td", "", yes(m.klp_alive))?;
        let params: Vec<String> = m.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        add(&tr, "td", "params", &params.join(" "))?;
    }
    Ok(())
}

fn tasks(parent: &Element, tasks: &[TaskSnapshot]) -> Drawn {
    let b = block(
        parent,
        "Tasks ",
        "(patch_state: -1 idle, 0 unpatched, 1 patched)",
    )?;
    let body = table(
        &b,
        "tasks",
        &["task", "patch_state", "pending", "sleeping in"],
    )?;
    for t in tasks {
        let tr = add(&body, "tr", if t.pending { "pending" } else { "" }, "")?;
        code(&add(&tr, "td", "", "")?, "", &t.name)?;
        add(&tr, "td", "", &t.patch_state.value().to_string())?;
        add(&tr, "td", "", yes(t.pending))?;
        let sleeping = add(&tr, "td", "", "")?;
        if let Some(f) = &t.sleeping_in {
            add(&sleeping, "code", "", f)?;
        }
    }
    Ok(())
}
