//! What the system looks like after the current step: the engine's snapshot,
//! laid out as `/sys/kernel/livepatch`, `/sys/module` and
//! `/proc/<pid>/patch_state` would show it.
//!
//! Each part of the snapshot (patches, transition, modules, tasks) is a
//! memo, so a step redraws only the parts it changed. A part's rows are
//! drawn anew together: they are a handful, and keyed lists (`<For>`) for
//! the three tables cost the site 31 KB of wasm (10 KB gzipped).

use crate::state::use_explorer_state;
use klpscope_engine::event::KlpState;
use klpscope_engine::snapshot::{
    ModuleSnapshot, PatchSnapshot, Snapshot, TaskSnapshot, TransitionSnapshot,
};
use leptos::prelude::*;

/// The state panel for the explorer's cursor.
#[component]
pub fn StatePanel() -> impl IntoView {
    let state = use_explorer_state();
    // The snapshot after the cursor's step (none when the text does not parse).
    let snapshot = Memo::new(move |_| {
        let n = state.cursor.get();
        state.replay.with(|replay| match &replay.run {
            Ok(run) if n > 0 => run.steps.get(n - 1).map(|s| s.snapshot.clone()),
            Ok(run) => Some(run.initial.clone()),
            Err(_) => None,
        })
    });
    let patches = part(snapshot, |s| s.patches.clone());
    let transition = part(snapshot, |s| s.transition.clone());
    let modules = part(snapshot, |s| s.modules.clone());
    let tasks = part(snapshot, |s| s.tasks.clone());
    let ftrace = part(snapshot, |s| s.ftrace_enabled);
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
            <div>
                <Show when=move || snapshot.with(Option::is_some)>
                    <div class="state-grid">
                        <Patches patches=patches />
                        <Transition transition=transition />
                        <Modules modules=modules />
                        <Tasks tasks=tasks />
                    </div>
                    <p class="ftrace">"kernel.ftrace_enabled = " <code>{move || yes(ftrace.get())}</code></p>
                </Show>
            </div>
        </section>
    }
}

/// A part of the snapshot, as a memo: it changes only when that part does.
fn part<T>(snapshot: Memo<Option<Snapshot>>, f: fn(&Snapshot) -> T) -> Memo<T>
where
    T: Default + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| snapshot.with(|s| s.as_ref().map(f).unwrap_or_default()))
}

