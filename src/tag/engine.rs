//! The tagger proper: collects candidates from the five sources, keeps the strongest as the
//! effective value and the rest as alternatives, then raises flags.
//!
//! Candidates carry a source (manual > manifest > path > keyword > gps) and, inside a source, a
//! tier (a name said outright beats one implied by a county or town; a file name keyword beats a
//! document-text keyword) and a depth (the segment nearest the file wins). Keeping every
//! candidate lets an inspector see that the folder says 海东市 while the GPS says 西宁市.

use crate::i18n::Msg;
use std::borrow::Cow;
use std::collections::BTreeMap;

// Fx: these maps are keyed by short strings and filled per file; nothing here needs SipHash's
// resistance to chosen keys, and it cost ~1 % of the instructions of indexing photos.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::{Deserialize, Serialize};

use crate::record::{Gps, TagAlternative, TagValue};
use crate::schema::{
    facet_escape, IndicatorMention, KeywordMention, Level, Location, PlaceMention, PlaceRef, Schema,
};

use super::checks::{duplicate_flags, gps_flag, reused_flags};
use super::flags::{self, Flag};
use super::manifests::{is_submission_list, Manifests};
use super::segments::{segments, split_path, Part, Segment};
use super::{FileForTagging, TagConfig, TagKind, Tagging};

/// Where a tag came from, strongest first (the derived order is the precedence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Manual,
    Manifest,
    Path,
    Keyword,
    Gps,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Manual => "manual",
            Source::Manifest => "manifest",
            Source::Path => "path",
            Source::Keyword => "keyword",
            Source::Gps => "gps",
        }
    }
    pub fn parse(s: &str) -> Option<Source> {
        [
            Source::Manual,
            Source::Manifest,
            Source::Path,
            Source::Keyword,
            Source::Gps,
        ]
        .into_iter()
        .find(|x| x.as_str() == s.trim())
    }
}

#[derive(Debug, Clone)]
struct Cand {
    code: String,
    source: Source,
    tier: u8,
    depth: usize,
    evidence: String,
}

impl Cand {
    fn strength(&self) -> (Source, u8, std::cmp::Reverse<usize>) {
        (self.source, self.tier, std::cmp::Reverse(self.depth))
    }
}

// ---------------------------------------------------------------------- candidates

#[derive(Default)]
struct Cands {
    prefecture: Vec<Cand>,
    county: Vec<Cand>,
    indicator: Vec<Cand>,
}

/// What the vocabulary finds in one segment's match text.
#[derive(Debug, Clone, Default)]
struct Found {
    places: Vec<PlaceMention>,
    indicators: Vec<IndicatorMention>,
    keywords: Vec<KeywordMention>,
}

impl Found {
    fn of(schema: &Schema, text: &str) -> Found {
        Found {
            places: schema.find_places(text),
            indicators: schema.find_indicators(text),
            keywords: schema.find_keywords(text),
        }
    }
}

/// Folder names matched once for many files. Every photo of a folder shares its folder names,
/// and matching them again for each file (normalising, the place, code and keyword automata)
/// was a sixth of tagging a folder of photos. File names are still matched per file.
#[derive(Default)]
pub struct FolderMemo(HashMap<String, Found>);

impl FolderMemo {
    /// Match the folder names of these (root, path under the root) pairs, in parallel.
    pub fn build<'a>(
        schema: &Schema,
        paths: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> FolderMemo {
        use rayon::prelude::*;
        let mut names: HashSet<&str> = HashSet::default();
        for (root, rel) in paths {
            names.extend(folder_names(root, rel));
        }
        let names: Vec<&str> = names.into_iter().collect();
        FolderMemo(
            names
                .par_iter()
                .map(|&n| (n.to_string(), Found::of(schema, n)))
                .collect(),
        )
    }

    fn found<'m>(&'m self, schema: &Schema, seg: &Segment) -> Cow<'m, Found> {
        match self.0.get(seg.match_text) {
            Some(f) if seg.label != Part::FileName => Cow::Borrowed(f),
            _ => Cow::Owned(Found::of(schema, seg.match_text)),
        }
    }
}

