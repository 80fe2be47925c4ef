//! The scoring self-check (评分细则): per prefecture, how many of the rubric's points its
//! evidence supports, and per indicator what is still missing, beside the open problems
//! against it. This is the gap list an office works from before the inspectors arrive.
//!
//! The rubric is data: `points` and `[[indicator.requires]]` in `indicators.toml`
//! ([`crate::schema::Requirement`]). Nothing here knows an indicator or a number of points.
//!
//! Counting, the way an inspector counts: a file counts for an indicator when it is tagged to
//! it or to a node below it, and for a prefecture when that is its place; one content counts
//! once however many copies exist. Only accepted files support points (accepted in a
//! collection review, rejected in none); files not yet reviewed are counted apart ("with
//! pending"), rejected ones never. A yearly rule is checked for each year of the assessment
//! period, by the file's evidence date; a file without a date only helps a rule over the whole
//! period. An indicator's score is its points × the checks met / all its checks, so a rule
//! met in three of five years earns three fifths (docs/problems.md "Scoring self-check").

use std::collections::HashMap;

use serde::Serialize;

use super::track::ProblemView;
use crate::catalog::Catalog;
use crate::curate::collections::{review_states, Review};
use crate::i18n::{Lang, Msg};
use crate::record::{Media, Status as FileStatus};
use crate::schema::text::compact;
use crate::schema::{Indicator, Level, Requirement, Schema};

/// One content as the self-check sees it.
#[derive(Debug, Clone)]
pub struct ScoredFile {
    pub blake3: String,
    pub prefecture: Option<String>,
    pub indicators: Vec<String>,
    pub media: Media,
    pub year: Option<i32>,
    /// The file's name and document title, compacted, for named document types.
    pub names: String,
    pub review: Review,
}

/// One requirement checked for one year (or for the period: `year` is `None`).
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub rule: String,
    pub year: Option<i32>,
    pub need: usize,
    pub accepted: usize,
    pub pending: usize,
    pub met: bool,
    /// Met if the pending files were accepted.
    pub met_with_pending: bool,
}

/// An open problem against an indicator in a prefecture.
#[derive(Debug, Clone, Serialize)]
pub struct OpenProblem {
    pub id: i64,
    pub number: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub points: f64,
    pub earned: f64,
    pub with_pending: f64,
    pub checks: Vec<Check>,
    pub open_problems: Vec<OpenProblem>,
}

