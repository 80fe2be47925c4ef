//! A real browser against a real socket: Debian's chromium, headless, driven over the DevTools
//! protocol (`--remote-debugging-pipe`: JSON messages on file descriptors 3 and 4, so no
//! websocket crate is needed). It types a Chinese query, clicks a prefecture facet and a map
//! region with mouse events, opens a detail page, and saves screenshots under
//! `target/screenshots/` for a person to look at. Skipped, with a note, without chromium.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve::fixture;

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(40);

pub(crate) struct Browser {
    child: Child,
    to: std::fs::File,
    from: Receiver<Value>,
    next_id: u64,
    session: String,
    /// Events that arrived while waiting for a reply, kept for `wait_event`.
    pending: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// A pipe whose ends sit at descriptors ≥ 10, both close-on-exec in this process.
fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let hi = |fd: RawFd| unsafe {
        let d = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10);
        libc::close(fd);
        d
    };
    (hi(fds[0]), hi(fds[1]))
}

impl Browser {
    pub(crate) fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (cmd_read, cmd_write) = pipe();
        let (resp_read, resp_write) = pipe();
        let mut cmd = Command::new(CHROMIUM);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
            "--window-size=1366,768",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // The DevTools pipe is fd 3 (commands in) and fd 4 (replies out) of the browser.
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(cmd_read, 3) < 0 || libc::dup2(resp_write, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start chromium");
        unsafe {
            libc::close(cmd_read);
            libc::close(resp_write);
        }
        let to = unsafe { std::fs::File::from_raw_fd(cmd_write) };
        let from_file = unsafe { std::fs::File::from_raw_fd(resp_read) };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(from_file);
            let mut buf = Vec::new();
            while let Ok(n) = r.read_until(0, &mut buf) {
                if n == 0 {
                    break;
                }
                if buf.last() == Some(&0) {
                    buf.pop();
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
                buf.clear();
            }
        });
        let mut b = Browser {
            child,
            to,
            from: rx,
            next_id: 0,
            session: String::new(),
            pending: Vec::new(),
            _profile: profile,
        };
        let target = b.call_browser("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call_browser(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.call("Page.enable", json!({}));
        b.call("Runtime.enable", json!({}));
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": false}),
        );
        b
    }

    fn send(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from.recv_timeout(left) {
                Ok(v) if v["id"] == id => {
                    if let Some(e) = v.get("error") {
                        panic!("{method} failed: {e}");
                    }
                    return v["result"].clone();
                }
                Ok(v) => self.pending.push(v),
                Err(RecvTimeoutError::Timeout) => panic!("no reply to {method} within {TIMEOUT:?}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("chromium closed the DevTools pipe during {method}")
                }
            }
        }
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    pub(crate) fn call(&mut self, method: &str, params: Value) -> Value {
        let s = self.session.clone();
        self.send(method, params, Some(&s))
    }

    fn wait_event(&mut self, method: &str) {
        if let Some(i) = self.pending.iter().position(|v| v["method"] == method) {
            self.pending.drain(..=i);
            return;
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from.recv_timeout(left) {
                Ok(v) if v["method"] == method => return,
                Ok(_) => {}
                Err(_) => panic!("no {method} within {TIMEOUT:?}"),
            }
        }
    }

    /// Run `action`, then wait until the page it leads to has loaded.
    pub(crate) fn navigating(&mut self, action: impl FnOnce(&mut Browser)) {
        self.pending
            .retain(|v| v["method"] != "Page.loadEventFired");
        action(self);
        self.wait_event("Page.loadEventFired");
    }

    pub(crate) fn goto(&mut self, url: &str) {
        let url = url.to_string();
        self.navigating(|b| {
            b.call("Page.navigate", json!({"url": url}));
        });
    }

    pub(crate) fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("script failed: {expr}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// A left click with the mouse at a point of the viewport.
    pub(crate) fn click_at(&mut self, x: f64, y: f64) {
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Scroll `selector` into view and return a point that really hits it (SVG regions are not
    /// rectangles, so the centre of the box may be a neighbour).
    pub(crate) fn point_of(&mut self, selector: &str) -> (f64, f64) {
        let sel = serde_json::to_string(selector).unwrap();
        let v = self.eval(&format!(
            r#"(() => {{
                const el = document.querySelector({sel});
                if (!el) return null;
                el.scrollIntoView({{block: "center"}});
                const r = el.getBoundingClientRect();
                for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {{
                    const x = r.left + r.width * i / 12, y = r.top + r.height * j / 12;
                    const hit = document.elementFromPoint(x, y);
                    if (hit && (hit === el || el.contains(hit))) return [x, y];
                }}
                return null;
            }})()"#
        ));
        let a = v
            .as_array()
            .unwrap_or_else(|| panic!("nothing clickable matches {selector}"));
        (a[0].as_f64().unwrap(), a[1].as_f64().unwrap())
    }

    pub(crate) fn click(&mut self, selector: &str) {
        let (x, y) = self.point_of(selector);
        self.navigating(|b| b.click_at(x, y));
    }

    pub(crate) fn screenshot(&mut self, path: &Path) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64_decode(r["data"].as_str().unwrap());
        assert_eq!(&png[1..4], b"PNG");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    fn total(&mut self) -> u64 {
        self.eval("Number(document.getElementById('summary')?.dataset.total ?? -1)")
            .as_f64()
            .unwrap_or(-1.0) as u64
    }

    pub(crate) fn url(&mut self) -> String {
        self.eval("decodeURIComponent(location.href)")
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The web server on a free loopback port, on its own runtime thread.
fn start_server() -> String {
    serve_state(fixture().state.clone())
}

/// A server for `state` on a free loopback port, on its own runtime thread.
pub(crate) fn serve_state(state: archive::serve::AppState) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            archive::serve::serve(listener, state, std::future::pending())
                .await
                .unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

pub(crate) fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

#[test]
fn inspector_session_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("note: {CHROMIUM} is not installed; the browser test is skipped (apt-get install chromium)");
        return;
    }
    let base = start_server();
    let shots = screenshots();
    let mut b = Browser::launch();

    b.goto(&format!("{base}/"));
    let all = b.total();
    assert!(all >= 29, "the whole sample archive is listed: {all}");
    assert_eq!(b.eval("document.documentElement.lang"), "zh-CN");
    b.screenshot(&shots.join("1-home.png"));

    // Type a Chinese query into the box and press Enter.
    let (x, y) = b.point_of("form.search input[name=q]");
    b.click_at(x, y);
    b.call("Input.insertText", json!({"text": "科普"}));
    b.navigating(|b| {
        for kind in ["keyDown", "keyUp"] {
            b.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}),
            );
        }
    });
    assert!(b.url().contains("q=科普"), "{}", b.url());
    let found = b.total();
    assert!(
        found > 0 && found < all,
        "科普 narrows the archive: {found} of {all}"
    );
    let names: Vec<String> = serde_json::from_value(
        b.eval("[...document.querySelectorAll('.card .name')].map(e => e.innerHTML)"),
    )
    .unwrap();
    assert!(
        names.iter().any(|n| n.contains("<b>")),
        "matches are highlighted: {names:?}"
    );
    b.screenshot(&shots.join("2-query.png"));

    // Click the first prefecture facet that narrows further.
    let sel = b.eval(&format!(
        r#"(() => {{
            const links = [...document.querySelectorAll('aside a.facet[data-filter^="prefecture:"]')];
            const i = links.findIndex(a => Number(a.querySelector('.n').textContent) < {found});
            return i < 0 ? null : i;
        }})()"#
    ));
    let i = sel
        .as_u64()
        .expect("a prefecture facet smaller than the result set");
    let expected: u64 = b
        .eval(&format!(r#"Number(document.querySelectorAll('aside a.facet[data-filter^="prefecture:"]')[{i}].querySelector('.n').textContent)"#))
        .as_f64()
        .unwrap() as u64;
    b.eval(&format!(
        r#"document.querySelectorAll('aside a.facet[data-filter^="prefecture:"]')[{i}].id = 'pick'"#
    ));
    b.click("#pick");
    assert!(b.url().contains("f=prefecture:"), "{}", b.url());
    assert_eq!(
        b.total(),
        expected,
        "the facet count is what the click gives"
    );
    assert_eq!(
        b.eval("document.querySelectorAll('.chips .chip[data-filter]').length"),
        1,
        "one removable chip"
    );
    b.screenshot(&shots.join("3-facet.png"));

    // Remove the chip again, then filter by clicking a region of the map.
    b.click(".chips .chip[data-filter]");
    assert_eq!(b.total(), found, "removing the chip restores the results");
    b.goto(&format!("{base}/"));
    let region = b.eval(
        r#"(() => {
            const total = Number(document.getElementById('summary').dataset.total);
            for (const a of document.querySelectorAll('svg.map a.region-link')) {
                const t = a.querySelector('title').textContent;
                const n = Number(t.split('·').pop());
                if (n > 0 && n < total) { a.id = 'region'; return [a.dataset.name, n]; }
            }
            return null;
        })()"#,
    );
    let name = region[0]
        .as_str()
        .expect("a map region with some of the results")
        .to_string();
    let count = region[1].as_u64().unwrap();
    b.click("#region");
    assert!(
        b.url().contains(&format!("f=prefecture:{name}")),
        "{}",
        b.url()
    );
    assert_eq!(
        b.total(),
        count,
        "clicking {name} on the map filters to its results"
    );
    b.screenshot(&shots.join("4-map.png"));

    // Open the detail page of the first result.
    b.click("#results .card a.name");
    assert!(b.url().contains("/record/"), "{}", b.url());
    assert_eq!(b.eval("!!document.getElementById('download')"), true);
    assert_eq!(
        b.eval("document.querySelector('h1').textContent.length > 0"),
        true
    );
    b.screenshot(&shots.join("5-detail.png"));

    // The ledger and the English page.
    b.goto(&format!("{base}/ledger"));
    assert!(
        b.eval("document.querySelectorAll('#ledger td.empty').length")
            .as_f64()
            .unwrap()
            > 0.0
    );
    b.screenshot(&shots.join("6-ledger.png"));
    b.goto(&format!("{base}/?lang=en&q=%E7%A7%91%E6%99%AE"));
    assert_eq!(b.eval("document.documentElement.lang"), "en");
    b.screenshot(&shots.join("7-english.png"));
}

