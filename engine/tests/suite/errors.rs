//! Malformed and hostile input: one clear error with line, column and hint.

use klpscope_engine::{parse, run_text, share};

fn err(text: &str) -> String {
    parse(text).expect_err("must not parse").to_string()
}

#[test]
fn unknown_command_points_at_it_with_a_suggestion() {
    let e = err("# x\n% insmodd test_modules/test_klp_callbacks_mod.ko\n");
    assert!(
        e.starts_with("line 2, col 3: unknown command 'insmodd'"),
        "{e}"
    );
    assert!(e.contains("did you mean 'insmod'?"), "{e}");
}

#[test]
fn unknown_module_suggests_the_closest_name() {
    let e = err("% insmod test_modules/test_klp_callbacks_dem.ko\n");
    assert!(
        e.starts_with("line 1, col 23: unknown module 'test_klp_callbacks_dem'"),
        "{e}"
    );
    assert!(e.contains("did you mean 'test_klp_callbacks_demo'?"), "{e}");
}

#[test]
fn a_path_outside_the_model_is_refused() {
    let e = err("% echo 1 > /proc/sys/kernel/ftrace_enabled\n");
    assert!(
        e.starts_with(
            "line 1, col 12: '/proc/sys/kernel/ftrace_enabled' is not a file klpscope models"
        ),
        "{e}"
    );
    let e = err("% echo 1 > /sys/kernel/livepatch/p/vmlinux/patched\n");
    assert!(e.contains("hint:"), "{e}");
}

#[test]
fn insmod_needs_a_ko_file() {
    let e = err("% insmod test_klp_callbacks_mod\n");
    assert!(e.contains("bad argument 'test_klp_callbacks_mod'"), "{e}");
}

#[test]
fn missing_arguments_are_named() {
    assert!(err("% rmmod\n").contains("missing module name"));
    assert!(err("% echo 1\n").contains("missing '> PATH'"));
    assert!(err("%insmod x.ko\n").contains("space after '%'"));
}

#[test]
fn declarations_are_checked() {
    let e = err("define livepatch p\n  object vmlinux\n    pre_patch returns banana\nend\n");
    assert!(
        e.starts_with("line 3, col 23: cannot read declaration: bad return value"),
        "{e}"
    );
    let e = err("define module m\n  func f\n");
    assert!(e.contains("has no matching 'end'"), "{e}");
    let e = err("define livepatch p\n  post_patch\nend\n");
    assert!(e.contains("callback outside an object"), "{e}");
    let e = err("define livepatch p\n  object vmlinux\n    post_unpatch returns 0\nend\n");
    assert!(e.contains("only pre_patch returns a value"), "{e}");
}

#[test]
fn out_of_range_values_fail_like_the_kernel() {
    let r =
        run_text("% insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=99999999999\n")
            .unwrap();
    let log = klpscope_engine::render::log(&r);
    assert!(
        log.contains(
            "test_klp_callbacks_demo: `99999999999' invalid for parameter `pre_patch_ret'"
        ),
        "{log}"
    );
    assert!(log.contains("could not insert module test_modules/test_klp_callbacks_demo.ko: Numerical result out of range"), "{log}");
    let r = run_text("% insmod test_modules/test_klp_callbacks_demo.ko\n% echo maybe > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled\n").unwrap();
    assert!(
        klpscope_engine::render::log(&r).ends_with("-bash: echo: write error: Invalid argument\n")
    );
}

#[test]
fn share_links_round_trip_and_reject_garbage() {
    let text =
        "define module m\n  func f\nend\n% insmod m.ko\n% echo 0 > /sys/module/m/parameters/x\n";
    let frag = share::encode(text);
    assert!(!frag.contains(' ') && !frag.contains('\n'), "{frag}");
    let back = share::decode(&frag).unwrap();
    assert_eq!(parse(&back).unwrap().steps, parse(text).unwrap().steps);
    assert!(share::decode("s=%zz").is_err());
    assert!(share::decode("nonsense").is_err());
}

#[test]
fn a_misspelt_declaration_line_gets_the_closest_keyword() {
    let e = err("define livepatch p\n  object vmlinux\n    pre_ptach\nend\n");
    assert!(
        e.starts_with("line 3, col 5: cannot read declaration: unknown line 'pre_ptach'"),
        "{e}"
    );
    assert!(e.contains("did you mean 'pre_patch'?"), "{e}");
    let e = err("define livepatch p\n  objcet vmlinux\nend\n");
    assert!(e.contains("did you mean 'object'?"), "{e}");
    let e = err("define module m\n  tsak w sleeps in f\nend\n");
    assert!(e.contains("did you mean 'task'?"), "{e}");
    let e = err("define livepatch p\n  object vmlinux\n    post_patch sest x\nend\n");
    assert!(e.contains("unknown clause 'sest'"), "{e}");
    assert!(e.contains("did you mean 'sets'?"), "{e}");
    let e = err("define livepach p\nend\n");
    assert!(e.contains("did you mean 'define livepatch'?"), "{e}");
    // A line of the other kind of block says where it belongs.
    let e = err("define module m\n  object vmlinux\nend\n");
    assert!(e.contains("belongs in a 'define livepatch'"), "{e}");
}

