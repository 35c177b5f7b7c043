//! Share links: short, versioned, round-tripping, and safe on any input.

use klpscope_engine::{Scenario, parse, render, run, share};
use proptest::prelude::*;

fn transcripts() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/transcripts");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// What a link must keep: the profile, the commands, the modules and the
/// states' callbacks (comments, expected output and line numbers go).
fn essence(s: &Scenario) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        s.semantics,
        s.kernel,
        s.steps
            .iter()
            .map(|st| st.command.to_string())
            .collect::<Vec<_>>(),
        s.catalog.clone(),
        s.state_callbacks.clone(),
    )
}

#[test]
fn every_selftest_link_is_at_most_100_characters_and_replays_the_same() {
    let all = transcripts();
    assert!(all.len() >= 18);
    for (name, text) in all {
        let link = format!("#{}", share::encode(&text));
        // Harness steps (`# $ ` lines, written out) make a link longer.
        if !text.contains("\n# $ ") {
            assert!(link.len() <= 100, "{name}: {} chars: {link}", link.len());
        }
        assert!(link.starts_with("#s1="), "{name}: {link}");
        let back = share::decode(&link).unwrap();
        let (a, b) = (parse(&text).unwrap(), parse(&back).unwrap());
        assert_eq!(essence(&a), essence(&b), "{name}");
        assert_eq!(render::log(&run(&a)), render::log(&run(&b)), "{name}");
    }
}

#[test]
fn catalog_modules_go_by_alias_and_commands_stay_readable() {
    let text = "% insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y\n\
                % modprobe test_klp_callbacks_demo\n\
                % echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled\n\
                % echo N > /sys/module/test_klp_callbacks_busy/parameters/block_transition\n\
                % sysctl -w kernel.ftrace_enabled=0\n\
                % rmmod test_klp_state2\n\
                % sleep 5\n";
    assert_eq!(
        share::encode(text),
        "s1=i.busy+block_transition=Y,p.demo,demo/enabled=0,busy.block_transition=N,\
         ftrace=0,r.state2,sleep+5"
    );
}

#[test]
fn a_declared_module_keeps_its_name_over_an_alias() {
    // `demo` is declared here, so the catalog's demo must be spelt out.
    let text = "define module demo\n  func f\nend\n\
                % insmod test_modules/demo.ko\n% insmod test_modules/test_klp_callbacks_demo.ko\n";
    let link = share::encode(text);
    assert!(link.contains(",i.demo,i.test_klp_callbacks_demo"), "{link}");
    let back = parse(&share::decode(&link).unwrap()).unwrap();
    assert_eq!(essence(&back), essence(&parse(text).unwrap()));
}

#[test]
fn a_module_named_like_a_token_prefix_is_written_out() {
    // `d.x=1` would read as a declaration block, `z.x=1` as a deflated one.
    for m in ["d", "z", "i", "r", "p"] {
        let text = format!(
            "define module {m}\n  param x int\nend\n% insmod {m}.ko\n% echo 1 > /sys/module/{m}/parameters/x\n"
        );
        let back = parse(&share::decode(&share::encode(&text)).unwrap()).unwrap();
        assert_eq!(essence(&back), essence(&parse(&text).unwrap()), "{m}");
    }
}

#[test]
fn the_profile_travels_in_the_link() {
    let text = "# semantics: seed-v1\n% insmod test_modules/test_klp_callbacks_demo.ko\n";
    let link = share::encode(text);
    assert_eq!(link, "s1=@seed-v1,i.demo");
    let back = parse(&share::decode(&link).unwrap()).unwrap();
    assert_eq!(back.semantics, Some(klpscope_engine::Semantics::SeedV1));
    let err = share::decode("s1=@v9,i.demo").unwrap_err().to_string();
    assert!(
        err.contains("'v9'") && err.contains("unknown semantics profile"),
        "{err}"
    );
}

#[test]
fn define_blocks_are_deflated_when_that_is_shorter() {
    let text = "define livepatch fix\n  replace                 # atomic replace\n  object vmlinux\n    \
                pre_patch prints \"setting up the # of things\"\n    post_unpatch prints \"tearing down\"\nend\n\
                define module tgt\n  func f\n  init prints \"tgt loaded\"\nend\n\
                define module tgt2\n  func f\n  init prints \"tgt2 loaded\"\nend\n\
                % insmod tgt.ko\n% insmod fix.ko\n% echo 0 > /sys/kernel/livepatch/fix/enabled\n";
    let link = share::encode(text);
    assert!(link.starts_with("s1=z."), "{link}");
    let written_out = share::encode_v0(text);
    assert!(link.len() < written_out.len(), "{link}\n{written_out}");
    let back = share::decode(&link).unwrap();
    // The quoted '#' is text, the trailing comment is gone.
    assert!(back.contains("\"setting up the # of things\""), "{back}");
    assert!(!back.contains("atomic replace"), "{back}");
    let (a, b) = (parse(text).unwrap(), parse(&back).unwrap());
    assert_eq!(essence(&a), essence(&b));
    assert_eq!(render::log(&run(&a)), render::log(&run(&b)));
}

