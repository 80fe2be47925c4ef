//! The two flags that need more than a file's own tags: a GPS point against the place its
//! folders name, and the same content submitted more than once. The other flags are raised as
//! the tagging is chosen (engine.rs); their labels and reasons are in flags.rs.

use rustc_hash::FxHashMap as HashMap;

use crate::i18n::Msg;
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
            .unwrap_or_else(|| "—".into());
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
            let shown: Vec<&str> = others.iter().take(3).map(String::as_str).collect();
            let mut params = vec![
                ("hash", hash.chars().take(12).collect::<String>()),
                ("others", shown.join("; ")),
                ("here", label(&tags[i])),
            ];
            let key = if others.len() > 3 {
                params.push(("more", (others.len() - 3).to_string()));
                Msg::FlagWhyDuplicateMore
            } else {
                Msg::FlagWhyDuplicate
            };
            flags.push((i, Flag::DuplicateAcrossSubmissions.why(key, &params)));
        }
        for (i, fl) in flags {
            tags[i].flags.push(fl);
        }
    }
}
