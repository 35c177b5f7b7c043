//! The engine's integration tests, one binary (linking is slow on 2 cores).

/// `klpscope explore --ask`: witnesses and "never" answers.
#[path = "suite/ask.rs"]
mod ask;
/// `klpscope book`: the static pages of the documentation.
#[path = "suite/book.rs"]
mod book;
/// The `klpscope` binary: exit codes and output.
#[path = "suite/cli.rs"]
mod cli;
/// Every `klpscope` block in content/ runs.
#[path = "suite/content.rs"]
mod content;
/// The contract of each callback invocation, against the kernel's rules.
#[path = "suite/contract.rs"]
mod contract;
/// Real kernel logs people posted, each with its verdict and cause.
#[path = "suite/corpus.rs"]
mod corpus;
/// Hostile or malformed input: clear errors, never a panic.
#[path = "suite/errors.rs"]
mod errors;
/// Kernel selftest transcripts and derived scenarios, byte for byte.
#[path = "suite/golden.rs"]
mod golden;
/// The ledger of what callbacks set up, undo and leak.
#[path = "suite/ledger.rs"]
mod ledger;
/// Plain text for mail: the 72-column swim-lane, pasted kernel logs.
#[path = "suite/mail.rs"]
mod mail;
/// One test per kernel code path, asserting events and snapshots.
#[path = "suite/paths.rs"]
mod paths;
/// Invariants over random command sequences (proptest).
#[path = "suite/properties.rs"]
mod properties;
/// Exercises: content/ is answerable; grading of right and wrong answers.
#[path = "suite/quiz.rs"]
mod quiz;
/// Links written by earlier builds still open, to the same scenario text.
#[path = "suite/saved_links.rs"]
mod saved_links;
/// Semantics profiles: seed-v1 goldens, diff, header and flags.
#[path = "suite/semantics.rs"]
mod semantics;
/// Share links: short, versioned, round-tripping, and safe on any input.
#[path = "suite/share.rs"]
mod share;
