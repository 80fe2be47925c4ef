//! How the command line shows results to a person: aligned tables, `key  value` records and
//! one-line outcomes. The library returns data; only this file decides how it reads on a
//! terminal, so a change of wording is one edit here (and the JSON forms stay serde's).

use std::borrow::Cow;
use std::io::{self, Write};

use crate::curate::audit::{AuditEntry, ChainReport};
use crate::curate::collections::{Collection, CollectionDetail};
use crate::curate::users::UserInfo;
use crate::export::{ExportSummary, ProblemKind, VerifyReport};
use crate::i18n::Msg;
use crate::pipeline::RunSummary;
use crate::record::Record;
use crate::schema::Schema;

/// Text from file names, documents or users as it may reach a terminal: control characters
/// (ESC starts colour and cursor sequences that can rewrite the screen or the title), format
/// characters (U+202E turns `gpj.exe` around) and line separators are shown as `\x1b` or
/// `\u{202e}`, so what a person reads is what is on disk. `--json` output is data and never
/// goes through here.
pub(super) fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !hidden(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// Like [`shown`] for multi-line text we wrote (error chains): its line breaks stay.
pub(super) fn shown_lines(text: &str) -> String {
    text.split('\n').map(shown).collect::<Vec<_>>().join("\n")
}

fn hidden(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    matches!(
        get_general_category(c),
        G::Control | G::Format | G::LineSeparator | G::ParagraphSeparator
    )
}

/// Pretty JSON and a newline (the `--json` form of one-object outcomes).
pub(super) fn json_pretty(out: &mut impl Write, v: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}

/// Files listed one by one under a heading before the rest are only counted: a tree of
/// 50,000 scans must not print 50,000 notes.
const LISTED_PER_SEVERITY: usize = 20;

/// The outcome of `archive index` (and of the indexing half of `archive demo`).
pub(super) fn summary(out: &mut impl Write, s: &RunSummary, verify: bool) -> io::Result<()> {
    let l = super::lang();
    writeln!(
        out,
        "{}",
        l.fill(
            Msg::CliIndexed,
            &[
                ("new", &s.new),
                ("changed", &s.changed),
                ("unchanged", &s.unchanged),
                ("missing", &s.missing),
                ("returned", &s.returned),
                ("errors", &s.errors.len()),
                ("warnings", &s.warnings.len()),
            ]
        )
    )?;
    writeln!(
        out,
        "{}",
        l.fill(
            Msg::CliReadStats,
            &[
                ("files", &s.files_read),
                ("mb", &format!("{:.1}", s.bytes_read as f64 / 1e6)),
                ("secs", &format!("{:.2}", s.elapsed_s)),
                ("per_s", &format!("{:.0}", s.files_per_s)),
                ("mb_per_s", &format!("{:.1}", s.mb_per_s)),
                ("present", &s.present_total),
                ("missing", &s.missing_total),
            ]
        )
    )?;
    if let Some(reason) = &s.retag_reason {
        writeln!(out, "{reason}")?;
    }
    ocr_summary(out, &s.ocr)?;
    if s.fingerprints_need_heif_convert > 0 {
        writeln!(
            out,
            "{}",
            l.fill(
                Msg::CliFingerprintsNeedHeif,
                &[("n", &s.fingerprints_need_heif_convert)]
            )
        )?;
    }
    if s.fingerprints_pending > 0 {
        writeln!(
            out,
            "{}",
            l.fill(
                Msg::CliFingerprintsPending,
                &[("n", &s.fingerprints_pending)]
            )
        )?;
    }
    if verify {
        writeln!(
            out,
            "{}",
            l.fill(
                Msg::CliFixity,
                &[
                    ("verified", &s.verified),
                    ("differ", &s.fixity_failures.len())
                ]
            )
        )?;
        for f in &s.fixity_failures {
            writeln!(
                out,
                "  {}",
                l.fill(
                    Msg::CliFixityChanged,
                    &[
                        ("path", &shown(&f.path)),
                        ("expected", &f.expected),
                        ("actual", &f.actual)
                    ]
                )
            )?;
        }
    }
    if !s.counts.is_empty() {
        writeln!(out, "{}", l.t(Msg::CliCountsHeading))?;
        for c in &s.counts {
            let what = crate::problem::Code::parse(c.code)
                .map(|code| crate::problem::Problem::new(code).reason(l))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<7} {:>6}  {:<26} {}",
                l.t(c.severity.msg()),
                c.files,
                c.code,
                what
            )?;
        }
    }
    if !s.skipped.is_empty() {
        writeln!(
            out,
            "{}",
            l.fill(Msg::CliSkipped, &[("n", &s.skipped.len())])
        )?;
        list_problems(out, &s.skipped)?;
    }
    for (heading, list) in [
        (Msg::CliWarningsHeading, &s.warnings),
        (Msg::CliErrorsHeading, &s.errors),
    ] {
        if !list.is_empty() {
            writeln!(out, "{}", l.fill(heading, &[("n", &list.len())]))?;
            list_problems(out, list)?;
        }
    }
    Ok(())
}