impl Browser {
    /// A key pressed and released, as a person types it (the page's keydown listeners see it).
    pub(crate) fn key(&mut self, key: &str, code: &str, vk: u32) {
        let text = match key {
            "Enter" => "\r",
            k if k.chars().count() == 1 => k,
            _ => "",
        };
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": vk, "text": if kind == "keyDown" { text } else { "" }}),
            );
        }
    }

    /// Wait until the script `cond` is true (a fetch answered), at most [`TIMEOUT`].
    pub(crate) fn until(&mut self, cond: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while self.eval(cond) != json!(true) {
            assert!(Instant::now() < deadline, "never true: {cond}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The collection page reviewed with the keys alone (issue 22, item 3): j moves, a accepts, r
/// asks for a reason and rejects, all without the page reloading.
#[test]
fn keyboard_review_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("note: {CHROMIUM} is not installed; the browser test is skipped (apt-get install chromium)");
        return;
    }
    let name = "键盘审核";
    let dir = &fixture().state.config().archive_dir;
    let cat = archive::catalog::Catalog::open_existing(dir).unwrap();
    let op = archive::curate::Actor::local_operator();
    archive::curate::collections::create(&cat, &op, name, "").unwrap();
    let ids: Vec<i64> = {
        let mut stmt = cat
            .conn()
            .prepare(
                "SELECT id FROM files WHERE blake3 IS NOT NULL GROUP BY blake3 ORDER BY id LIMIT 4",
            )
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    };
    archive::curate::collections::add_files(&cat, &op, name, &ids).unwrap();

    let base = start_server();
    let mut b = Browser::launch();
    let page = format!(
        "{base}/collections/{}",
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
    );
    b.goto(&page);
    assert_eq!(
        b.eval("document.querySelectorAll('ol.grid li.item img').length"),
        4
    );
    assert_eq!(
        b.eval("document.getElementById('review-keys').hidden"),
        false
    );
    // A mark that a reload would wipe out.
    b.eval("window.stayed = true");
    b.key("j", "KeyJ", 74);
    assert_eq!(
        b.eval("document.querySelector('li.item.current').dataset.id"),
        json!(ids[0].to_string())
    );
    b.key("a", "KeyA", 65);
    b.until(&format!(
        "document.getElementById('item-{}').classList.contains('review-accepted')",
        ids[0]
    ));
    assert_eq!(
        b.eval("document.querySelector('li.item.current').dataset.id"),
        json!(ids[1].to_string()),
        "on to the next item"
    );
    b.key("r", "KeyR", 82);
    assert_eq!(
        b.eval("document.getElementById('reject-panel').hidden"),
        false
    );
    b.call("Input.insertText", json!({"text": "照片模糊"}));
    b.key("Enter", "Enter", 13);
    b.until(&format!(
        "document.getElementById('item-{}').classList.contains('review-rejected')",
        ids[1]
    ));
    assert!(b
        .eval(&format!(
            "document.querySelector('#item-{} .state').textContent",
            ids[1]
        ))
        .as_str()
        .unwrap()
        .contains("照片模糊"));
    // The reason is offered again, with its number key.
    assert_eq!(
        b.eval("document.querySelector('#reject-panel button.reason kbd').textContent"),
        "1"
    );
    // Select the last two with x and accept both with a.
    b.key("x", "KeyX", 88);
    b.key("j", "KeyJ", 74);
    b.key("x", "KeyX", 88);
    b.key("a", "KeyA", 65);
    b.until("document.querySelectorAll('li.item.review-accepted').length === 3");
    assert_eq!(
        b.eval("window.stayed === true"),
        true,
        "the page never reloaded"
    );
    assert!(b
        .eval("document.getElementById('counts').textContent")
        .as_str()
        .unwrap()
        .contains('3'));
    b.screenshot(&screenshots().join("8-review.png"));
    let shown = archive::curate::collections::show(&cat, &op, name).unwrap();
    let states: Vec<&str> = shown.items.iter().map(|i| i.review.as_str()).collect();
    assert_eq!(states, ["accepted", "rejected", "accepted", "accepted"]);
}

/// On a phone (390×844) the search box comes first with its sort menu and button on screen,
/// the facets wait in a drawer, the menu fits, and no page scrolls sideways; on a laptop
/// (1366×900) the facets stand beside the results.
#[test]
fn phone_and_laptop_layouts_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("note: {CHROMIUM} is not installed; the browser test is skipped (apt-get install chromium)");
        return;
    }
    let base = start_server();
    let shots = screenshots();
    let mut b = Browser::launch();
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}),
    );
    b.goto(&format!("{base}/"));
    let record = b
        .eval("document.querySelector('.card a[href^=\"/record/\"]').getAttribute('href')")
        .as_str()
        .unwrap()
        .to_string();
    let rect = |b: &mut Browser, sel: &str| -> Value {
        let sel = serde_json::to_string(sel).unwrap();
        b.eval(&format!(
            "(() => {{ const e = document.querySelector({sel}); if (!e) return null; \
             const r = e.getBoundingClientRect(); \
             return {{top: r.top, bottom: r.bottom, left: r.left, right: r.right, \
                      visible: r.width > 0 && r.height > 0}}; }})()"
        ))
    };
    for sel in [
        "form.search input[name=q]",
        "form.search select[name=sort]",
        "form.search button",
    ] {
        let r = rect(&mut b, sel);
        assert!(r["visible"] == true, "{sel} shown on a phone: {r}");
        assert!(
            r["right"].as_f64().unwrap() <= 390.5 && r["bottom"].as_f64().unwrap() <= 844.0,
            "{sel} on the first screen of a phone: {r}"
        );
    }
    // The facet list is closed until its drawer button is pressed.
    let facet = rect(&mut b, ".facets .facet");
    assert!(
        facet.is_null() || facet["visible"] == false,
        "facets wait in the drawer: {facet}"
    );
    assert!(rect(&mut b, ".drawer-button")["visible"] == true);
    b.screenshot(&shots.join("9-phone-search.png"));
    // A label for a checkbox: it opens the drawer in place, no page is loaded.
    let (x, y) = b.point_of(".drawer-button");
    b.click_at(x, y);
    let facet = rect(&mut b, ".facets .facet");
    assert!(facet["visible"] == true, "the drawer opens: {facet}");
    b.screenshot(&shots.join("9-phone-facets.png"));

    for path in [
        "/".to_string(),
        record,
        "/ledger".to_string(),
        "/collections".to_string(),
    ] {
        b.goto(&format!("{base}{path}"));
        let nav = rect(&mut b, "header nav");
        assert!(
            nav["bottom"].as_f64().unwrap() - nav["top"].as_f64().unwrap() < 120.0,
            "{path}: the menu fits on a phone: {nav}"
        );
        let wide = b.eval(
            "[document.documentElement.scrollWidth, window.innerWidth, \
             [...document.querySelectorAll('header nav a')].map(a => a.getBoundingClientRect().width)]",
        );
        assert!(
            wide[0].as_f64().unwrap() <= wide[1].as_f64().unwrap() + 1.0,
            "{path}: nothing scrolls sideways on a phone: {wide}"
        );
        assert!(
            wide[2]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w.as_f64().unwrap() > 20.0),
            "{path}: menu entries are not squeezed to a character per line: {wide}"
        );
    }
    b.screenshot(&shots.join("9-phone-collections.png"));

    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
    );
    b.goto(&format!("{base}/"));
    let facet = rect(&mut b, ".facets .facet");
    let results = rect(&mut b, "#results");
    assert!(facet["visible"] == true, "{facet}");
    assert!(
        facet["right"].as_f64().unwrap() <= results["left"].as_f64().unwrap() + 1.0,
        "on a laptop the facets stand beside the results: {facet} {results}"
    );
}