impl IndicatorScore {
    pub fn missing(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.met)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PrefectureScore {
    pub code: String,
    pub name: String,
    pub points: f64,
    pub earned: f64,
    pub with_pending: f64,
    /// Checks not met.
    pub missing: usize,
    /// Distinct open problems against a scored indicator here.
    pub open_problems: usize,
    pub indicators: Vec<IndicatorScore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    /// The catalogue's title (`[meta] title`), so a printed sheet says which rubric it used.
    pub rubric: String,
    pub first_year: i32,
    pub last_year: i32,
    /// The scored indicators' points added up: one prefecture's full marks.
    pub full_marks: f64,
    pub prefectures: Vec<PrefectureScore>,
}

/// Points as printed: at most one decimal, no trailing `.0`.
pub fn points_text(p: f64) -> String {
    let r = (p * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn round2(p: f64) -> f64 {
    (p * 100.0).round() / 100.0
}

/// The rule in words: the rubric's own label, else "每年至少 5 个照片".
pub fn rule_text(q: &Requirement, l: Lang) -> String {
    if let Some(label) = &q.label {
        return label.clone();
    }
    let what = l.t(match q.media {
        Some(Media::Photo) => Msg::ScoreWhatPhoto,
        Some(Media::Video) => Msg::ScoreWhatVideo,
        Some(Media::Document) => Msg::ScoreWhatDocument,
        _ => Msg::ScoreWhatAny,
    });
    let what = if q.named.is_empty() {
        what.to_string()
    } else {
        l.fill(
            Msg::ScoreWhatNamed,
            &[("what", &what), ("words", &q.named.join("/"))],
        )
    };
    let key = if q.per_year {
        Msg::ScoreRulePerYear
    } else {
        Msg::ScoreRulePeriod
    };
    l.fill(key, &[("min", &q.min), ("what", &what)])
}

/// A missing check in words: "2019 年：每年至少 5 个照片，已通过 2 个（待审核 1 个）".
pub fn gap_text(c: &Check, l: Lang) -> String {
    match c.year {
        Some(y) => l.fill(
            Msg::ScoreGapYear,
            &[
                ("year", &y),
                ("rule", &c.rule),
                ("have", &c.accepted),
                ("pending", &c.pending),
            ],
        ),
        None => l.fill(
            Msg::ScoreGapPeriod,
            &[
                ("rule", &c.rule),
                ("have", &c.accepted),
                ("pending", &c.pending),
            ],
        ),
    }
}

fn fits(q: &Requirement, f: &ScoredFile) -> bool {
    q.media.is_none_or(|m| m == f.media)
        && (q.named.is_empty() || q.named.iter().any(|w| f.names.contains(&compact(w))))
}

/// An indicator with points and no rule needs one file of any kind in the period.
fn rules_of(ind: &Indicator) -> Vec<Requirement> {
    if ind.requires.is_empty() {
        vec![Requirement {
            media: None,
            min: 1,
            per_year: false,
            named: Vec::new(),
            label: None,
        }]
    } else {
        ind.requires.clone()
    }
}

/// Whether the rubric scores anything at all.
pub fn has_rubric(schema: &Schema) -> bool {
    schema.indicators().iter().any(|i| i.points.is_some())
}

/// The self-check over `files` and `problems` for the prefectures given (codes; empty: all
/// eight), for the years `first..=last`.
pub fn build(
    schema: &Schema,
    files: &[ScoredFile],
    problems: &[ProblemView],
    prefectures: &[String],
    (first, last): (i32, i32),
    l: Lang,
) -> Score {
    let scored: Vec<&Indicator> = schema
        .indicators()
        .iter()
        .filter(|i| i.points.is_some())
        .collect();
    let full_marks: f64 = scored.iter().filter_map(|i| i.points).sum();
    // Which scored indicators each file's tags fall under, computed once per file.
    let under: Vec<Vec<usize>> = files
        .iter()
        .map(|f| {
            (0..scored.len())
                .filter(|&k| {
                    f.indicators
                        .iter()
                        .any(|c| schema.is_ancestor_or_self(&scored[k].code, c))
                })
                .collect()
        })
        .collect();
    let places: Vec<(String, String)> = schema
        .prefectures()
        .into_iter()
        .filter(|d| prefectures.is_empty() || prefectures.contains(&d.code))
        .map(|d| (d.code.clone(), d.short_name.clone()))
        .collect();
    // A content rejected in any review counts nowhere, whichever copy was reviewed.
    let rejected: std::collections::HashSet<&str> = files
        .iter()
        .filter(|f| f.review == Review::Rejected)
        .map(|f| f.blake3.as_str())
        .collect();
    let mut out = Vec::new();
    for (code, name) in places {
        // Per scored indicator, this prefecture's contents (each once; the strongest review
        // standing among its copies wins, a rejection over all).
        let mut by_ind: Vec<HashMap<&str, &ScoredFile>> = vec![HashMap::new(); scored.len()];
        for (f, ks) in files.iter().zip(&under) {
            if f.prefecture.as_deref() != Some(code.as_str()) || f.review == Review::Rejected {
                continue;
            }
            for &k in ks {
                by_ind[k]
                    .entry(f.blake3.as_str())
                    .and_modify(|held| {
                        if f.review == Review::Accepted {
                            *held = f;
                        }
                    })
                    .or_insert(f);
            }
        }
        let mut indicators = Vec::new();
        for (k, ind) in scored.iter().enumerate() {
            let here: Vec<&ScoredFile> = by_ind[k]
                .values()
                .copied()
                .filter(|f| !rejected.contains(f.blake3.as_str()))
                .collect();
            let mut checks = Vec::new();
            for q in rules_of(ind) {
                let rule = rule_text(&q, l);
                let years: Vec<Option<i32>> = if q.per_year {
                    (first..=last).map(Some).collect()
                } else {
                    vec![None]
                };
                for year in years {
                    let (mut accepted, mut pending) = (0, 0);
                    for f in here.iter().filter(|f| fits(&q, f)) {
                        let in_time = match year {
                            Some(y) => f.year == Some(y),
                            None => f.year.is_none_or(|y| (first..=last).contains(&y)),
                        };
                        if in_time {
                            match f.review {
                                Review::Accepted => accepted += 1,
                                _ => pending += 1,
                            }
                        }
                    }
                    checks.push(Check {
                        rule: rule.clone(),
                        year,
                        need: q.min,
                        accepted,
                        pending,
                        met: accepted >= q.min,
                        met_with_pending: accepted + pending >= q.min,
                    });
                }
            }
            let points = ind.points.unwrap_or(0.0);
            let share = |n: usize| points * n as f64 / checks.len().max(1) as f64;
            let earned = share(checks.iter().filter(|c| c.met).count());
            let with_pending = share(checks.iter().filter(|c| c.met_with_pending).count());
            let open_problems = problems
                .iter()
                .filter(|p| {
                    p.status.is_pending()
                        && (p.scope == "province"
                            || p.prefecture.as_ref().is_some_and(|x| x.code == code))
                        && p.indicators
                            .iter()
                            .any(|c| schema.is_ancestor_or_self(&ind.code, c))
                })
                .map(|p| OpenProblem {
                    id: p.id,
                    number: p.number.clone(),
                    overdue: p.overdue,
                })
                .collect();
            indicators.push(IndicatorScore {
                code: ind.code.clone(),
                name: ind.name.clone(),
                points,
                earned: round2(earned),
                with_pending: round2(with_pending),
                checks,
                open_problems,
            });
        }
        let mut problem_ids: Vec<i64> = indicators
            .iter()
            .flat_map(|i| i.open_problems.iter().map(|p| p.id))
            .collect();
        problem_ids.sort_unstable();
        problem_ids.dedup();
        out.push(PrefectureScore {
            code,
            name,
            points: full_marks,
            earned: round2(indicators.iter().map(|i| i.earned).sum()),
            with_pending: round2(indicators.iter().map(|i| i.with_pending).sum()),
            missing: indicators.iter().map(|i| i.missing().count()).sum(),
            open_problems: problem_ids.len(),
            indicators,
        });
    }
    Score {
        rubric: schema
            .meta
            .get("title")
            .and_then(|t| t.as_str())
            .unwrap_or("indicators.toml")
            .to_string(),
        first_year: first,
        last_year: last,
        full_marks: round2(full_marks),
        prefectures: out,
    }
}

/// The catalog's present files as the self-check counts them: tagged to a prefecture, not a
/// system file, with their review standing.
pub fn gather_files(cat: &Catalog) -> super::ProblemsResult<Vec<ScoredFile>> {
    let reviews = review_states(cat)?;
    let mut out = Vec::new();
    cat.for_each_file(|row| {
        let Some(t) = row.tagging.as_ref() else {
            return Ok(());
        };
        let (Some(b3), Some(pref)) = (row.blake3.clone(), t.prefecture.as_ref()) else {
            return Ok(());
        };
        if row.status != FileStatus::Present || t.system || t.indicators.is_empty() {
            return Ok(());
        }
        let mut names = compact(row.file_name());
        if let Some(title) = &row.facts.title {
            names.push('\n');
            names.push_str(&compact(title));
        }
        out.push(ScoredFile {
            blake3: b3,
            prefecture: Some(pref.code.clone()),
            indicators: t.indicators.iter().map(|i| i.code.clone()).collect(),
            media: row.facts.media(),
            year: row.facts.evidence_date().map(|(d, _)| {
                use chrono::Datelike;
                d.year()
            }),
            names,
            review: reviews.get(&row.id).copied().unwrap_or(Review::Pending),
        });
        Ok(())
    })?;
    Ok(out)
}

/// A prefecture as typed (简称, 全称, code) → its code.
pub fn prefecture_code(schema: &Schema, typed: &str) -> Option<String> {
    schema
        .resolve_place(typed)
        .filter(|d| d.level == Level::Prefecture)
        .map(|d| d.code.clone())
}

impl Score {
    pub fn summary_header(l: Lang) -> Vec<String> {
        [
            Msg::ScoreColPlace,
            Msg::ScoreColEarned,
            Msg::ScoreColWithPending,
            Msg::ScoreColPoints,
            Msg::ScoreColMissing,
            Msg::ScoreColProblems,
        ]
        .into_iter()
        .map(|m| l.t(m).to_string())
        .collect()
    }

    /// One row per prefecture: supported, with pending, full marks, checks missing, open
    /// problems.
    pub fn summary_rows(&self) -> Vec<Vec<String>> {
        self.prefectures
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    points_text(p.earned),
                    points_text(p.with_pending),
                    points_text(p.points),
                    p.missing.to_string(),
                    p.open_problems.to_string(),
                ]
            })
            .collect()
    }