fn list_problems(out: &mut impl Write, list: &[crate::pipeline::FileProblem]) -> io::Result<()> {
    for e in list.iter().take(LISTED_PER_SEVERITY) {
        writeln!(out, "  {}: {}", shown(&e.path), shown(&e.reason))?;
    }
    if list.len() > LISTED_PER_SEVERITY {
        let more = list.len() - LISTED_PER_SEVERITY;
        writeln!(
            out,
            "  {}",
            super::lang().fill(Msg::CliAndMore, &[("n", &more)])
        )?;
    }
    Ok(())
}

/// One file as a row of `archive search` and `archive list`.
pub(super) fn table_row(r: &Record) -> Vec<String> {
    let place = match (&r.prefecture, &r.county) {
        (Some(p), Some(c)) => format!("{}/{}", p.name, c.name),
        (Some(p), None) => p.name.clone(),
        _ => "-".into(),
    };
    let indicator = r
        .indicators
        .first()
        .map(|i| i.code.clone())
        .unwrap_or_else(|| "-".into());
    let mut path = r.path.clone();
    // The flags that still need checking (a settled one is shown by `archive show`).
    let open: Vec<&str> = r
        .flags
        .iter()
        .filter(|f| f.resolved.is_none())
        .map(|f| f.flag.as_str())
        .collect();
    if !open.is_empty() {
        path.push_str(&format!("  [{}]", open.join(",")));
    }
    [
        r.captured_at
            .as_deref()
            .map(|t| t.chars().take(16).collect::<String>().replace('T', " "))
            .unwrap_or_else(|| "-".into()),
        crate::present::media_label(super::lang(), r.media.as_str()),
        place,
        indicator,
        path,
    ]
    .iter()
    .map(|cell| shown(cell).into_owned())
    .collect()
}

/// A plain table aligned by display width (CJK characters take two columns).
pub(super) fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let line = |out: &mut dyn Write, cells: Vec<&str>| -> io::Result<()> {
        let last = cells.len() - 1;
        for (i, c) in cells.iter().enumerate() {
            if i == last {
                writeln!(out, "{c}")?;
            } else {
                write!(out, "{c}{}  ", " ".repeat(widths[i] - c.width()))?;
            }
        }
        Ok(())
    };
    line(out, header.to_vec())?;
    for row in rows {
        line(out, row.iter().map(String::as_str).collect())?;
    }
    Ok(())
}

/// One catalogued file in full (`archive show`): the same lines as the detail page.
pub(super) fn record(
    out: &mut impl Write,
    r: &Record,
    schema: &Schema,
    zone: chrono::FixedOffset,
) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let l = super::lang();
    let mut lines = crate::present::facts(l, r, zone);
    for t in crate::present::tags(l, r, schema) {
        let head = if t.alt {
            format!("  {}", t.head)
        } else {
            t.head.to_string()
        };
        lines.push((head, format!("{} [{}: {}]", t.value, t.source, t.evidence)));
    }
    if let Some(c) = &r.caption {
        lines.push((l.t(Msg::FieldCaption).to_string(), String::new()));
        for (k, v) in crate::present::caption_lines(l, c) {
            lines.push((format!("  {k}"), v));
        }
    }
    for f in crate::present::flags(l, r) {
        lines.push((
            l.t(Msg::FieldFlag).to_string(),
            format!("{}: {}", f.label, f.reason),
        ));
        if let Some(done) = f.resolved {
            lines.push((String::new(), format!("  {done}")));
        }
        if !f.advice.is_empty() {
            lines.push((format!("  {}", l.t(Msg::WhatToDo)), f.advice));
        }
    }
    if !r.similar.is_empty() {
        lines.push((l.t(Msg::SimilarHeading).to_string(), String::new()));
        for s in &r.similar {
            let how = if s.crop.abs() > 0.005 {
                l.t(Msg::SimilarCropped)
            } else {
                ""
            };
            let line = l.fill(
                Msg::SimilarShowLine,
                &[
                    ("path", &s.path),
                    ("score", &format!("{:.3}", s.similarity)),
                    ("how", &how),
                ],
            );
            lines.push((String::new(), line));
        }
    }
    if let Some(x) = &r.text_excerpt {
        lines.push((l.t(Msg::TextExcerpt).to_string(), x.clone()));
    }
    let width = lines.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    for (k, v) in lines {
        let pad = " ".repeat(width - k.width());
        writeln!(out, "{pad}{}  {}", shown(&k), shown(&v))?;
    }
    Ok(())
}

