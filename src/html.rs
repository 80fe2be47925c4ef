//! Escaping text for HTML and XML, the one helper every writer of markup uses (and JSON made
//! safe inside a page's `<script>`).
//!
//! The search page, the exported package's `index.html` and the sample generator's Office XML
//! parts all put user text (file names, folder names, document titles) between tags and into
//! attribute values. One function with one rule set keeps them from drifting apart: the five
//! characters that can end a text node or a quoted attribute are replaced, nothing else is.

/// `&`, `<`, `>`, `"` and `'` as entities; safe in element text and in attribute values quoted
/// either way, in HTML and in XML alike.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = write_escaped(&mut out, s);
    out
}

/// JSON safe inside a `<script>` element (the slideshow's and the package's data): no
/// `</script>`, no `<!--`, no line separators that end a JavaScript string.
pub fn inline_json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// [`escape`] into any writer: the askama templates' escaper (`crate::templates`) is this, so
/// a page reads the same whether a value went through a template or through Rust.
pub fn write_escaped<W: std::fmt::Write>(mut dest: W, s: &str) -> std::fmt::Result {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        dest.write_str(&s[last..i])?;
        dest.write_str(entity)?;
        last = i + 1;
    }
    dest.write_str(&s[last..])
}

#[cfg(test)]
mod tests {
    use super::{escape, inline_json};

    #[test]
    fn inlined_data_cannot_close_the_script() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>"});
        let s = inline_json(&v);
        assert!(!s.contains("</script"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn markup_characters_become_entities_and_the_rest_is_kept() {
        assert_eq!(
            escape(r#"<a href="x">'海东' & 互助</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;海东&#39; &amp; 互助&lt;/a&gt;"
        );
        assert_eq!(escape("plain 文本"), "plain 文本");
        assert_eq!(escape(""), "");
        // Already-escaped text is escaped again: the caller passes raw text, never markup.
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }
}
