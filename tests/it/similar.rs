//! Re-used photos: altered copies of an activity photo submitted under another prefecture are
//! flagged on both sides, photos of other events with the same layout are not, a copy beside
//! its original is listed but not flagged, and an existing catalog gains fingerprints on its
//! next index run (never on `retag`).

use archive::sample::altered::{alter, original, Alteration};

use super::harness::{heic_from, on_path, Env};

const W: u32 = 480;
const H: u32 = 360;
const HERE: &str = "海东市/乐都区/B4.1科普大篷车";
const THERE: &str = "西宁市/城中区/A2 农牧民科学素质";
const LOOKALIKES: &str = "海北州/海晏县/B4.2 流动科技馆巡展";

fn records(env: &Env) -> Vec<serde_json::Value> {
    let r = env.run(&["list", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json_lines()
}

fn reason_of<'a>(records: &'a [serde_json::Value], rel: &str, flag: &str) -> Option<&'a str> {
    let r = records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(rel))
        .unwrap_or_else(|| panic!("{rel} not catalogued"));
    r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == flag)
        .map(|f| f["reason"].as_str().unwrap())
}

fn ext(a: Alteration) -> &'static str {
    if a == Alteration::Png {
        "png"
    } else {
        "jpg"
    }
}

/// Originals 0..6 here (every third stored sideways), altered copies of 0..3 there, and
/// look-alike photos of other events (seeds 10..18) in a third prefecture.
fn tree(env: &Env) {
    for seed in 0..6u32 {
        let sideways = seed % 3 == 2;
        env.write(
            &format!("{HERE}/IMG_2018060{seed}.jpg"),
            original(seed, W, H, sideways),
        );
    }
    for seed in 0..3u32 {
        let sideways = seed % 3 == 2;
        let o = original(seed, W, H, sideways);
        for a in Alteration::ALL {
            env.write(
                &format!("{THERE}/微信图片_{seed}_{}.{}", a.name(), ext(a)),
                alter(&o, sideways.then_some(6), a),
            );
        }
    }
    for seed in 10..18u32 {
        env.write(
            &format!("{LOOKALIKES}/IMG_2019070{}.jpg", seed - 10),
            original(seed, W, H, false),
        );
    }
}

#[test]
fn altered_copies_in_another_prefecture_are_flagged_on_both_sides_and_lookalikes_are_not() {
    let env = Env::new();
    tree(&env);
    let (_, summary) = env.index();
    assert_eq!(summary["fingerprinted"], 6 + 3 * 8 + 8, "{summary}");
    let recs = records(&env);
    let mut missed = Vec::new();
    for seed in 0..3u32 {
        for a in Alteration::ALL {
            let rel = format!("{THERE}/微信图片_{seed}_{}.{}", a.name(), ext(a));
            match reason_of(&recs, &rel, "reused_photo") {
                Some(r) if r.contains(&format!("{HERE}/IMG_2018060{seed}.jpg")) => {}
                other => missed.push(format!("{rel}: {other:?}")),
            }
        }
        let rel = format!("{HERE}/IMG_2018060{seed}.jpg");
        let reason = reason_of(&recs, &rel, "reused_photo").unwrap_or_default();
        assert!(
            reason.contains(&format!("{THERE}/微信图片_{seed}_"))
                && reason.contains("similarity")
                && reason.contains("and 5 more"),
            "the original names its copies: {reason}"
        );
    }
    assert!(missed.is_empty(), "copies not flagged: {missed:#?}");
    let flagged: Vec<&str> = recs
        .iter()
        .filter(|r| {
            r["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["flag"] == "reused_photo")
        })
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        flagged.len(),
        3 + 3 * 8,
        "only the three re-used originals and their copies: {flagged:#?}"
    );
    // The crop is named on each cropped copy, the right way round whichever of the pair the
    // run verified from (a pair of new photos is verified once, from the first by hash order).
    for seed in 0..3 {
        let rel = format!("{THERE}/微信图片_{seed}_cropped.jpg");
        let r = reason_of(&recs, &rel, "reused_photo").unwrap();
        assert!(r.contains("this one is that one with about"), "{r}");
    }
    // `flag:reused_photo` finds them.
    let hits = env.search("", &["flag=reused_photo"]);
    assert_eq!(hits.len(), 3 + 3 * 8);
}

