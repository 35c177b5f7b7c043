//! The timeline: one lane per object, one column per step, a marker per
//! callback, module lifetime bands and the transition row.
//!
//! The explorer's timeline draws only the steps around the view. Its
//! columns have widths known without drawing them ([`slot_widths`]), so the
//! grid is as wide as the whole scenario, the scroll position says which
//! steps are in view, and a step, a scrub or a selection paints a few
//! dozen columns whatever the scenario's length (docs/PERFORMANCE.md,
//! "Stepping in the site"). The small timelines in the docs draw every
//! step at the width its labels need.

use crate::model::{
    self, Active, Badge, Lane, LaneCell, Marker, Presence, Timeline as Grid, TransitionCell,
};
use crate::state::{Replay, Selection};
use klpscope_engine::event::{ModuleState, TransitionPhase};
use leptos::html::Div;
use leptos::prelude::*;
use std::ops::Range;
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
    /// Compact or detailed, when another view sets it (two timelines
    /// compared side by side switch together); its own otherwise.
    #[prop(optional)]
    compact: Option<RwSignal<bool>>,
) -> impl IntoView {
    let compact = compact.unwrap_or_else(|| RwSignal::new(true));
    let scroller: NodeRef<Div> = NodeRef::new();
    let corner: NodeRef<Div> = NodeRef::new();
    // The explorer's timeline (it has step buttons) draws the slots in
    // `window`; the docs' draw them all.
    let windowed = on_step.is_some();
    let window = RwSignal::new(0..0usize);
    let multi_patch = Memo::new(move |_| replay.with(|r| several_patches(&r.timeline)));
    let widths = Memo::new(move |_| {
        replay.with(|r| slot_widths(&r.timeline, compact.get(), multi_patch.get()))
    });
    // The scroll box's geometry, measured when it scrolls or resizes: a
    // step plans its scroll and its window from it, without asking the
    // browser for a layout, so its frame lays the page out once
    // (docs/PERFORMANCE.md, "Stepping in the site").
    let geometry = StoredValue::new(None::<Geometry>);
    // The slots' room in pixels, and a rem: whether the scenario's
    // columns are wider than the box (they then keep fixed widths).
    let room = RwSignal::new(Geometry::estimate().room());
    let measure = move || {
        let (Some(el), Some(corner)) = (scroller.get_untracked(), corner.get_untracked()) else {
            return None;
        };
        let g = Geometry::measure(&el, &corner);
        geometry.set_value(Some(g));
        if room.get_untracked() != g.room() {
            room.set(g.room());
        }
        Some(g)
    };
    // Scrolls `reveal` into view, if any (before the next paint), and
    // draws the slots around the view when it has left those drawn.
    let follow = move |reveal: Option<Range<usize>>, g: Geometry| {
        let mut view = widths.with_untracked(|w| View::new(w, g));
        if let Some(left) = reveal.and_then(|slots| view.reveal(slots)) {
            geometry.set_value(Some(Geometry { left, ..g }));
            request_animation_frame(move || {
                if let Some(el) = scroller.get_untracked() {
                    el.set_scroll_left(left.round() as i32);
                }
            });
        }
        let want = view.window();
        let drawn = window.get_untracked();
        if !drawn.is_empty() && drawn.start <= want.start && want.end <= drawn.end {
            return;
        }
        if drawn.is_empty() || want.end <= drawn.start || drawn.end <= want.start {
            // A jump past what is drawn draws what it shows, and the
            // margins once that has painted: the jump's frame builds a
            // third fewer columns (docs/PERFORMANCE.md).
            window.set(want);
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        if let Some(g) = geometry.get_value() {
                            let view = widths.with_untracked(|w| View::new(w, g));
                            let (want, drawn) = (view.window(), window.get_untracked());
                            if drawn.start <= want.start && want.end <= drawn.end {
                                window.set(view.overscan());
                            }
                        }
                    },
                    std::time::Duration::ZERO,
                );
            });
        } else {
            window.set(view.overscan());
        }
    };
    // Plans at once when the geometry is known. The first time, the
    // columns around `reveal` are drawn for a box as wide as the window, so
    // they come with the rest of the explorer (a share link's timeline
    // shows in its first frame), and the box is measured once the grid is
    // in the page (the next frame, before it paints).
    let follow_soon = move |reveal: Option<Range<usize>>| match geometry.get_value() {
        Some(g) => follow(reveal, g),
        None => {
            let mut view = widths.with_untracked(|w| View::new(w, Geometry::estimate()));
            if let Some(slots) = reveal.clone() {
                view.reveal(slots);
            }
            window.set(view.overscan());
            request_animation_frame(move || {
                if let Some(g) = measure() {
                    follow(reveal, g);
                }
            });
        }
    };
    if windowed {
        // Keep the current step's column in view: after a step, a new
        // scenario, a toggle, and on the first render.
        Effect::new(move |_| {
            let n = cursor.get();
            widths.track();
            corner.track();
            follow_soon(Some(replay.with(|r| r.timeline.step_slots(n.max(1)))));
        });
        // And the selected marker (also when a link selected it).
        if let Some(sel) = selected {
            Effect::new(move |_| {
                if let Some(key) = sel.get() {
                    follow_soon(
                        replay
                            .with_untracked(|r| marker_slot(&r.timeline, key))
                            .map(|s| s..s + 1),
                    );
                }
            });
        }
        // A box that changes size (the window, the docs pane shown or
        // hidden) is measured again.
        let observer = StoredValue::new_local(None::<ResizeWatch>);
        Effect::new(move |_| {
            if let Some(el) = scroller.get() {
                let on_resize = move || {
                    if let Some(g) = measure() {
                        follow(None, g);
                    }
                };
                observer.set_value(ResizeWatch::new(&el, on_resize));
            }
        });
        on_cleanup(move || observer.set_value(None));
    }
    let steps_drawn = move || {
        let w = window.get();
        replay.with(|r| {
            r.timeline
                .steps
                .iter()
                .filter(|s| {
                    !windowed || (s.first_slot < w.end && w.start < s.first_slot + s.slot_count)
                })
                .map(|s| s.step)
                .collect::<Vec<_>>()
        })
    };
    let columns = move || {
        replay.with(|r| {
            let grid = &r.timeline;
            if windowed {
                // As wide as its columns, in tracks of fixed widths, or as
                // the box when they are fewer: they then grow to fill it.
                // Fixed tracks spare the grid's layout from distributing
                // free space over every slot of the scenario on each
                // scrub (docs/PERFORMANCE.md).
                let (width, rem) = room.get();
                let (total, columns) = widths.with(|widths| {
                    let total = widths.iter().sum::<f64>();
                    let grow = total * rem < width;
                    let columns: Vec<String> = widths
                        .iter()
                        .map(|w| {
                            if grow {
                                format!("minmax({w}rem, 1fr)")
                            } else {
                                format!("{w}rem")
                            }
                        })
                        .collect();
                    (total, columns)
                });
                format!(
                    "grid-template-columns: var(--lane-label) {}; width: max(100%, calc(var(--lane-label) + {total}rem))",
                    columns.join(" ")
                )
            } else {
                format!(
                    "grid-template-columns: var(--lane-label) repeat({}, var(--slot, auto))",
                    grid.slots.len()
                )
            }
        })
    };
    let empty = move || replay.with(|r| r.timeline.steps.is_empty());
    let caption = move || {
        let replay = replay.get();
        let steps = &replay.timeline.steps;
        (!mini)
            .then(|| cursor.get())
            .and_then(|n| steps.get(n.checked_sub(1)?))
            .map(|s| format!("{}  % {}", s.step, s.command))
            .unwrap_or_else(|| "Point at a step number for its full command.".into())
    };
    let lanes = move || {
        replay.with(|r| {
            let grid = &r.timeline;
            let transition_row = grid.lanes.len() + 2;
            let labels: Vec<_> = grid
                .lanes
                .iter()
                .enumerate()
                .map(|(i, lane)| lane_label(lane, i + 2))
                .collect();
            view! {
                {labels}
                <div class="lane-label transition-label" style=format!("grid-row: {transition_row}; grid-column: 1")>
                    "transition"
                </div>
            }
        })
    };
    view! {
        <div class="timeline-box" class:compact=move || compact.get()>
            <div class="timeline-top">
                <p class="step-caption" data-testid="step-caption">{caption}</p>
                <ModeToggle compact testid="timeline-mode" />
            </div>
            <div
                class="timeline-scroll"
                class:mini=mini
                node_ref=scroller
                on:scroll=move |_| {
                    if windowed && let Some(g) = measure() {
                        follow(None, g);
                    }
                }
                tabindex="0"
                role="group"
                aria-label="Timeline: one lane per object, one column per command"
                data-testid=if mini { "mini-timeline" } else { "timeline" }
            >
                <Show
                    when=move || !empty()
                    fallback=|| view! { <p class="empty">"No command yet."</p> }
                >
                    <div class="timeline" class:fixed=windowed style=columns>
                        <div class="corner" node_ref=corner style="grid-row: 1; grid-column: 1">
                            "step"
                        </div>
                        {lanes}
                        <For each=steps_drawn key=|step| *step let:step>
                            <StepColumn replay cursor step selected on_step multi_patch compact />
                        </For>
                    </div>
                </Show>
            </div>
        </div>
    }
}

