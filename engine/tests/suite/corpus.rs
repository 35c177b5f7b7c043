//! Real kernel logs that other people posted (engine/tests/logs/, verbatim;
//! SOURCES.md says who, when, which kernel): each one reads, none is
//! refused, none is "ok" with nothing compared, and each disagreement is
//! asserted together with its cause.

use klpscope_engine::check::{self, LogCheck};

/// What checking a log must conclude.
enum Expect {
    /// Every compared line agrees (and some line was compared).
    Agrees,
    /// Nothing can be compared; the reason says why.
    Nothing(&'static str),
    /// A plain log whose first difference contains this text.
    Differs(&'static str),
    /// A selftest diff: whether each side agrees with the model, and the
    /// text the first difference of the side that differs contains.
    Diff {
        expected: bool,
        result: bool,
        first: &'static str,
    },
}

use Expect::*;

/// Each log with what it must conclude and why (the cause, from the thread).
const CORPUS: &[(&str, Expect, &str)] = &[
    (
        "001",
        Agrees,
        "v4.15 callbacks.txt test 1, the samples modules",
    ),
    ("002", Agrees, "v4.15 callbacks.txt test 2"),
    ("003", Agrees, "v4.15 callbacks.txt test 3"),
    ("004", Agrees, "v4.15 callbacks.txt test 4"),
    ("005", Agrees, "v4.15 callbacks.txt test 5"),
    (
        "006",
        Differs("canceling transition, going to unpatch"),
        "the v4.15 callbacks.txt session shows 'canceling transition, going to unpatch', which no release printed: klp_cancel_transition() says 'canceling patching transition' from d83a7cb375ee (v4.12) on, in v4.15 too",
    ),
    ("007", Agrees, "v4.15 callbacks.txt test 7"),
    ("008", Agrees, "v4.15 callbacks.txt test 8"),
    (
        "009",
        Agrees,
        "v4.15 callbacks.txt test 9: the busy module stalls the transition",
    ),
    (
        "010",
        Diff {
            expected: true,
            result: false,
            first: "completing patching transition",
        },
        "v5.2's stack trace rework made the unwinder report the busy task's stack reliable, so the transition completed (fixed by 997a55f3fb6d)",
    ),
    (
        "011",
        Diff {
            expected: true,
            result: false,
            first: "completing patching transition",
        },
        "the same report quoted with format=flowed",
    ),
    (
        "012",
        Differs("Device or resource busy"),
        "a perf kprobe held IPMODIFY on the patched function; the session's kprobe is set up by perf, which the model does not run",
    ),
    (
        "013",
        Differs("(missing) livepatch: kernel.ftrace_enabled = 0"),
        "sysctl typed by hand logs nothing (the model's sysctl step is functions.sh's set_ftrace_enabled), and this 2019 kernel let the patch load with ftrace off (refused from v5.5, FTRACE_OPS_FL_PERMANENT)",
    ),
    (
        "014",
        Diff {
            expected: true,
            result: false,
            first: "initializing unpatching transition",
        },
        "stale lines of an earlier run in the result: a harness artefact, not the kernel",
    ),
    (
        "015",
        Nothing("no command found"),
        "vendor debug lines of a transition, no command",
    ),
    (
        "016",
        Diff {
            expected: false,
            result: true,
            first: "Device or resource busy kernel.ftrace_enabled = 0",
        },
        "the harness's expected text joined two sysctl messages; the kernel's side agrees",
    ),
    (
        "017",
        Diff {
            expected: false,
            result: true,
            first: "Device or resource busy kernel.ftrace_enabled = 0",
        },
        "016 quoted three deep",
    ),
    (
        "018",
        Nothing("no command found"),
        "one debug line in prose",
    ),
    ("019", Nothing("no command found"), "an elided TAP diff"),
    (
        "020",
        Nothing("no command found"),
        "journal lines of a timed-out transition",
    ),
    (
        "021",
        Agrees,
        "the callbacks test agrees until the hang the patch under review caused",
    ),
    (
        "022",
        Differs("Module test_klp_livepatch is in use"),
        "an inverted check in the patch under test left the module referenced",
    ),
    (
        "023",
        Nothing("no line of the log"),
        "an oops before 'enabling patch'",
    ),
    (
        "024",
        Nothing("no command found"),
        "kobject debug output of a kpatch load",
    ),
    (
        "025",
        Diff {
            expected: true,
            result: false,
            first: "busymod_work_func enter",
        },
        "the old busy module's work item printed after the next command's line: a race in the selftest module",
    ),
    (
        "026",
        Nothing("no line of the log"),
        "vmlinux.ko refused: no livepatch line",
    ),
    (
        "027",
        Nothing("no command found"),
        "an oops in the retbleed backport",
    ),
    (
        "028",
        Diff {
            expected: true,
            result: false,
            first: "signaling remaining tasks",
        },
        "arm64 without a reliable unwinder (RANDOMIZE_KSTACK_OFFSET): the transition needed signals",
    ),
    (
        "029",
        Nothing("no command found"),
        "timing notes, no command",
    ),
    ("030", Agrees, "three full s390 selftest runs"),
    (
        "031",
        Nothing("no line of the log"),
        "a session with the kpatch tool only",
    ),
    (
        "032",
        Nothing("no command found"),
        "an oops in module relocations",
    ),
    (
        "033",
        Diff {
            expected: true,
            result: false,
            first: "transition: 'test_klp_callbacks_demo'",
        },
        "a misbuilt kernel: transition.c's pr_fmt printed 'transition: ' (KBUILD_MODNAME)",
    ),
    (
        "034",
        Diff {
            expected: true,
            result: true,
            first: "",
        },
        "caller ids without timestamps",
    ),
    (
        "035",
        Nothing("no command found"),
        "a vendor crash after a replace",
    ),
    ("036", Nothing("no command found"), "a lockdep splat"),
    ("037", Nothing("no command found"), "TAP output only"),
    (
        "038",
        Diff {
            expected: true,
            result: false,
            first: "NO_SUP",
        },
        "a SUSE-only NO_SUPPORT taint line upstream never prints",
    ),
    (
        "039",
        Differs("(missing) livepatch: 'livepatch_sample': patching complete"),
        "LoongArch before the fix: unreliable user stacks kept the transition open",
    ),
    ("040", Nothing("no command found"), "kpatch sysfs duplicate"),
    (
        "041",
        Differs("setting key \"kernel.ftrace_enabled\": 设备或资源忙"),
        "the excerpt starts mid-test, so no patch is loaded in the replay; and the locale translated sysctl's message",
    ),
    (
        "042",
        Differs("设备或资源忙"),
        "041 quoted-printable, a soft break inside a UTF-8 sequence",
    ),
    (
        "043",
        Nothing("no command found"),
        "a diff re-flowed past reading: the @@ header joined to the next line",
    ),
    (
        "044",
        Nothing("none of the lines the kernel printed"),
        "a console session without the kernel's lines",
    ),
];

fn logs() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/logs");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn first_difference(c: &LogCheck) -> String {
    c.sides
        .iter()
        .find_map(|s| s.first_difference())
        .map(|(_, t)| t)
        .unwrap_or_default()
}

#[test]
fn every_real_log_reads_with_its_verdict_and_cause() {
    let logs = logs();
    assert_eq!(
        logs.len(),
        CORPUS.len(),
        "a log without an expectation, or the reverse"
    );
    for ((file, text), (id, expect, cause)) in logs.iter().zip(CORPUS) {
        assert!(file.starts_with(id), "{file} vs {id}");
        assert!(
            check::is_pasted_log(text),
            "{file}: read as a scenario file"
        );
        assert!(
            klpscope_engine::log::looks_like_kernel_log(text),
            "{file}: pasted on the site's page, it would not open the log check"
        );
        let c = check::check_log(text).unwrap_or_else(|e| panic!("{file}: refused: {e}"));
        let report = c.render(file);
        let n = c.counts();
        match expect {
            Agrees => {
                assert!(c.passed && n.agree > 0, "{file} ({cause})\n{report}");
            }
            Nothing(why) => {
                assert!(!c.passed, "{file}: ok with nothing compared");
                let got = c.nothing_compared.as_deref().unwrap_or("");
                assert!(got.contains(why), "{file} ({cause}): {got}\n{report}");
            }
            Differs(first) => {
                assert!(
                    !c.passed && c.nothing_compared.is_none(),
                    "{file} ({cause})\n{report}"
                );
                assert!(!c.is_diff(), "{file}");
                assert!(
                    first_difference(&c).contains(first),
                    "{file} ({cause})\n{report}"
                );
            }
            Diff {
                expected,
                result,
                first,
            } => {
                assert!(c.is_diff(), "{file}: not read as a diff\n{report}");
                assert_eq!(c.sides[0].name, "expected side");
                assert_eq!(c.sides[0].agrees(), *expected, "{file} ({cause})\n{report}");
                assert_eq!(c.sides[1].agrees(), *result, "{file} ({cause})\n{report}");
                assert!(
                    first_difference(&c).contains(first),
                    "{file} ({cause})\n{report}"
                );
                // One verdict line per side.
                assert!(report.contains("expected side: "), "{report}");
                assert!(report.contains("result side: "), "{report}");
            }
        }
        // Every verdict says its counts.
        assert!(
            report.contains(" agree, ") && report.contains(" not modelled"),
            "{report}"
        );
    }
}

#[test]
fn the_cli_reads_the_corpus_and_never_refuses_a_log() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/logs");
    let files: Vec<String> = logs()
        .into_iter()
        .map(|(f, _)| format!("{dir}/{f}"))
        .collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_klpscope"))
        .arg("check")
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains("ERR "), "{stdout}");
    let agree = CORPUS
        .iter()
        .filter(|(_, e, _)| {
            matches!(
                e,
                Agrees
                    | Diff {
                        expected: true,
                        result: true,
                        ..
                    }
            )
        })
        .count();
    assert!(
        stdout.ends_with(&format!(
            "{agree} passed, {} failed\n",
            CORPUS.len() - agree
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("nothing compared: no command found"),
        "{stdout}"
    );
}

/// The v4.15 callbacks.txt sessions (001-009) on the kernel they were
/// written on: each reads and agrees, except 006, whose cancel line is a
/// wording no release printed (the v4.15 transition.c already says
/// "canceling patching transition"), so no version makes it agree.
#[test]
fn the_v4_15_sessions_agree_on_4_15() {
    let v4_15 = klpscope_engine::KernelVersion::v(4, 15);
    for (file, text) in logs().iter().filter(|(f, _)| f.as_str() < "010") {
        let c = check::check_log_on(text, None, Some(v4_15))
            .unwrap_or_else(|e| panic!("{file}: refused: {e}"));
        let report = c.render(file);
        if file.starts_with("006") {
            assert!(!c.passed, "{file}\n{report}");
            assert!(
                first_difference(&c).contains("canceling transition, going to unpatch"),
                "{file}\n{report}"
            );
        } else {
            assert!(c.passed && c.counts().agree > 0, "{file}\n{report}");
        }
    }
}

/// A pasted log's boot banner chooses the kernel: on v5.4 forcing a
/// transition marks every patch (until 2957308343fa, v5.18), so the
/// livepatch module cannot be removed after its disable.
#[test]
fn a_boot_banner_chooses_the_kernel() {
    let session = "\
[    0.000000] Linux version 5.4.0-42-generic (buildd@lgw01-amd64-038) (gcc version 9.3.0)
% modprobe test_klp_callbacks_busy block_transition=Y
test_klp_callbacks_busy: test_klp_callbacks_busy_init
test_klp_callbacks_busy: busymod_work_func enter
% modprobe test_klp_callbacks_demo
livepatch: enabling patch 'test_klp_callbacks_demo'
livepatch: 'test_klp_callbacks_demo': initializing patching transition
test_klp_callbacks_demo: pre_patch_callback: vmlinux
test_klp_callbacks_demo: pre_patch_callback: test_klp_callbacks_busy -> [MODULE_STATE_LIVE] Normal state
livepatch: 'test_klp_callbacks_demo': starting patching transition
% echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force
livepatch: forcing remaining tasks to the patched state
livepatch: 'test_klp_callbacks_demo': completing patching transition
test_klp_callbacks_demo: post_patch_callback: vmlinux
test_klp_callbacks_demo: post_patch_callback: test_klp_callbacks_busy -> [MODULE_STATE_LIVE] Normal state
livepatch: 'test_klp_callbacks_demo': patching complete
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
livepatch: 'test_klp_callbacks_demo': initializing unpatching transition
test_klp_callbacks_demo: pre_unpatch_callback: vmlinux
test_klp_callbacks_demo: pre_unpatch_callback: test_klp_callbacks_busy -> [MODULE_STATE_LIVE] Normal state
livepatch: 'test_klp_callbacks_demo': starting unpatching transition
livepatch: 'test_klp_callbacks_demo': completing unpatching transition
test_klp_callbacks_demo: post_unpatch_callback: vmlinux
test_klp_callbacks_demo: post_unpatch_callback: test_klp_callbacks_busy -> [MODULE_STATE_LIVE] Normal state
livepatch: 'test_klp_callbacks_demo': unpatching complete
% rmmod test_klp_callbacks_demo
rmmod: ERROR: Module test_klp_callbacks_demo is in use
";
    let by_banner = check::check_log(session).unwrap();
    assert!(by_banner.passed, "{}", by_banner.render("5.4"));
    let latest =
        check::check_log_on(session, None, Some(klpscope_engine::KernelVersion::Latest)).unwrap();
    assert!(!latest.passed, "{}", latest.render("latest"));
    assert!(first_difference(&latest).contains("is in use"));
}
