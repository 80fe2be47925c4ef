//! What a ledger handed over says about itself (title, office, date, period) and its legend.

use chrono::NaiveDate;

use super::{By, Counted, Coverage, EMPTY};
use crate::i18n::{Lang, Msg};
use crate::schema::Schema;

/// What a ledger handed over says about itself: which place it covers, who issued it, on
/// which day, for which assessment period. The page and `archive report` fill it in from the
/// configuration (`[office] name`, `[period]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Letterhead {
    /// The prefecture whose counties are the columns; none for the whole province.
    pub place: Option<String>,
    pub office: Option<String>,
    pub date: Option<NaiveDate>,
    pub period: Option<(NaiveDate, NaiveDate)>,
}

impl Letterhead {
    /// Issued today in the configured zone, for `cov`'s place (a prefecture's name when its
    /// counties are the columns).
    pub fn new(
        schema: &Schema,
        cov: &Coverage,
        office: Option<String>,
        period: (NaiveDate, NaiveDate),
        zone: chrono::FixedOffset,
    ) -> Letterhead {
        Letterhead {
            place: match &cov.by {
                By::County(c) => schema.division(c).map(|d| d.short_name.clone()),
                By::Prefecture => None,
            },
            office,
            date: Some(chrono::Utc::now().with_timezone(&zone).date_naive()),
            period: Some(period),
        }
    }

    pub fn title(&self, l: Lang) -> String {
        match &self.place {
            Some(p) => l.fill(Msg::LedgerDocTitleCounty, &[("name", p)]),
            None => l.t(Msg::LedgerDocTitle).to_string(),
        }
    }

    /// "编制单位：… 编制日期：… 考核期：… 至 …", leaving out what is not known.
    pub fn byline(&self, l: Lang) -> String {
        let mut parts = Vec::new();
        if let Some(o) = &self.office {
            parts.push(l.fill(Msg::LedgerOffice, &[("office", o)]));
        }
        if let Some(d) = self.date {
            parts.push(l.fill(Msg::LedgerDate, &[("date", &d)]));
        }
        if let Some((a, b)) = self.period {
            parts.push(l.fill(Msg::LedgerPeriod, &[("start", &a), ("end", &b)]));
        }
        parts.join("    ")
    }
}

/// The ledger's legend: which files count, what the numbers count, what "—" and the shading
/// mean, how parent rows add up.
pub fn legend_text(l: Lang, counted: Counted) -> String {
    [
        counted.sentence(l),
        l.t(Msg::LedgerLegendFiles).to_string(),
        l.fill(Msg::LedgerLegendEmpty, &[("empty", &EMPTY)]),
        l.t(Msg::LedgerLegendRollup).to_string(),
    ]
    .join(" ")
}
