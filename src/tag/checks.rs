//! The flags that need more than a file's own tags: a GPS point against the place its folders
//! name, the same content submitted more than once, and the same picture submitted again in
//! altered form (a near-duplicate, from the catalog's pairs). The other flags are raised as the
//! tagging is chosen (engine.rs); their labels and reasons are in flags.rs.

use rustc_hash::FxHashMap as HashMap;

use crate::i18n::Msg;
use crate::record::FlagValue;
use crate::schema::{Location, Schema, UNCERTAIN_KM};
use crate::similar::Near;

use super::engine::{coord, Source};
use super::flags::Flag;
use super::segments::Part;
use super::{FileForTagging, Tagging};

pub(super) fn gps_flag(
    schema: &Schema,
    loc: Option<&Location>,
    t: &Tagging,
    claimed_part: Option<Part>,
) -> Option<FlagValue> {
    let claimed = t
        .prefecture
        .as_ref()
        .filter(|p| p.source != Source::Gps.as_str())?;
    let loc = loc?;
    let p = loc.wgs84;
    if loc.prefecture.as_deref() == Some(claimed.code.as_str()) {
        return None;
    }
    // Within about a kilometre of the claimed prefecture the point may well be inside it.
    let to_claimed = schema.distance_to_region_km(&claimed.code, loc.gcj02)?;
    if to_claimed < UNCERTAIN_KM {
        return None;
    }
    let claimed_name = schema
        .division(&claimed.code)
        .map(|d| d.short_name.as_str())
        .unwrap_or(&claimed.code);
    let said_by = match Source::parse(&claimed.source) {
        Some(Source::Manual) => "curator",
        _ => match claimed_part {
            Some(Part::FileName) => "file_name",
            _ => "folder",
        },
    };
    let edge_km = format!("{:.1}", loc.prefecture_edge_km.unwrap_or(0.0));
    let mut params = vec![
        ("point", coord(p)),
        ("said_by", said_by.to_string()),
        ("claimed", claimed_name.to_string()),
        ("away_km", format!("{to_claimed:.1}")),
        ("edge_km", edge_km),
    ];
    let key = match &loc.prefecture {
        Some(code) => {
            let actual = schema
                .division(code)
                .map(|d| d.short_name.as_str())
                .unwrap_or(code);
            params.push(("actual", actual.to_string()));
            Msg::FlagWhyGpsInOther
        }
        None => Msg::FlagWhyGpsOutsideQinghai,
    };
    Some(Flag::GpsOutsidePrefecture.why(key, &params))
}

/// What decides whether two copies are in different submissions: the prefecture and the
/// indicators.
type SubmissionKey = (Option<String>, Vec<String>);

fn submission_key(t: &Tagging) -> SubmissionKey {
    let mut inds: Vec<String> = t.indicators.iter().map(|v| v.code.clone()).collect();
    inds.sort();
    (t.prefecture.as_ref().map(|p| p.code.clone()), inds)
}

/// Two copies are in different submissions when both name a prefecture and they differ, or both
/// name indicators and they differ (an untagged copy differs from nothing).
fn different_submissions(a: &SubmissionKey, b: &SubmissionKey) -> bool {
    (a.0.is_some() && b.0.is_some() && a.0 != b.0)
        || (!a.1.is_empty() && !b.1.is_empty() && a.1 != b.1)
}

/// "prefecture/indicators", how a reason names a file's submission.
fn submission_label(t: &Tagging) -> String {
    let place = t
        .prefecture
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "no prefecture".into());
    let inds: Vec<&str> = t.indicators.iter().map(|v| v.code.as_str()).collect();
    if inds.is_empty() {
        place
    } else {
        format!("{place}/{}", inds.join("+"))
    }
}

/// The first three of a list, and how many more there are (a picture copied 70 times is one
/// sentence).
fn first_three(others: &[String]) -> (String, Option<usize>) {
    let shown: Vec<&str> = others.iter().take(3).map(String::as_str).collect();
    (
        shown.join("; "),
        others.len().checked_sub(3).filter(|&n| n > 0),
    )
}

