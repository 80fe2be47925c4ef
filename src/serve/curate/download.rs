//! The collection page's download button: the package is built into a temporary zip under the
//! archive folder and streamed, and the file goes away when the download ends or fails. The
//! temporary name is never seen: the zip's top folder is the collection's name, as from the CLI.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;

use super::{enc, error_page};
use crate::serve::auth::{self, Who};
use crate::serve::params::Lang;
use crate::serve::{AppState, WebError};

/// Build the package into a temporary zip under the archive folder and stream it; the file
/// is unlinked once open, so it disappears when the download ends (or fails).
pub(super) async fn export_download(
    st: AppState,
    lang: Lang,
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
            signing_key: crate::export::sign::OfficeKey::load(&st2.config().archive_dir)
                .map_err(|e| WebError::Internal(e.to_string()))?,
            period: Some((st2.config().tag.period_start, st2.config().tag.period_end)),
        };
        st2.with_curation(|cat| {
            crate::export::export_collection(cat, st2.schema(), &actor, &opts)
        })?;
        Ok(())
    })
    .await;
    if let Err(e) = built.map_err(WebError::from).and_then(|r| r) {
        let _ = std::fs::remove_file(&out);
        return error_page(&who, lang, e);
    }
    let file = match tokio::fs::File::open(&out).await {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_file(&out);
            return error_page(
                &who,
                lang,
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

/// The collection page's print button: the contact sheets (`crate::print`) as a PDF download,
/// 6 or 12 photos a page, with an optional 档号 prefix.
pub(super) async fn print_download(
    st: AppState,
    lang: Lang,
    who: Who,
    actor: crate::curate::Actor,
    name: String,
    per_page: usize,
    prefix: Option<String>,
) -> Response {
    let st2 = st.clone();
    let name2 = name.clone();
    let made = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, WebError> {
        let items = st2.with_curation(|cat| {
            crate::print::gather::collection_items(cat, &actor, &name2, &st2.config().thumbs_dir())
        })?;
        let printed = crate::print::contact_sheet(
            &items,
            &crate::print::SheetOptions {
                title: name2,
                per_page,
                prefix,
                date: chrono::Local::now().format("%Y-%m-%d").to_string(),
                font: crate::print::font::find_font(),
            },
        );
        Ok(printed.pdf)
    })
    .await;
    let pdf = match made.map_err(WebError::from).and_then(|r| r) {
        Ok(p) => p,
        Err(e) => return error_page(&who, lang, e),
    };
    let mut r = Response::new(Body::from(pdf));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/pdf"),
    );
    let disposition = format!(
        "attachment; filename=\"contact-sheet.pdf\"; filename*=UTF-8''{}.pdf",
        enc(&name)
    );
    if let Ok(v) = disposition.parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
