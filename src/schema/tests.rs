use std::path::Path;
use std::sync::OnceLock;

use super::load::{
    decode_geobin, geojson_features, Coords, EMBEDDED_COUNTIES, EMBEDDED_DIVISIONS,
    EMBEDDED_PREFECTURES,
};
use super::*;
use crate::record::Gps;

pub(crate) fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| Schema::embedded().expect("the built-in schema loads"))
}

#[test]
fn indicator_resolution_table() {
    let s = schema();
    let cases: &[(&str, Option<&str>)] = &[
        ("B4.1", Some("B4.1")),
        ("b4.1", Some("B4.1")),
        ("B4-1", Some("B4.1")),
        ("B4_1", Some("B4.1")),
        ("Ｂ４．１", Some("B4.1")),
        ("B41", Some("B4.1")), // no B41 in the catalog, so the compact form is unambiguous
        ("a1", Some("A1")),
        ("A1.1", Some("A1.1")),
        ("科普大篷车", Some("B4.1")),
        ("大篷车", Some("B4.1")), // alias
        ("科技活动周", Some("D2")),
        ("科普之冬", Some("D3")),           // name without its parenthesis
        ("农牧民科学素质行动", Some("A2")), // alias
        ("农民（农牧民）科学素质行动", Some("A2")), // full name, full-width brackets
        ("青少年科学素质行动", Some("A1")),
        ("B4.1 科普大篷车", Some("B4.1")), // a ledger row label
        ("  d2  ", Some("D2")),
        ("Z9 什么", None),
        ("Z9", None),
        ("", None),
        ("科普", None),
    ];
    for (input, want) in cases {
        assert_eq!(
            s.resolve_indicator(input).map(|i| i.code.as_str()),
            *want,
            "input {input:?}"
        );
    }
}

#[test]
fn indicator_tree_order_and_paths() {
    let s = schema();
    let codes: Vec<&str> = s.indicators().iter().map(|i| i.code.as_str()).collect();
    assert_eq!(&codes[..4], &["A", "A1", "A1.1", "A2"]);
    let pos = |c: &str| codes.iter().position(|x| *x == c).unwrap();
    assert!(pos("B4") < pos("B4.1") && pos("B4.3") < pos("B5"));
    let path: Vec<&str> = s
        .indicator_path("B4.1")
        .iter()
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(path, ["B", "B4", "B4.1"]);
    assert!(s.indicator_path("nope").is_empty());
    assert_eq!(s.indicator("B4.1").unwrap().depth, 2);
    assert!(s.is_ancestor_or_self("B", "B4.1") && !s.is_ancestor_or_self("A", "B4.1"));
    assert!(s.is_generic_keyword("通知") && !s.is_generic_keyword("科普大篷车"));
}

#[test]
fn place_resolution_table() {
    let s = schema();
    let cases: &[(&str, Option<&str>)] = &[
        ("海东市", Some("630200")),
        ("海东", Some("630200")),
        ("630200", Some("630200")),
        ("海北藏族自治州", Some("632200")),
        ("海北州", Some("632200")),
        ("海南州", Some("632500")),
        ("海南藏族自治州", Some("632500")),
        ("海南", None), // also a province
        ("河南", None), // also a province
        ("河南县", Some("632324")),
        ("互助", None),
        ("互助县", Some("630223")),
        ("互助土族自治县", Some("630223")),
        ("平安", None),
        ("平安区", Some("630203")),
        ("平安县", Some("630203")), // before 2015
        ("大通", None),
        ("大通县", Some("630121")),
        ("同仁", None),
        ("湟中县", Some("630106")), // historical → successor
        ("630122", Some("630106")), // historical code → successor
        ("同仁县", Some("632301")),
        ("632321", Some("632301")),
        ("茫崖行委", Some("632803")),
        ("冷湖行委", Some("632803")),
        ("城中区", Some("630103")),
        ("Haidong", Some("630200")),
        ("xining", Some("630100")),
        ("青海", None), // the province is not a tag
        ("北京市", None),
    ];
    for (input, want) in cases {
        assert_eq!(
            s.resolve_place(input).map(|d| d.code.as_str()),
            *want,
            "input {input:?}"
        );
    }
    assert_eq!(s.prefectures().len(), 8);
    let haidong: Vec<&str> = s
        .counties_of("630200")
        .iter()
        .map(|d| d.short_name.as_str())
        .collect();
    assert_eq!(
        haidong,
        ["乐都区", "平安区", "民和县", "互助县", "化隆县", "循化县"]
    );
    // Historical codes are not columns of a coverage table.
    assert!(!s.counties_of("630100").iter().any(|d| d.code == "630122"));
}

