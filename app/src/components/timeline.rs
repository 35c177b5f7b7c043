//! The timeline: one lane per object, one column per step, a marker per
//! callback, module lifetime bands and the transition row.

use super::marks;
use crate::model::{self, Lane, LaneCell, Marker, Presence, Timeline as Grid, TransitionCell};
use crate::state::{Replay, Selection};
use klpscope_engine::event::{ModuleState, TransitionPhase};
use leptos::prelude::*;
use std::sync::Arc;

/// A timeline of a replay.
///
/// The explorer's timeline is interactive (markers are buttons that select
/// their event); the small ones in the docs are not. Both start compact
/// (narrow steps, glyph-only markers, the command of the step under the
/// pointer or focus in the caption row) and toggle to the detailed view.
#[component]
pub fn Timeline(
    /// The replay to draw.
    #[prop(into)]
    replay: Signal<Arc<Replay>>,
    /// Applied steps: later columns are drawn dimmed.
    #[prop(into)]
    cursor: Signal<usize>,
    /// Where a click on a marker goes; `None` draws markers as plain text.
    #[prop(optional)]
    selected: Option<RwSignal<Option<Selection>>>,
    /// Called with a step number when its column header is clicked.
    #[prop(optional)]
    on_step: Option<Callback<usize>>,
    /// A small timeline in the docs (it starts at its first step and is not
    /// interactive).
    #[prop(optional)]
    mini: bool,
) -> impl IntoView {
    let compact = RwSignal::new(true);
    let scroller: NodeRef<leptos::html::Div> = NodeRef::new();
    // Keep the current step's column in view (the explorer's timeline):
    // after a step, a new scenario, a toggle, and on the first render.
    if on_step.is_some() {
        Effect::new(move |_| {
            let n = cursor.get();
            replay.track();
            compact.track();
            request_animation_frame(move || {
                let Some(el) = scroller.get_untracked() else {
                    return;
                };
                let sel = format!("[data-step-head=\"{}\"]", n.max(1));
                if let Some(head) = el.query_selector(&sel).ok().flatten() {
                    scroll_horizontally_into_view(&head);
                }
            });
        });
    }
    // Past, current and future columns, and the selected marker, are
    // marked only where they change (see marks.rs).
    let drawn = move || Arc::as_ptr(&replay.get()) as usize;
    marks::follow_cursor(scroller, cursor, drawn);
    if let Some(sel) = selected {
        marks::follow_selection(scroller, sel, drawn);
    }
    let caption = move || {
        let replay = replay.get();
        let steps = &replay.timeline.steps;
        (!mini)
            .then(|| cursor.get())
            .and_then(|n| steps.get(n.checked_sub(1)?))
            .map(|s| format!("{}  % {}", s.step, s.command))
            .unwrap_or_else(|| "Point at a step number for its full command.".into())
    };
    view! {
        <div class="timeline-box" class:compact=move || compact.get()>
            <div class="timeline-top">
                <p class="step-caption" data-testid="step-caption">{caption}</p>
                <button
                    class="mode"
                    data-testid="timeline-mode"
                    aria-pressed=move || if compact.get() { "false" } else { "true" }
                    title="Compact: narrow steps, glyph-only markers. Detailed: every label."
                    on:click=move |_| compact.update(|c| *c = !*c)
                >
                    "detailed"
                </button>
            </div>
        <div
            class="timeline-scroll"
            class:mini=mini
            node_ref=scroller
            on:click=move |e| {
                // A marker's click bubbles here: one handler for all.
                if let (Some(sel), Some(key)) = (selected, marks::clicked_event(&e, "button[data-ev]")) {
                    sel.set(Some(key));
                }
            }
            tabindex="0"
            role="group"
            aria-label="Timeline: one lane per object, one column per command"
            data-testid=if mini { "mini-timeline" } else { "timeline" }
        >
            {move || {
                let replay = replay.get();
                let grid = &replay.timeline;
                if grid.steps.is_empty() {
                    return view! { <p class="empty">"No command yet."</p> }.into_any();
                }
                let multi_patch = several_patches(grid);
                let columns = format!(
                    "grid-template-columns: var(--lane-label) repeat({}, var(--slot, auto))",
                    grid.slots.len()
                );
                let slot_steps: Vec<usize> = grid.slots.iter().map(|s| s.step).collect();
                view! {
                    <div class="timeline" style=columns>
                        <div class="corner">"step"</div>
                        {grid
                            .steps
                            .iter()
                            .map(|s| step_header(s, on_step))
                            .collect_view()}
                        {grid
                            .lanes
                            .iter()
                            .map(|lane| lane_row(lane, &slot_steps, selected.is_some(), multi_patch))
                            .collect_view()}
                        <div class="lane-label transition-label">"transition"</div>
                        {grid
                            .transition
                            .iter()
                            .zip(slot_steps.iter().copied())
                            .enumerate()
                            .map(|(i, (cell, step))| transition_cell(grid, i, cell, step))
                            .collect_view()}
                    </div>
                }
                .into_any()
            }}
        </div>
        </div>
    }
}

