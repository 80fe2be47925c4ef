//! What a date means: placeholder dates are refused wherever a date is read, and the one
//! *evidence date* is chosen for the places that need a single date (the timeline, sorting,
//! the year and month facets, the assessment-period flag).
//!
//! Writers fill date fields they know nothing about with their own zero: QuickTime's 1904,
//! Unix's 1970, DOS's 1980, a PDF library's `2000-01-01T00:00:00`, cameras' `0000:00:00`, or a
//! clock that ran ahead. Shown as a capture time such a date made the first bar of the
//! timeline and put a photo outside the assessment period; so every reader hands its dates to
//! [`vet`], which keeps real ones and records a `date_placeholder` warning for the rest.
//!
//! A document's authoring date is not a capture date: it lives in `doc_created`, and the
//! evidence date says which of the two it is ([`DateKind`]), so a page can print 拍摄时间 or
//! 文档创建时间 beside it.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};

use super::Facts;
use crate::i18n::Msg;
use crate::problem::{Code, Problem};

/// Which date the evidence date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// When the photo or video was taken, from the media's own metadata.
    Captured,
    /// When the document says it was written.
    DocCreated,
}

impl DateKind {
    /// The stable name written in records (`evidence_date_kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateKind::Captured => "captured",
            DateKind::DocCreated => "doc_created",
        }
    }

    pub fn parse(s: &str) -> Option<DateKind> {
        match s {
            "captured" => Some(DateKind::Captured),
            "doc_created" => Some(DateKind::DocCreated),
            _ => None,
        }
    }

    /// 拍摄时间 / 文档创建时间.
    pub fn msg(self) -> Msg {
        match self {
            DateKind::Captured => Msg::DateKindCaptured,
            DateKind::DocCreated => Msg::DateKindDocCreated,
        }
    }
}

impl Facts {
    /// The one date that stands for the file where one is needed: the capture time, else
    /// the document's creation date.
    pub fn evidence_date(&self) -> Option<(DateTime<FixedOffset>, DateKind)> {
        self.captured_at
            .map(|t| (t, DateKind::Captured))
            .or_else(|| self.doc_created.map(|t| (t, DateKind::DocCreated)))
    }
}

impl Facts {
    /// Read facts stored by extractor version 1 as today's fields, so that an old catalog's
    /// timeline and flags mean the same before its files are read again (a version bump
    /// re-extracts only files that are read): a document's creation date had been its capture
    /// time and its modified date `modified_at`; three sources had other names. Placeholder
    /// document dates are dropped with the warning a new extraction gives.
    pub fn upgrade_legacy_dates(&mut self) {
        if self.media == Some(crate::record::Media::Document) {
            if let Some(t) = self.captured_at.take() {
                self.captured_at_source = None;
                if self.doc_created.is_none() {
                    self.doc_created = Some(t);
                }
            }
            if self.doc_modified.is_none() {
                self.doc_modified = self.modified_at.take();
            }
            let (created, modified) = (self.doc_created.take(), self.doc_modified.take());
            self.doc_created = vet(self, "doc_created", created);
            self.doc_modified = vet(self, "doc_modified", modified);
        }
        let renamed = match self.captured_at_source.as_deref() {
            Some("exif:DateTime") => "exif:ModifyDate",
            Some("quicktime:CreationDate") => "quicktime:CreateDate",
            Some("quicktime:com.apple.quicktime.creationdate") => "apple:creationdate",
            _ => return,
        };
        self.captured_at_source = Some(renamed.to_string());
    }
}

/// A clock running ahead by less than this is not called a placeholder: a zone assumed for a
/// time written without one can put a real time of today a few hours into the future.
const FUTURE_SLACK_S: i64 = 86_400;

/// Why `t` is a writer's placeholder rather than a time, or `None` for a real date.
/// 1904-01-01, 1970-01-01 and 1980-01-01 in the written zone or in UTC (the epochs of
/// QuickTime, Unix and DOS, shifted by a zone), exactly 2000-01-01 00:00:00, or after `now`.
pub fn placeholder(t: &DateTime<FixedOffset>, now: DateTime<Utc>) -> bool {
    let epoch = |d: NaiveDate| {
        matches!(
            (d.year(), d.month(), d.day()),
            (1904, 1, 1) | (1970, 1, 1) | (1980, 1, 1)
        )
    };
    let local = t.naive_local();
    let y2k = |n: chrono::NaiveDateTime| {
        n.year() == 2000
            && n.ordinal() == 1
            && n.num_seconds_from_midnight() == 0
            && n.nanosecond() == 0
    };
    epoch(local.date())
        || epoch(t.naive_utc().date())
        || y2k(local)
        || y2k(t.naive_utc())
        || t.timestamp() > now.timestamp() + FUTURE_SLACK_S
}