#[test]
fn places_in_free_text() {
    let s = schema();
    let found = |t: &str| -> Vec<String> {
        s.find_places(t)
            .into_iter()
            .map(|m| match m.place {
                PlaceRef::Division(i) => s.divisions()[i].code.clone(),
                PlaceRef::Town(i) => format!("town:{}", s.towns()[i].county_code),
                PlaceRef::AmbiguousTown => "ambiguous-town".into(),
            })
            .collect()
    };
    assert_eq!(
        found("03-海东-互助县-科普大篷车进校园"),
        ["630200", "630223"]
    );
    assert_eq!(found("海东互助县"), ["630200", "630223"]);
    assert_eq!(found("海南省三亚市"), Vec::<String>::new());
    assert_eq!(found("互助组活动"), Vec::<String>::new());
    assert_eq!(
        found("青海东部地区"),
        Vec::<String>::new(),
        "海东 inside a longer word"
    );
    assert_eq!(found("威远镇科普活动"), ["town:630223"]);
    assert_eq!(found("城关镇"), ["ambiguous-town"]);
    assert_eq!(found("湟中县2017年科技周"), ["630106"]);
}

#[test]
fn code_tokens_reject_camera_names() {
    let s = schema();
    let codes = |t: &str| -> Vec<String> {
        s.find_indicators(t)
            .into_iter()
            .filter(|m| m.by_code)
            .map(|m| s.indicators()[m.index].code.clone())
            .collect()
    };
    assert_eq!(codes("B4.1科普大篷车"), ["B4.1"]);
    assert_eq!(codes("b4-1"), ["B4.1"]);
    assert_eq!(codes("B4_1_活动"), ["B4.1"]);
    assert_eq!(codes("Ｂ４．１"), ["B4.1"]);
    assert_eq!(codes("A1 青少年"), ["A1"]);
    assert_eq!(
        codes("B4-1-02"),
        ["B4.1"],
        "a short sequence number after the code"
    );
    assert!(
        codes("B41_科技活动周").is_empty(),
        "B41 is not read as B4.1 in names"
    );
    assert!(codes("IMG_B412").is_empty());
    assert!(codes("DSCA1234").is_empty());
    assert!(
        codes("IMG_A1_0023").is_empty(),
        "camera counter after a letter-digit prefix"
    );
    assert!(codes("科普展板A4纸打印版").is_empty(), "paper size");
    assert!(codes("A3幅面宣传册").is_empty(), "paper size");
    assert_eq!(codes("A1版块"), ["A1"]);
    assert_eq!(codes("C1会议纪要"), ["C1"]);
}

#[test]
fn sanity_points_from_the_reference_readme() {
    let s = schema();
    let cases = [
        (36.62, 101.78, "630100", "630103"),
        (36.40, 94.90, "632800", "632801"),
        (33.0, 97.0, "632700", "632701"),
        (36.27, 100.62, "632500", "632521"),
        (34.47, 100.24, "632600", "632621"),
        (35.52, 102.02, "632300", "632301"),
        (36.95, 100.90, "632200", "632223"),
        (36.50, 102.10, "630200", "630203"),
    ];
    for (lat, lon, pref, county) in cases {
        let loc = s.locate(Gps { lat, lon });
        assert_eq!(loc.prefecture.as_deref(), Some(pref), "{lat},{lon}");
        assert_eq!(loc.county.as_deref(), Some(county), "{lat},{lon}");
        assert!(
            !loc.uncertain(),
            "{lat},{lon} is well inside: {:?}",
            loc.prefecture_edge_km
        );
    }
    let outside = s.locate(Gps {
        lat: 39.9,
        lon: 116.4,
    });
    assert_eq!(outside.prefecture, None);
    assert!(outside.prefecture_edge_km.unwrap() > 500.0);
}

