//! Semantics profiles: which kernel (or proposal) the explorer models, and
//! the same scenario compared under two profiles. The profile is part of
//! the scenario text (its `# semantics:` header), so a link keeps it.

use crate::state::use_explorer_state;
use klpscope_engine::diff::{self, Comparison};
use klpscope_engine::{Semantics, parse};
use leptos::prelude::*;

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

/// The scenario under its profile and another, step by step.
#[component]
pub fn ComparePanel() -> impl IntoView {
    let state = use_explorer_state();
    let other = RwSignal::new(None::<Semantics>);
    let current = Memo::new(move |_| profile_of(&state.scenario.read()));
    let against = move || {
        other.get().unwrap_or(match current.get() {
            Semantics::Upstream => Semantics::SeedV1,
            _ => Semantics::Upstream,
        })
    };
    let comparison = move || {
        let text = state.scenario.get();
        let scenario = parse(&text).ok()?;
        (!scenario.steps.is_empty()).then(|| diff::compare(&scenario, current.get(), against()))
    };
    view! {
        <details class="panel compare" data-testid="compare">
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
                Some(c) => comparison_view(c).into_any(),
            }}
        </details>
    }
}

fn comparison_view(c: Comparison) -> impl IntoView {
    let points = diff::review_points(&c);
    let differing = c.steps.iter().filter(|s| !s.agree()).count();
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
    let (a, b) = (c.a.name(), c.b.name());
    view! {
        <p data-testid="compare-summary">{summary}</p>
        <div class="compare-scroll" tabindex="0" role="region" aria-label="The two transcripts, step by step">
            <table class="compare-table" data-testid="compare-table">
                <thead>
                    <tr>
                        <th scope="col">{a}</th>
                        <th scope="col">{b}</th>
                    </tr>
                </thead>
                {c.steps
                    .into_iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let why: Vec<&'static str> = points
                            .iter()
                            .filter(|f| f.step == i + 1)
                            .map(|f| f.point.sentence())
                            .collect();
                        let differs = !step.agree();
                        view! {
                            <tbody class:differs=differs data-step=(i + 1).to_string()>
                                <tr class="compare-cmd">
                                    <th colspan="2" scope="rowgroup">
                                        <code>{format!("{}. % {}", i + 1, step.command)}</code>
                                    </th>
                                </tr>
                                {step
                                    .rows
                                    .into_iter()
                                    .map(|r| {
                                        let same = r.same();
                                        let (only_a, only_b) = (!same && r.a.is_some(), !same && r.b.is_some());
                                        view! {
                                            <tr class:same=same>
                                                <td class:only=only_a>{r.a}</td>
                                                <td class:only=only_b>{r.b}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                                {(!why.is_empty())
                                    .then(|| {
                                        view! {
                                            <tr class="compare-why">
                                                <td colspan="2">
                                                    <ul>
                                                        {why.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                                                    </ul>
                                                </td>
                                            </tr>
                                        }
                                    })}
                            </tbody>
                        }
                    })
                    .collect_view()}
            </table>
        </div>
    }
}
