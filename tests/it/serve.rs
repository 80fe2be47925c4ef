//! The web server through its router, without a socket: pages, API, originals, thumbnails,
//! and the inputs an attacker would try. One archive, indexed once from the sample tree plus a
//! file whose name is HTML markup, is shared by every test.

use std::path::PathBuf;
use std::sync::OnceLock;

use archive::serve::{app, AppState};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

/// A file name an attacker could submit: markup that must never reach the page as markup.
pub const MARKUP_NAME: &str = "<img src=x onerror=alert(1)><script>alert(2)<\\script>.txt";

pub struct Fixture {
    _dir: tempfile::TempDir,
    /// The evidence tree (the browser test reads it too).
    #[allow(dead_code)]
    pub evidence: PathBuf,
    pub state: AppState,
}

/// The shared archive (built on first use; indexing takes a few seconds in debug builds).
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        // A static is never dropped: keep the leftover under target/tmp, not in /tmp.
        let dir = tempfile::Builder::new()
            .prefix("serve-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let evidence = dir.path().join("evidence");
        archive::sample::generate(&evidence).unwrap();
        let odd = evidence
            .join("西宁市/城中区/A1 青少年科学素质")
            .join(MARKUP_NAME);
        std::fs::create_dir_all(odd.parent().unwrap()).unwrap();
        std::fs::write(&odd, "a file whose name is markup").unwrap();
        let cfg = archive::config::Config::load(&dir.path().join("archive-data"), None).unwrap();
        let opts = archive::pipeline::IndexOptions {
            roots: vec![evidence.clone()],
            ..Default::default()
        };
        archive::pipeline::run_index(&cfg, &opts).unwrap();
        let state = AppState::open(cfg).unwrap();
        Fixture {
            _dir: dir,
            evidence,
            state,
        }
    })
}

pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Got {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn header(&self, name: header::HeaderName) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("").to_string())
            .unwrap_or_default()
    }
}

/// GET through the router; `uri` must already be percent-encoded where needed.
pub async fn get(uri: &str) -> Got {
    get_with(uri, &[]).await
}

