//! Which files a ledger counts: those of the assessment period (the default), those no review
//! rejected, or all. The page (`?count=`), `archive report --count` and the API choose; the
//! ledger's legend says which.

use serde::Serialize;

use crate::i18n::{Lang, Msg};
use crate::tag::{Flag, Tagging};

/// Which files a ledger counts. The default counts what an inspection accepts as this
/// period's evidence: files dated inside the assessment period (an open `date_outside_period`
/// flag leaves a file out; one a curator marked checked or explained counts again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Counted {
    #[default]
    Period,
    /// Files no collection review rejected. Review is per collection, so "accepted" means
    /// "not rejected anywhere": a file accepted in one collection and never reviewed in another
    /// counts, one rejected in any collection does not.
    Accepted,
    All,
}

impl Counted {
    pub const ALL: [Counted; 3] = [Counted::Period, Counted::Accepted, Counted::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Counted::Period => "period",
            Counted::Accepted => "accepted",
            Counted::All => "all",
        }
    }

    /// `period`, `accepted` or `all` (any case).
    pub fn parse(s: &str) -> Option<Counted> {
        let s = s.trim().to_ascii_lowercase();
        Counted::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self, l: Lang) -> &'static str {
        l.t(match self {
            Counted::Period => Msg::LedgerCountPeriod,
            Counted::Accepted => Msg::LedgerCountAccepted,
            Counted::All => Msg::LedgerCountAll,
        })
    }

    /// Whether a present file with this tagging counts; `rejected`: some collection review
    /// rejected it. A system file (Thumbs.db…) never counts.
    pub fn includes(self, t: &Tagging, rejected: bool) -> bool {
        if t.system {
            return false;
        }
        match self {
            Counted::Period => !t
                .flags
                .iter()
                .any(|f| f.flag == Flag::DateOutsidePeriod.as_str() && f.resolved.is_none()),
            Counted::Accepted => !rejected,
            Counted::All => true,
        }
    }

    /// "统计范围：只计考核期内的文件（默认）。"
    pub fn sentence(self, l: Lang) -> String {
        let mut what = self.label(l).to_string();
        if self == Counted::default() {
            what.push_str(l.t(Msg::LedgerCountDefault));
        }
        l.fill(Msg::LedgerCountIs, &[("what", &what)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FlagResolution, FlagValue};

    fn flagged(resolved: bool) -> Tagging {
        Tagging {
            flags: vec![FlagValue {
                flag: "date_outside_period".into(),
                reason: String::new(),
                params: Default::default(),
                key: String::new(),
                advice: String::new(),
                resolved: resolved.then(|| FlagResolution {
                    state: "checked".into(),
                    note: "相机时间设错，活动在 2019 年".into(),
                    who: "c".into(),
                    at: "2026-12-03T00:00:00Z".into(),
                }),
            }],
            ..Tagging::default()
        }
    }

    #[test]
    fn the_period_leaves_out_open_date_flags_only() {
        let plain = Tagging::default();
        assert!(Counted::Period.includes(&plain, false));
        assert!(!Counted::Period.includes(&flagged(false), false));
        assert!(Counted::Period.includes(&flagged(true), false));
        assert!(Counted::All.includes(&flagged(false), true));
        assert!(!Counted::Accepted.includes(&plain, true));
        assert!(Counted::Accepted.includes(&flagged(false), false));
        let system = Tagging {
            system: true,
            ..Tagging::default()
        };
        for c in Counted::ALL {
            assert!(!c.includes(&system, false), "{c:?}");
        }
    }

    #[test]
    fn the_default_is_named() {
        assert_eq!(Counted::parse(" ALL "), Some(Counted::All));
        assert_eq!(Counted::parse("x"), None);
        let s = Counted::default().sentence(Lang::Zh);
        assert!(s.contains("考核期") && s.contains("默认"), "{s}");
        assert!(!Counted::All.sentence(Lang::Zh).contains("默认"));
    }
}
