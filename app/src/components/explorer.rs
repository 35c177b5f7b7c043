//! The explorer pane: controls, stepping, timeline, the selected event's
//! explanation, the state panel and the kernel log.

use super::controls::{CommandLine, Examples, ModuleControls};
use super::editor::ScenarioEditor;
use super::kmod::KmodSource;
use super::ledger::LedgerPanel;
use super::profiles::{ComparePanel, KernelSwitch, ProfileSwitch};
use super::state_panel::StatePanel;
use super::timeline::Timeline;
use super::transcript::Transcript;
use crate::chapters;
use crate::model::{self, Badge};
use crate::state::{Jump, Pane, use_explorer_state};
use klpscope_engine::contract::Contract;
use klpscope_engine::event::{Event, EventKind};
use leptos::prelude::*;

/// The explorer pane.
#[component]
pub fn Explorer() -> impl IntoView {
    let state = use_explorer_state();
    let replay = Signal::derive(move || state.replay.get());
    let cursor = Signal::derive(move || state.cursor.get());
    let on_step = Callback::new(move |step: usize| {
        state.selected.set(None);
        state.seek(step);
    });
    // Scroll into view when asked to (see `ExplorerState::show`), and
    // with the focus on the title for a skip link (see `Jump`).
    let root = NodeRef::<leptos::html::Section>::new();
    let title = NodeRef::<leptos::html::H1>::new();
    Jump::follow(Pane::Explorer, root, title);
    Effect::new(move |first: Option<()>| {
        state.reveal.track();
        if first.is_some()
            && let Some(el) = root.get_untracked()
        {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Start);
            el.scroll_into_view_with_scroll_into_view_options(&opts);
        }
    });
    view! {
        <section
            class="pane explorer"
            id="explorer"
            aria-labelledby="explorer-h"
            data-testid="explorer"
            node_ref=root
        >
            <h1 id="explorer-h" class="pane-title" node_ref=title>
                "Explorer"
            </h1>
            <ProfileSwitch />
            <KernelSwitch />
            <ModuleControls />
            <div class="panel run-panel">
                <CommandLine />
                {move || {
                    state
                        .replay
                        .get()
                        .run
                        .as_ref()
                        .err()
                        .map(|e| {
                            view! {
                                <pre class="error" role="alert" data-testid="scenario-error">
                                    "This scenario does not parse: " {e.clone()}
                                </pre>
                            }
                        })
                }}
                <Show when=move || state.is_empty()>
                    <Examples />
                </Show>
                <Stepper />
                // The scenario editor says when the run is stale.
                <p class="stale-note" data-testid="stale" hidden=move || state.stale.with(Option::is_none)>
                    {move || state.stale.get()}
                </p>
                <div class="run-view" class:stale=move || state.stale.with(Option::is_some)>
                    <Timeline replay=replay cursor=cursor selected=state.selected on_step=on_step />
                </div>
                <Legend />
                <WhyPanel />
                <LedgerPanel />
                <ScenarioEditor />
                <ComparePanel />
            </div>
            <div class="lower">
                <StatePanel />
                <Transcript />
            </div>
            <KmodSource />
        </section>
    }
}

