//! Goodreads reviews are HTML fragments (`<br/>`, `<b>`, `&amp;`); the report shows them as plain text.
//!
//! The text is put into the page with `textContent`, never parsed as HTML, so this only has to
//! make it readable: line breaks for `<br>` and block tags, other tags dropped, common entities decoded.

/// Tags that start a new line.
const LINE_BREAK_TAGS: [&str; 1] = ["br"];
/// Tags that separate paragraphs.
const BLOCK_TAGS: [&str; 6] = ["p", "div", "blockquote", "li", "ul", "ol"];

/// The review's text: tags removed (`<br>` → line break, block tags → blank line), entities decoded,
/// runs of blank lines collapsed, trimmed.
pub(super) fn review_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            if let Some((name, len)) = tag(rest) {
                if LINE_BREAK_TAGS.contains(&name.as_str()) {
                    out.push('\n');
                } else if BLOCK_TAGS.contains(&name.as_str()) {
                    out.push_str("\n\n");
                }
                rest = &rest[len..];
            } else {
                out.push('<');
                rest = &rest[1..];
            }
        } else if let Some((c, len)) = entity(rest) {
            out.push(c);
            rest = &rest[len..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    tidy_lines(&out)
}

/// A tag at the start of `s`: its lower-case name and its length up to and including `>`.
/// `<` not followed by a letter, `/` or `!` is text ("I <3 it"), and so is a `<` never closed.
fn tag(s: &str) -> Option<(String, usize)> {
    let after = s[1..].chars().next()?;
    if !(after.is_ascii_alphabetic() || after == '/' || after == '!') {
        return None;
    }
    let end = s.find('>')?;
    let name: String = s[1..end]
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some((name, end + 1))
}

/// An entity at the start of `s`: the character and the entity's length.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.get(..12).unwrap_or(s).find(';')?;
    let body = &s[1..end];
    let c = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let code =
                if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    body.strip_prefix('#')?.parse().ok()?
                };
            char::from_u32(code).filter(|c| !c.is_control() || *c == '\n')?
        }
    };
    Some((c, end + 1))
}

/// Trailing spaces removed from every line, at most one blank line in a row, no blank lines at either end.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::review_to_text;

    #[test]
    fn goodreads_review_becomes_readable_text() {
        let html = "Strange and <b>beautiful</b>.<br/><br/>The \"Shimmer\" before it was cool, really.\nSecond line.";
        assert_eq!(
            review_to_text(html),
            "Strange and beautiful.\n\nThe \"Shimmer\" before it was cool, really.\nSecond line."
        );
    }

    #[test]
    fn entities_are_decoded_and_unknown_ones_kept() {
        assert_eq!(
            review_to_text("Tom &amp; Jerry &lt;3 &#233;t&#xE9; &bogus; a&b"),
            "Tom & Jerry <3 été &bogus; a&b"
        );
    }

    #[test]
    fn text_that_only_looks_like_a_tag_is_kept() {
        assert_eq!(review_to_text("I <3 it, 2 < 3 and 5 > 4"), "I <3 it, 2 < 3 and 5 > 4");
        assert_eq!(review_to_text("unclosed <b tag"), "unclosed <b tag");
    }

    #[test]
    fn hostile_markup_is_reduced_to_its_text() {
        assert_eq!(
            review_to_text("<script>alert(1)</script><img src=x onerror=alert(2)>ok"),
            "alert(1)ok"
        );
    }

    #[test]
    fn block_tags_separate_paragraphs_and_blank_runs_collapse() {
        assert_eq!(
            review_to_text("<p>one</p><p>two</p><br><br><br>three  \n\n\n"),
            "one\n\ntwo\n\nthree"
        );
        assert_eq!(review_to_text("   "), "");
    }

    #[test]
    fn control_character_entities_are_not_decoded() {
        assert_eq!(review_to_text("a&#0;b&#7;c"), "a&#0;b&#7;c");
    }
}
