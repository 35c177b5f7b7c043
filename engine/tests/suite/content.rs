//! Every ```klpscope block in content/*.md parses and runs; a block that
//! states output lines is checked like a golden transcript.

use klpscope_engine::check::check_text;
use std::path::Path;

/// The bodies of the fenced `klpscope` blocks of a Markdown text.
fn klpscope_blocks(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in md.lines().enumerate() {
        match &mut current {
            // The tag is the first word of the info string, as the book reads
            // it: ```klpscope-quiz blocks are exercises (suite/quiz.rs).
            None if line
                .trim_start()
                .strip_prefix("```")
                .and_then(|i| i.split_whitespace().next())
                == Some("klpscope") =>
            {
                current = Some((i + 2, String::new()))
            }
            Some(_) if line.trim_start().starts_with("```") => out.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn content_scenario_blocks_run_and_match() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!("{} is missing", dir.display());
    };
    let mut failures = Vec::new();
    let mut blocks = 0;
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let md = std::fs::read_to_string(&path).expect("readable");
        for (line, body) in klpscope_blocks(&md) {
            blocks += 1;
            let name = format!("{}:{line}", path.display());
            // A block of commands only is run; one that states output is checked.
            let states_output = match klpscope_engine::parse(&body) {
                Ok(s) => !s.preamble.is_empty() || s.steps.iter().any(|st| !st.expected.is_empty()),
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            if !states_output {
                klpscope_engine::run_text(&body).expect("parsed above");
                continue;
            }
            match check_text(&name, &body) {
                Ok(r) if r.passed => {}
                Ok(r) => failures.push(r.diff),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    assert!(blocks > 0, "content/ has no klpscope blocks");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn block_extraction_finds_bodies() {
    let md = "text\n```klpscope\n% rmmod x\n```\n```rust\nfn x() {}\n```\n";
    assert_eq!(klpscope_blocks(md), vec![(3, "% rmmod x\n".to_string())]);
}

#[test]
fn the_scenario_language_declaration_example_runs() {
    let chapter = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/14-scenario-language.md");
    let readme = std::fs::read_to_string(chapter).unwrap();
    let start = readme
        .find("define module my_target")
        .expect("the chapter has the example");
    let end = start + readme[start..].find("```").unwrap();
    let run = klpscope_engine::run_text(&readme[start..end]).unwrap_or_else(|e| panic!("{e}"));
    let log = klpscope_engine::render::log(&run);
    assert!(
        log.contains("my_fix: pre_patch_callback: my_target -> [MODULE_STATE_LIVE] Normal state"),
        "{log}"
    );
}

#[test]
fn the_situation_table_in_the_docs_is_the_computed_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/05-situations.md");
    let md = std::fs::read_to_string(&path).unwrap();
    let begin = md.find("<!-- klpscope table: begin").expect("begin marker");
    let body_start = begin + md[begin..].find("-->\n").expect("end of the begin marker") + 4;
    let end = md.find("<!-- klpscope table: end -->").expect("end marker");
    let computed = klpscope_engine::table::markdown(&klpscope_engine::table::situation_table());
    assert!(
        md[body_start..end] == computed,
        "{} is out of date: replace the table with the output of `klpscope table --format markdown`",
        path.display()
    );
}

/// The chapters `content/SUMMARY` lists, as (slug, Markdown).
fn summary_chapters() -> Vec<(String, String)> {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let book = klpscope_engine::book::Book::load(&content).unwrap_or_else(|e| panic!("{e}"));
    book.chapters
        .into_iter()
        .map(|c| (c.slug, c.source))
        .collect()
}

#[test]
fn every_chapter_has_a_scenario_block() {
    let without: Vec<String> = summary_chapters()
        .into_iter()
        .filter(|(_, md)| klpscope_blocks(md).is_empty())
        .map(|(slug, _)| slug)
        .collect();
    assert!(
        without.is_empty(),
        "chapters without a ```klpscope block: {}",
        without.join(", ")
    );
}

#[test]
fn a_wrong_expected_line_in_a_real_block_fails_and_the_diff_names_it() {
    // The first block of the documentation that states output.
    let (name, body) = summary_chapters()
        .into_iter()
        .flat_map(|(slug, md)| {
            klpscope_blocks(&md)
                .into_iter()
                .map(move |(line, body)| (format!("{slug}:{line}"), body))
        })
        .find(|(_, body)| {
            klpscope_engine::parse(body)
                .is_ok_and(|s| s.steps.iter().any(|st| !st.expected.is_empty()))
        })
        .expect("a klpscope block with expected output in content/");
    assert!(
        check_text(&name, &body).expect("parses").passed,
        "{name} passes as written"
    );
    let lines: Vec<&str> = body.lines().collect();
    let scenario = klpscope_engine::parse(&body).expect("parses");
    let step = scenario
        .steps
        .iter()
        .find(|st| !st.expected.is_empty())
        .expect("a step with output");
    // The first expected line after the step's command line (1-based).
    let target = (step.line..lines.len())
        .find(|&i| lines[i] == step.expected[0])
        .expect("the expected line in the block");
    let wrong = format!("{} (not what the kernel prints)", lines[target]);
    let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    changed[target] = wrong.clone();
    let text = changed.join("\n") + "\n";
    let r = check_text(&name, &text).expect("still parses");
    assert!(!r.passed, "{name}: a changed expected line must fail");
    assert!(r.diff.contains(&format!("-{wrong}")), "{}", r.diff);
    assert!(
        r.diff.contains(&format!("+{}", lines[target])),
        "{}",
        r.diff
    );
}

/// The text between `<!-- klpscope NAME: begin ... -->` and `<!-- klpscope NAME: end -->`.
fn generated_part<'a>(md: &'a str, begin: &str, end: &str) -> &'a str {
    let b = md.find(begin).expect("begin marker");
    let start = b + md[b..].find("-->\n").expect("end of the begin marker") + 4;
    let e = md.find(end).expect("end marker");
    &md[start..e]
}

#[test]
fn the_contracts_chapter_is_the_computed_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/16-contracts.md");
    let md = std::fs::read_to_string(&path).unwrap();
    let part = generated_part(
        &md,
        "<!-- klpscope contracts: begin",
        "<!-- klpscope contracts: end -->",
    );
    let computed =
        klpscope_engine::table::contracts_markdown(&klpscope_engine::table::situation_table());
    assert!(
        part == computed,
        "{} is out of date: replace the part with the output of `klpscope table --format contracts`",
        path.display()
    );
}

#[test]
fn the_kernel_module_chapter_shows_what_kmod_writes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/17-kernel-module.md");
    let md = std::fs::read_to_string(&path).unwrap();
    let (_, block) = klpscope_blocks(&md)
        .into_iter()
        .next()
        .expect("the chapter's scenario");
    let scenario = klpscope_engine::parse(&block).expect("parses");
    let files = klpscope_engine::kmod::modules(&scenario);
    let (_, c) = files
        .iter()
        .find(|(name, _)| name == "fix.c")
        .expect("kmod writes fix.c");
    let part = generated_part(
        &md,
        "<!-- klpscope kmod: fix.c begin",
        "<!-- klpscope kmod: fix.c end -->",
    );
    let shown = part
        .strip_prefix("```c\n")
        .and_then(|p| p.strip_suffix("```\n"))
        .expect("a ```c block between the markers");
    assert!(
        shown == c,
        "{} is out of date: put the fix.c of `klpscope kmod` between the markers",
        path.display()
    );
    for needle in [
        ".callbacks = {",
        "klp_enable_patch(&patch)",
        "MODULE_INFO(livepatch, \"Y\");",
    ] {
        assert!(c.contains(needle), "fix.c lacks {needle}");
    }
}

/// The kernel-module chapter's scenario is also a scenario file, so that
/// `make kernel-test` builds the chapter's C against real kernel headers.
#[test]
fn the_kernel_module_chapter_block_is_a_scenario_file_kernel_test_builds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let md = std::fs::read_to_string(root.join("../content/17-kernel-module.md")).unwrap();
    let (_, block) = klpscope_blocks(&md)
        .into_iter()
        .next()
        .expect("a klpscope block");
    let file =
        std::fs::read_to_string(root.join("tests/scenarios/book-kernel-module.txt")).unwrap();
    let body: String = file
        .lines()
        .filter(|l| !l.starts_with("# "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(body.trim_end(), block.trim_end());
}
