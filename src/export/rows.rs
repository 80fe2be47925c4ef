//! A package's ledger rows: what the ledger, the CSV and `index.html` say about each file
//! (its places and indicator in words, its flags with their reasons, how each tag was decided).

use super::ledger::{self, LedgerRow};
use super::sink::Written;
use super::Planned;
use crate::i18n::{Lang, Msg};
use crate::schema::Schema;

pub(super) fn ledger_row(
    schema: &Schema,
    n: usize,
    p: &Planned,
    w: &Written,
    thumb: Option<String>,
) -> LedgerRow {
    let t = p.row.tagging.clone().unwrap_or_default();
    let place_name = |code: &str, fallback: &str| {
        schema
            .division(code)
            .map(|d| d.short_name.clone())
            .unwrap_or_else(|| fallback.to_string())
    };
    let mut note = Vec::new();
    if let Some(r) = &p.review_reason {
        note.push(r.clone());
    }
    // The ledger's 备注 carries each settled flag's decision, so the printed sheet says why a
    // flagged file was still submitted.
    for f in &t.flags {
        if let Some(d) = &f.resolved {
            note.push(format!(
                "{}{}",
                flag_label(&f.flag),
                crate::present::resolution_line(Lang::Zh, d)
            ));
        }
    }
    note.push(format!("原路径: {}", p.row.display_path()));
    LedgerRow {
        n,
        prefecture: t
            .prefecture
            .as_ref()
            .map(|v| place_name(&v.code, &v.name))
            .unwrap_or_default(),
        county: t
            .county
            .as_ref()
            .map(|v| place_name(&v.code, &v.name))
            .unwrap_or_default(),
        indicator: t
            .indicators
            .first()
            .map(|i| format!("{} {}", i.code, i.name))
            .unwrap_or_default(),
        indicator_code: t
            .indicators
            .first()
            .map(|i| i.code.clone())
            .unwrap_or_default(),
        name: p
            .bag_path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        bag_path: p.bag_path.clone(),
        captured: p
            .row
            .facts
            .captured_at
            .map(|c| c.format("%Y-%m-%d %H:%M:%S%:z").to_string())
            .unwrap_or_default(),
        captured_at: p.row.facts.captured_at.map(|c| c.naive_local()),
        gps: p
            .row
            .facts
            .gps
            .map(|g| format!("{:.6},{:.6}", g.lat, g.lon))
            .unwrap_or_default(),
        size: w.size,
        blake3: p.row.blake3.clone().unwrap_or_default(),
        sha256: w.sha256.clone(),
        review: p.review.label_zh().to_string(),
        // A flag a curator settled says so beside its label: 无拍摄时间（已核实）.
        flags: t
            .flags
            .iter()
            .map(|f| match &f.resolved {
                Some(d) => format!(
                    "{}（{}）",
                    flag_label(&f.flag),
                    crate::present::resolution_state(Lang::Zh, &d.state)
                ),
                None => flag_label(&f.flag),
            })
            .collect::<Vec<_>>()
            .join("、"),
        flag_codes: t
            .flags
            .iter()
            .map(|f| f.flag.clone())
            .collect::<Vec<_>>()
            .join(", "),
        flag_reasons: t
            .flags
            .iter()
            .map(|f| ledger::ShownFlag {
                label: flag_label(&f.flag),
                reason: crate::tag::flags::reason(f, Lang::Zh),
                resolved: f
                    .resolved
                    .as_ref()
                    .map(|d| crate::present::resolution_line(Lang::Zh, d))
                    .unwrap_or_default(),
            })
            .collect(),
        decided: decided(&t),
        note: note.join("；"),
        media: p.row.facts.media().as_str().to_string(),
        thumb,
        caption: {
            let c = p.row.shown_caption().unwrap_or_default();
            crate::record::Caption::FIELDS.map(|f| c.get(f).unwrap_or_default().to_string())
        },
    }
}

fn flag_label(code: &str) -> String {
    match crate::tag::Flag::parse(code) {
        Some(f) => f.label_zh().to_string(),
        None => code.to_string(),
    }
}

/// How each of a file's tags was decided, for the page: 人工 (a curator, with the reason)
/// or 自动 (a folder name, a keyword, GPS, a submission list, with the text that decided it).
fn decided(t: &crate::tag::Tagging) -> Vec<ledger::Decided> {
    let l = Lang::Zh;
    let one = |what: Msg, v: &crate::record::TagValue| ledger::Decided {
        what: l.t(what).to_string(),
        value: if what == Msg::PkgTagIndicator {
            format!("{} {}", v.code, v.name)
        } else {
            v.name.clone()
        },
        how: l
            .t(if v.source == "manual" {
                Msg::PkgDecidedManual
            } else {
                Msg::PkgDecidedAuto
            })
            .to_string(),
        source: crate::present::source_label(l, &v.source),
        evidence: v.evidence.clone(),
    };
    let mut out = Vec::new();
    if let Some(v) = &t.prefecture {
        out.push(one(Msg::PkgTagPrefecture, v));
    }
    if let Some(v) = &t.county {
        out.push(one(Msg::PkgTagCounty, v));
    }
    for v in &t.indicators {
        out.push(one(Msg::PkgTagIndicator, v));
    }
    out
}