/// The button that switches a timeline (or two compared) between compact
/// and detailed.
#[component]
pub fn ModeToggle(compact: RwSignal<bool>, testid: &'static str) -> impl IntoView {
    view! {
        <button
            class="mode"
            data-testid=testid
            aria-pressed=move || if compact.get() { "false" } else { "true" }
            title="Compact: narrow steps, glyph-only markers. Detailed: every label."
            on:click=move |_| compact.update(|c| *c = !*c)
        >
            "detailed"
        </button>
    }
}

/// The scroll box of the explorer's timeline, as last measured.
#[derive(Clone, Copy)]
struct Geometry {
    /// The scroll offset, in pixels.
    left: f64,
    /// The width of the slots in view (the box less the lane labels).
    width: f64,
    /// A `rem`, in pixels.
    rem: f64,
}

impl Geometry {
    /// A box at the start of its scroll, as wide as the window, of 16 px
    /// rems: what the first drawing assumes (the window's width needs no
    /// layout).
    fn estimate() -> Geometry {
        let width = window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .unwrap_or(1366.0);
        Geometry {
            left: 0.0,
            width,
            rem: 16.0,
        }
    }

    /// The width of the slots in view and a rem, both in pixels (whole
    /// pixels: a change below one does not redraw the grid).
    fn room(&self) -> (f64, f64) {
        (self.width.round(), self.rem)
    }

