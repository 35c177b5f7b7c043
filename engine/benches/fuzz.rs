//! A long fuzz run of every decoder of hostile input: share links (both
//! forms, the deflated blocks, base64url) and pasted kernel logs.
//! Run: `cargo bench -p klpscope-engine --bench fuzz [-- CASES]` (default
//! 1,000,000 cases per decoder). Inputs are valid links, dressed logs and
//! the real logs of tests/logs/, mutated at random (bytes flipped, inserted, deleted, spliced), with a fixed
//! seed so a run can be repeated. Exits 1 if any decoder panicked.

use klpscope_engine::{check, parse, share};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to the decoders, picked more often than others.
const INTERESTING: &[u8] = b"%+,!&#=./@~>[]<>: \n\r\"-_0123456789zdiprs";

fn mutate(rng: &mut Rng, seed: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(v.len() + 1);
        let byte = if rng.below(2) == 0 {
            INTERESTING[rng.below(INTERESTING.len())]
        } else {
            rng.next() as u8
        };
        match rng.below(5) {
            0 if at < v.len() => v[at] = byte,
            1 => v.insert(at, byte),
            2 if at < v.len() => {
                let end = (at + 1 + rng.below(8)).min(v.len());
                v.drain(at..end);
            }
            3 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len());
                let len = rng.below(16).min(other.len() - from);
                v.splice(at..at, other[from..from + len].iter().copied());
            }
            _ => v.truncate(at),
        }
    }
    v
}

fn fuzz(name: &str, cases: u64, corpus: &[Vec<u8>], f: impl Fn(&str)) -> u64 {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
    let mut panics = 0;
    let start = Instant::now();
    for _ in 0..cases {
        let seed = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, seed, corpus);
        let text = String::from_utf8_lossy(&input);
        if catch_unwind(AssertUnwindSafe(|| f(&text))).is_err() {
            panics += 1;
            eprintln!("{name}: panicked on {text:?}");
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name:<28} {cases:>9} cases {secs:>7.1} s {:>10.0} cases/s {panics} panics",
        cases as f64 / secs
    );
    panics
}

fn main() {
    let cases: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    std::panic::set_hook(Box::new(|_| {}));
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let mut texts = Vec::new();
    for sub in [
        "transcripts",
        "scenarios",
        "semantics/seed-v1",
        "semantics/state-callbacks-2025",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(format!("{dir}/{sub}"))
            .expect("test scenarios")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        texts.extend(
            files
                .iter()
                .map(|p| std::fs::read_to_string(p).expect("readable")),
        );
    }
    let links: Vec<Vec<u8>> = texts
        .iter()
        .flat_map(|t| [share::encode(t), share::encode_v0(t)])
        .map(String::into_bytes)
        .collect();
    let logs: Vec<Vec<u8>> = texts
        .iter()
        .map(|t| {
            t.lines()
                .enumerate()
                .map(|(i, l)| format!("> [{:>12.6}] {l}\n", i as f64 * 0.01))
                .collect::<String>()
                .into_bytes()
        })
        .collect();
    // And the real logs people posted: selftest diffs, TAP, quoted-printable.
    let mut logs = logs;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/logs");
    let mut real: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/logs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    real.sort();
    logs.extend(real.iter().map(|p| std::fs::read(p).expect("readable")));
    let b64: Vec<Vec<u8>> = texts
        .iter()
        .map(|t| share::deflate_text(t).into_bytes())
        .collect();
    let mut panics = 0;
    panics += fuzz("share::decode", cases, &links, |s| {
        if let Ok(text) = share::decode(s) {
            let _ = parse(&text);
        }
    });
    panics += fuzz("share::decode z. blocks", cases, &b64, |s| {
        let _ = share::decode(&format!("s1=z.{s}"));
        let _ = share::base64url_decode(s);
    });
    panics += fuzz("check::check_log", cases, &logs, |s| {
        if let Ok(c) = check::check_log(s) {
            let _ = c.render("fuzz");
        }
    });
    if panics > 0 {
        std::process::exit(1);
    }
}
