//! The two flags that need more than a file's own tags: a GPS point against the place its
//! folders name, and the same content submitted more than once. The other flags are raised as
//! the tagging is chosen (engine.rs); their labels and reasons are in flags.rs.

use rustc_hash::FxHashMap as HashMap;

use crate::record::FlagValue;
use crate::schema::{Location, Schema, UNCERTAIN_KM};

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

pub(super) fn duplicate_flags(files: &[FileForTagging], tags: &mut [Tagging]) {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, f) in files.iter().enumerate() {
        if let Some(h) = f.blake3.filter(|h| !h.is_empty()) {
            groups.entry(h).or_default().push(i);
        }
    }
    let key = |t: &Tagging| -> (Option<String>, Vec<String>) {
        let mut inds: Vec<String> = t.indicators.iter().map(|v| v.code.clone()).collect();
        inds.sort();
        (t.prefecture.as_ref().map(|p| p.code.clone()), inds)
    };
    let label = |t: &Tagging| -> String {
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
    };
    let mut groups: Vec<(&str, Vec<usize>)> =
        groups.into_iter().filter(|(_, v)| v.len() > 1).collect();
    groups.sort();
    for (hash, members) in groups {
        let keys: Vec<(Option<String>, Vec<String>)> =
            members.iter().map(|&i| key(&tags[i])).collect();
        let differs = |a: &(Option<String>, Vec<String>), b: &(Option<String>, Vec<String>)| {
            (a.0.is_some() && b.0.is_some() && a.0 != b.0)
                || (!a.1.is_empty() && !b.1.is_empty() && a.1 != b.1)
        };
        let mut flags = Vec::new();
        for (n, &i) in members.iter().enumerate() {
            let others: Vec<String> = members
                .iter()
                .enumerate()
                .filter(|(m, _)| *m != n && differs(&keys[n], &keys[*m]))
                .map(|(_, &j)| format!("{} ({})", files[j].rel_path, label(&tags[j])))
                .collect();
            if others.is_empty() {
                continue;
            }
            let more = if others.len() > 3 {
                format!(" and {} more", others.len() - 3)
            } else {
                String::new()
            };
            let shown: Vec<&str> = others.iter().take(3).map(String::as_str).collect();
            flags.push((
                i,
                Flag::DuplicateAcrossSubmissions.value(format!(
                    "same content (BLAKE3 {}…) as {}{more}; here it is {}",
                    hash.chars().take(12).collect::<String>(),
                    shown.join("; "),
                    label(&tags[i])
                )),
            ));
        }
        for (i, fl) in flags {
            tags[i].flags.push(fl);
        }
    }
}
