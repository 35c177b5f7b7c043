//! `klpscope quiz`: the exercises in a terminal, and `--check`.
//!
//! The CLI only parses its arguments and calls these; they read and write
//! through the given handles so tests can drive them.

use super::answer::parse_answer_line;
use super::{
    Answer, Exercise, FindingKind, QuizError, Verdict, expected, grade_against, parse_quiz_blocks,
};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// What `--check` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Exercises that parse, run and have an engine-computed answer.
    pub answerable: usize,
    /// One `FILE:LINE:COL: message` (and hint) per problem.
    pub problems: Vec<String>,
}

impl CheckReport {
    /// `N exercises, all answerable`, or how many are not.
    pub fn summary(&self) -> String {
        if self.problems.is_empty() && self.answerable > 0 {
            format!("{} exercises, all answerable", self.answerable)
        } else if self.answerable == 0 && self.problems.is_empty() {
            "no exercises found".to_string()
        } else {
            format!(
                "{} exercises answerable, {} problems",
                self.answerable,
                self.problems.len()
            )
        }
    }

    /// True when there are exercises and no problems.
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.answerable > 0
    }
}

/// The Markdown files under `path` (or `path` itself), sorted.
fn markdown_files(path: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if depth > 8 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            markdown_files(&p, out, depth + 1)?;
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
    Ok(())
}

/// `klpscope quiz --check PATH`: every exercise in every Markdown file
/// under PATH parses, runs, and has an answer; ids are unique across
/// files; a `docs:` link names a chapter of the SUMMARY beside the file
/// (if there is one) and a heading of that chapter.
pub fn check_path(path: &Path) -> CheckReport {
    let mut report = CheckReport::default();
    let mut files = Vec::new();
    if let Err(e) = markdown_files(path, &mut files, 0) {
        report.problems.push(format!("{}: {e}", path.display()));
        return report;
    }
    let mut ids: Vec<(String, String)> = Vec::new();
    for file in files {
        let label = file.display().to_string();
        let md = match std::fs::read_to_string(&file) {
            Ok(md) => md,
            Err(e) => {
                report.problems.push(format!("{label}: {e}"));
                continue;
            }
        };
        let exercises = match parse_quiz_blocks(&md) {
            Ok(x) => x,
            Err(e) => {
                report.problems.push(e.in_file(&label));
                continue;
            }
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        for ex in exercises {
            let place = format!("{label}:{}", ex.line);
            if let Some((_, other)) = ids.iter().find(|(id, _)| *id == ex.id) {
                report.problems.push(format!(
                    "{place}:1: the id '{}' is also used at {other}",
                    ex.id
                ));
                continue;
            }
            ids.push((ex.id.clone(), place.clone()));
            if let Err(e) = expected(&ex) {
                report.problems.push(e.in_file(&label));
                continue;
            }
            if let Some(problem) = ex.docs.as_deref().and_then(|d| docs_problem(dir, d)) {
                report.problems.push(format!("{place}:1: {problem}"));
                continue;
            }
            report.answerable += 1;
        }
    }
    report
}

/// What is wrong with a `#doc=CHAPTER/HEADING` link, given the directory
/// that holds SUMMARY; `None` when it resolves or there is no SUMMARY.
fn docs_problem(dir: &Path, link: &str) -> Option<String> {
    let summary = std::fs::read_to_string(dir.join("SUMMARY")).ok()?;
    let target = link.strip_prefix("#doc=")?;
    let (chapter, heading) = target.split_once('/').unwrap_or((target, ""));
    let file = summary.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        (!l.starts_with('#') && w.next() == Some(chapter))
            .then(|| w.next())
            .flatten()
    });
    let Some(file) = file else {
        return Some(format!(
            "docs link '{link}': no chapter '{chapter}' in SUMMARY"
        ));
    };
    if heading.is_empty() {
        return None;
    }
    let text = std::fs::read_to_string(dir.join(file)).ok()?;
    let mut in_fence = false;
    let found = text.lines().any(|l| {
        if l.trim_start().starts_with("```") {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
            && l.starts_with('#')
            && crate::slug::slug(l.trim_start_matches('#').trim(), "section") == heading
    });
    (!found).then(|| format!("docs link '{link}': chapter '{chapter}' has no heading '{heading}'"))
}

/// `klpscope quiz --answers FILE`: the engine's answer to each exercise,
/// in the answer format, each after a `# ID` line. Fed back to
/// `klpscope quiz FILE` it scores full marks.
pub fn answers(markdown: &str) -> Result<String, QuizError> {
    let mut out = String::new();
    for ex in parse_quiz_blocks(markdown)? {
        let s = expected(&ex)?;
        out.push_str(&format!("# {}\n{}\n", ex.id, s.answer));
    }
    Ok(out)
}

/// The question an exercise asks.
pub fn question(ex: &Exercise) -> String {
    ex.ask.clone().unwrap_or_else(|| {
        "Which callbacks run, in which order, on which objects, seeing which module \
         state? What does the console show?"
            .to_string()
    })
}

/// How a session went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionSummary {
    /// Exercises shown.
    pub asked: usize,
    /// Answered with every item right.
    pub passed: usize,
}