/// The folder segments [`segments`] makes of a path (root folders and folders, not the file).
/// Should the two ever disagree, a folder missing from the memo is matched per file: slower,
/// never different.
fn folder_names<'a>(root: &'a str, rel: &'a str) -> impl Iterator<Item = &'a str> {
    let root: Vec<&str> = split_path(root).collect();
    let tail = root[root.len().saturating_sub(2)..].to_vec();
    let mut rel: Vec<&str> = split_path(rel).collect();
    rel.pop();
    tail.into_iter().chain(rel)
}

/// Returns where the GPS point fell, so that the flag check does not locate it twice.
fn place_cands(
    schema: &Schema,
    f: &FileForTagging,
    segs: &[Segment],
    found: &[Cow<Found>],
    out: &mut Cands,
) -> Option<Location> {
    for mt in f.manual {
        let Some(d) = schema.resolve_place(&mt.code) else {
            continue;
        };
        let evidence = manual_evidence(mt);
        match (mt.kind, d.level) {
            (TagKind::County, Level::County) | (TagKind::Prefecture, Level::County) => {
                out.county.push(Cand {
                    code: d.code.clone(),
                    source: Source::Manual,
                    tier: 0,
                    depth: 0,
                    evidence: evidence.clone(),
                });
                if let Some(p) = &d.parent_code {
                    out.prefecture.push(Cand {
                        code: p.clone(),
                        source: Source::Manual,
                        tier: 1,
                        depth: 0,
                        evidence,
                    });
                }
            }
            (TagKind::Prefecture, Level::Prefecture) | (TagKind::County, Level::Prefecture) => {
                out.prefecture.push(Cand {
                    code: d.code.clone(),
                    source: Source::Manual,
                    tier: 0,
                    depth: 0,
                    evidence,
                });
            }
            _ => {}
        }
    }
    for (seg, found) in segs.iter().zip(found) {
        for m in &found.places {
            let at = format!("{} in {} \"{}\"", m.text, seg.label, seg.text);
            match m.place {
                PlaceRef::Division(i) => {
                    let d = &schema.divisions()[i];
                    match d.level {
                        Level::Prefecture => out.prefecture.push(Cand {
                            code: d.code.clone(),
                            source: Source::Path,
                            tier: 0,
                            depth: seg.depth,
                            evidence: at,
                        }),
                        Level::County => {
                            if let Some(p) = schema.division(d.parent_code.as_deref().unwrap_or(""))
                            {
                                out.prefecture.push(Cand {
                                    code: p.code.clone(),
                                    source: Source::Path,
                                    tier: 1,
                                    depth: seg.depth,
                                    evidence: format!(
                                        "{at} ({} is in {})",
                                        d.short_name, p.short_name
                                    ),
                                });
                            }
                            out.county.push(Cand {
                                code: d.code.clone(),
                                source: Source::Path,
                                tier: 0,
                                depth: seg.depth,
                                evidence: at,
                            });
                        }
                        Level::Province => {}
                    }
                }
                PlaceRef::Town(i) => {
                    let t = &schema.towns()[i];
                    let Some(c) = schema.division(&t.county_code) else {
                        continue;
                    };
                    let ev = format!("{at} (town {} is in {})", t.name, c.short_name);
                    out.county.push(Cand {
                        code: c.code.clone(),
                        source: Source::Path,
                        tier: 1,
                        depth: seg.depth,
                        evidence: ev.clone(),
                    });
                    if let Some(p) = &c.parent_code {
                        out.prefecture.push(Cand {
                            code: p.clone(),
                            source: Source::Path,
                            tier: 2,
                            depth: seg.depth,
                            evidence: ev,
                        });
                    }
                }
                PlaceRef::AmbiguousTown => {}
            }
        }
    }
    let p = usable_gps(f)?;
    let loc = schema.locate(p);
    {
        let near = if loc.uncertain() {
            ", near the border: uncertain"
        } else {
            ""
        };
        if let Some(pc) = &loc.prefecture {
            let km = loc.prefecture_edge_km.unwrap_or(0.0);
            out.prefecture.push(Cand {
                code: pc.clone(),
                source: Source::Gps,
                tier: if loc.uncertain() { 1 } else { 0 },
                depth: 0,
                evidence: format!("GPS {} ({km:.1} km inside{near})", coord(p)),
            });
        }
        if let Some(cc) = &loc.county {
            let km = loc.county_edge_km.unwrap_or(0.0);
            let near = if loc.county_uncertain() {
                ", near the border: uncertain"
            } else {
                ""
            };
            out.county.push(Cand {
                code: cc.clone(),
                source: Source::Gps,
                tier: if loc.county_uncertain() { 1 } else { 0 },
                depth: 0,
                evidence: format!("GPS {} ({km:.1} km inside{near})", coord(p)),
            });
        }
    }
    Some(loc)
}

