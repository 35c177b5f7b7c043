//! Controls that issue commands: one group per module (the catalog's, then
//! the scenario's own), a command line, and the scenario text itself.
//!
//! The module buttons only *append* commands to the scenario: they get a
//! [`CommandSink`], not the state, and never read the run. What a command
//! does is the engine's business, and a command the kernel refuses is
//! still issued so its answer can be seen. The command line and the
//! scenario editor also show parse errors; the examples replace the
//! scenario.

use crate::commands::{self, ERRNO_CHOICES, ParamControl};
use crate::state::{CommandSink, use_explorer_state};
use klpscope_engine::catalog::ModuleInfo;
use leptos::prelude::*;

/// The module whose commands show first: the selftest livepatch.
const FIRST: &str = "test_klp_callbacks_demo";

/// A module picker, and the exact commands of the picked module: the
/// catalog's modules, then those the scenario's `define` blocks declare (as
/// the engine's parse of the scenario lists them).
#[component]
pub fn ModuleControls() -> impl IntoView {
    let state = use_explorer_state();
    let sink = state.sink();
    let picked = RwSignal::new(FIRST.to_string());
    // Drawn anew only when the list changes (a define block was edited): a
    // command leaves the groups, and the parameter values picked, alone.
    let modules = Memo::new(move |_| {
        klpscope_engine::parse(&state.scenario.read())
            .map_or_else(|_| commands::modules(), |s| s.catalog.infos())
    });
    view! {
        <section class="panel controls" aria-labelledby="controls-h" data-testid="controls">
            <h2 id="controls-h">"Modules"</h2>
            {move || modules_view(modules.get(), sink, picked)}
        </section>
    }
}

