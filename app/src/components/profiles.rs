//! Semantics profiles: which kernel (or proposal) the explorer models, and
//! the same scenario compared under two profiles. The profile is part of
//! the scenario text (its `# semantics:` header), so a link keeps it.

use super::timeline::{ModeToggle, Timeline};
use crate::state::{Replay, use_explorer_state};
use klpscope_engine::diff::{self, Comparison, Finding, Point, StepComparison};
use klpscope_engine::{KernelVersion, Semantics, parse};
use leptos::prelude::*;
use std::sync::Arc;

/// The profile the scenario text names (upstream without a header).
fn profile_of(text: &str) -> Semantics {
    parse(text)
        .ok()
        .and_then(|s| s.semantics)
        .unwrap_or(Semantics::Upstream)
}

/// A select that switches the scenario's profile.
#[component]
pub fn ProfileSwitch() -> impl IntoView {
    let state = use_explorer_state();
    let current = Memo::new(move |_| profile_of(&state.scenario.read()));
    let switch = move |ev| {
        let Some(s) = Semantics::from_name(&event_target_value(&ev)) else {
            return;
        };
        let text = klpscope_engine::scenario::with_semantics(&state.scenario.get_untracked(), s);
        state.load(&text, Some(state.cursor.get_untracked()));
    };
    view! {
        <p class="profile">
            <label>
                "Semantics "
                <select data-testid="profile" on:change=switch prop:value=move || current.get().name()>
                    {Semantics::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.name()>{s.name()}</option> })
                        .collect_view()}
                </select>
            </label>
            " "
            <span class="muted">{move || current.get().description()}</span>
        </p>
    }
}

/// The release the scenario text names (the latest without a header).
fn kernel_of(text: &str) -> KernelVersion {
    parse(text).ok().and_then(|s| s.kernel).unwrap_or_default()
}

/// A select that switches the mainline release the scenario runs on. The
/// release is the scenario's `# kernel:` header, so a link keeps it.
#[component]
pub fn KernelSwitch() -> impl IntoView {
    let state = use_explorer_state();
    let current = Memo::new(move |_| kernel_of(&state.scenario.read()));
    let switch = move |ev| {
        let Ok(v) = KernelVersion::parse(&event_target_value(&ev)) else {
            return;
        };
        let text = klpscope_engine::scenario::with_kernel(&state.scenario.get_untracked(), v);
        state.load(&text, Some(state.cursor.get_untracked()));
    };
    let options = move || {
        let mut list: Vec<(KernelVersion, &'static str)> = KernelVersion::NOTABLE.to_vec();
        // A release the text names but the list lacks is still shown.
        let v = current.get();
        if !list.iter().any(|(n, _)| *n == v) {
            list.push((v, "from the scenario"));
        }
        list.into_iter()
            .map(|(v, why)| view! { <option value=v.name()>{format!("{} ({why})", v.name())}</option> })
            .collect_view()
    };
    view! {
        <p class="profile kernel">
            <label>
                "Kernel "
                <select data-testid="kernel" on:change=switch prop:value=move || current.get().name()>
                    {options}
                </select>
            </label>
        </p>
    }
}

/// The scenario under its profile and another: the two timelines aligned
/// step by step, the steps that differ marked, and the point of the design
/// discussions each difference answers.
#[component]
pub fn ComparePanel() -> impl IntoView {
    let state = use_explorer_state();
    let other = RwSignal::new(None::<Semantics>);
    let compact = RwSignal::new(true);
    // Nothing is replayed while the panel is closed.
    let open = RwSignal::new(false);
    let current = Memo::new(move |_| profile_of(&state.scenario.read()));
    let against = move || {
        other.get().unwrap_or(match current.get() {
            Semantics::Upstream => Semantics::SeedV1,
            _ => Semantics::Upstream,
        })
    };
    let comparison = move || {
        if !open.get() {
            return None;
        }
        let scenario = parse(&state.scenario.read())
            .ok()
            .filter(|s| !s.steps.is_empty())?;
        Some(diff::compare(&scenario, current.get(), against()))
    };
    view! {
        <details class="panel compare" data-testid="compare" on:toggle=move |_| open.update(|o| *o = !*o)>
            <summary>"Compare with another profile"</summary>
            <p>
                <label>
                    "Compare with "
                    <select
                        data-testid="compare-with"
                        on:change=move |ev| other.set(Semantics::from_name(&event_target_value(&ev)))
                        prop:value=move || against().name()
                    >
                        {Semantics::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.name()>{s.name()}</option> })
                            .collect_view()}
                    </select>
                </label>
            </p>
            {move || match comparison() {
                None => view! { <p class="muted">"Run a command to compare."</p> }.into_any(),
                Some(c) => comparison_view(c, compact).into_any(),
            }}
        </details>
    }
}

