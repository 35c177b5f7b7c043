//! An exercise in the docs: the session so far and the command to
//! predict, a form for the answer (native selects and buttons, so the
//! keyboard does all a mouse does), and the engine's verdict. The engine
//! decides everything: the choices come with the exercise (`quiz::Form`),
//! the explorer runs the step, `quiz::solution_of` reads the answer off it
//! and `quiz::grade_against` compares (what `quiz::grade` does). Scores
//! stay in the browser's localStorage ([`record`]).

use crate::state::use_explorer_state;
use klpscope_engine::event::CallbackKind;
use klpscope_engine::quiz::{self, Answer, Call, Console, FindingKind, Form, Verdict};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// localStorage key of the scores: `ID=RIGHT/OUT_OF` per exercise,
/// space-separated.
const PROGRESS_KEY: &str = "klpscope-quiz";

/// The recorded score of exercise `id` in `progress`: (right, out of).
pub fn score(progress: &str, id: &str) -> Option<(usize, usize)> {
    progress.split_whitespace().find_map(|entry| {
        let (key, s) = entry.split_once('=')?;
        let (r, n) = s.split_once('/')?;
        (key == id).then_some((r.parse().ok()?, n.parse().ok()?))
    })
}

/// Whether a score is full marks.
fn solved(s: Option<(usize, usize)>) -> bool {
    s.is_some_and(|(r, n)| r == n && n > 0)
}

/// `progress` with a new score for `id`: the latest one, except that a
/// solved exercise stays solved.
pub fn record(progress: &str, id: &str, right: usize, out_of: usize) -> String {
    if solved(score(progress, id)) && right != out_of {
        return progress.to_string();
    }
    let mut out = String::new();
    for entry in progress.split_whitespace() {
        if entry.split_once('=').is_some_and(|(k, _)| k != id) {
            out.push_str(entry);
            out.push(' ');
        }
    }
    out + &format!("{id}={right}/{out_of}")
}

/// What a quiz shows beside its form: solved, the last score, or nothing.
pub fn status(progress: &str, id: &str) -> String {
    match score(progress, id) {
        s @ Some((r, n)) if solved(s) => format!("solved ({r}/{n})"),
        Some((r, n)) => format!("last score {r}/{n}"),
        None => String::new(),
    }
}

/// The scores kept in localStorage (none where the browser has none).
fn stored() -> String {
    storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .unwrap_or_default()
}

