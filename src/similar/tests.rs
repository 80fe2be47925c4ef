//! Every alteration of a generated activity photo is found, and photos of other events with the
//! same layout are not (src/sample/altered.rs makes both).

use super::*;
use crate::sample::altered::{alter, original, Alteration};

const W: u32 = 480;
const H: u32 = 360;

struct Originals {
    index: Index,
    prints: Vec<Fingerprint>,
    files: Vec<(Vec<u8>, Option<u16>)>,
}

fn originals(n: u32) -> Originals {
    let mut o = Originals {
        index: Index::new(),
        prints: Vec::new(),
        files: Vec::new(),
    };
    for seed in 0..n {
        // Every third photo is stored sideways with EXIF Orientation 6.
        let sideways = seed % 3 == 2;
        let bytes = original(seed, W, H, sideways);
        let orientation = sideways.then_some(6);
        let f = fingerprint(&bytes, orientation).expect("generated photos decode");
        o.index.add(f.hashes);
        o.prints.push(f);
        o.files.push((bytes, orientation));
    }
    o
}

fn found(o: &Originals, f: &Fingerprint, skip: Option<u32>) -> Vec<Verified> {
    near_duplicates(&o.index, f, skip, |e| {
        o.prints.get(e as usize).map(|p| p.thumb.clone())
    })
}

#[test]
fn every_alteration_is_found_and_only_its_original() {
    let o = originals(12);
    let mut missed = Vec::new();
    let mut lowest = 2f32;
    for seed in [0u32, 1, 2, 5] {
        let (bytes, orientation) = &o.files[seed as usize];
        for a in Alteration::ALL {
            let copy = alter(bytes, *orientation, a);
            // The copy has no EXIF: it is upright as stored.
            let f = fingerprint(&copy, None).unwrap();
            let got = found(&o, &f, None);
            let entries: Vec<u32> = got.iter().map(|v| v.entry).collect();
            lowest = lowest.min(compare(&o.prints[seed as usize].thumb, &f.thumb).similarity);
            if entries != [seed] {
                missed.push(format!("seed {seed} {}: {got:?}", a.name()));
            }
        }
    }
    assert!(missed.is_empty(), "{missed:#?}");
    assert!(lowest >= MIN_SIMILARITY, "least similar copy: {lowest}");
}

#[test]
fn a_cropped_copy_is_aligned_as_a_crop() {
    let o = originals(1);
    let copy = alter(&o.files[0].0, None, Alteration::Cropped);
    let f = fingerprint(&copy, None).unwrap();
    let m = compare(&o.prints[0].thumb, &f.thumb);
    assert!(m.similarity > 0.95, "{m:?}");
    assert!(
        (0.04..=0.08).contains(&m.crop),
        "the copy is the original's centre: {m:?}"
    );
}

/// Two photos whose hashes are as close one way round as the other (the original's whole
/// against the copy's centre, and the original's centre against the copy's whole) suggest
/// opposite crops. A pair is verified from one side only when both are new, so the answer must
/// not depend on which side asks: both crops are tried, and both sides find the same match.
#[test]
fn a_tie_between_opposite_crops_is_verified_alike_from_either_side() {
    let o = originals(1);
    let copy = alter(&o.files[0].0, None, Alteration::Cropped);
    let f = fingerprint(&copy, None).unwrap();
    // Hashes made so that original 0 ~ copy 1 and original 1 ~ copy 0 are both 3 bits apart,
    // everything else far: the tie the index cannot break by distance or amount of crop.
    let a = [
        0x0123_4567_89ab_cdef_u64,
        0xfedc_ba98_7654_3210,
        0x0f0f_0f0f_0f0f_0f0f,
    ];
    let b = [a[1] ^ 0b111 << 20, a[0] ^ 0b111 << 40, !a[2]];
    let mut index = Index::new();
    index.add(a);
    index.add(b);
    let from_a = index.candidates(&a, Some(0));
    let from_b = index.candidates(&b, Some(1));
    assert_eq!((from_a.len(), from_b.len()), (1, 1));
    let (ca, cb) = (from_a[0], from_b[0]);
    assert_eq!((ca.distance, cb.distance), (3, 3));
    assert!(ca.opposite_tie && cb.opposite_tie, "{ca:?} {cb:?}");
    let (pa, pb) = (
        Prepared::new(&o.prints[0].thumb).unwrap(),
        Prepared::new(&f.thumb).unwrap(),
    );
    let ma = verify(&pa, &pb, &ca).expect("found from the original's side");
    let mb = verify(&pb, &pa, &cb).expect("found from the copy's side");
    assert_eq!(ma.similarity, mb.similarity);
    assert_eq!(ma.crop, -mb.crop);
    assert!((0.04..=0.08).contains(&ma.crop), "{ma:?}");
}