fn modules_view(
    modules: Vec<ModuleInfo>,
    sink: CommandSink,
    picked: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="module-picker" role="group" aria-label="Module">
            {modules
                .iter()
                .map(|m| {
                    let name = m.name.clone();
                    let key = name.clone();
                    let on = move || picked.get() == key;
                    let class = if m.livepatch { "pick livepatch" } else { "pick target" };
                    view! {
                        <button
                            class=class
                            class:on=on.clone()
                            aria-pressed=move || if on() { "true" } else { "false" }
                            data-pick=name.clone()
                            title=m.summary.clone()
                            on:click=move |_| picked.set(name.clone())
                        >
                            {m.name.clone()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        {modules
            .into_iter()
            .map(|m| view! { <ModuleGroup module=m sink=sink picked=picked /> })
            .collect_view()}
    }
}

/// The commands of one module (shown while it is the picked one).
#[component]
fn ModuleGroup(
    /// The catalog entry.
    module: ModuleInfo,
    /// Where commands go.
    sink: CommandSink,
    /// The picked module's name.
    picked: RwSignal<String>,
) -> impl IntoView {
    let name = module.name.clone();
    // The value each parameter control holds, used by insmod and by the
    // parameter writes.
    let values: Vec<(String, RwSignal<String>)> = module
        .params
        .iter()
        .map(|p| (p.name.clone(), RwSignal::new(p.default.clone())))
        .collect();
    let insmod = {
        let module = module.clone();
        let values = values.clone();
        Signal::derive(move || {
            let current: Vec<(String, String)> =
                values.iter().map(|(n, v)| (n.clone(), v.get())).collect();
            commands::insmod(&module, &current)
        })
    };
    let param_controls = module
        .params
        .iter()
        .zip(values.iter())
        .map(|(p, (_, value))| {
            let control = commands::param_control(&p.name, p.kind);
            let id = format!("p-{}-{}", name, p.name);
            let for_id = id.clone();
            view! {
                <label class="param" for=for_id>
                    <code>{p.name.clone()}</code>
                    {param_input(control, id, *value)}
                </label>
            }
        })
        .collect_view();
    let param_writes = module
        .params
        .iter()
        .zip(values.iter())
        .map(|(p, (_, value))| {
            let name = name.clone();
            let param = p.name.clone();
            let value = *value;
            let write = Signal::derive(move || commands::param_write(&name, &param, &value.get()));
            view! { <CommandButton command=write sink=sink /> }
        })
        .collect_view();
    let livepatch_buttons = module.livepatch.then(|| {
        let n = name.clone();
        view! {
            <CommandButton command=Signal::stored(commands::enabled(&n, 0)) sink=sink />
            <CommandButton command=Signal::stored(commands::enabled(&n, 1)) sink=sink />
            <CommandButton command=Signal::stored(commands::force(&n)) sink=sink />
        }
    });
    let shown = {
        let name = name.clone();
        move || picked.get() == name
    };
    view! {
        <div class="module" data-module=name.clone() hidden=move || !shown()>
            <div class="head">
                {(!module.params.is_empty()).then(|| view! { <div class="params">{param_controls}</div> })}
                <p class="summary">{module.summary.clone()}</p>
            </div>
            <div class="cmds">
                <CommandButton command=insmod sink=sink />
                {livepatch_buttons}
                {param_writes}
                <CommandButton command=Signal::stored(commands::rmmod(&name)) sink=sink />
            </div>
        </div>
    }
}

fn param_input(control: ParamControl, id: String, value: RwSignal<String>) -> impl IntoView {
    // Every control but the free int is a choice among fixed values.
    let choices: &'static [(&'static str, &'static str)] = match control {
        ParamControl::Errno => ERRNO_CHOICES,
        ParamControl::Bool => &[("N", "N"), ("Y", "Y")],
        ParamControl::Switch => &[("0", "0"), ("1", "1")],
        ParamControl::Int => {
            return view! {
                <input
                    id=id
                    type="number"
                    step="1"
                    prop:value=move || value.get()
                    on:change=move |ev| value.set(event_target_value(&ev))
                />
            }
            .into_any();
        }
    };
    view! {
        <select id=id on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
            {choices
                .iter()
                .map(|(v, label)| view! { <option value=*v>{*label}</option> })
                .collect_view()}
        </select>
    }
    .into_any()
}

/// A button that shows the exact command it issues.
#[component]
fn CommandButton(
    /// The command, without `% `.
    #[prop(into)]
    command: Signal<String>,
    /// Where it goes.
    sink: CommandSink,
) -> impl IntoView {
    view! {
        <button
            class="cmd"
            data-cmd=move || command.get()
            on:click=move |_| {
                sink.issue(&command.get_untracked());
            }
        >
            <span class="prompt" aria-hidden="true">"% "</span>
            <code>{move || command.get()}</code>
        </button>
    }
}

/// A line where any command can be typed, with completion of module names.
#[component]
pub fn CommandLine() -> impl IntoView {
    let state = use_explorer_state();
    let text = RwSignal::new(String::new());
    let completions = commands::completions(&commands::modules());
    view! {
        <form
            class="command-line"
            data-testid="command-line"
            on:submit=move |ev| {
                ev.prevent_default();
                if state.issue(&text.get_untracked()) {
                    text.set(String::new());
                }
            }
        >
            <label for="cmd-input" class="prompt">"%"</label>
            <input
                id="cmd-input"
                type="text"
                list="cmd-completions"
                autocomplete="off"
                spellcheck="false"
                aria-describedby="cmd-help"
                aria-label="Command"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <datalist id="cmd-completions">
                {completions.into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
            </datalist>
            <button type="submit">"run"</button>
            <span id="cmd-help" class="visually-hidden">
                "insmod, modprobe, rmmod, echo to /sys/kernel/livepatch or /sys/module parameters, sysctl. Runs after the current step."
            </span>
        </form>
        {move || {
            state
                .error
                .get()
                .map(|e| view! { <pre class="error" role="alert" data-testid="error">{e}</pre> })
        }}
    }
}

/// Scenarios to start from when the explorer is empty.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "Target loaded, then the patch enabled and disabled",
        "% insmod test_modules/test_klp_callbacks_mod.ko\n\
         % insmod test_modules/test_klp_callbacks_demo.ko\n\
         % echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled\n\
         % rmmod test_klp_callbacks_demo\n\
         % rmmod test_klp_callbacks_mod\n",
    ),
    (
        "A stalled transition, reversed",
        "% insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y\n\
         % insmod test_modules/test_klp_callbacks_demo.ko\n\
         % insmod test_modules/test_klp_callbacks_mod.ko\n\
         % rmmod test_klp_callbacks_mod\n\
         % echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled\n",
    ),
    (
        "pre_patch refuses a loading module",
        "% insmod test_modules/test_klp_callbacks_demo.ko\n\
         % echo -19 > /sys/module/test_klp_callbacks_demo/parameters/pre_patch_ret\n\
         % insmod test_modules/test_klp_callbacks_mod.ko\n",
    ),
];

/// Buttons that load [`EXAMPLES`].
#[component]
pub fn Examples() -> impl IntoView {
    let state = use_explorer_state();
    view! {
        <div class="examples">
            <span class="muted">"Start from: "</span>
            {EXAMPLES
                .iter()
                .map(|(title, text)| {
                    view! {
                        <button class="preset" on:click=move |_| {
                            state.load(text, None);
                        }>{*title}</button>
                    }
                })
                .collect_view()}
        </div>
    }
}
