//! Curation through the web server: sign-in and sign-out, the role each route needs, CSRF on
//! every change, review on the collection page, the download button's package, and the
//! refusal to serve openly without users. One archive with three users is shared.

use std::sync::OnceLock;

use archive::curate::{users, Actor, Role};
use archive::serve::{app, AppState};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use tower::ServiceExt;

pub(crate) const PASSWORD: &str = "correct horse 42";

pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    /// Users configured, loopback.
    pub(crate) state: AppState,
    /// The same archive served as if bound to a reachable address.
    remote: AppState,
    /// The same archive with no users (local mode).
    local: AppState,
    /// BLAKE3 of some catalogued files.
    pub(crate) hashes: Vec<String>,
    pub(crate) file_ids: Vec<i64>,
}

pub(crate) fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("curweb-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let evidence = dir.path().join("evidence");
        archive::sample::generate(&evidence).unwrap();
        let archive_dir = dir.path().join("archive-data");
        let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
        let opts = archive::pipeline::IndexOptions { roots: vec![evidence], ..Default::default() };
        archive::pipeline::run_index(&cfg, &opts).unwrap();
        // The same archive before any user existed: the server re-reads users from
        // config.toml, so the no-users case needs a folder of its own.
        let local_dir = dir.path().join("archive-local");
        copy_dir(&archive_dir, &local_dir);
        let op = Actor::local_operator();
        for (n, r) in [("ada", Role::Admin), ("cai", Role::Curator), ("vic", Role::Viewer)] {
            users::add(&archive_dir, &op, n, r, PASSWORD).unwrap();
        }
        // Tests running at once sign in the same users here: with one session per user (the
        // default) each sign-in would end the others' (tested on archives of their own).
        let config = archive_dir.join("config.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, format!("{text}\n[serve]\nsingle_session = false\n")).unwrap();
        let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
        assert_eq!(cfg.users.len(), 3);
        assert!(!cfg.serve.single_session);
        let schema = std::sync::Arc::new(cfg.schema().unwrap());
        let state = AppState::with_schema(cfg.clone(), schema.clone()).unwrap();
        let remote = AppState::with_schema(cfg.clone(), schema.clone()).unwrap().allowing_remote();
        let no_users = archive::config::Config::load(&local_dir, None).unwrap();
        assert!(no_users.users.is_empty());
        let local = AppState::with_schema(no_users, schema).unwrap();
        let cat = archive::catalog::Catalog::open_existing(&archive_dir).unwrap();
        let mut hashes = Vec::new();
        let mut file_ids = Vec::new();
        let mut stmt = cat.conn().prepare("SELECT id, blake3 FROM files WHERE blake3 IS NOT NULL GROUP BY blake3 ORDER BY id LIMIT 3").unwrap();
        let found = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).unwrap();
        for f in found {
            let (id, b3) = f.unwrap();
            file_ids.push(id);
            hashes.push(b3);
        }
        drop(stmt);
        assert_eq!(file_ids.len(), 3);
        Fixture { dir, state, remote, local, hashes, file_ids }
    })
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

