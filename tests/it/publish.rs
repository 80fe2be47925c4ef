//! `archive publish` against a real HTTP server on loopback that answers as OpenSearch's
//! `_bulk` and Quickwit's ingest API document (no such engine installs from the registries
//! reachable here; docs/scale-out.md). The server records every request, so the tests check
//! the payloads themselves: action/source pairs, stable ids, deletes, retries, credentials.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use super::harness::Env;

#[derive(Debug, Clone)]
struct Request {
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

/// A loopback HTTP/1.1 server: answers each request with the next scripted (status, body),
/// then with `default` once the script is spent.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(script: Vec<(u16, String)>, default: fn(&Request) -> (u16, String)) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                // One request per connection is enough: the client reconnects as needed.
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut headers = BTreeMap::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                    }
                }
                let len: usize = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                let req = Request {
                    path,
                    headers,
                    body: String::from_utf8(body).unwrap(),
                };
                let (status, answer) = script.next().unwrap_or_else(|| default(&req));
                log.lock().unwrap().push(req);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Server { url, seen }
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

/// OpenSearch taking every item.
fn all_taken(_: &Request) -> (u16, String) {
    (200, r#"{"took":1,"errors":false,"items":[]}"#.into())
}

fn sample_env() -> Env {
    let env = Env::new();
    let r = env.run(&["sample", env.evidence.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.index();
    env
}

/// (action, id) per action line of a `_bulk` body, checking that each index action is
/// followed by its source and that every line is JSON.
fn bulk_actions(body: &str) -> Vec<(String, String)> {
    let lines: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (kind, meta) = lines[i].as_object().unwrap().iter().next().unwrap();
        assert_eq!(meta["_index"], "evidence", "{meta}");
        let id = meta["_id"].as_str().unwrap().to_string();
        match kind.as_str() {
            "index" => {
                let src = &lines[i + 1];
                assert_eq!(src["doc_id"], id.as_str(), "the source carries its id");
                assert_eq!(src["province"], "青海省");
                i += 2;
            }
            "delete" => i += 1,
            other => panic!("unexpected action {other}"),
        }
        out.push((kind.clone(), id));
    }
    out
}

fn run_publish(env: &Env, server: &Server, extra: &[&str]) -> super::harness::Run {
    let out = env
        .cmd()
        .args(["publish", "--engine", "opensearch", "--to", &server.url])
        .args(extra)
        .env("ARCHIVE_PUBLISH_BACKOFF_MS", "1")
        .env("OS_PASSWORD", "s3cret")
        .output()
        .unwrap();
    super::harness::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn opensearch_gets_every_record_once_then_only_changes_and_deletes() {
    let env = sample_env();
    let files = env.run(&["list", "--json"]).json_lines().len();

    // The dry run writes exactly what would be sent.
    let dry = env.archive.with_file_name("dry.ndjson");
    let r = env.run(&[
        "publish",
        "--engine",
        "opensearch",
        "--dry-run",
        "--out",
        dry.to_str().unwrap(),
        "--base-url",
        "https://kp.example/archive/",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dry_body = std::fs::read_to_string(&dry).unwrap();
    let dry_ids: BTreeSet<String> = bulk_actions(&dry_body).into_iter().map(|a| a.1).collect();
    assert_eq!(dry_ids.len(), files, "one document per file, ids unique");
    let first: serde_json::Value = serde_json::from_str(dry_body.lines().nth(1).unwrap()).unwrap();
    let b3 = first["blake3"].as_str().unwrap();
    assert_eq!(
        first["detail_url"],
        format!("https://kp.example/archive/record/{b3}").as_str()
    );

    // The first real run: one 429 (the cluster is busy), retried; basic auth on every request.
    let server = Server::start(
        vec![(429, r#"{"error":"too many requests"}"#.into())],
        all_taken,
    );
    let r = run_publish(
        &env,
        &server,
        &["--user", "kp", "--password-env", "OS_PASSWORD", "--json"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let s = r.json();
    assert_eq!(s["sent"], files as u64);
    assert_eq!(s["retries"], 1);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "the refused batch and its retry");
    for q in &reqs {
        assert_eq!(q.path, "/_bulk");
        assert_eq!(q.headers["content-type"], "application/x-ndjson");
        assert_eq!(q.headers["authorization"], "Basic a3A6czNjcmV0");
    }
    let sent_ids: BTreeSet<String> = bulk_actions(&reqs[1].body)
        .into_iter()
        .map(|a| a.1)
        .collect();
    assert_eq!(sent_ids, dry_ids, "ids are stable between runs");

    // Nothing changed: nothing sent.
    let r = run_publish(&env, &server, &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["sent"], 0);
    assert_eq!(r.json()["unchanged"], files as u64);
    assert_eq!(
        server.requests().len(),
        2,
        "no request when nothing changed"
    );

    // One file gone, one new: one delete (of the gone file's id) and one new document.
    let gone = walkdir::WalkDir::new(&env.evidence)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .unwrap()
        .into_path();
    let gone_show = env.show(gone.to_str().unwrap());
    std::fs::remove_file(&gone).unwrap();
    env.write("西宁市/城东区/新增/说明.txt", "全国科普日活动补充说明");
    env.index();
    let r = run_publish(&env, &server, &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reqs = server.requests();
    let actions = bulk_actions(&reqs.last().unwrap().body);
    let deletes: Vec<&String> = actions
        .iter()
        .filter(|a| a.0 == "delete")
        .map(|a| &a.1)
        .collect();
    assert_eq!(deletes.len(), 1, "{actions:?}");
    assert!(
        deletes[0].starts_with(&gone_show["blake3"].as_str().unwrap()[..16]),
        "the delete is the gone file's id: {deletes:?}"
    );
    let indexed = actions.iter().filter(|a| a.0 == "index").count();
    assert!(
        (1..=3).contains(&indexed),
        "the new file (and any whose duplicate flags changed), not all {files}: {actions:?}"
    );
}

#[test]
fn refused_items_are_sent_again_and_the_run_says_so() {
    let env = sample_env();
    // The cluster refuses the first document of the batch (a mapping error), takes the rest.
    fn first_refused(req: &Request) -> (u16, String) {
        let n = bulk_actions(&req.body).len();
        let mut items = vec![
            r#"{"index":{"status":400,"error":{"type":"mapper_parsing_exception"}}}"#.to_string(),
        ];
        items.extend((1..n).map(|_| r#"{"index":{"status":201}}"#.to_string()));
        (
            200,
            format!(r#"{{"errors":true,"items":[{}]}}"#, items.join(",")),
        )
    }
    let server = Server::start(vec![], first_refused);
    let r = run_publish(&env, &server, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("mapper_parsing_exception"),
        "{}",
        r.stdout
    );
    let first = bulk_actions(&server.requests()[0].body)[0].1.clone();
    // Next run: only the refused one goes again (refused again, by the same script).
    let r = run_publish(&env, &server, &["--json"]);
    assert_eq!(r.json()["sent"], 0);
    let again = bulk_actions(&server.requests()[1].body);
    assert_eq!(again, vec![("index".to_string(), first)]);
}

#[test]
fn quickwit_gets_ndjson_documents_and_tombstones_and_errors_are_bilingual() {
    let env = sample_env();
    fn ok(_: &Request) -> (u16, String) {
        (200, r#"{"num_docs_for_processing":1}"#.into())
    }
    let server = Server::start(vec![], ok);
    let run = |extra: &[&str]| {
        let out = env
            .cmd()
            .args([
                "publish",
                "--engine",
                "quickwit",
                "--to",
                &server.url,
                "--index",
                "kp",
            ])
            .args(extra)
            .env("QW_TOKEN", "tok")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["--token-env", "QW_TOKEN"]);
    let reqs = server.requests();
    assert_eq!(reqs[0].path, "/api/v1/kp/ingest");
    assert_eq!(reqs[0].headers["authorization"], "Bearer tok");
    let docs: Vec<serde_json::Value> = reqs[0]
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(docs
        .iter()
        .all(|d| d["deleted"] == false && d["doc_id"].is_string()));
    let victim = walkdir::WalkDir::new(&env.evidence)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "jpg"))
        .unwrap()
        .into_path();
    std::fs::remove_file(&victim).unwrap();
    env.index();
    run(&[]);
    let last = server.requests().last().unwrap().body.clone();
    let tomb: Vec<serde_json::Value> = last
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|d| d["deleted"] == true)
        .collect();
    assert_eq!(tomb.len(), 1, "{last}");

    // The mapping is there to apply, and an unreachable cluster is said in both languages.
    let r = env.run(&["publish", "--engine", "opensearch", "--print-mapping"]);
    let m: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        m["template"]["mappings"]["properties"]["text"]["analyzer"],
        "cjk"
    );
    let out = env
        .cmd()
        .args([
            "publish",
            "--engine",
            "opensearch",
            "--to",
            "http://127.0.0.1:9",
        ])
        .env("ARCHIVE_PUBLISH_BACKOFF_MS", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("无法送达") && err.contains("Cannot reach"),
        "{err}"
    );
}
