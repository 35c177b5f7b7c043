//! An exercise in the docs: the session so far and the command to
//! predict, a form for the answer (native selects and buttons, so the
//! keyboard does all a mouse does), and the engine's verdict. The engine
//! decides everything: the choices come with the exercise (`quiz::Form`),
//! `quiz::grade` runs the step and compares. Scores stay in the browser
//! ([`Progress`]).

use crate::state::use_explorer_state;
use klpscope_engine::event::{CallbackKind, ModuleState};
use klpscope_engine::quiz::{self, Answer, Call, Console, FindingKind, Form, Verdict};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// localStorage key of the scores: `ID=RIGHT/OUT_OF` per exercise,
/// space-separated.
const PROGRESS_KEY: &str = "klpscope-quiz";

/// The module states a row's select offers (besides "no state").
const STATES: [ModuleState; 3] = [ModuleState::Coming, ModuleState::Live, ModuleState::Going];

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

/// The scores of every exercise, shared by the page's quizzes and kept in
/// localStorage (in memory only where the browser has none).
#[derive(Clone, Copy)]
pub struct Progress(RwSignal<String>);

impl Progress {
    /// The one instance of the page, read from localStorage once.
    pub fn get() -> Progress {
        thread_local! {
            static PROGRESS: Progress = Progress(RwSignal::new(
                storage()
                    .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
                    .unwrap_or_default(),
            ));
        }
        PROGRESS.with(|p| *p)
    }

    fn save(self, text: String) {
        if let Some(s) = storage() {
            let _ = if text.is_empty() {
                s.remove_item(PROGRESS_KEY)
            } else {
                s.set_item(PROGRESS_KEY, &text)
            };
        }
        self.0.set(text);
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// One exercise and its answer form. The form is HTML from the site's
/// build (the engine's `book::markdown::quiz_html`: native selects and
/// buttons, with the choices the engine offers); one click handler acts on
/// its buttons (`data-act`), and the answer is read from the selects when
/// it is checked. The verdict and the score are views of signals.
#[component]
pub fn Quiz(
    /// The exercise as the chapter file carries it: its HTML, U+001F, and
    /// the form as `quiz::Form::encode` writes it.
    text: String,
) -> impl IntoView {
    let (html, form) = text.split_once('\u{1f}').unwrap_or(("", &text));
    let ex = Arc::new(Form::decode(form).exercise);
    let state = use_explorer_state();
    let progress = Progress::get();
    let verdict = RwSignal::new(None::<Result<Verdict, String>>);
    let act = {
        let ex = ex.clone();
        move |ev: web_sys::MouseEvent| {
            let find = |el: &Element, sel: &str| el.query_selector(sel).ok().flatten();
            let Some(button) = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("button[data-act]").ok().flatten())
            else {
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
                    let v = quiz::grade(&ex, &read_answer(&quiz)).map_err(|e| e.to_string());
                    if let Ok(v) = &v {
                        let p = progress.0.get_untracked();
                        progress.save(record(&p, &ex.id, v.score.right, v.score.out_of));
                        // The step itself, in the explorer: its timeline and log.
                        state.load(&ex.scenario_text(), None);
                    }
                    verdict.set(Some(v));
                }
                Some("reset")
                    if window()
                        .confirm_with_message("Forget the scores of every exercise?")
                        .unwrap_or(false) =>
                {
                    progress.save(String::new());
                }
                Some("setup") if state.load(&ex.prefix, None) => super::docs_pane::show_explorer(),
                _ => {}
            }
        }
    };
    let id = ex.id.clone();
    let status = move || match score(&progress.0.read(), &id) {
        s @ Some((r, n)) if solved(s) => format!("solved ({r}/{n})"),
        Some((r, n)) => format!("last score {r}/{n}"),
        None => String::new(),
    };

    view! {
        <section class="quiz" aria-labelledby=format!("quiz-{}", ex.id) data-testid="quiz" on:click=act>
            // Trusted: rendered from content/*.md by the site's own build.
            <div inner_html=html.to_string()></div>
            <p class="quiz-status" data-testid="quiz-status">{status}</p>
            <div class="verdict" aria-live="polite" data-testid="verdict">
                {move || {
                    verdict.get().map(|v| match v {
                        Err(e) => view! { <pre class="error">{e}</pre> }.into_any(),
                        Ok(v) => view! {
                            <p>
                                <strong>{if v.passed { "passed" } else { "not yet" }}</strong>
                                {format!(": {} of {} right. The explorer shows the step.", v.score.right, v.score.out_of)}
                            </p>
                            <ul>
                                {v.findings
                                    .into_iter()
                                    .map(|f| view! {
                                        <li class=if f.kind == FindingKind::Right { "right" } else { "wrong" }>
                                            {format!("{}: {}", f.kind.label(), f.message)}
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                            {v.docs.map(|href| view! { <p><a href=href>"Read the section that explains it."</a></p> })}
                        }
                        .into_any(),
                    })
                }}
            </div>
        </section>
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
        for i in 0..rows.length() {
            let Some(li) = rows.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let state = value(&li, "state");
            calls.push(Call {
                callback: CallbackKind::from_name(&value(&li, "callback"))
                    .unwrap_or(CallbackKind::PrePatch),
                patch: Some(value(&li, "patch")).filter(|p| !p.is_empty()),
                object: value(&li, "object"),
                state: STATES.into_iter().find(|s| quiz::short_state(*s) == state),
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
        // Entries that do not read are dropped, not fatal.
        let p = record("junk x=1 a=2/z", "c", 0, 1);
        assert_eq!(p, "x=1 a=2/z c=0/1");
        assert_eq!(score(&p, "a"), None);
        assert!(!solved(Some((0, 0))));
    }
}
