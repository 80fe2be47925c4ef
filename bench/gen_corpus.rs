//! Generates the benchmark corpora of `bench/run.sh`: nothing is downloaded, every byte is
//! made here from a fixed seed, so two machines measure the same trees.
//!
//! Usage: `cargo run --release --example gen_corpus -- KIND DIR [N] [BYTES]`
//!
//! - `mixed DIR N BYTES`: N files totalling about BYTES: phone photos with EXIF, UTF-8 and GBK
//!   text, CSV, MP4 clips, opaque binaries; under prefecture/county/activity folders.
//! - `jpegs DIR N`: N JPEGs with EXIF from six camera profiles (byte orders, GPS layouts,
//!   offsets or none), each with its own time and place; `DIR/../jpegs-truth.tsv` lists what
//!   each one says (path, capture time, lat, lon) for checking a reader.
//! - `small DIR N`: N small text files in batches of 100 under place and activity folders.
//! - `video DIR BYTES`: one sparse MP4 of BYTES (4 GiB by default) with a real header, plus a
//!   few small files beside it.
//!
//! Photos are real JPEGs (the project's own encoder and EXIF writer); bulk is reached by
//! padding after the JPEG end marker, which readers ignore, so generating a gigabyte costs
//! seconds rather than minutes.

use std::fs;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use archive::sample::jpeg::{camera_tables, encode_pixels, exif_tiff, with_exif_segment};
use archive::sample::{GpsLayout, Pattern, PhotoSpec, Rng};
use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime};

const PLACES: &[(&str, &str, f64, f64)] = &[
    ("西宁市", "城东区", 36.62, 101.80),
    ("西宁市", "湟中区", 36.50, 101.57),
    ("海东市", "互助土族自治县", 36.84, 101.95),
    ("海东市", "乐都区", 36.48, 102.40),
    ("海北藏族自治州", "海晏县", 36.90, 100.99),
    ("黄南藏族自治州", "同仁市", 35.52, 102.02),
    ("海南藏族自治州", "共和县", 36.28, 100.62),
    ("果洛藏族自治州", "玛沁县", 34.48, 100.24),
    ("玉树藏族自治州", "称多县", 33.37, 97.11),
    ("海西蒙古族藏族自治州", "格尔木市", 36.40, 94.90),
];

const ACTIVITIES: &[&str] = &[
    "科普大篷车进校园",
    "全国科普日活动",
    "科技活动周",
    "青少年科技创新大赛",
    "农民科学素质培训",
    "科普宣传栏建设",
    "院士专家报告会",
    "全民科学素质工作总结",
];

/// A camera as its files look: who wrote it, in which byte order, how GPS is laid out, and
/// whether it records the zone.
struct Profile {
    make: &'static str,
    model: &'static str,
    little_endian: bool,
    layout: Option<GpsLayout>,
    offset: bool,
    software: Option<&'static str>,
}

const PROFILES: &[Profile] = &[
    Profile {
        make: "Apple",
        model: "iPhone 8",
        little_endian: false,
        layout: Some(GpsLayout::Dms),
        offset: true,
        software: Some("13.3"),
    },
    Profile {
        make: "HUAWEI",
        model: "VOG-AL00",
        little_endian: true,
        layout: Some(GpsLayout::Dms),
        offset: false,
        software: None,
    },
    Profile {
        make: "Xiaomi",
        model: "MI 8",
        little_endian: true,
        layout: Some(GpsLayout::DecimalMinutes),
        offset: false,
        software: None,
    },
    Profile {
        make: "Canon",
        model: "Canon EOS 80D",
        little_endian: true,
        layout: None,
        offset: false,
        software: None,
    },
    Profile {
        make: "DJI",
        model: "FC6310",
        little_endian: true,
        layout: Some(GpsLayout::Degrees),
        offset: false,
        software: None,
    },
    Profile {
        make: "samsung",
        model: "SM-G9650",
        little_endian: true,
        layout: Some(GpsLayout::Dms),
        offset: true,
        software: None,
    },
];

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2017, 3, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

/// One photo's metadata: profile `i % 6`, a time walking through 2017–2020, a point near its
/// county. Returns the spec and the truth (capture time with zone, lat, lon).
fn photo_spec(i: u64, rng: &mut Rng) -> (PhotoSpec, &'static Profile, String, Option<(f64, f64)>) {
    let p = &PROFILES[(i % PROFILES.len() as u64) as usize];
    let place = PLACES[(i / 7 % PLACES.len() as u64) as usize];
    let when = start() + Duration::minutes((i * 397 + rng.below(300)) as i64);
    let cst = FixedOffset::east_opt(8 * 3600).unwrap();
    // Rounded to 1e-5 degrees (about a metre), finer than any layout's rounding error.
    let mut jitter =
        |centre: f64| ((centre + (rng.below(2000) as f64 - 1000.0) / 20000.0) * 1e5).round() / 1e5;
    let gps = p.layout.map(|_| (jitter(place.2), jitter(place.3)));
    let spec = PhotoSpec {
        width: 160,
        height: 120,
        pattern: Pattern::Scene((i % 64) as u32),
        make: Some(p.make.into()),
        model: Some(p.model.into()),
        software: p.software.map(Into::into),
        orientation: Some(1),
        date_time_original: Some(when),
        create_date: Some(when),
        modify_date: Some(when),
        offset_time_original: p.offset.then_some(cst),
        gps,
        gps_layout: p.layout.unwrap_or(GpsLayout::Dms),
        little_endian: p.little_endian,
        ..PhotoSpec::default()
    };
    let truth = format!("{}+08:00", when.format("%Y-%m-%dT%H:%M:%S"));
    (spec, p, truth, gps)
}