/// Scrolls the timeline box (only) so that `el` is visible beside the
/// sticky lane labels.
pub fn scroll_horizontally_into_view(el: &web_sys::Element) {
    let Some(scroller) = el.closest(".timeline-scroll").ok().flatten() else {
        return;
    };
    let e = el.get_bounding_client_rect();
    let s = scroller.get_bounding_client_rect();
    // The sticky lane labels cover the left edge.
    let label = scroller
        .query_selector(".corner")
        .ok()
        .flatten()
        .map(|c| c.get_bounding_client_rect().width())
        .unwrap_or(0.0);
    if e.left() < s.left() + label {
        scroller.set_scroll_left(scroller.scroll_left() - (s.left() + label - e.left()) as i32);
    } else if e.right() > s.right() {
        let by = (e.right() - s.right()) as i32 + 8;
        // Never push the step's own start under the labels.
        let room = (e.left() - s.left() - label) as i32;
        scroller.set_scroll_left(scroller.scroll_left() + by.min(room.max(0)));
    }
}

fn several_patches(grid: &Grid) -> bool {
    let mut first: Option<&str> = None;
    for lane in &grid.lanes {
        for m in lane.cells.iter().filter_map(|c| c.marker.as_ref()) {
            let p = m.patch.as_deref().unwrap_or("");
            match first {
                None => first = Some(p),
                Some(f) if f != p => return true,
                _ => {}
            }
        }
    }
    false
}

fn step_header(s: &model::StepColumn, on_step: Option<Callback<usize>>) -> impl IntoView + use<> {
    let step = s.step;
    let style = format!("grid-column: span {}", s.slot_count);
    let title = format!("% {}", s.command);
    let short = s.short.clone();
    let failed = s.failed;
    let class = if s.marked {
        "step-head differs"
    } else {
        "step-head"
    };
    match on_step {
        Some(cb) => view! {
            <div class=class style=style data-step-head=step data-s=step>
                <button class="step-button" title=title.clone() on:click=move |_| cb.run(step)>
                    <span class="visually-hidden">"Go to step "</span>
                    <span class="step-no">{step}</span>
                    <span class="step-cmd" class:failed=failed>{breakable(&short)}</span>
                </button>
            </div>
        }
        .into_any(),
        None => view! {
            <div class=class style=style data-step-head=step data-s=step title=title.clone()>
                <span class="step-no">{step}</span>
                <span class="step-cmd" class:failed=failed>{breakable(&short)}</span>
            </div>
        }
        .into_any(),
    }
}

/// Text with a line-break opportunity after each `_` and `/`, so long
/// module names wrap at their parts.
fn breakable(text: &str) -> impl IntoView + use<> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if c == '_' || c == '/' {
            parts.push(std::mem::take(&mut cur));
        }
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| view! { {p}<wbr /> })
        .collect_view()
}

