//! Lists the upstream selftest transcripts (tests/transcripts/*.txt) for
//! the engine to compile in with the feature `selftests`, so that a pasted
//! selftest report that names its test can be completed from the test's
//! expected text (`log::selftests`). Without the feature the list is not
//! compiled and the texts stay out of the binary (the site loads them).

use std::fmt::Write;
use std::path::Path;

fn main() {
    // The package's directory when the script runs (`env!` would be the
    // one it was compiled in, which a shared target directory reuses).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("tests/transcripts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    let mut out = String::from(
        "/// The transcripts: (file name, text).\npub(crate) static TRANSCRIPTS: &[(&str, &str)] = &[\n",
    );
    for p in files {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            p.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("selftests.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
