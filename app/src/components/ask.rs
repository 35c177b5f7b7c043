//! "Can this ever happen?": questions the engine answers by exploring
//! every command sequence of the callback selftest modules
//! (`klpscope_engine::ask`), here in the page, a slice at a time with the
//! page painting in between; a "yes" opens its shortest scenario in the
//! explorer at the step where it happens. The questions, their kernel
//! reasons and the builder's choices are the engine's; the answer shows
//! under the question asked.

use super::choice::Choice;
use crate::on_demand;
use klpscope_engine::ask::{
    self, Answer, Asking, Named, Pattern, Progress, Question, Verb, Witness,
};
use klpscope_engine::event::{CallbackKind, ModuleState};
use leptos::html::{Button, Select};
use leptos::prelude::*;
use std::time::Duration;

/// Milliseconds of exploring between two chances for the page to paint.
const SLICE_MS: f64 = 12.0;
/// Steps per call into the engine within a slice.
const STEPS_PER_CALL: u64 = 64;
/// The depths a reader can choose.
const DEPTHS: [usize; 4] = [4, 6, 8, 10];
/// The id under which the builder's question is asked.
const BUILT: &str = "build";

/// What the answer box shows.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    /// Nothing yet.
    Nothing,
    /// One line (cancelled, or a question the engine does not know).
    Line(&'static str),
    /// The engine's answer to `question`, after `ms` (of which `busy` in
    /// the engine).
    Answered {
        question: String,
        answer: Answer,
        ms: u64,
        busy: u64,
    },
}

/// The questions of a `klpscope-ask` block and their answers.
#[component]
pub fn AskPanel(
    /// The ids of the block's questions (`klpscope_engine::ask::QUESTIONS`).
    ids: Vec<String>,
) -> impl IntoView {
    // The question asked (its id, or BUILT), how far its exploration has
    // got, and what the answer box shows.
    let asked = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<Progress>);
    let shown = RwSignal::new(Shown::Nothing);
    // Bumped to start or cancel: a slice of an older run stops itself.
    let generation = StoredValue::new(0u32);
    let depth: NodeRef<Select> = NodeRef::new();
    // The builder's callback (its first choice), object, state and command.
    let choice: [RwSignal<String>; 4] = [
        RwSignal::new(CallbackKind::ALL[0].name().to_string()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    ];
    let questions: Vec<&'static Named> = ask::QUESTIONS
        .iter()
        .filter(|n| ids.iter().any(|id| id == n.id))
        .collect();
    let buttons: Vec<(&'static str, NodeRef<Button>)> =
        questions.iter().map(|n| (n.id, NodeRef::new())).collect();
    let buttons = StoredValue::new(buttons);

    let start = move |id: &'static str| {
        let g = generation.get_value().wrapping_add(1);
        generation.set_value(g);
        asked.set(Some(id.to_string()));
        let question = if id == BUILT {
            let v = |i: usize| choice[i].get_untracked();
            Pattern::from_choices(&v(0), &v(1), &v(2), &v(3)).map(Question::Pattern)
        } else {
            Question::named(id)
        };
        let Some(question) = question else {
            progress.set(None);
            shown.set(Shown::Line(
                "This question is not one the engine knows: reload the page.",
            ));
            return;
        };
        let depth = depth
            .get_untracked()
            .and_then(|s| s.value().parse().ok())
            .unwrap_or(ask::DEFAULT_DEPTH);
        let asking = Asking::new(question.clone(), depth);
        shown.set(Shown::Nothing);
        progress.set(Some(asking.progress()));
        let job = Job {
            generation,
            mine: g,
            progress,
            shown,
            question: question.text(),
            started: js_sys::Date::now(),
            busy: 0.0,
        };
        slice(asking, job);
    };
    let cancel = move || {
        generation.update_value(|g| *g = g.wrapping_add(1));
        progress.set(None);
        shown.set(Shown::Line("Cancelled: no answer."));
        // The cancel button is gone: the keyboard goes back to the
        // question's own button.
        let id = asked.get_untracked();
        buttons.with_value(|b| {
            if let Some((_, button)) = b.iter().find(|(q, _)| Some(*q) == id.as_deref())
                && let Some(el) = button.get_untracked()
            {
                let _ = el.focus();
            }
        });
    };
    let answer_box = move |id: &'static str| {
        move || {
            (asked.get().as_deref() == Some(id))
                .then(|| view! { <AnswerBox progress shown cancel /> })
        }
    };
    let items: Vec<_> = questions
        .iter()
        .map(|n| {
            let id = n.id;
            let button = buttons.with_value(|b| b.iter().find(|(q, _)| *q == id).map(|(_, r)| *r));
            view! {
                <li id=format!("ask-{id}")>
                    <p class="ask-q">{n.text}</p>
                    <p class="ask-reason">"Kernel: "{n.reason}</p>
                    <p>
                        <button type="button" data-ask=id node_ref=button.unwrap_or_default() on:click=move |_| start(id)>
                            "ask"
                        </button>
                    </p>
                    {answer_box(id)}
                </li>
            }
        })
        .collect();
    let objects = ask::objects();
    let states = [
        ModuleState::Coming,
        ModuleState::Live,
        ModuleState::Going,
        ModuleState::Unformed,
    ]
    .map(ModuleState::name);
    view! {
        <section class="ask-panel" data-testid="ask">
            <p class="ask-depth">
                <label>
                    "Explore every sequence of up to "
                    <select name="depth" node_ref=depth>
                        {DEPTHS
                            .map(|d| {
                                view! {
                                    <option value=d.to_string() selected=d == ask::DEFAULT_DEPTH>
                                        {d.to_string()}
                                    </option>
                                }
                            })}
                    </select>
                    " commands"
                </label>
            </p>
            <ol class="ask-list">{items}</ol>
            <p class="ask-builder">
                "Or build one: can "
                <Choice name="callback" label="callback" values=CallbackKind::ALL.map(|k| k.name().to_string()).to_vec() value=choice[0] />
                " run on "
                <Choice name="object" label="object" none="any object" values=objects.clone() value=choice[1] />
                " seeing "
                <Choice name="state" label="module state it sees" none="any state" values=states.map(str::to_string).to_vec() value=choice[2] />
                " after "
                <Choice name="after" label="command" none="any command" values=Verb::ALL.map(|v| v.word().to_string()).to_vec() value=choice[3] />
                "? "
                <button type="button" data-ask=BUILT on:click=move |_| start(BUILT)>
                    "ask"
                </button>
            </p>
            {answer_box(BUILT)}
        </section>
    }
}