    pub fn detail_header(l: Lang) -> Vec<String> {
        let mut h = vec![l.t(Msg::ScoreColPlace).to_string(), "code".to_string()];
        h.extend(
            [
                Msg::ScoreColIndicator,
                Msg::ScoreColPoints,
                Msg::ScoreColEarned,
                Msg::ScoreColWithPending,
                Msg::ScoreColMissing,
                Msg::ScoreColProblems,
            ]
            .into_iter()
            .map(|m| l.t(m).to_string()),
        );
        h
    }

    /// One row per prefecture and scored indicator, its gaps joined in one cell.
    pub fn detail_rows(&self, l: Lang) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for p in &self.prefectures {
            for i in &p.indicators {
                let gaps: Vec<String> = i.missing().map(|c| gap_text(c, l)).collect();
                rows.push(vec![
                    p.name.clone(),
                    i.code.clone(),
                    i.name.clone(),
                    points_text(i.points),
                    points_text(i.earned),
                    points_text(i.with_pending),
                    if gaps.is_empty() {
                        l.t(Msg::ScoreComplete).to_string()
                    } else {
                        gaps.join("；")
                    },
                    problem_numbers(&i.open_problems, l),
                ]);
            }
        }
        rows
    }

    /// The summary, then the indicator rows (UTF-8 with BOM, so Excel opens it as UTF-8).
    pub fn to_csv(&self, l: Lang) -> Vec<u8> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(&mut out);
            let _ = w.write_record(Self::summary_header(l));
            for r in self.summary_rows() {
                let _ = w.write_record(r);
            }
            let _ = w.write_record([""]);
            let _ = w.write_record(Self::detail_header(l));
            for r in self.detail_rows(l) {
                let _ = w.write_record(r);
            }
            let _ = w.flush();
        }
        out
    }

    /// The sheet's opening lines: which rubric, how counted, how points are shared.
    pub fn preamble(&self, l: Lang) -> Vec<String> {
        let n = self.prefectures.first().map_or(0, |p| p.indicators.len());
        vec![
            l.fill(
                Msg::ScoreRubricIs,
                &[
                    ("title", &self.rubric),
                    ("n", &n),
                    ("points", &points_text(self.full_marks)),
                ],
            ),
            l.fill(
                Msg::ScoreLegend,
                &[("start", &self.first_year), ("end", &self.last_year)],
            ),
            l.t(Msg::ScorePointsRule).to_string(),
        ]
    }
}

/// "3、7（逾期）": the problems' numbers, overdue ones marked.
pub fn problem_numbers(ps: &[OpenProblem], l: Lang) -> String {
    ps.iter()
        .map(|p| {
            if p.overdue {
                format!("{}（{}）", p.number, l.t(Msg::ProblemsOverdue))
            } else {
                p.number.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}
