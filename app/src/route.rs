//! The URL fragment: everything that matters lives there, so a reload or a
//! pasted link restores the same view.
//!
//! Format: `#doc=CHAPTER[/HEADING]&quiz=ID&at=N&ev=STEP.EVENT&s1=SCENARIO[&embed]`,
//! every part optional (`quiz` is an exercise, shown in its chapter; `ev`
//! is the selected event, `embed` shows only the scenario, for an iframe).
//! `s1` (or the first form, `s`) is the scenario in the engine's share
//! encoding (profile, commands and declarations), `at` the number of
//! applied steps when it is not "all of them".

use klpscope_engine::share;

/// What a fragment asks for. `None` fields leave the current view alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Route {
    /// Chapter slug.
    pub chapter: Option<String>,
    /// Heading slug inside the chapter.
    pub heading: Option<String>,
    /// The id of an exercise (its chapter is the one that holds it; an id
    /// that is no slug reads as "").
    pub quiz: Option<String>,
    /// Scenario text.
    pub scenario: Option<String>,
    /// Applied steps.
    pub at: Option<usize>,
    /// The selected event: (1-based step, event index).
    pub event: Option<(usize, usize)>,
    /// `&embed`: only the scenario, for an iframe.
    pub embed: bool,
    /// Why the scenario part could not be read, if it could not.
    pub link_error: Option<String>,
}

/// The `key=value` parts of a fragment (without its `#`), each with the
/// whole part: what [`Route::parse`] and the link notices both read.
pub fn pairs(fragment: &str) -> impl Iterator<Item = (&str, &str, &str)> {
    fragment
        .split('&')
        .filter_map(|part| part.split_once('=').map(|(k, v)| (k, v, part)))
}

impl Route {
    /// Reads a fragment (with or without the leading `#`). Unknown or
    /// undecodable parts are ignored: a mangled link still opens the site.
    pub fn parse(fragment: &str) -> Route {
        let mut route = Route::default();
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        route.embed = fragment.split('&').any(|p| p == "embed");
        for (key, value, part) in pairs(fragment) {
            match key {
                "doc" => {
                    let (chapter, heading) = match value.split_once('/') {
                        Some((c, h)) => (c, Some(h)),
                        None => (value, None),
                    };
                    if is_slug(chapter) {
                        route.chapter = Some(chapter.to_string());
                        route.heading = heading.filter(|h| is_slug(h)).map(str::to_string);
                    }
                }
                // An id that cannot be one is kept as "": no exercise has it.
                "quiz" => route.quiz = Some(if is_slug(value) { value } else { "" }.to_string()),
                "at" => route.at = value.parse().ok(),
                "ev" => {
                    route.event = value
                        .split_once('.')
                        .and_then(|(s, e)| Some((s.parse().ok()?, e.parse().ok()?)))
                }
                "s" | "s1" => match share::decode(part) {
                    Ok(text) => route.scenario = Some(text),
                    Err(e) => route.link_error = Some(e.to_string()),
                },
                _ => {}
            }
        }
        route
    }

    /// The fragment for this route, with the leading `#`.
    pub fn format(&self) -> String {
        let mut parts = Vec::new();
        if let Some(chapter) = &self.chapter {
            match &self.heading {
                Some(h) => parts.push(format!("doc={chapter}/{h}")),
                None => parts.push(format!("doc={chapter}")),
            }
        }
        if let Some(q) = &self.quiz {
            parts.push(format!("quiz={q}"));
        }
        if let Some(at) = self.at {
            parts.push(format!("at={at}"));
        }
        if let Some((step, event)) = self.event {
            parts.push(format!("ev={step}.{event}"));
        }
        if let Some(s) = &self.scenario
            && !s.trim().is_empty()
        {
            // The engine's share encoding, which starts with `s=`.
            parts.push(share::encode(s));
        }
        if self.embed {
            parts.push("embed".to_string());
        }
        format!("#{}", parts.join("&"))
    }
}

/// Slugs are what the engine's `slug::slug` produces: safe to
/// put in an id.
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_part() {
        let route = Route {
            chapter: Some("callbacks".into()),
            heading: Some("when-pre_patch-fails".into()),
            quiz: Some("enable-no-target".into()),
            scenario: Some(
                "% insmod test_modules/test_klp_callbacks_mod.ko\n% rmmod test_klp_callbacks_mod\n"
                    .into(),
            ),
            at: Some(1),
            event: Some((2, 7)),
            embed: true,
            link_error: None,
        };
        let back = Route::parse(&route.format());
        assert_eq!(back.chapter, route.chapter);
        assert_eq!(back.heading, route.heading);
        assert_eq!(back.quiz, route.quiz);
        assert_eq!(back.at, route.at);
        assert_eq!(back.event, route.event);
        assert!(back.embed);
        assert_eq!(
            back.scenario.as_deref().map(str::trim_end),
            route.scenario.as_deref().map(str::trim_end)
        );
    }

    #[test]
    fn a_link_that_does_not_decode_says_why() {
        let r = Route::parse("#s1=i.mod,%3Cscript%3E");
        assert_eq!(r.scenario, None);
        let e = r.link_error.expect("an error");
        assert!(e.contains("'<script>'"), "{e}");
        assert!(Route::parse("#s1=i.mod&embed").embed);
    }

    #[test]
    fn ignores_what_it_does_not_understand() {
        let r = Route::parse("#doc=<script>&at=x&zz=1&nokey");
        assert_eq!(r, Route::default());
        assert_eq!(Route::default().format(), "#");
    }

    #[test]
    fn an_exercise_link_names_the_exercise_alone() {
        let r = Route::parse("#quiz=enable-no-target");
        assert_eq!(r.quiz.as_deref(), Some("enable-no-target"));
        assert_eq!(r.chapter, None);
        assert_eq!(r.format(), "#quiz=enable-no-target");
        assert_eq!(Route::parse("#quiz=<b>").quiz.as_deref(), Some(""));
    }
}