/// Walk from a point in 西宁 to a point in 海东 and find where the border is crossed.
fn border_crossing(s: &Schema) -> (Gps, Gps) {
    let (a, b) = (
        Gps {
            lat: 36.62,
            lon: 101.78,
        },
        Gps {
            lat: 36.50,
            lon: 102.10,
        },
    );
    let xining = s
        .prefecture_shapes()
        .iter()
        .find(|r| r.code == "630100")
        .unwrap();
    let steps = 4000;
    let mut prev = a;
    for i in 1..=steps {
        let t = i as f64 / steps as f64;
        let p = Gps {
            lat: a.lat + (b.lat - a.lat) * t,
            lon: a.lon + (b.lon - a.lon) * t,
        };
        let g = geo::wgs84_to_gcj02(p);
        if !xining.contains(g.lon, g.lat) {
            return (prev, p);
        }
        prev = p;
    }
    panic!("no border between the two sanity points")
}

#[test]
fn a_point_near_a_boundary_is_uncertain() {
    let s = schema();
    let (inside, _) = border_crossing(s);
    let loc = s.locate(inside);
    assert_eq!(loc.prefecture.as_deref(), Some("630100"));
    assert!(loc.uncertain(), "{:?}", loc.prefecture_edge_km);
    assert!(!s
        .locate(Gps {
            lat: 36.62,
            lon: 101.78
        })
        .uncertain());
}

#[test]
fn the_gcj02_shift_is_applied_before_containment() {
    let s = schema();
    let loc = s.locate(Gps {
        lat: 36.62,
        lon: 101.78,
    });
    assert_eq!(loc.gcj02, geo::wgs84_to_gcj02(loc.wgs84));
    assert!(geo::distance_km(loc.wgs84, loc.gcj02) > 0.1);
    // Just across the border in WGS-84 terms, the unshifted point would give the other answer.
    let (inside, _) = border_crossing(s);
    let xining = s
        .prefecture_shapes()
        .iter()
        .find(|r| r.code == "630100")
        .unwrap();
    let mut p = inside;
    let mut found = false;
    for _ in 0..200 {
        let raw_in = xining.contains(p.lon, p.lat);
        let g = geo::wgs84_to_gcj02(p);
        let shifted_in = xining.contains(g.lon, g.lat);
        if raw_in != shifted_in {
            assert_eq!(
                s.locate(p).prefecture.as_deref() == Some("630100"),
                shifted_in
            );
            found = true;
            break;
        }
        // Step 10 m along the walk direction.
        p = Gps {
            lat: p.lat - 0.00004,
            lon: p.lon + 0.0001,
        };
    }
    assert!(
        found,
        "the datum shift made no difference anywhere near the border"
    );
}

// ---------------------------------------------------------------- validation

fn load_with(file: &str, text: &str) -> Result<Schema> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file), text).unwrap();
    Schema::load(dir.path())
}

fn schema_err(r: Result<Schema>) -> (String, String) {
    match r {
        Err(Error::Schema { file, message }) => (file, message),
        Err(e) => panic!("wrong error kind: {e}"),
        Ok(_) => panic!("a broken schema loaded"),
    }
}