fn comparison_view(c: Comparison, compact: RwSignal<bool>) -> impl IntoView {
    let points = diff::review_points(&c);
    let differs: Vec<bool> = c.steps.iter().map(|s| !s.agree()).collect();
    let differing = differs.iter().filter(|d| **d).count();
    let summary = if differing == 0 {
        format!("{} and {} print the same for every command.", c.a, c.b)
    } else {
        format!(
            "{differing} of {} commands print differently under {} and {}.",
            c.steps.len(),
            c.a,
            c.b
        )
    };
    // Each side's timeline, its callbacks under the names of its code,
    // every step as wide as its wider side.
    let mut sides = [
        (c.a, Replay::under(String::new(), Ok(c.run_a), c.a)),
        (c.b, Replay::under(String::new(), Ok(c.run_b), c.b)),
    ];
    let counts: Vec<usize> = sides[0]
        .1
        .timeline
        .steps
        .iter()
        .zip(&sides[1].1.timeline.steps)
        .map(|(x, y)| x.slot_count.max(y.slot_count))
        .collect();
    for (_, r) in &mut sides {
        r.timeline.pad_steps(&counts);
        for (s, d) in r.timeline.steps.iter_mut().zip(&differs) {
            s.marked = *d;
        }
    }
    // Past the last step: every column drawn as applied, none as current.
    let n = c.steps.len() + 1;
    let (a, b) = (c.a.name(), c.b.name());
    view! {
        <p data-testid="compare-summary">{summary}</p>
        <p class="compare-mode">
            <ModeToggle compact testid="compare-mode" />
        </p>
        <div
            class="compare-timelines"
            class:detailed=move || !compact.get()
            data-testid="compare-timelines"
            tabindex="0"
            role="region"
            aria-label="The two timelines, step by step"
        >
            {sides
                .into_iter()
                .map(|(profile, r)| {
                    view! {
                        <div data-profile=profile.name()>
                            <p class="compare-label">
                                <span class="compare-name">{profile.name()}</span>
                                <span class="muted">{format!(": {}", profile.description())}</span>
                            </p>
                            <Timeline replay=Signal::stored(Arc::new(r)) cursor=Signal::stored(n) mini=true compact />
                        </div>
                    }
                })
                .collect_view()}
        </div>
        {differences(&c.steps, &points, a, b)}
    }
}

/// Each review point once, with the steps whose difference it answers,
/// then each differing step's kernel lines side by side.
fn differences(
    steps: &[StepComparison],
    points: &[Finding],
    a: &'static str,
    b: &'static str,
) -> impl IntoView + use<> {
    let mut answered: Vec<(Point, Vec<usize>)> = Vec::new();
    for f in points {
        match answered.iter_mut().find(|(p, _)| *p == f.point) {
            Some((_, at)) => at.push(f.step),
            None => answered.push((f.point, vec![f.step])),
        }
    }
    let point_items: Vec<_> = answered
        .into_iter()
        .map(|(p, at)| {
            let at: Vec<String> = at.iter().map(usize::to_string).collect();
            let rest = p
                .sentence()
                .strip_prefix(p.title())
                .unwrap_or(p.sentence())
                .to_string();
            view! {
                <li data-point=p.title()>
                    <strong>{p.title()}</strong>
                    {rest}
                    <span class="compare-at">{format!(" (step {})", at.join(", "))}</span>
                </li>
            }
        })
        .collect();
    let step_items: Vec<_> = steps
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.agree())
        .map(|(i, step)| {
            let n = i + 1;
            let titles: Vec<&str> = points.iter().filter(|f| f.step == n).map(|f| f.point.title()).collect();
            let rows: Vec<_> = step
                .rows
                .iter()
                .map(|row| {
                    view! {
                        <tr class:differs=!row.same()>
                            <td>{row.a.clone().unwrap_or_default()}</td>
                            <td>{row.b.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect();
            view! {
                <li data-step=n>
                    <p>
                        <code>{format!("{n}. % {}", step.command)}</code>
                        {(!titles.is_empty()).then(|| format!(" answers: {}", titles.join("; ")))}
                    </p>
                    <div class="table-scroll" tabindex="0" role="region" aria-label=format!("Kernel lines of step {n}")>
                        <table class="compare-lines">
                            <thead>
                                <tr>
                                    <th scope="col">{a}</th>
                                    <th scope="col">{b}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </li>
            }
        })
        .collect();
    view! {
        <ul class="compare-points" data-testid="compare-points">{point_items}</ul>
        <ol class="compare-why" data-testid="compare-steps">{step_items}</ol>
    }
}