#[test]
fn photos_of_other_events_with_the_same_layout_are_not_near_duplicates() {
    let o = originals(24);
    let mut pairs = Vec::new();
    let mut closest = -1f32;
    for (i, f) in o.prints.iter().enumerate() {
        for v in found(&o, f, Some(i as u32)) {
            pairs.push((i, v));
        }
        for (j, g) in o.prints.iter().enumerate() {
            if i != j {
                closest = closest.max(compare(&f.thumb, &g.thumb).similarity);
            }
        }
    }
    assert!(pairs.is_empty(), "{pairs:?}");
    // The margin the threshold stands on, so that a change that erodes it shows here.
    assert!(
        closest < MIN_SIMILARITY - 0.01,
        "closest look-alikes: {closest}"
    );
}

#[test]
fn a_sideways_photo_and_its_upright_copy_have_the_same_fingerprint_hashes() {
    let sideways = original(7, W, H, true);
    let upright = original(7, W, H, false);
    let a = fingerprint(&sideways, Some(6)).unwrap();
    let b = fingerprint(&upright, None).unwrap();
    let d: Vec<u32> = a
        .hashes
        .iter()
        .zip(b.hashes)
        .map(|(x, y)| (x ^ y).count_ones())
        .collect();
    assert!(d.iter().all(|&d| d <= 4), "{d:?}");
    assert!(compare(&a.thumb, &b.thumb).similarity > 0.97);
}

#[test]
fn what_cannot_be_fingerprinted_says_why() {
    // JPEG XL (and text, and anything else no decoder here reads) is not a picture format
    // fingerprinted; a GIF is, and a broken one says it cannot be decoded.
    assert_eq!(
        fingerprint(b"\xFF\x0A\xFA\x7F....", None),
        Err(FingerprintError::Unsupported)
    );
    assert_eq!(
        fingerprint("会议纪要".as_bytes(), None),
        Err(FingerprintError::Unsupported)
    );
    assert!(matches!(
        fingerprint(b"GIF89a....", None),
        Err(FingerprintError::Decode(_))
    ));
    assert!(matches!(
        fingerprint(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 2], None),
        Err(FingerprintError::Decode(_))
    ));
}

#[test]
fn hashes_survive_their_stored_form() {
    let f = Fingerprint {
        hashes: [1, u64::MAX, 0x0123_4567_89ab_cdef],
        thumb: vec![0; THUMB * THUMB],
    };
    assert_eq!(Fingerprint::hashes_from(&f.hash_bytes()), Some(f.hashes));
    assert_eq!(Fingerprint::hashes_from(&[0; 5]), None);
}

/// The index finds a hash within 7 bits whatever bits differ, among many unrelated ones.
#[test]
fn the_index_finds_every_hash_within_seven_bits() {
    let mut rng = crate::sample::Rng(99);
    let mut index = Index::new();
    for _ in 0..20_000 {
        index.add([rng.next(), rng.next(), rng.next()]);
    }
    for trial in 0..200 {
        let target = rng.below(20_000) as u32;
        let mut q = [rng.next(), rng.next(), rng.next()];
        let mut h = index_hashes(&index, target)[0];
        for _ in 0..(trial % 8) {
            h ^= 1 << rng.below(64);
        }
        q[1] = h;
        let f = Fingerprint {
            hashes: q,
            thumb: Vec::new(),
        };
        assert!(
            index
                .candidates(&f.hashes, None)
                .iter()
                .any(|c| c.entry == target),
            "trial {trial}"
        );
    }
}

fn index_hashes(index: &Index, entry: u32) -> [u64; KINDS] {
    index.hashes_of(entry)
}

