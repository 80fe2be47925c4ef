//! A fuzz driver that runs on stable Rust, beside the cargo-fuzz targets.
//!
//! cargo-fuzz needs a nightly toolchain and rebuilds every dependency with sanitizers (tantivy
//! and pdf_oxide included: most of an hour on a shared 2-core machine). This driver reuses the
//! ordinary build: it mutates seed files (generated here, plus any folders given, such as the
//! dev corpus) with byte-level and format-aware mutations, keeps inputs that make the target
//! behave differently (a crude stand-in for coverage feedback), and records every panic and
//! every input that runs too long under `fuzz/artifacts/TARGET/`.
//!
//! Usage: `cargo run --example fuzz_stable -- TARGET SECONDS [SEED_DIR...]`
//! Prints one JSON line: executions, CPU seconds, crashes, slow inputs, corpus size.

#[path = "targets.rs"]
mod targets;

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use archive::sample::jpeg::jpeg;
use archive::sample::{GpsLayout, Pattern, PhotoSpec, Rng};

/// An input that takes more CPU than this is saved as slow; one that runs (wall time) past
/// `HANG` ends the run.
const SLOW: Duration = Duration::from_secs(1);
const HANG: Duration = Duration::from_secs(20);
const MAX_INPUT: usize = 1 << 20;
const MAX_CORPUS: usize = 2000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `fuzz/run.sh` asks for the list instead of keeping its own.
    if args.first().map(String::as_str) == Some("--list") {
        for name in targets::names() {
            println!("{name}");
        }
        return;
    }
    let (Some(target), Some(secs)) = (
        args.first(),
        args.get(1).and_then(|s| s.parse::<u64>().ok()),
    ) else {
        eprintln!(
            "usage: fuzz_stable TARGET SECONDS [SEED_DIR...] | --list; targets: {:?}",
            targets::names()
        );
        std::process::exit(2);
    };
    if targets::target(target).is_none() {
        eprintln!("unknown target {target:?}; targets: {:?}", targets::names());
        std::process::exit(2);
    }
    let target: &'static str = Box::leak(target.clone().into_boxed_str());
    if secs == 0 {
        replay(target, &args[2..]);
        return;
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let artifacts = here.join("artifacts").join(target);
    std::fs::create_dir_all(&artifacts).expect("create fuzz/artifacts");

    let mut corpus = builtin_seeds(target);
    for dir in &args[2..] {
        corpus.extend(seeds_from(Path::new(dir), target));
    }
    corpus.extend(seeds_from(&here.join("regressions").join(target), target));
    corpus.retain(|s| s.len() <= MAX_INPUT);
    if corpus.is_empty() {
        corpus.push(b"seed".to_vec());
    }
    let seeds = corpus.len();

    // Panics are findings: keep their message and location, print nothing per panic.
    let last_panic: Arc<Mutex<String>> = Arc::default();
    {
        let last_panic = Arc::clone(&last_panic);
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            *last_panic.lock().unwrap() = format!("{msg} at {at}");
        }));
    }

    // The watchdog saves the input of a run that never returns, then ends the process.
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let started_ms = Arc::new(AtomicU64::new(0));
    let clock = Instant::now();
    {
        let (current, started_ms, artifacts) = (
            Arc::clone(&current),
            Arc::clone(&started_ms),
            artifacts.clone(),
        );
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(250));
            let s = started_ms.load(Ordering::Relaxed);
            if s != 0 && clock.elapsed().as_millis() as u64 - s > HANG.as_millis() as u64 {
                let data = current.lock().unwrap().clone();
                let path = artifacts.join(format!("hang-{}", &blake3::hash(&data).to_hex()[..16]));
                let _ = std::fs::write(&path, &data);
                eprintln!(
                    "{target}: input ran over {HANG:?}: saved {}",
                    path.display()
                );
                std::process::exit(3);
            }
        });
    }

    // Warm-up outside the clock: the first call loads dictionaries and builds the in-memory
    // index, which is not the input's fault.
    let _ = std::panic::catch_unwind(|| targets::run(target, &corpus[0]));

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64);
    let mut seen: HashSet<String> = HashSet::new();
    let mut crashes: HashMap<String, PathBuf> = HashMap::new();
    let mut slow = 0u64;
    let mut execs = 0u64;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut i = 0usize;
    while Instant::now() < deadline {
        // The seeds as they are first, then mutants.
        let input = if i < corpus.len() && execs < seeds as u64 {
            corpus[i].clone()
        } else {
            mutate(target, &corpus, &mut rng)
        };
        i += 1;
        *current.lock().unwrap() = input.clone();
        started_ms.store(clock.elapsed().as_millis().max(1) as u64, Ordering::Relaxed);
        // CPU time, not wall time: on a shared machine wall time mostly measures the neighbours.
        let cpu_before = cpu_seconds();
        let outcome = std::panic::catch_unwind(|| targets::run(target, &input));
        let took = Duration::from_secs_f64((cpu_seconds() - cpu_before).max(0.0));
        started_ms.store(0, Ordering::Relaxed);
        execs += 1;
        match outcome {
            Ok(shape) => {
                if seen.insert(shape) && corpus.len() < MAX_CORPUS {
                    corpus.push(input.clone());
                }
            }
            Err(_) => {
                let msg = last_panic.lock().unwrap().clone();
                // One file per distinct panic site; the message's numbers vary per input.
                let site: String = msg.rsplit(" at ").next().unwrap_or(&msg).to_string();
                if let std::collections::hash_map::Entry::Vacant(slot) = crashes.entry(site) {
                    let path =
                        artifacts.join(format!("crash-{}", &blake3::hash(&input).to_hex()[..16]));
                    let _ = std::fs::write(&path, &input);
                    eprintln!("{target}: CRASH {msg}\n  input saved to {}", path.display());
                    slot.insert(path);
                }
            }
        }
        if took > SLOW {
            slow += 1;
            let path = artifacts.join(format!(
                "slow-{}ms-{}",
                took.as_millis(),
                &blake3::hash(&input).to_hex()[..16]
            ));
            let _ = std::fs::write(&path, &input);
            eprintln!(
                "{target}: slow input ({took:?}) saved to {}",
                path.display()
            );
        }
    }
    println!(
        "{{\"target\":\"{target}\",\"seconds\":{secs},\"cpu_s\":{:.1},\"execs\":{execs},\"seeds\":{seeds},\"corpus\":{},\"behaviours\":{},\"crashes\":{},\"slow\":{slow}}}",
        cpu_seconds(),
        corpus.len(),
        seen.len(),
        crashes.len()
    );
    if !crashes.is_empty() {
        std::process::exit(1);
    }
}