/// Step back/forward, scrub, reset.
#[component]
fn Stepper() -> impl IntoView {
    let state = use_explorer_state();
    let len = move || state.len();
    view! {
        <div class="stepper" role="group" aria-label="Steps" data-testid="stepper">
            <button
                on:click=move |_| state.seek(0)
                disabled=move || state.cursor.get() == 0
                aria-label="First step (Home)"
                title="Before the first command (Home)"
            >
                "|◀"
            </button>
            <button
                on:click=move |_| state.back()
                disabled=move || state.cursor.get() == 0
                aria-label="Step back (Left arrow)"
                title="Step back (←)"
                data-testid="back"
            >
                "◀ back"
            </button>
            <button
                on:click=move |_| state.forward()
                disabled=move || { state.cursor.get() >= len() }
                aria-label="Step forward (Right arrow)"
                title="Step forward (→)"
                data-testid="forward"
            >
                "forward ▶"
            </button>
            <button
                on:click=move |_| state.seek(len())
                disabled=move || { state.cursor.get() >= len() }
                aria-label="Last step (End)"
                title="After the last command (End)"
            >
                "▶|"
            </button>
            <input
                type="range"
                min="0"
                max=move || len().to_string()
                prop:value=move || state.cursor.get().to_string()
                on:input=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                        state.selected.set(None);
                        state.seek(n);
                    }
                }
                aria-label="Scrub through the steps"
                data-testid="scrub"
            />
            <span class="position" data-testid="position">
                {move || format!("step {} / {}", state.cursor.get(), len())}
            </span>
            <button
                class="reset"
                on:click=move |_| state.reset()
                disabled=move || state.scenario.get().is_empty()
                title="Start again with no command"
            >
                "reset"
            </button>
        </div>
    }
}

/// The legend's items (trusted: a constant of the app).
/// What the marker shapes, bands and badges mean.
#[component]
fn Legend() -> impl IntoView {
    let callbacks = [
        ("marker k-pre-patch", "▷", "pre_patch"),
        ("marker k-post-patch", "▶", "post_patch"),
        ("marker k-pre-unpatch", "◁", "pre_unpatch"),
        ("marker k-post-unpatch", "◀", "post_unpatch"),
        ("reversal-marker", "⇄", "reversed"),
    ]
    .map(|(class, glyph, name)| view! { <span class=class><span class="glyph">{glyph}</span>" "{name}</span> });
    let bands = [
        ("legend-band p-coming", "COMING"),
        ("legend-band p-live", "LIVE"),
        ("legend-band p-going", "GOING"),
        ("legend-bar", "transition"),
        ("legend-bar stalled", "stalled"),
    ]
    .map(|(class, word)| view! { <span class=class><span class="word">{word}</span></span> });
    let badges = [Badge::MayFail, Badge::BeforeInit, Badge::OldAndNew].map(|b| {
        view! { <span class="legend-badge"><span class="badge-glyph">{b.glyph()}</span>" "{b.label()}</span> }
    });
    view! {
        <p class="legend" aria-label="Legend">
            {callbacks}
            {bands}
            {badges}
        </p>
    }
}

/// The selected event, and the kernel path that led to it.
#[component]
fn WhyPanel() -> impl IntoView {
    let state = use_explorer_state();
    let event = Memo::new(move |_| -> Option<(usize, Event, bool)> {
        let (step, e) = state.selected.get()?;
        let replay = state.replay.get();
        let ev = replay
            .steps()
            .get(step.checked_sub(1)?)?
            .events
            .get(e)?
            .clone();
        let reversed = replay
            .run
            .as_ref()
            .is_ok_and(|run| model::after_reversal(run, step, e));
        Some((step, ev, reversed))
    });
    // The contract leads: what the callback may rely on and must respect.
    let contract = move || {
        let (_, ev, _) = event.get()?;
        let title = model::describe_callback(&ev)?;
        match ev.kind {
            EventKind::Callback {
                contract: Some(c), ..
            } => Some(view! { <ContractCard title=title contract=*c /> }),
            _ => None,
        }
    };
    let body = move || match event.get() {
        None => view! {
            <p class="muted">
                "Select a callback marker or a log line to see the kernel path that led to it."
            </p>
        }
        .into_any(),
        Some((step, event, reversed)) => {
            view! { <WhyBody step=step event=event reversed=reversed /> }.into_any()
        }
    };
    view! {
        <section class="why" aria-labelledby="why-h" aria-live="polite" data-testid="why">
            <h2 id="why-h" class="visually-hidden">"Why"</h2>
            {contract}
            <div>{body}</div>
        </section>
    }
}