fn store(text: &str) {
    if let Some(s) = storage() {
        let _ = if text.is_empty() {
            s.remove_item(PROGRESS_KEY)
        } else {
            s.set_item(PROGRESS_KEY, text)
        };
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The scores of every exercise, as stored: what each quiz's status
/// shows. Provided by the docs pane; a check or a reset writes it (and
/// localStorage) and every exercise's status follows.
#[derive(Clone, Copy)]
pub struct Scores(RwSignal<String>);

impl Scores {
    /// Reads the stored scores and provides them to the exercises below.
    pub fn provide() {
        provide_context(Scores(RwSignal::new(stored())));
    }

    /// Replaces the scores, here and in localStorage.
    fn set(&self, progress: String) {
        store(&progress);
        self.0.set(progress);
    }
}

/// One exercise and its answer form. The form is HTML from the site's
/// build (the engine's `book::markdown::quiz_html`: native selects and
/// buttons, with the choices the engine offers); one click handler acts on
/// its buttons (`data-act`), and the answer is read from the selects when
/// it is checked. The verdict and the score are the component's own view,
/// of the graded answer and of the shared [`Scores`].
#[component]
pub fn Quiz(
    /// The exercise's text and answer form, as the site's build wrote them
    /// (trusted HTML).
    html: String,
    /// The exercise the form is graded against.
    form: Arc<Form>,
) -> impl IntoView {
    let ex = Arc::new(form.exercise.clone());
    let state = use_explorer_state();
    let scores = expect_context::<Scores>();
    let verdict = RwSignal::new(None::<Result<Verdict, &'static str>>);
    let act = {
        let ex = ex.clone();
        move |ev: web_sys::MouseEvent| {
            let find = |el: &Element, sel: &str| el.query_selector(sel).ok().flatten();
            let Some(button) = super::clicked(&ev, "button[data-act]") else {
                return;
            };
            let Some(quiz) = button.closest("section.quiz").ok().flatten() else {
                return;
            };
            match button.get_attribute("data-act").as_deref() {
                Some("add") => {
                    if let (Some(list), Some(row)) = (find(&quiz, "ol"), find(&quiz, "template")) {
                        let _ = list.insert_adjacent_html("beforeend", &row.inner_html());
                        focus(list.last_element_child().and_then(|li| find(&li, "select")));
                    }
                }
                Some("remove") => {
                    if let Some(li) = button.closest("li").ok().flatten() {
                        let next = li
                            .next_element_sibling()
                            .or_else(|| li.previous_element_sibling())
                            .and_then(|row| find(&row, "select"))
                            .or_else(|| find(&quiz, "[data-act=add]"));
                        li.remove();
                        focus(next);
                    }
                }
                Some("check") => {
                    // The step itself goes into the explorer (its timeline and
                    // log), and the answer is graded against the step it ran.
                    let solution = state
                        .load(&ex.scenario_text(), None)
                        .then(|| {
                            state
                                .replay
                                .with_untracked(|r| r.steps().last().map(quiz::solution_of))
                        })
                        .flatten();
                    match solution {
                        Some(solution) => {
                            let mut v = quiz::grade_against(&solution, &read_answer(&quiz));
                            v.docs = ex.docs.clone();
                            let p = record(&stored(), &ex.id, v.score.right, v.score.out_of);
                            scores.set(p);
                            verdict.set(Some(Ok(v)));
                        }
                        None => verdict.set(Some(Err(
                            "This exercise's session does not run: see the explorer.",
                        ))),
                    }
                }
                Some("reset")
                    if window()
                        .confirm_with_message("Forget the scores of every exercise?")
                        .unwrap_or(false) =>
                {
                    scores.set(String::new());
                }
                Some("setup") if state.load(&ex.prefix, None) => state.show(),
                _ => {}
            }
        }
    };

    let id = ex.id.clone();
    view! {
        <section class="quiz" aria-labelledby=format!("quiz-{}", ex.id) data-testid="quiz" on:click=act>
            // Trusted: rendered from content/*.md by the site's own build.
            <div inner_html=html></div>
            <p class="quiz-status" data-testid="quiz-status">
                {move || scores.0.with(|p| status(p, &id))}
            </p>
            <div class="verdict" aria-live="polite" data-testid="verdict">
                {move || verdict.get().map(show_verdict)}
            </div>
        </section>
    }
}

/// The verdict, as text: passed or not and the score, each finding with
/// its label and the engine's message (with the kernel call chain), and
/// the docs link; or why there is none.
fn show_verdict(verdict: Result<Verdict, &'static str>) -> AnyView {
    let v = match verdict {
        Ok(v) => v,
        Err(e) => return view! { <p>{e}</p> }.into_any(),
    };
    let findings = v
        .findings
        .iter()
        .map(|f| {
            let class = if f.kind == FindingKind::Right {
                "right"
            } else {
                "wrong"
            };
            view! { <li class=class>{format!("{}: {}", f.kind.label(), f.message)}</li> }
        })
        .collect_view();
    let docs = v.docs.map(|href| {
        view! {
            <p>
                <a href=href>"Read the section that explains it."</a>
            </p>
        }
    });
    view! {
        <p>
            <strong>{if v.passed { "passed" } else { "not yet" }}</strong>
            {format!(": {} of {} right. The explorer shows the step.", v.score.right, v.score.out_of)}
        </p>
        <ul>{findings}</ul>
        {docs}
    }
    .into_any()
}

/// The answer the form's selects hold: one call per row of the list, then
/// the console outcome.
fn read_answer(quiz: &Element) -> Answer {
    let value = |el: &Element, name: &str| {
        el.query_selector(&format!("select[name={name}]"))
            .ok()
            .flatten()
            .and_then(|s| s.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .map(|s| s.value())
            .unwrap_or_default()
    };
    let mut calls = Vec::new();
    if let Ok(rows) = quiz.query_selector_all("ol > li") {
        for li in super::elements(rows) {
            calls.push(Call {
                callback: CallbackKind::from_name(&value(&li, "callback"))
                    .unwrap_or(CallbackKind::PrePatch),
                patch: Some(value(&li, "patch")).filter(|p| !p.is_empty()),
                object: value(&li, "object"),
                state: quiz::read_state(&value(&li, "state")),
            });
        }
    }
    let console = match value(quiz, "console").as_str() {
        "error" => Console::Error(None),
        _ => Console::Ok,
    };
    Answer {
        calls,
        console: Some(console),
    }
}

fn focus(el: Option<Element>) {
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_keeps_one_score_per_exercise_and_solved_stays_solved() {
        let p = record("", "a", 1, 3);
        assert_eq!(p, "a=1/3");
        assert_eq!(score(&p, "a"), Some((1, 3)));
        assert_eq!(score(&p, "b"), None);
        let p = record(&p, "b", 2, 2);
        let p = record(&p, "a", 3, 3);
        assert_eq!(p, "b=2/2 a=3/3");
        // A worse answer later does not undo a solved exercise.
        assert_eq!(record(&p, "a", 0, 4), p);
        // An entry without '=' is dropped; one that does not read is kept
        // but counts as no score.
        let p = record("junk x=1 a=2/z", "c", 0, 1);
        assert_eq!(p, "x=1 a=2/z c=0/1");
        assert_eq!(score(&p, "a"), None);
        assert!(!solved(Some((0, 0))));
        assert_eq!(status("a=3/3 b=1/4", "a"), "solved (3/3)");
        assert_eq!(status("a=3/3 b=1/4", "b"), "last score 1/4");
        assert_eq!(status("a=3/3 b=1/4", "c"), "");
    }
}