/// `fuzz_stable TARGET 0 FILE...`: run each file once and print how long it took (to time a
/// saved finding, or check a fix).
fn replay(target: &'static str, files: &[String]) {
    let _ = std::panic::catch_unwind(|| targets::run(target, b"warm up"));
    for f in files {
        let data = std::fs::read(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        let t = Instant::now();
        let r = std::panic::catch_unwind(|| targets::run(target, &data));
        println!(
            "{f}: {:?} {}",
            t.elapsed(),
            if r.is_ok() { "ok" } else { "PANIC" }
        );
    }
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct we pass; RUSAGE_SELF covers every thread of ours.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

// ---------------------------------------------------------------- seeds

fn extensions(target: &str) -> &'static [&'static str] {
    targets::target(target).map_or(&[], |t| t.extensions)
}

/// Files under `dir` (recursively) whose extension fits the target; any file in a folder
/// named after the target (regression inputs have no extension).
fn seeds_from(dir: &Path, target: &str) -> Vec<Vec<u8>> {
    let exts = extensions(target);
    let own = dir.file_name().is_some_and(|n| n == target);
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            own || e
                .path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x.to_ascii_lowercase().as_str()))
        })
        .filter(|e| {
            e.metadata()
                .map(|m| m.len() as usize <= MAX_INPUT)
                .unwrap_or(false)
        })
        .take(300)
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect()
}