/// Each photo has pixels of its own, as in real evidence: a tree where photos share their
/// pixels would be one huge near-duplicate group (every photo paired with every other of its
/// scene), which no province submits and which measures the pairing step, not the index.
/// Quantization tables are a camera's own, not IJG's: with IJG's tables under a camera's EXIF
/// every file would be flagged as re-encoded, which real camera originals are not.
struct Photos;

impl Photos {
    fn new() -> Photos {
        Photos
    }
    fn make(&self, spec: &PhotoSpec, scene: usize) -> Vec<u8> {
        let pixels = camera_tables(encode_pixels(&PhotoSpec {
            width: 160,
            height: 120,
            pattern: Pattern::Scene(scene as u32),
            ..PhotoSpec::default()
        }));
        match exif_tiff(spec) {
            Some(t) => with_exif_segment(&pixels, &t),
            None => pixels,
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(d) = path.parent() {
        fs::create_dir_all(d)?;
    }
    fs::write(path, bytes)
}

fn folder(dir: &Path, i: u64) -> PathBuf {
    let (pref, county, _, _) = PLACES[(i / 7 % PLACES.len() as u64) as usize];
    let act = ACTIVITIES[(i / 3 % ACTIVITIES.len() as u64) as usize];
    dir.join(pref).join(county).join(act)
}

/// A minimal ISO BMFF file: ftyp, moov (mvhd with creation time and duration, udta ©xyz with
/// the place), then an mdat header announcing `payload` bytes that follow.
fn mp4_header(created_unix: i64, duration_s: u32, place: (f64, f64), payload: u64) -> Vec<u8> {
    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((8 + body.len()) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }
    let mut out = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
    let created = (created_unix + 2_082_844_800) as u32; // seconds since 1904-01-01 UTC
    let mut mvhd = vec![0u8; 4]; // version 0, flags
    mvhd.extend_from_slice(&created.to_be_bytes());
    mvhd.extend_from_slice(&created.to_be_bytes());
    mvhd.extend_from_slice(&1000u32.to_be_bytes());
    mvhd.extend_from_slice(&(duration_s * 1000).to_be_bytes());
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    mvhd.extend_from_slice(&[0u8; 10]);
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        mvhd.extend_from_slice(&v.to_be_bytes());
    }
    mvhd.extend_from_slice(&[0u8; 24]);
    mvhd.extend_from_slice(&2u32.to_be_bytes()); // next track id
    let iso6709 = format!("{:+08.4}{:+09.4}/", place.0, place.1);
    let mut xyz = (iso6709.len() as u16).to_be_bytes().to_vec();
    xyz.extend_from_slice(&0x15c7u16.to_be_bytes()); // language
    xyz.extend_from_slice(iso6709.as_bytes());
    let udta = boxed(b"udta", &boxed(b"\xa9xyz", &xyz));
    let mut moov_body = boxed(b"mvhd", &mvhd);
    moov_body.extend_from_slice(&udta);
    out.extend_from_slice(&boxed(b"moov", &moov_body));
    // 64-bit mdat size: size field 1, then the large size including the 16-byte header.
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend_from_slice(&(payload + 16).to_be_bytes());
    out
}

fn mixed(dir: &Path, n: u64, total: u64) -> io::Result<()> {
    let photos = Photos::new();
    let mut rng = Rng(0x00C0_FFEE);
    let avg = total / n.max(1);
    let mut written = 0u64;
    for i in 0..n {
        // Sizes vary around the average so the mix looks like real submissions.
        let target = (avg / 4 + rng.below(avg * 3 / 2)).max(64) as usize;
        // Text and CSV stay small, as real ones do; photos, clips and binaries carry the bulk.
        let bulk = target * 16 / 10;
        let base = folder(dir, i);
        let (bytes, name) = match i % 10 {
            0..=3 => {
                let (spec, _, _, _) = photo_spec(i, &mut rng);
                let mut b = photos.make(&spec, i as usize);
                if b.len() < bulk {
                    let at = b.len();
                    b.resize(bulk, 0);
                    rng.fill(&mut b[at..]);
                }
                (b, format!("IMG_{i:06}.jpg"))
            }
            4 | 5 => {
                let act = ACTIVITIES[(i % ACTIVITIES.len() as u64) as usize];
                let line = format!(
                    "{act}：第{i}场，参加群众{}人，发放资料{}份。\n",
                    rng.below(800),
                    rng.below(5000)
                );
                let mut s = String::new();
                // Notes and reports: a few pages of text each, as submitted evidence has.
                while s.len() < (2048 + target / 8).min(16 * 1024) {
                    s.push_str(&line);
                }
                (s.into_bytes(), format!("{act}记录{i:06}.txt"))
            }
            6 => {
                // Windows Notepad in China saved GBK for years.
                let s = format!("活动简报 {i}\n{}\n", ACTIVITIES[(i % 8) as usize]).repeat(40);
                (
                    encoding_rs::GBK.encode(&s).0.into_owned(),
                    format!("简报{i:06}.txt"),
                )
            }
            7 => {
                let mut s = String::from("序号,县区,活动,人数\n");
                for r in 0..(target / 400).clamp(1, 400) {
                    s.push_str(&format!(
                        "{r},{},{},{}\n",
                        PLACES[r % PLACES.len()].1,
                        ACTIVITIES[r % 8],
                        rng.below(900)
                    ));
                }
                (s.into_bytes(), format!("统计表{i:06}.csv"))
            }
            8 => {
                let place = PLACES[(i / 7 % PLACES.len() as u64) as usize];
                let payload = bulk as u64;
                let mut b = mp4_header(
                    1_500_000_000 + (i as i64) * 3600,
                    30 + (i % 300) as u32,
                    (place.2, place.3),
                    payload,
                );
                let at = b.len();
                b.resize(at + payload as usize, 0);
                rng.fill(&mut b[at..]);
                (b, format!("VID_{i:06}.mp4"))
            }
            _ => {
                let mut b = vec![0u8; bulk];
                rng.fill(&mut b);
                (b, format!("附件{i:06}.dat"))
            }
        };
        written += bytes.len() as u64;
        write(&base.join(name), &bytes)?;
    }
    eprintln!(
        "mixed: {n} files, {:.2} GB in {}",
        written as f64 / 1e9,
        dir.display()
    );
    Ok(())
}

fn jpegs(dir: &Path, n: u64) -> io::Result<()> {
    let photos = Photos::new();
    let mut rng = Rng(0x5EED_1234);
    let truth_path = dir.with_file_name(format!(
        "{}-truth.tsv",
        dir.file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let mut truth = io::BufWriter::new(fs::File::create(&truth_path)?);
    for i in 0..n {
        let (spec, p, when, gps) = photo_spec(i, &mut rng);
        let path = folder(dir, i).join(format!(
            "{}_{}_{i:06}.jpg",
            p.make,
            p.model.replace(' ', "")
        ));
        write(&path, &photos.make(&spec, i as usize))?;
        let (lat, lon) = gps
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or_default();
        writeln!(truth, "{}\t{when}\t{lat}\t{lon}", path.display())?;
    }
    eprintln!(
        "jpegs: {n} photos in {}, truth in {}",
        dir.display(),
        truth_path.display()
    );
    Ok(())
}

fn small(dir: &Path, n: u64) -> io::Result<()> {
    // Batches of 100 under place and activity folders: the tagger and the facets have work,
    // and the text gives the search bench Chinese words to find.
    let mut d = PathBuf::new();
    for i in 0..n {
        if i % 100 == 0 {
            d = folder(dir, i / 100).join(format!("批次{:04}", i / 100));
            fs::create_dir_all(&d)?;
        }
        let act = ACTIVITIES[(i % ACTIVITIES.len() as u64) as usize];
        fs::write(
            d.join(format!("记录{i:06}.txt")),
            format!("{act} 第{i}条记录，{}年\n", 2016 + i % 5),
        )?;
    }
    eprintln!("small: {n} files in {}", dir.display());
    Ok(())
}

fn video(dir: &Path, size: u64) -> io::Result<()> {
    fs::create_dir_all(dir.join("海东市/互助土族自治县/科普大篷车进校园"))?;
    let path = dir.join("海东市/互助土族自治县/科普大篷车进校园/全程录像.mp4");
    let header = mp4_header(1_568_512_800, 7200, (36.84, 101.95), 0);
    let payload = size.saturating_sub(header.len() as u64);
    let header = mp4_header(1_568_512_800, 7200, (36.84, 101.95), payload);
    let mut f = fs::File::create(&path)?;
    f.write_all(&header)?;
    // Sparse: the file system stores no blocks for the zeros, but every reader sees them.
    f.set_len(size)?;
    f.seek(SeekFrom::End(0))?;
    small(&dir.join("签到表"), 20)?;
    eprintln!("video: {} ({size} bytes, sparse)", path.display());
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (Some(kind), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: gen_corpus mixed|jpegs|small|video DIR [N] [BYTES]");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let r = match kind.as_str() {
        "mixed" => mixed(&dir, num(2, 10_000), num(3, 1_100_000_000)),
        "jpegs" => jpegs(&dir, num(2, 5_000)),
        "small" => small(&dir, num(2, 100_000)),
        "video" => video(&dir, num(2, 4 << 30)),
        other => {
            eprintln!("unknown corpus {other:?}: use mixed, jpegs, small or video");
            std::process::exit(2);
        }
    };
    if let Err(e) = r {
        eprintln!("gen_corpus: writing into {}: {e}", dir.display());
        std::process::exit(1);
    }
}
