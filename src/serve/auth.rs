//! Sign-in, sessions and CSRF for the page and the API.
//!
//! Curation changes evidence that goes to an inspection, so every change must be made by a
//! known person with the right role, and no other web site the curator has open may make it
//! on their behalf. Sessions live in memory (a restart signs everyone out, which is fine for
//! an office tool); the cookie holds only a random token. Every state-changing request must
//! carry the session's CSRF token, even in the no-users loopback mode, where a per-process
//! token embedded in the pages stops a malicious site from POSTing to localhost.
//!
//! A session is only as good as the user it was opened for: every request checks it against
//! the users in `config.toml` as they are now (re-read when the file changes, a stat per
//! request), so `archive user remove`, `user role` and `user passwd` made while the server runs
//! end that user's sessions at their next request. A session also ends after
//! [`IDLE_TIMEOUT`] without a request and [`SESSION_TTL`] after sign-in, and (unless
//! `[serve] single_session = false`) when the same user signs in again elsewhere: a session
//! left open on a shared office PC does not outlive its owner's next sign-in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::{AppState, WebError};
use crate::curate::users::UserEntry;
use crate::curate::{Actor, Role};

/// Name of the session cookie.
pub const COOKIE: &str = "archive_session";
/// How long a sign-in lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// A session unused this long is ended (a browser left open on a shared office PC).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(2 * 3600);
/// Password checks run at once: each argon2 check holds its memory cost (tens of MB), and 100
/// parallel sign-in attempts took the server to 1.8 GB before this cap.
pub const PASSWORD_CHECKS: usize = 2;
/// Failed sign-ins allowed per name and per address before each further try must wait.
const FREE_FAILURES: u32 = 5;
/// The longest wait between tries, however many failures.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Largest form body read to find the CSRF field (curation forms are a few hundred bytes).
const MAX_FORM_BYTES: usize = 1 << 20;

struct Session {
    actor: Actor,
    /// The user's password hash at sign-in: a changed password ends the session.
    password_hash: String,
    csrf: String,
    expires: Instant,
    last_seen: Instant,
}

/// What identifies one state of `config.toml`: a rewrite (the CLI writes a new file and renames
/// it over the old one) changes at least one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    identity: crate::platform::FileId,
}

impl FileStamp {
    fn of(path: &std::path::Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            len: m.len(),
            modified: m.modified().ok(),
            identity: crate::platform::file_id(path, &m),
        })
    }
}

/// The configured users and the state of the file they were read from.
struct Users {
    list: Vec<UserEntry>,
    /// `None` until first compared with the file (the list came from the caller).
    stamp: Option<Option<FileStamp>>,
}

/// In-memory sign-ins plus the users they are checked against.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    /// The token of the no-users loopback mode (one per process).
    local_csrf: String,
    /// Configured users; re-read from `config.toml` whenever the file changed, so a CLI change
    /// made while serving counts at the next request.
    users: Mutex<Users>,
    idle_timeout: Duration,
    /// A sign-in ends the user's other sessions.
    single_session: bool,
    /// At most [`PASSWORD_CHECKS`] argon2 checks at once; more sign-ins wait their turn.
    pub password_checks: tokio::sync::Semaphore,
    pub throttle: Throttle,
}

