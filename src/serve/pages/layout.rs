//! The frame every page shares (`templates/base.html`): title, navigation, who is signed in,
//! the language switch; the one error page (`templates/error.html`) for bad requests, missing
//! files, refused changes and unknown routes; the embedded stylesheet and script.

use askama::Template;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::render;
use crate::curate::Role;
use crate::i18n::{Lang, Msg};
use crate::serve::auth::Who;
use crate::serve::params::{with_lang, Params};
use crate::serve::WebError;

// The slideshow's style rides with the page's: one stylesheet, no extra request.
const STYLE: &str = concat!(
    include_str!("../assets/style.css"),
    include_str!("../assets/slideshow.css")
);
const SCRIPT: &str = include_str!("../assets/app.js");
const REVIEW_SCRIPT: &str = include_str!("../assets/review.js");

pub async fn style_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLE,
    )
        .into_response()
}

pub async fn app_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The collection page's keyboard review and its actions without reloading.
/// The slideshow's script (`crate::slides::SCRIPT`, also inlined in packages).
pub async fn slideshow_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        crate::slides::SCRIPT,
    )
        .into_response()
}

pub async fn review_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        REVIEW_SCRIPT,
    )
        .into_response()
}

/// What `base.html` needs: everything around a page's own content.
pub struct Layout {
    pub lang: Lang,
    /// The page's own title; the application's name is added after it.
    pub title: String,
    pub home: String,
    pub nav: Vec<NavLink>,
    /// The same page in the other language; `None` where there is no such page (the answer
    /// to a form).
    pub toggle: Option<String>,
    /// The search pages' script (remembers the language, submits the sort at once). Not on
    /// the curation pages: it would replay a form's address as a GET.
    pub script: bool,
    /// Who is signed in, on the curation pages.
    pub user: Option<UserBox>,
    /// A page's own script besides the search pages' one (the collection page's review keys).
    pub page_script: Option<&'static str>,
}

pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    pub on: bool,
}

pub struct UserBox {
    /// No users configured: everyone on this machine is the admin.
    pub local: bool,
    /// `None`: not signed in.
    pub name: Option<String>,
    pub role: &'static str,
    pub csrf: String,
}

impl Layout {
    fn new(lang: Lang, here: &str, title: &str, admin: bool) -> Layout {
        let mut nav: Vec<NavLink> = [
            ("/", Msg::NavSearch),
            ("/ledger", Msg::NavLedger),
            ("/problems", Msg::NavProblems),
            ("/score", Msg::ScoreTitle),
            ("/collections", Msg::NavCollections),
        ]
        .into_iter()
        .chain(admin.then_some(("/users", Msg::NavUsers)))
        .map(|(path, m)| NavLink {
            href: with_lang(path, lang),
            label: lang.t(m),
            on: path == here,
        })
        .collect();
        nav.push(NavLink {
            href: "/api/openapi.json".into(),
            label: "API",
            on: false,
        });
        Layout {
            lang,
            title: title.to_string(),
            home: with_lang("/", lang),
            nav,
            toggle: None,
            script: false,
            user: None,
            page_script: None,
        }
    }

    /// The frame of the search, record and ledger pages: `here` is the page's path (its
    /// navigation link is marked), `toggle` the same page in the other language.
    pub fn search(p: &Params, here: &str, toggle: String, title: &str) -> Layout {
        Layout {
            toggle: Some(toggle),
            script: true,
            ..Layout::new(p.lang, here, title, false)
        }
    }

    /// The frame of the curation pages: who is signed in, and the users page for admins.
    /// `here`: the page's path, or `None` for the answer to a form.
    pub fn curation(who: &Who, lang: Lang, here: Option<&str>, title: &str) -> Layout {
        let admin = who.actor.as_ref().is_some_and(|a| a.can(Role::Admin));
        Layout {
            toggle: here.map(|h| with_lang(h, lang.other())),
            user: Some(UserBox {
                local: who.actor.is_some() && who.open_local,
                name: who.actor.as_ref().map(|a| a.name.clone()),
                role: who.actor.as_ref().map(|a| a.role.as_str()).unwrap_or(""),
                csrf: who.csrf.clone(),
            }),
            ..Layout::new(lang, here.unwrap_or(""), title, admin)
        }
    }

    /// The page with its own script (`/static/…`, served by [`review_js`]).
    pub fn with_script(mut self, src: &'static str) -> Layout {
        self.page_script = Some(src);
        self
    }

    /// `?lang=en` for English, to keep the language through a form's address.
    pub fn lang_query(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "",
            Lang::En => "?lang=en",
        }
    }
}

/// The one error page: a sentence the user can act on and the way back.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub l: Lang,
    pub message: String,
    /// Also link the collections (the error came from a curation page).
    pub collections: bool,
}

impl ErrorPage {
    fn answer(layout: Layout, status: StatusCode, message: String, collections: bool) -> Response {
        let l = layout.lang;
        render(
            status,
            &ErrorPage {
                layout,
                l,
                message,
                collections,
            },
        )
    }
}

fn error_title(l: Lang, status: StatusCode) -> &'static str {
    if status == StatusCode::NOT_FOUND {
        l.t(Msg::NotFoundTitle)
    } else {
        l.t(Msg::ErrorTitle)
    }
}

/// The same path in the other language, keeping the search state.
pub fn toggled(p: &Params, path: &str) -> String {
    p.href(path, |q| {
        q.offset = p.offset;
        q.lang = p.lang.other();
    })
}

/// An error on a search-side page (`path`: the page asked for).
pub fn error_page(p: &Params, path: &str, e: &WebError) -> Response {
    let title = error_title(p.lang, e.status());
    let layout = Layout::search(p, "", toggled(p, path), title);
    ErrorPage::answer(layout, e.status(), e.message_in(p.lang), false)
}

/// An error on a curation page or form: logged when it is ours, shown with the right status.
pub fn curation_error(who: &Who, lang: Lang, e: WebError) -> Response {
    if let WebError::Internal(detail) = &e {
        tracing::error!("internal error: {detail}");
    }
    let title = error_title(lang, e.status());
    let layout = Layout::curation(who, lang, None, title);
    ErrorPage::answer(layout, e.status(), e.message_in(lang), true)
}

/// Unknown routes outside `/api/`.
pub fn not_found_page(uri: &Uri) -> Response {
    let p = Params::parse(uri.query()).unwrap_or_default();
    let title = p.lang.t(Msg::NotFoundTitle);
    let layout = Layout::search(&p, "", toggled(&p, uri.path()), title);
    let message = p.lang.t(Msg::NoSuchPage).to_string();
    ErrorPage::answer(layout, StatusCode::NOT_FOUND, message, false)
}
