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

/// One exercise and its answer form. The form is HTML from the site's
/// build (the engine's `book::markdown::quiz_html`: native selects and
/// buttons, with the choices the engine offers); one click handler acts on
/// its buttons (`data-act`), and the answer is read from the selects when
/// it is checked; the verdict and the score are written into their boxes
/// as text.
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
                            store(&p);
                            if let Some(el) = find(&quiz, ".quiz-status") {
                                el.set_text_content(Some(&status(&p, &ex.id)));
                            }
                            show_verdict(&quiz, Ok(&v));
                        }
                        None => show_verdict(
                            &quiz,
                            Err("This exercise's session does not run: see the explorer."),
                        ),
                    }
                }
                Some("reset")
                    if window()
                        .confirm_with_message("Forget the scores of every exercise?")
                        .unwrap_or(false) =>
                {
                    store("");
                    if let Ok(all) = document().query_selector_all(".quiz-status") {
                        for el in super::elements(all) {
                            el.set_text_content(None);
                        }
                    }
                }
                Some("setup") if state.load(&ex.prefix, None) => state.show(),
                _ => {}
            }
        }
    };

    view! {
        <section class="quiz" aria-labelledby=format!("quiz-{}", ex.id) data-testid="quiz" on:click=act>
            // Trusted: rendered from content/*.md by the site's own build.
            <div inner_html=html></div>
            // Written again by the handler (check, reset): not reactive.
            <p class="quiz-status" data-testid="quiz-status">{status(&stored(), &ex.id)}</p>
            <div class="verdict" aria-live="polite" data-testid="verdict"></div>
        </section>
    }
}

/// Writes the verdict into the quiz's `.verdict` box, as text: passed or
/// not and the score, each finding with its label and the engine's message
/// (with the kernel call chain), and the docs link.
fn show_verdict(quiz: &Element, verdict: Result<&Verdict, &str>) {
    let Some(out) = quiz.query_selector(".verdict").ok().flatten() else {
        return;
    };
    out.set_text_content(None);
    let add = |parent: &Element, tag: &str, text: &str| super::add(parent, tag, "", text).ok();
    let v = match verdict {
        Ok(v) => v,
        Err(e) => {
            add(&out, "p", e);
            return;
        }
    };
    if let Some(p) = add(&out, "p", "") {
        add(&p, "strong", if v.passed { "passed" } else { "not yet" });
        let _ = p.append_with_str_1(&format!(
            ": {} of {} right. The explorer shows the step.",
            v.score.right, v.score.out_of
        ));
    }
    if let Some(ul) = add(&out, "ul", "") {
        for f in &v.findings {
            if let Some(li) = add(&ul, "li", &format!("{}: {}", f.kind.label(), f.message)) {
                li.set_class_name(if f.kind == FindingKind::Right {
                    "right"
                } else {
                    "wrong"
                });
            }
        }
    }
    if let Some(href) = &v.docs
        && let Some(a) =
            add(&out, "p", "").and_then(|p| add(&p, "a", "Read the section that explains it."))
    {
        let _ = a.set_attribute("href", href);
    }
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
