//! A small reader for the DOM Chromium serialises: start tags with their attributes and the text
//! right after them. Chromium's serialisation is regular (lower-case names, double-quoted values,
//! `&amp; &quot; &lt; &gt; &nbsp;` escapes), which is all this handles.

/// One start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    /// Lower-case tag name.
    pub name: String,
    /// Attributes in document order, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// The text between this tag and the next tag, unescaped.
    pub text: String,
}

impl Element {
    /// The value of attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether the `class` attribute lists `class`.
    pub(crate) fn has_class(&self, class: &str) -> bool {
        self.attr("class").is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }
}

/// Every start tag of `html`, in document order; the contents of `<script>` and `<style>` are skipped.
pub(crate) fn elements(html: &str) -> Vec<Element> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_len =
            rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        let (attrs, after) = attributes(rest);
        rest = after;
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            rest = rest.find(&close).map_or("", |j| &rest[j..]);
            out.push(Element { name, attrs, text: String::new() });
            continue;
        }
        let text_end = rest.find('<').unwrap_or(rest.len());
        out.push(Element { name, attrs, text: unescape(&rest[..text_end]) });
    }
    out
}

/// Attributes up to the tag's `>`, and the input after it.
fn attributes(mut s: &str) -> (Vec<(String, String)>, &str) {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if s.is_empty() {
            return (attrs, s);
        }
        if let Some(after) = s.strip_prefix('>') {
            return (attrs, after);
        }
        let name_len = s
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(s.len());
        let name = s[..name_len].to_owned();
        s = &s[name_len..];
        if let Some(after_eq) = s.strip_prefix("=\"") {
            let end = after_eq.find('"').unwrap_or(after_eq.len());
            attrs.push((name, unescape(&after_eq[..end])));
            s = after_eq.get(end + 1..).unwrap_or("");
        } else {
            attrs.push((name, String::new()));
        }
    }
}

/// Chromium's escapes back to text.
pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The marks (`data-series` elements) of one chart as (label, value) pairs, in document order.
pub(crate) fn series(elements: &[Element], name: &str) -> Vec<(String, String)> {
    elements
        .iter()
        .filter(|e| e.attr("data-series") == Some(name))
        .map(|e| {
            (
                e.attr("data-label").unwrap_or_default().to_owned(),
                e.attr("data-value").unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{elements, series};

    #[test]
    fn reads_tags_attributes_and_text_and_skips_scripts() {
        let html = r#"<html data-report="ready"><body><p class="a b" hidden>x &amp; &lt;y&gt;</p><script>if (a<b) {}</script><rect data-series="s" data-label="&lt;!-- w --&gt;" data-value="3"></rect></body></html>"#;
        let els = elements(html);
        let names: Vec<&str> = els.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["html", "body", "p", "script", "rect"]);
        assert_eq!(els[0].attr("data-report"), Some("ready"));
        assert!(els[2].has_class("b") && els[2].attr("hidden") == Some(""));
        assert_eq!(els[2].text, "x & <y>");
        assert_eq!(series(&els, "s"), [("<!-- w -->".to_owned(), "3".to_owned())]);
    }
}
