//! The timeline: one lane per object, one column per step, a marker per
//! callback, module lifetime bands and the transition row.

use super::add;
use super::marks;
use crate::model::{self, Lane, LaneCell, Marker, Presence, Timeline as Grid, TransitionCell};
use crate::state::{Replay, Selection};
use klpscope_engine::event::{ModuleState, TransitionPhase};
use leptos::prelude::*;
use std::sync::Arc;
use web_sys::Element;

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
    // The grid is drawn anew for each replay (plain DOM, see `draw`); then
    // `drawn` names it, and the marks and the scroll follow.
    let drawn = RwSignal::new(0usize);
    let interactive = selected.is_some();
    let buttons = on_step.is_some();
    super::redraw(scroller, move |el| {
        draw(el, &replay.get().timeline, buttons, interactive)?;
        drawn.update(|n| *n += 1);
        Ok(())
    });
    // Keep the current step's column in view (the explorer's timeline):
    // after a step, a new scenario, a toggle, and on the first render.
    if on_step.is_some() {
        Effect::new(move |_| {
            let n = cursor.get();
            drawn.track();
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
    let drawn = move || drawn.get();
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
                // A marker's or a step button's click bubbles here: one
                // handler for all.
                if let (Some(sel), Some(key)) = (selected, marks::clicked_event(&e, "button[data-ev]")) {
                    sel.set(Some(key));
                }
                if let (Some(cb), Some(step)) = (on_step, clicked_step(&e)) {
                    cb.run(step);
                }
            }
            tabindex="0"
            role="group"
            aria-label="Timeline: one lane per object, one column per command"
            data-testid=if mini { "mini-timeline" } else { "timeline" }
        >
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

/// The step whose column button a click landed in.
fn clicked_step(e: &web_sys::MouseEvent) -> Option<usize> {
    super::clicked(e, "button.step-button")?
        .closest("[data-step-head]")
        .ok()??
        .get_attribute("data-step-head")?
        .parse()
        .ok()
}

/// Draws `grid` into `root`: the step headers (buttons for the explorer),
/// a row per lane and the transition row, or a line when there is no
/// step. Every element says which step it belongs to (`data-s`) for the
/// marks; markers say their event (`data-ev`) when they are buttons.
fn draw(root: &Element, grid: &Grid, buttons: bool, interactive: bool) -> Drawn {
    if grid.steps.is_empty() {
        return add(root, "p", "empty", "No command yet.").map(drop);
    }
    let t = add(root, "div", "timeline", "")?;
    t.set_attribute(
        "style",
        &format!(
            "grid-template-columns: var(--lane-label) repeat({}, var(--slot, auto))",
            grid.slots.len()
        ),
    )?;
    add(&t, "div", "corner", "step")?;
    for s in &grid.steps {
        step_header(&t, s, buttons)?;
    }
    let multi_patch = several_patches(grid);
    let slot_steps: Vec<usize> = grid.slots.iter().map(|s| s.step).collect();
    for lane in &grid.lanes {
        lane_row(&t, lane, &slot_steps, interactive, multi_patch)?;
    }
    add(&t, "div", "lane-label transition-label", "transition")?;
    for (i, (cell, step)) in grid.transition.iter().zip(slot_steps).enumerate() {
        transition_cell(&t, grid, i, cell, step)?;
    }
    Ok(())
}

type Drawn = Result<(), wasm_bindgen::JsValue>;

/// `el`'s `data-s`: the step it belongs to.
fn of_step(el: &Element, step: usize) -> Drawn {
    el.set_attribute("data-s", &step.to_string())
}

fn step_header(t: &Element, s: &model::StepColumn, button: bool) -> Drawn {
    let class = if s.marked {
        "step-head differs"
    } else {
        "step-head"
    };
    let head = add(t, "div", class, "")?;
    head.set_attribute("style", &format!("grid-column: span {}", s.slot_count))?;
    head.set_attribute("data-step-head", &s.step.to_string())?;
    of_step(&head, s.step)?;
    let title = format!("% {}", s.command);
    let inner = if button {
        let b = add(&head, "button", "step-button", "")?;
        b.set_attribute("title", &title)?;
        add(&b, "span", "visually-hidden", "Go to step ")?;
        b
    } else {
        head.set_attribute("title", &title)?;
        head
    };
    add(&inner, "span", "step-no", &s.step.to_string())?;
    let cmd = add(
        &inner,
        "span",
        if s.failed {
            "step-cmd failed"
        } else {
            "step-cmd"
        },
        "",
    )?;
    breakable(&cmd, &s.short)
}

/// Appends `text` to `el` with a line-break opportunity (`<wbr>`) after
/// each `_` and `/`, so long module names wrap at their parts.
fn breakable(el: &Element, text: &str) -> Drawn {
    for part in text.split_inclusive(['_', '/']) {
        el.insert_adjacent_text("beforeend", part)?;
        add(el, "wbr", "", "")?;
    }
    Ok(())
}

fn lane_row(
    t: &Element,
    lane: &Lane,
    slot_steps: &[usize],
    interactive: bool,
    multi_patch: bool,
) -> Drawn {
    let object = &lane.object;
    let kind = if object == model::VMLINUX {
        "kernel"
    } else if lane.livepatch {
        "livepatch"
    } else {
        "module"
    };
    let label = add(t, "div", "lane-label", "")?;
    label.set_attribute("data-lane", object)?;
    let name = add(&label, "span", "lane-name", "")?;
    name.set_attribute("title", object)?;
    breakable(&name, object)?;
    add(&label, "span", "lane-kind", kind)?;
    let mut prev_step = 0;
    for (cell, &step) in lane.cells.iter().zip(slot_steps) {
        let first_in_step = step != prev_step;
        prev_step = step;
        lane_cell(t, cell, step, first_in_step, interactive, multi_patch)?;
    }
    Ok(())
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

/// A cell with its band: the state the module ends the slot in (UNFORMED
/// and the other passing states are folded away; "freed" when it is gone),
/// or the standing state at the start of a step so a scrolled timeline
/// reads, and the callback's marker.
fn lane_cell(
    t: &Element,
    cell: &LaneCell,
    step: usize,
    first_in_step: bool,
    interactive: bool,
    multi_patch: bool,
) -> Drawn {
    let presence = presence_class(cell.presence);
    let step_start = if first_in_step { " step-start" } else { "" };
    let div = add(t, "div", &format!("cell {presence}{step_start}"), "")?;
    of_step(&div, step)?;
    add(&div, "span", "band", "")?.set_attribute("aria-hidden", "true")?;
    let band = match cell.changes.last() {
        Some(Some(state)) => Some((model::state_short(*state), "changed")),
        Some(None) => Some(("freed", "changed")),
        None if first_in_step => match cell.presence {
            Presence::Module(s) => Some((model::state_short(s), "")),
            _ => None,
        },
        None => None,
    };
    if let Some((text, changed)) = band {
        add(&add(&div, "span", "band-label", "")?, "span", changed, text)?;
    }
    if let Some(m) = &cell.marker {
        marker(&div, m, interactive, multi_patch)?;
    }
    Ok(())
}

fn marker(cell: &Element, m: &Marker, interactive: bool, multi_patch: bool) -> Drawn {
    let failed = m.ret.is_some_and(|r| r != 0);
    let class = format!(
        "marker {}{}",
        model::kind_class(m.callback),
        if failed { " failed" } else { "" }
    );
    let el = add(
        cell,
        if interactive { "button" } else { "span" },
        &class,
        "",
    )?;
    if interactive {
        el.set_attribute("aria-pressed", "false")?;
    }
    el.set_attribute(
        "title",
        &format!(
            "{} ({}){}",
            m.callback.name(),
            m.state.map_or("vmlinux", ModuleState::name),
            m.patch
                .as_ref()
                .map(|p| format!(" of {p}"))
                .unwrap_or_default()
        ),
    )?;
    el.set_attribute("data-callback", m.callback.name())?;
    if let Some(s) = m.state {
        el.set_attribute("data-state", s.name())?;
    }
    el.set_attribute("data-object", &m.object)?;
    el.set_attribute("data-step", &m.step.to_string())?;
    if interactive {
        el.set_attribute("data-ev", &format!("{}.{}", m.step, m.event))?;
    }
    // The visible labels are abbreviations (and hidden when compact): a
    // screen reader reads one sentence instead.
    let hidden = |class: &str, text: &str| {
        add(&el, "span", class, text)?.set_attribute("aria-hidden", "true")?;
        Ok::<_, wasm_bindgen::JsValue>(())
    };
    hidden("glyph", model::glyph(m.callback))?;
    hidden("name", m.callback.name())?;
    hidden(
        "state",
        m.state.map(model::state_short).unwrap_or(model::VMLINUX),
    )?;
    if let Some(r) = m.ret.filter(|r| *r != 0) {
        hidden("ret", &format!("✗ {}", model::errno_label(r)))?;
    }
    if let Some(p) = m.patch.as_ref().filter(|_| multi_patch) {
        let span = add(&el, "span", "patch", "")?;
        span.set_attribute("aria-hidden", "true")?;
        breakable(&span, p)?;
    }
    add(&el, "span", "visually-hidden", &model::marker_name(m)).map(drop)
}

fn transition_cell(
    t: &Element,
    grid: &Grid,
    index: usize,
    cell: &TransitionCell,
    step: usize,
) -> Drawn {
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
    let div = add(t, "div", &class, "")?;
    of_step(&div, step)?;
    add(&div, "span", "band", "")?.set_attribute("aria-hidden", "true")?;
    for (_, phase, target) in &cell.phases {
        let label = model::phase_label(*phase, *target);
        // The reversal gets a marker of its own: the ⇄ glyph, framed in
        // the failure colour (style/main.css), in both views.
        let class = if *phase == TransitionPhase::Reverse {
            "chip reversal-marker"
        } else {
            "chip"
        };
        let chip = add(&div, "span", class, "")?;
        chip.set_attribute("data-phase", phase.name())?;
        chip.set_attribute("title", &label)?;
        add(&chip, "span", "long", &label)?;
        add(&chip, "span", "short", model::phase_glyph(*phase))?
            .set_attribute("aria-hidden", "true")?;
    }
    // Name the patch where a bar begins in a step, so a scrolled view reads.
    if cell.phases.is_empty()
        && first_in_step
        && !stalled
        && let Some(a) = active
    {
        add(&div, "span", "tname", &format!("{direction} {}", a.patch))?;
    }
    if cell.stall_start
        && let Some((task, func)) = cell.blocked.first()
    {
        let more = cell.blocked.len() - 1;
        let text = if more > 0 {
            format!("{func} (+{more})")
        } else {
            func.clone()
        };
        let title: Vec<String> = cell
            .blocked
            .iter()
            .map(|(t, f)| format!("{t} sleeps in {f}"))
            .collect();
        let stall = add(&div, "span", "stall", "")?;
        stall.set_attribute("title", &title.join("; "))?;
        stall.set_attribute("data-testid", "stalled")?;
        add(&stall, "span", "stall-word", "stalled")?;
        breakable(&add(&stall, "span", "stall-func", "")?, &text)?;
        add(&stall, "span", "visually-hidden", &format!(" ({task})"))?;
    }
    Ok(())
}