/// Keep a date read from `tag`, or record why it was ignored and drop it.
pub fn vet(
    f: &mut Facts,
    tag: &str,
    t: Option<DateTime<FixedOffset>>,
) -> Option<DateTime<FixedOffset>> {
    let t = t?;
    if placeholder(&t, Utc::now()) {
        f.problems.push(
            Problem::new(Code::DatePlaceholder)
                .with("tag", tag)
                .with("value", t.to_rfc3339()),
        );
        return None;
    }
    Some(t)
}

/// A date field written as zeros (`0000:00:00 00:00:00`, `00000000`): the writer's "unknown",
/// ignored with the same warning. Blank fields say nothing and are skipped silently.
pub fn zero_date(f: &mut Facts, tag: &str, raw: &str) {
    f.problems
        .push(Problem::new(Code::DatePlaceholder).with("tag", tag).with(
            "value",
            raw.trim_matches(|c: char| c == '\0' || c.is_whitespace()),
        ));
}

/// Whether a date text is zeros with separators (and not blank): `0000:00:00 00:00:00`,
/// `0000-00-00T00:00:00Z`, `00000000`.
pub fn is_zero_text(raw: &str) -> bool {
    raw.contains('0')
        && raw
            .chars()
            .all(|c| c == '0' || c == 'T' || c == 'Z' || !c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn writers_zeros_are_placeholders_real_dates_are_not() {
        let now = at("2026-12-03T16:00:00+00:00").with_timezone(&Utc);
        for p in [
            "1904-01-01T00:00:00+00:00",
            "1904-01-01T08:00:00+08:00",
            "1970-01-01T08:00:00+08:00",
            "1969-12-31T19:00:00-05:00",
            "1980-01-01T00:00:00+08:00",
            "2000-01-01T00:00:00+00:00",
            "2000-01-01T00:00:00+08:00",
            "2027-06-01T10:00:00+08:00",
        ] {
            assert!(placeholder(&at(p), now), "{p} is a placeholder");
        }
        for real in [
            "2000-01-01T00:00:01+08:00",
            "2000-01-02T00:00:00+08:00",
            "1999-12-31T23:59:59+08:00",
            "1981-05-02T10:00:00+08:00",
            "2019-06-03T10:00:00+08:00",
            "2026-12-04T08:00:00+08:00",
        ] {
            assert!(!placeholder(&at(real), now), "{real} is a real date");
        }
    }

    #[test]
    fn facts_of_the_first_extractor_read_as_todays_fields() {
        let mut pdf = Facts {
            media: Some(crate::record::Media::Document),
            captured_at: Some(at("2019-03-15T10:30:00+08:00")),
            captured_at_source: Some("pdf:CreationDate".into()),
            doc_created: Some(at("2019-03-15T10:30:00+08:00")),
            modified_at: Some(at("2000-01-01T00:00:00+00:00")),
            ..Facts::default()
        };
        pdf.upgrade_legacy_dates();
        assert_eq!((pdf.captured_at, pdf.captured_at_source), (None, None));
        assert_eq!(pdf.doc_created, Some(at("2019-03-15T10:30:00+08:00")));
        assert_eq!(pdf.modified_at, None);
        assert_eq!(
            pdf.doc_modified, None,
            "the PDF library's placeholder is dropped"
        );
        assert_eq!(pdf.problems[0].code, Code::DatePlaceholder);
        let mut photo = Facts {
            media: Some(crate::record::Media::Photo),
            captured_at: Some(at("2019-03-15T10:30:00+08:00")),
            captured_at_source: Some("exif:DateTime".into()),
            ..Facts::default()
        };
        photo.upgrade_legacy_dates();
        assert_eq!(photo.captured_at_source.as_deref(), Some("exif:ModifyDate"));
        assert!(photo.captured_at.is_some());
    }

    #[test]
    fn evidence_date_prefers_the_capture_time_and_says_which() {
        let mut f = Facts {
            doc_created: Some(at("2019-01-01T09:00:00+08:00")),
            ..Facts::default()
        };
        assert_eq!(
            f.evidence_date(),
            Some((at("2019-01-01T09:00:00+08:00"), DateKind::DocCreated))
        );
        f.captured_at = Some(at("2018-05-20T10:00:00+08:00"));
        assert_eq!(
            f.evidence_date(),
            Some((at("2018-05-20T10:00:00+08:00"), DateKind::Captured))
        );
        assert_eq!(Facts::default().evidence_date(), None);
    }
}
