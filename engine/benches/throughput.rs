//! Engine throughput: parse + replay of the kernel selftest transcripts,
//! and of one long scenario. Run: `cargo bench -p klpscope-engine`.
//! Prints commands per second; figures are recorded in the README.

use klpscope_engine::ask::{Question, ask};
use klpscope_engine::explore::explore;
use klpscope_engine::{parse, render, run};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn measure(label: &str, commands_per_iter: usize, mut f: impl FnMut()) {
    // Warm up, then run for about two seconds.
    for _ in 0..10 {
        f();
    }
    let start = Instant::now();
    let mut iters = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        f();
        iters += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let per_iter = secs / iters as f64;
    println!(
        "{label:<44} {:>10.1} µs/iter {:>12.0} commands/s",
        per_iter * 1e6,
        (commands_per_iter as f64 * iters as f64) / secs
    );
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/transcripts");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .expect("transcripts")
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).expect("readable"))
        .collect();
    texts.sort();
    let scenarios: Vec<_> = texts.iter().map(|t| parse(t).expect("parses")).collect();
    let commands: usize = scenarios.iter().map(|s| s.steps.len()).sum();

    measure("parse all selftest transcripts", commands, || {
        for t in &texts {
            black_box(parse(black_box(t)).ok());
        }
    });
    measure("replay all selftest transcripts", commands, || {
        for s in &scenarios {
            black_box(run(s));
        }
    });
    measure("replay + render log", commands, || {
        for s in &scenarios {
            black_box(render::log(&run(s)));
        }
    });

    // A long session: load/patch/unpatch cycles, 400 commands.
    let cycle = "% insmod test_modules/test_klp_callbacks_mod.ko\n\
% insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y\n\
% insmod test_modules/test_klp_callbacks_demo.ko\n\
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled\n\
% rmmod test_klp_callbacks_demo\n\
% rmmod test_klp_callbacks_busy\n\
% insmod test_modules/test_klp_callbacks_demo2.ko replace=1\n\
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo2/enabled\n\
% rmmod test_klp_callbacks_demo2\n\
% rmmod test_klp_callbacks_mod\n";
    let long = parse(&cycle.repeat(40)).expect("parses");
    measure("replay a 400-command session", long.steps.len(), || {
        black_box(run(&long));
    });

    // Exhaustive exploration (`klpscope explore --depth 10`) and a question
    // answered "never" by it (the site's ask panel does the same in wasm).
    let steps = explore(10).steps as usize;
    measure("explore every sequence to depth 10", steps, || {
        black_box(explore(black_box(10)));
    });
    let q = Question::parse("post-unpatch-without-pre-patch").expect("listed");
    measure(
        "ask post-unpatch-without-pre-patch, depth 10",
        steps,
        || {
            black_box(ask(q.clone(), 10));
        },
    );
}