/// "36.62,101.78": five decimals (about a metre), trailing zeros dropped.
pub(super) fn coord(p: Gps) -> String {
    let f = |x: f64| {
        let s = format!("{x:.5}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("{},{}", f(p.lat), f(p.lon))
}

/// Cameras without a fix write 0,0; that is "no position", not a point in the Atlantic.
fn usable_gps(f: &FileForTagging) -> Option<Gps> {
    let p = f.facts.gps?;
    let ok = p.lat.is_finite() && p.lon.is_finite() && p.lat.abs() <= 90.0 && p.lon.abs() <= 180.0;
    (ok && !(p.lat == 0.0 && p.lon == 0.0)).then_some(p)
}

fn manual_evidence(mt: &super::ManualTag) -> String {
    match (mt.reason.trim(), mt.who.trim()) {
        ("", "") => "set by a curator".to_string(),
        ("", who) => format!("set by {who}"),
        (r, "") => r.to_string(),
        (r, who) => format!("{r} ({who})"),
    }
}

fn indicator_cands(
    schema: &Schema,
    f: &FileForTagging,
    segs: &[Segment],
    found: &[Cow<Found>],
    manifests: &Manifests,
    out: &mut Cands,
) {
    for mt in f.manual.iter().filter(|m| m.kind == TagKind::Indicator) {
        if let Some(i) = schema.resolve_indicator(&mt.code) {
            out.indicator.push(Cand {
                code: i.code.clone(),
                source: Source::Manual,
                tier: 0,
                depth: 0,
                evidence: manual_evidence(mt),
            });
        }
    }
    if let Some(e) = manifests.lookup(f) {
        for code in resolve_indicator_text(schema, &e.indicator) {
            out.indicator.push(Cand {
                code,
                source: Source::Manifest,
                tier: 0,
                depth: 0,
                evidence: e.evidence.clone(),
            });
        }
    }
    let mut name_keywords = Vec::new();
    for (seg, found) in segs.iter().zip(found) {
        for m in &found.indicators {
            let code = schema.indicators()[m.index].code.clone();
            let how = if m.by_code { "code" } else { "name" };
            out.indicator.push(Cand {
                code,
                source: Source::Path,
                tier: 0,
                depth: seg.depth,
                evidence: format!("{how} {} in {} \"{}\"", m.text, seg.label, seg.text),
            });
        }
        // Root folders are context, not a description of the file: their keywords do not count.
        if seg.label != Part::RootFolder {
            for m in &found.keywords {
                name_keywords.push((m, seg.label, seg.text, seg.depth));
            }
        }
    }
    let picked = pick_keywords(schema, name_keywords.iter().map(|(m, ..)| *m), false);
    for (i, kws) in picked {
        let (_, label, text, depth) = name_keywords
            .iter()
            .find(|(m, ..)| m.index == i)
            .expect("picked from these");
        out.indicator.push(Cand {
            code: schema.indicators()[i].code.clone(),
            source: Source::Keyword,
            tier: 0,
            depth: *depth,
            evidence: format!("keywords {} in {label} \"{text}\"", kws.join(", ")),
        });
    }
    // Text recognised in a scan or a photo of paper counts as the document's own text does,
    // said so in the evidence (识别文字).
    let own = f
        .facts
        .text
        .as_deref()
        .or(f.facts.title.as_deref())
        .map(|t| (t, "the document text"));
    let recognised = f
        .facts
        .ocr_text
        .as_deref()
        .map(|t| (t, "the recognised text (识别文字)"));
    for (text, where_) in own.into_iter().chain(recognised) {
        let in_text = schema.find_keywords(text);
        // The best-supported indicator may tag; the runners-up are kept as alternatives only.
        for (n, (i, kws)) in pick_keywords(schema, in_text.iter(), true)
            .into_iter()
            .enumerate()
        {
            out.indicator.push(Cand {
                code: schema.indicators()[i].code.clone(),
                source: Source::Keyword,
                tier: if n == 0 { 1 } else { 3 },
                depth: 0,
                evidence: format!("keywords {} in {where_}", kws.join(", ")),
            });
        }
    }
}

/// An indicator as written in a list: a code or name, else the names and keywords inside it
/// ("科普大篷车进校园活动" → B4.1).
fn resolve_indicator_text(schema: &Schema, text: &str) -> Vec<String> {
    if let Some(i) = schema.resolve_indicator(text) {
        return vec![i.code.clone()];
    }
    let mut codes: Vec<usize> = schema
        .find_indicators(text)
        .into_iter()
        .map(|m| m.index)
        .collect();
    if codes.is_empty() {
        codes = pick_keywords(schema, schema.find_keywords(text).iter(), false)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
    }
    codes.sort();
    codes.dedup();
    most_specific(schema, codes)
        .into_iter()
        .map(|i| schema.indicators()[i].code.clone())
        .collect()
}

/// Drop every indicator that is an ancestor of another in the set: the deepest one says more.
fn most_specific(schema: &Schema, idx: Vec<usize>) -> Vec<usize> {
    let codes: Vec<&str> = idx
        .iter()
        .map(|&i| schema.indicators()[i].code.as_str())
        .collect();
    idx.iter()
        .copied()
        .filter(|&i| {
            let c = schema.indicators()[i].code.as_str();
            !codes
                .iter()
                .any(|&o| o != c && schema.is_ancestor_or_self(c, o))
        })
        .collect()
}

/// Keyword evidence → indicators. Generic keywords (工程, 通知) only add weight to an indicator
/// that already has a specific one; ancestors give way to descendants. From a file name every
/// remaining indicator counts (up to three); from document text, where a long report mentions
/// everything once, only indicators with two keywords or one long one, best-supported first (the
/// caller lets only the first tag).
fn pick_keywords<'a>(
    schema: &Schema,
    found: impl Iterator<Item = &'a crate::schema::KeywordMention>,
    from_text: bool,
) -> Vec<(usize, Vec<String>)> {
    let mut per: BTreeMap<usize, (Vec<String>, usize)> = BTreeMap::new();
    let mut generic: HashMap<usize, HashSet<String>> = HashMap::default();
    for m in found {
        if m.generic {
            generic
                .entry(m.index)
                .or_default()
                .insert(m.keyword.clone());
        } else {
            let e = per.entry(m.index).or_default();
            if !e.0.contains(&m.keyword) {
                e.0.push(m.keyword.clone());
            }
            e.1 += 1;
        }
    }
    let keep = most_specific(schema, per.keys().copied().collect());
    let mut scored: Vec<(usize, usize, Vec<String>)> = keep
        .into_iter()
        .map(|i| {
            let kws = per[&i].0.clone();
            let score = kws.len() + generic.get(&i).map_or(0, |g| g.len());
            (i, score, kws)
        })
        .collect();
    scored.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(
                schema.indicators()[b.0]
                    .depth
                    .cmp(&schema.indicators()[a.0].depth),
            )
            .then(a.0.cmp(&b.0))
    });
    if from_text {
        scored.retain(|(_, score, kws)| *score >= 2 || kws.iter().any(|k| k.chars().count() >= 4));
    }
    scored.truncate(3);
    scored.into_iter().map(|(i, _, kws)| (i, kws)).collect()
}

