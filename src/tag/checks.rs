//! The flags that need more than a file's own tags: a GPS point against the place its folders
//! name, the same content submitted more than once, and the same picture submitted again in
//! altered form (a near-duplicate, from the catalog's pairs). The other flags are raised as the
//! tagging is chosen (engine.rs); their labels and reasons are in flags.rs.

use rustc_hash::FxHashMap as HashMap;

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
    let says = match Source::parse(&claimed.source) {
        Some(Source::Manual) => "a curator says".to_string(),
        _ => {
            let what = match claimed_part {
                Some(Part::FileName) => Part::FileName,
                _ => Part::Folder,
            };
            format!("{what} says")
        }
    };
    let place = match &loc.prefecture {
        Some(code) => format!(
            "lies in {} ({:.1} km inside)",
            schema
                .division(code)
                .map(|d| d.short_name.as_str())
                .unwrap_or(code),
            loc.prefecture_edge_km.unwrap_or(0.0)
        ),
        None => format!(
            "lies outside Qinghai ({:.1} km from the nearest prefecture)",
            loc.prefecture_edge_km.unwrap_or(0.0)
        ),
    };
    Some(Flag::GpsOutsidePrefecture.value(format!(
        "GPS {} {place}, {says} {claimed_name} ({to_claimed:.1} km away)",
        coord(p)
    )))
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

/// The first three of a list, and how many more there are.
fn first_three(others: &[String]) -> (String, String) {
    let more = if others.len() > 3 {
        format!(" and {} more", others.len() - 3)
    } else {
        String::new()
    };
    let shown: Vec<&str> = others.iter().take(3).map(String::as_str).collect();
    (shown.join("; "), more)
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
            flags.push((
                i,
                Flag::DuplicateAcrossSubmissions.value(format!(
                    "same content (BLAKE3 {}…) as {shown}{more}; here it is {}",
                    hash.chars().take(12).collect::<String>(),
                    submission_label(&tags[i])
                )),
            ));
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
        let mut nears: Vec<&Near> = f.similar.iter().collect();
        nears.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
        let mut count = 0usize;
        for near in nears {
            for &j in by_content.get(near.blake3.as_str()).into_iter().flatten() {
                if !different_submissions(&keys[i], &keys[j]) {
                    continue;
                }
                count += 1;
                // Only the first three are named (a picture copied 70 times is one sentence).
                if others.len() < 3 {
                    others.push(format!(
                        "{} ({}{}), similarity {:.3}{}",
                        files[j].rel_path,
                        submission_label(&tags[j]),
                        files[j]
                            .facts
                            .captured_at
                            .map(|t| format!(", taken {}", t.format("%Y-%m-%d")))
                            .unwrap_or_default(),
                        near.similarity,
                        how_they_differ(f, &files[j], near)
                    ));
                }
            }
        }
        if others.is_empty() {
            continue;
        }
        let shown = others.join("; ");
        let more = if count > 3 {
            format!(" and {} more", count - 3)
        } else {
            String::new()
        };
        flags.push((
            i,
            Flag::ReusedPhoto.value(format!(
                "looks the same as {shown}{more}; here it is {}",
                submission_label(&tags[i])
            )),
        ));
    }
    for (i, fl) in flags {
        tags[i].flags.push(fl);
    }
}

/// Pixel size as the photo is shown (EXIF orientations 5–8 turn it a quarter).
fn upright_size(f: &crate::extract::Facts) -> Option<(u32, u32)> {
    let (w, h) = (f.width?, f.height?);
    Some(if matches!(f.orientation, Some(5..=8)) {
        (h, w)
    } else {
        (w, h)
    })
}

/// What a reader can check besides the picture: a crop, other pixel sizes, another format,
/// metadata present on one side only.
fn how_they_differ(here: &FileForTagging, there: &FileForTagging, near: &Near) -> String {
    let mut how = Vec::new();
    if near.crop > 0.005 {
        how.push(format!(
            "it is cropped about {:.0}% per side",
            near.crop * 100.0
        ));
    } else if near.crop < -0.005 {
        how.push(format!(
            "this is cropped about {:.0}% per side",
            -near.crop * 100.0
        ));
    }
    let (a, b) = (here.facts, there.facts);
    if let (Some((aw, ah)), Some((bw, bh))) = (upright_size(a), upright_size(b)) {
        if (aw, ah) != (bw, bh) {
            how.push(format!("{aw}×{ah} here, {bw}×{bh} there"));
        }
    }
    if a.mime != b.mime && !a.mime.is_empty() && !b.mime.is_empty() {
        how.push(format!("{} here, {} there", a.mime, b.mime));
    }
    match (a.captured_at.is_some(), b.captured_at.is_some()) {
        (true, false) => how.push("no capture date there".into()),
        (false, true) => how.push("no capture date here".into()),
        _ => {}
    }
    if how.is_empty() {
        String::new()
    } else {
        format!(" ({})", how.join(", "))
    }
}