    /// Measures `el` (the scroll box) beside `corner` (the labels' width).
    fn measure(el: &web_sys::Element, corner: &web_sys::HtmlElement) -> Geometry {
        Geometry {
            left: f64::from(el.scroll_left()),
            width: (f64::from(el.client_width()) - f64::from(corner.offset_width())).max(0.0),
            rem: root_font_size(),
        }
    }
}

/// Where the slots of a timeline lie in its scroll box, in pixels from
/// the start of the first slot.
struct View {
    /// Each slot's start, and the end of the last.
    starts: Vec<f64>,
    /// The scroll offset.
    left: f64,
    /// The width of the slots in view.
    width: f64,
}

impl View {
    /// The slots of `widths` rem in a box of geometry `g`.
    fn new(widths: &[f64], g: Geometry) -> View {
        let mut starts = Vec::with_capacity(widths.len() + 1);
        let mut x = 0.0;
        starts.push(x);
        for w in widths {
            x += w * g.rem;
            starts.push(x);
        }
        View {
            starts,
            left: g.left,
            width: g.width,
        }
    }

    /// The slots with a part in `from..to` pixels.
    fn slots_within(&self, from: f64, to: f64) -> Range<usize> {
        let last = self.starts.len().saturating_sub(1);
        let start = self
            .starts
            .partition_point(|&x| x <= from)
            .saturating_sub(1);
        let end = self.starts.partition_point(|&x| x < to).min(last);
        start..end.max(start)
    }

    /// The slots in view.
    fn window(&self) -> Range<usize> {
        self.slots_within(self.left, self.left + self.width)
    }

    /// The slots in view and a quarter of a view's width on either side,
    /// so that a short scroll draws nothing, and a jump draws little more
    /// than what it shows (docs/PERFORMANCE.md).
    fn overscan(&self) -> Range<usize> {
        let margin = self.width / 4.0;
        self.slots_within(self.left - margin, self.left + self.width + margin)
    }

    /// The scroll offset that brings `slots` into view beside the sticky
    /// lane labels, if they are not in view (and no further than the box
    /// scrolls). Slots past the right edge land a quarter of the view from
    /// the left, and slots past the left edge a quarter from the right:
    /// the view then shows what comes next in the direction of travel, and
    /// the next steps that way need no scroll.
    fn reveal(&mut self, slots: Range<usize>) -> Option<f64> {
        let (&x0, &x1) = (self.starts.get(slots.start)?, self.starts.get(slots.end)?);
        let ahead = self.width / 4.0;
        let left = if x0 < self.left {
            // Never push the start of the slots under the labels.
            (x1 - self.width + ahead).min(x0)
        } else if x1 > self.left + self.width {
            x0 - ahead
        } else {
            return None;
        };
        let end = self.starts.last().copied().unwrap_or(0.0);
        self.left = left.min(end - self.width).max(0.0);
        Some(self.left)
    }
}