// ---------------------------------------------------------------------- choosing

fn alternatives(
    schema: &Schema,
    kind: TagKind,
    all: &[Cand],
    effective: &[&Cand],
) -> Vec<TagAlternative> {
    let mut sorted: Vec<&Cand> = all.iter().collect();
    sorted.sort_by_key(|c| c.strength());
    let mut seen: HashSet<(String, Source)> = effective
        .iter()
        .map(|c| (c.code.clone(), c.source))
        .collect();
    sorted
        .into_iter()
        .filter(|c| seen.insert((c.code.clone(), c.source)))
        .map(|c| TagAlternative {
            code: c.code.clone(),
            name: display_name(schema, kind, &c.code),
            source: c.source.as_str().to_string(),
            evidence: c.evidence.clone(),
        })
        .collect()
}

fn display_name(schema: &Schema, kind: TagKind, code: &str) -> String {
    match kind {
        TagKind::Indicator => schema.indicator(code).map(|i| i.name.clone()),
        _ => schema.division(code).map(|d| d.name.clone()),
    }
    .unwrap_or_default()
}

fn tag_value(
    schema: &Schema,
    kind: TagKind,
    c: &Cand,
    alternatives: Vec<TagAlternative>,
) -> TagValue {
    TagValue {
        code: c.code.clone(),
        name: display_name(schema, kind, &c.code),
        source: c.source.as_str().to_string(),
        evidence: c.evidence.clone(),
        alternatives,
    }
}

