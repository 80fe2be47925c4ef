//! Curation on the page: sign-in, collections (create, rename, describe, review, remove,
//! reorder, download as a BagIt zip), re-tagging from the detail page, and the users page.
//!
//! Every handler is a thin form-to-call adapter over `crate::curate`, which checks the
//! actor's role and writes the audit log: the page can do nothing the command line could not,
//! and nothing without a trace. Forms post back here and are answered with a redirect (so a
//! reload never repeats a change) or a small error page with the right status.

use std::fmt::Write as _;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::auth::{self, Who};
use super::{AppState, WebError};
use crate::curate::collections::{self, Review};
use crate::curate::tags;
use crate::curate::{audit, users, Role};
use crate::search::html_escape as esc;
use crate::tag::TagKind;

type Form = Vec<(String, String)>;

fn parse_form(body: &Bytes) -> Form {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(f: &'a Form, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn ids(f: &Form, name: &str) -> Result<Vec<i64>, WebError> {
    f.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("{v:?} is not a file number")))
        })
        .collect()
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn collection_href(name: &str) -> String {
    format!("/collections/{}", enc(name))
}

fn csrf_input(who: &Who) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{}">"#,
        esc(&who.csrf)
    )
}

/// The frame of every curation page: the site's stylesheet, navigation, who is signed in.
fn frame(who: &Who, title: &str, body: &str) -> String {
    let user = match (&who.actor, who.open_local) {
        (Some(_), true) => r#"<span title="未配置用户，本机访问者即管理员。No users are configured: everyone on this machine is the admin.">本机模式 Local mode (admin)</span>"#.to_string(),
        (Some(a), false) => format!(
            r#"{} ({}) <form class="inline" method="post" action="/logout">{}<button>退出 Sign out</button></form>"#,
            esc(&a.name),
            esc(a.role.as_str()),
            csrf_input(who)
        ),
        (None, _) => r#"<a href="/login">登录 Sign in</a>"#.to_string(),
    };
    let admin = if who.actor.as_ref().is_some_and(|a| a.can(Role::Admin)) {
        r#"<a href="/users">用户 Users</a>"#
    } else {
        ""
    };
    format!(
        r#"{head}
<body>
<header class="top">
<a class="brand" href="/">青海省科学素质工作证据档案</a>
<nav><a href="/">检索 Search</a><a href="/ledger">覆盖台账 Ledger</a><a href="/collections">专题 Collections</a>{admin}</nav>
<span class="who">{user}</span>
</header>
<main class="curate">
<h1>{title}</h1>
{body}
</main>
</body>
</html>"#,
        head = super::page::document_head("zh", &format!("{title} · 证据档案"), false),
        title = esc(title),
    )
}

fn page(who: &Who, title: &str, body: &str) -> Response {
    Html(frame(who, title, body)).into_response()
}

