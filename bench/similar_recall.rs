//! Recall and precision of the near-duplicate check (`similar::accept` decides; the threshold
//! table at the end shows what other similarity and hash-distance cuts would give) on generated altered copies among hard
//! negatives (issue 16's targets), through the same index and verification `archive index`
//! uses (`similar::near_duplicates`).
//!
//! Originals: activity photos that share one layout (sky, ridge, red banner, a row of people;
//! `sample::altered::event_pixels`), every third stored sideways with EXIF Orientation 6.
//! Each original gets one copy per alteration: re-compressed at quality 60, 65 and 70 with EXIF
//! stripped, resized by a factor drawn from 0.5–1.5, cropped 6 % per side, a solid watermark
//! over ~15 % of a corner, +12 % brightness and contrast, saved as PNG. Hard negatives: as many
//! photos of other events with the same layout, no copies. Every file is indexed and every file
//! is looked up; a pair is right when both sides come from the same original.
//!
//! With `SIMILAR_RECALL_MIRRORED=1` each original also gets a copy flipped left to right (the
//! issue's stretch goal): its recall is `recall_by_alteration.mirrored`, outside
//! `recall_copies`, and precision then counts it too.
//!
//! `cargo run --release --example similar_recall -- [ORIGINALS] [NEGATIVES] [WIDTH]`

use std::collections::BTreeMap;

use archive::sample::altered::{alter, original, Alteration};
use archive::sample::Rng;
use archive::similar::{compare, fingerprint, near_duplicates, Fingerprint, Index, Prepared};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: u32| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (originals, negatives, width) = (arg(1, 100), arg(2, 300), arg(3, 640));
    let height = width * 3 / 4;
    let mirrored = std::env::var_os("SIMILAR_RECALL_MIRRORED").is_some_and(|v| v == "1");

    // (group, what, fingerprint): group = the original's seed, or None for a hard negative.
    let mut files: Vec<(Option<u32>, String, Fingerprint)> = Vec::new();
    let mut rng = Rng(11);
    for seed in 0..originals {
        let sideways = seed % 3 == 2;
        let o = original(seed, width, height, sideways);
        let orientation = sideways.then_some(6);
        files.push((
            Some(seed),
            "original".into(),
            fingerprint(&o, orientation).expect("generated photos decode"),
        ));
        let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
        for q in [60u8, 65, 70] {
            copies.push((format!("q{q}"), reencode(&o, orientation, q)));
        }
        let f = 0.5 + rng.unit() as f32;
        copies.push((
            format!("resized{:.0}", f * 100.0),
            alter(&o, orientation, Alteration::Resized(f)),
        ));
        for a in [
            Alteration::Cropped,
            Alteration::Watermarked,
            Alteration::Brightened,
            Alteration::Png,
        ] {
            copies.push((a.name(), alter(&o, orientation, a)));
        }
        if mirrored {
            let a = Alteration::Mirrored;
            copies.push((a.name(), alter(&o, orientation, a)));
        }
        for (what, bytes) in copies {
            files.push((
                Some(seed),
                what,
                fingerprint(&bytes, None).expect("generated copies decode"),
            ));
        }
    }
    for seed in 0..negatives {
        let o = original(100_000 + seed, width, height, false);
        files.push((None, "negative".into(), fingerprint(&o, None).unwrap()));
    }

    let mut index = Index::new();
    for (_, _, f) in &files {
        index.add(f.hashes);
    }
    // Every verified pair, for the table of thresholds: (file, other, similarity).
    let mut verified: Vec<(usize, usize, f32, u32)> = Vec::new();
    let (mut pairs_right, mut pairs_wrong) = (0u64, 0u64);
    let (mut flagged, mut flagged_wrongly) = (0u64, 0u64);
    // Per alteration: (copies, found their original).
    let mut by_kind: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut wrong_examples = Vec::new();
    for (i, (group, what, f)) in files.iter().enumerate() {
        let found = near_duplicates(&index, f, Some(i as u32), |e| {
            Some(files[e as usize].2.thumb.clone())
        });
        // For the table of cuts: every candidate compared, before `accept` decides (the cuts
        // looser than the rule in use would otherwise show its own result again).
        let mine = Prepared::new(&f.thumb).expect("a fingerprint's thumbnail");
        for c in index.candidates(&f.hashes, Some(i as u32)) {
            let theirs = Prepared::new(&files[c.entry as usize].2.thumb).unwrap();
            let m = compare::compare_hinted(&mine, &theirs, &c.crop_hints());
            if m.similarity >= 0.965 {
                verified.push((i, c.entry as usize, m.similarity, c.distance));
            }
        }
        let right = found
            .iter()
            .filter(|v| group.is_some() && files[v.entry as usize].0 == *group)
            .count() as u64;
        let wrong = found.len() as u64 - right;
        pairs_right += right;
        pairs_wrong += wrong;
        if !found.is_empty() {
            flagged += 1;
            if right == 0 {
                flagged_wrongly += 1;
            }
        }
        for v in found.iter().filter(|v| files[v.entry as usize].0 != *group) {
            if wrong_examples.len() < 10 {
                let o = &files[v.entry as usize];
                wrong_examples.push(format!(
                    "{group:?}/{what} ~ {:?}/{} ({:.3})",
                    o.0, o.1, v.matched.similarity
                ));
            }
        }
        if group.is_some() {
            let kind = if what.starts_with("resized") {
                "resized50-150".to_string()
            } else {
                what.clone()
            };
            let e = by_kind.entry(kind).or_default();
            e.0 += 1;
            // A copy counts when it finds its original; the original when it finds any copy.
            let hit = found.iter().any(|v| {
                files[v.entry as usize].0 == *group
                    && (what == "original" || files[v.entry as usize].1 == "original")
            });
            e.1 += u64::from(hit);
        }
    }
    let copies: (u64, u64) = by_kind
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "original" | "mirrored"))
        .fold((0, 0), |a, (_, v)| (a.0 + v.0, a.1 + v.1));
    let recall_of = |(n, hit): (u64, u64)| hit as f64 / n.max(1) as f64;
    println!(
        "{}",
        serde_json::json!({
            "photo": format!("{width}x{height}"),
            "originals": originals,
            "hard_negatives": negatives,
            "files": files.len(),
            "recall_copies": recall_of(copies),
            "recall_originals": recall_of(by_kind["original"]),
            "recall_by_alteration": by_kind
                .iter()
                .map(|(k, v)| (k.clone(), recall_of(*v)))
                .collect::<BTreeMap<_, _>>(),
            "pairs_right": pairs_right / 2,
            "pairs_wrong": pairs_wrong / 2,
            "files_flagged": flagged,
            "files_flagged_without_a_true_match": flagged_wrongly,
            "precision_files": 1.0 - flagged_wrongly as f64 / flagged.max(1) as f64,
            "precision_pairs": pairs_right as f64 / (pairs_right + pairs_wrong).max(1) as f64,
            "wrong_examples": wrong_examples,
            "by_threshold": by_threshold(&files, &verified),
        })
    );
}

