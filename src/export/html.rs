//! `index.html`: a page that browses a package opened straight from the folder (file://),
//! with no server and nothing fetched: the ledger rows are inlined as JSON, thumbnails are
//! small JPEGs in the bag's `thumbs/`, and links point at the files under `data/`. The page
//! is `templates/export/index.html`; its texts come from the catalogue (`crate::i18n`), in
//! Chinese, the language of the packages' readers.

use askama::Template;

use super::ledger::LedgerRow;
use super::sign::SignerInfo;
use crate::i18n::{Lang, Msg};

#[derive(Template)]
#[template(path = "export/index.html")]
struct IndexPage<'a> {
    l: Lang,
    title: &'a str,
    description: &'a str,
    /// Packing date, file count and how to verify.
    meta: String,
    /// Who signed the package and the fingerprint to check, or that it is unsigned.
    signature: String,
    /// The rows as JSON, safe inside `<script>` (see [`inline_json`]).
    data: String,
}

/// JSON safe inside a `<script>` element: no `</script>`, no `<!--`.
fn inline_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub fn render(
    title: &str,
    description: &str,
    bagging_date: &str,
    rows: &[LedgerRow],
    signer: Option<&SignerInfo>,
) -> String {
    let l = Lang::Zh;
    let signature = match signer {
        Some(s) => l.fill(
            Msg::ExportPageSigned,
            &[("signer", &s.signer), ("fingerprint", &s.fingerprint)],
        ),
        None => l.t(Msg::ExportPageUnsigned).to_string(),
    };
    let page = IndexPage {
        l,
        title,
        description,
        meta: l.fill(
            Msg::ExportMeta,
            &[("date", &bagging_date), ("n", &rows.len())],
        ),
        data: inline_json(&serde_json::json!({ "rows": rows })),
        signature,
    };
    // Only strings and numbers go in: rendering cannot fail short of running out of memory.
    page.render().unwrap_or_else(|e| {
        tracing::error!("rendering index.html: {e}");
        String::new()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn inlined_data_cannot_close_the_script() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>"});
        let s = super::inline_json(&v);
        assert!(!s.contains("</script"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn markup_in_names_and_titles_stays_text() {
        const EVIL: &str = "<script>alert(1)</script>";
        let row = super::LedgerRow {
            n: 1,
            prefecture: "海东市".into(),
            county: String::new(),
            indicator: String::new(),
            indicator_code: String::new(),
            bag_path: format!("data/海东市/{EVIL}.jpg"),
            name: format!("{EVIL}.jpg"),
            captured: String::new(),
            gps: String::new(),
            size: 1,
            blake3: "0".repeat(64),
            sha256: "0".repeat(64),
            review: "通过".into(),
            flags: String::new(),
            note: EVIL.into(),
            media: "photo".into(),
            thumb: None,
        };
        let page = super::render(EVIL, EVIL, "2026-12-03", &[row], None);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(
            page.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"),
            "{page}"
        );
        assert!(page.contains("<h1>&lt;script&gt;alert(1)"), "{page}");
        assert!(
            page.contains("\\u003cscript\\u003ealert(1)"),
            "the name is in the data, inert"
        );
        assert!(page.contains("打包日期 2026-12-03 · 1 个文件"), "{page}");
        assert!(page.contains("本包未签名"), "{page}");
        assert_eq!(
            page.matches("<script").count(),
            2,
            "the data and the page's own script"
        );
    }
}
