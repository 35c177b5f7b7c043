//! "Can this ever happen?": questions the engine answers by exploring
//! every command sequence of the callback selftest modules
//! (`klpscope_engine::ask`), here in the page, a slice at a time with the
//! page painting in between; a "yes" opens its shortest scenario in the
//! explorer at the step where it happens. The questions, their kernel
//! reasons and the builder's choices are HTML from the site's build (the
//! engine's `book::markdown::ask_html`); one click handler acts on its
//! buttons (`data-ask`) and writes progress and answers as text.

use super::add;
use crate::state::{ExplorerState, use_explorer_state};
use klpscope_engine::ask::{self, Answer, Asking, Pattern, Progress, Question, Witness};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// Milliseconds of exploring between two chances for the page to paint.
const SLICE_MS: f64 = 12.0;
/// Steps per call into the engine within a slice.
const STEPS_PER_CALL: u64 = 64;

/// What the handler keeps between clicks.
#[derive(Default)]
struct Runs {
    /// Bumped to start or cancel: a slice of an older run stops itself.
    generation: Cell<u32>,
    /// The last "yes", for its open button.
    witness: RefCell<Option<Witness>>,
}

/// One exploration in progress.
struct Job {
    runs: Rc<Runs>,
    generation: u32,
    out: Element,
    question: String,
    started: f64,
    /// Milliseconds spent in the engine, without the frames in between.
    busy: f64,
}

/// The questions of a `klpscope-ask` block and their answers.
#[component]
pub fn AskPanel(
    /// The block as the chapter file carries it: HTML from the site's build.
    html: String,
) -> impl IntoView {
    let state = use_explorer_state();
    let runs = Rc::new(Runs::default());
    let act = move |ev: web_sys::MouseEvent| {
        let Some(button) = super::clicked(&ev, "button[data-ask]") else {
            return;
        };
        let Some(panel) = button.closest("section.ask-panel").ok().flatten() else {
            return;
        };
        let Some(out) = find(&panel, ".ask-out") else {
            return;
        };
        match button.get_attribute("data-ask").as_deref() {
            Some("cancel") => {
                runs.generation.set(runs.generation.get().wrapping_add(1));
                show_progress(&out, None);
                show_text(&out, "Cancelled: no answer.");
                // The cancel button is gone: the keyboard goes back to
                // the question's own button.
                focus_question(&out);
            }
            Some("open") => {
                if let Some(w) = runs.witness.borrow().as_ref() {
                    open(state, w);
                }
            }
            Some(id) => start(&runs, &panel, &button, out, id),
            None => {}
        }
    };
    view! {
        <section class="ask-panel" data-testid="ask" on:click=act>
            // Trusted: rendered from content/*.md by the site's own build.
            <div inner_html=html></div>
        </section>
    }
}

/// Starts exploring the question `id` (`build`: the builder's), with the
/// answer box moved under the button's question.
fn start(runs: &Rc<Runs>, panel: &Element, button: &Element, out: Element, id: &str) {
    if let Some(host) = button.closest("li, .ask-builder").ok().flatten() {
        let _ = if host.tag_name() == "LI" {
            host.append_child(&out).map(|_| ())
        } else {
            host.after_with_node_1(&out)
        };
    }
    let _ = out.remove_attribute("hidden");
    let generation = runs.generation.get().wrapping_add(1);
    runs.generation.set(generation);
    let question = if id == "build" {
        let v = |name| value(panel, name);
        Pattern::from_choices(&v("callback"), &v("object"), &v("state"), &v("after"))
            .map(Question::Pattern)
    } else {
        Question::named(id)
    };
    let Some(question) = question else {
        show_progress(&out, None);
        show_text(
            &out,
            "This question is not one the engine knows: reload the page.",
        );
        return;
    };
    let depth = value(panel, "depth").parse().unwrap_or(ask::DEFAULT_DEPTH);
    let asking = Asking::new(question.clone(), depth);
    show_text(&out, "");
    show_progress(&out, Some(asking.progress()));
    slice(
        asking,
        Job {
            runs: runs.clone(),
            generation,
            out,
            question: question.text(),
            started: js_sys::Date::now(),
            busy: 0.0,
        },
    );
}

/// Explores for one slice, then again after the page has had its turn,
/// until the answer or a newer run.
fn slice(mut asking: Asking, mut job: Job) {
    if job.runs.generation.get() != job.generation {
        return;
    }
    let from = js_sys::Date::now();
    loop {
        let found = asking.run(STEPS_PER_CALL);
        let now = js_sys::Date::now();
        if let Some(answer) = found {
            job.busy += now - from;
            show_progress(&job.out, None);
            show_answer(&job, answer, now - job.started);
            return;
        }
        if now >= from + SLICE_MS {
            job.busy += now - from;
            break;
        }
    }
    show_progress(&job.out, Some(asking.progress()));
    set_timeout(move || slice(asking, job), Duration::ZERO);
}

