//! `index.html`: a page that browses a package opened straight from the folder (file://),
//! with no server and nothing fetched: the ledger rows are inlined as JSON, thumbnails are
//! small JPEGs in the bag's `thumbs/`, and links point at the files under `data/`. The page
//! is `templates/export/index.html`; its texts come from the catalogue (`crate::i18n`), in
//! Chinese, the language of the packages' readers.

use askama::Template;

use super::ledger::LedgerRow;
use super::problems::PkgProblem;
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
    /// The signer's fingerprint with the advice to compare it, when signed.
    signer_compare: Option<String>,
    /// How many rejected items were left out, said in a sentence.
    left_out: String,
    /// The rows as JSON, safe inside `<script>` (see [`crate::html::inline_json`]).
    data: String,
    /// The texts the page's script shows, as JSON (placeholders filled by the script).
    texts: String,
    /// The problems the package's files prove, shown without the script.
    problems: &'a [PkgProblem],
    problems_heading: String,
}

#[derive(Template)]
#[template(path = "export/slideshow.html")]
struct SlideshowPage<'a> {
    l: Lang,
    title: &'a str,
    texts: String,
    data: String,
    script: &'static str,
    style: &'static str,
}

/// `slideshow.html`: the package's photos and videos as the server's slideshow shows them
/// (`crate::slides`), a title slide per prefecture, opened from disk with nothing fetched.
/// `items` are the records with their pictures' paths inside the bag.
pub fn render_slideshow(title: &str, items: &[(crate::record::Record, String)]) -> String {
    let l = Lang::Zh;
    let slides = crate::slides::slides(l, items, crate::slides::Group::Prefecture);
    let page = SlideshowPage {
        l,
        title,
        texts: crate::html::inline_json(&crate::slides::script_texts(l)),
        data: crate::html::inline_json(&slides),
        // The script cannot end its own element early: it holds no `</script`.
        script: crate::slides::SCRIPT,
        style: crate::slides::STYLE,
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!("rendering slideshow.html: {e}");
        String::new()
    })
}

/// What the page says about the package beside its rows.
pub struct PageFacts<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub bagging_date: &'a str,
    pub rows: &'a [LedgerRow],
    pub signer: Option<&'a SignerInfo>,
    pub rejected_left_out: usize,
    pub problems: &'a [PkgProblem],
}

/// The script's texts: the in-browser check's messages, with `{name}` placeholders the script
/// fills (the same placeholders the catalogue declares).
fn script_texts(l: Lang) -> serde_json::Value {
    let pairs = [
        ("checking", Msg::PkgChecking),
        ("ok", Msg::PkgCheckOk),
        ("bad", Msg::PkgCheckBad),
        ("changed", Msg::PkgChanged),
        ("missing", Msg::PkgMissing),
        ("extra", Msg::PkgExtra),
        ("noManifest", Msg::PkgNoManifest),
        ("useSha512", Msg::PkgUseSha512),
        ("noCrypto", Msg::PkgNoCrypto),
        ("fingerprint", Msg::PkgFingerprintIs),
        ("captured", Msg::PkgCaptured),
    ];
    serde_json::Value::Object(
        pairs
            .iter()
            .map(|(k, m)| (k.to_string(), serde_json::Value::from(l.t(*m))))
            .collect(),
    )
}

pub fn render(f: &PageFacts) -> String {
    let l = Lang::Zh;
    let signature = match f.signer {
        Some(s) => l.fill(
            Msg::ExportPageSigned,
            &[("signer", &s.signer), ("fingerprint", &s.fingerprint)],
        ),
        None => l.t(Msg::ExportPageUnsigned).to_string(),
    };
    let page = IndexPage {
        l,
        title: f.title,
        description: f.description,
        meta: l.fill(
            Msg::ExportMeta,
            &[("date", &f.bagging_date), ("n", &f.rows.len())],
        ),
        data: crate::html::inline_json(&serde_json::json!({ "rows": f.rows })),
        texts: crate::html::inline_json(&script_texts(l)),
        signature,
        signer_compare: f
            .signer
            .map(|s| l.fill(Msg::PkgSignerCompare, &[("fingerprint", &s.fingerprint)])),
        problems: f.problems,
        problems_heading: l.fill(Msg::PkgProblemsHeading, &[("n", &f.problems.len())]),
        left_out: if f.rejected_left_out > 0 {
            l.fill(Msg::PkgRejected, &[("n", &f.rejected_left_out)])
        } else {
            l.t(Msg::PkgRejectedNone).to_string()
        },
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
            captured_at: None,
            gps: String::new(),
            size: 1,
            blake3: "0".repeat(64),
            sha256: "0".repeat(64),
            review: "通过".into(),
            flags: EVIL.into(),
            flag_codes: String::new(),
            flag_reasons: vec![super::super::ledger::ShownFlag {
                label: EVIL.into(),
                reason: EVIL.into(),
                resolved: EVIL.into(),
            }],
            decided: vec![super::super::ledger::Decided {
                what: "指标".into(),
                value: EVIL.into(),
                how: "人工".into(),
                source: "人工标注".into(),
                evidence: EVIL.into(),
            }],
            note: EVIL.into(),
            media: "photo".into(),
            thumb: None,
            caption: Default::default(),
        };
        let rows = [row];
        let page = super::render(&super::PageFacts {
            title: EVIL,
            description: EVIL,
            bagging_date: "2026-12-03",
            rows: &rows,
            signer: None,
            rejected_left_out: 2,
            problems: &[],
        });
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
        assert!(page.contains("另有 2 项审核不通过"), "{page}");
        assert_eq!(
            page.matches("<script").count(),
            3,
            "the data, the texts and the page's own script"
        );
    }
}