#[test]
fn a_user_catalog_replaces_only_the_catalog() {
    let s = load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"1\"\nname = \"组织领导\"\nkeywords = [\"领导小组\"]\n\n[[indicator]]\ncode = \"1.1\"\nname = \"机构建设\"\nparent = \"1\"\n",
    )
    .unwrap();
    assert_eq!(s.indicators().len(), 2);
    assert_eq!(s.resolve_indicator("1.1").unwrap().name, "机构建设");
    assert_eq!(
        s.prefectures().len(),
        8,
        "gazetteer falls back to the built-in copy"
    );
}

#[test]
fn dangling_parent_names_file_and_line() {
    let (file, msg) = schema_err(load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"A\"\nname = \"甲\"\n\n[[indicator]]\ncode = \"A1\"\nname = \"乙\"\nparent = \"X\"\n",
    ));
    assert!(file.ends_with("indicators.toml line 6"), "{file}");
    assert!(msg.contains("A1") && msg.contains("\"X\""), "{msg}");
}

#[test]
fn duplicate_code_names_file_and_line() {
    let (file, msg) = schema_err(load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"A\"\nname = \"甲\"\n\n[[indicator]]\ncode = \"a\"\nname = \"乙\"\n",
    ));
    assert!(file.ends_with("indicators.toml line 6"), "{file}");
    assert!(msg.contains("duplicate") && msg.contains("line 2"), "{msg}");
}

#[test]
fn keyword_under_two_indicators_names_file_and_line() {
    let (file, msg) = schema_err(load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"A\"\nname = \"甲\"\nkeywords = [\"科普\"]\n\n[[indicator]]\ncode = \"B\"\nname = \"乙\"\nkeywords = [\"讲座\",\n  \"科普\"]\n",
    ));
    assert!(file.ends_with("indicators.toml line 10"), "{file}");
    assert!(
        msg.contains("科普") && msg.contains("A (line 4)") && msg.contains('B'),
        "{msg}"
    );
}

#[test]
fn toml_syntax_error_names_line() {
    let (file, _) = schema_err(load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"A\"\nname = 甲\n",
    ));
    assert!(file.ends_with("indicators.toml line 3"), "{file}");
}

#[test]
fn parent_cycle_is_refused() {
    let (_, msg) = schema_err(load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"R\"\nname = \"根\"\n[[indicator]]\ncode = \"A\"\nname = \"甲\"\nparent = \"B\"\n[[indicator]]\ncode = \"B\"\nname = \"乙\"\nparent = \"A\"\n",
    ));
    assert!(msg.contains("cycle"), "{msg}");
}

#[test]
fn bad_polygon_names_file_and_line() {
    let geo = "{\"type\":\"FeatureCollection\",\"features\":[\n\
{\"type\":\"Feature\",\"properties\":{\"code\":\"630100\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[101,36],[102,36],[102,37],[101,36]]]}},\n\
{\"type\":\"Feature\",\"properties\":{\"code\":\"630200\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[101,36],[102,36],[102,37]]]}}\n]}\n";
    let (file, msg) = schema_err(load_with(PREFECTURES_FILE, geo));
    assert!(file.ends_with("prefectures.geojson line 3"), "{file}");
    assert!(
        msg.contains("630200") && msg.contains("invalid polygon"),
        "{msg}"
    );

    let unclosed = geo.replace("[102,37]]]}}\n]}", "[102,37],[101.5,36.5]]]}}\n]}");
    let (_, msg) = schema_err(load_with(PREFECTURES_FILE, &unclosed));
    assert!(msg.contains("not closed"), "{msg}");
}