/// `archive similar`: each photo showing the same picture, with how alike, where it is filed
/// and what differs besides the picture.
pub(super) fn similar(
    out: &mut impl Write,
    r: &super::commands::similar::SimilarReport,
) -> io::Result<()> {
    let l = super::lang();
    if r.matches.is_empty() {
        return writeln!(
            out,
            "{}",
            shown(&l.fill(Msg::SimilarNone, &[("path", &r.path)]))
        );
    }
    let n = r.matches.len();
    writeln!(
        out,
        "{}",
        shown(&l.fill(Msg::SimilarOf, &[("path", &r.path), ("n", &n)]))
    )?;
    for (i, m) in r.matches.iter().enumerate() {
        writeln!(out, "{}. {}", i + 1, shown(&m.path))?;
        let score = format!("{:.3}", m.similarity);
        writeln!(
            out,
            "   {}",
            l.fill(
                Msg::SimilarScoreLine,
                &[("score", &score), ("distance", &m.distance)]
            )
        )?;
        let place = match (&m.prefecture, &m.county) {
            (Some(p), Some(c)) => format!("{p}/{c}"),
            (Some(p), None) => p.clone(),
            _ => "-".into(),
        };
        let indicator = if m.indicators.is_empty() {
            "-".to_string()
        } else {
            m.indicators.join(",")
        };
        let date = m
            .captured_at
            .as_deref()
            .map(|t| t.chars().take(10).collect::<String>())
            .unwrap_or_else(|| "-".into());
        let camera = m.camera.as_deref().unwrap_or("-");
        let filed = l.fill(
            Msg::SimilarFiledLine,
            &[
                ("place", &place),
                ("indicator", &indicator),
                ("date", &date),
                ("camera", &camera),
            ],
        );
        writeln!(out, "   {}", shown(&filed))?;
        let how = if m.how.is_empty() {
            l.t(Msg::SimilarBytesOnly).to_string()
        } else {
            m.how.join(match l {
                crate::i18n::Lang::Zh => "，",
                crate::i18n::Lang::En => ", ",
            })
        };
        writeln!(
            out,
            "   {}",
            shown(&l.fill(Msg::SimilarDiffers, &[("how", &how)]))
        )?;
    }
    Ok(())
}

/// `archive collection list`.
pub(super) fn collections(out: &mut impl Write, list: &[Collection]) -> io::Result<()> {
    for c in list {
        let counts = super::say(
            Msg::CliCollectionCounts,
            &[
                ("items", &c.items),
                ("accepted", &c.accepted),
                ("rejected", &c.rejected),
            ],
        );
        writeln!(
            out,
            "{}\t{counts}\t{}",
            shown(&c.name),
            shown(&c.description)
        )?;
    }
    Ok(())
}

/// `archive collection show`: the items in order with their review state.
pub(super) fn collection(out: &mut impl Write, d: &CollectionDetail) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        super::say(
            Msg::CliCollectionHead,
            &[
                ("name", &shown(&d.collection.name)),
                ("items", &d.collection.items)
            ]
        )
    )?;
    if !d.collection.description.is_empty() {
        writeln!(out, "{}", shown(&d.collection.description))?;
    }
    for i in &d.items {
        let why = i
            .review_reason
            .as_deref()
            .map(|r| format!(" ({})", shown(r)))
            .unwrap_or_default();
        writeln!(
            out,
            "{:>4}. [{}{}] {}",
            i.position,
            i.review.as_str(),
            why,
            shown(&i.path)
        )?;
    }
    Ok(())
}

/// One line of `archive audit`.
pub(super) fn audit_entry(out: &mut impl Write, e: &AuditEntry) -> io::Result<()> {
    let reason = e
        .reason
        .as_deref()
        .map(|r| format!(" — {}", shown(r)))
        .unwrap_or_default();
    writeln!(
        out,
        "{:>5}  {}  {} ({})  {}  {}{}  {}",
        e.seq,
        e.at,
        shown(&e.who),
        e.role,
        e.action,
        shown(&e.subject),
        reason,
        shown(&e.details.to_string())
    )
}