/// An error as a small page with the right status (forms are posted by browsers, not scripts).
fn error_page(who: &Who, e: WebError) -> Response {
    if let WebError::Internal(detail) = &e {
        tracing::error!("internal error: {detail}");
    }
    // No script link back: the page's CSP allows no inline script; the browser's Back works.
    let body = format!(
        r#"<p class="error">{}</p><p><a href="/collections">专题 Collections</a> · <a href="/">检索 Search</a></p>"#,
        esc(&e.message())
    );
    (
        e.status(),
        Html(frame(who, "无法完成 Could not do that", &body)),
    )
        .into_response()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ------------------------------------------------------------------ sign-in

pub async fn login_form(Extension(who): Extension<Who>) -> Response {
    login_page(&who, StatusCode::OK, "")
}

fn login_page(who: &Who, status: StatusCode, msg: &str) -> Response {
    let note = if who.open_local {
        "<p>本机模式：未配置用户，无需登录。No users are configured: on this machine everyone is the local admin, no sign-in needed.</p>".to_string()
    } else {
        String::new()
    };
    let err = if msg.is_empty() {
        String::new()
    } else {
        format!(r#"<p class="error">{}</p>"#, esc(msg))
    };
    let body = format!(
        r#"{note}{err}<form method="post" action="/login">
<label>用户名 Name <input name="name" autocomplete="username" required></label>
<label>密码 Password <input name="password" type="password" autocomplete="current-password" required></label>
<button>登录 Sign in</button></form>"#
    );
    (status, Html(frame(who, "登录 Sign in", &body))).into_response()
}

pub async fn login(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let f = parse_form(&body);
    let (name, password) = (
        field(&f, "name").to_string(),
        field(&f, "password").to_string(),
    );
    let st2 = st.clone();
    // argon2 takes tens of milliseconds: keep it off the async workers.
    let res = tokio::task::spawn_blocking(move || auth::sign_in(&st2, &name, &password)).await;
    match res {
        Ok(Some((_, cookie))) => {
            let mut r = see_other("/collections");
            if let Ok(v) = cookie.parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => login_page(
            &who,
            StatusCode::UNAUTHORIZED,
            "用户名或密码不对 The name or the password is wrong",
        ),
        Err(e) => error_page(&who, e.into()),
    }
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = auth::sign_out(&st, &headers);
    let mut r = see_other("/login");
    if let Ok(v) = cookie.parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

// ------------------------------------------------------------------ collections

pub async fn collections_page(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let list = match st.with_curation(|cat| collections::list(cat, &actor)) {
        Ok(l) => l,
        Err(e) => return error_page(&who, e),
    };
    let mut body = String::new();
    if list.is_empty() {
        body.push_str("<p>还没有专题。No collections yet.</p>");
    } else {
        body.push_str("<table class=\"collections\"><tr><th>专题 Collection</th><th>说明 Description</th><th>条目 Items</th><th>通过 Accepted</th><th>不通过 Rejected</th></tr>");
        for c in &list {
            let _ = write!(
                body,
                r#"<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                esc(&collection_href(&c.name)),
                esc(&c.name),
                esc(&c.description),
                c.items,
                c.accepted,
                c.rejected
            );
        }
        body.push_str("</table>");
    }
    if actor.can(Role::Curator) {
        let _ = write!(
            body,
            r#"<h2>新建专题 New collection</h2><form method="post" action="/collections">{}
<label>名称 Name <input name="name" required></label>
<label>说明 Description <input name="description"></label>
<button>新建 Create</button></form>"#,
            csrf_input(&who)
        );
    }
    page(&who, "专题 Collections", &body)
}

pub async fn create_collection(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let f = parse_form(&body);
    match st.with_curation(|cat| {
        collections::create(cat, &actor, field(&f, "name"), field(&f, "description"))
    }) {
        Ok(c) => see_other(&collection_href(&c.name)),
        Err(e) => error_page(&who, e),
    }
}

fn review_label(r: Review) -> &'static str {
    match r {
        Review::Pending => "待审 pending",
        Review::Accepted => "通过 accepted",
        Review::Rejected => "不通过 rejected",
    }
}

pub async fn collection_page(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(name): Path<String>,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let d = match st.with_curation(|cat| collections::show(cat, &actor, &name)) {
        Ok(d) => d,
        Err(e) => return error_page(&who, e),
    };
    let c = &d.collection;
    let base = collection_href(&c.name);
    let csrf = csrf_input(&who);
    let curator = actor.can(Role::Curator);
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<p class="desc">{}</p><p>{} 条 items · {} 通过 accepted · {} 不通过 rejected</p>"#,
        esc(&c.description),
        c.items,
        c.accepted,
        c.rejected
    );
    if curator {
        let _ = write!(
            body,
            r#"<form method="post" action="{base}/export">{csrf}<label><input type="checkbox" name="include_rejected" value="1"> 含不通过条目 include rejected</label> <button>下载证据包 Download package (zip)</button></form>
<details><summary>改名与说明 Rename / describe</summary>
<form method="post" action="{base}/rename">{csrf}<label>新名称 New name <input name="new_name" value="{n}" required></label><button>改名 Rename</button></form>
<form method="post" action="{base}/describe">{csrf}<label>说明 Description <input name="description" value="{desc}"></label><button>保存 Save</button></form>
</details>"#,
            base = esc(&base),
            n = esc(&c.name),
            desc = esc(&c.description),
        );
    }
    if d.items.is_empty() {
        body.push_str("<p>这个专题还没有文件：在检索结果或文件页加入。No files yet: add them from the search results or a file's page.</p>");
    }
    body.push_str("<ol class=\"items\">");
    let n = d.items.len() as i64;
    for it in &d.items {
        let b3 = it.blake3.clone().unwrap_or_default();
        let thumb = if b3.is_empty() {
            String::new()
        } else {
            format!(
                r#"<a href="/record/{b3}?id={id}"><img class="thumb" loading="lazy" src="/thumb/{b3}" alt=""></a>"#,
                b3 = esc(&b3),
                id = it.file_id
            )
        };
        let reason = it
            .review_reason
            .as_deref()
            .map(|r| format!(" — {}", esc(r)))
            .unwrap_or_default();
        let by = it
            .reviewed_by
            .as_deref()
            .map(|b| format!(" ({})", esc(b)))
            .unwrap_or_default();
        let _ = write!(
            body,
            r#"<li class="item review-{state}" id="item-{id}">{thumb}<span class="path">{path}</span> <span class="state">{label}{reason}{by}</span>"#,
            state = it.review.as_str(),
            id = it.file_id,
            path = esc(&it.path),
            label = review_label(it.review),
        );
        if curator {
            let hidden = format!(
                r#"{csrf}<input type="hidden" name="file" value="{}">"#,
                it.file_id
            );
            let _ = write!(
                body,
                r#"<div class="actions">
<form class="inline" method="post" action="{base}/review">{hidden}<input type="hidden" name="state" value="accepted"><button>通过 Accept</button></form>
<form class="inline" method="post" action="{base}/review">{hidden}<input type="hidden" name="state" value="rejected"><input name="reason" placeholder="不通过原因 reason" required><button>不通过 Reject</button></form>
<form class="inline" method="post" action="{base}/review">{hidden}<input type="hidden" name="state" value="pending"><button>待审 Pending</button></form>"#,
                base = esc(&base),
            );
            if it.position > 1 {
                let _ = write!(
                    body,
                    r#"<form class="inline" method="post" action="{}/move">{hidden}<input type="hidden" name="to" value="{}"><button title="上移 up">↑</button></form>"#,
                    esc(&base),
                    it.position - 1
                );
            }
            if it.position < n {
                let _ = write!(
                    body,
                    r#"<form class="inline" method="post" action="{}/move">{hidden}<input type="hidden" name="to" value="{}"><button title="下移 down">↓</button></form>"#,
                    esc(&base),
                    it.position + 1
                );
            }
            let _ = write!(
                body,
                r#"<form class="inline" method="post" action="{}/remove">{hidden}<input name="reason" placeholder="移除原因 reason (optional)"><button>移除 Remove</button></form></div>"#,
                esc(&base)
            );
        }
        body.push_str("</li>");
    }
    body.push_str("</ol>");
    page(&who, &format!("专题 {}", c.name), &body)
}

/// Every form on the collection page posts to `/collections/{name}/{action}`.
pub async fn collection_action(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path((name, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let reason = Some(field(&f, "reason"));
    let back = collection_href(&name);
    let file_ids = match ids(&f, "file") {
        Ok(i) => i,
        Err(e) => return error_page(&who, e),
    };
    let res: Result<String, WebError> = match action.as_str() {
        "rename" => {
            let new = field(&f, "new_name").trim().to_string();
            st.with_curation(|cat| collections::rename(cat, &actor, &name, &new))
                .map(|_| collection_href(&new))
        }
        "describe" => st
            .with_curation(|cat| {
                collections::describe(cat, &actor, &name, field(&f, "description"))
            })
            .map(|_| back),
        "review" => match Review::parse(field(&f, "state")) {
            Some(state) => st
                .with_curation(|cat| {
                    collections::review(cat, &actor, &name, &file_ids, state, reason)
                })
                .map(|_| back),
            None => Err(WebError::BadRequest(
                "the review state must be accepted, rejected or pending".into(),
            )),
        },
        "remove" => st
            .with_curation(|cat| collections::remove_files(cat, &actor, &name, &file_ids, reason))
            .map(|_| back),
        "move" => match (file_ids.first(), field(&f, "to").trim().parse::<i64>()) {
            (Some(&id), Ok(to)) => st
                .with_curation(|cat| collections::move_item(cat, &actor, &name, id, to))
                .map(|_| back),
            _ => Err(WebError::BadRequest(
                "moving needs a file and a position".into(),
            )),
        },
        "add" => add_to_collection(&st, &actor, &name, &f, file_ids).map(|_| back),
        "delete" => st
            .with_curation(|cat| collections::delete(cat, &actor, &name, reason))
            .map(|_| "/collections".to_string()),
        "export" => {
            return export_download(
                st,
                who.clone(),
                actor,
                name,
                field(&f, "include_rejected") == "1",
            )
            .await
        }
        _ => Err(WebError::NotFound(format!(
            "no collection action {action:?}"
        ))),
    };
    match res {
        Ok(to) => see_other(&to),
        Err(e) => error_page(&who, e),
    }
}

/// Add the files given, or every result of the search query `q` (with the page's filters).
fn add_to_collection(
    st: &AppState,
    actor: &crate::curate::Actor,
    name: &str,
    f: &Form,
    mut file_ids: Vec<i64>,
) -> Result<(), WebError> {
    if f.iter().any(|(k, _)| k == "q") {
        let raw = field(f, "q");
        let p = super::params::Params::parse(Some(raw))?;
        let found = collections::files_for_query(st.index(), st.schema(), &p.q, &p.filters)?;
        file_ids.extend(found);
    }
    if file_ids.is_empty() {
        return Err(WebError::BadRequest(
            "nothing to add: choose a file, or a search with results".into(),
        ));
    }
    st.with_curation(|cat| collections::add_files(cat, actor, name, &file_ids))?;
    Ok(())
}

/// Build the package into a temporary zip under the archive folder and stream it; the file
/// is unlinked once open, so it disappears when the download ends (or fails).
async fn export_download(
    st: AppState,
    who: Who,
    actor: crate::curate::Actor,
    name: String,
    include_rejected: bool,
) -> Response {
    let tmp_dir = st.config().archive_dir.join("tmp");
    let out = tmp_dir.join(format!("web-export-{}.zip", &auth::random_token()[..16]));
    let st2 = st.clone();
    let (name2, out2) = (name.clone(), out.clone());
    let built = tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        std::fs::create_dir_all(&tmp_dir)
            .map_err(|e| WebError::Internal(format!("creating {}: {e}", tmp_dir.display())))?;
        let opts = crate::export::ExportOptions {
            collection: name2,
            out: out2,
            zip: true,
            include_rejected,
            source_organization: st2.config().source_organization.clone(),
        };
        st2.with_curation(|cat| {
            crate::export::export_collection(cat, st2.schema(), &actor, &opts)
        })?;
        Ok(())
    })
    .await;
    if let Err(e) = built.map_err(WebError::from).and_then(|r| r) {
        let _ = std::fs::remove_file(&out);
        return error_page(&who, e);
    }
    let file = match tokio::fs::File::open(&out).await {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_file(&out);
            return error_page(
                &who,
                WebError::Internal(format!("opening {}: {e}", out.display())),
            );
        }
    };
    let len = file.metadata().await.map(|m| m.len()).ok();
    // Unix keeps an unlinked open file readable, so the name goes at once; where that fails
    // (Windows), the guard deletes it when the download ends or is abandoned.
    let removed = std::fs::remove_file(&out).is_ok();
    let guard = TempFile {
        path: (!removed).then(|| out.clone()),
    };
    let stream = futures_util::stream::unfold((file, guard), |(mut f, g)| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 256 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), (f, g)))
            }
            Err(e) => Some((Err(e), (f, g))),
        }
    });
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{}.zip\"; filename*=UTF-8''{}.zip",
        if ascii.is_empty() {
            "collection".into()
        } else {
            ascii
        },
        enc(&name)
    );
    let mut r = Response::new(Body::from_stream(stream));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = disposition.parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, len.into());
    }
    r
}