#[test]
fn links_made_with_the_first_form_still_open() {
    // What `klpscope link` printed for 09-busy-target-module.txt before
    // the `s1=` form: it must keep replaying the same transcript.
    let old = "#s=insmod+test_modules/test_klp_callbacks_busy.ko+block_transition=Y!\
               insmod+test_modules/test_klp_callbacks_demo.ko!insmod+test_modules/test_klp_callbacks_mod.ko!\
               rmmod+test_klp_callbacks_mod!echo+0+%3E+/sys/kernel/livepatch/test_klp_callbacks_demo/enabled!\
               rmmod+test_klp_callbacks_demo!rmmod+test_klp_callbacks_busy";
    let text = share::decode(old).unwrap();
    let file = transcripts()
        .into_iter()
        .find(|(n, _)| n.starts_with("09-"))
        .unwrap()
        .1;
    assert_eq!(
        render::log(&run(&parse(&text).unwrap())),
        render::log(&run(&parse(&file).unwrap()))
    );
    // With declarations, as the first form wrote them.
    let old = "s=%3Edefine+module+m!%3E++func+f!%3Eend!insmod+m.ko";
    let text = share::decode(old).unwrap();
    assert_eq!(text, "define module m\n  func f\nend\n% insmod m.ko\n");
    assert_eq!(share::encode_v0(&text), old);
}

#[test]
fn a_link_is_found_in_a_url_beside_other_parts() {
    let url = "https://example.org/klpscope/#doc=callbacks/when&at=2&ev=1.3&s1=i.mod,r.mod&embed";
    assert_eq!(
        share::decode(url).unwrap(),
        "% insmod test_modules/test_klp_callbacks_mod.ko\n% rmmod test_klp_callbacks_mod\n"
    );
}

#[test]
fn bad_links_are_errors_that_say_where_and_how() {
    // Columns count in the scenario part, from its `s1=`.
    let e = share::decode("#s1=i.demo,no_such_token").unwrap_err();
    assert_eq!((e.line, e.col), (1, 11), "{e}");
    assert!(e.to_string().contains("hint"), "{e}");
    // A broken `z.` block says which stage failed, at the block's column.
    let e = share::decode("s1=i.mod,z.AB!C").unwrap_err();
    assert_eq!((e.line, e.col), (1, 10), "{e}");
    let e = e.to_string();
    assert!(e.contains("not base64url: '!' at its character 3"), "{e}");
    let e = share::decode("s1=z.AAAAA").unwrap_err().to_string();
    assert!(e.contains("does not decode as base64url"), "{e}");
    let e = share::decode("s1=z.AAAA").unwrap_err().to_string();
    assert!(e.contains("does not inflate"), "{e}");
    let e = share::decode("s1=z.AAAA").unwrap_err().in_file("<link>");
    assert!(e.starts_with("<link>:1:4: bad link: "), "{e}");
    let e = share::decode("#doc=intro").unwrap_err().to_string();
    assert!(e.contains("s1="), "{e}");
    let huge = format!("s1={}", "r.mod,".repeat(20_000));
    let e = share::decode(&huge).unwrap_err().to_string();
    assert!(e.contains("over the limit of 64 KiB (65536 bytes)"), "{e}");
    // A bomb: a link of 12 KiB that inflates past 1 MiB; it is refused.
    let bomb = miniz_oxide_free_bomb();
    let e = share::decode(&format!("s1=z.{bomb}"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("inflates to more than the limit of 64 KiB"),
        "{e}"
    );
}

/// A `z.` body that inflates to a little over 1 MiB.
fn miniz_oxide_free_bomb() -> String {
    let text = format!("define module {}\nend\n", "a".repeat(1 << 20));
    let deflated = share::deflate_text(&text);
    assert!(
        deflated.len() < share::MAX_FRAGMENT / 4,
        "{}",
        deflated.len()
    );
    deflated
}

#[test]
fn base64url_round_trips() {
    for n in 0..40 {
        let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
        let s = share::base64url_encode(&data);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(share::base64url_decode(&s), Some(data));
    }
    assert_eq!(share::base64url_decode("A"), None);
    assert_eq!(share::base64url_decode("AB+/"), None);
}

// --- random scenarios, with declarations -------------------------------

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,8}",
        // Names that are also aliases of catalog modules.
        Just("demo".to_string()),
        Just("mod".to_string()),
        Just("state2".to_string()),
    ]
}

fn words() -> impl Strategy<Value = String> {
    // Printable, no double quote; '#', '&', '<', '%', '+' and ',' included.
    "[ !#-~]{0,14}"
}

fn defines() -> impl Strategy<Value = (String, String, String)> {
    (
        name(),
        name(),
        words(),
        words(),
        any::<bool>(),
        0..3usize,
        "[ ]{0,4}",
    )
        .prop_filter("two names", |t| t.0 != t.1)
        .prop_map(|(tgt, fix, s1, s2, replace, ret, indent)| {
            let ret = ["0", "-19", "param ret"][ret];
            let replace = if replace { "  replace\n" } else { "" };
            let text = format!(
                "define module {tgt}\n{indent}func f   # the function\n  param stuck bool = Y\n  \
                 task worker sleeps in f while stuck\n  init prints \"{s1}\"\nend\n\n\
                 # between blocks\ndefine livepatch {fix}\n{replace}  param ret int\n  object vmlinux\n    \
                 pre_patch returns {ret} prints \"{s2}\"\n  object {tgt}\n{indent}# inside\n    func f -> f_v2\n    \
                 post_unpatch frees \"{s1}\"\nend\n"
            );
            (text, tgt, fix)
        })
}