/// The event's title, the line it printed, the module state it saw, its
/// declared effects, the kernel path to it and the docs section.
#[component]
fn WhyBody(
    /// The event's step (1-based).
    step: usize,
    /// The selected event.
    event: Event,
    /// It came after a reversal (the docs section differs).
    reversed: bool,
) -> impl IntoView {
    let ev = event;
    let title = model::describe_callback(&ev).unwrap_or_else(|| match &ev.kind {
        EventKind::Transition { phase, target } => model::phase_label(*phase, *target),
        _ => ev.text.clone().unwrap_or_default(),
    });
    let patch = ev.patch.clone().map(|patch| {
        view! {
            <span class="muted">" · patch " <code>{patch}</code></span>
        }
    });
    let line = ev
        .text
        .clone()
        .map(|t| view! { <pre class="why-line">{t}</pre> });
    let module_state = ev.module_state.map(|s| {
        view! {
            <p>"Module state seen: " <code>{s.describe()}</code></p>
        }
    });
    let effects = match &ev.kind {
        EventKind::Callback { effects, .. } if !effects.is_empty() => {
            let e: Vec<String> = effects.iter().map(|e| e.to_string()).collect();
            Some(view! { <p>{format!("Declared effect: {}", e.join("; "))}</p> })
        }
        _ => None,
    };
    let doc = model::doc_section(&ev, reversed).and_then(|(chapter, heading)| {
        let h = chapters::heading(chapter, heading)?;
        let href = format!("#doc={chapter}/{heading}");
        Some(view! {
            <p class="doc-link">
                "The rule: " <a href=href data-testid="why-doc">{h.text}</a>
            </p>
        })
    });
    let last = ev.why.len().saturating_sub(1);
    let chain = (!ev.why.is_empty()).then(|| {
        let links = ev
            .why
            .into_iter()
            .enumerate()
            .map(|(i, f)| view! { <li class:last=i == last><code>{f}</code></li> })
            .collect_view();
        view! {
            <p class="chain-h">"Kernel path:"</p>
            <ol class="chain" data-testid="why-chain">{links}</ol>
        }
    });
    view! {
        <div class="why-body">
            <p class="why-title">
                <span class="muted">{format!("step {step} · ")}</span>
                <strong>{title}</strong>
                {patch}
            </p>
            {line}
            {module_state}
            {effects}
            {chain}
            {doc}
        </div>
    }
}

/// A callback's contract, as the engine computed it where the core called
/// it (klpscope_engine::contract): the code tasks may run, the module's
/// life, what the path holds and forbids, failure, what follows, the
/// other objects.
#[component]
fn ContractCard(title: String, contract: Contract) -> impl IntoView {
    let fails = contract.failure();
    let other_objects = if contract.others.objects.is_empty() {
        "none".to_string()
    } else {
        contract
            .others
            .objects
            .iter()
            .map(|o| format!("{} ({})", o.name, o.state()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Contract {
        object_code,
        system_code,
        module,
        locks,
        can_fail: _,
        on_failure: _,
        counterpart,
        others,
    } = contract;
    let must_not = locks
        .must_not
        .into_iter()
        .map(|m| view! { <li>{m}</li> })
        .collect_view();
    view! {
        <div class="contract" data-testid="why-contract">
            <p class="contract-h">
                <strong>"Contract"</strong>
                <span class="muted">" of " {title}</span>
            </p>
            <dl class="contract-list">
                <dt>"This object's code"</dt>
                <dd data-testid="contract-object">{object_code.name()}</dd>
                <dt>"The rest of the patch"</dt>
                <dd data-testid="contract-system">{system_code.name()}</dd>
                <dt>"Module"</dt>
                <dd data-testid="contract-module">{module.name()}</dd>
                <dt>"Held"</dt>
                <dd>{locks.held.join("; ")}</dd>
                <dt>"Must not"</dt>
                <dd>
                    <ul class="contract-must-not">{must_not}</ul>
                </dd>
                <dt>"Can fail"</dt>
                <dd data-testid="contract-fail">{fails}</dd>
                <dt>"What follows"</dt>
                <dd>{counterpart}</dd>
                <dt>"Other objects"</dt>
                <dd>{other_objects}</dd>
            </dl>
            <p class="muted contract-warning">{others.warning}</p>
        </div>
    }
}