/// Decoded upright and saved again at `quality` without EXIF (WeChat's re-compression).
fn reencode(source: &[u8], orientation: Option<u16>, quality: u8) -> Vec<u8> {
    let img = image::load_from_memory(source).unwrap().into_rgb8();
    let img = match orientation {
        Some(6) => image::imageops::rotate90(&img),
        _ => img,
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// Recall of copies and precision by file at thresholds above the one in use: what raising
/// `similar::MIN_SIMILARITY` would give on this set.
fn by_threshold(
    files: &[(Option<u32>, String, Fingerprint)],
    verified: &[(usize, usize, f32, u32)],
) -> Vec<serde_json::Value> {
    let rules: Vec<(f32, u32)> = [0.965f32, 0.975, 0.98, 0.985]
        .iter()
        .flat_map(|&t| [64u32, 12, 10, 8, 6].map(|d| (t, d)))
        .collect();
    rules
        .iter()
        .map(|&(t, dmax)| {
            // Kept: similar enough, and either close hashes or a clearly higher similarity.
            let kept: Vec<&(usize, usize, f32, u32)> = verified
                .iter()
                .filter(|v| v.2 >= t && (v.3 <= dmax || v.2 >= 0.99))
                .collect();
            let (mut copies, mut hit) = (0u64, 0u64);
            let (mut flagged, mut wrong) = (0u64, 0u64);
            for (i, (group, what, _)) in files.iter().enumerate() {
                let mine: Vec<usize> = kept.iter().filter(|v| v.0 == i).map(|v| v.1).collect();
                if group.is_some() && what != "original" {
                    copies += 1;
                    hit += u64::from(
                        mine.iter()
                            .any(|&j| files[j].0 == *group && files[j].1 == "original"),
                    );
                }
                if !mine.is_empty() {
                    flagged += 1;
                    wrong += u64::from(
                        !mine
                            .iter()
                            .any(|&j| group.is_some() && files[j].0 == *group),
                    );
                }
            }
            serde_json::json!({
                "min_similarity": t,
                "max_distance_below_0_99": dmax,
                "recall_copies": hit as f64 / copies.max(1) as f64,
                "precision_files": 1.0 - wrong as f64 / flagged.max(1) as f64,
            })
        })
        .collect()
}
