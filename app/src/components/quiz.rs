//! An exercise in the docs: the session so far and the command to
//! predict, a form for the answer (a view of the exercise's choices:
//! native selects and buttons, so the keyboard does all a mouse does),
//! and the engine's verdict. The engine
//! decides everything: the choices come with the exercise (`quiz::Form`),
//! the explorer runs the step, `quiz::solution_of` reads the answer off it
//! and `quiz::grade_against` compares (what `quiz::grade` does). Scores
//! stay in the browser's localStorage ([`record`]).

use super::choice::Choice;
use crate::state::use_explorer_state;
use klpscope_engine::event::CallbackKind;
use klpscope_engine::quiz::{self, Answer, Call, Console, FindingKind, Form, Verdict};
use leptos::prelude::*;
use std::sync::Arc;

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

/// One row of an answer: a callback as the reader names it.
#[derive(Clone, Copy)]
struct Row {
    /// Its key in the list (rows come and go).
    id: usize,
    patch: RwSignal<String>,
    callback: RwSignal<String>,
    object: RwSignal<String>,
    state: RwSignal<String>,
}

impl Row {
    /// A new row at the first choice of each select (any patch, the first
    /// callback, `vmlinux`, no state).
    fn new(id: usize, form: &Form) -> Row {
        Row {
            id,
            patch: RwSignal::new(String::new()),
            callback: RwSignal::new(CallbackKind::ALL[0].name().to_string()),
            object: RwSignal::new(form.objects.first().cloned().unwrap_or_default()),
            state: RwSignal::new(String::new()),
        }
    }

    fn call(&self) -> Call {
        Call {
            callback: CallbackKind::from_name(&self.callback.get_untracked())
                .unwrap_or(CallbackKind::PrePatch),
            patch: Some(self.patch.get_untracked()).filter(|p| !p.is_empty()),
            object: self.object.get_untracked(),
            state: quiz::read_state(&self.state.get_untracked()),
        }
    }
}

/// Where the focus goes after a row is added or removed: a row's first
/// select, or the "add" button when no row is left.
#[derive(Clone, Copy, PartialEq)]
enum Focus {
    Row(usize),
    Add,
}