/// Opt-in (`EVIDENCE_DEV_CORPUS=…/shared/corpus`): the EXIF thumbnails of the corpus's JPEGs
/// against their pictures, printed, and none of the unedited ones below `MIN_AGREEMENT`.
#[test]
#[ignore = "needs EVIDENCE_DEV_CORPUS"]
fn corpus_exif_thumbnails_agree_with_their_pictures() {
    let Some(root) = std::env::var_os("EVIDENCE_DEV_CORPUS") else {
        return;
    };
    let mut stack = vec![std::path::PathBuf::from(root).join("photos")];
    let mut low = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let Ok(main) = fingerprint::decode_grey(&bytes) else {
                continue;
            };
            if let Some(a) = exif_thumb::thumbnail_agreement(&bytes, &main) {
                println!("{a:.3}  {}", p.display());
                if a < exif_thumb::MIN_AGREEMENT {
                    low.push(format!("{a:.3} {}", p.display()));
                }
            }
        }
    }
    println!("below {}: {low:#?}", exif_thumb::MIN_AGREEMENT);
}

#[test]
fn a_stale_exif_thumbnail_disagrees_and_a_fresh_one_agrees() {
    use crate::sample::authenticity::{camera_original, edited_with_stale_thumbnail};
    let agreement = |bytes: &[u8]| {
        let main = fingerprint::decode_grey(bytes).unwrap();
        exif_thumb::thumbnail_agreement(bytes, &main).expect("a thumbnail that decodes")
    };
    let fresh = agreement(&camera_original(4));
    let stale = agreement(&edited_with_stale_thumbnail(4));
    assert!(fresh > 0.9, "fresh {fresh}");
    assert!(stale < exif_thumb::MIN_AGREEMENT - 0.2, "stale {stale}");
    // Without EXIF there is nothing to compare.
    let plain = crate::sample::altered::alter(&camera_original(4), None, Alteration::ExifStripped);
    let main = fingerprint::decode_grey(&plain).unwrap();
    assert_eq!(exif_thumb::thumbnail_agreement(&plain, &main), None);
}

#[test]
fn small_jpegs_decoded_luma_only_match_their_dct_scaled_decode() {
    // Photos under 512 pixels go through zune-jpeg's luma-only decode; catalogs made before
    // that kept jpeg-decoder's fingerprints of them, which must still find the same picture.
    for (seed, w, h) in [
        (3u32, 160u32, 120u32),
        (4, 320, 240),
        (7, 500, 300),
        (8, 90, 120),
        (9, 203, 151),
        (10, 310, 97),
    ] {
        let bytes = original(seed, w, h, false);
        let luma = fingerprint::decode_small_jpeg(&bytes, 64).expect("small enough for luma");
        let (scaled, _) = fingerprint::decode_jpeg_scaled(&bytes, {
            // jpeg-decoder's own choice for the same request (see decode_small_jpeg).
            let long = w.max(h);
            [4u32, 2]
                .into_iter()
                .find(|f| long.div_ceil(*f) >= 64)
                .unwrap_or(1) as u16
        })
        .unwrap();
        assert_eq!(
            (luma.width, luma.height),
            (scaled.width, scaled.height),
            "{w}×{h}: both decodes are the same size"
        );
        let (a, b) = (
            fingerprint::of_grey(&luma, None),
            fingerprint::of_grey(&scaled, None),
        );
        let farthest = (0..KINDS)
            .map(|k| (a.hashes[k] ^ b.hashes[k]).count_ones())
            .max()
            .unwrap();
        let m = compare(&a.thumb, &b.thumb);
        assert!(
            farthest <= 3 && m.similarity >= SURE_SIMILARITY,
            "{w}×{h}: hashes {farthest} bits apart, thumbnails {m:?}"
        );
    }
}

#[test]
fn a_mirrored_copy_is_found_and_said_to_be_mirrored() {
    let o = originals(12);
    for seed in [0u32, 2, 5, 7] {
        let (bytes, orientation) = &o.files[seed as usize];
        let copy = alter(bytes, *orientation, Alteration::Mirrored);
        let f = fingerprint(&copy, None).unwrap();
        let got = found(&o, &f, None);
        let entries: Vec<(u32, bool)> = got.iter().map(|v| (v.entry, v.matched.mirrored)).collect();
        assert_eq!(entries, [(seed, true)], "seed {seed}: {got:?}");
    }
    // Unflipped copies still match as they are, not as mirrors of something else.
    let (bytes, orientation) = &o.files[3];
    let f = fingerprint(&alter(bytes, *orientation, Alteration::Recompressed), None).unwrap();
    let got = found(&o, &f, None);
    let entries: Vec<(u32, bool)> = got.iter().map(|v| (v.entry, v.matched.mirrored)).collect();
    assert_eq!(entries, [(3, false)], "{got:?}");
}
