//! An exercise as a form answers it: the exercise and the choices its
//! selects offer, in the plain text the site's chapter file carries.

use super::Exercise;
use crate::catalog::ModuleBody;
use crate::command::Command;
use crate::scenario;

/// An exercise with what a form offers for its answer: the livepatches
/// the scenario loads and the objects they patch. `klpscope book` writes
/// it into the site's chapter file ([`Form::encode`]); the site reads it
/// back ([`Form::decode`]) without the Markdown block parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// The exercise.
    pub exercise: Exercise,
    /// The livepatch modules the scenario (with its command) loads, in the
    /// order it first loads them.
    pub patches: Vec<String>,
    /// `vmlinux`, then every module object of those patches, in patch and
    /// `objs[]` order (a module patched twice is listed once).
    pub objects: Vec<String>,
}

/// The lines before the scenario in [`Form::encode`].
const FIELDS: usize = 9;

impl Form {
    /// The exercise's form: its choices read from the scenario's catalog
    /// (built-in modules and its own `define` blocks). A scenario that does
    /// not parse offers `vmlinux` alone.
    pub fn new(exercise: Exercise) -> Form {
        let mut patches: Vec<String> = Vec::new();
        let mut objects = vec!["vmlinux".to_string()];
        if let Ok(sc) = scenario::parse(&exercise.scenario_text()) {
            for step in &sc.steps {
                let Command::Load { module, .. } = &step.command else {
                    continue;
                };
                let Some(def) = sc.catalog.resolve(module, &[], false) else {
                    continue;
                };
                let ModuleBody::Livepatch(p) = &def.body else {
                    continue;
                };
                if !patches.contains(module) {
                    patches.push(module.clone());
                }
                for o in &p.objs {
                    let name = o.display_name();
                    if !objects.iter().any(|x| x == name) {
                        objects.push(name.to_string());
                    }
                }
            }
        }
        Form {
            exercise,
            patches,
            objects,
        }
    }

    /// One line each: id, title, skill, ask, hint, docs, the command, the
    /// patches and the objects (space-separated); then the scenario so far
    /// as it is. An absent field is an empty line.
    pub fn encode(&self) -> String {
        let ex = &self.exercise;
        let one = |s: &str| s.replace(['\n', '\r'], " ");
        let lines = [
            one(&ex.id),
            one(&ex.title),
            one(&ex.skill),
            one(ex.ask.as_deref().unwrap_or("")),
            one(ex.hint.as_deref().unwrap_or("")),
            one(ex.docs.as_deref().unwrap_or("")),
            one(&ex.command),
            self.patches.join(" "),
            self.objects.join(" "),
        ];
        let mut out = lines.join("\n");
        out.push('\n');
        out.push_str(&ex.prefix);
        out
    }

    /// Reads [`Form::encode`]'s text. Never fails: missing lines read as
    /// empty fields (and [`super::expected`] reports an empty command).
    pub fn decode(text: &str) -> Form {
        let mut parts = text.splitn(FIELDS + 1, '\n');
        let mut field = || parts.next().unwrap_or("").to_string();
        let [id, title, skill, ask, hint, docs, command, patches, objects] =
            std::array::from_fn(|_| field());
        let prefix = field();
        let some = |s: String| Some(s).filter(|s| !s.is_empty());
        let words = |s: String| s.split_whitespace().map(str::to_string).collect();
        let prefix_lines: Vec<usize> = (1..=prefix.lines().count()).collect();
        Form {
            exercise: Exercise {
                id,
                title,
                skill,
                ask: some(ask),
                prefix,
                command,
                hint: some(hint),
                docs: some(docs),
                line: 0,
                command_line: prefix_lines.len() + 1,
                prefix_lines,
            },
            patches: words(patches),
            objects: words(objects),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::{grade, parse_answer, parse_quiz_blocks};

    #[test]
    fn a_form_offers_the_loaded_patches_and_their_objects_and_reads_back() {
        let md = "```klpscope-quiz\n\
                  title: Replace\n\
                  skill: s\n\
                  hint: a hint\n\
                  % insmod test_modules/test_klp_callbacks_mod.ko\n\
                  % insmod test_modules/test_klp_callbacks_demo.ko\n\
                  next: % insmod test_modules/test_klp_callbacks_demo2.ko replace=1\n\
                  docs: #doc=several-patches/atomic-replace\n\
                  ```\n";
        let ex = parse_quiz_blocks(md).unwrap().remove(0);
        let form = Form::new(ex.clone());
        assert_eq!(
            form.patches,
            ["test_klp_callbacks_demo", "test_klp_callbacks_demo2"]
        );
        assert_eq!(
            form.objects,
            [
                "vmlinux",
                "test_klp_callbacks_mod",
                "test_klp_callbacks_busy"
            ]
        );
        let back = Form::decode(&form.encode());
        assert_eq!(back.patches, form.patches);
        assert_eq!(back.objects, form.objects);
        let b = &back.exercise;
        assert_eq!(
            (&b.id, &b.title, &b.hint, &b.docs, &b.prefix, &b.command),
            (
                &ex.id,
                &ex.title,
                &ex.hint,
                &ex.docs,
                &ex.prefix,
                &ex.command
            )
        );
        assert_eq!(b.ask, None);
        // The exercise read back grades as the one parsed from Markdown.
        let answer = parse_answer(
            "test_klp_callbacks_demo2: pre_patch vmlinux\n\
             test_klp_callbacks_demo2: post_patch vmlinux\nconsole: ok\n",
        )
        .unwrap();
        assert_eq!(grade(b, &answer).unwrap(), grade(&ex, &answer).unwrap());
        assert!(grade(b, &answer).unwrap().passed);
        // The answer read off a step run elsewhere (the site's explorer) is
        // the one `expected` reads.
        let run = crate::run_text(&b.scenario_text()).unwrap();
        let step = run.steps.last().unwrap();
        assert_eq!(
            crate::quiz::solution_of(step),
            crate::quiz::expected(b).unwrap()
        );
    }

    #[test]
    fn declared_modules_are_offered_and_garbage_decodes_to_an_ungradable_form() {
        let md = "```klpscope-quiz\ntitle: t\nskill: s\n\
                  define module tgt\n  func f\nend\n\
                  define livepatch fix\n  object tgt\n    func f\n    pre_patch\nend\n\
                  next: % insmod fix.ko\n```\n";
        let form = Form::new(parse_quiz_blocks(md).unwrap().remove(0));
        assert_eq!(form.patches, ["fix"]);
        assert_eq!(form.objects, ["vmlinux", "tgt"]);
        let once = Form::decode(&form.encode());
        assert_eq!(
            (&once.patches, &once.objects),
            (&form.patches, &form.objects)
        );
        assert_eq!(Form::decode(&once.encode()), once);
        let junk = Form::decode("only an id");
        assert_eq!(junk.exercise.id, "only an id");
        assert!(junk.objects.is_empty());
        assert!(grade(&junk.exercise, &Default::default()).is_err());
    }
}