impl Sessions {
    pub fn new(users: Vec<UserEntry>) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            local_csrf: random_token(),
            users: Mutex::new(Users {
                list: users,
                stamp: None,
            }),
            idle_timeout: IDLE_TIMEOUT,
            single_session: true,
            password_checks: tokio::sync::Semaphore::new(PASSWORD_CHECKS),
            throttle: Throttle::default(),
        }
    }

    /// The same with another idle timeout (tests).
    pub fn with_idle_timeout(mut self, idle: Duration) -> Sessions {
        self.idle_timeout = idle;
        self
    }

    /// Whether a sign-in ends the user's older sessions (`[serve] single_session`).
    pub fn with_single_session(mut self, single: bool) -> Sessions {
        self.single_session = single;
        self
    }

    /// Re-read the users when `config.toml` in `archive_dir` changed since last looked at, and
    /// end every session whose user is gone or has another role or password now. A file that
    /// cannot be read or parsed keeps the users known so far (the CLI refuses to write such a
    /// file, so this is a hand edit in progress) and is logged.
    pub fn sync_users(&self, archive_dir: &std::path::Path) {
        let path = archive_dir.join("config.toml");
        let stamp = FileStamp::of(&path);
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        if users.stamp == Some(stamp) {
            return;
        }
        // Either way this state of the file has been read: a broken file is not parsed again
        // (nor warned about) at every request, only once it changes.
        users.stamp = Some(stamp);
        match crate::curate::users::load(archive_dir) {
            Ok(list) => users.list = list,
            Err(e) => {
                tracing::warn!("users not re-read from {}: {e}", path.display());
                return;
            }
        }
        let current = users.list.clone();
        drop(users);
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, s| still_valid(&current, s));
    }

    pub fn has_users(&self) -> bool {
        !self
            .users
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .list
            .is_empty()
    }

    /// The users as the page's users form just wrote them; sessions of changed users end.
    pub fn set_users(&self, list: Vec<UserEntry>) {
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        users.list = list.clone();
        // Compare with the file again at the next request.
        users.stamp = None;
        drop(users);
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, s| still_valid(&list, s));
    }

    fn users(&self) -> Vec<UserEntry> {
        self.users
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .list
            .clone()
    }

    fn start(&self, actor: Actor, password_hash: String) -> String {
        let token = random_token();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Forget expired sessions on each sign-in so the map cannot grow without bound.
        let idle = self.idle_timeout;
        map.retain(|_, s| s.expires > now && now.duration_since(s.last_seen) < idle);
        if self.single_session {
            let ended = map.len();
            map.retain(|_, s| s.actor.name != actor.name);
            let ended = ended - map.len();
            if ended > 0 {
                tracing::info!(
                    "{} signed in again: {ended} older session(s) ended",
                    actor.name
                );
            }
        }
        map.insert(
            token.clone(),
            Session {
                actor,
                password_hash,
                csrf: random_token(),
                expires: now + SESSION_TTL,
                last_seen: now,
            },
        );
        token
    }

    fn lookup(&self, token: &str) -> Option<(Actor, String)> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let s = map.get_mut(token)?;
        if s.expires <= now || now.duration_since(s.last_seen) >= self.idle_timeout {
            map.remove(token);
            return None;
        }
        s.last_seen = now;
        Some((s.actor.clone(), s.csrf.clone()))
    }

    fn end(&self, token: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }
}

/// Failed sign-ins by name and by client address, with a wait that doubles with each failure
/// past [`FREE_FAILURES`] (1 s, 2 s, 4 s … up to [`MAX_WAIT`]): guessing a password becomes a
/// matter of days, while a person who mistypes a few times never notices. A success clears its
/// name and address.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    fn wait_after(count: u32) -> Duration {
        if count < FREE_FAILURES {
            return Duration::ZERO;
        }
        let doublings = (count - FREE_FAILURES).min(20);
        Duration::from_secs(1u64 << doublings).min(MAX_WAIT)
    }

    /// `Err(wait)` while any of `keys` must still wait after its last failure.
    pub fn check(&self, keys: &[String]) -> Result<(), Duration> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let wait = keys
            .iter()
            .filter_map(|k| map.get(k))
            .map(|&(count, last)| Throttle::wait_after(count).saturating_sub(now - last))
            .max()
            .unwrap_or_default();
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    pub fn failed(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Forget names and addresses quiet for longer than the longest wait, so the map stays
        // small whatever an attacker sends.
        if map.len() > 10_000 {
            map.retain(|_, (_, last)| now - *last < MAX_WAIT);
        }
        for k in keys {
            let e = map.entry(k.clone()).or_insert((0, now));
            e.0 += 1;
            e.1 = now;
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            map.remove(k);
        }
    }
}

/// The throttle's keys for a sign-in: the name as typed (case and blanks folded, so `Ada ` is
/// `ada`), and the client's address when known (behind a reverse proxy that is the proxy's, and
/// the name alone still counts).
pub fn throttle_keys(name: &str, addr: Option<std::net::IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("name:{}", name.trim().to_lowercase())];
    if let Some(a) = addr {
        keys.push(format!("addr:{a}"));
    }
    keys
}

/// Whether a session's user still exists with the role and password it signed in with.
fn still_valid(users: &[UserEntry], s: &Session) -> bool {
    users.iter().any(|u| {
        u.name == s.actor.name && u.role == s.actor.role && u.password_hash == s.password_hash
    })
}

/// Who is asking, put into every request's extensions by [`layer`].
#[derive(Clone, Debug)]
pub struct Who {
    /// `None`: not signed in.
    pub actor: Option<Actor>,
    /// The token forms must send back (empty when not signed in).
    pub csrf: String,
    /// The no-users loopback mode: everyone is the local admin.
    pub open_local: bool,
}

impl Who {
    /// The actor, or the answer for someone not signed in: 401 for the API, a redirect to the
    /// sign-in page for pages.
    // The error is the finished answer, built once per refused request: boxing buys nothing.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, api: bool) -> Result<&Actor, Response> {
        match &self.actor {
            Some(a) => Ok(a),
            None => Err(unauthenticated(api)),
        }
    }
}

