//! "Can this ever happen?": a question explored by the engine in the
//! browser, a slice at a time so the page keeps painting; a "yes" opens
//! its shortest scenario in the explorer at the step where it happens.

use crate::state::use_explorer_state;
use klpscope_engine::ModuleState;
use klpscope_engine::ask::{self, Answer, Asking, Pattern, QUESTIONS, Question, Verb};
use klpscope_engine::event::CallbackKind;
use leptos::prelude::*;
use std::time::Duration;

/// Milliseconds of exploring between two chances for the page to paint.
const SLICE_MS: f64 = 12.0;
/// Steps per call into the engine within a slice.
const STEPS_PER_CALL: u64 = 64;
/// The value of the question select that shows the builder.
const BUILD: &str = "build";

/// The question panel.
#[component]
pub fn AskPanel() -> impl IntoView {
    let state = use_explorer_state();
    let chosen = RwSignal::new(QUESTIONS[0].id.to_string());
    let callback = RwSignal::new(CallbackKind::PostUnpatch);
    let object = RwSignal::new(String::new());
    let seen = RwSignal::new(String::new());
    let after = RwSignal::new(String::new());
    let depth = RwSignal::new(ask::DEFAULT_DEPTH);
    // Bumped to start or cancel: a slice of an older run stops itself.
    let generation = RwSignal::new(0u32);
    let progress = RwSignal::new(None::<ask::Progress>);
    // (question, answer, wall-clock ms, ms spent exploring)
    let answer = RwSignal::new(None::<(String, Answer, f64, f64)>);

    let question = move || -> Question {
        let id = chosen.get();
        if let Some(n) = QUESTIONS.iter().find(|n| n.id == id) {
            return Question::Named(*n);
        }
        Question::Pattern(Pattern {
            callback: callback.get(),
            object: Some(object.get()).filter(|o| !o.is_empty()),
            state: state_of(&seen.get()),
            after: Verb::ALL.into_iter().find(|v| v.word() == after.get()),
        })
    };
    let reason = move || {
        let id = chosen.get();
        QUESTIONS.iter().find(|n| n.id == id).map(|n| n.reason)
    };

    let start = move |_| {
        let q = question();
        let text = q.text();
        let started = js_sys::Date::now();
        let gen_now = generation.get_untracked().wrapping_add(1);
        generation.set(gen_now);
        answer.set(None);
        let asking = Asking::new(q, depth.get_untracked());
        progress.set(Some(asking.progress()));
        let mut busy = 0.0;
        explore_slice(asking, move |a: &mut Asking| {
            if generation.get_untracked() != gen_now {
                return false;
            }
            let from = js_sys::Date::now();
            let deadline = from + SLICE_MS;
            loop {
                let found = a.run(STEPS_PER_CALL);
                let now = js_sys::Date::now();
                if let Some(found) = found {
                    busy += now - from;
                    progress.set(None);
                    answer.set(Some((text.clone(), found, now - started, busy)));
                    return false;
                }
                if now >= deadline {
                    busy += now - from;
                    break;
                }
            }
            progress.set(Some(a.progress()));
            true
        });
    };
    let cancel = move |_| {
        generation.update(|g| *g = g.wrapping_add(1));
        progress.set(None);
    };
    let open = move |scenario: String, step: usize, event: usize| {
        if state.load(&scenario, Some(step)) {
            state.selected.set(Some((step, event)));
        }
    };

    view! {
        <details class="panel ask" data-testid="ask">
            <summary>"Can this ever happen?"</summary>
            <p class="muted">
                "The engine tries every sequence of the callback selftest modules' commands, in your browser, and answers never (with how much it checked) or with the shortest scenario."
            </p>
            <div class="ask-form">
                <label>
                    "Question "
                    <select
                        data-testid="ask-question"
                        on:change=move |ev| chosen.set(event_target_value(&ev))
                        prop:value=move || chosen.get()
                    >
                        {QUESTIONS
                            .iter()
                            .map(|n| view! { <option value=n.id>{n.text}</option> })
                            .collect_view()}
                        <option value=BUILD>"Build a question…"</option>
                    </select>
                </label>
                {move || reason().map(|r| view! { <p class="ask-reason">"Kernel: " {r}</p> })}
                <Show when=move || chosen.get() == BUILD>
                    <Builder callback=callback object=object seen=seen after=after />
                </Show>
                <div class="row">
                    <label>
                        "Depth "
                        <select
                            data-testid="ask-depth"
                            on:change=move |ev| {
                                if let Ok(d) = event_target_value(&ev).parse() {
                                    depth.set(d);
                                }
                            }
                            prop:value=move || depth.get().to_string()
                        >
                            {[4usize, 6, 8, 10]
                                .into_iter()
                                .map(|d| view! { <option value=d.to_string()>{format!("{d} commands")}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <button data-testid="ask-run" on:click=start disabled=move || progress.get().is_some()>
                        "Ask"
                    </button>
                    <button data-testid="ask-cancel" on:click=cancel disabled=move || progress.get().is_none()>
                        "Cancel"
                    </button>
                </div>
            </div>
            {move || {
                progress
                    .get()
                    .map(|p| {
                        view! {
                            <p class="ask-progress" role="status" data-testid="ask-progress">
                                <progress max=p.max_depth.to_string() value=(p.depth - 1).to_string()></progress>
                                {format!(
                                    " exploring depth {} of {}: {} states, {} steps",
                                    p.depth,
                                    p.max_depth,
                                    p.states,
                                    p.steps,
                                )}
                            </p>
                        }
                    })
            }}
            <div class="ask-answer" aria-live="polite" data-testid="ask-answer">
                {move || answer.get().map(|(text, a, ms, busy)| answer_view(text, a, ms, busy, open))}
            </div>
        </details>
    }
}

/// Runs `slice` on `asking` now and again after each paint while it
/// returns true.
fn explore_slice(mut asking: Asking, mut slice: impl FnMut(&mut Asking) -> bool + 'static) {
    if slice(&mut asking) {
        set_timeout(move || explore_slice(asking, slice), Duration::ZERO);
    }
}

fn answer_view(
    question: String,
    answer: Answer,
    ms: f64,
    busy: f64,
    open: impl Fn(String, usize, usize) + Copy + 'static,
) -> impl IntoView {
    // Whole milliseconds: no float formatting code in the wasm.
    let ms = ms.max(0.0) as u64;
    let secs = format!("{}.{:02} s", ms / 1000, ms % 1000 / 10);
    // The time spent in the engine, without the frames painted between
    // slices (`data-busy-ms`, read by the benchmark script).
    let busy = (busy.max(0.0) as u64).to_string();
    let ms = ms.to_string();
    match answer {
        Answer::Never {
            states,
            depth,
            steps,
        } => view! {
            <p data-answer="never" data-ms=ms data-busy-ms=busy>
                <span class="muted">{question} " "</span>
                <strong>"Never"</strong>
                {format!(" within {depth} commands: checked {states} states ({steps} steps) in {secs}.")}
            </p>
        }
        .into_any(),
        Answer::Yes(w) => {
            let (scenario, step, event) = (w.scenario.clone(), w.step, w.event);
            view! {
                <p data-answer="yes" data-ms=ms data-busy-ms=busy>
                    <span class="muted">{question} " "</span>
                    <strong>"Yes"</strong>
                    {format!(": {}, at step {} of this shortest scenario ({} states checked, {secs}):", w.what, w.step, w.states)}
                </p>
                <pre class="ask-witness" data-testid="ask-witness" tabindex="0" aria-label="Shortest scenario">{w.scenario}</pre>
                <button data-testid="ask-open" on:click=move |_| open(scenario.clone(), step, event)>
                    {format!("Open in the explorer at step {step}")}
                </button>
            }
            .into_any()
        }
    }
}

/// "Can CALLBACK run on OBJECT seeing STATE after COMMAND?"
#[component]
fn Builder(
    callback: RwSignal<CallbackKind>,
    object: RwSignal<String>,
    seen: RwSignal<String>,
    after: RwSignal<String>,
) -> impl IntoView {
    let states = [
        ModuleState::Coming,
        ModuleState::Live,
        ModuleState::Going,
        ModuleState::Unformed,
    ];
    view! {
        <p class="ask-builder" data-testid="ask-builder">
            "Can "
            <select
                aria-label="callback"
                data-testid="ask-callback"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(c) = CallbackKind::ALL.into_iter().find(|c| c.name() == v) {
                        callback.set(c);
                    }
                }
                prop:value=move || callback.get().name()
            >
                {CallbackKind::ALL
                    .into_iter()
                    .map(|c| view! { <option value=c.name()>{c.name()}</option> })
                    .collect_view()}
            </select>
            " run on "
            <select aria-label="object" data-testid="ask-object" on:change=move |ev| object.set(event_target_value(&ev))>
                <option value="">"any object"</option>
                {ask::objects()
                    .into_iter()
                    .map(|o| {
                        let label = o.clone();
                        view! { <option value=o>{label}</option> }
                    })
                    .collect_view()}
            </select>
            " seeing "
            <select aria-label="module state" data-testid="ask-state" on:change=move |ev| seen.set(event_target_value(&ev))>
                <option value="">"any state"</option>
                {states
                    .into_iter()
                    .map(|s| {
                        let name = s.name();
                        view! { <option value=name>{name}</option> }
                    })
                    .collect_view()}
            </select>
            " after "
            <select aria-label="command" data-testid="ask-after" on:change=move |ev| after.set(event_target_value(&ev))>
                <option value="">"any command"</option>
                {Verb::ALL.into_iter().map(|v| view! { <option value=v.word()>{v.word()}</option> }).collect_view()}
            </select>
            "?"
        </p>
    }
}

/// The module state a builder option names.
fn state_of(name: &str) -> Option<ModuleState> {
    [
        ModuleState::Coming,
        ModuleState::Live,
        ModuleState::Going,
        ModuleState::Unformed,
    ]
    .into_iter()
    .find(|s| s.name() == name)
}