#[test]
fn a_resized_copy_beside_its_original_is_listed_not_flagged() {
    let env = Env::new();
    let o = original(3, W, H, false);
    env.write(&format!("{HERE}/IMG_1.jpg"), &o);
    env.write(
        &format!("{HERE}/IMG_1_small.jpg"),
        alter(&o, None, Alteration::Resized(0.5)),
    );
    env.index();
    let recs = records(&env);
    assert_eq!(
        reason_of(&recs, &format!("{HERE}/IMG_1.jpg"), "reused_photo"),
        None
    );
    let shown = env.show(env.evidence.join(HERE).join("IMG_1.jpg").to_str().unwrap());
    let similar = shown["similar"].as_array().expect("a similar list");
    assert_eq!(similar.len(), 1, "{shown}");
    assert!(similar[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("IMG_1_small.jpg"));
    assert!(similar[0]["similarity"].as_f64().unwrap() > 0.95);
}

#[test]
fn a_copy_added_later_flags_its_unchanged_original_too() {
    let env = Env::new();
    let o = original(4, W, H, false);
    env.write(&format!("{HERE}/IMG_4.jpg"), &o);
    env.write(&format!("{LOOKALIKES}/IMG_9.jpg"), original(9, W, H, false));
    env.index();
    assert_eq!(
        reason_of(&records(&env), &format!("{HERE}/IMG_4.jpg"), "reused_photo"),
        None
    );
    env.write(
        &format!("{THERE}/IMG_4_wechat.jpg"),
        alter(&o, None, Alteration::Recompressed),
    );
    let (_, summary) = env.index();
    assert_eq!(
        summary["fingerprinted"], 1,
        "only the new photo is decoded: {summary}"
    );
    let recs = records(&env);
    assert!(reason_of(&recs, &format!("{HERE}/IMG_4.jpg"), "reused_photo").is_some());
    assert!(reason_of(&recs, &format!("{THERE}/IMG_4_wechat.jpg"), "reused_photo").is_some());
    // What the run tagged as it went equals a full retag.
    let r = env.run(&["retag"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.split_whitespace().nth(1),
        Some("0"),
        "{}",
        r.stdout
    );
    // The copy goes away: the original's flag goes with it.
    std::fs::remove_file(env.evidence.join(THERE).join("IMG_4_wechat.jpg")).unwrap();
    env.index();
    assert_eq!(
        reason_of(&records(&env), &format!("{HERE}/IMG_4.jpg"), "reused_photo"),
        None
    );
}

/// The same JPEG with a comment segment after its SOI: other bytes, the same pixels (the same
/// fingerprint), as a photo re-exported with other metadata is.
fn with_comment(jpeg: &[u8], text: &str) -> Vec<u8> {
    let len = (2 + text.len()) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xFE];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn a_new_copy_is_paired_with_an_old_photo_that_arrives_again_beside_it() {
    // Old photo P indexed first; then P again with other metadata (the same hashes: one index
    // entry of an old and a new content) and Q, a re-compressed copy of P, in another
    // prefecture. Q must be paired with P itself, not only with P's new twin, whichever of
    // the two entries comes first (several seeds, so both orders occur).
    let env = Env::new();
    let seeds = 20..26u32;
    for seed in seeds.clone() {
        env.write(
            &format!("{HERE}/IMG_{seed}.jpg"),
            original(seed, W, H, false),
        );
    }
    env.index();
    for seed in seeds.clone() {
        let o = original(seed, W, H, false);
        env.write(
            &format!("{LOOKALIKES}/IMG_{seed}_导出.jpg"),
            with_comment(&o, "exported again"),
        );
        env.write(
            &format!("{THERE}/微信图片_{seed}.jpg"),
            alter(&o, None, Alteration::Recompressed),
        );
    }
    let (_, summary) = env.index();
    assert_eq!(summary["fingerprinted"], 12, "{summary}");
    for seed in seeds {
        let copy = env
            .evidence
            .join(THERE)
            .join(format!("微信图片_{seed}.jpg"));
        let shown = env.show(copy.to_str().unwrap());
        let similar: Vec<&str> = shown["similar"]
            .as_array()
            .expect("a similar list")
            .iter()
            .map(|s| s["path"].as_str().unwrap())
            .collect();
        let names = |end: &str| similar.iter().any(|p| p.ends_with(end));
        assert!(
            names(&format!("IMG_{seed}.jpg")) && names(&format!("IMG_{seed}_导出.jpg")),
            "seed {seed}: {similar:?}"
        );
    }
}

#[test]
fn an_existing_catalog_gets_fingerprints_on_its_next_index_run_never_on_retag() {
    let env = Env::new();
    let o = original(5, W, H, false);
    env.write(&format!("{HERE}/IMG_5.jpg"), &o);
    env.write(
        &format!("{THERE}/IMG_5.png"),
        alter(&o, None, Alteration::Png),
    );
    env.index();
    // What a catalog made before fingerprints looks like: no fingerprints, no pairs, tags by
    // the previous rules.
    {
        let db = rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
        db.execute_batch(
            "DROP TABLE fingerprints; DROP TABLE near_pairs;
             DELETE FROM meta WHERE key = 'fingerprints_complete';
             UPDATE meta SET value = '1' WHERE key = 'tagger_version';",
        )
        .unwrap();
    }
    let r = env.run(&["retag"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let count = |table: &str| -> i64 {
        let db = rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
        db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count("fingerprints"), 0, "retag decodes nothing");
    assert_eq!(
        reason_of(&records(&env), &format!("{HERE}/IMG_5.jpg"), "reused_photo"),
        None
    );
    let (_, summary) = env.index();
    assert_eq!(summary["fingerprinted"], 2, "{summary}");
    assert_eq!(summary["new"], 0);
    assert_eq!(count("fingerprints"), 2);
    assert_eq!(count("near_pairs"), 2, "one pair, both directions");
    let recs = records(&env);
    assert!(reason_of(&recs, &format!("{HERE}/IMG_5.jpg"), "reused_photo").is_some());
    assert!(reason_of(&recs, &format!("{THERE}/IMG_5.png"), "reused_photo").is_some());
    // Nothing new: nothing decoded again.
    let (_, summary) = env.index();
    assert_eq!(summary["fingerprinted"], 0);
}

/// `index --no-similar` makes the catalog searchable without decoding a photo; the next run
/// without it fingerprints what was left and raises the flags.
#[test]
fn fingerprints_left_by_no_similar_are_made_by_the_next_run() {
    let env = Env::new();
    tree(&env);
    let r = env.run(&[
        "index",
        env.evidence.to_str().unwrap(),
        "--json",
        "--no-similar",
    ]);
    let summary = r.json();
    assert_eq!(summary["fingerprinted"], 0, "{summary}");
    assert_eq!(summary["fingerprints_pending"], 6 + 3 * 8 + 8, "{summary}");
    assert!(env.search("", &["flag=reused_photo"]).is_empty());
    assert!(
        !env.search("微信图片", &[]).is_empty(),
        "searchable at once"
    );
    let text = env.run(&[
        "index",
        env.evidence.to_str().unwrap(),
        "--no-similar",
        "--lang",
        "zh",
    ]);
    assert!(text.stdout.contains("留待下次索引"), "{}", text.stdout);

    let (_, summary) = env.index();
    assert_eq!(summary["fingerprinted"], 6 + 3 * 8 + 8, "{summary}");
    assert_eq!(summary["fingerprints_pending"], 0, "{summary}");
    assert_eq!(env.search("", &["flag=reused_photo"]).len(), 3 + 3 * 8);
}

/// `archive similar`: each copy with its place, how alike and what differs, in both
/// languages; by path, by BLAKE3 prefix, and for a photo that is not catalogued at all.
#[test]
fn archive_similar_lists_each_copy_with_what_differs() {
    let env = Env::new();
    let o = original(0, W, H, false);
    let here = env.write(&format!("{HERE}/IMG_1.jpg"), &o);
    env.write(
        &format!("{THERE}/微信图片_cropped.jpg"),
        alter(&o, None, Alteration::Cropped),
    );
    env.write(
        &format!("{THERE}/IMG_1.png"),
        alter(&o, None, Alteration::Png),
    );
    let lookalike = env.write(
        &format!("{LOOKALIKES}/IMG_9.jpg"),
        original(11, W, H, false),
    );
    env.index();
    let here = here.to_str().unwrap();

    let r = env.run(&["similar", "--json", here]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["catalogued"], true);
    let matches = j["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 2, "{j:#}");
    let by_name = |name: &str| {
        matches
            .iter()
            .find(|m| m["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not listed: {j:#}"))
    };
    let cropped = by_name("微信图片_cropped.jpg");
    // The crop is estimated on 32×32 thumbnails, in steps of 2 %.
    let crop: i32 = cropped["differences"]["crop"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((4..=8).contains(&crop), "{cropped:#}");
    assert_eq!(cropped["differences"]["dated"], "here");
    assert_eq!(cropped["prefecture"], "西宁市");
    assert!(cropped["similarity"].as_f64().unwrap() > 0.95);
    assert!(cropped["distance"].as_u64().unwrap() <= 12);
    let png = by_name("IMG_1.png");
    assert_eq!(png["differences"]["format_there"], "image/png");
    assert!(png["differences"].get("crop").is_none(), "{png:#}");

    let zh = env.run(&["--lang", "zh", "similar", here]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    for words in [
        "画面相同的照片 2 张",
        "相似度",
        "对方是本图每边裁去约",
        "格式 本图 image/jpeg，对方 image/png",
        "只有本图有拍摄时间",
        "地区 西宁市/城中区",
        "微信图片_cropped.jpg",
    ] {
        assert!(zh.stdout.contains(words), "{words}:\n{}", zh.stdout);
    }
    let en = env.run(&["similar", here]);
    assert!(
        en.stdout.contains("that one is this one with about")
            && en.stdout.contains("% cut from each side"),
        "{}",
        en.stdout
    );

    // By BLAKE3 prefix: the same answer.
    let b3 = env.show(here)["blake3"].as_str().unwrap().to_string();
    let by_hash = env.run(&["similar", "--json", &b3[..12]]).json();
    assert_eq!(by_hash["matches"], j["matches"]);

    // A photo about to be submitted, not in the archive: looked up by its picture.
    let outside = env.archive.parent().unwrap().join("new_watermarked.jpg");
    std::fs::write(&outside, alter(&o, None, Alteration::Watermarked)).unwrap();
    let r = env.run(&["similar", "--json", outside.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["catalogued"], false);
    let found: Vec<&str> = j["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    // Its original. The archive's other copies of it (PNG, cropped) are two alterations away
    // from a watermarked photo, where the check is strict for precision (similar::accept,
    // docs/performance.md); they are reached through the original they are paired with.
    assert!(
        found
            .iter()
            .any(|p| p.ends_with("B4.1科普大篷车/IMG_1.jpg")),
        "the original: {found:?}"
    );
    assert!(found.iter().all(|p| !p.ends_with("IMG_9.jpg")));

    // A look-alike of another event has none; a name that is nothing is an error that says so.
    let r = env.run(&["similar", lookalike.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("No photo in the archive"),
        "{}",
        r.stdout
    );
    let r = env.run(&["similar", "no/such/file.jpg"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("neither in the catalog"), "{}", r.stderr);
}

/// The record page shows each near-duplicate beside the photo: both thumbnails, where each was
/// submitted, when and with what it was taken, and what differs.
#[tokio::test]
async fn the_record_page_shows_the_pair_side_by_side() {
    use tower::ServiceExt;
    let env = Env::new();
    let o = original(2, W, H, false);
    env.write(&format!("{HERE}/IMG_2.jpg"), &o);
    env.write(
        &format!("{THERE}/IMG_2.png"),
        alter(&o, None, Alteration::Png),
    );
    env.index();
    assert_eq!(env.run(&["collection", "create", "重复照片核查"]).code, 0);
    let here = env.show(env.evidence.join(HERE).join("IMG_2.jpg").to_str().unwrap());
    let there = env.show(env.evidence.join(THERE).join("IMG_2.png").to_str().unwrap());
    let (b3, theirs) = (
        here["blake3"].as_str().unwrap(),
        there["blake3"].as_str().unwrap(),
    );
    let cfg = archive::config::Config::load(&env.archive, None).unwrap();
    let state = archive::serve::AppState::open(cfg).unwrap();
    let res = archive::serve::app(state)
        .oneshot(
            axum::http::Request::get(format!("/record/{b3}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    let page = String::from_utf8_lossy(&body);
    let section = &page[page.find("class=\"similar\"").expect("a 相似照片 section")..];
    for expected in [
        format!("/thumb/{b3}"),
        format!("/thumb/{theirs}"),
        "本图".to_string(),
        "海东市".to_string(),
        "西宁市".to_string(),
        "2018-06-03".to_string(),
        "HUAWEI ELE-AL00".to_string(),
        "格式 本图 image/jpeg，对方 image/png".to_string(),
    ] {
        assert!(section.contains(&expected), "{expected} in {section}");
    }
    // The pair goes into a collection together (the operator on this machine curates).
    let form = &section[section
        .find("class=\"add-group\"")
        .expect("the add-group form")..];
    let form = &form[..form.find("</form>").unwrap()];
    assert_eq!(form.matches("name=\"file\"").count(), 2, "{form}");
    assert!(form.contains("这 2 张照片一起加入专题"), "{form}");
}

#[test]
fn a_mirrored_copy_is_flagged_and_said_to_be_flipped() {
    let env = Env::new();
    let o = original(6, W, H, false);
    env.write(&format!("{HERE}/IMG_6.jpg"), &o);
    env.write(
        &format!("{THERE}/IMG_6_flipped.jpg"),
        alter(&o, None, Alteration::Mirrored),
    );
    env.write(
        &format!("{LOOKALIKES}/IMG_11.jpg"),
        original(11, W, H, false),
    );
    env.index();
    let recs = records(&env);
    for rel in [
        format!("{HERE}/IMG_6.jpg"),
        format!("{THERE}/IMG_6_flipped.jpg"),
    ] {
        let why = reason_of(&recs, &rel, "reused_photo").unwrap_or_else(|| panic!("{rel}"));
        assert!(why.contains("flipped left to right"), "{rel}: {why}");
    }
    assert_eq!(
        reason_of(&recs, &format!("{LOOKALIKES}/IMG_11.jpg"), "reused_photo"),
        None
    );
    let here = env.evidence.join(HERE).join("IMG_6.jpg");
    let r = env.run(&["similar", "--json", here.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = &r.json()["matches"][0];
    assert!(
        m["path"].as_str().unwrap().ends_with("IMG_6_flipped.jpg"),
        "{m}"
    );
    assert_eq!(m["mirrored"], true, "{m}");
    let zh = env.run(&["--lang", "zh", "similar", here.to_str().unwrap()]);
    assert!(zh.stdout.contains("左右翻转"), "{}", zh.stdout);
}

#[test]
fn a_catalog_paired_before_mirrors_were_looked_for_is_paired_again_without_decoding() {
    let env = Env::new();
    let o = original(7, W, H, false);
    env.write(&format!("{HERE}/IMG_7.jpg"), &o);
    env.write(
        &format!("{THERE}/IMG_7_flipped.jpg"),
        alter(&o, None, Alteration::Mirrored),
    );
    env.index();
    // As an older build left it: no `mirrored` column, no mirrored pair, all paired.
    {
        let db = rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
        db.execute_batch("DELETE FROM near_pairs; ALTER TABLE near_pairs DROP COLUMN mirrored;")
            .unwrap();
    }
    let r = env.run(&["retag"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rel = format!("{THERE}/IMG_7_flipped.jpg");
    assert_eq!(reason_of(&records(&env), &rel, "reused_photo"), None);
    let (_, summary) = env.index();
    assert_eq!(
        summary["fingerprinted"], 0,
        "nothing decoded again: {summary}"
    );
    assert!(reason_of(&records(&env), &rel, "reused_photo").is_some());
}

#[test]
fn an_iphone_heic_and_its_wechat_copy_are_paired_once_heif_convert_is_there() {
    if !on_path("heif-enc") || !on_path("heif-convert") {
        eprintln!("no heif-enc/heif-convert (libheif-examples): skipped");
        return;
    }
    let env = Env::new();
    // The iPhone's original (HEIC, made by libheif from a generated activity photo) in one
    // prefecture, the copy WeChat made of it (JPEG, quality 65, no EXIF) in another, and a
    // photo of another event with the same layout.
    let o = original(0, W, H, false);
    let heic = env.evidence.join(format!("{HERE}/IMG_0001.HEIC"));
    heic_from(&o, &heic, 80);
    env.write(
        &format!("{THERE}/微信图片_0.jpg"),
        alter(&o, None, Alteration::Recompressed),
    );
    env.write(
        &format!("{LOOKALIKES}/IMG_20190701.jpg"),
        original(10, W, H, false),
    );
    let index_without_tools = |lang: &str, json: bool| {
        let mut c = env.cmd();
        c.env("ARCHIVE_NO_TOOLS", "1").env("ARCHIVE_LANG", lang);
        c.args(["index", env.evidence.to_str().unwrap()]);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    // Without heif-convert: the HEIC is catalogued but not compared, and the run says so.
    let first: serde_json::Value =
        serde_json::from_str(index_without_tools("en", true).trim()).unwrap();
    assert_eq!(first["fingerprinted"], 2, "{first}");
    assert_eq!(first["fingerprints_need_heif_convert"], 1, "{first}");
    let recs = records(&env);
    assert_eq!(reason_of(&recs, "微信图片_0.jpg", "reused_photo"), None);
    // Unchanged, still without the tool: nothing decoded again, the count said again (in
    // Chinese for a Chinese user).
    let again = index_without_tools("zh", false);
    assert!(
        again.contains("1 张 HEIC/AVIF 照片没有视觉指纹") && again.contains("libheif-examples"),
        "{again}"
    );
    let third: serde_json::Value =
        serde_json::from_str(index_without_tools("en", true).trim()).unwrap();
    assert_eq!(third["fingerprinted"], 0, "{third}");
    assert_eq!(third["fingerprints_need_heif_convert"], 1, "{third}");

    // With it: the HEIC is decoded through libheif, and both sides are flagged.
    let (_, with_tool) = env.index();
    assert_eq!(with_tool["fingerprinted"], 1, "{with_tool}");
    assert_eq!(
        with_tool["fingerprints_need_heif_convert"], 0,
        "{with_tool}"
    );
    let recs = records(&env);
    let on_copy = reason_of(&recs, "微信图片_0.jpg", "reused_photo")
        .unwrap_or_else(|| panic!("the WeChat copy is not flagged: {recs:?}"));
    assert!(on_copy.contains("IMG_0001.HEIC"), "{on_copy}");
    assert!(
        reason_of(&recs, "IMG_0001.HEIC", "reused_photo").is_some(),
        "the HEIC original is not flagged"
    );
    assert_eq!(reason_of(&recs, "IMG_20190701.jpg", "reused_photo"), None);
    // `archive similar` on the HEIC itself, from outside the catalog (a copy with other bytes
    // appended is another content), finds the copy.
    let outside = env.evidence.parent().unwrap().join("IMG_0001_again.HEIC");
    let mut bytes = std::fs::read(&heic).unwrap();
    bytes.extend_from_slice(&[0u8; 16]);
    std::fs::write(&outside, bytes).unwrap();
    let r = env.run(&["similar", outside.to_str().unwrap(), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("微信图片_0.jpg"), "{}", r.stdout);
}

#[test]
fn a_camera_raw_and_its_webp_and_tiff_copies_are_fingerprinted_and_an_old_catalog_catches_up() {
    let env = Env::new();
    let o = original(1, W, H, false);
    // A camera RAW (a Fuji RAF: the sensor data, with the camera's JPEG rendering embedded as
    // its preview) in one prefecture; copies re-saved as WebP and as TIFF in two others; a WeChat
    // JPEG copy in a fourth; a photo of another event beside them.
    let mut raf = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
    raf.extend(std::iter::repeat_n(0x5Au8, 4000));
    raf.extend_from_slice(&o);
    raf.extend(std::iter::repeat_n(0xA5u8, 4000));
    env.write(&format!("{HERE}/DSCF0001.RAF"), &raf);
    let picture = image::load_from_memory(&o).unwrap();
    let encoded = |format| {
        let mut out = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut out, format).unwrap();
        out.into_inner()
    };
    env.write(
        "海北州/海晏县/C5 社会动员与宣传/宣传照.webp",
        encoded(image::ImageFormat::WebP),
    );
    env.write(
        "黄南州/同仁市/C5 社会动员与宣传/扫描照片.tif",
        encoded(image::ImageFormat::Tiff),
    );
    env.write(
        &format!("{THERE}/微信图片_1.jpg"),
        alter(&o, None, Alteration::Recompressed),
    );
    env.write(
        &format!("{LOOKALIKES}/IMG_20190702.jpg"),
        original(11, W, H, false),
    );
    let (_, s) = env.index();
    assert_eq!(s["fingerprinted"], 5, "{s}");
    let recs = records(&env);
    for rel in [
        "DSCF0001.RAF",
        "宣传照.webp",
        "扫描照片.tif",
        "微信图片_1.jpg",
    ] {
        assert!(
            reason_of(&recs, rel, "reused_photo").is_some(),
            "{rel} not flagged as re-used"
        );
    }
    assert_eq!(reason_of(&recs, "IMG_20190702.jpg", "reused_photo"), None);
    // `archive similar` on another RAW of the same shot, from outside the catalog (other bytes
    // around the same preview), finds its copies the same way.
    let outside = env.evidence.parent().unwrap().join("DSCF0002.RAF");
    let mut other = raf.clone();
    other.extend_from_slice(b"a later frame's sensor data");
    std::fs::write(&outside, other).unwrap();
    let r = env.run(&["similar", outside.to_str().unwrap(), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("微信图片_1.jpg"), "{}", r.stdout);

    // A catalog made by a build that fingerprinted JPEG and PNG alone: the WebP stored as a
    // failure of this fingerprint version, the step marked complete. The next run decodes that
    // photo alone, and flags it again.
    let db = rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
    let webp = recs
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("宣传照.webp"))
        .unwrap()["blake3"]
        .as_str()
        .unwrap()
        .to_string();
    db.execute_batch(&format!(
        "UPDATE fingerprints SET hashes = NULL, thumb = NULL, paired = 1,
             error = 'not a format fingerprinted (JPEG or PNG)' WHERE blake3 = '{webp}';
         DELETE FROM near_pairs WHERE a = '{webp}' OR b = '{webp}';
         DELETE FROM meta WHERE key = 'fingerprint_formats';"
    ))
    .unwrap();
    let version: String = db
        .query_row(
            "SELECT value FROM meta WHERE key = 'fingerprints_complete'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(db);
    assert_eq!(env.run(&["retag"]).code, 0);
    assert_eq!(
        reason_of(&records(&env), "宣传照.webp", "reused_photo"),
        None,
        "the old catalog's state"
    );
    let (_, s) = env.index();
    assert_eq!(s["fingerprinted"], 1, "{s} (complete was {version})");
    assert!(reason_of(&records(&env), "宣传照.webp", "reused_photo").is_some());
}

/// Opt-in: `EVIDENCE_DEV_CORPUS=/path/to/shared/corpus`. Real iPhone HEIC photos of the corpus
/// (with the thumbnails the phone stored) under one prefecture, and the copies a messenger makes
/// of them (decoded, halved, JPEG quality 65, no EXIF) under another: every pair is found.
#[test]
fn real_iphone_heics_pair_with_their_messenger_copies() {
    let Some(corpus) = std::env::var_os("EVIDENCE_DEV_CORPUS").map(std::path::PathBuf::from) else {
        eprintln!("EVIDENCE_DEV_CORPUS not set: skipped");
        return;
    };
    if !on_path("heif-convert") {
        eprintln!("no heif-convert (libheif-examples): skipped");
        return;
    }
    let heics: Vec<std::path::PathBuf> = walkdir::WalkDir::new(corpus.join("photos"))
        .into_iter()
        .flatten()
        .map(|e| e.path().to_path_buf())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("heic"))
                && std::fs::metadata(p).is_ok_and(|m| m.len() > 100_000)
        })
        .collect();
    assert!(heics.len() >= 3, "the corpus's iPhone HEICs: {heics:?}");
    let env = Env::new();
    for (i, heic) in heics.iter().enumerate() {
        env.write(
            &format!("{HERE}/IMG_{i:04}.HEIC"),
            std::fs::read(heic).unwrap(),
        );
        // The messenger's decode: libheif's, turned as the container says.
        let whole = env
            .evidence
            .parent()
            .unwrap()
            .join(format!("whole_{i}.jpg"));
        let ok = std::process::Command::new("heif-convert")
            .arg(heic)
            .arg(&whole)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "heif-convert {}", heic.display());
        let img = image::open(&whole).unwrap();
        let half = img.resize(
            img.width() / 2,
            img.height() / 2,
            image::imageops::FilterType::Triangle,
        );
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 65)
            .encode_image(&half.to_rgb8())
            .unwrap();
        env.write(&format!("{THERE}/微信图片_{i}.jpg"), out);
    }
    let (_, s) = env.index();
    assert_eq!(s["fingerprinted"], 2 * heics.len(), "{s}");
    let recs = records(&env);
    for (i, heic) in heics.iter().enumerate() {
        let on_copy = reason_of(&recs, &format!("微信图片_{i}.jpg"), "reused_photo")
            .unwrap_or_else(|| panic!("the copy of {} is not flagged", heic.display()));
        assert!(on_copy.contains(&format!("IMG_{i:04}.HEIC")), "{on_copy}");
    }
}