fn choose(schema: &Schema, c: &Cands) -> Tagging {
    let mut t = Tagging::default();
    let pref = c.prefecture.iter().min_by_key(|x| x.strength());
    if let Some(p) = pref {
        t.prefecture = Some(tag_value(
            schema,
            TagKind::Prefecture,
            p,
            alternatives(schema, TagKind::Prefecture, &c.prefecture, &[p]),
        ));
        // A county must sit in the chosen prefecture; one that does not stays an alternative.
        let county = c
            .county
            .iter()
            .filter(|x| {
                schema
                    .division(&x.code)
                    .and_then(|d| d.parent_code.as_deref())
                    == Some(p.code.as_str())
            })
            .min_by_key(|x| x.strength());
        if let Some(k) = county {
            t.county = Some(tag_value(
                schema,
                TagKind::County,
                k,
                alternatives(schema, TagKind::County, &c.county, &[k]),
            ));
        }
    }
    if let Some(best) = c.indicator.iter().map(|x| (x.source, x.tier)).min() {
        let group: Vec<&Cand> = c
            .indicator
            .iter()
            .filter(|x| (x.source, x.tier) == best)
            .collect();
        let idx: Vec<usize> = {
            let mut v: Vec<usize> = group
                .iter()
                .filter_map(|x| schema.indicator_index(&x.code))
                .collect();
            v.sort();
            v.dedup();
            most_specific(schema, v)
        };
        let effective: Vec<&Cand> = idx
            .iter()
            .filter_map(|&i| {
                let code = &schema.indicators()[i].code;
                group
                    .iter()
                    .filter(|x| &x.code == code)
                    .min_by_key(|x| x.strength())
                    .copied()
            })
            .collect();
        // Every other candidate (weaker sources, and ancestors of the chosen node) goes on the first
        // effective value, so that a record shows at one place what else the evidence said.
        let alts = alternatives(schema, TagKind::Indicator, &c.indicator, &effective);
        for (n, e) in effective.iter().enumerate() {
            let a = if n == 0 { alts.clone() } else { Vec::new() };
            t.indicators
                .push(tag_value(schema, TagKind::Indicator, e, a));
        }
    }
    t
}

pub(crate) fn tag_all(schema: &Schema, cfg: &TagConfig, files: &[FileForTagging]) -> Vec<Tagging> {
    tag_with(schema, cfg, files, &Manifests::build(files))
}

/// Tag files against the given submission lists: each on its own, then the duplicate flags
/// across them (complete for every content whose files are all in `files`).
pub(crate) fn tag_with(
    schema: &Schema,
    cfg: &TagConfig,
    files: &[FileForTagging],
    manifests: &Manifests,
) -> Vec<Tagging> {
    use rayon::prelude::*;
    // Each file is tagged on its own (GPS point-in-polygon against the county boundaries is
    // the costly part); only the duplicate flags below look across files.
    let memo = FolderMemo::build(schema, files.iter().map(|f| (f.root, f.rel_path)));
    let mut out: Vec<Tagging> = files
        .par_iter()
        .map(|f| tag_one(schema, cfg, f, manifests, &memo))
        .collect();
    duplicate_flags(files, &mut out);
    reused_flags(files, &mut out);
    for (f, t) in files.iter().zip(&mut out) {
        // desktop.ini is byte-identical in every folder: no duplicate of anything.
        if t.system {
            t.flags.clear();
        }
        t.flags.sort_by_key(|f| Flag::parse(&f.flag));
        mark_resolved(f, t);
    }
    out
}