#[test]
fn positions_are_checked_and_altitudes_ignored() {
    let geo = |ring: &str| {
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n\
{{\"type\":\"Feature\",\"properties\":{{\"code\":\"630100\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[{ring}]}}}}\n]}}\n"
        )
    };
    // A third number (altitude) is allowed by GeoJSON and dropped.
    let with_altitude = "[[101,36,2200],[102,36,2300.5],[102,37,2250],[101,36,2200]]";
    let schema = load_with(PREFECTURES_FILE, &geo(with_altitude)).unwrap();
    let xining = schema
        .prefecture_shapes()
        .iter()
        .find(|r| r.code == "630100")
        .unwrap();
    assert!(xining.contains(101.9, 36.5) && !xining.contains(101.5, 36.9));
    for (ring, needle) in [
        (
            "[[101,36],[1020,36],[102,37],[101,36]]",
            "invalid point [1020,36]",
        ),
        ("[[101,36],[102],[102,37],[101,36]]", "invalid point [102]"),
        (
            "[[101,36],[102,\"36\"],[102,37],[101,36]]",
            "not valid GeoJSON",
        ),
        (
            "[[101,36],[102,[36]],[102,37],[101,36]]",
            "not valid GeoJSON",
        ),
    ] {
        let (file, msg) = schema_err(load_with(PREFECTURES_FILE, &geo(ring)));
        assert!(msg.contains(needle), "{ring}: {msg}");
        assert!(file.contains("prefectures.geojson"), "{file}");
    }
}

#[test]
fn division_errors_name_file_and_line() {
    let csv = "code,level,parent_code,name\n630000,province,,青海省\n630100,prefecture,630000,西宁市\n630101,county,639999,某区\n";
    let (file, msg) = schema_err(load_with(DIVISIONS_FILE, csv));
    assert!(file.ends_with("divisions.csv line 4"), "{file}");
    assert!(msg.contains("639999"), "{msg}");
    let dup = "code,level,parent_code,name\n630000,province,,青海省\n630000,province,,青海省\n";
    let (file, msg) = schema_err(load_with(DIVISIONS_FILE, dup));
    assert!(
        file.ends_with("divisions.csv line 3") && msg.contains("duplicate"),
        "{file} {msg}"
    );
}

#[test]
fn missing_schema_folder_is_a_clear_error() {
    let (_, msg) = schema_err(Schema::load(Path::new("/definitely/not/here")));
    assert!(msg.contains("not found"), "{msg}");
}

#[test]
fn facets_for_filters() {
    let s = schema();
    assert_eq!(
        s.indicator_facet("B4.1").as_deref(),
        Some("/indicator/B/B4/B4.1")
    );
    assert_eq!(s.indicator_facet("nope"), None);
    assert_eq!(s.place_facet("630200").as_deref(), Some("/place/海东市"));
    assert_eq!(
        s.place_facet("630223").as_deref(),
        Some("/place/海东市/互助县")
    );
    assert_eq!(
        s.place_facet("630122").as_deref(),
        Some("/place/西宁市/湟中区"),
        "historical code"
    );
    assert_eq!(s.place_facet("630000"), None);
}

#[test]
fn a_listed_bare_stem_is_still_refused() {
    let csv = EMBEDDED_DIVISIONS.replace(
        "海南州|海南藏族自治州,true",
        "海南州|海南藏族自治州|海南,true",
    );
    assert_ne!(csv, EMBEDDED_DIVISIONS);
    let s = load_with(DIVISIONS_FILE, &csv).unwrap();
    assert!(s.resolve_place("海南").is_none());
    assert_eq!(s.resolve_place("海南州").unwrap().code, "632500");
}

#[test]
fn the_former_administrative_committee_area_has_no_county() {
    // 大柴旦: inside 海西州, in the 632825 "海西州直辖" polygon, which is no county of its own.
    let l = schema().locate(Gps {
        lat: 37.85,
        lon: 95.36,
    });
    assert_eq!(
        (l.prefecture.as_deref(), l.county.as_deref()),
        (Some("632800"), None)
    );
}

#[test]
fn schematic_map_paths() {
    let shapes = schema().prefecture_svg(800.0, 600.0);
    assert_eq!(shapes.len(), 8);
    for s in &shapes {
        assert!(s.d.starts_with('M') && s.d.ends_with('Z'), "{}", s.code);
        assert!(s.label_x >= 0.0 && s.label_x <= 800.0 && s.label_y >= 0.0 && s.label_y <= 600.0);
    }
    // North is up: 海北州 is drawn above 果洛州.
    let y = |c: &str| shapes.iter().find(|s| s.code == c).unwrap().label_y;
    assert!(y("632200") < y("632600"));
    // 西宁 is east of 格尔木's 海西州.
    let x = |c: &str| shapes.iter().find(|s| s.code == c).unwrap().label_x;
    assert!(x("630100") > x("632800"));
}

#[test]
fn a_gbk_csv_from_excel_loads() {
    let csv = EMBEDDED_DIVISIONS.replace("海东市|海东|海东地区", "海东市|海东|海东地区|东海东");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&csv);
    assert!(!bad);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(DIVISIONS_FILE), &gbk).unwrap();
    let s = Schema::load(dir.path()).unwrap();
    assert_eq!(s.resolve_place("东海东").unwrap().code, "630200");
    std::fs::write(
        dir.path().join(DIVISIONS_FILE),
        [0xff, 0xfe, 0x00, 0x81, 0x30],
    )
    .unwrap();
    let (_, msg) = schema_err(Schema::load(dir.path()));
    assert!(msg.contains("UTF-8"), "{msg}");
}