fn builtin_seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "photo" => photo_seeds(),
        "video" => vec![mp4(true), mp4(false)],
        "pdf" => vec![pdf()],
        "rtf" => vec![
            archive::sample::media::rtf(
                "活动总结",
                "海东市科协",
                &["科普大篷车进校园", "互助县 农牧民科学素质培训"],
            ),
            br"{\rtf1\ansi{\info{\title a}}\uc2\u-3913??{\*\x\bin3 abc}\'e9\par}".to_vec(),
        ],
        "docx" => vec![zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES),
            (
                "word/document.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>科普大篷车进校园活动总结</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t xml:space="preserve">海东市 互助县</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#,
            ),
            ("docProps/core.xml", CORE),
            (
                "docProps/app.xml",
                r#"<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Pages>3</Pages></Properties>"#,
            ),
        ])],
        "xlsx" => vec![
            zip_of(&[
                ("[Content_Types].xml", CONTENT_TYPES),
                (
                    "xl/workbook.xml",
                    r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
                ),
                (
                    "xl/sharedStrings.xml",
                    r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>文件名</t></si><si><t>指标</t></si><si><t>照片1.jpg</t></si><si><t>B4.1</t></si></sst>"#,
                ),
                (
                    "xl/worksheets/sheet1.xml",
                    r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2"><v>43466</v></c></row></sheetData></worksheet>"#,
                ),
            ]),
            xlsx_writer(),
        ],
        "pptx" => vec![zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES),
            (
                "ppt/presentation.xml",
                r#"<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>"#,
            ),
            (
                "ppt/slides/slide1.xml",
                r#"<?xml version="1.0"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>全民科学素质行动计划纲要</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#,
            ),
            (
                "ppt/slides/slide2.xml",
                r#"<?xml version="1.0"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>科技活动周</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#,
            ),
            ("docProps/core.xml", CORE),
        ])],
        "text" => vec![
            "科普大篷车进校园\r\n参加人数,120\r\n".as_bytes().to_vec(),
            encoding_rs::GBK
                .encode("玉树州称多县 农牧民科学素质培训 工作记录\r\n")
                .0
                .into_owned(),
            b"\xEF\xBB\xBF\xE5\xBA\x8F\xE5\x8F\xB7,\xE6\x96\x87\xE4\xBB\xB6\r\n1,a.jpg,B4.1\r\n"
                .to_vec(),
            vec![0xFF, 0xFE, b'a', 0, 0x2C, 0x79, 0x6E, 0x66],
        ],
        _ => [
            "科普",
            "科普大篷车 -互助",
            "\"全民科学素质\" OR 科技",
            "prefecture:海东市 media:photo",
            "(科普 OR 科技) AND year:2019",
            "name:IMG_2019* path:\"海北州/海晏县\"",
            "indicator:B4.1 flag:duplicate",
            "((((a))))",
            "-",
            "\"",
            "a OR",
            "blake3:af13",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
    }
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>活动总结</dc:title><dc:creator>海东市科协</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2019-09-15T08:00:00Z</dcterms:created></cp:coreProperties>"#;