#[test]
fn a_missing_end_is_reported_at_the_define_it_leaves_open() {
    // The block runs into a command: the error is the missing 'end', at the
    // 'define' line, not an unknown declaration line at the command.
    let text = "# mine\ndefine livepatch p\n  object vmlinux\n    pre_patch\n% insmod p.ko\n";
    let e = err(text);
    assert!(
        e.starts_with("line 2, col 1: missing 'end': 'define livepatch p' has no matching 'end'"),
        "{e}"
    );
    assert!(e.contains("before line 5"), "{e}");
    // ... or into the next block.
    let e = err("define module m\n  func f\ndefine livepatch p\n  object m\nend\n");
    assert!(e.starts_with("line 1, col 1: missing 'end'"), "{e}");
    assert!(e.contains("'define module m'"), "{e}");
    // ... or into the end of the text.
    let e = err("% insmod test_modules/test_klp_callbacks_mod.ko\ndefine module m\n  func f\n");
    assert!(e.starts_with("line 2, col 1: missing 'end'"), "{e}");
}

#[test]
fn an_object_for_an_absent_module_is_legal_and_a_near_miss_is_a_warning() {
    // klp_init_object() looks a module up only when it is loaded: a patch
    // may carry objects for modules that never load, and the kernel accepts it.
    let sc = parse("define livepatch p\n  object test_klp_callbacks_mdo\n    pre_patch\nend\n")
        .expect("the kernel accepts an object for an absent module");
    let w = sc
        .warnings
        .first()
        .expect("a near miss is warned about")
        .to_string();
    assert!(
        w.starts_with(
            "line 2, col 10: object 'test_klp_callbacks_mdo' names no module this scenario knows"
        ),
        "{w}"
    );
    assert!(w.contains("did you mean 'test_klp_callbacks_mod'?"), "{w}");
    // A name close to nothing is simply accepted.
    let sc = parse("define livepatch p\n  object zzz\nend\n").expect("accepted");
    assert!(sc.warnings.is_empty(), "{:?}", sc.warnings);
    // A module declared in the scenario (before or after) and a built-in one are fine.
    for text in [
        "define module m\n  func f\nend\ndefine livepatch p\n  object m\n    func f\nend\n",
        "define livepatch p\n  object m\n    func f\nend\ndefine module m\n  func f\nend\n",
        "define livepatch p\n  object test_klp_callbacks_mod\n    pre_patch\nend\n",
    ] {
        let sc = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(sc.warnings.is_empty(), "{text}");
    }
}

#[test]
fn rmmod_takes_a_module_file_as_kmod_does() {
    for (text, name) in [
        (
            "% rmmod samples/livepatch/livepatch-sample.ko\n",
            "livepatch_sample",
        ),
        (
            "% rmmod test_klp_callbacks_mod.ko\n",
            "test_klp_callbacks_mod",
        ),
        ("% rmmod livepatch-sample\n", "livepatch_sample"),
    ] {
        let sc = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(sc.steps[0].command.to_string(), format!("rmmod {name}"));
    }
    assert!(err("% rmmod dir/\n").contains("bad argument 'dir/'"));
}

#[test]
fn quoted_user_input_is_cut_short() {
    let long = "x".repeat(500);
    let e = err(&format!("% {long}\n"));
    assert!(e.len() < 200, "{e}");
    assert!(
        e.contains(&format!("unknown command '{}…'", "x".repeat(48))),
        "{e}"
    );
}

#[test]
fn declaration_additions_are_checked_where_written() {
    let e = err("define module t\n  func f\n  task w sleeps in f\n  init returns -EINVAL\nend\n");
    assert!(e.starts_with("line 4, col 3: "), "{e}");
    assert!(e.contains("starts no task"), "{e}");
    assert!(e.contains("started by param"), "{e}");
    let e = err("define module t\n  func f\n  task w sleeps in f started by param go\nend\n");
    assert!(e.starts_with("line 3, col 39: "), "{e}");
    assert!(e.contains("no such bool param"), "{e}");
    let e = err("define livepatch p\n  object vmlinux\n    func f -> g naps\nend\n");
    assert!(e.contains("unknown replacement behaviour 'naps'"), "{e}");
    let e = err("define module t\n  init returns 0\nend\n");
    assert!(e.contains("bad return value"), "{e}");
}