/// Deletes a temporary package when dropped (the stream ends, fails, or the client leaves).
struct TempFile {
    path: Option<std::path::PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

// ------------------------------------------------------------------ detail page parts

/// The curation block of a file's detail page: add to a collection, re-tag, history.
/// Empty for someone not signed in.
pub fn record_panel(st: &AppState, who: &Who, file_id: i64, blake3: &str) -> String {
    let Some(actor) = &who.actor else {
        return String::new();
    };
    let mut s = String::from(r#"<section class="curation"><h2>整理 Curation</h2>"#);
    let csrf = csrf_input(who);
    if actor.can(Role::Curator) {
        let list = st
            .with_curation(|cat| collections::list(cat, actor))
            .unwrap_or_default();
        if !list.is_empty() {
            let _ = write!(
                s,
                r#"<form method="post" action="/collections/add">{csrf}<input type="hidden" name="file" value="{file_id}"><select name="collection">"#
            );
            for c in &list {
                let _ = write!(s, r#"<option value="{n}">{n}</option>"#, n = esc(&c.name));
            }
            s.push_str("</select><button>加入专题 Add to collection</button></form>");
        }
        let _ = write!(
            s,
            r#"<form method="post" action="/record/{b3}/tag">{csrf}<input type="hidden" name="file" value="{file_id}">
<select name="kind"><option value="indicator">指标 indicator</option><option value="prefecture">州市 prefecture</option><option value="county">县区 county</option></select>
<input name="value" placeholder="代码或名称 code or name" required><input name="reason" placeholder="原因 reason" required><button>改标签 Re-tag</button></form>"#,
            b3 = esc(blake3)
        );
    }
    match st.with_curation(|cat| audit::file_history(cat.conn(), blake3)) {
        Ok(h) if !h.is_empty() => {
            s.push_str("<h3>记录 History</h3><ol class=\"history\">");
            for e in &h {
                let _ = write!(
                    s,
                    "<li>{} {} {} {}{}</li>",
                    esc(&e.at),
                    esc(&e.who),
                    esc(&e.action),
                    esc(&e.subject),
                    e.reason
                        .as_deref()
                        .map(|r| format!(" — {}", esc(r)))
                        .unwrap_or_default()
                );
            }
            s.push_str("</ol>");
        }
        _ => {}
    }
    s.push_str("</section>");
    s
}

/// Under the results: add every result of this search to a collection (curators only).
pub fn add_results_form(st: &AppState, who: &Who, raw_query: &str, total: usize) -> String {
    let Some(actor) = who.actor.as_ref().filter(|a| a.can(Role::Curator)) else {
        return String::new();
    };
    let list = st
        .with_curation(|cat| collections::list(cat, actor))
        .unwrap_or_default();
    if list.is_empty() {
        return String::new();
    }
    let mut s = format!(
        r#"<form class="add-results" method="post" action="/collections/add">{}<input type="hidden" name="q" value="{}"><select name="collection">"#,
        csrf_input(who),
        esc(raw_query)
    );
    for c in &list {
        let _ = write!(s, r#"<option value="{n}">{n}</option>"#, n = esc(&c.name));
    }
    let _ = write!(s, "</select><button>将全部 {total} 个结果加入专题 Add all {total} results to the collection</button></form>");
    s
}

/// `POST /collections/add` from a detail page (the collection is a form field).
pub async fn add_from_page(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let name = field(&f, "collection").to_string();
    let res =
        ids(&f, "file").and_then(|file_ids| add_to_collection(&st, &actor, &name, &f, file_ids));
    match res {
        Ok(()) => see_other(&collection_href(&name)),
        Err(e) => error_page(&who, e),
    }
}

pub async fn retag(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(blake3): Path<String>,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let kind = match field(&f, "kind") {
        "indicator" => TagKind::Indicator,
        "prefecture" => TagKind::Prefecture,
        "county" => TagKind::County,
        other => {
            return error_page(
                &who,
                WebError::BadRequest(format!(
                    "{other:?} is not a tag kind: indicator, prefecture or county"
                )),
            )
        }
    };
    let file_ids = match ids(&f, "file") {
        Ok(i) if !i.is_empty() => i,
        Ok(_) => return error_page(&who, WebError::BadRequest("re-tagging needs a file".into())),
        Err(e) => return error_page(&who, e),
    };
    let (value, reason) = (
        field(&f, "value").to_string(),
        field(&f, "reason").to_string(),
    );
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        st2.with_curation(|cat| {
            tags::set(
                cat,
                st2.schema(),
                &actor,
                &file_ids,
                kind,
                &value,
                Some(&reason),
            )
        })?;
        st2.with_catalog_mut(|cat| {
            crate::pipeline::retag(cat, st2.schema(), st2.config())?;
            crate::pipeline::sync_index(cat, st2.config(), st2.schema()).map(|_| ())
        })?;
        Ok(())
    })
    .await;
    match res.map_err(WebError::from).and_then(|r| r) {
        Ok(()) => see_other(&format!("/record/{}", enc(&blake3))),
        Err(e) => error_page(&who, e),
    }
}

// ------------------------------------------------------------------ users

// The error is the finished answer, built once per refused request: boxing buys nothing.
#[allow(clippy::result_large_err)]
fn require_admin(who: &Who) -> Result<crate::curate::Actor, Response> {
    let a = who.require(false)?.clone();
    if !a.can(Role::Admin) {
        return Err(error_page(
            who,
            auth::forbidden(&a, Role::Admin, "manage users"),
        ));
    }
    Ok(a)
}

pub async fn users_page(State(st): State<AppState>, Extension(who): Extension<Who>) -> Response {
    if let Err(r) = require_admin(&who) {
        return r;
    }
    let list = match users::list(&st.config().archive_dir) {
        Ok(l) => l,
        Err(e) => return error_page(&who, e.into()),
    };
    let csrf = csrf_input(&who);
    let mut body = String::from(
        "<table class=\"users\"><tr><th>用户 User</th><th>角色 Role</th><th></th></tr>",
    );
    for u in &list {
        let _ = write!(
            body,
            r#"<tr><td>{n}</td><td>{r}</td><td><form class="inline" method="post" action="/users/remove">{csrf}<input type="hidden" name="name" value="{n}"><input name="reason" placeholder="原因 reason"><button>删除 Remove</button></form></td></tr>"#,
            n = esc(&u.name),
            r = u.role.as_str()
        );
    }
    let _ = write!(
        body,
        r#"</table><h2>添加用户 Add a user</h2><form method="post" action="/users">{csrf}
<label>用户名 Name <input name="name" required></label>
<label>角色 Role <select name="role"><option value="viewer">viewer 查看</option><option value="curator">curator 整理</option><option value="admin">admin 管理</option></select></label>
<label>密码 Password <input name="password" type="password" autocomplete="new-password" required minlength="{}"></label>
<button>添加 Add</button></form>"#,
        users::MIN_PASSWORD_CHARS
    );
    page(&who, "用户 Users", &body)
}

pub async fn add_user(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match require_admin(&who) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let Some(role) = Role::parse(field(&f, "role")) else {
        return error_page(
            &who,
            WebError::BadRequest("the role must be viewer, curator or admin".into()),
        );
    };
    let (name, password) = (
        field(&f, "name").to_string(),
        field(&f, "password").to_string(),
    );
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || {
        users::add(&st2.config().archive_dir, &actor, &name, role, &password)
    })
    .await;
    match res
        .map_err(WebError::from)
        .and_then(|r| r.map_err(WebError::from))
    {
        Ok(_) => {
            st.reload_users();
            see_other("/users")
        }
        Err(e) => error_page(&who, e),
    }
}

pub async fn remove_user(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match require_admin(&who) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let name = field(&f, "name");
    match users::remove(
        &st.config().archive_dir,
        &actor,
        name,
        Some(field(&f, "reason")),
    ) {
        Ok(()) => {
            st.inner.sessions.end_user(name);
            st.reload_users();
            see_other("/users")
        }
        Err(e) => error_page(&who, e.into()),
    }
}

// ------------------------------------------------------------------ JSON API

pub async fn api_collections(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
) -> Response {
    let actor = match who.require(true) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    match st.with_curation(|cat| collections::list(cat, &actor)) {
        Ok(l) => Json(serde_json::json!({ "collections": l })).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn api_collection(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(name): Path<String>,
) -> Response {
    let actor = match who.require(true) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    match st.with_curation(|cat| collections::show(cat, &actor, &name)) {
        Ok(d) => Json(d).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/session`: who the page is talking to and the CSRF token scripts must send.
pub async fn api_session(Extension(who): Extension<Who>, RawQuery(_): RawQuery) -> Response {
    Json(serde_json::json!({
        "user": who.actor.as_ref().map(|a| &a.name),
        "role": who.actor.as_ref().map(|a| a.role.as_str()),
        "local_mode": who.open_local,
        "csrf": if who.actor.is_some() { Some(&who.csrf) } else { None },
    }))
    .into_response()
}
