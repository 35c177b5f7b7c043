//! Plain text for mail: the swim-lane fits 72 columns; a pasted kernel
//! log is checked line by line.

use klpscope_engine::{render, run_text};

fn scenario_files() -> Vec<(String, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for dir in [
        "tests/transcripts",
        "tests/scenarios",
        "tests/semantics/seed-v1",
        "tests/semantics/state-callbacks-2025",
    ] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            out.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn every_swim_lane_fits_72_columns_and_explains_its_abbreviations() {
    let files = scenario_files();
    assert!(files.len() >= 30, "{}", files.len());
    for (name, text) in files {
        let lane = render::timeline(&run_text(&text).unwrap());
        assert!(
            widest(&lane) <= 72,
            "{name}: {} columns\n{lane}",
            widest(&lane)
        );
        for (abbrev, full) in [
            ("preP", "preP pre_patch"),
            ("postP", "postP post_patch"),
            ("preU", "preU pre_unpatch"),
            ("postU", "postU post_unpatch"),
            ("/L", "/L LIVE"),
            ("/C", "/C COMING"),
            ("/G", "/G GOING"),
        ] {
            let body = lane.split("\nlegend: ").next().unwrap();
            if body.contains(abbrev) {
                assert!(
                    lane.contains(full),
                    "{name}: no legend for {abbrev}\n{lane}"
                );
            }
        }
        if lane.contains("test_modules/demo.ko") {
            assert!(
                lane.contains("demo = test_klp_callbacks_demo"),
                "{name}\n{lane}"
            );
        }
    }
}

#[test]
fn a_swim_lane_too_wide_for_lanes_names_the_object_on_each_row() {
    let mut text = String::new();
    let names = [
        "first_rather_long_target",
        "second_rather_long_target",
        "third_rather_long_target",
        "fourth_rather_long_target",
        "fifth_rather_long_target",
    ];
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!("define module {n}\n  func f{i}\nend\n"));
    }
    text.push_str(
        "define livepatch a_livepatch_with_a_long_name\n  object vmlinux\n    pre_patch\n",
    );
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "  object {n}\n    func f{i} -> g{i}\n    pre_patch\n"
        ));
    }
    text.push_str("end\n");
    for n in names {
        text.push_str(&format!("% insmod {n}.ko\n"));
    }
    text.push_str("% insmod a_livepatch_with_a_long_name.ko\n");
    let lane = render::timeline(&run_text(&text).unwrap());
    assert!(widest(&lane) <= 72, "{lane}");
    // Six objects do not fit side by side: each row says whose it is.
    assert!(!lane.starts_with("    vmlinux"), "{lane}");
    assert!(lane.contains("\n    first_rath~: preP/L\n"), "{lane}");
    assert!(
        lane.contains("first_rath~ = first_rather_long_target"),
        "{lane}"
    );
    assert!(
        lane.contains("a_livepatc~ = a_livepatch_with_a_long_name"),
        "{lane}"
    );
}
