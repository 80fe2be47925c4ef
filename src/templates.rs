//! What the askama templates in `templates/` share with the Rust code: the HTML escaper
//! named in `askama.toml`. It writes the named entities (`&lt;`, `&quot;`, `&#39;`) that the
//! search's highlighted names and snippets use too, so a page reads the same whichever way
//! a value was escaped.

use std::fmt::{self, Write};

/// Escapes `& < > " '`: enough for element text and quoted attribute values.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: Write>(&self, mut dest: W, s: &str) -> fmt::Result {
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
}

#[cfg(test)]
mod tests {
    use askama::Template;

    #[derive(Template)]
    #[template(source = "<p title=\"{{ v }}\">{{ v }}</p>", ext = "html")]
    struct T<'a> {
        v: &'a str,
    }

    #[test]
    fn templates_escape_with_named_entities() {
        let html = T {
            v: "<script>'x' & \"y\"</script>",
        }
        .render()
        .unwrap();
        let e = "&lt;script&gt;&#39;x&#39; &amp; &quot;y&quot;&lt;/script&gt;";
        assert_eq!(html, format!("<p title=\"{e}\">{e}</p>"));
    }
}