fn commands(tgt: String, fix: String) -> impl Strategy<Value = Vec<String>> {
    let c = prop_oneof![
        Just(format!("insmod {tgt}.ko")),
        Just(format!("insmod test_modules/{tgt}.ko stuck=N")),
        Just(format!("insmod test_modules/{fix}.ko ret=-12")),
        Just(format!("modprobe {fix}")),
        Just(format!("rmmod {tgt}")),
        Just(format!("rmmod {fix}")),
        Just(format!("echo 0 > /sys/kernel/livepatch/{fix}/enabled")),
        Just(format!("echo 1 > /sys/kernel/livepatch/{fix}/force")),
        Just(format!("echo N > /sys/module/{tgt}/parameters/stuck")),
        Just("insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19".to_string()),
        Just("insmod test_modules/test_klp_callbacks_mod.ko".to_string()),
        Just("insmod other/test_klp_callbacks_busy.ko block_transition=Y".to_string()),
        Just("modprobe test_klp_callbacks_busy sleep_secs=3".to_string()),
        Just("rmmod test_klp_callbacks_demo".to_string()),
        Just("echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled".to_string()),
        Just("sysctl -w kernel.ftrace_enabled=0".to_string()),
        Just("sleep 2".to_string()),
        "[a-z=,.+%&<>0-9-]{1,8}".prop_map(|v| format!(
            "echo {v} > /sys/module/test_klp_callbacks_demo/parameters/pre_patch_ret"
        )),
    ];
    prop::collection::vec(c, 0..10)
}

fn scenario_text() -> impl Strategy<Value = String> {
    (defines(), 0..4usize, any::<bool>()).prop_flat_map(|((defs, tgt, fix), sem, split)| {
        commands(tgt, fix).prop_map(move |cmds| {
            let header =
                ["", "# semantics: upstream\n", "# semantics: seed-v1\n"][sem.min(2)].to_string();
            let mut text = header;
            let (a, b) = defs.split_at(defs.find("# between").unwrap_or(0));
            text.push_str(a);
            // Sometimes a command sits between the two blocks.
            if split {
                text.push_str("% insmod test_modules/test_klp_callbacks_mod.ko\nexpected output\n");
            }
            text.push_str(b);
            for c in &cmds {
                text.push_str(&format!("% {c}\nsome expected line\n"));
            }
            text
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scenario_to_link_to_scenario_is_the_identity(text in scenario_text()) {
        let original = parse(&text);
        prop_assume!(original.is_ok());
        let original = original.unwrap();
        let link = share::encode(&text);
        prop_assert!(link.starts_with("s1="), "{}", link);
        prop_assert!(link.bytes().all(|b| b.is_ascii_graphic() && b != b'#' && b != b'&'), "{}", link);
        let back = share::decode(&format!("#{link}")).unwrap();
        let decoded = parse(&back).unwrap();
        prop_assert_eq!(essence(&decoded), essence(&original));
        prop_assert_eq!(render::log(&run(&decoded)), render::log(&run(&original)));
        // Encoding is stable: a decoded link encodes to itself.
        prop_assert_eq!(share::encode(&back), link);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let input = String::from_utf8_lossy(&bytes);
        for prefix in ["", "#s=", "#s1=", "s1=z.", "s1=d.", "x#doc=a&s1="] {
            if let Ok(text) = share::decode(&format!("{prefix}{input}")) {
                let _ = parse(&text);
            }
        }
    }

    #[test]
    fn decoding_arbitrary_tokens_never_panics(
        tokens in prop::collection::vec("[@a-z0-9=./+%~:!_-]{0,12}", 0..8),
        b64 in "[A-Za-z0-9_-]{0,64}",
    ) {
        let body = format!("s1={},z.{b64}", tokens.join(","));
        if let Ok(text) = share::decode(&body) {
            let _ = parse(&text);
        }
    }
}

/// A link keeps the kernel: `# kernel: 5.4` is `@5.4`, after the profile.
#[test]
fn a_link_keeps_the_kernel() {
    let text =
        "# semantics: upstream\n# kernel: 5.4\n% insmod test_modules/test_klp_callbacks_demo.ko\n";
    let link = share::encode(text);
    assert_eq!(link, "s1=@upstream,@5.4,i.demo");
    let back = parse(&share::decode(&link).unwrap()).unwrap();
    assert_eq!(back.kernel, Some(klpscope_engine::KernelVersion::v(5, 4)));
    assert_eq!(back.semantics, Some(klpscope_engine::Semantics::Upstream));
    let e = share::decode("s1=@4.1,i.demo").unwrap_err().to_string();
    assert!(e.contains("v4.15"), "{e}");
}