pub fn unauthenticated(api: bool) -> Response {
    if api {
        WebError::Unauthorized("sign in first: POST name and password to /login".into())
            .into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}

/// 32 random bytes as hex, from the operating system's generator (works on Windows too).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut b) {
        // Never fall back to a guessable token: a session would be as good as no sign-in.
        panic!("the operating system's random generator failed ({e}); cannot make session tokens");
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Every value of our session cookie in the request, in the order sent: browsers may send the
/// header more than once and a stale cookie beside a fresh one. The one cookie parser here.
fn session_tokens(headers: &axum::http::HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("").split(';'))
        .filter_map(|part| part.trim().split_once('='))
        .filter(|(k, val)| *k == COOKIE && !val.is_empty())
        .map(|(_, val)| val)
}

fn cookie_token(req: &Request) -> Option<String> {
    session_tokens(req.headers()).next().map(str::to_string)
}

/// Paths anyone may open even when sign-in is required for everything.
fn public_path(path: &str) -> bool {
    path == "/login" || path.starts_with("/static/") || path == "/favicon.ico"
}

/// Work out who is asking; refuse anonymous requests when the server is open to the network
/// and refuse state-changing requests without the right CSRF token.
pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let sessions = &st.inner.sessions;
    sessions.sync_users(&st.inner.cfg.archive_dir);
    let has_users = sessions.has_users();
    let token = cookie_token(&req);
    let who = if !has_users && st.inner.loopback_only {
        Who {
            actor: Some(Actor::new("local", Role::Admin)),
            csrf: sessions.local_csrf.clone(),
            open_local: true,
        }
    } else {
        match token.as_deref().and_then(|t| sessions.lookup(t)) {
            Some((actor, csrf)) => Who {
                actor: Some(actor),
                csrf,
                open_local: false,
            },
            None => Who {
                actor: None,
                csrf: String::new(),
                open_local: false,
            },
        }
    };
    let path = req.uri().path().to_string();
    let api = path.starts_with("/api/");
    // Once any user exists, reading needs a sign-in too, loopback included: a reverse proxy on
    // the same host would otherwise pass every request in as local (issue 20, finding 3).
    let reading_open = !has_users || st.inner.public_read;
    if who.actor.is_none() && !reading_open && !public_path(&path) {
        return unauthenticated(api);
    }
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    if changes_state && path != "/login" {
        if who.actor.is_none() {
            return unauthenticated(api);
        }
        let (parts, body) = req.into_parts();
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
            Ok(b) => b,
            Err(_) => {
                return WebError::BadRequest("the request body is too large or was cut off".into())
                    .into_response();
            }
        };
        let form_token = if is_form {
            form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
        } else {
            None
        };
        let sent = header_token.or(form_token).unwrap_or_default();
        if who.csrf.is_empty() || !ct_eq(&sent, &who.csrf) {
            return WebError::Forbidden(
                "this form is out of date or came from another site (missing or wrong CSRF token); reload the page and try again"
                    .into(),
            )
            .into_response();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    req.extensions_mut().insert(who);
    next.run(req).await
}

fn session_cookie(token: &str, max_age: u64) -> String {
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}")
}

/// Check a name and password; on success a session and its cookie.
pub fn sign_in(st: &AppState, name: &str, password: &str) -> Option<(Actor, String)> {
    // The users as of this request: `layer` re-read config.toml if it changed, so a user
    // added with the CLI while serving can sign in.
    let users = st.inner.sessions.users();
    let actor = crate::curate::users::verify_password(&users, name, password)?;
    let hash = users
        .iter()
        .find(|u| u.name == actor.name)
        .map(|u| u.password_hash.clone())
        .unwrap_or_default();
    let token = st.inner.sessions.start(actor.clone(), hash);
    Some((actor, session_cookie(&token, SESSION_TTL.as_secs())))
}

/// End the session in the request's cookie; the cookie that clears it in the browser.
pub fn sign_out(st: &AppState, headers: &axum::http::HeaderMap) -> String {
    for token in session_tokens(headers) {
        st.inner.sessions.end(token);
    }
    session_cookie("", 0)
}