fn photo_seeds() -> Vec<Vec<u8>> {
    let when = chrono::NaiveDate::from_ymd_opt(2019, 9, 15)
        .unwrap()
        .and_hms_opt(10, 30, 0)
        .unwrap();
    let layouts = [
        GpsLayout::Dms,
        GpsLayout::DecimalMinutes,
        GpsLayout::Degrees,
    ];
    let mut out = Vec::new();
    for (i, layout) in layouts.iter().enumerate() {
        for little in [true, false] {
            out.push(jpeg(&PhotoSpec {
                width: 16,
                height: 16,
                pattern: Pattern::Scene(i as u32),
                make: Some("HUAWEI".into()),
                model: Some("VOG-AL00".into()),
                software: Some("Adobe Photoshop CC 2019 (Windows)".into()),
                orientation: Some(6),
                date_time_original: Some(when),
                create_date: Some(when),
                modify_date: Some(when),
                offset_time_original: little
                    .then(|| chrono::FixedOffset::east_opt(8 * 3600).unwrap()),
                subsec_original: Some("123".into()),
                gps: Some((36.84, -101.95)),
                gps_layout: *layout,
                gps_refs: little,
                little_endian: little,
                ..PhotoSpec::default()
            }));
        }
    }
    out.push(jpeg(&PhotoSpec {
        width: 8,
        height: 8,
        zero_dates: true,
        make: Some("x".into()),
        ..PhotoSpec::default()
    }));
    out
}

