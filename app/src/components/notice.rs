//! Notices about the link the page was opened with: what in it could not
//! be used, and what is shown instead. A mangled link still opens the site
//! ([`crate::route::Route::parse`] skips what it cannot read), but the
//! reader is told, rather than left wondering why the first chapter and an
//! empty explorer show: [`crate::App`] shows them where the explorer shows
//! errors, until the next command that parses.

use crate::chapters;
use crate::route::{self, Route};

/// The longest piece of the link a notice quotes.
const QUOTE: usize = 40;

/// What a fragment asks for that cannot be shown, one sentence each:
/// what was wrong, and what is shown instead.
pub fn problems(fragment: &str, route: &Route) -> Vec<String> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let mut out = Vec::new();
    for (key, value, _) in route::pairs(fragment) {
        match key {
            "doc" => {
                let (chapter, heading) = match value.split_once('/') {
                    Some((c, h)) => (c, Some(h)),
                    None => (value, None),
                };
                match chapters::find(chapter) {
                    None => out.push(format!(
                        "This link names a chapter '{}' that does not exist; showing the first chapter.",
                        quote(chapter)
                    )),
                    Some(i) => {
                        if let Some(h) = heading
                            && chapters::heading(chapter, h).is_none()
                        {
                            out.push(format!(
                                "The chapter \u{201c}{}\u{201d} has no section '{}'; showing the top of the chapter.",
                                chapters::CHAPTERS[i].title,
                                quote(h)
                            ));
                        }
                    }
                }
            }
            "quiz"
                if route
                    .quiz
                    .as_deref()
                    .and_then(chapters::find_quiz)
                    .is_none() =>
            {
                out.push(format!(
                    "This link names an exercise '{}' that does not exist; showing the exercises.",
                    quote(value)
                ))
            }
            "s" | "s1" => {
                if let Some(e) = &route.link_error {
                    // The error's first line; its hint is for link writers.
                    let e = e.lines().next().unwrap_or_default();
                    out.push(format!(
                        "The scenario in this link could not be decoded ({e}); the explorer starts empty."
                    ));
                }
            }
            "at" if value.parse::<usize>().is_err() => out.push(format!(
                "The step 'at={}' in this link is not a number; showing every step.",
                quote(value)
            )),
            "ev" if value
                .split_once('.')
                .and_then(|(s, e)| Some((s.parse::<usize>().ok()?, e.parse::<usize>().ok()?)))
                .is_none() =>
            {
                out.push(format!(
                    "The event 'ev={}' in this link is not STEP.EVENT; no event is selected.",
                    quote(value)
                ))
            }
            _ => {}
        }
    }
    out
}

fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(fragment: &str) -> Vec<String> {
        super::problems(fragment, &Route::parse(fragment))
    }

    #[test]
    fn a_good_link_has_no_problem() {
        assert!(problems("#doc=callbacks&at=1&ev=2.3").is_empty());
        assert!(problems("").is_empty());
        assert!(problems(&crate::route::Route::default().format()).is_empty());
    }

    #[test]
    fn each_unusable_part_is_named_with_what_is_shown_instead() {
        let p = problems("#doc=no-such-chapter");
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("'no-such-chapter'") && p[0].contains("first chapter"),
            "{p:?}"
        );
        let p = problems("#doc=callbacks/no-such-section");
        assert!(p[0].contains("no section 'no-such-section'"), "{p:?}");
        let p = problems("#s=%zz");
        assert!(p[0].contains("could not be decoded"), "{p:?}");
        assert!(p[0].contains("explorer starts empty"), "{p:?}");
        let p = problems("#quiz=no-such-exercise");
        assert!(
            p[0].contains("exercise 'no-such-exercise'") && p[0].contains("showing the exercises"),
            "{p:?}"
        );
        assert!(problems("#quiz=enable-no-target").is_empty());
        let p = problems(&format!("#doc={}", "x".repeat(300)));
        assert!(p[0].len() < 200, "{p:?}");
    }
}
