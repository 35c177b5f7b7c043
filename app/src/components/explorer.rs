//! The explorer pane: controls, stepping, timeline, the selected event's
//! explanation, the state panel and the kernel log.

use super::add;
use super::controls::{CommandLine, Examples, ModuleControls};
use super::editor::ScenarioEditor;
use super::kmod::KmodSource;
use super::ledger::LedgerPanel;
use super::profiles::{ComparePanel, KernelSwitch, ProfileSwitch};
use super::state_panel::StatePanel;
use super::timeline::Timeline;
use super::transcript::Transcript;
use crate::chapters;
use crate::model;
use crate::state::use_explorer_state;
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
    view! {
        <section class="pane explorer" id="explorer" aria-labelledby="explorer-h" data-testid="explorer">
            <h1 id="explorer-h" class="pane-title">"Explorer"</h1>
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
const LEGEND: &str = "<span class=\"marker k-pre-patch\"><span class=\"glyph\">▷</span> pre_patch</span>\
<span class=\"marker k-post-patch\"><span class=\"glyph\">▶</span> post_patch</span>\
<span class=\"marker k-pre-unpatch\"><span class=\"glyph\">◁</span> pre_unpatch</span>\
<span class=\"marker k-post-unpatch\"><span class=\"glyph\">◀</span> post_unpatch</span>\
<span class=\"reversal-marker\"><span class=\"glyph\">⇄</span> reversed</span>\
<span class=\"legend-band p-coming\"><span class=\"word\">COMING</span></span>\
<span class=\"legend-band p-live\"><span class=\"word\">LIVE</span></span>\
<span class=\"legend-band p-going\"><span class=\"word\">GOING</span></span>\
<span class=\"legend-bar\"><span class=\"word\">transition</span></span>\
<span class=\"legend-bar stalled\"><span class=\"word\">stalled</span></span>";

/// What the marker shapes mean.
#[component]
fn Legend() -> impl IntoView {
    view! {
        // Static text, compiled in: no view code for it.
        <p class="legend" aria-label="Legend" inner_html=LEGEND></p>
    }
}

/// The selected event, and the kernel path that led to it.
#[component]
fn WhyPanel() -> impl IntoView {
    let state = use_explorer_state();
    let event = move || -> Option<(usize, Event, bool)> {
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
    };
    // Drawn with plain DOM calls, text as text nodes (see `add`).
    let body = NodeRef::<leptos::html::Div>::new();
    super::redraw(body, move |el| match event() {
        None => add(
            el,
            "p",
            "muted",
            "Select a callback marker or a log line to see the kernel path that led to it.",
        )
        .map(drop),
        Some((step, ev, reversed)) => draw_why(el, step, &ev, reversed),
    });
    // The contract leads: what the callback may rely on and must respect.
    let contract = move || {
        let (_, ev, _) = event()?;
        let title = model::describe_callback(&ev)?;
        match ev.kind {
            EventKind::Callback {
                contract: Some(c), ..
            } => Some(view! { <ContractCard title=title contract=*c /> }),
            _ => None,
        }
    };
    view! {
        <section class="why" aria-labelledby="why-h" aria-live="polite" data-testid="why">
            <h2 id="why-h" class="visually-hidden">"Why"</h2>
            {contract}
            <div node_ref=body></div>
        </section>
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

/// The event's title, the line it printed, the module state it saw, its
/// declared effects, the kernel path to it and the docs section.
fn draw_why(
    root: &web_sys::Element,
    step: usize,
    ev: &Event,
    reversed: bool,
) -> Result<(), wasm_bindgen::JsValue> {
    let title = model::describe_callback(ev).unwrap_or_else(|| match &ev.kind {
        EventKind::Transition { phase, target } => model::phase_label(*phase, *target),
        _ => ev.text.clone().unwrap_or_default(),
    });
    let body = add(root, "div", "why-body", "")?;
    let p = add(&body, "p", "why-title", "")?;
    add(&p, "span", "muted", &format!("step {step} · "))?;
    add(&p, "strong", "", &title)?;
    if let Some(patch) = &ev.patch {
        add(&add(&p, "span", "muted", " · patch ")?, "code", "", patch)?;
    }
    if let Some(t) = &ev.text {
        add(&body, "pre", "why-line", t)?;
    }
    if let Some(s) = ev.module_state {
        add(
            &add(&body, "p", "", "Module state seen: ")?,
            "code",
            "",
            s.describe(),
        )?;
    }
    if let EventKind::Callback { effects, .. } = &ev.kind
        && !effects.is_empty()
    {
        let e: Vec<String> = effects.iter().map(|e| e.to_string()).collect();
        add(
            &body,
            "p",
            "",
            &format!("Declared effect: {}", e.join("; ")),
        )?;
    }
    if !ev.why.is_empty() {
        add(&body, "p", "chain-h", "Kernel path:")?;
        let ol = add(&body, "ol", "chain", "")?;
        ol.set_attribute("data-testid", "why-chain")?;
        for (i, f) in ev.why.iter().enumerate() {
            let last = if i + 1 == ev.why.len() { "last" } else { "" };
            add(&add(&ol, "li", last, "")?, "code", "", f)?;
        }
    }
    let doc = model::doc_section(ev, reversed).and_then(|(chapter, heading)| {
        let h = chapters::heading(chapter, heading)?;
        Some((format!("#doc={chapter}/{heading}"), h.text))
    });
    if let Some((href, text)) = doc {
        let a = add(&add(&body, "p", "doc-link", "The rule: ")?, "a", "", text)?;
        a.set_attribute("href", &href)?;
        a.set_attribute("data-testid", "why-doc")?;
    }
    Ok(())
}

/// Scrolls the explorer into view (where the panes are stacked, it is
/// below the docs).
pub(crate) fn show_explorer() {
    if let Some(el) = document().get_element_by_id("explorer") {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Start);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}
