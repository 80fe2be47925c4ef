//! Signing in and out: the sign-in page and its form, and the sign-out button's post.

use askama::Template;
use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;

use super::{error_page, field, parse_form, see_other};
use crate::i18n::Msg;
use crate::serve::auth::{self, Who};
use crate::serve::pages::{self, Layout};
use crate::serve::params::Lang;
use crate::serve::{AppState, WebError};

#[derive(Template)]
#[template(path = "curate/login.html")]
struct LoginPage {
    layout: Layout,
    l: Lang,
    /// No users are configured: nobody needs to sign in here.
    local: bool,
    error: Option<String>,
}

pub async fn login_form(lang: Lang, Extension(who): Extension<Who>) -> Response {
    login_page(&who, lang, StatusCode::OK, None)
}

fn login_page(who: &Who, lang: Lang, status: StatusCode, error: Option<Msg>) -> Response {
    login_page_with(who, lang, status, error.map(|m| lang.t(m).to_string()))
}

fn login_page_with(who: &Who, lang: Lang, status: StatusCode, error: Option<String>) -> Response {
    let page = LoginPage {
        layout: Layout::curation(who, lang, Some("/login"), lang.t(Msg::SignIn)),
        l: lang,
        local: who.open_local,
        error,
    };
    pages::render(status, &page)
}

pub async fn login(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    // The client's address, when the server was started with it (tests call the router
    // without a socket, and then only the name is throttled).
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let f = parse_form(&body);
    let (name, password) = (
        field(&f, "name").to_string(),
        field(&f, "password").to_string(),
    );
    let sessions = &st.inner.sessions;
    let client = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let keys = auth::throttle_keys(&name, client);
    if let Err(wait) = sessions.throttle.check(&keys) {
        let seconds = wait.as_secs().max(1);
        let mut r = login_page_with(
            &who,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            Some(lang.fill(Msg::TooManySignIns, &[("seconds", &seconds)])),
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return r;
    }
    // argon2 takes tens of milliseconds and tens of MB: a few at a time, off the async workers.
    let Ok(_turn) = sessions.password_checks.acquire().await else {
        return error_page(
            &who,
            lang,
            WebError::Internal("the server is stopping".into()),
        );
    };
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || auth::sign_in(&st2, &name, &password)).await;
    match res {
        Ok(Some((_, cookie))) => {
            sessions.throttle.succeeded(&keys);
            let mut r = see_other(lang, "/collections");
            if let Ok(v) = cookie.parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => {
            sessions.throttle.failed(&keys);
            login_page(
                &who,
                lang,
                StatusCode::UNAUTHORIZED,
                Some(Msg::WrongPassword),
            )
        }
        Err(e) => error_page(&who, lang, e.into()),
    }
}

pub async fn logout(lang: Lang, State(st): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = auth::sign_out(&st, &headers);
    let mut r = see_other(lang, "/login");
    if let Ok(v) = cookie.parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
