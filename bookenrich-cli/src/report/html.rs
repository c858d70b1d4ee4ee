//! The page: the HTML template filled with the stylesheet, the script and the report data, under a
//! Content-Security-Policy that lets nothing else run or load (cover images excepted).
//!
//! The data goes into a `<script type="application/json">` block, which the browser never runs;
//! the page's script reads it with `JSON.parse` and builds every element with `textContent`, so
//! titles and reviews are never parsed as HTML. The policy allows the one script and the one
//! stylesheet by their SHA-256 hash: even markup that slipped through could not run.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use super::data::ReportData;

/// The page skeleton; `{{name}}` marks where [`render_page`] puts things.
const TEMPLATE: &str = include_str!("template.html");
/// The page's stylesheet.
pub(super) const STYLE: &str = include_str!("report.css");
/// The page's script: draws the cards, charts, covers and book list from the data block.
pub(super) const SCRIPT: &str = include_str!("report.js");

/// The whole report page for `data`.
pub(super) fn render_page(data: &ReportData) -> serde_json::Result<String> {
    let json = embeddable_json(&serde_json::to_string(data)?);
    let title = match (data.per_year.first(), data.per_year.last()) {
        (Some(first), Some(last)) if first.year != last.year => {
            format!("Reading report {}–{}", first.year, last.year)
        }
        (Some(only), _) => format!("Reading report {}", only.year),
        _ => "Reading report".to_owned(),
    };
    let csp = content_security_policy(!data.covers.is_empty());
    Ok(fill(
        TEMPLATE,
        &[
            ("csp", &escape_attribute(&csp)),
            ("title", &escape_text(&title)),
            ("style", STYLE),
            ("script", SCRIPT),
            ("data", &json),
        ],
    ))
}

/// The policy: only this page's script and stylesheet (by hash), images only over http(s) and only
/// when there are covers, no requests from script, no forms, no `<base>`.
pub(super) fn content_security_policy(allow_images: bool) -> String {
    let images = if allow_images { "https: http:" } else { "'none'" };
    format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; img-src {images}; base-uri 'none'; form-action 'none'",
        sha256_source(SCRIPT),
        sha256_source(STYLE),
    )
}

/// A CSP hash source (`sha256-<base64>`) for an inline block's exact text.
fn sha256_source(text: &str) -> String {
    format!("sha256-{}", BASE64.encode(Sha256::digest(text.as_bytes())))
}

/// JSON that can sit inside a `<script>` element: every `<`, `>` and `&` is written as a `\u` escape,
/// so no `</script>` or `<!--` can end or change the element. The JSON value is unchanged.
pub(super) fn embeddable_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Valid in JSON, but line terminators in older JavaScript parsers.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for an HTML element's content.
fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Text for a double-quoted HTML attribute.
fn escape_attribute(s: &str) -> String {
    escape_text(s).replace('"', "&quot;")
}

/// `template` with each `{{name}}` replaced, in one pass over the template only: a value that
/// itself contains `{{data}}` (a book title, say) is never substituted again.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let known = after.find("}}").and_then(|end| {
            values.iter().find(|(k, _)| *k == &after[..end]).map(|(_, v)| (end, v))
        });
        if let Some((end, value)) = known {
            out.push_str(value);
            rest = &after[end + 2..];
        } else {
            out.push_str("{{");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
