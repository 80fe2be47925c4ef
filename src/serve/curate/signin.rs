//! Signing in and out: the sign-in page and its form, and the sign-out button's post.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;

use super::{error_page, field, parse_form, see_other};
use crate::i18n::Msg;
use crate::serve::auth::{self, Who};
use crate::serve::pages::{self, Layout};
use crate::serve::params::Lang;
use crate::serve::AppState;

#[derive(Template)]
#[template(path = "curate/login.html")]
struct LoginPage {
    layout: Layout,
    l: Lang,
    /// No users are configured: nobody needs to sign in here.
    local: bool,
    error: Option<&'static str>,
}

pub async fn login_form(lang: Lang, Extension(who): Extension<Who>) -> Response {
    login_page(&who, lang, StatusCode::OK, None)
}

fn login_page(who: &Who, lang: Lang, status: StatusCode, error: Option<Msg>) -> Response {
    let page = LoginPage {
        layout: Layout::curation(who, lang, Some("/login"), lang.t(Msg::SignIn)),
        l: lang,
        local: who.open_local,
        error: error.map(|m| lang.t(m)),
    };
    pages::render(status, &page)
}

pub async fn login(
    lang: Lang,
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
            let mut r = see_other(lang, "/collections");
            if let Ok(v) = cookie.parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => login_page(
            &who,
            lang,
            StatusCode::UNAUTHORIZED,
            Some(Msg::WrongPassword),
        ),
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