/// The verdict of `archive audit verify`.
pub(super) fn audit_chain(out: &mut impl Write, r: &ChainReport) -> io::Result<()> {
    if let Some(bad) = &r.first_bad {
        writeln!(
            out,
            "{}",
            super::say(
                Msg::CliAuditBroken,
                &[("seq", &bad.seq), ("problem", &bad.problem)]
            )
        )
    } else {
        writeln!(
            out,
            "{}",
            super::say(Msg::CliAuditIntact, &[("n", &r.entries)])
        )
    }
}

/// `archive user list`.
pub(super) fn users(out: &mut impl Write, list: &[UserInfo]) -> io::Result<()> {
    if list.is_empty() {
        writeln!(out, "{}", super::say(Msg::CliNoUsers, &[]))?;
    }
    for u in list {
        writeln!(out, "{}\t{}", shown(&u.name), u.role)?;
    }
    Ok(())
}

/// What `archive export` wrote.
pub(super) fn export_summary(out: &mut impl Write, s: &ExportSummary) -> io::Result<()> {
    writeln!(
        out,
        "package written to {}: {} files, {} bytes (Payload-Oxum {}), {} thumbnails, {} audit entries{}",
        shown(&s.out.display().to_string()),
        s.files,
        s.bytes,
        s.payload_oxum,
        s.thumbnails,
        s.audit_entries,
        if s.rejected_left_out > 0 { format!("; {} rejected items left out", s.rejected_left_out) } else { String::new() }
    )?;
    writeln!(
        out,
        "tagmanifest-sha256.txt SHA-256 {} (recorded in the audit log)",
        s.tagmanifest_sha256
    )
}

/// `archive verify PKG`: every problem, the notes, then the verdict.
pub(super) fn verify_report(out: &mut impl Write, r: &VerifyReport) -> io::Result<()> {
    for p in &r.problems {
        let kind = match p.kind {
            ProblemKind::Missing => "MISSING",
            ProblemKind::Changed => "CHANGED",
            ProblemKind::Extra => "EXTRA",
            ProblemKind::Bag => "BAG",
        };
        writeln!(out, "{kind} {}: {}", shown(&p.path), shown(&p.detail))?;
    }
    for n in &r.notes {
        writeln!(out, "note: {}", shown(n))?;
    }
    if r.intact() {
        writeln!(
            out,
            "{}: intact — {} payload files, {} bytes, checked against {}",
            shown(&r.bag),
            r.payload_files,
            r.payload_bytes,
            r.manifests_checked.join(", ")
        )
    } else {
        writeln!(
            out,
            "{}: NOT intact — {} problem(s)",
            shown(&r.bag),
            r.problems.len()
        )
    }
}

// ---- problem list (helper: problems)

fn problem_place(p: &crate::problems::track::ProblemView) -> String {
    let l = super::lang();
    let mut s = match &p.prefecture {
        Some(pre) => pre.name.clone(),
        None => l.t(Msg::ProblemsProvinceWide).to_string(),
    };
    if let Some(c) = &p.county {
        s.push(' ');
        s.push_str(&c.name);
    }
    s
}

fn problem_status(p: &crate::problems::track::ProblemView) -> String {
    let l = super::lang();
    let mut s = l.t(p.status.label()).to_string();
    if p.overdue {
        s.push_str(&format!(" ({})", l.t(Msg::ProblemsOverdue)));
    }
    s
}

/// `archive problems list`: one line per problem, the count and overdue count below.
pub(super) fn problems(
    out: &mut impl Write,
    list: &[crate::problems::track::ProblemView],
) -> io::Result<()> {
    let l = super::lang();
    let header = [
        l.t(Msg::ProblemsColId),
        l.t(Msg::ProblemsColPlace),
        l.t(Msg::ProblemsColNumber),
        l.t(Msg::ProblemsColCategory),
        l.t(Msg::ProblemsColDeadline),
        l.t(Msg::ProblemsColStatus),
        l.t(Msg::ProblemsColEvidence),
        l.t(Msg::ProblemsColDescription),
    ];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            let description: String = p.description.chars().take(40).collect();
            [
                p.id.to_string(),
                problem_place(p),
                p.number.clone(),
                p.category.clone(),
                p.deadline
                    .clone()
                    .unwrap_or_else(|| p.deadline_text.clone()),
                problem_status(p),
                p.evidence.len().to_string(),
                description,
            ]
            .iter()
            .map(|c| shown(c).into_owned())
            .collect()
        })
        .collect();
    table(out, &header, &rows)?;
    let overdue = list.iter().filter(|p| p.overdue).count();
    writeln!(
        out,
        "{}",
        l.fill(
            Msg::ProblemsCount,
            &[("n", &list.len()), ("overdue", &overdue)]
        )
    )
}