/// A small MP4: ftyp, moov with mvhd (creation time, duration), a trak with tkhd and mdhd,
/// udta ©xyz; with or without an mdat.
fn mp4(with_mdat: bool) -> Vec<u8> {
    fn boxed(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut b = ((8 + body.len()) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }
    let t = (1_568_512_800u64 + 2_082_844_800) as u32;
    let mut mvhd = vec![0u8; 4];
    for v in [t, t, 1000, 95_000] {
        mvhd.extend_from_slice(&v.to_be_bytes());
    }
    mvhd.extend_from_slice(&[0, 1, 0, 0, 1, 0]);
    mvhd.extend_from_slice(&[0u8; 10 + 36 + 24]);
    mvhd.extend_from_slice(&2u32.to_be_bytes());
    let mut tkhd = vec![0u8, 0, 0, 3];
    for v in [t, t, 1, 0, 95_000] {
        tkhd.extend_from_slice(&v.to_be_bytes());
    }
    tkhd.extend_from_slice(&[0u8; 60]);
    let mut mdhd = vec![0u8; 4];
    for v in [t, t, 90_000, 8_550_000] {
        mdhd.extend_from_slice(&v.to_be_bytes());
    }
    mdhd.extend_from_slice(&[0x15, 0xC7, 0, 0]);
    let hdlr = [&[0u8; 8][..], b"vide", &[0u8; 12], b"VideoHandler\0"].concat();
    let mdia = boxed(
        b"mdia",
        &[boxed(b"mdhd", &mdhd), boxed(b"hdlr", &hdlr)].concat(),
    );
    let trak = boxed(b"trak", &[boxed(b"tkhd", &tkhd), mdia].concat());
    let xyz = [&[0u8, 18, 0x15, 0xC7][..], b"+36.8400+101.9500/"].concat();
    let udta = boxed(b"udta", &boxed(b"\xa9xyz", &xyz));
    let moov = boxed(b"moov", &[boxed(b"mvhd", &mvhd), trak, udta].concat());
    let mut out = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
    if with_mdat {
        out.extend_from_slice(&boxed(b"mdat", &[0u8; 64]));
    }
    out.extend_from_slice(&moov);
    out
}

/// A small PDF with a text page and an Info dictionary, offsets computed so the xref is valid.
fn pdf() -> Vec<u8> {
    let content = "BT /F1 12 Tf 72 720 Td (Kepu dapengche 2019) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        "<< /Title (\u{FE}\u{FF}) /Author (Haidong) /CreationDate (D:20190915103000+08'00') >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let owned: Vec<(String, Vec<u8>)> = entries
        .iter()
        .map(|(n, d)| (n.to_string(), d.as_bytes().to_vec()))
        .collect();
    rezip(&owned)
}

fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        if w.start_file(name.as_str(), opts).is_ok() {
            let _ = w.write_all(data);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn unzip(data: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut a = zip::ZipArchive::new(Cursor::new(data)).ok()?;
    let mut out = Vec::new();
    for i in 0..a.len().min(64) {
        let mut f = a.by_index(i).ok()?;
        let mut buf = Vec::new();
        f.by_ref()
            .take(MAX_INPUT as u64)
            .read_to_end(&mut buf)
            .ok()?;
        out.push((f.name().to_string(), buf));
    }
    Some(out)
}

fn xlsx_writer() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.write_string(0, 0, "文件名");
    let _ = ws.write_string(0, 1, "指标");
    let _ = ws.write_string(1, 0, "海东市/互助县/照片1.jpg");
    let _ = ws.write_string(1, 1, "科普大篷车");
    let _ = ws.write_number(1, 2, 43466.5);
    wb.save_to_buffer().unwrap_or_default()
}

// ---------------------------------------------------------------- mutation

const INTERESTING: &[u64] = &[
    0,
    1,
    0x7F,
    0x80,
    0xFF,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFF,
    u64::MAX,
];

fn mutate(target: &str, corpus: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut data = corpus[rng.index(corpus.len())].clone();
    // Zip containers: most byte flips only break a CRC, so half the time mutate one member's
    // bytes and rebuild the archive, reaching the XML parsers behind it.
    if matches!(target, "docx" | "xlsx" | "pptx") && rng.index(2) == 0 {
        if let Some(mut entries) = unzip(&data) {
            if !entries.is_empty() {
                let k = rng.index(entries.len());
                for _ in 0..1 + rng.index(4) {
                    byte_mutation(&mut entries[k].1, corpus, rng);
                }
                return rezip(&entries);
            }
        }
    }
    for _ in 0..1 + rng.index(6) {
        byte_mutation(&mut data, corpus, rng);
    }
    data.truncate(MAX_INPUT);
    data
}

fn byte_mutation(data: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut Rng) {
    if data.is_empty() {
        data.push(rng.next() as u8);
        return;
    }
    let n = data.len();
    let at = rng.index(n);
    match rng.index(10) {
        0 => data[at] ^= 1 << rng.index(8),
        1 => data[at] = rng.next() as u8,
        2 => {
            // A length, offset or count field set to a boundary value, in either byte order.
            let v = INTERESTING[rng.index(INTERESTING.len())];
            let width = [1usize, 2, 4, 8][rng.index(4)];
            let bytes = if rng.index(2) == 0 {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            };
            let src = if rng.index(2) == 0 {
                &bytes[..width]
            } else {
                &bytes[8 - width..]
            };
            for (i, b) in src.iter().enumerate() {
                if at + i < n {
                    data[at + i] = *b;
                }
            }
        }
        3 => {
            let len = 1 + rng.index(64.min(n - at));
            data.drain(at..at + len);
        }
        4 => {
            let len = 1 + rng.index(64);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
        }
        5 => {
            // Repeat a block: nested structures and recursion limits.
            let len = 1 + rng.index(256.min(n - at));
            let block = data[at..at + len].to_vec();
            let to = rng.index(n);
            data.splice(
                to..to,
                block.iter().copied().cycle().take(len * (1 + rng.index(8))),
            );
        }
        6 => data.truncate(at.max(1)),
        7 => {
            // Splice in part of another seed.
            let other = &corpus[rng.index(corpus.len())];
            if !other.is_empty() {
                let from = rng.index(other.len());
                let len = 1 + rng.index(512.min(other.len() - from));
                let end = (at + len).min(n);
                data.splice(at..end, other[from..from + len].iter().copied());
            }
        }
        8 => {
            // ASCII digits and tokens where parsers read numbers and keywords.
            const TOKENS: &[&str] = &[
                "0",
                "-1",
                "99999999999",
                "1e308",
                "NaN",
                "(",
                ")",
                "\"",
                ":",
                "<",
                "/>",
                "&#0;",
                "obj",
                "R",
                "<<",
                ">>",
                "%",
                "\\",
                "\u{FEFF}",
                "OR",
                "AND",
                "-",
            ];
            let t = TOKENS[rng.index(TOKENS.len())].as_bytes();
            data.splice(at..at, t.iter().copied());
        }
        _ => {
            let len = 1 + rng.index(32.min(n - at));
            data[at..at + len].reverse();
        }
    }
}