/// A status for a request that needs a role the actor lacks.
pub fn forbidden(actor: &Actor, needed: Role, action: &str) -> WebError {
    WebError::Forbidden(format!(
        "{} ({}) may not {action}: that needs the {needed} role; ask an admin",
        actor.name, actor.role
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, role: Role, hash: &str) -> UserEntry {
        UserEntry {
            name: name.into(),
            role,
            password_hash: hash.into(),
        }
    }

    #[test]
    fn failed_sign_ins_wait_longer_and_longer_and_a_success_clears_them() {
        assert_eq!(Throttle::wait_after(FREE_FAILURES - 1), Duration::ZERO);
        assert_eq!(Throttle::wait_after(FREE_FAILURES), Duration::from_secs(1));
        assert_eq!(
            Throttle::wait_after(FREE_FAILURES + 3),
            Duration::from_secs(8)
        );
        assert_eq!(Throttle::wait_after(500), MAX_WAIT);
        let t = Throttle::default();
        let ada = throttle_keys(" Ada", Some([10, 0, 0, 7].into()));
        let other_place = throttle_keys("ada", Some([10, 0, 0, 8].into()));
        for _ in 0..FREE_FAILURES {
            assert!(t.check(&ada).is_ok());
            t.failed(&ada);
        }
        // The name waits wherever it is tried from; another name from the same address too.
        assert!(t.check(&ada).is_err());
        assert!(t.check(&other_place).is_err());
        assert!(t
            .check(&throttle_keys("cai", Some([10, 0, 0, 7].into())))
            .is_err());
        assert!(t
            .check(&throttle_keys("cai", Some([10, 0, 0, 9].into())))
            .is_ok());
        t.succeeded(&ada);
        assert!(t.check(&other_place).is_ok());
    }

    #[test]
    fn an_idle_session_ends_and_a_used_one_goes_on() {
        let users = vec![user("cai", Role::Curator, "h1")];
        let idle = Sessions::new(users.clone()).with_idle_timeout(Duration::ZERO);
        let t = idle.start(Actor::new("cai", Role::Curator), "h1".into());
        assert!(idle.lookup(&t).is_none(), "no request within the idle time");
        assert!(idle.lookup(&t).is_none(), "and it stays ended");

        let busy = Sessions::new(users).with_idle_timeout(Duration::from_secs(3600));
        let t = busy.start(Actor::new("cai", Role::Curator), "h1".into());
        assert_eq!(
            busy.lookup(&t).map(|(a, _)| a.name),
            Some("cai".to_string())
        );
    }

    #[test]
    fn a_hand_edit_in_progress_signs_nobody_out_and_the_next_good_file_counts() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| std::fs::write(dir.path().join("config.toml"), text).unwrap();
        let entry = |role: &str| {
            format!("[[users]]\nname = \"cai\"\nrole = \"{role}\"\npassword_hash = \"h1\"\n")
        };
        write(&entry("curator"));
        let s = Sessions::new(vec![user("cai", Role::Curator, "h1")]);
        let cai = s.start(Actor::new("cai", Role::Curator), "h1".into());
        s.sync_users(dir.path());
        assert!(s.lookup(&cai).is_some());
        write("[[users]\nname = ");
        s.sync_users(dir.path());
        s.sync_users(dir.path());
        assert!(
            s.lookup(&cai).is_some(),
            "a broken file keeps the users known"
        );
        write(&entry("viewer"));
        s.sync_users(dir.path());
        assert!(
            s.lookup(&cai).is_none(),
            "the demotion counts once the file reads"
        );
    }

    #[test]
    fn a_new_sign_in_ends_the_older_sessions_of_that_user_only_when_configured() {
        let users = vec![
            user("cai", Role::Curator, "h1"),
            user("vic", Role::Viewer, "h2"),
        ];
        let s = Sessions::new(users.clone());
        let cai = Actor::new("cai", Role::Curator);
        let office_pc = s.start(cai.clone(), "h1".into());
        let vic = s.start(Actor::new("vic", Role::Viewer), "h2".into());
        let laptop = s.start(cai.clone(), "h1".into());
        assert!(s.lookup(&office_pc).is_none(), "ended by the new sign-in");
        assert!(s.lookup(&laptop).is_some());
        assert!(s.lookup(&vic).is_some(), "other users keep theirs");

        let several = Sessions::new(users).with_single_session(false);
        let a = several.start(cai.clone(), "h1".into());
        let b = several.start(cai, "h1".into());
        assert!(several.lookup(&a).is_some() && several.lookup(&b).is_some());
    }

    #[test]
    fn changed_users_end_only_their_own_sessions() {
        let s = Sessions::new(vec![
            user("ada", Role::Admin, "h0"),
            user("cai", Role::Curator, "h1"),
        ]);
        let ada = s.start(Actor::new("ada", Role::Admin), "h0".into());
        let cai = s.start(Actor::new("cai", Role::Curator), "h1".into());
        // The users page demoted cai.
        s.set_users(vec![
            user("ada", Role::Admin, "h0"),
            user("cai", Role::Viewer, "h1"),
        ]);
        assert!(s.lookup(&cai).is_none());
        assert!(s.lookup(&ada).is_some());
    }
}