/// `archive problems show`: the problem's fields, its evidence, its history.
pub(super) fn problem(
    out: &mut impl Write,
    d: &crate::problems::track::ProblemDetail,
) -> io::Result<()> {
    let l = super::lang();
    let p = &d.problem;
    let deadline = match (&p.deadline, p.deadline_text.is_empty()) {
        (Some(day), false) if *day != p.deadline_text => format!("{day} ({})", p.deadline_text),
        (Some(day), _) => day.clone(),
        (None, _) => p.deadline_text.clone(),
    };
    let indicators = match p.indicators.is_empty() {
        true => p.indicator_text.clone(),
        false => p.indicators.join("、"),
    };
    let source = l.fill(
        Msg::ProblemsSourceRow,
        &[("file", &p.source), ("row", &p.source_row)],
    );
    let lines = [
        (Msg::ProblemsColId, p.id.to_string()),
        (Msg::ProblemsColNumber, p.number.clone()),
        (Msg::ProblemsColPlace, problem_place(p)),
        (Msg::ProblemsColCategory, p.category.clone()),
        (Msg::ProblemsColDescription, p.description.clone()),
        (Msg::ProblemsLabelIndicators, indicators),
        (Msg::ProblemsLabelMeasures, p.measures.clone()),
        (Msg::ProblemsLabelResponsible, p.responsible.clone()),
        (Msg::ProblemsColDeadline, deadline),
        (Msg::ProblemsColStatus, problem_status(p)),
        (Msg::ProblemsLabelProgress, p.progress.clone()),
        (Msg::ProblemsLabelRemark, p.remark.clone()),
        (Msg::ProblemsLabelSource, source),
    ];
    for (label, value) in lines.iter().filter(|(_, v)| !v.is_empty()) {
        writeln!(out, "{}  {}", l.t(*label), shown(value))?;
    }
    writeln!(
        out,
        "{}  {}",
        l.t(Msg::ProblemsColEvidence),
        p.evidence.len()
    )?;
    for e in &p.evidence {
        writeln!(
            out,
            "  {}  {}  {}  {}",
            e.blake3,
            e.at,
            shown(&e.who),
            shown(&e.note)
        )?;
    }
    writeln!(out, "{}", l.t(Msg::ProblemsLabelHistory))?;
    for h in &d.history {
        writeln!(
            out,
            "  #{}  {}  {}  {}  {}",
            h.seq,
            h.at,
            shown(&h.who),
            h.action,
            shown(&h.details.to_string())
        )?;
    }
    Ok(())
}

/// The OCR stage's line in `archive index` and `archive ocr` (nothing when it had nothing to do).
pub(super) fn ocr_summary(out: &mut impl Write, s: &crate::pipeline::OcrSummary) -> io::Result<()> {
    let l = super::lang();
    if s.read + s.scenes + s.failed + s.pending > 0 {
        writeln!(
            out,
            "{}",
            l.fill(
                Msg::CliOcrSummary,
                &[
                    ("read", &s.read),
                    ("pages", &s.pages),
                    ("secs", &format!("{:.1}", s.seconds)),
                    ("scenes", &s.scenes),
                    ("failed", &s.failed),
                    ("pending", &s.pending),
                ]
            )
        )?;
    }
    if s.unavailable > 0 {
        writeln!(
            out,
            "{}",
            l.fill(Msg::CliOcrUnavailable, &[("n", &s.unavailable)])
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_format_characters_are_shown_escaped() {
        assert_eq!(
            shown("a\x1b[31mred\u{202e}gpj.exe\u{9b}\u{7f}\u{2028}"),
            "a\\x1b[31mred\\u{202e}gpj.exe\\x9b\\x7f\\u{2028}"
        );
        assert!(matches!(shown("海东市/IMG 1.jpg"), Cow::Borrowed(_)));
        assert_eq!(shown_lines("a\x1b\nb"), "a\\x1b\nb");
        // The commands that quote a name with `{:?}` are safe the same way.
        assert_eq!(format!("{:?}", "a\x1b\u{202e}"), "\"a\\u{1b}\\u{202e}\"");
    }

    #[test]
    fn table_aligns_by_display_width() {
        let mut out = Vec::new();
        let rows = [
            vec!["海东市".to_string(), "a".to_string()],
            vec!["x".to_string(), "b".to_string()],
        ];
        table(&mut out, &["place", "path"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "place   path\n海东市  a\nx       b\n"
        );
    }
}
