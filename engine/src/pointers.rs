//! Pointer values in kernel log lines, made comparable.
//!
//! A kernel prints pointers with `%p` (a hashed value, different on every
//! boot) or `%px` (the address): 16 hex digits on 64-bit kernels, 8 on
//! 32-bit ones. Two logs of the same run agree on which printed values are
//! the same pointer, not on the values. [`canonicalize_pointers`] keeps
//! exactly that: it replaces each distinct value by a placeholder,
//! `PTR<n>`, numbered in the order the values first appear, so a log taken
//! on a kernel and the model's log (whose pointers are addresses in its
//! own address space) compare equal when, and only when, they print the
//! same lines with the same pattern of equal and different pointers.
//!
//! The placeholders follow test_klp_shadow_vars.c, which prints its
//! pointers as `PTR<n>` ids itself (its `ptr_id()`; the selftest script
//! compares those lines literally, with no rewriting of its own): `PTR0`
//! is NULL, and other pointers count up from 1. The module numbers a
//! pointer when it first *sees* it, which can be before it prints it;
//! this function numbers by first appearance in the lines. So it is meant
//! to be applied to both sides of a comparison; lines already in `PTR<n>`
//! form pass through unchanged, and the placeholders it makes start after
//! the highest `PTR<n>` already present, so they never collide with them.
//!
//! What counts as a pointer: a run of exactly 16 or 8 lowercase hex digits
//! containing at least one decimal digit, with no letter, digit or `_`
//! right before or after it, and not right after `0x` (that is a number
//! printed with `0x%lx`, such as a shadow variable id). Anything else is
//! left alone: `%lx` jiffies values (9 digits on 64-bit), decimal numbers
//! of another length, words, and `(____ptrval____)` (what `%p` prints
//! before the boot has seeded its hash key: every pointer looks the same
//! there, so there is nothing to map).

/// The placeholder prefix: pointers read `PTR0`, `PTR1`, ...
pub const PLACEHOLDER_PREFIX: &str = "PTR";

/// Replaces every pointer value in `lines` by a `PTR<n>` placeholder: the
/// same value by the same placeholder, different values by different ones,
/// numbered in order of first appearance; an all-zero value (NULL printed
/// with `%px`) is `PTR0`. See the module documentation for what counts as
/// a pointer.
///
/// ```
/// use klpscope_engine::pointers::canonicalize_pointers;
/// let real = [
///     "dummy_alloc: dummy @ ffff8881062a3f00, expires @ 10003af60",
///     "livepatch_shadow_fix1: livepatch_fix1_dummy_leak_dtor: dummy @ ffff8881062a3f00, prevented leak @ ffff888103b1c2a8",
/// ];
/// assert_eq!(
///     canonicalize_pointers(&real),
///     [
///         "dummy_alloc: dummy @ PTR1, expires @ 10003af60",
///         "livepatch_shadow_fix1: livepatch_fix1_dummy_leak_dtor: dummy @ PTR1, prevented leak @ PTR2",
///     ]
/// );
/// ```
pub fn canonicalize_pointers<S: AsRef<str>>(lines: &[S]) -> Vec<String> {
    let base = lines
        .iter()
        .flat_map(|l| placeholders_in(l.as_ref()))
        .max()
        .map_or(1, |n| n.saturating_add(1).max(1));
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let line = line.as_ref();
        let mut s = String::with_capacity(line.len());
        let mut rest = 0;
        for (start, end) in pointer_spans(line) {
            let value = &line[start..end];
            s.push_str(&line[rest..start]);
            let n = if value.bytes().all(|b| b == b'0') {
                0
            } else {
                let i = match seen.iter().position(|v| *v == value) {
                    Some(i) => i,
                    None => {
                        seen.push(value);
                        seen.len() - 1
                    }
                };
                base.saturating_add(u64::try_from(i).unwrap_or(u64::MAX))
            };
            s.push_str(PLACEHOLDER_PREFIX);
            s.push_str(&n.to_string());
            rest = end;
        }
        s.push_str(&line[rest..]);
        out.push(s);
    }
    out
}