/// An inspector opens a 500-file package's index.html from disk and checks it in the browser
/// (Web Crypto, nothing installed): intact in well under 10 s with the package fingerprint the
/// tag manifest has; then with one byte of one file changed, that file is named.
#[test]
fn a_package_checks_itself_in_the_browser() {
    use base64::Engine as _;
    use sha2::Digest as _;
    if !Path::new(CHROMIUM).exists() {
        eprintln!("note: {CHROMIUM} is not installed; the browser test is skipped (apt-get install chromium)");
        return;
    }
    let env = crate::harness::Env::new();
    for i in 0..500 {
        env.write(
            &format!("海东市/乐都区/B4.1 科普大篷车/活动记录{i:03}.txt"),
            format!("科普大篷车活动记录 第{i}次 {}", "内容".repeat(400 + i)),
        );
    }
    assert_eq!(env.index().0, 0);
    let c = "海东市 B4.1";
    assert_eq!(env.run(&["collection", "create", c]).code, 0);
    let r = env.run(&[
        "collection",
        "add",
        c,
        "--query",
        "",
        "--filter",
        "prefecture=海东市",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = env.archive.parent().unwrap().join("pkg");
    let r = env.run(&["export", "--collection", c, "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The picked folder's files, as the page receives them: a path inside it and the bytes.
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&out).unwrap();
            (
                format!("pkg/{}", rel.to_str().unwrap()),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() > 500, "{}", files.len());
    let fingerprint: String =
        sha2::Sha256::digest(std::fs::read(out.join("tagmanifest-sha256.txt")).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();

    let mut b = Browser::launch();
    b.goto(&format!("file://{}", out.join("index.html").display()));
    let check = |b: &mut Browser, files: &[(String, Vec<u8>)]| -> Value {
        let list: Vec<Value> = files
            .iter()
            .map(|(p, bytes)| json!([p, base64::engine::general_purpose::STANDARD.encode(bytes)]))
            .collect();
        let expr = format!(
            "window.archiveCheckPackage({}.map(([p, b]) => ({{path: p, file: new File([Uint8Array.from(atob(b), c => c.charCodeAt(0))], p.split('/').pop())}})))",
            Value::Array(list)
        );
        let r = b.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{r}");
        r["result"]["value"].clone()
    };
    let r = check(&mut b, &files);
    assert_eq!(r["algo"], "sha256", "{r}");
    assert!(r["total"].as_u64().unwrap() > 500, "{r}");
    for k in ["changed", "missing", "extra"] {
        assert_eq!(r[k], json!([]), "an intact package: {r}");
    }
    assert_eq!(r["fingerprint"], fingerprint.as_str());
    let secs: f64 = r["secs"].as_str().unwrap().parse().unwrap();
    assert!(secs < 10.0, "500 files checked in {secs} s");
    eprintln!("in-browser check of {} files: {secs} s", r["total"]);

    let victim = files
        .iter()
        .position(|(p, _)| p.starts_with("pkg/data/") && p.ends_with(".txt"))
        .unwrap();
    files[victim].1[3] ^= 1;
    let r = check(&mut b, &files);
    let name = files[victim].0.strip_prefix("pkg/").unwrap();
    assert_eq!(r["changed"], json!([name]), "{r}");
}
