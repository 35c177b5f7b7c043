//! Links people have already sent must keep opening. `tests/links/` holds
//! links written by earlier builds (`NAME.link`: every `s1=` form, deflated
//! `z.` blocks from the hand-written fixed-code compressor, a readable `d.`
//! block, and the first `s=` form), each with the scenario text it opened
//! to (`NAME.txt`).

use klpscope_engine::share;
use std::path::PathBuf;

fn saved() -> Vec<(String, String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/links");
    let mut links: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "link"))
        .collect();
    links.sort();
    links
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let link = std::fs::read_to_string(&p).unwrap().trim().to_string();
            let text = std::fs::read_to_string(p.with_extension("txt")).unwrap();
            (name, link, text)
        })
        .collect()
}

#[test]
fn every_saved_link_opens_to_the_scenario_it_was_written_for() {
    let saved = saved();
    assert!(saved.len() >= 10, "{} saved links", saved.len());
    assert!(saved.iter().filter(|(_, l, _)| l.contains("z.")).count() >= 6);
    assert!(saved.iter().any(|(_, l, _)| l.contains("d.")));
    assert!(saved.iter().any(|(_, l, _)| l.starts_with("s=")));
    for (name, link, text) in saved {
        let got = share::decode(&link).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, text, "{name}");
    }
}

#[test]
fn a_saved_scenario_written_again_opens_to_the_same_text() {
    for (name, _, text) in saved() {
        let again = share::encode(&text);
        let got = share::decode(&again).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, text, "{name}");
    }
}