/// Whether `byte` joins a word (so a hex run next to it is part of a word).
fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The byte ranges of the pointer values in `line`.
fn pointer_spans(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_word(b[i]) {
            i += 1;
            continue;
        }
        // A word: [i, j).
        let mut j = i;
        while j < b.len() && is_word(b[j]) {
            j += 1;
        }
        let word = &b[i..j];
        let hex = word
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c));
        let after_0x = i >= 2 && &b[i - 2..i] == b"0x";
        if hex
            && (word.len() == 16 || word.len() == 8)
            && word.iter().any(u8::is_ascii_digit)
            && !after_0x
        {
            spans.push((i, j));
        }
        i = j;
    }
    spans
}

/// The numbers of the `PTR<n>` words already in `line`.
fn placeholders_in(line: &str) -> Vec<u64> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter_map(|w| w.strip_prefix(PLACEHOLDER_PREFIX))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|n| n.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_pointers_get_different_placeholders() {
        let out = canonicalize_pointers(&[
            "a @ ffff888100000040",
            "b @ ffff888100000080",
            "c @ 00000000deadbe11",
        ]);
        assert_eq!(out, ["a @ PTR1", "b @ PTR2", "c @ PTR3"]);
    }

    #[test]
    fn a_reused_pointer_maps_to_the_same_placeholder() {
        let out = canonicalize_pointers(&[
            "alloc dummy @ ffff888100000040",
            "alloc dummy @ ffff888100000080",
            "free dummy @ ffff888100000040, leak @ ffff888100000080",
        ]);
        assert_eq!(
            out,
            [
                "alloc dummy @ PTR1",
                "alloc dummy @ PTR2",
                "free dummy @ PTR1, leak @ PTR2"
            ]
        );
    }

    #[test]
    fn a_real_log_and_the_model_compare_equal_by_pattern_only() {
        let real = [
            "x @ 000000004f1c2a9e",
            "y @ 00000000b7d31f02",
            "x @ 000000004f1c2a9e",
        ];
        let model = [
            "x @ ffff888104000030",
            "y @ ffff888104000070",
            "x @ ffff888104000030",
        ];
        assert_eq!(canonicalize_pointers(&real), canonicalize_pointers(&model));
        // The model reusing a pointer where the kernel printed two differs.
        let reused = [
            "x @ ffff888104000030",
            "y @ ffff888104000030",
            "x @ ffff888104000030",
        ];
        assert_ne!(canonicalize_pointers(&real), canonicalize_pointers(&reused));
    }

    #[test]
    fn null_is_ptr0_and_32_bit_pointers_count() {
        let out = canonicalize_pointers(&["p=0000000000000000 q=c1a2b3c4 r=00000000"]);
        assert_eq!(out, ["p=PTR0 q=PTR1 r=PTR0"]);
    }

    #[test]
    fn numbers_ids_words_and_placeholders_are_left_alone() {
        let lines = [
            "test_klp_shadow_vars: klp_shadow_get(obj=PTR1, id=0x1234) = PTR0",
            "dummy_alloc: dummy @ ffff888100000040, expires @ 10003af60",
            "cleanup_work_func: jiffies = 10003b760",
            "id 0xffff888100000040 deadbeef 12345 abcdef0123456789a",
            "(____ptrval____) livepatch: 'livepatch_sample': patching complete",
        ];
        let out = canonicalize_pointers(&lines);
        assert_eq!(out[0], lines[0]);
        // Placeholders made here start after the highest PTR<n> present.
        assert_eq!(out[1], "dummy_alloc: dummy @ PTR2, expires @ 10003af60");
        assert_eq!(out[2..], lines[2..]);
    }

    #[test]
    fn the_shadow_vars_selftest_lines_are_already_canonical() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/transcripts/60-shadow-vars-basic-shadow-variable-api.txt"
        ))
        .unwrap_or_default();
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(lines.len() > 50);
        assert_eq!(canonicalize_pointers(&lines), lines);
    }
}