/// One exercise: its text (HTML from the site's build: title, session,
/// question, hint) and its answer form, a view of the engine's [`Form`]
/// (native selects and buttons, so the keyboard does all a mouse does);
/// the verdict and the score are drawn from the graded answer and the
/// shared [`Scores`].
#[component]
pub fn Quiz(
    /// The exercise's text, as the site's build wrote it (trusted HTML).
    html: String,
    /// The exercise and the choices of its answer form.
    form: Arc<Form>,
    /// The chapter's first exercise: it says where scores are kept and
    /// offers to reset them.
    first: bool,
) -> impl IntoView {
    let ex = Arc::new(form.exercise.clone());
    let state = use_explorer_state();
    let scores = expect_context::<Scores>();
    let verdict = RwSignal::new(None::<Result<Verdict, &'static str>>);
    let rows = RwSignal::new(Vec::<Row>::new());
    let next_id = StoredValue::new(0usize);
    let console = RwSignal::new("ok".to_string());
    let focus = RwSignal::new(None::<Focus>);
    let add_button: NodeRef<leptos::html::Button> = NodeRef::new();
    Effect::new(move |_| {
        if focus.get() == Some(Focus::Add)
            && let Some(b) = add_button.get()
        {
            let _ = b.focus();
        }
    });

    let add = {
        let form = form.clone();
        move |_| {
            let id = next_id.get_value();
            next_id.set_value(id + 1);
            rows.update(|r| r.push(Row::new(id, &form)));
            focus.set(Some(Focus::Row(id)));
        }
    };
    let remove = move |id: usize| {
        rows.update(|r| {
            let Some(i) = r.iter().position(|row| row.id == id) else {
                return;
            };
            r.remove(i);
            let next = r.get(i).or_else(|| i.checked_sub(1).and_then(|p| r.get(p)));
            focus.set(Some(next.map_or(Focus::Add, |row| Focus::Row(row.id))));
        });
    };
    let check = {
        let ex = ex.clone();
        move |_| {
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
            let Some(solution) = solution else {
                verdict.set(Some(Err(
                    "This exercise's session does not run: see the explorer.",
                )));
                return;
            };
            let answer = Answer {
                calls: rows.with_untracked(|r| r.iter().map(Row::call).collect()),
                console: Some(match console.get_untracked().as_str() {
                    "error" => Console::Error(None),
                    _ => Console::Ok,
                }),
            };
            let mut v = quiz::grade_against(&solution, &answer);
            v.docs = ex.docs.clone();
            scores.set(record(&stored(), &ex.id, v.score.right, v.score.out_of));
            verdict.set(Some(Ok(v)));
        }
    };
    let setup = {
        let prefix = ex.prefix.clone();
        move |_| {
            if state.load(&prefix, None) {
                state.show();
            }
        }
    };
    let reset = move |_| {
        if window()
            .confirm_with_message("Forget the scores of every exercise?")
            .unwrap_or(false)
        {
            scores.set(String::new());
        }
    };

    let id = ex.id.clone();
    view! {
        <section class="quiz" aria-labelledby=format!("quiz-{}", ex.id) data-testid="quiz">
            {first.then(|| view! {
                <p class="quiz-progress">
                    "Your scores stay in this browser only. "
                    <button type="button" data-act="reset" on:click=reset>"reset progress"</button>
                </p>
            })}
            // Trusted: rendered from content/*.md by the site's own build.
            <div inner_html=html></div>
            <ol class="answer" aria-label="Your answer: the callbacks, in the order they run">
                <For each=move || rows.get() key=|row| row.id let:row>
                    <AnswerRow row form=form.clone() focus on_remove=Callback::new(remove) />
                </For>
            </ol>
            <div class="quiz-actions">
                <button type="button" data-act="add" node_ref=add_button on:click=add>
                    "add a callback"
                </button>
                <select
                    name="console"
                    aria-label="console outcome"
                    on:change=move |ev| console.set(event_target_value(&ev))
                >
                    <option value="ok">"console: ok"</option>
                    <option value="error">"console: an error line"</option>
                </select>
                <button type="button" class="check" data-act="check" on:click=check>"check"</button>
                <button type="button" data-act="setup" on:click=setup>"set up in the explorer"</button>
            </div>
            <p class="quiz-status" data-testid="quiz-status">
                {move || scores.0.with(|p| status(p, &id))}
            </p>
            <div class="verdict" aria-live="polite" data-testid="verdict">
                {move || verdict.get().map(show_verdict)}
            </div>
        </section>
    }
}

/// A row of the answer: a select each for the patch (when the scenario
/// loads more than one), the callback, the object and the state, then
/// its remove button. It takes the focus when it is `focus`'s row.
#[component]
fn AnswerRow(
    row: Row,
    form: Arc<Form>,
    focus: RwSignal<Option<Focus>>,
    on_remove: Callback<usize>,
) -> impl IntoView {
    let first: NodeRef<leptos::html::Select> = NodeRef::new();
    Effect::new(move |_| {
        if focus.get() == Some(Focus::Row(row.id))
            && let Some(el) = first.get()
        {
            let _ = el.focus();
        }
    });
    let patches = (form.patches.len() > 1).then(|| {
        view! {
            <Choice
                name="patch"
                label="whose callback (patch)"
                none="any patch"
                values=form.patches.clone()
                value=row.patch
                node_ref=first
            />
        }
    });
    let callbacks = CallbackKind::ALL.map(|k| k.name().to_string()).to_vec();
    let states = quiz::ANSWER_STATES
        .map(|s| quiz::short_state(s).to_string())
        .to_vec();
    // The first select takes the focus: the callback's when there is no
    // patch select.
    let callback_ref = if form.patches.len() > 1 {
        NodeRef::new()
    } else {
        first
    };
    view! {
        <li>
            {patches}
            <Choice name="callback" label="callback" values=callbacks value=row.callback node_ref=callback_ref />
            <Choice name="object" label="object" values=form.objects.clone() value=row.object />
            <Choice name="state" label="module state it sees" none="no state" values=states value=row.state />
            <button type="button" data-act="remove" aria-label="remove this callback" on:click=move |_| on_remove.run(row.id)>
                "remove"
            </button>
        </li>
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
