//! What a visual fingerprint costs, and what looking one up among a million costs (issue 16).
//!
//! Makes phone-sized JPEGs (4000×3000, quality 90) of generated activity photos, then times per
//! photo, on one thread: the fingerprint as `archive index` computes it (JPEG decoded at 1/8 by
//! DCT scaling), a full-size decode by the same decoder, and a full-size decode by the `image`
//! crate (zune-jpeg, no scaling). Then a synthetic index of N fingerprints' hashes and the
//! time of one candidate lookup. Prints JSON.
//!
//! `cargo run --release --example similar_bench -- [PHOTOS] [INDEX_SIZE]`

use std::time::Instant;

use archive::sample::altered::event_pixels;
use archive::similar::{fingerprint, Index};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let photos: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(8);
    let index_size: u32 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);

    let jpegs: Vec<Vec<u8>> = (0..photos)
        .map(|seed| {
            let img = event_pixels(seed, 4000, 3000);
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                .encode(
                    img.as_raw(),
                    img.width(),
                    img.height(),
                    image::ExtendedColorType::Rgb8,
                )
                .unwrap();
            out
        })
        .collect();
    let mb = jpegs.iter().map(Vec::len).sum::<usize>() as f64 / 1e6 / f64::from(photos);
    // The same photos as a phone writes them: EXIF with a 160×120 thumbnail, which the index
    // step compares with the picture (similar::exif_thumb).
    let with_thumbs: Vec<Vec<u8>> = jpegs
        .iter()
        .map(|j| {
            let img = image::load_from_memory(j).unwrap().into_rgb8();
            let small = image::imageops::resize(&img, 160, 120, image::imageops::Triangle);
            let mut thumb = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut thumb, 80)
                .encode(small.as_raw(), 160, 120, image::ExtendedColorType::Rgb8)
                .unwrap();
            let spec = archive::sample::jpeg::PhotoSpec {
                make: Some("HUAWEI".into()),
                model: Some("ELE-AL00".into()),
                ..Default::default()
            };
            let tiff = archive::sample::jpeg::exif_tiff_with_thumbnail(&spec, &thumb);
            archive::sample::jpeg::with_exif_segment(j, &tiff)
        })
        .collect();

    let time = |f: &dyn Fn(&[u8])| -> f64 {
        let t = Instant::now();
        for j in &jpegs {
            f(j);
        }
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(photos)
    };
    // One thread: jpeg-decoder would otherwise spread a photo's components over rayon's pool.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (step_ms, fp_ms, full_ms, zune_ms) = pool.install(|| {
        let t = Instant::now();
        for j in &with_thumbs {
            let g = archive::similar::fingerprint::decode_grey(j).unwrap();
            archive::similar::fingerprint::of_grey(&g, None);
            assert!(archive::similar::exif_thumb::thumbnail_agreement(j, &g).is_some());
        }
        let step_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(photos);
        (
            step_ms,
            time(&|j| {
                fingerprint(j, None).unwrap();
            }),
            time(&|j| {
                let mut d = jpeg_decoder::Decoder::new(j);
                d.decode().unwrap();
            }),
            time(&|j| {
                image::load_from_memory(j).unwrap();
            }),
        )
    });

    let mut rng = archive::sample::Rng(7);
    let mut index = Index::new();
    let t = Instant::now();
    for _ in 0..index_size {
        index.add([rng.next(), rng.next(), rng.next()]);
    }
    let build_s = t.elapsed().as_secs_f64();
    let queries = 1000;
    let t = Instant::now();
    let mut found = 0usize;
    for _ in 0..queries {
        let q = [rng.next(), rng.next(), rng.next()];
        found += index.candidates(&q, None).len();
    }
    let lookup_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(queries);

    println!(
        "{}",
        serde_json::json!({
            "photo": "4000x3000 JPEG q90",
            "photo_mb": mb,
            "fingerprint_ms": fp_ms,
            "fingerprints_per_s_per_core": 1000.0 / fp_ms,
            "index_step_with_exif_thumbnail_ms": step_ms,
            "index_step_per_s_per_core": 1000.0 / step_ms,
            "full_decode_jpeg_decoder_ms": full_ms,
            "full_decode_image_zune_ms": zune_ms,
            "index_size": index_size,
            "index_build_s": build_s,
            "lookup_ms": lookup_ms,
            "random_candidates_per_lookup": found as f64 / f64::from(queries),
        })
    );
}