pub async fn get_with(uri: &str, headers: &[(&str, &str)]) -> Got {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app(fixture().state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap()
        .to_vec();
    Got {
        status,
        headers,
        body,
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn search(query: &str) -> Value {
    let g = get(&format!("/api/search?{query}")).await;
    assert_eq!(g.status, StatusCode::OK, "{query}: {}", g.text());
    g.json()
}

fn names(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            h["record"]["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn facet<'a>(v: &'a Value, dim: &str, path: &str) -> Option<&'a Value> {
    fn find<'a>(items: &'a Value, path: &str) -> Option<&'a Value> {
        for f in items.as_array()? {
            if f["path"] == path {
                return Some(f);
            }
            if let Some(x) = f.get("children").and_then(|c| find(c, path)) {
                return Some(x);
            }
        }
        None
    }
    find(&v["facets"][dim], path)
}

/// The hash of the first hit whose file name is `name`.
async fn hash_of(name: &str) -> String {
    let v = search(&format!("limit=500&filter=name:{}", enc(name))).await;
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["record"]["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not indexed: {v}"))["record"]["blake3"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn search_api_has_facets_and_pages() {
    let all = search("limit=500").await;
    let total = all["total"].as_u64().unwrap();
    assert_eq!(total as usize, all["hits"].as_array().unwrap().len());
    assert!(total >= 29, "the sample tree and the markup file: {total}");
    // Facet trees start at the prefecture, with counties below, and counts that add up.
    let haidong = facet(&all, "place", "/place/海东市").expect("海东市 is a top-level place facet");
    let county_sum: u64 = haidong["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(haidong["count"].as_u64().unwrap(), county_sum);
    assert!(facet(&all, "place", "/place/海东市/互助县").is_some());
    assert!(
        facet(&all, "media", "/media/photo").is_some(),
        "{}",
        all["facets"]
    );
    assert!(facet(&all, "indicator", "/indicator/B/B4/B4.1").is_some());
    assert!(facet(&all, "date", "/date/2019").is_some());

    // Narrowing by a facet gives exactly its count.
    let hd = search(&format!("limit=500&filter={}", enc("prefecture:海东市"))).await;
    assert_eq!(hd["total"], haidong["count"]);
    assert!(hd["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["record"]["prefecture"]["name"] == "海东市"));

    // Paging: two pages of 5 are disjoint and are the first ten of the whole list.
    let p1 = search("limit=5&offset=0").await;
    let p2 = search("limit=5&offset=5").await;
    assert_eq!(p1["hits"].as_array().unwrap().len(), 5);
    assert_eq!(
        (p2["offset"].as_u64(), p2["limit"].as_u64()),
        (Some(5), Some(5))
    );
    let paths = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["record"]["path"].as_str().unwrap().to_string())
            .collect()
    };
    let (n1, n2) = (paths(&p1), paths(&p2));
    assert!(n1.iter().all(|n| !n2.contains(n)), "pages do not overlap");
    let first_ten: Vec<String> = paths(&all).into_iter().take(10).collect();
    assert_eq!([n1, n2].concat(), first_ten);
    assert_eq!(
        search("limit=100000").await["limit"],
        500,
        "page size is bounded"
    );
}

#[tokio::test]
async fn chinese_query_finds_chinese_names_and_folders() {
    let v = search(&format!("q={}&limit=100", enc("大篷车"))).await;
    let paths: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["record"]["path"].as_str().unwrap())
        .collect();
    assert!(!paths.is_empty());
    assert!(paths.iter().all(|p| p.contains("大篷车")), "{paths:?}");
    // Sorted by capture date, newest first.
    let dated = search(&format!("q={}&sort=date_desc&limit=100", enc("科普"))).await;
    let dates: Vec<&str> = dated["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["record"]["captured_at"].as_str())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert!(dates.len() > 2);
    assert_eq!(dates, sorted);
}

#[tokio::test]
async fn mistakes_are_400_with_a_message() {
    for (q, needle) in [
        (format!("q={}", enc("(科普")), "no matching ')'"),
        (format!("q={}", enc("foo:bar")), "unknown field"),
        (
            format!("filter={}", enc("nosuchfield:1")),
            "unknown filter field",
        ),
        (
            format!("filter={}", enc("prefecture:火星")),
            "not a prefecture",
        ),
        ("offset=-3".to_string(), "offset"),
        ("sort=upside".to_string(), "sort"),
        (format!("q={}", "a".repeat(1001)), "longer than"),
    ] {
        let g = get(&format!("/api/search?{q}")).await;
        assert_eq!(g.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(g
            .header(header::CONTENT_TYPE)
            .starts_with("application/json"));
        let msg = g.json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains(needle), "{q}: {msg}");
    }
    // The page says the same in its own words, with the form still there.
    let g = get(&format!("/?q={}", enc("foo:bar 科普"))).await;
    assert_eq!(g.status, StatusCode::BAD_REQUEST);
    let html = g.text();
    assert!(
        html.contains("没有“foo:”这个字段") && html.contains("<form id=\"search\""),
        "{html}"
    );
    assert!(
        html.contains("value=\"foo:bar 科普\""),
        "the query stays in the box to be corrected"
    );
    // An empty result is a message, not an error.
    let g = get(&format!("/?q={}", enc("不存在的词语组合xyzzy"))).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.text().contains("没有找到符合条件的文件"));
}

#[tokio::test]
async fn unknown_and_malformed_hashes() {
    let zeros = "0".repeat(64);
    for uri in [
        format!("/api/record/{zeros}"),
        format!("/file/{zeros}"),
        format!("/thumb/{zeros}"),
        format!("/record/{zeros}"),
    ] {
        let g = get(&uri).await;
        assert_eq!(g.status, StatusCode::NOT_FOUND, "{uri}");
    }
    assert!(get(&format!("/api/record/{zeros}")).await.json()["error"]
        .as_str()
        .unwrap()
        .contains("no file"));
    for uri in [
        "/file/..%2f..%2fetc%2fpasswd",
        "/file/..%2F..%2F..%2Fetc%2Fpasswd",
        "/thumb/..%2f..%2fetc%2fpasswd",
        "/file/%00",
        "/thumb/abc%00def",
        "/api/record/..%2f..%2fcatalog.sqlite",
        "/record/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/file/%2fetc%2fpasswd",
    ] {
        let g = get(uri).await;
        assert_eq!(g.status, StatusCode::BAD_REQUEST, "{uri}: {}", g.text());
        assert!(!g.text().contains("root:"), "{uri}");
    }
    let real = hash_of("科普日宣传.jpg").await;
    for uri in [
        format!("/file/{real}%00"),
        format!("/file/{real}%2f..%2f..%2fetc%2fpasswd"),
        format!("/file/{}", &real[..63]),
    ] {
        assert_eq!(get(&uri).await.status, StatusCode::BAD_REQUEST, "{uri}");
    }
    // Unrouted paths never reach the file system either.
    for uri in [
        "/../../etc/passwd",
        "/file/../../etc/passwd",
        "/static/../../Cargo.toml",
        "/api/nothing",
    ] {
        let g = get(uri).await;
        assert_eq!(g.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            !g.text().contains("root:") && !g.text().contains("[package]"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn file_names_with_markup_are_escaped_everywhere() {
    let v = search(&format!("q={}", enc("onerror"))).await;
    assert_eq!(names(&v), [MARKUP_NAME]);
    let name_html = v["hits"][0]["name_html"].as_str().unwrap();
    assert!(
        !name_html.contains('<') || !name_html.contains("<script"),
        "{name_html}"
    );
    let page = get(&format!("/?q={}", enc("onerror"))).await.text();
    assert!(
        page.contains("&lt;script&gt;alert(2)"),
        "the name is shown, escaped"
    );
    assert!(
        !page.contains("<script>alert") && !page.contains("<img src=x"),
        "never as markup"
    );
    let hash = v["hits"][0]["record"]["blake3"].as_str().unwrap();
    let detail = get(&format!("/record/{hash}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.text();
    assert!(detail.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!detail.contains("<script>alert") && !detail.contains("<img src=x"));
    // The query itself is echoed escaped too.
    let evil = get(&format!("/?q={}", enc("\"><script>alert(3)</script>")))
        .await
        .text();
    assert!(!evil.contains("<script>alert(3)") && evil.contains("&lt;script&gt;alert(3)"));
}

#[tokio::test]
async fn download_keeps_the_chinese_name_and_the_bytes() {
    let hash = hash_of("科普日宣传.jpg").await;
    let rec = get(&format!("/api/record/{hash}")).await.json();
    let files = rec["files"].as_array().unwrap();
    assert_eq!(
        files.len(),
        2,
        "the sample puts this photo under two prefectures: {rec}"
    );
    let id_of = |suffix: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
            .unwrap()["id"]
            .clone()
    };
    let g = get(&format!("/file/{hash}?id={}", id_of("科普日宣传.jpg"))).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.header(header::CONTENT_TYPE), "image/jpeg");
    let cd = g.header(header::CONTENT_DISPOSITION);
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E7%A7%91%E6%99%AE%E6%97%A5%E5%AE%A3%E4%BC%A0.jpg"),
        "{cd}"
    );
    assert_eq!(
        blake3::hash(&g.body).to_hex().as_str(),
        hash,
        "the bytes are the content the hash names"
    );
    assert_eq!(g.header(header::CONTENT_LENGTH), g.body.len().to_string());
    // The same content under another path is named after the path asked for.
    let g = get(&format!("/file/{hash}?id={}", id_of("科普日活动.jpg"))).await;
    assert!(g
        .header(header::CONTENT_DISPOSITION)
        .contains("%E6%B4%BB%E5%8A%A8.jpg"));
    assert_eq!(blake3::hash(&g.body).to_hex().as_str(), hash);
    // Videos seek with byte ranges.
    let whole = g.body.clone();
    let part = get_with(&format!("/file/{hash}"), &[("range", "bytes=100-199")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, whole[100..200]);
    assert_eq!(
        part.header(header::CONTENT_RANGE),
        format!("bytes 100-199/{}", whole.len())
    );
    let past = get_with(
        &format!("/file/{hash}"),
        &[("range", &format!("bytes={}-", whole.len()))],
    )
    .await;
    assert_eq!(past.status, StatusCode::RANGE_NOT_SATISFIABLE);
    // Inline display only for safe types, and sandboxed.
    let g = get(&format!("/file/{hash}?inline=1")).await;
    assert!(g.header(header::CONTENT_DISPOSITION).starts_with("inline;"));
    assert!(g
        .header(header::CONTENT_SECURITY_POLICY)
        .contains("sandbox"));
    let txt = v_hash_of_markup().await;
    let g = get(&format!("/file/{txt}?inline=1")).await;
    assert!(
        g.header(header::CONTENT_DISPOSITION)
            .starts_with("attachment;"),
        "text is never shown inline"
    );
}

async fn v_hash_of_markup() -> String {
    let v = search(&format!("q={}", enc("onerror"))).await;
    v["hits"][0]["record"]["blake3"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn thumbnails_are_upright_jpegs_and_corrupt_photos_get_an_icon() {
    let hash = hash_of("IMG_20170916_093512.jpg").await;
    let rec = get(&format!("/api/record/{hash}")).await.json();
    let r = &rec["files"][0];
    assert_eq!(r["orientation"], 6, "{r}");
    let (w, h) = (
        r["width"].as_u64().unwrap() as u32,
        r["height"].as_u64().unwrap() as u32,
    );
    assert!(w > h, "stored landscape, shown portrait");
    let g = get(&format!("/thumb/{hash}")).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.header(header::CONTENT_TYPE), "image/jpeg");
    let img = image::load_from_memory_with_format(&g.body, image::ImageFormat::Jpeg).unwrap();
    let expect_h = 320.min(w);
    let expect_w = (h as f64 * expect_h as f64 / w as f64).round() as u32;
    assert_eq!(
        (img.width(), img.height()),
        (expect_w, expect_h),
        "rotated a quarter turn and at most 320 px"
    );
    // Cached under thumbs/ab/<hash>.jpg.
    let cached = fixture()
        .state
        .config()
        .thumbs_dir()
        .join(&hash[..2])
        .join(format!("{hash}.jpg"));
    assert_eq!(std::fs::read(cached).unwrap(), g.body);

    let broken = hash_of("IMG_20200716_090530.jpg").await;
    let g = get(&format!("/thumb/{broken}")).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.header(header::CONTENT_TYPE), "image/svg+xml");
    let doc = v_hash_of_markup().await;
    assert_eq!(
        get(&format!("/thumb/{doc}"))
            .await
            .header(header::CONTENT_TYPE),
        "image/svg+xml"
    );
}

#[tokio::test]
async fn every_documented_path_answers() {
    let doc = get("/api/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let hash = hash_of("科普日宣传.jpg").await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 8);
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            assert_eq!(method, "get", "only GET routes exist");
        }
        let uri = path.replace("{blake3}", &hash);
        let g = get(&uri).await;
        assert!(
            g.status.is_success(),
            "{uri} answered {}: {}",
            g.status,
            g.text()
        );
    }
    // And the other way round: the API routes the router has are documented.
    for route in [
        "/api/search",
        "/api/record/{blake3}",
        "/api/coverage",
        "/api/schema/indicators",
        "/api/schema/places",
        "/file/{blake3}",
        "/thumb/{blake3}",
    ] {
        assert!(paths.contains_key(route), "{route} is not in openapi.json");
    }
    let places = get("/api/schema/places").await.json();
    assert_eq!(places["prefectures"].as_array().unwrap().len(), 8);
    let inds = get("/api/schema/indicators").await.json();
    assert!(inds["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["code"] == "B4.1"));
}

#[tokio::test]
async fn coverage_ledger_page_and_api() {
    let cov = get("/api/coverage").await.json();
    let cols = cov["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 9, "eight prefectures and 'place unknown'");
    let b41 = cov["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "B4.1")
        .unwrap();
    let hd = cols.iter().position(|c| c["code"] == "630200").unwrap();
    assert!(b41["cells"][hd]["total"].as_u64().unwrap() >= 1);
    assert_eq!(
        get(&format!("/api/coverage?prefecture={}", enc("火星")))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let by_county = get(&format!("/api/coverage?prefecture={}", enc("海东市")))
        .await
        .json();
    assert_eq!(by_county["by"], "county");

    let page = get("/ledger").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("class=\"empty\""), "empty cells are marked");
    // The B4.1 × 海东市 cell links to exactly that search.
    let link = format!(
        "/?f={}&amp;f={}",
        enc("indicator:B4.1"),
        enc("prefecture:海东市")
    );
    assert!(html.contains(&link), "{link} in ledger");
    let g = get(&link.replace("&amp;", "&")).await;
    assert!(g
        .text()
        .contains(&format!("data-total=\"{}\"", b41["cells"][hd]["total"])));
    let county = get(&format!("/ledger?prefecture={}", enc("海东市"))).await;
    assert!(county.text().contains("互助县"));
}

#[tokio::test]
async fn search_page_facets_chips_map_timeline_and_language() {
    let home = get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home
        .header(header::CONTENT_SECURITY_POLICY)
        .contains("script-src 'self'"));
    let html = home.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    for needle in [
        "class=\"facet\"",
        "class=\"region-link\"",
        "class=\"bar\"",
        "id=\"results\"",
        "/thumb/",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // Photos with GPS are points on the map, titled with their file names.
    assert!(
        html.contains("<circle class=\"pt\"") && html.contains("<title>农牧民培训现场.jpg</title>"),
        "GPS points on the search page's map"
    );
    // A facet link narrows and shows a removable chip; the chip's link removes it again.
    let narrowed = get(&format!("/?f={}", enc("prefecture:海东市")))
        .await
        .text();
    assert!(
        narrowed.contains("class=\"chip\" data-filter=\"prefecture:海东市\" href=\"/\""),
        "chip removes the filter"
    );
    assert!(narrowed.contains("市州: 海东市"));
    assert!(narrowed.contains("class=\"facet on\""));
    // Timeline bars filter by month.
    let month = get(&format!("/?f={}", enc("date:2019-06"))).await.text();
    // June 2019 in the sample: three 科普大篷车 photos, the phone video and the DOCX minutes.
    assert!(
        month.contains("data-total=\"5\""),
        "five sample files are from June 2019"
    );
    // English.
    let en = get("/?lang=en").await.text();
    assert!(
        en.contains("<html lang=\"en\">") && en.contains("Coverage ledger") && en.contains("中文")
    );
    // The detail page shows tags with sources, flags with reasons, other copies, the map.
    let hash = hash_of("科普日宣传.jpg").await;
    let d = get(&format!("/record/{hash}?lang=en")).await.text();
    for needle in [
        "Tags and their sources",
        "folder path",
        "Same content submitted twice",
        "科普日活动.jpg",
        "id=\"download\"",
        "class=\"map small\"",
        "class=\"claimed\"",
        "class=\"pt\"",
    ] {
        assert!(d.contains(needle), "{needle} on the detail page");
    }
    // The same-content list names the other paths, never the file itself (issue 15).
    let copies = &d[d.find("class=\"copies\"").expect("a list of other copies")..];
    let copies = &copies[..copies.find("</ul>").unwrap()];
    // This page is the first path (科普日活动.jpg, by path order); the list holds the other.
    assert!(
        d.contains("<title>科普日活动.jpg"),
        "the page is about 科普日活动.jpg"
    );
    assert!(
        copies.contains("科普日宣传.jpg") && !copies.contains("科普日活动.jpg"),
        "{copies}"
    );
    assert_eq!(copies.matches("<li>").count(), 1, "{copies}");
}

#[tokio::test]
async fn only_loopback_host_names_are_answered() {
    // A page on evil.example that rebinds its name to 127.0.0.1 must not read the evidence.
    for host in [
        "evil.example",
        "evil.example:8080",
        "192.168.1.5:8080",
        "127.0.0.1.evil.example",
    ] {
        let g = get_with("/api/search", &[("host", host)]).await;
        assert_eq!(g.status, StatusCode::FORBIDDEN, "{host}");
        assert!(g.json()["error"].as_str().unwrap().contains("loopback"));
    }
    for host in [
        "127.0.0.1:8080",
        "localhost:8080",
        "[::1]:8080",
        "localhost",
    ] {
        assert_eq!(
            get_with("/api/search", &[("host", host)]).await.status,
            StatusCode::OK,
            "{host}"
        );
    }
}

#[test]
fn serve_command_refuses_a_reachable_address_without_users() {
    let env = crate::harness::Env::new();
    let r = env.run(&["serve", "--addr", "0.0.0.0:8080"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("add a user first: archive user add NAME --role admin"),
        "{}",
        r.stderr
    );
    let r = env.run(&["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(r.code, 1, "no catalog yet");
    assert!(r.stderr.contains("archive index"), "{}", r.stderr);
}

/// Start `archive ARGS` (which prints its URL), GET `path` there, stop it, return the answer
/// and everything printed before the URL.
fn ask_running(env: &crate::harness::Env, args: &[&str], path: &str) -> (String, String) {
    use std::io::{BufRead, Read, Write};
    let mut child = env
        .cmd()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let addr = loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let _ = child.wait();
            panic!("exited without serving: {printed}");
        }
        printed.push_str(&line);
        if let Some(url) = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
        {
            break url
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string();
        }
    };
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    (answer, printed)
}

#[test]
fn serve_command_prints_its_address_and_answers_there() {
    let env = crate::harness::Env::new();
    env.write("海东市/互助县/科普大篷车进校园.txt", "活动");
    env.index();
    let (answer, _) = ask_running(
        &env,
        &["serve", "--addr", "127.0.0.1:0"],
        "/api/search?q=%E7%A7%91%E6%99%AE",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("科普大篷车进校园.txt") && answer.contains("\"total\":1"),
        "{answer}"
    );
}

#[test]
fn demo_generates_indexes_and_serves_the_sample() {
    let env = crate::harness::Env::new();
    let sample = env.evidence.join("sample");
    let args = [
        "demo",
        "--addr",
        "127.0.0.1:0",
        "--no-browser",
        "--evidence",
        sample.to_str().unwrap(),
    ];
    let (answer, printed) = ask_running(&env, &args, "/");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let files = walkdir::WalkDir::new(&sample)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert!(files > 20, "the sample tree was written: {files}");
    assert!(
        answer.contains(&format!("data-total=\"{files}\"")),
        "all {files} sample files are served: {printed}"
    );
    // A second demo reuses the sample tree: nothing new to index.
    let (_, printed) = ask_running(&env, &args, "/");
    assert!(
        printed.contains(&format!("0 new, 0 changed, {files} unchanged")),
        "{printed}"
    );
}

#[tokio::test]
async fn the_record_page_speaks_one_language_at_a_time() {
    use archive::i18n::{Lang, Msg};
    let hash = hash_of("科普日宣传.jpg").await;
    // Headings, column names, a tag source and a flag label the sample file shows.
    let labels = [
        Msg::TagsAndSources,
        Msg::Metadata,
        Msg::Download,
        Msg::SameContent,
        Msg::BackToSearch,
        Msg::Evidence,
        Msg::SourcePath,
        Msg::FlagDuplicateAcrossSubmissions,
        Msg::NavLedger,
    ];
    for (lang, query) in [(Lang::Zh, ""), (Lang::En, "?lang=en")] {
        let page = get(&format!("/record/{hash}{query}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        assert!(page.contains(&format!("<html lang=\"{}\">", lang.code())));
        for m in labels {
            assert!(page.contains(lang.t(m)), "{lang:?} page shows {}", m.code());
            assert!(
                !page.contains(lang.other().t(m)),
                "{lang:?} page has no {:?} {}: {page}",
                lang.other(),
                m.code()
            );
        }
    }
}

#[tokio::test]
async fn markup_in_file_names_is_text_in_both_languages() {
    let v = search(&format!("q={}", enc("onerror"))).await;
    let hash = v["hits"][0]["record"]["blake3"]
        .as_str()
        .unwrap()
        .to_string();
    for lang in ["", "&lang=en"] {
        let search_page = get(&format!("/?q={}{lang}", enc("onerror"))).await.text();
        let record_page = get(&format!("/record/{hash}?id=0{lang}")).await.text();
        for page in [search_page, record_page] {
            assert!(page.contains("&lt;script&gt;alert(2)"), "{page}");
            assert!(
                !page.contains("<script>alert") && !page.contains("<img src=x"),
                "{page}"
            );
        }
    }
    // The record page's title is the file name, escaped there too.
    let record = get(&format!("/record/{hash}")).await.text();
    assert!(
        record.contains("<title>&lt;img src=x onerror=alert(1)&gt;"),
        "{record}"
    );
}

#[tokio::test]
async fn unknown_pages_use_the_one_error_page() {
    let g = get("/no/such/page?lang=en").await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    let html = g.text();
    assert!(
        html.contains("There is no such page.")
            && html.contains("<html lang=\"en\">")
            && html.contains("class=\"msg error\""),
        "{html}"
    );
    let zh = get("/record/zz").await;
    assert_eq!(zh.status, StatusCode::BAD_REQUEST);
    assert!(zh.text().contains("class=\"msg error\"") && zh.text().contains("返回检索"));
}

/// A catalogued original swapped on disk (issue 20, finding 2): a link to a same-size file
/// outside the evidence, or a same-size edit in place, is not served under the old hash; the
/// answer is 409 with the reason, and an unchanged file is still served.
#[tokio::test]
async fn originals_are_served_only_while_they_are_the_catalogued_file() {
    let dir = tempfile::Builder::new()
        .prefix("serve-orig-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let evidence = dir.path().join("evidence");
    let folder = evidence.join("海东市/互助县");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in [
        ("活动记录.txt", "科普大篷车进校园，2019年6月12日。"),
        ("签到表.txt", "签到表：张三、李四、王五，共三人。"),
        ("总结.txt", "全年开展科普活动十二次，覆盖三个乡镇。"),
    ] {
        std::fs::write(folder.join(name), text).unwrap();
    }
    let outside = dir.path().join("secret.txt");
    let archive_dir = dir.path().join("archive-data");
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    let opts = archive::pipeline::IndexOptions {
        roots: vec![evidence.clone()],
        ..Default::default()
    };
    archive::pipeline::run_index(&cfg, &opts).unwrap();
    let schema = std::sync::Arc::new(cfg.schema().unwrap());
    let st = AppState::with_schema(cfg, schema).unwrap();
    let fetch = |uri: String| {
        let st = st.clone();
        async move {
            let res = app(st)
                .oneshot(
                    Request::get(uri)
                        .header(header::HOST, "127.0.0.1:8080")
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let b3 = |name: &str| {
        blake3::hash(&std::fs::read(folder.join(name)).unwrap())
            .to_hex()
            .to_string()
    };
    let (record, signin, summary) = (b3("活动记录.txt"), b3("签到表.txt"), b3("总结.txt"));

    let (status, body) = fetch(format!("/file/{summary}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("十二次"));

    // A link to a same-size file outside the evidence tree, put in a catalogued file's place.
    let signin_len = std::fs::metadata(folder.join("签到表.txt")).unwrap().len() as usize;
    std::fs::write(&outside, "x".repeat(signin_len)).unwrap();
    std::fs::remove_file(folder.join("签到表.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, folder.join("签到表.txt")).unwrap();
    let (status, body) = fetch(format!("/file/{signin}")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        !body.contains("xxxx"),
        "the linked file's bytes were served"
    );
    assert!(
        body.contains("签到表.txt") && body.contains("archive index"),
        "{body}"
    );

    // A same-size edit in place.
    let len = std::fs::metadata(folder.join("活动记录.txt"))
        .unwrap()
        .len() as usize;
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(folder.join("活动记录.txt"), "y".repeat(len)).unwrap();
    let (status, body) = fetch(format!("/file/{record}")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(!body.contains("yyyy"));

    // Gone altogether is still "missing", with the same advice.
    std::fs::remove_file(folder.join("总结.txt")).unwrap();
    let (status, body) = fetch(format!("/file/{summary}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

/// Typed the way people type into a search engine: a place and a year among the words act as
/// filters, show as chips that can be taken off, and an empty result says which condition to
/// drop and how many files that gives.
#[tokio::test]
async fn places_and_years_typed_as_words_act_as_filters() {
    let place = search(&format!("filter={}", enc("prefecture:海东市"))).await["total"]
        .as_u64()
        .unwrap();
    assert!(place > 0);
    let typed = search(&format!("q={}", enc("海东市"))).await["total"]
        .as_u64()
        .unwrap();
    assert_eq!(typed, place, "the word 海东市 finds what the filter finds");

    let html = get(&format!("/?q={}", enc("海东市 2019"))).await.text();
    assert!(html.contains("data-filter=\"place:海东市\""), "{html}");
    assert!(html.contains("data-filter=\"year:2019\""), "{html}");
    // The 海东市 chip's link keeps the year and drops the place.
    assert!(html.contains("href=\"/?q=2019\""), "{html}");

    // No evidence from 1991: nothing matches, and the page says what dropping the year gives.
    let page = get(&format!("/?q={}", enc("海东市 1991"))).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("没有找到符合条件的文件"), "{html}");
    assert!(
        html.contains(&format!("去掉“1991”：{place} 个文件")),
        "{html}"
    );
    // Labels typed back: the page's own words for a field and a flag work as fields.
    let by_label = search(&format!("q={}", enc("市州:海东市"))).await["total"]
        .as_u64()
        .unwrap();
    assert_eq!(by_label, place);
    let unreadable = search(&format!("q={}", enc("flag:unreadable"))).await["total"].clone();
    assert_eq!(
        search(&format!("q={}", enc("标志:无法读取"))).await["total"],
        unreadable
    );
    let g = get(&format!("/api/search?q={}", enc("flag:foo"))).await;
    assert_eq!(
        g.status,
        StatusCode::BAD_REQUEST,
        "an unknown flag is an error, not 0 hits"
    );
}
