//! Escaping text for HTML and XML, the one helper every writer of markup uses.
//!
//! The search page, the exported package's `index.html` and the sample generator's Office XML
//! parts all put user text (file names, folder names, document titles) between tags and into
//! attribute values. One function with one rule set keeps them from drifting apart: the five
//! characters that can end a text node or a quoted attribute are replaced, nothing else is.

/// `&`, `<`, `>`, `"` and `'` as entities; safe in element text and in attribute values quoted
/// either way, in HTML and in XML alike.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

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
