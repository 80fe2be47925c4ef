//! The HTML pages of the search side: search (facets, chips, map, timeline, result grid),
//! the detail page of one content, the coverage ledger, and the frame and error page every
//! page shares.
//!
//! Rendered on the server from askama templates in `templates/` (compile-checked, escaping
//! by default): the page works without JavaScript, every state is a URL, and tests can read
//! the HTML. Handlers only gather data into a template's struct; every text comes from the
//! catalogue in `crate::i18n`, so Chinese first and `lang=en` switches the interface (the
//! evidence itself stays as written). The only values written unescaped are the search's
//! `name_html`/`snippet_html`, escaped by the search itself with `<b>` marks.

pub mod context;
pub mod curation;
pub mod facets;
pub mod layout;
mod ledger;
mod map;
mod present;
mod problems;
mod record;
mod score;
mod search;
#[cfg(test)]
mod tests;
mod timeline;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub use layout::{
    app_js, curation_error, not_found_page, review_js, slideshow_js, style_css, Layout,
};
pub use ledger::{ledger_csv, ledger_page, ledger_xlsx};
pub use map::MapGeometry;
pub use present::present_page;
pub use problems::{problem_page, problems_page};
pub use record::record_page;
pub use score::score_page;
pub use search::search_page;
pub(crate) use search::{date_short, place_text};

use super::WebError;

/// A page as the answer, with `status`. A template that fails to render (a formatting error
/// in a value) is our fault: logged, and a 500.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => WebError::Internal(format!("rendering a page: {e}")).into_response(),
    }
}