pub(super) fn duplicate_flags(files: &[FileForTagging], tags: &mut [Tagging]) {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, f) in files.iter().enumerate() {
        if let Some(h) = f.blake3.filter(|h| !h.is_empty()) {
            groups.entry(h).or_default().push(i);
        }
    }
    let mut groups: Vec<(&str, Vec<usize>)> =
        groups.into_iter().filter(|(_, v)| v.len() > 1).collect();
    groups.sort();
    for (hash, members) in groups {
        let keys: Vec<SubmissionKey> = members.iter().map(|&i| submission_key(&tags[i])).collect();
        let mut flags = Vec::new();
        for (n, &i) in members.iter().enumerate() {
            let others: Vec<String> = members
                .iter()
                .enumerate()
                .filter(|(m, _)| *m != n && different_submissions(&keys[n], &keys[*m]))
                .map(|(_, &j)| format!("{} ({})", files[j].rel_path, submission_label(&tags[j])))
                .collect();
            if others.is_empty() {
                continue;
            }
            let (shown, more) = first_three(&others);
            let mut params = vec![
                ("hash", hash.chars().take(12).collect::<String>()),
                ("others", shown),
                ("here", submission_label(&tags[i])),
            ];
            let key = match more {
                Some(more) => {
                    params.push(("more", more.to_string()));
                    Msg::FlagWhyDuplicateMore
                }
                None => Msg::FlagWhyDuplicate,
            };
            flags.push((i, Flag::DuplicateAcrossSubmissions.why(key, &params)));
        }
        for (i, fl) in flags {
            tags[i].flags.push(fl);
        }
    }
}

/// The same picture, not the same bytes, in another submission: each file whose content has a
/// near-duplicate (`FileForTagging::similar`) held by a file of another prefecture or indicator
/// is flagged, naming the other file, its submission and capture date, and how they differ.
/// Copies within one submission (a resized copy beside its original) are not flagged; the
/// record lists them. Only files in `files` count as the other side.
pub(super) fn reused_flags(files: &[FileForTagging], tags: &mut [Tagging]) {
    if files.iter().all(|f| f.similar.is_empty()) {
        return;
    }
    let mut by_content: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, f) in files.iter().enumerate() {
        if let Some(h) = f.blake3.filter(|h| !h.is_empty()) {
            by_content.entry(h).or_default().push(i);
        }
    }
    let keys: Vec<SubmissionKey> = tags.iter().map(submission_key).collect();
    let mut flags = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let mut others = Vec::new();
        let mut closest: Option<(usize, &Near)> = None;
        let mut nears: Vec<&Near> = f.similar.iter().collect();
        nears.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
        for near in nears {
            for &j in by_content.get(near.blake3.as_str()).into_iter().flatten() {
                if !different_submissions(&keys[i], &keys[j]) {
                    continue;
                }
                closest.get_or_insert((j, near));
                // Language-neutral: the reason is worded when shown.
                others.push(format!(
                    "{} ({}{}, {:.3})",
                    files[j].rel_path,
                    submission_label(&tags[j]),
                    files[j]
                        .facts
                        .captured_at
                        .map(|t| format!(", {}", t.format("%Y-%m-%d")))
                        .unwrap_or_default(),
                    near.similarity,
                ));
            }
        }
        let Some((j, near)) = closest else {
            continue;
        };
        let (shown, more) = first_three(&others);
        let mut params = vec![
            ("others", shown),
            ("similarity", format!("{:.3}", near.similarity)),
            ("here", submission_label(&tags[i])),
        ];
        params.extend(how_they_differ(f, &files[j], near));
        let key = match more {
            Some(more) => {
                params.push(("more", more.to_string()));
                Msg::FlagWhyReusedMore
            }
            None => Msg::FlagWhyReused,
        };
        flags.push((i, Flag::ReusedPhoto.why(key, &params)));
    }
    for (i, fl) in flags {
        tags[i].flags.push(fl);
    }
}

/// What a reader can check besides the picture, as parameters of the reason (worded when
/// shown, by `flags::reused_how`).
fn how_they_differ(
    here: &FileForTagging,
    there: &FileForTagging,
    near: &Near,
) -> Vec<(&'static str, String)> {
    super::flags::differences(
        near.crop,
        near.mirrored,
        &super::flags::Side::of_facts(here.facts),
        &super::flags::Side::of_facts(there.facts),
    )
}