#[test]
fn alias_under_two_indicators_names_file_and_line() {
    let (file, msg) = schema_err(load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"A\"\nname = \"甲\"\naliases = [\"大篷车\"]\n\n[[indicator]]\ncode = \"B\"\nname = \"乙\"\naliases = [\"大篷车\"]\n",
    ));
    assert!(file.ends_with("indicators.toml line 9"), "{file}");
    assert!(
        msg.contains("大篷车") && msg.contains("A (line 4)"),
        "{msg}"
    );
}

#[test]
fn a_catalog_without_keywords_or_generic_list_works() {
    let s = load_with(
        INDICATORS_FILE,
        "[[indicator]]\ncode = \"X1\"\nname = \"某项工作\"\n",
    )
    .unwrap();
    assert!(s.find_keywords("某项工作科普大篷车").is_empty());
    assert_eq!(s.find_indicators("X1-某项工作").len(), 2);
    let (_, msg) = schema_err(load_with(INDICATORS_FILE, "[meta]\ntitle = \"空\"\n"));
    assert!(msg.contains("no [[indicator]]"), "{msg}");
}

/// The box-tree search for the nearest boundary against every edge of the real prefecture and
/// county outlines, for points inside, near and outside Qinghai.
#[test]
fn nearest_boundary_on_the_real_outlines_agrees_with_every_edge() {
    let s = schema();
    let mut rng = crate::sample::Rng(11);
    for _ in 0..150 {
        let lon = 88.0 + rng.below(160_000) as f64 / 10_000.0;
        let lat = 30.5 + rng.below(80_000) as f64 / 10_000.0;
        let (kx, ky) = (lat.to_radians().cos() * 111.320, 110.574);
        for region in s
            .prefecture_shapes()
            .iter()
            .chain(s.county_shapes())
            .step_by(3)
        {
            let mut best = f64::INFINITY;
            for ring in region.polygons.iter().flat_map(|p| &p.rings) {
                for w in ring.windows(2) {
                    let ([x1, y1], [x2, y2]) = (w[0], w[1]);
                    let (ax, ay) = ((x1 - lon) * kx, (y1 - lat) * ky);
                    let (bx, by) = ((x2 - lon) * kx, (y2 - lat) * ky);
                    let (vx, vy) = (bx - ax, by - ay);
                    let len2 = vx * vx + vy * vy;
                    let t = if len2 == 0.0 {
                        0.0
                    } else {
                        (-(ax * vx + ay * vy) / len2).clamp(0.0, 1.0)
                    };
                    best = best.min(((ax + t * vx).powi(2) + (ay + t * vy).powi(2)).sqrt());
                }
            }
            let d = region.distance_to_edge_km(lon, lat);
            assert!(
                (d - best).abs() < 1e-9,
                "{} at {lon},{lat}: {d} vs {best}",
                region.name
            );
        }
    }
}