/// `klpscope quiz FILE`: shows each exercise, reads an answer from
/// `input` (until a `console:` line, an empty line or the end of input),
/// prints the verdict. `only` picks one exercise by id.
pub fn session(
    markdown: &str,
    only: Option<&str>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<SessionSummary, QuizError> {
    let all = parse_quiz_blocks(markdown)?;
    let exercises: Vec<&Exercise> = all
        .iter()
        .filter(|e| only.is_none_or(|id| e.id == id))
        .collect();
    if exercises.is_empty() {
        let hint = match all.first() {
            Some(e) => format!("ids look like '{}'", e.id),
            None => format!("exercises are ```{} blocks", super::QUIZ_TAG),
        };
        return Err(QuizError::new(1, 1, "no exercise to ask").hint(hint));
    }
    let mut summary = SessionSummary::default();
    let total = exercises.len();
    'exercises: for (k, ex) in exercises.into_iter().enumerate() {
        let solution = expected(ex)?;
        let _ = writeln!(
            out,
            "\nExercise {}/{total}: {}  [{}]",
            k + 1,
            ex.title,
            ex.id
        );
        let _ = writeln!(out, "Skill: {}\n", ex.skill);
        for line in ex.prefix.lines() {
            let _ = writeln!(out, "    {line}");
        }
        let _ = writeln!(out, "    % {}    <- next\n", ex.command);
        let _ = writeln!(out, "{}", question(ex));
        let _ = writeln!(
            out,
            "Answer one callback per line (e.g. 'pre_patch vmlinux', \
             'post_patch test_klp_callbacks_mod LIVE'), then 'console: ok' or \
             'console: error'. 'hint' for a hint, 'quit' to stop."
        );
        summary.asked += 1;
        let mut answer = Answer::default();
        let mut typed = 0;
        let mut n = 0;
        loop {
            let _ = write!(out, "> ");
            let _ = out.flush();
            let mut line = String::new();
            match input.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    if typed == 0 {
                        let _ = writeln!(out);
                        summary.asked -= 1;
                        break 'exercises;
                    }
                    break;
                }
                Ok(_) => {}
            }
            n += 1;
            let t = line.trim();
            match t {
                "quit" | "q" => {
                    summary.asked -= 1;
                    break 'exercises;
                }
                "hint" => {
                    let _ = writeln!(
                        out,
                        "hint: {}",
                        ex.hint.as_deref().unwrap_or("none for this one")
                    );
                    if let Some(d) = &ex.docs {
                        let _ = writeln!(out, "read: {d}");
                    }
                    continue;
                }
                // An empty line ends an answer once something was typed.
                "" if typed == 0 => continue,
                "" => break,
                _ => {}
            }
            if t.starts_with('#') {
                continue;
            }
            match parse_answer_line(&line, n, &mut answer) {
                Ok(()) => typed += 1,
                Err(e) => {
                    let _ = writeln!(out, "{e}\n(type the line again)");
                    continue;
                }
            }
            if answer.console.is_some() {
                break;
            }
        }
        let mut verdict = grade_against(&solution, &answer);
        verdict.docs = ex.docs.clone();
        print_verdict(&verdict, out);
        if verdict.passed {
            summary.passed += 1;
        } else {
            let _ = writeln!(out, "The engine's answer:");
            for line in solution.answer.to_string().lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{} of {} exercises right",
        summary.passed, summary.asked
    );
    Ok(summary)
}

/// The verdict as the terminal shows it: one line per finding, the
/// explanation under each mistake, the score and the docs link.
pub fn print_verdict(v: &Verdict, out: &mut dyn Write) {
    let _ = writeln!(out);
    for f in &v.findings {
        let item = match (&f.given, &f.expected, &f.console) {
            (Some(g), _, _) if f.kind == FindingKind::Extra => g.to_string(),
            (_, Some(e), _) => {
                let mut e = e.clone();
                if f.given.as_ref().is_some_and(|g| g.patch.is_none()) {
                    e.patch = None;
                }
                e.to_string()
            }
            (_, _, Some(c)) => c.to_string(),
            _ => String::new(),
        };
        let _ = writeln!(out, "  {:<14}{item}", f.kind.label());
        if f.kind != FindingKind::Right {
            let _ = writeln!(out, "  {:<14}{}", "", f.message);
        }
    }
    let _ = writeln!(out, "\nScore {}/{}", v.score.right, v.score.out_of);
    if !v.passed
        && let Some(d) = &v.docs
    {
        let _ = writeln!(out, "Read more: {d}");
    }
}

/// `klpscope quiz`: the exit code (0 all right or all answerable, 1 a wrong
/// answer or an unanswerable exercise, 2 unreadable or malformed input).
pub fn main(
    file: Option<&Path>,
    check: Option<&Path>,
    show_answers: bool,
    only: Option<&str>,
) -> u8 {
    if let Some(dir) = check {
        let report = check_path(dir);
        for p in &report.problems {
            eprintln!("klpscope: {p}");
        }
        println!("{}", report.summary());
        return if report.ok() { 0 } else { 1 };
    }
    let Some(file) = file else {
        eprintln!("klpscope: quiz needs a FILE or --check DIR");
        return 2;
    };
    let label = file.display().to_string();
    let md = match std::fs::read_to_string(file) {
        Ok(md) => md,
        Err(e) => {
            eprintln!("klpscope: {label}: {e}");
            return 2;
        }
    };
    if show_answers {
        return match answers(&md) {
            Ok(a) => {
                print!("{a}");
                0
            }
            Err(e) => {
                eprintln!("klpscope: {}", e.in_file(&label));
                2
            }
        };
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match session(&md, only, &mut input, &mut out) {
        Ok(s) if s.asked > 0 && s.passed == s.asked => 0,
        Ok(_) => 1,
        Err(e) => {
            eprintln!("klpscope: {}", e.in_file(&label));
            2
        }
    }
}