pub(crate) struct Got {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Got {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub(crate) fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

/// A signed-in browser: the session cookie and the CSRF token its pages carry.
#[derive(Clone, Default)]
pub(crate) struct Client {
    pub(crate) cookie: Option<String>,
    pub(crate) csrf: String,
}

pub(crate) async fn send(
    st: &AppState,
    method: &str,
    path: &str,
    c: &Client,
    form: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Got {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080");
    if let Some(k) = &c.cookie {
        b = b.header(header::COOKIE, format!("archive_session={k}"));
    }
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    let body = if method == "GET" {
        Body::empty()
    } else {
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            s.append_pair(k, v);
        }
        Body::from(s.finish())
    };
    let res = app(st.clone())
        .oneshot(b.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Got {
        status,
        headers,
        body,
    }
}

pub(crate) async fn get(st: &AppState, path: &str, c: &Client) -> Got {
    send(st, "GET", path, c, &[], &[]).await
}

/// POST a form with the client's CSRF token.
pub(crate) async fn post(st: &AppState, path: &str, c: &Client, form: &[(&str, &str)]) -> Got {
    let mut f = form.to_vec();
    f.push(("csrf", &c.csrf));
    send(st, "POST", path, c, &f, &[]).await
}

pub(crate) async fn sign_in(st: &AppState, name: &str) -> Client {
    let g = send(
        st,
        "POST",
        "/login",
        &Client::default(),
        &[("name", name), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.text());
    let cookie = g
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    assert_eq!(token.len(), 64);
    let mut c = Client {
        cookie: Some(token),
        csrf: String::new(),
    };
    let s: serde_json::Value =
        serde_json::from_slice(&get(st, "/api/session", &c).await.body).unwrap();
    assert_eq!(s["user"], name);
    c.csrf = s["csrf"].as_str().unwrap().to_string();
    c
}

pub(crate) fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn sign_in_and_sign_out() {
    let f = fixture();
    let wrong = send(
        &f.state,
        "POST",
        "/login",
        &Client::default(),
        &[("name", "ada"), ("password", "nope nope nope")],
        &[],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    let nobody = send(
        &f.state,
        "POST",
        "/login",
        &Client::default(),
        &[("name", "zed"), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    let c = sign_in(&f.state, "ada").await;
    let page = get(&f.state, "/collections", &c).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("ada (admin)"), "{}", page.text());
    // Signing out needs the CSRF token too (a foreign site must not sign people out).
    assert_eq!(
        send(&f.state, "POST", "/logout", &c, &[], &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let out = post(&f.state, "/logout", &c, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    // The old cookie is dead on the server, not only in the browser.
    let after = get(&f.state, "/collections", &c).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), "/login");
    let s: serde_json::Value =
        serde_json::from_slice(&get(&f.state, "/api/session", &c).await.body).unwrap();
    assert!(s["user"].is_null());
}

#[tokio::test]
async fn every_curation_route_checks_the_role() {
    let f = fixture();
    let (admin, curator, viewer) = (
        sign_in(&f.state, "ada").await,
        sign_in(&f.state, "cai").await,
        sign_in(&f.state, "vic").await,
    );
    let anon = Client::default();
    let name = "角色测试";
    let base = format!("/collections/{}", enc(name));
    let id = f.file_ids[0].to_string();

    // Anonymous: pages go to the sign-in page, the API answers 401, changes are refused.
    for path in ["/collections", base.as_str(), "/users"] {
        let g = get(&f.state, path, &anon).await;
        assert_eq!(
            (g.status, g.location()),
            (StatusCode::SEE_OTHER, "/login".to_string()),
            "{path}"
        );
    }
    assert_eq!(
        get(&f.state, "/api/collections", &anon).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(
            &f.state,
            "POST",
            "/collections",
            &anon,
            &[("name", name)],
            &[]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    // Once users exist, reading needs a sign-in on loopback too (a reverse proxy on the same
    // host would pass everyone in as local): issue 20, finding 3.
    assert_eq!(
        get(&f.state, "/api/search", &anon).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&f.state, "/", &anon).await.location(), "/login");
    let original = format!("/file/{}", f.hashes[0]);
    assert_eq!(get(&f.state, &original, &anon).await.location(), "/login");
    // Unless the server was started with --public-read (a kiosk): reading, not curating.
    let cfg = archive::config::Config::load(&f.dir.path().join("archive-data"), None).unwrap();
    let schema = std::sync::Arc::new(cfg.schema().unwrap());
    let kiosk = AppState::with_schema(cfg, schema).unwrap().public_read();
    assert_eq!(
        get(&kiosk, "/api/search", &anon).await.status,
        StatusCode::OK
    );
    assert_eq!(get(&kiosk, &original, &anon).await.status, StatusCode::OK);
    assert_eq!(
        send(
            &kiosk,
            "POST",
            "/collections",
            &anon,
            &[("name", name)],
            &[]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert!(get(&kiosk, "/collections", &anon)
        .await
        .location()
        .ends_with("/login"));

    // Viewers read but change nothing.
    assert_eq!(
        post(&f.state, "/collections", &viewer, &[("name", name)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let created = post(
        &f.state,
        "/collections",
        &curator,
        &[("name", name), ("description", "for the role test")],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    assert_eq!(created.location(), base);
    assert_eq!(get(&f.state, &base, &viewer).await.status, StatusCode::OK);
    assert_eq!(
        get(&f.state, "/api/collections", &viewer).await.status,
        StatusCode::OK
    );
    let actions: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{base}/add"), vec![("file", id.as_str())]),
        (
            format!("{base}/review"),
            vec![("file", id.as_str()), ("state", "accepted")],
        ),
        (
            format!("{base}/move"),
            vec![("file", id.as_str()), ("to", "1")],
        ),
        (format!("{base}/describe"), vec![("description", "changed")]),
        (format!("{base}/remove"), vec![("file", id.as_str())]),
        (format!("{base}/export"), vec![]),
        (
            format!("/record/{}/tag", f.hashes[0]),
            vec![
                ("file", id.as_str()),
                ("kind", "indicator"),
                ("value", "x"),
                ("reason", "r"),
            ],
        ),
    ];
    for (path, form) in &actions {
        let g = post(&f.state, path, &viewer, form).await;
        assert_eq!(
            g.status,
            StatusCode::FORBIDDEN,
            "viewer {path}: {}",
            g.text()
        );
    }
    // Curators do all of it, in order: add, review, move, describe, download, remove.
    for (path, form) in &actions[..4] {
        let g = post(&f.state, path, &curator, form).await;
        assert_eq!(
            g.status,
            StatusCode::SEE_OTHER,
            "curator {path}: {}",
            g.text()
        );
    }
    let zip = post(&f.state, &actions[5].0, &curator, &[]).await;
    assert_eq!(zip.status, StatusCode::OK, "{}", zip.text());
    let g = post(&f.state, &actions[4].0, &curator, &actions[4].1).await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.text());
    // Users: admins only.
    assert_eq!(
        get(&f.state, "/users", &curator).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(
            &f.state,
            "/users",
            &curator,
            &[("name", "eve"), ("role", "admin"), ("password", PASSWORD)]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let users_page = get(&f.state, "/users", &admin).await;
    assert_eq!(users_page.status, StatusCode::OK);
    assert!(users_page.text().contains("vic") && !users_page.text().contains("argon2"));
    let added = post(
        &f.state,
        "/users",
        &admin,
        &[("name", "dee"), ("role", "viewer"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let dee = sign_in(&f.state, "dee").await;
    assert_eq!(
        post(
            &f.state,
            "/users/remove",
            &admin,
            &[("name", "dee"), ("reason", "test over")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    // Removing a user ends their sessions at once.
    assert_eq!(
        get(&f.state, "/collections", &dee).await.status,
        StatusCode::SEE_OTHER
    );
    let again = send(
        &f.state,
        "POST",
        "/login",
        &Client::default(),
        &[("name", "dee"), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changes_without_the_csrf_token_are_refused() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let name = "csrf 测试";
    let missing = send(&f.state, "POST", "/collections", &c, &[("name", name)], &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.text().contains("CSRF"));
    let wrong = send(
        &f.state,
        "POST",
        "/collections",
        &c,
        &[("name", name), ("csrf", &"0".repeat(64))],
        &[],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another user's token is wrong too.
    let other = sign_in(&f.state, "ada").await;
    let crossed = send(
        &f.state,
        "POST",
        "/collections",
        &c,
        &[("name", name), ("csrf", &other.csrf)],
        &[],
    )
    .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&f.state, &format!("/collections/{}", enc(name)), &c)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "nothing was created"
    );
    // The header works for scripts.
    let ok = send(
        &f.state,
        "POST",
        "/collections",
        &c,
        &[("name", name)],
        &[("x-csrf-token", &c.csrf)],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let dup = post(&f.state, "/collections", &c, &[("name", name)]).await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.text());

    // Local mode (no users): everyone is admin, but a per-process token still guards changes.
    let anon = Client::default();
    let page = get(&f.local, "/collections", &anon).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("本机模式"));
    assert_eq!(
        send(
            &f.local,
            "POST",
            "/collections",
            &anon,
            &[("name", "本机")],
            &[]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let html = page.text();
    let at = html
        .find(r#"name="csrf" value=""#)
        .expect("the page embeds the token")
        + r#"name="csrf" value=""#.len();
    let token = &html[at..at + 64];
    let local = Client {
        cookie: None,
        csrf: token.to_string(),
    };
    assert_eq!(
        post(&f.local, "/collections", &local, &[("name", "本机")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A token from the signed-in server is not this process's local token.
    assert_eq!(
        send(
            &f.local,
            "POST",
            "/collections",
            &anon,
            &[("name", "x"), ("csrf", &c.csrf)],
            &[]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn rejecting_needs_a_reason_on_the_page() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let name = "审核";
    let base = format!("/collections/{}", enc(name));
    assert_eq!(
        post(&f.state, "/collections", &c, &[("name", name)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let id = f.file_ids[1].to_string();
    assert_eq!(
        post(
            &f.state,
            "/collections/add",
            &c,
            &[("collection", name), ("file", &id)]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let refused = post(
        &f.state,
        &format!("{base}/review"),
        &c,
        &[("file", &id), ("state", "rejected"), ("reason", "  ")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text().contains("原因"), "{}", refused.text());
    let page = get(&f.state, &base, &c).await.text();
    assert!(
        page.contains("review-pending") && !page.contains("review-rejected"),
        "still pending"
    );
    let ok = post(
        &f.state,
        &format!("{base}/review"),
        &c,
        &[("file", &id), ("state", "rejected"), ("reason", "照片模糊")],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = get(&f.state, &base, &c).await.text();
    assert!(
        page.contains("review-rejected") && page.contains("照片模糊"),
        "{page}"
    );
    // The file's page shows the review in its history.
    let record = get(&f.state, &format!("/record/{}", f.hashes[1]), &c)
        .await
        .text();
    assert!(
        record.contains("review.set") && record.contains("照片模糊"),
        "{record}"
    );
}

#[tokio::test]
async fn the_download_button_gives_a_package_that_verifies() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let name = "下载包";
    let base = format!("/collections/{}", enc(name));
    assert_eq!(
        post(&f.state, "/collections", &c, &[("name", name)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // "Add all results of this search", sent as the page's search box sends it: only the
    // matches, never the whole catalog (issue 20, finding 5).
    for nothing in [&[("q", "")][..], &[("q", "  "), ("f", "")][..]] {
        let mut form = vec![("collection", name)];
        form.extend_from_slice(nothing);
        let refused = post(&f.state, "/collections/add", &c, &form).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{}",
            refused.text()
        );
    }
    let malformed = post(
        &f.state,
        "/collections/add",
        &c,
        &[("collection", name), ("q", "科普"), ("f", "nonsense")],
    )
    .await;
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.text()
    );
    let all = post(
        &f.state,
        "/collections/add",
        &c,
        &[("collection", name), ("q", "科普"), ("f", "media:photo")],
    )
    .await;
    assert_eq!(all.status, StatusCode::SEE_OTHER, "{}", all.text());
    let shown: serde_json::Value = serde_json::from_slice(
        &get(&f.state, &format!("/api/collections/{}", enc(name)), &c)
            .await
            .body,
    )
    .unwrap();
    let n = shown["items"].as_array().unwrap().len();
    let searched: serde_json::Value = serde_json::from_slice(
        &get(
            &f.state,
            "/api/search?q=%E7%A7%91%E6%99%AE&f=media:photo&limit=1",
            &c,
        )
        .await
        .body,
    )
    .unwrap();
    let everything: serde_json::Value =
        serde_json::from_slice(&get(&f.state, "/api/search?limit=1", &c).await.body).unwrap();
    assert!(n >= 1, "{shown}");
    assert_eq!(n as u64, searched["total"].as_u64().unwrap(), "{shown}");
    assert!((n as u64) < everything["total"].as_u64().unwrap());
    let zip = post(&f.state, &format!("{base}/export"), &c, &[]).await;
    assert_eq!(zip.status, StatusCode::OK, "{}", zip.text());
    assert_eq!(zip.headers[header::CONTENT_TYPE], "application/zip");
    let cd = zip.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        cd.starts_with("attachment;")
            && cd.contains(&format!("filename*=UTF-8''{}.zip", enc(name))),
        "{cd}"
    );
    assert_eq!(&zip.body[..2], b"PK");
    let out = f.dir.path().join("downloaded.zip");
    std::fs::write(&out, &zip.body).unwrap();
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_archive"))
        .arg("verify")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        r.status.success(),
        "archive verify: {}{}",
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&r.stderr)
    );
    // The temporary package is gone from the archive folder.
    let tmp = f.dir.path().join("archive-data/tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn retag_from_the_detail_page() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let b3 = &f.hashes[2];
    let id = f.file_ids[2].to_string();
    let page = get(&f.state, &format!("/record/{b3}"), &c).await.text();
    assert!(
        page.contains(&format!("/record/{b3}/tag")),
        "the re-tag form is on the page"
    );
    let bad = post(
        &f.state,
        &format!("/record/{b3}/tag"),
        &c,
        &[
            ("file", &id),
            ("kind", "county"),
            ("value", "火星县"),
            ("reason", "r"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    let no_reason = post(
        &f.state,
        &format!("/record/{b3}/tag"),
        &c,
        &[
            ("file", &id),
            ("kind", "prefecture"),
            ("value", "海东市"),
            ("reason", ""),
        ],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let ok = post(
        &f.state,
        &format!("/record/{b3}/tag"),
        &c,
        &[
            ("file", &id),
            ("kind", "prefecture"),
            ("value", "海东市"),
            ("reason", "会场在平安区"),
        ],
    )
    .await;
    // A first post only shows the change for confirmation.
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert!(
        ok.text().contains(r#"name="confirm" value="1""#),
        "{}",
        ok.text()
    );
    let ok = post(
        &f.state,
        &format!("/record/{b3}/tag"),
        &c,
        &[
            ("file", &id),
            ("kind", "prefecture"),
            ("value", "海东市"),
            ("reason", "会场在平安区"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let page = get(&f.state, &format!("/record/{b3}"), &c).await.text();
    assert!(
        page.contains("会场在平安区") && page.contains("tag.set") && page.contains("→ 海东市"),
        "history shows the change"
    );
}

#[tokio::test]
async fn a_reachable_server_needs_sign_in_for_everything() {
    let f = fixture();
    let anon = Client::default();
    let g = send(
        &f.remote,
        "GET",
        "/",
        &anon,
        &[],
        &[("host", "archive.office.example")],
    )
    .await;
    assert_eq!(
        (g.status, g.location()),
        (StatusCode::SEE_OTHER, "/login".to_string())
    );
    let g = send(
        &f.remote,
        "GET",
        "/api/search",
        &anon,
        &[],
        &[("host", "archive.office.example")],
    )
    .await;
    assert_eq!(g.status, StatusCode::UNAUTHORIZED);
    let g = send(
        &f.remote,
        "GET",
        &format!("/file/{}", f.hashes[0]),
        &anon,
        &[],
        &[("host", "archive.office.example")],
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    assert_eq!(get(&f.remote, "/login", &anon).await.status, StatusCode::OK);
    let v = sign_in(&f.remote, "vic").await;
    assert_eq!(
        get(&f.remote, "/api/search", &v).await.status,
        StatusCode::OK
    );
}

#[test]
fn serve_refuses_a_reachable_address_without_users() {
    let env = crate::harness::Env::new();
    env.write("a/note.txt", "hello");
    assert_eq!(env.index().0, 0);
    let r = env.run(&["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("add a user first: archive user add NAME --role admin"),
        "{}",
        r.stderr
    );
}

#[tokio::test]
async fn curation_controls_only_for_those_who_may_use_them() {
    let f = fixture();
    let (curator, viewer) = (
        sign_in(&f.state, "cai").await,
        sign_in(&f.state, "vic").await,
    );
    assert_eq!(
        post(&f.state, "/collections", &curator, &[("name", "按钮")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let results = get(&f.state, "/?q=%E7%A7%91%E6%99%AE&f=media:photo", &curator)
        .await
        .text();
    assert!(
        results.contains(r#"action="/collections/add""#) && results.contains("按钮"),
        "curators get the add-all form"
    );
    assert!(
        results.contains(r#"name="q" value="科普""#)
            && results.contains(r#"name="f" value="media:photo""#),
        "the form carries the search as the search box sends it"
    );
    assert!(
        !get(&f.state, "/?q=", &curator)
            .await
            .text()
            .contains(r#"action="/collections/add""#),
        "browsing everything offers no add-all"
    );
    assert!(!get(&f.state, "/?q=%E7%A7%91%E6%99%AE", &viewer)
        .await
        .text()
        .contains(r#"action="/collections/add""#));
    let record = format!("/record/{}", f.hashes[0]);
    assert!(get(&f.state, &record, &curator)
        .await
        .text()
        .contains("/tag\""));
    let seen = get(&f.state, &record, &viewer).await.text();
    assert!(
        !seen.contains("/tag\"") && !seen.contains(r#"name="csrf""#),
        "viewers see no re-tag form"
    );
    let coll = get(&f.state, &format!("/collections/{}", enc("按钮")), &viewer)
        .await
        .text();
    assert!(
        !coll.contains("/export\"") && !coll.contains("/review\""),
        "viewers see no review or download buttons"
    );
}

/// Users changed with the command line while the server runs (issue 20, finding 1): the next
/// request of each affected session finds it ended; other users stay signed in.
/// An archive of its own (one small file) with these users, for tests that change users or
/// sign-in state and must not disturb the shared fixture.
fn own_archive(who: &[(&str, Role)]) -> (tempfile::TempDir, std::path::PathBuf, AppState) {
    let dir = tempfile::Builder::new()
        .prefix("curweb-own-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let evidence = dir.path().join("evidence");
    std::fs::create_dir_all(evidence.join("海东市")).unwrap();
    std::fs::write(evidence.join("海东市/说明.txt"), "科普大篷车进校园").unwrap();
    let archive_dir = dir.path().join("archive-data");
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    let opts = archive::pipeline::IndexOptions {
        roots: vec![evidence],
        ..Default::default()
    };
    archive::pipeline::run_index(&cfg, &opts).unwrap();
    let op = Actor::local_operator();
    for (n, r) in who {
        users::add(&archive_dir, &op, n, *r, PASSWORD).unwrap();
    }
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    let schema = std::sync::Arc::new(cfg.schema().unwrap());
    let st = AppState::with_schema(cfg, schema).unwrap();
    (dir, archive_dir, st)
}

/// Repeated wrong passwords (issue 20, finding 4): after a few, the name must wait before the
/// next try, even with the right password, and is told how long; other names are not held up.
#[tokio::test]
async fn repeated_wrong_passwords_make_the_name_wait() {
    let (_dir, _archive, st) = own_archive(&[("ada", Role::Admin), ("cai", Role::Curator)]);
    let attempt = |name: &'static str, password: &'static str| {
        let st = st.clone();
        async move {
            send(
                &st,
                "POST",
                "/login",
                &Client::default(),
                &[("name", name), ("password", password)],
                &[],
            )
            .await
        }
    };
    for _ in 0..5 {
        let g = attempt("ada", "guess guess guess").await;
        assert_eq!(g.status, StatusCode::UNAUTHORIZED, "{}", g.text());
    }
    let held = attempt("ada", PASSWORD).await;
    assert_eq!(
        held.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        held.text()
    );
    assert!(held.headers.get(header::RETRY_AFTER).is_some());
    assert!(held.text().contains("秒后再试"), "{}", held.text());
    assert!(held.headers.get(header::SET_COOKIE).is_none());
    // Another user signs in as usual.
    let ok = attempt("cai", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
}

/// Users changed with the command line while the server runs (issue 20, finding 1): the next
/// request of each affected session finds it ended; other users stay signed in.
#[tokio::test]
async fn sessions_end_when_the_command_line_changes_their_user() {
    let (_dir, archive_dir, st) = own_archive(&[
        ("ada", Role::Admin),
        ("cai", Role::Curator),
        ("dan", Role::Curator),
        ("eve", Role::Curator),
    ]);
    let op = Actor::local_operator();
    let (ada, cai, dan, eve) = (
        sign_in(&st, "ada").await,
        sign_in(&st, "cai").await,
        sign_in(&st, "dan").await,
        sign_in(&st, "eve").await,
    );
    let user_of = |c: Client| {
        let st = st.clone();
        async move {
            let s: serde_json::Value =
                serde_json::from_slice(&get(&st, "/api/session", &c).await.body).unwrap();
            s["user"].as_str().map(str::to_string)
        }
    };
    assert_eq!(user_of(cai.clone()).await.as_deref(), Some("cai"));
    // A curator may create collections before the change.
    let made = post(&st, "/collections", &cai, &[("name", "整改前")]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());

    users::set_role(&archive_dir, &op, "cai", Role::Viewer, Some("调岗")).unwrap();
    users::remove(&archive_dir, &op, "dan", Some("离职")).unwrap();
    users::set_password(&archive_dir, &op, "eve", "another horse 43").unwrap();

    // cai's old session was a curator's: it is gone, and with it the right to create.
    let refused = post(&st, "/collections", &cai, &[("name", "整改后")]).await;
    assert_eq!(refused.location(), "/login", "{}", refused.text());
    let listed = get(&st, "/api/collections", &ada).await;
    assert!(!listed.text().contains("整改后"), "{}", listed.text());
    assert!(listed.text().contains("整改前"), "{}", listed.text());
    assert_eq!(user_of(cai.clone()).await, None);
    assert_eq!(
        user_of(dan.clone()).await,
        None,
        "a removed user is signed out"
    );
    assert_eq!(
        user_of(eve.clone()).await,
        None,
        "a new password signs the old session out"
    );
    assert_eq!(
        user_of(ada.clone()).await.as_deref(),
        Some("ada"),
        "others stay"
    );
    // cai signs in again and has the new role.
    let cai = sign_in(&st, "cai").await;
    let s: serde_json::Value =
        serde_json::from_slice(&get(&st, "/api/session", &cai).await.body).unwrap();
    assert_eq!(s["role"], "viewer", "{s}");
}

/// A new sign-in ends the user's older sessions (issue 20, finding 7; `[serve] single_session`,
/// on by default): the browser left open on the office PC is signed out, other users are not.
#[tokio::test]
async fn a_new_sign_in_ends_the_users_older_session() {
    let (_dir, _archive, st) = own_archive(&[("ada", Role::Admin), ("cai", Role::Curator)]);
    assert!(st.config().serve.single_session, "the default");
    let office_pc = sign_in(&st, "cai").await;
    let ada = sign_in(&st, "ada").await;
    let laptop = sign_in(&st, "cai").await;
    let user_of = |c: Client| {
        let st = st.clone();
        async move {
            let s: serde_json::Value =
                serde_json::from_slice(&get(&st, "/api/session", &c).await.body).unwrap();
            s["user"].as_str().map(str::to_string)
        }
    };
    assert_eq!(user_of(office_pc.clone()).await, None);
    let refused = post(&st, "/collections", &office_pc, &[("name", "旧窗口")]).await;
    assert_eq!(refused.location(), "/login", "{}", refused.text());
    assert_eq!(user_of(laptop).await.as_deref(), Some("cai"));
    assert_eq!(user_of(ada).await.as_deref(), Some("ada"));
}