/// The outlines `build.rs` pre-parses for the built-in vocabulary are exactly what parsing the
/// GeoJSON text at run time gives: codes, geometry types and every number.
#[test]
fn prebuilt_outlines_equal_the_parsed_geojson() {
    for (file, text) in [
        (PREFECTURES_FILE, EMBEDDED_PREFECTURES),
        (COUNTIES_FILE, EMBEDDED_COUNTIES),
    ] {
        let built = SourceText::embedded(file, text);
        let parsed = SourceText {
            geobin: None,
            ..SourceText::embedded(file, text)
        };
        let a = decode_geobin(built.geobin.expect("built-in outlines are pre-parsed"))
            .expect("decodes");
        let b = geojson_features(&parsed).unwrap();
        assert_eq!(a.len(), b.len(), "{file}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.code, y.code, "{file}");
            let (gx, gy) = (x.geometry.as_ref().unwrap(), y.geometry.as_ref().unwrap());
            assert_eq!(gx.kind, gy.kind, "{file} {:?}", x.code);
            let show = |c: &Option<Coords>| c.as_ref().map(|c| c.to_string());
            assert_eq!(
                show(&gx.coordinates),
                show(&gy.coordinates),
                "{file} {:?}",
                x.code
            );
        }
    }
    // A damaged form is refused rather than read as fewer outlines.
    let bin = SourceText::embedded(COUNTIES_FILE, EMBEDDED_COUNTIES)
        .geobin
        .unwrap();
    assert!(decode_geobin(&bin[..bin.len() - 1]).is_none());
    assert!(decode_geobin(&[bin, &[0]].concat()).is_none());
}

#[test]
fn a_rubric_gives_points_and_required_evidence() {
    let s = load_with(INDICATORS_FILE, &crate::sample::problems::rubric_toml()).unwrap();
    let b = s.indicator("B4.1").unwrap();
    assert_eq!(b.points, Some(10.0));
    assert_eq!(b.requires.len(), 2);
    assert_eq!(b.requires[0].media, Some(crate::record::Media::Photo));
    assert!(b.requires[0].per_year && !b.requires[1].per_year);
    assert_eq!(b.requires[1].named, ["工作总结"]);
    assert_eq!(s.indicator("B4").unwrap().points, None);
    assert!(s.indicator("C1").unwrap().requires.is_empty());
}

#[test]
fn rubric_mistakes_are_refused_with_their_line() {
    let head = "[[indicator]]\ncode = \"A\"\nname = \"甲\"\n";
    let (file, msg) = schema_err(load_with(
        INDICATORS_FILE,
        &format!("{head}points = 10\n\n[[indicator]]\ncode = \"A1\"\nname = \"乙\"\nparent = \"A\"\npoints = 2\n"),
    ));
    assert!(file.ends_with("indicators.toml line 7"), "{file}");
    assert!(msg.contains("A1") && msg.contains("one level"), "{msg}");
    let (_, msg) = schema_err(load_with(
        INDICATORS_FILE,
        &format!("{head}[[indicator.requires]]\nmedia = \"photo\"\n"),
    ));
    assert!(msg.contains("no points"), "{msg}");
    let (_, msg) = schema_err(load_with(
        INDICATORS_FILE,
        &format!("{head}points = 3\n[[indicator.requires]]\nmedia = \"picture\"\n"),
    ));
    assert!(msg.contains("photo, video, document or any"), "{msg}");
    let (_, msg) = schema_err(load_with(
        INDICATORS_FILE,
        &format!("{head}points = 3\n[[indicator.requires]]\nmnin = 5\n"),
    ));
    assert!(msg.contains("mnin"), "a misspelt key is named: {msg}");
    let (_, msg) = schema_err(load_with(
        INDICATORS_FILE,
        &format!("{head}points = 3\n[[indicator.requires]]\nper = \"month\"\n"),
    ));
    assert!(msg.contains("year") && msg.contains("period"), "{msg}");
}