/// A `ResizeObserver` on an element, calling back while it lives.
struct ResizeWatch {
    observer: web_sys::ResizeObserver,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl ResizeWatch {
    fn new(el: &web_sys::Element, on_resize: impl FnMut() + 'static) -> Option<ResizeWatch> {
        use wasm_bindgen::JsCast;
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(on_resize);
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(el);
        Some(ResizeWatch {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for ResizeWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// The root element's font size in pixels (what a `rem` is).
fn root_font_size() -> f64 {
    document()
        .document_element()
        .and_then(|root| window().get_computed_style(&root).ok().flatten())
        .and_then(|style| style.get_property_value("font-size").ok())
        .and_then(|size| size.trim_end_matches("px").parse().ok())
        .unwrap_or(16.0)
}

/// The width of each slot of the explorer's timeline, in rem: what its
/// widest cell needs (a marker, a transition label, a band label), and in
/// a step of one slot room for the header. Compact, markers and chips are
/// glyphs and the header is the step's number.
pub fn slot_widths(grid: &Grid, compact: bool, multi_patch: bool) -> Vec<f64> {
    let mut widths: Vec<f64> = grid
        .slots
        .iter()
        .zip(&grid.transition)
        .map(|(slot, t)| {
            let marker = slot.callback.is_some();
            // Detailed, the row names the patch where a bar begins.
            let chips = !t.phases.is_empty() || t.stall_start;
            let label = if compact {
                chips
            } else {
                chips || t.shows_bar()
            };
            match (compact, marker, label) {
                (true, true, _) => 0.6,
                (true, false, true) => 0.45,
                (true, false, false) => 0.25,
                (false, true, _) if multi_patch => 8.5,
                (false, true, _) => 6.5,
                (false, false, true) => 5.0,
                (false, false, false) => 2.75,
            }
        })
        .collect();
    let header = if compact { 1.3 } else { 8.5 };
    for step in &grid.steps {
        let slots = step.first_slot..step.first_slot + step.slot_count;
        let Some(room) = widths.get(slots.clone()).map(|w| w.iter().sum::<f64>()) else {
            continue;
        };
        if room < header
            && let Some(first) = widths.get_mut(slots.start)
        {
            *first += header - room;
        }
    }
    widths
}

/// The slot of the marker of event `key`.
fn marker_slot(grid: &Grid, (step, event): Selection) -> Option<usize> {
    grid.lanes.iter().find_map(|lane| {
        lane.cells.iter().position(|c| {
            c.marker
                .as_ref()
                .is_some_and(|m| m.step == step && m.event == event)
        })
    })
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

/// `text` with a line-break opportunity (`<wbr>`) after each `_` and `/`,
/// so long module names wrap at their parts.
fn breakable(text: &str) -> impl IntoView + use<> {
    text.split_inclusive(['_', '/'])
        .map(|part| view! { {part.to_string()}<wbr /> })
        .collect::<Vec<_>>()
}

fn lane_label(lane: &Lane, row: usize) -> impl IntoView + use<> {
    let object = lane.object.clone();
    let kind = if object == model::VMLINUX {
        "kernel"
    } else if lane.livepatch {
        "livepatch"
    } else {
        "module"
    };
    view! {
        <div class="lane-label" data-lane=object.clone() style=format!("grid-row: {row}; grid-column: 1")>
            <span class="lane-name" title=object.clone()>{breakable(&object)}</span>
            <span class="lane-kind">{kind}</span>
        </div>
    }
}

/// One step's column: its header, its cells in every lane and in the
/// transition row, dimmed after the cursor. They are wrapped in an element
/// that says the step (`data-s`) and its time, and lays nothing out itself
/// (`display: contents`): the cells are the grid's items.
#[component]
fn StepColumn(
    replay: Signal<Arc<Replay>>,
    cursor: Signal<usize>,
    step: usize,
    selected: Option<RwSignal<Option<Selection>>>,
    on_step: Option<Callback<usize>>,
    /// Markers name their patch.
    multi_patch: Memo<bool>,
    /// Compact: only what that view shows is drawn.
    compact: RwSignal<bool>,
) -> impl IntoView {
    // Only the columns whose time changes are touched by a step, and of
    // each only its wrapper: the cells take their colours from it.
    let time = Memo::new(move |_| super::marks::time_class(step, cursor.get()));
    let drawing = move || {
        replay.with(|r| {
            let grid = &r.timeline;
            let Some(s) = grid.steps.get(step.wrapping_sub(1)) else {
                return ().into_any();
            };
            let multi_patch = multi_patch.get();
            let compact = compact.get();
            let slots = grid.step_slots(step);
            // In the explorer's timeline (fixed column widths), the cells
            // of a row that nothing tells apart are drawn as one.
            let merge = on_step.is_some();
            let cells: Vec<_> = grid
                .lanes
                .iter()
                .enumerate()
                .flat_map(|(row, lane)| {
                    let cells = lane.cells.get(slots.clone()).unwrap_or_default();
                    let looks = cells.iter().enumerate().map(|(i, c)| {
                        (c.marker.is_none() && band_label(c, i == 0, compact).is_none())
                            .then_some(c.presence)
                    });
                    runs(looks, merge).into_iter().map(move |(i, span)| {
                        let place = Place {
                            row: row + 2,
                            slot: slots.start + i,
                            span,
                            first: i == 0,
                            compact,
                        };
                        lane_cell(&cells[i], place, selected, multi_patch)
                    })
                })
                .collect();
            let transition_row = grid.lanes.len() + 2;
            let tcells = grid.transition.get(slots.clone()).unwrap_or_default();
            let looks = tcells
                .iter()
                .enumerate()
                .map(|(i, c)| transition_is_plain(c, i == 0, compact).then(|| transition_look(c)));
            let transitions: Vec<_> = runs(looks, merge)
                .into_iter()
                .map(|(i, span)| {
                    let place = Place {
                        row: transition_row,
                        slot: slots.start + i,
                        span,
                        first: i == 0,
                        compact,
                    };
                    transition_cell(&tcells[i], place, slots.len() == 1)
                })
                .collect();
            view! {
                {step_header(s, on_step, compact)}
                {cells}
                {transitions}
            }
            .into_any()
        })
    };
    view! {
        <div class=move || format!("step-col {}", time.get()) data-s=step.to_string()>
            {drawing}
        </div>
    }
}

/// The cells of a row of a step, as (first, how many) of `looks`: each
/// `Some(look)` is a cell with nothing but its look (no marker, no
/// label), drawn as one with the cells beside it that look the same when
/// `merge`; `None` is a cell of its own.
fn runs<L: PartialEq>(looks: impl Iterator<Item = Option<L>>, merge: bool) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize, Option<L>)> = Vec::new();
    for (i, look) in looks.enumerate() {
        if let Some((_, span, Some(last))) = runs.last_mut()
            && merge
            && look.as_ref() == Some(last)
        {
            *span += 1;
        } else {
            runs.push((i, 1, look));
        }
    }
    runs.into_iter().map(|(i, span, _)| (i, span)).collect()
}

/// Where a cell goes in the grid, and how it is drawn.
#[derive(Clone, Copy)]
struct Place {
    row: usize,
    slot: usize,
    /// The slots it covers.
    span: usize,
    /// The first slot of its step.
    first: bool,
    /// Drawn compact: the labels that view hides from everyone (the
    /// marker's abbreviations, band labels, words of the badges) are left
    /// out, so a scrub builds fewer elements.
    compact: bool,
}

impl Place {
    fn style(&self) -> String {
        match self.span {
            1 => format!("grid-row: {}; grid-column: {}", self.row, self.slot + 2),
            n => format!(
                "grid-row: {}; grid-column: {} / span {n}",
                self.row,
                self.slot + 2
            ),
        }
    }
}

fn step_header(
    s: &model::StepColumn,
    on_step: Option<Callback<usize>>,
    compact: bool,
) -> impl IntoView + use<> {
    let step = s.step;
    let base = if s.marked {
        "step-head differs"
    } else {
        "step-head"
    };
    let style = format!(
        "grid-row: 1; grid-column: {} / span {}",
        s.first_slot + 2,
        s.slot_count
    );
    let title = format!("% {}", s.command);
    let cmd_class = if s.failed {
        "step-cmd failed"
    } else {
        "step-cmd"
    };
    let (inner, head_title) = match on_step {
        // Compact, the button shows only the step's number and is named
        // by its command (`aria-label`): the command is neither drawn nor
        // hidden in it.
        Some(cb) if compact => {
            let name = format!(
                "Go to step {step}: {}{}",
                s.short,
                if s.failed { " (failed)" } else { "" }
            );
            (
                view! {
                    <button
                        class="step-button"
                        title=title
                        aria-label=name
                        on:click=move |_| cb.run(step)
                    >
                        <span class="step-no">{step.to_string()}</span>
                    </button>
                }
                .into_any(),
                None,
            )
        }
        Some(cb) => (
            view! {
                <button class="step-button" title=title on:click=move |_| cb.run(step)>
                    <span class="visually-hidden">"Go to step "</span>
                    <span class="step-no">{step.to_string()}</span>
                    " "
                    <span class=cmd_class>{breakable(&s.short)}</span>
                </button>
            }
            .into_any(),
            None,
        ),
        // Compact, the command is only read (visually hidden): it needs no
        // places to wrap.
        None => {
            let command = if compact {
                s.short.clone().into_any()
            } else {
                breakable(&s.short).into_any()
            };
            let label = view! {
                <span class="step-no">{step.to_string()}</span>
                <span class=cmd_class>{command}</span>
            };
            (label.into_any(), Some(title))
        }
    };
    view! {
        <div
            class=base
            style=style
            title=head_title
            data-step-head=step.to_string()
        >
            {inner}
        </div>
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

/// A cell with its band: the state the module ends the slot in (UNFORMED
/// and the other passing states are folded away; "freed" when it is gone),
/// or the standing state at the start of a step so a scrolled timeline
/// reads, and the callback's marker.
fn lane_cell(
    cell: &LaneCell,
    at: Place,
    selected: Option<RwSignal<Option<Selection>>>,
    multi_patch: bool,
) -> impl IntoView + use<> {
    let presence = presence_class(cell.presence);
    let step_start = if at.first { " step-start" } else { "" };
    let band = band_label(cell, at.first, at.compact).map(|(text, changed)| {
        view! { <span class="band-label"><span class=changed>{text}</span></span> }
    });
    let marker = cell
        .marker
        .as_ref()
        .map(|m| marker(m, selected, multi_patch, at.compact));
    let class = format!("cell {presence}{step_start}");
    // Most cells are a band alone (the cell's background image, style/main.css):
    // drawn without the placeholders an absent label or marker would
    // leave (a scrub draws hundreds).
    if band.is_none() && marker.is_none() {
        return view! {
            <div class=class style=at.style()></div>
        }
        .into_any();
    }
    view! {
        <div class=class style=at.style()>
            {band}
            {marker}
        </div>
    }
    .into_any()
}

/// A cell's band label, and its class: the state it ends the slot in, or
/// (in a step's first slot) the state it stands in; none when compact.
fn band_label(cell: &LaneCell, first: bool, compact: bool) -> Option<(&'static str, &'static str)> {
    if compact {
        return None;
    }
    match cell.changes.last() {
        Some(Some(state)) => Some((model::state_short(*state), "changed")),
        Some(None) => Some(("freed", "changed")),
        None if first => match cell.presence {
            Presence::Module(s) => Some((model::state_short(s), "")),
            _ => None,
        },
        None => None,
    }
}

fn marker(
    m: &Marker,
    selected: Option<RwSignal<Option<Selection>>>,
    multi_patch: bool,
    compact: bool,
) -> impl IntoView + use<> {
    let failed = m.ret.is_some_and(|r| r != 0);
    let class = format!(
        "marker {}{}",
        model::kind_class(m.callback),
        if failed { " failed" } else { "" }
    );
    let badges: Vec<&str> = m.badges.iter().map(|b| b.label()).collect();
    let title = format!(
        "{} ({}){}{}",
        m.name,
        m.state.map_or("vmlinux", ModuleState::name),
        m.patch
            .as_ref()
            .map(|p| format!(" of {p}"))
            .unwrap_or_default(),
        if badges.is_empty() {
            String::new()
        } else {
            format!(": {}", badges.join(", "))
        }
    );
    // The visible labels are abbreviations (and not drawn when compact): a
    // screen reader reads one sentence instead.
    let glyph = view! { <span class="glyph" aria-hidden="true">{model::glyph(m.callback)}</span> };
    let spoken = view! { <span class="visually-hidden">{model::marker_name(m)}</span> };
    let labels = if compact {
        view! { {glyph}{badge_list(&m.badges, compact)}{spoken} }.into_any()
    } else {
        detailed_labels(m, multi_patch, glyph, spoken).into_any()
    };
    let callback = m.callback.name();
    let state = m.state.map(ModuleState::name);
    let object = m.object.clone();
    let step = m.step.to_string();
    match selected {
        Some(sel) => {
            let key: Selection = (m.step, m.event);
            let on = move || sel.get() == Some(key);
            view! {
                <button
                    class=move || if on() { format!("{class} selected") } else { class.clone() }
                    aria-pressed=move || if on() { "true" } else { "false" }
                    title=title
                    data-callback=callback
                    data-state=state
                    data-object=object
                    data-step=step
                    data-ev=format!("{}.{}", key.0, key.1)
                    on:click=move |_| sel.set(Some(key))
                >
                    {labels}
                </button>
            }
            .into_any()
        }
        None => view! {
            <span class=class title=title data-callback=callback data-state=state data-object=object data-step=step>
                {labels}
            </span>
        }
        .into_any(),
    }
}

/// A detailed marker's labels: the callback, the module state, a failure
/// and its patch, abbreviated beside its glyph.
fn detailed_labels(
    m: &Marker,
    multi_patch: bool,
    glyph: impl IntoView,
    spoken: impl IntoView,
) -> impl IntoView {
    let ret = m
        .ret
        .filter(|r| *r != 0)
        .map(|r| view! { <span class="ret" aria-hidden="true">{format!("✗ {}", model::errno_label(r))}</span> });
    let patch = m
        .patch
        .as_ref()
        .filter(|_| multi_patch)
        .map(|p| view! { <span class="patch" aria-hidden="true">{breakable(p)}</span> });
    view! {
        {glyph}
        <span class="name" aria-hidden="true">{m.name}</span>
        <span class="state" aria-hidden="true">{m.state.map(model::state_short).unwrap_or(model::VMLINUX)}</span>
        {ret}
        {patch}
        {badge_list(&m.badges, false)}
        {spoken}
    }
}

/// A marker's badges: words when detailed, glyphs in a corner when
/// compact (the marker's name says them to a screen reader).
fn badge_list(badges: &[Badge], compact: bool) -> Option<impl IntoView + use<>> {
    let items: Vec<_> = badges
        .iter()
        .map(|b| {
            let class = match b {
                Badge::MayFail => "badge may-fail",
                Badge::BeforeInit => "badge before-init",
                Badge::OldAndNew => "badge old-and-new",
            };
            let word = if compact {
                view! { <span class="short">{b.glyph()}</span> }.into_any()
            } else {
                view! { <span class="long">{b.label()}</span> }.into_any()
            };
            view! { <span class=class>{word}</span> }
        })
        .collect();
    (!items.is_empty()).then(
        || view! { <span class="badges" aria-hidden="true" data-testid="badges">{items}</span> },
    )
}

/// What a transition cell looks like: its bar, the direction of its
/// transition and whether it is stalled.
fn transition_look(cell: &TransitionCell) -> (&'static str, &'static str, bool) {
    let active = cell.after.as_ref().or(cell.before.as_ref());
    let direction = active.map(|a| model::direction(a.target)).unwrap_or("");
    let bar = if cell.shows_bar() { "bar" } else { "" };
    (bar, direction, !cell.blocked.is_empty())
}

/// The transition a cell names where its bar begins in a step (no chip
/// there, not stalled, detailed), so a scrolled view reads.
fn named_transition(cell: &TransitionCell, first: bool, compact: bool) -> Option<&Active> {
    (cell.phases.is_empty() && first && cell.blocked.is_empty() && !compact)
        .then(|| cell.after.as_ref().or(cell.before.as_ref()))
        .flatten()
}

/// The blocker a cell names where its transition first sits stalled in a
/// step: (task, function).
fn stall_blocker(cell: &TransitionCell) -> Option<&(String, String)> {
    cell.stall_start.then(|| cell.blocked.first()).flatten()
}

/// Whether a transition cell shows nothing but its look: no chip, no
/// patch name, no stall.
fn transition_is_plain(cell: &TransitionCell, first: bool, compact: bool) -> bool {
    cell.phases.is_empty()
        && named_transition(cell, first, compact).is_none()
        && stall_blocker(cell).is_none()
}

fn transition_cell(cell: &TransitionCell, at: Place, only: bool) -> impl IntoView + use<> {
    let (bar, direction, stalled) = transition_look(cell);
    let step_start = match (at.first, only) {
        (true, true) => " step-start step-only",
        (true, false) => " step-start",
        _ => "",
    };
    let class = format!(
        "cell tcell {bar} t-{direction}{step_start}{}",
        if stalled { " stalled" } else { "" },
    );
    let chips: Vec<_> = cell
        .phases
        .iter()
        .map(|(_, phase, target)| {
            let label = model::phase_label(*phase, *target);
            let title = label.clone();
            // The reversal gets a marker of its own: the ⇄ glyph, framed in
            // the failure colour (style/main.css), in both views.
            let class = if *phase == TransitionPhase::Reverse {
                "chip reversal-marker"
            } else {
                "chip"
            };
            view! {
                <span class=class data-phase=phase.name() title=title>
                    <span class="long">{label}</span>
                    <span class="short" aria-hidden="true">{model::phase_glyph(*phase)}</span>
                </span>
            }
        })
        .collect();
    let name = named_transition(cell, at.first, at.compact)
        .map(|a| view! { <span class="tname">{format!("{direction} {}", a.patch)}</span> });
    let stall = stall_blocker(cell).map(|(task, func)| {
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
        view! {
            <span class="stall" title=title.join("; ") data-testid="stalled">
                <span class="stall-word">"stalled"</span>
                <span class="stall-func">{breakable(&text)}</span>
                <span class="visually-hidden">{format!(" ({task})")}</span>
            </span>
        }
    });
    if chips.is_empty() && name.is_none() && stall.is_none() {
        return view! {
            <div class=class style=at.style()></div>
        }
        .into_any();
    }
    view! {
        <div class=class style=at.style()>
            {chips}
            {name}
            {stall}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(widths: &[f64], left: f64, width: f64) -> View {
        let mut starts = vec![0.0];
        for w in widths {
            starts.push(starts.last().unwrap() + w);
        }
        View {
            starts,
            left,
            width,
        }
    }

    #[test]
    fn the_window_is_the_slots_in_view_and_a_view_either_side() {
        let v = view(&[10.0; 100], 300.0, 100.0);
        assert_eq!(v.window(), 30..40);
        assert_eq!(v.overscan(), 27..43);
        // A slot cut by an edge is in view.
        assert_eq!(view(&[10.0; 100], 305.0, 100.0).window(), 30..41);
        // At the ends, the window stops at the slots there are.
        assert_eq!(view(&[10.0; 10], 0.0, 500.0).overscan(), 0..10);
    }

    #[test]
    fn a_step_out_of_view_comes_in_with_room_for_what_follows_it() {
        // 100 slots of 10 px, a view of 100 px at 300: slots 30..40.
        let mut v = view(&[10.0; 100], 300.0, 100.0);
        assert_eq!(v.reveal(35..36), None, "in view: no scroll");
        // Forward past the right edge: a quarter of the view from the left.
        assert_eq!(v.reveal(40..41), Some(375.0));
        // Back past the left edge: a quarter of the view from the right.
        let mut v = view(&[10.0; 100], 300.0, 100.0);
        assert_eq!(v.reveal(29..30), Some(225.0));
        // Never before the start or past the end.
        assert_eq!(view(&[10.0; 100], 300.0, 100.0).reveal(1..2), Some(0.0));
        assert_eq!(
            view(&[10.0; 100], 300.0, 100.0).reveal(99..100),
            Some(900.0)
        );
    }

    #[test]
    fn cells_that_look_alike_are_drawn_as_one_and_the_others_apart() {
        let looks = [
            Some('a'),
            Some('a'),
            None,
            Some('a'),
            Some('b'),
            Some('b'),
            None,
            None,
        ];
        assert_eq!(
            runs(looks.into_iter(), true),
            [(0, 2), (2, 1), (3, 1), (4, 2), (6, 1), (7, 1)]
        );
        let apart: Vec<_> = (0..looks.len()).map(|i| (i, 1)).collect();
        assert_eq!(runs(looks.into_iter(), false), apart);
    }

    #[test]
    fn a_step_of_one_narrow_slot_is_widened_for_its_header() {
        let run = klpscope_engine::run_text("% insmod test_modules/test_klp_callbacks_mod.ko\n")
            .expect("a scenario of one command");
        let grid = Grid::build(&run, |_| false);
        for compact in [true, false] {
            let widths = slot_widths(&grid, compact, false);
            assert_eq!(widths.len(), grid.slots.len());
            let step: f64 = widths[grid.step_slots(1)].iter().sum();
            assert!(step >= if compact { 1.3 } else { 8.5 }, "{widths:?}");
        }
    }
}