fn lane_row(
    lane: &Lane,
    slot_steps: &[usize],
    interactive: bool,
    multi_patch: bool,
) -> impl IntoView + use<> {
    let object = lane.object.clone();
    let lane_attr = object.clone();
    let title = object.clone();
    let kind = if object == model::VMLINUX {
        "kernel"
    } else if lane.livepatch {
        "livepatch"
    } else {
        "module"
    };
    let mut prev_step = 0;
    let cells = lane
        .cells
        .iter()
        .zip(slot_steps.iter().copied())
        .map(|(cell, step)| {
            let first_in_step = step != prev_step;
            prev_step = step;
            lane_cell(cell, step, first_in_step, interactive, multi_patch)
        })
        .collect_view();
    view! {
        <div class="lane-label" data-lane=lane_attr>
            <span class="lane-name" title=title>{breakable(&object)}</span>
            <span class="lane-kind">{kind}</span>
        </div>
        {cells}
    }
}

fn presence_class(p: Presence) -> &'static str {
    match p {
        Presence::Absent => "p-absent",
        Presence::Kernel => "p-kernel",
        Presence::Module(ModuleState::Live) => "p-live",
        Presence::Module(ModuleState::Coming) => "p-coming",
        Presence::Module(ModuleState::Going) => "p-going",
        Presence::Module(ModuleState::Unformed) => "p-unformed",
    }
}

fn lane_cell(
    cell: &LaneCell,
    step: usize,
    first_in_step: bool,
    interactive: bool,
    multi_patch: bool,
) -> impl IntoView + use<> {
    let presence = presence_class(cell.presence);
    let step_start = if first_in_step { " step-start" } else { "" };
    let class = format!("cell {presence}{step_start}");
    // Band label: the state the module ends the slot in (UNFORMED and the
    // other passing states are folded away; "freed" when it is gone), or the
    // standing state at the start of a step so a scrolled timeline reads.
    let band: Vec<(String, bool)> = match cell.changes.last() {
        Some(Some(state)) => vec![(model::state_short(*state).to_string(), true)],
        Some(None) => vec![("freed".to_string(), true)],
        None if first_in_step => match cell.presence {
            Presence::Module(s) => vec![(model::state_short(s).to_string(), false)],
            _ => vec![],
        },
        None => vec![],
    };
    let band = (!band.is_empty()).then(|| {
        view! {
            <span class="band-label">
                {band
                    .into_iter()
                    .map(|(text, changed)| view! { <span class:changed=changed>{text}</span> })
                    .collect_view()}
            </span>
        }
    });
    let marker = cell
        .marker
        .clone()
        .map(|m| marker_view(m, interactive, multi_patch));
    view! {
        <div class=class data-s=step>
            <span class="band" aria-hidden="true"></span>
            {band}
            {marker}
        </div>
    }
}