fn yes(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

/// A table of the panel, with its column heads; the rows are its children.
#[component]
fn StateTable(
    /// The table's class (`objects`, `modules`, `tasks`).
    class: &'static str,
    /// The column heads.
    heads: &'static [&'static str],
    /// The rows.
    children: Children,
) -> impl IntoView {
    view! {
        <table class=class tabindex="0">
            <thead>
                <tr>{heads.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// `klp_patches`, oldest first.
#[component]
fn Patches(
    /// The patches of the snapshot.
    patches: Memo<Vec<PatchSnapshot>>,
) -> impl IntoView {
    view! {
        <div class="state-block">
            <h3>"Patches " <span class="muted">"(klp_patches, oldest first)"</span></h3>
            <Show
                when=move || patches.with(|p| !p.is_empty())
                fallback=|| view! { <p class="muted">"No patch: klp_patches is empty."</p> }
            >
                <ol class="patches">
                    {move || {
                        patches.get().into_iter().map(|p| view! { <Patch patch=p /> }).collect_view()
                    }}
                </ol>
            </Show>
        </div>
    }
}

/// One patch: its sysfs attributes, states and objects.
#[component]
fn Patch(
    /// The patch.
    patch: PatchSnapshot,
) -> impl IntoView {
    let p = patch;
    let name = p.name.clone();
    let flags = [("replace", p.replace), ("forced", p.forced)]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(flag, _)| view! { <span class="flag">{flag}</span> })
        .collect_view();
    let states = (!p.states.is_empty()).then(|| {
        let s: Vec<String> = p
            .states
            .iter()
            .map(|(id, v)| format!("id {id} v{v}"))
            .collect();
        view! { <div class="muted">{format!("klp_state: {}", s.join(", "))}</div> }
    });
    let objects = p
        .objects
        .into_iter()
        .map(|o| {
            view! {
                <tr class:dynamic=o.dynamic>
                    <td>
                        <code>{o.name}</code>
                        {o.dynamic.then_some(" (dynamic)")}
                    </td>
                    <td>{yes(o.loaded)}</td>
                    <td>{yes(o.patched)}</td>
                    <td class="funcs">{o.funcs.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <li data-patch=name>
            <div>
                <code class="pname">{p.name}</code>
                " enabled=" <code>{yes(p.enabled)}</code>
                " transition=" <code>{yes(p.transition)}</code>
                " "
                {flags}
            </div>
            {states}
            <StateTable class="objects" heads=&["object", "loaded", "patched", "funcs"]>
                {objects}
            </StateTable>
        </li>
    }
}

/// The transition in progress, if any.
#[component]
fn Transition(
    /// The snapshot's transition.
    transition: Memo<Option<TransitionSnapshot>>,
) -> impl IntoView {
    let now = move || {
        match transition.get() {
        None => {
            view! { <p class="muted" data-testid="transition-state">"No transition in progress."</p> }
                .into_any()
        }
        Some(t) => in_progress(t).into_any(),
    }
    };
    view! {
        <div class="state-block">
            <h3>"Transition"</h3>
            {now}
        </div>
    }
}

/// Which patch, which way, how far, and the tasks that block it.
fn in_progress(t: TransitionSnapshot) -> impl IntoView {
    let direction = match t.target {
        KlpState::Patched => "patching",
        KlpState::Unpatched => "unpatching",
        KlpState::Idle => "idle",
    };
    let mut rest = if t.blocked.is_empty() {
        " — in progress".to_string()
    } else {
        " — stalled".to_string()
    };
    if t.reversed {
        rest.push_str(", reversed");
    }
    if t.forced {
        rest.push_str(", forced");
    }
    let counts = format!(
        "klp_target_state = {}; tasks not yet switched: {}",
        t.target.value(),
        t.pending
    );
    let blocked = (!t.blocked.is_empty()).then(|| {
        let items = t
            .blocked
            .into_iter()
            .map(|(task, func)| view! { <li><code>{task}</code>" sleeps in "<code>{func}</code></li> })
            .collect_view();
        view! { <ul class="blocked">{items}</ul> }
    });
    view! {
        <p data-testid="transition-state">
            <code>{t.patch}</code>
            " "
            <strong>{direction}</strong>
            {rest}
        </p>
        <p class="muted">{counts}</p>
        {blocked}
    }
}

/// The loaded modules.
#[component]
fn Modules(
    /// The snapshot's modules.
    modules: Memo<Vec<ModuleSnapshot>>,
) -> impl IntoView {
    view! {
        <div class="state-block">
            <h3>"Modules"</h3>
            <Show
                when=move || modules.with(|m| !m.is_empty())
                fallback=|| view! { <p class="muted">"No module loaded."</p> }
            >
                <StateTable
                    class="modules"
                    heads=&["module", "state", "refcnt", "klp_alive", "parameters"]
                >
                    {move || {
                        modules.get().into_iter().map(|m| view! { <ModuleRow module=m /> }).collect_view()
                    }}
                </StateTable>
            </Show>
        </div>
    }
}

/// One module's row.
#[component]
fn ModuleRow(
    /// The module.
    module: ModuleSnapshot,
) -> impl IntoView {
    let m = module;
    let name = m.name.clone();
    let params: Vec<String> = m.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    view! {
        <tr data-module=name>
            <td>
                <code>{m.name}</code>
                {m.livepatch.then(|| view! { <span class="flag">"livepatch"</span> })}
            </td>
            <td>
                <code>{m.state.name()}</code>
            </td>
            <td>{m.refcnt}</td>
            <td>{yes(m.klp_alive)}</td>
            <td class="params">{params.join(" ")}</td>
        </tr>
    }
}

/// The tasks and their `patch_state`.
#[component]
fn Tasks(
    /// The snapshot's tasks.
    tasks: Memo<Vec<TaskSnapshot>>,
) -> impl IntoView {
    view! {
        <div class="state-block">
            <h3>"Tasks " <span class="muted">"(patch_state: -1 idle, 0 unpatched, 1 patched)"</span></h3>
            <StateTable class="tasks" heads=&["task", "patch_state", "pending", "sleeping in"]>
                {move || {
                    tasks
                        .get()
                        .into_iter()
                        .map(|t| {
                            view! {
                                <tr class:pending=t.pending>
                                    <td>
                                        <code>{t.name}</code>
                                    </td>
                                    <td>{t.patch_state.value()}</td>
                                    <td>{yes(t.pending)}</td>
                                    <td>{t.sleeping_in.map(|f| view! { <code>{f}</code> })}</td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </StateTable>
        </div>
    }
}