/// The progress of an exploration and its answer, under the question asked.
#[component]
fn AnswerBox(
    progress: RwSignal<Option<Progress>>,
    shown: RwSignal<Shown>,
    cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let line = move || {
        progress.get().map(|p| {
            format!(
                "exploring depth {} of {}: {} states, {} steps",
                p.depth, p.max_depth, p.states, p.steps
            )
        })
    };
    view! {
        <div class="ask-out" data-testid="ask-out">
            <p class="ask-progress" role="status" data-testid="ask-progress" hidden=move || progress.with(Option::is_none)>
                <progress
                    max=move || progress.get().map_or(1, |p| p.max_depth).to_string()
                    value=move || progress.get().map_or(0, |p| p.depth.saturating_sub(1)).to_string()
                    aria-label="depth explored"
                ></progress>
                " "
                <span>{line}</span>
                " "
                <button type="button" data-ask="cancel" on:click=move |_| cancel()>
                    "cancel"
                </button>
            </p>
            <div class="ask-answer" aria-live="polite" data-testid="ask-answer">
                {move || answer(shown.get())}
            </div>
        </div>
    }
}

/// The answer: "never" with what was checked, or "yes" with the shortest
/// scenario and a button that opens it.
fn answer(shown: Shown) -> AnyView {
    let (question, answer, ms, busy) = match shown {
        Shown::Nothing => return ().into_any(),
        Shown::Line(text) => return view! { <p>{text}</p> }.into_any(),
        Shown::Answered {
            question,
            answer,
            ms,
            busy,
        } => (question, answer, ms, busy),
    };
    // Whole milliseconds: no float formatting code in the wasm.
    let secs = format!("{}.{:02} s", ms / 1000, ms % 1000 / 10);
    let asked = view! { <span class="muted">{format!("{question} ")}</span> };
    match answer {
        Answer::Never { states, depth, steps } => view! {
            // data-busy-ms: the time spent in the engine (read by e2e/bench-explore.mjs).
            <p data-ms=ms data-busy-ms=busy data-answer="never">
                {asked}
                <strong>"Never"</strong>
                {format!(" within {depth} commands: checked {states} states ({steps} steps) in {secs}.")}
            </p>
        }
        .into_any(),
        Answer::Yes(w) => {
            let text = format!(
                ": {}, at step {} of this shortest scenario ({} states checked, {secs}):",
                w.what, w.step, w.states
            );
            let label = format!("Open in the explorer at step {}", w.step);
            let scenario = w.scenario.clone();
            view! {
                <p data-ms=ms data-busy-ms=busy data-answer="yes">
                    {asked}
                    <strong>"Yes"</strong>
                    {text}
                </p>
                <pre class="ask-witness" tabindex="0" data-testid="ask-witness">{scenario}</pre>
                <button type="button" data-ask="open" data-testid="ask-open" on:click=move |_| open(&w)>
                    {label}
                </button>
            }
            .into_any()
        }
    }
}

/// One exploration in progress.
struct Job {
    generation: StoredValue<u32>,
    /// Its generation: a newer run or a cancel stops it.
    mine: u32,
    progress: RwSignal<Option<Progress>>,
    shown: RwSignal<Shown>,
    question: String,
    started: f64,
    /// Milliseconds spent in the engine, without the frames in between.
    busy: f64,
}

/// Explores for one slice, then again after the page has had its turn,
/// until the answer or a newer run.
fn slice(mut asking: Asking, mut job: Job) {
    if job.generation.try_get_value() != Some(job.mine) {
        return;
    }
    let from = js_sys::Date::now();
    loop {
        let found = asking.run(STEPS_PER_CALL);
        let now = js_sys::Date::now();
        if let Some(answer) = found {
            job.busy += now - from;
            job.progress.set(None);
            job.shown.set(Shown::Answered {
                question: job.question,
                answer,
                ms: (now - job.started).max(0.0) as u64,
                busy: job.busy.max(0.0) as u64,
            });
            return;
        }
        if now >= from + SLICE_MS {
            job.busy += now - from;
            break;
        }
    }
    job.progress.set(Some(asking.progress()));
    set_timeout(move || slice(asking, job), Duration::ZERO);
}

/// Opens a witness in the explorer at its step, with its event selected.
fn open(w: &Witness) {
    on_demand::send_scenario(&w.scenario, Some((w.step, w.event)));
}