/// The value of the panel's select `name`.
fn value(panel: &Element, name: &str) -> String {
    find(panel, &format!("select[name={name}]"))
        .and_then(|s| s.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

fn find(el: &Element, selector: &str) -> Option<Element> {
    el.query_selector(selector).ok().flatten()
}

/// Shows how far the exploration has got, or hides the progress.
fn show_progress(out: &Element, p: Option<Progress>) {
    let Some(line) = find(out, ".ask-progress") else {
        return;
    };
    let Some(p) = p else {
        let _ = line.set_attribute("hidden", "");
        return;
    };
    let _ = line.remove_attribute("hidden");
    if let Some(bar) = find(&line, "progress") {
        let _ = bar.set_attribute("max", &p.max_depth.to_string());
        let _ = bar.set_attribute("value", &p.depth.saturating_sub(1).to_string());
    }
    if let Some(span) = find(&line, "span") {
        span.set_text_content(Some(&format!(
            "exploring depth {} of {}: {} states, {} steps",
            p.depth, p.max_depth, p.states, p.steps
        )));
    }
}

/// Replaces the answer with one line of text.
fn show_text(out: &Element, text: &str) {
    if let Some(box_) = find(out, ".ask-answer") {
        box_.set_text_content(None);
        if !text.is_empty() {
            let _ = add(&box_, "p", "", text);
        }
    }
}

/// Writes the answer: "never" with what was checked, or "yes" with the
/// shortest scenario and a button that opens it.
fn show_answer(job: &Job, answer: Answer, ms: f64) {
    let Some(box_) = find(&job.out, ".ask-answer") else {
        return;
    };
    box_.set_text_content(None);
    // Whole milliseconds: no float formatting code in the wasm.
    let ms = ms.max(0.0) as u64;
    let secs = format!("{}.{:02} s", ms / 1000, ms % 1000 / 10);
    let Ok(p) = add(&box_, "p", "", "") else {
        return;
    };
    let _ = p.set_attribute("data-ms", &ms.to_string());
    // The time spent in the engine (read by e2e/bench-explore.mjs).
    let _ = p.set_attribute("data-busy-ms", &(job.busy.max(0.0) as u64).to_string());
    let _ = add(&p, "span", "muted", &format!("{} ", job.question));
    match answer {
        Answer::Never {
            states,
            depth,
            steps,
        } => {
            let _ = p.set_attribute("data-answer", "never");
            let _ = add(&p, "strong", "", "Never");
            let _ = p.append_with_str_1(&format!(
                " within {depth} commands: checked {states} states ({steps} steps) in {secs}."
            ));
        }
        Answer::Yes(w) => {
            let _ = p.set_attribute("data-answer", "yes");
            let _ = add(&p, "strong", "", "Yes");
            let _ = p.append_with_str_1(&format!(
                ": {}, at step {} of this shortest scenario ({} states checked, {secs}):",
                w.what, w.step, w.states
            ));
            if let Ok(pre) = add(&box_, "pre", "ask-witness", &w.scenario) {
                let _ = pre.set_attribute("tabindex", "0");
                let _ = pre.set_attribute("data-testid", "ask-witness");
            }
            if let Ok(b) = add(
                &box_,
                "button",
                "",
                &format!("Open in the explorer at step {}", w.step),
            ) {
                let _ = b.set_attribute("type", "button");
                let _ = b.set_attribute("data-ask", "open");
                let _ = b.set_attribute("data-testid", "ask-open");
            }
            *job.runs.witness.borrow_mut() = Some(w);
        }
    }
}

/// Focuses the ask button of the question the answer box is under (a
/// listed question holds the box; the builder is just before it).
fn focus_question(out: &Element) {
    let host = out
        .parent_element()
        .filter(|p| p.tag_name() == "LI")
        .or_else(|| out.previous_element_sibling());
    if let Some(b) = host
        .and_then(|h| find(&h, "button[data-ask]"))
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = b.focus();
    }
}

/// Opens a witness in the explorer at its step, with its event selected.
fn open(state: ExplorerState, w: &Witness) {
    if state.load(&w.scenario, Some(w.step)) {
        state.selected.set(Some((w.step, w.event)));
        state.show();
    }
}
