//! What the askama templates in `templates/` share with the Rust code: the HTML escaper
//! named in `askama.toml`, which is `crate::html`'s. It writes the named entities (`&lt;`, `&quot;`, `&#39;`) that the
//! search's highlighted names and snippets use too, so a page reads the same whichever way
//! a value was escaped.

use std::fmt::{self, Write};

/// Escapes `& < > " '`: enough for element text and quoted attribute values.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: Write>(&self, dest: W, s: &str) -> fmt::Result {
        crate::html::write_escaped(dest, s)
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
