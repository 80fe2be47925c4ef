//! The server's own limits over real TCP connections (issue 20, finding 14): a client that
//! never finishes its headers is disconnected, others are served meanwhile, the client's
//! address reaches the handlers, and shutdown does not wait for idle connections.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use archive::curate::{users, Actor, Role};
use archive::serve::AppState;

const PASSWORD: &str = "correct horse 42";

/// A small archive with one admin and a one-second header timeout, served on a free port.
async fn start() -> (
    tempfile::TempDir,
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let dir = tempfile::Builder::new()
        .prefix("limits-")
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
    users::add(
        &archive_dir,
        &Actor::local_operator(),
        "ada",
        Role::Admin,
        PASSWORD,
    )
    .unwrap();
    let config = archive_dir.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[serve]\nheader_timeout_secs = 1\n"),
    )
    .unwrap();
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    assert_eq!(cfg.serve.header_timeout, Duration::from_secs(1));
    let state = AppState::open(cfg).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(archive::serve::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    (dir, addr, stop, server)
}

/// One request on its own connection; the whole answer.
async fn ask(addr: SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// How long until the server closes `s` (reads until end of stream).
async fn closed_after(mut s: TcpStream, started: Instant) -> Duration {
    let mut buf = Vec::new();
    match tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf)).await {
        Ok(_) => started.elapsed(),
        Err(_) => panic!("the connection was still open after 10 s"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let (_dir, addr, stop, server) = start().await;
    let started = Instant::now();
    let mut slow = TcpStream::connect(addr).await.unwrap();
    // Slowloris: a request line and one header, then a byte now and then, never the blank line.
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let silent = TcpStream::connect(addr).await.unwrap();
    let trickle = tokio::spawn(async move {
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if slow.write_all(b"X").await.is_err() {
                break;
            }
        }
        slow
    });

    // Meanwhile an ordinary visitor is served (the sign-in page needs no session).
    let page = ask(
        addr,
        "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");

    let silent_for = closed_after(silent, started).await;
    assert!(silent_for < Duration::from_secs(4), "{silent_for:?}");
    let slow = trickle.await.unwrap();
    let slow_for = closed_after(slow, started).await;
    assert!(
        slow_for < Duration::from_secs(5),
        "trickling bytes does not keep it open: {slow_for:?}"
    );

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}

/// Sign-in throttling counts failures per client address: only the accept loop can tell the
/// handlers that address, so this fails if `ConnectInfo` is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clients_address_reaches_the_handlers_and_shutdown_is_prompt() {
    let (_dir, addr, stop, server) = start().await;
    let login = |name: &str, password: &str| {
        let body = format!("name={name}&password={}", password.replace(' ', "+"));
        format!(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    // Five wrong guesses, each under another name: only the address ties them together.
    for i in 0..5 {
        let a = ask(addr, &login(&format!("guess{i}"), "wrong password")).await;
        assert!(
            !a.contains("Set-Cookie: archive_session=") || a.contains("Max-Age=0"),
            "{a}"
        );
    }
    let held = ask(addr, &login("ada", PASSWORD)).await;
    assert!(
        held.to_ascii_lowercase().contains("retry-after:"),
        "the address must wait, even with the right password: {held}"
    );

    // An idle keep-alive connection does not hold the shutdown up.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let asked = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
}
