//! The one slug of the project: heading anchors (`#doc=CHAPTER/HEADING`),
//! exercise ids (`#quiz=ID`) and the book's file names are all made here, so
//! a heading found by its text and a link to it always agree.

/// An id made from a title: lower-case ASCII letters, digits, `_` and `-`
/// (never two `-` in a row, none at either end), at most 80 bytes;
/// `fallback` when nothing of the title is left.
pub fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.truncate(80);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str(fallback);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_keep_kernel_identifiers_readable() {
        assert_eq!(
            slug("When `pre_patch` fails", "section"),
            "when-pre_patch-fails"
        );
        assert_eq!(slug("  Force!  ", "section"), "force");
        assert_eq!(slug("???", "section"), "section");
        assert_eq!(slug("a -- b", "x"), "a-b");
    }

    #[test]
    fn a_long_title_is_cut_at_80_bytes_without_a_trailing_dash() {
        let long = format!("{} tail", "a".repeat(79));
        assert_eq!(slug(&long, "x"), "a".repeat(79));
    }
}
