//! The users page (admins only): list, add with a role and a password, remove with a reason.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use super::{error_page, field, parse_form, see_other};
use crate::curate::{users, Role};
use crate::i18n::Msg;
use crate::serve::auth::{self, Who};
use crate::serve::pages::{self, Layout};
use crate::serve::params::Lang;
use crate::serve::{AppState, WebError};

// The error is the finished answer, built once per refused request: boxing buys nothing.
#[allow(clippy::result_large_err)]
fn require_admin(who: &Who, lang: Lang) -> Result<crate::curate::Actor, Response> {
    let a = who.require(false)?.clone();
    if !a.can(Role::Admin) {
        return Err(error_page(
            who,
            lang,
            auth::forbidden(&a, Role::Admin, "manage users"),
        ));
    }
    Ok(a)
}

#[derive(Template)]
#[template(path = "curate/users.html")]
struct UsersPage {
    layout: Layout,
    l: Lang,
    csrf: String,
    /// (name, role)
    users: Vec<(String, &'static str)>,
    min_password: usize,
}

pub async fn users_page(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
) -> Response {
    if let Err(r) = require_admin(&who, lang) {
        return r;
    }
    let list = match users::list(&st.config().archive_dir) {
        Ok(l) => l,
        Err(e) => return error_page(&who, lang, e.into()),
    };
    let page = UsersPage {
        layout: Layout::curation(&who, lang, Some("/users"), lang.t(Msg::NavUsers)),
        l: lang,
        csrf: who.csrf.clone(),
        users: list
            .iter()
            .map(|u| (u.name.clone(), u.role.as_str()))
            .collect(),
        min_password: users::MIN_PASSWORD_CHARS,
    };
    pages::render(StatusCode::OK, &page)
}

pub async fn add_user(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match require_admin(&who, lang) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let Some(role) = Role::parse(field(&f, "role")) else {
        return error_page(
            &who,
            lang,
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
            see_other(lang, "/users")
        }
        Err(e) => error_page(&who, lang, e),
    }
}

pub async fn remove_user(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match require_admin(&who, lang) {
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
            // Re-reading the users ends the removed user's sessions (auth::Sessions::set_users).
            st.reload_users();
            see_other(lang, "/users")
        }
        Err(e) => error_page(&who, lang, e.into()),
    }
}