/// One file's tags and flags, everything but the duplicate flags (which need the other files
/// with the same content).
pub(crate) fn tag_one(
    schema: &Schema,
    cfg: &TagConfig,
    f: &FileForTagging,
    manifests: &Manifests,
    memo: &FolderMemo,
) -> Tagging {
    let file_name = f.rel_path.rsplit('/').next().unwrap_or(f.rel_path);
    if super::is_system_file(file_name) {
        return Tagging {
            system: true,
            ..Tagging::default()
        };
    }
    let segs = segments(f);
    let found: Vec<Cow<Found>> = segs.iter().map(|s| memo.found(schema, s)).collect();
    let mut c = Cands::default();
    let loc = place_cands(schema, f, &segs, &found, &mut c);
    indicator_cands(schema, f, &segs, &found, manifests, &mut c);
    let mut t = choose(schema, &c);
    // Which part of the path named the prefecture the GPS is checked against (the flag's
    // reason says "file name says" or "folder says").
    let claimed_part = c
        .prefecture
        .iter()
        .min_by_key(|x| x.strength())
        .filter(|w| matches!(w.source, Source::Path | Source::Keyword))
        .and_then(|w| segs.get(w.depth))
        .map(|s| s.label);
    t.flags
        .extend(gps_flag(schema, loc.as_ref(), &t, claimed_part));
    t.flags.extend(flags::date_outside_period(cfg, f.facts));
    t.flags.extend(flags::possibly_edited(cfg, f.facts));
    t.flags.extend(flags::ai_generated(f.facts));
    t.flags.extend(flags::no_capture_date(f.facts, file_name));
    // A submission list describes other files, read or not; it is not itself evidence of an indicator.
    if t.indicators.is_empty() && !is_submission_list(f.facts) {
        t.flags.push(match manifests.lookup(f) {
            Some(e) => Flag::NoIndicator.why(
                Msg::FlagWhyNoIndicatorUnknownInList,
                &[("row", e.evidence.clone())],
            ),
            None => Flag::NoIndicator.why(Msg::FlagWhyNoIndicator, &[]),
        });
    }
    if f.unreadable {
        t.flags.push(flags::unreadable(f.facts, f.read_errors));
    }
    t.flags.sort_by_key(|f| Flag::parse(&f.flag));
    mark_resolved(f, &mut t);
    t
}

/// Carry the curator's decisions onto the flags they were made on. A decision on a flag the
/// file no longer raises is kept in the catalog but shows nowhere (it applies again if the
/// flag comes back, e.g. after a vocabulary change is undone).
fn mark_resolved(f: &FileForTagging, t: &mut Tagging) {
    for fl in &mut t.flags {
        fl.resolved = f
            .resolved
            .iter()
            .find(|r| r.flag == fl.flag)
            .map(|r| r.resolution.clone());
    }
}

/// Hierarchical facet paths of a tagging: `/place/海东市/互助县`, `/indicator/B/B4/B4.1`,
/// `/flag/no_indicator`. Places use short names (what people type), indicators use codes (names
/// change between rubrics, codes are what the ledger shows). [`Schema::place_facet`] and
/// [`Schema::indicator_facet`] give the same strings for search filters.
pub fn facet_paths(schema: &Schema, t: &Tagging) -> Vec<String> {
    let mut out = Vec::new();
    let place = t
        .county
        .as_ref()
        .and_then(|c| schema.place_facet(&c.code))
        .or_else(|| {
            t.prefecture
                .as_ref()
                .and_then(|p| schema.place_facet(&p.code))
        });
    out.extend(place);
    for i in &t.indicators {
        out.push(
            schema
                .indicator_facet(&i.code)
                .unwrap_or_else(|| format!("/indicator/{}", facet_escape(&i.code))),
        );
    }
    // A flag a curator marked checked or explained no longer needs checking: it leaves the
    // 需核查 facet (and `flag:` filters) but stays on the record with its note.
    for f in t.flags.iter().filter(|f| f.resolved.is_none()) {
        out.push(format!("/flag/{}", facet_escape(&f.flag)));
    }
    out.dedup();
    out
}