fn marker_view(m: Marker, interactive: bool, multi_patch: bool) -> impl IntoView {
    let failed = m.ret.is_some_and(|r| r != 0);
    let kind = model::kind_class(m.callback);
    let state = m
        .state
        .map(model::state_short)
        .unwrap_or(model::VMLINUX)
        .to_string();
    let ret = m.ret.filter(|r| *r != 0).map(|r| {
        view! { <span class="ret" aria-hidden="true">{format!("✗ {}", model::errno_label(r))}</span> }
    });
    let patch = multi_patch
        .then(|| m.patch.clone())
        .flatten()
        .map(|p| view! { <span class="patch" aria-hidden="true">{breakable(&p)}</span> });
    let title = format!(
        "{} ({}){}",
        m.callback.name(),
        m.state.map_or("vmlinux", ModuleState::name),
        m.patch
            .as_ref()
            .map(|p| format!(" of {p}"))
            .unwrap_or_default()
    );
    let name = model::marker_name(&m);
    // The visible labels are abbreviations (and hidden when compact): a
    // screen reader reads one sentence instead.
    let body = view! {
        <span class="glyph" aria-hidden="true">{model::glyph(m.callback)}</span>
        <span class="name" aria-hidden="true">{m.callback.name()}</span>
        <span class="state" aria-hidden="true">{state}</span>
        {ret}
        {patch}
        <span class="visually-hidden">{name}</span>
    };
    let key: Selection = (m.step, m.event);
    match interactive {
        true => view! {
            <button
                class=format!("marker {kind}")
                class:failed=failed
                aria-pressed="false"
                title=title
                data-callback=m.callback.name()
                data-state=m.state.map(ModuleState::name)
                data-object=m.object.clone()
                data-step=m.step
                data-ev=format!("{}.{}", key.0, key.1)
            >
                {body}
            </button>
        }
        .into_any(),
        false => view! {
            <span
                class=format!("marker {kind}")
                class:failed=failed
                title=title
                data-callback=m.callback.name()
                data-state=m.state.map(ModuleState::name)
                data-object=m.object.clone()
                data-step=m.step
            >
                {body}
            </span>
        }
        .into_any(),
    }
}

fn transition_cell(
    grid: &Grid,
    index: usize,
    cell: &TransitionCell,
    step: usize,
) -> impl IntoView + use<> {
    let first_in_step = grid.step_slots(step).start == index;
    let active = cell.after.as_ref().or(cell.before.as_ref());
    let direction = active.map(|a| model::direction(a.target)).unwrap_or("");
    let stalled = !cell.blocked.is_empty();
    let bar = if cell.shows_bar() { "bar" } else { "" };
    let step_start = match (first_in_step, grid.step_slots(step).len() == 1) {
        (true, true) => " step-start step-only",
        (true, false) => " step-start",
        _ => "",
    };
    let class = format!(
        "cell tcell {bar} t-{direction}{step_start}{}",
        if stalled { " stalled" } else { "" },
    );
    let phases = cell
        .phases
        .iter()
        .map(|(_, phase, target)| {
            let label = model::phase_label(*phase, *target);
            let kind = phase.name();
            // The reversal gets a marker of its own: the ⇄ glyph, framed in
            // the failure colour (style/main.css), in both views.
            let class = if *phase == TransitionPhase::Reverse {
                "chip reversal-marker"
            } else {
                "chip"
            };
            let title = label.clone();
            view! {
                <span class=class data-phase=kind title=title>
                    <span class="long">{label}</span>
                    <span class="short" aria-hidden="true">{model::phase_glyph(*phase)}</span>
                </span>
            }
        })
        .collect_view();
    // Name the patch where a bar begins in a step, so a scrolled view reads.
    let name = (cell.phases.is_empty() && first_in_step && !stalled)
        .then(|| active.map(|a| format!("{direction} {}", a.patch)))
        .flatten()
        .map(|t| view! { <span class="tname">{t}</span> });
    let blocked = cell.stall_start.then(|| {
        let (task, func) = &cell.blocked[0];
        let more = cell.blocked.len() - 1;
        let text = if more > 0 {
            format!("{func} (+{more})")
        } else {
            func.clone()
        };
        let title = cell
            .blocked
            .iter()
            .map(|(t, f)| format!("{t} sleeps in {f}"))
            .collect::<Vec<_>>()
            .join("; ");
        view! {
            <span class="stall" title=title data-testid="stalled">
                <span class="stall-word">"stalled"</span>
                <span class="stall-func">{breakable(&text)}</span>
                <span class="visually-hidden">{format!(" ({task})")}</span>
            </span>
        }
    });
    view! {
        <div class=class data-s=step>
            <span class="band" aria-hidden="true"></span>
            {phases}
            {name}
            {blocked}
        </div>
    }
}
