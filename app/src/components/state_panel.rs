//! What the system looks like after the current step: the engine's snapshot,
//! laid out as `/sys/kernel/livepatch`, `/sys/module` and
//! `/proc/<pid>/patch_state` would show it.

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
    let snapshot = move || {
        let replay = state.replay.get();
        let n = state.cursor.get();
        match &replay.run {
            Ok(run) if n > 0 => run.steps.get(n - 1).map(|s| s.snapshot.clone()),
            Ok(run) => Some(run.initial.clone()),
            Err(_) => None,
        }
    };
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
            {move || snapshot().map(snapshot_view)}
        </section>
    }
}

fn snapshot_view(s: Snapshot) -> impl IntoView {
    view! {
        <div class="state-grid">
            {patches_view(&s.patches)}
            {transition_view(s.transition.as_ref())}
            {modules_view(&s.modules)}
            {tasks_view(&s.tasks)}
        </div>
        <p class="ftrace">
            "kernel.ftrace_enabled = " <code>{if s.ftrace_enabled { "1" } else { "0" }}</code>
        </p>
    }
}

fn yes(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn patches_view(patches: &[PatchSnapshot]) -> impl IntoView + use<> {
    let body = if patches.is_empty() {
        view! { <p class="muted">"No patch: klp_patches is empty."</p> }.into_any()
    } else {
        view! {
            <ol class="patches">
                {patches
                    .iter()
                    .map(|p| {
                        let flags = [
                            ("replace", p.replace),
                            ("forced", p.forced),
                        ]
                        .into_iter()
                        .filter(|(_, on)| *on)
                        .map(|(f, _)| view! { <span class="flag">{f}</span> })
                        .collect_view();
                        let states = (!p.states.is_empty())
                            .then(|| {
                                let s = p
                                    .states
                                    .iter()
                                    .map(|(id, v)| format!("id {id} v{v}"))
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                view! { <div class="muted">"klp_state: " {s}</div> }
                            });
                        view! {
                            <li data-patch=p.name.clone()>
                                <div>
                                    <code class="pname">{p.name.clone()}</code>
                                    " enabled=" <code>{yes(p.enabled)}</code>
                                    " transition=" <code>{yes(p.transition)}</code>
                                    " " {flags}
                                </div>
                                {states}
                                <table class="objects" tabindex="0">
                                    <thead>
                                        <tr>
                                            <th scope="col">"object"</th>
                                            <th scope="col">"loaded"</th>
                                            <th scope="col">"patched"</th>
                                            <th scope="col">"funcs"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p
                                            .objects
                                            .iter()
                                            .map(|o| {
                                                view! {
                                                    <tr class:dynamic=o.dynamic>
                                                        <td>
                                                            <code>{o.name.clone()}</code>
                                                            {o.dynamic.then_some(" (dynamic)")}
                                                        </td>
                                                        <td>{yes(o.loaded)}</td>
                                                        <td>{yes(o.patched)}</td>
                                                        <td class="funcs">{o.funcs.join(", ")}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <div class="state-block">
            <h3>"Patches " <span class="muted">"(klp_patches, oldest first)"</span></h3>
            {body}
        </div>
    }
}

fn transition_view(t: Option<&TransitionSnapshot>) -> impl IntoView + use<> {
    let body = match t {
        None => view! { <p class="muted" data-testid="transition-state">"No transition in progress."</p> }.into_any(),
        Some(t) => {
            let direction = match t.target {
                KlpState::Patched => "patching",
                KlpState::Unpatched => "unpatching",
                KlpState::Idle => "idle",
            };
            let blocked = t
                .blocked
                .iter()
                .map(|(task, func)| {
                    view! {
                        <li>
                            <code>{task.clone()}</code> " sleeps in " <code>{func.clone()}</code>
                        </li>
                    }
                })
                .collect_view();
            let status = if t.blocked.is_empty() { "in progress" } else { "stalled" };
            view! {
                <p data-testid="transition-state">
                    <code>{t.patch.clone()}</code> " " <strong>{direction}</strong> " — " {status}
                    {t.reversed.then_some(", reversed")} {t.forced.then_some(", forced")}
                </p>
                <p class="muted">
                    "klp_target_state = " {t.target.value()} "; tasks not yet switched: " {t.pending}
                </p>
                {(!t.blocked.is_empty()).then(|| view! { <ul class="blocked">{blocked}</ul> })}
            }
            .into_any()
        }
    };
    view! {
        <div class="state-block">
            <h3>"Transition"</h3>
            {body}
        </div>
    }
}

fn modules_view(modules: &[ModuleSnapshot]) -> impl IntoView + use<> {
    let body = if modules.is_empty() {
        view! { <p class="muted">"No module loaded."</p> }.into_any()
    } else {
        view! {
            <table class="modules" tabindex="0">
                <thead>
                    <tr>
                        <th scope="col">"module"</th>
                        <th scope="col">"state"</th>
                        <th scope="col">"refcnt"</th>
                        <th scope="col">"klp_alive"</th>
                        <th scope="col">"parameters"</th>
                    </tr>
                </thead>
                <tbody>
                    {modules
                        .iter()
                        .map(|m| {
                            let params = m
                                .params
                                .iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join(" ");
                            view! {
                                <tr data-module=m.name.clone()>
                                    <td>
                                        <code>{m.name.clone()}</code>
                                        {m.livepatch.then(|| view! { <span class="flag">"livepatch"</span> })}
                                    </td>
                                    <td><code>{m.state.name()}</code></td>
                                    <td>{m.refcnt}</td>
                                    <td>{yes(m.klp_alive)}</td>
                                    <td class="params">{params}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <div class="state-block">
            <h3>"Modules"</h3>
            {body}
        </div>
    }
}

fn tasks_view(tasks: &[TaskSnapshot]) -> impl IntoView + use<> {
    view! {
        <div class="state-block">
            <h3>"Tasks " <span class="muted">"(patch_state: -1 idle, 0 unpatched, 1 patched)"</span></h3>
            <table class="tasks" tabindex="0">
                <thead>
                    <tr>
                        <th scope="col">"task"</th>
                        <th scope="col">"patch_state"</th>
                        <th scope="col">"pending"</th>
                        <th scope="col">"sleeping in"</th>
                    </tr>
                </thead>
                <tbody>
                    {tasks
                        .iter()
                        .map(|t| {
                            view! {
                                <tr class:pending=t.pending>
                                    <td><code>{t.name.clone()}</code></td>
                                    <td>{t.patch_state.value()}</td>
                                    <td>{yes(t.pending)}</td>
                                    <td>{t.sleeping_in.clone().map(|f| view! { <code>{f}</code> })}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
