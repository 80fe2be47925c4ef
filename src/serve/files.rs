//! Originals and thumbnails, addressed by BLAKE3 only.
//!
//! The request names a content hash; the catalog says which paths hold that content; the
//! bytes are read from the catalogued path. No part of the request ever becomes a path, so
//! `..`, encoded slashes or NULs can only ever be a malformed hash (400). Downloads keep the
//! evidence's real name (Chinese included, RFC 5987 `filename*`) and its sniffed MIME type;
//! only media a browser shows safely may be opened inline, and never as a document that could
//! run script in this origin.

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::catalog::FileRow;
use crate::i18n::{Lang, Msg};
use crate::record::{Media, Status};
use crate::thumb::{self, ThumbError};

use super::api::{rows_for, valid_hash};
use super::params::Params;
use super::{AppState, WebError};

/// RFC 5987 attr-char: what may stay unencoded in `filename*`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Types a browser may display inline without running anything.
const INLINE_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "audio/mpeg",
    "audio/mp4",
    "application/pdf",
];

/// `Content-Disposition` for a file name: an ASCII fallback for old clients plus the exact
/// UTF-8 name in `filename*` (RFC 6266 / RFC 5987).
pub fn content_disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, ATTR_CHAR);
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The catalogued MIME type if it is well formed, else a neutral one.
fn safe_mime(mime: &str) -> &str {
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    };
    match mime.split_once('/') {
        Some((a, b)) if ok(a) && ok(b) => mime,
        _ => "application/octet-stream",
    }
}

/// One byte range of a `Range` header (videos seek with these). `None` means "send it all":
/// no header, several ranges, or a unit other than bytes. `Some(Err(()))` is unsatisfiable.
pub fn byte_range(headers: &HeaderMap, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .trim()
        .strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.is_empty(), b.is_empty()) {
        (true, true) => return None,
        // The last N bytes.
        (true, false) => {
            let n: u64 = b.parse().ok()?;
            if n == 0 || len == 0 {
                return Some(Err(()));
            }
            (len.saturating_sub(n), len - 1)
        }
        (false, _) => {
            let start: u64 = a.parse().ok()?;
            let end: u64 = if b.is_empty() {
                len.saturating_sub(1)
            } else {
                b.parse::<u64>().ok()?.min(len.saturating_sub(1))
            };
            if start >= len || end < start {
                return Some(Err(()));
            }
            (start, end)
        }
    };
    Some(Ok(range))
}

/// Rows to try, the requested path first, then every present copy.
fn candidates(rows: &[FileRow], id: Option<i64>) -> Vec<&FileRow> {
    let mut v: Vec<&FileRow> = rows.iter().filter(|r| Some(r.id) == id).collect();
    v.extend(
        rows.iter()
            .filter(|r| Some(r.id) != id && r.status == Status::Present),
    );
    v
}

pub async fn original(
    State(st): State<AppState>,
    Path(blake3): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let b3 = valid_hash(&blake3)?;
    let p = Params::parse(raw.as_deref())?;
    let rows = rows_for(&st, &b3).await?;
    let named = rows.iter().find(|r| Some(r.id) == p.id).unwrap_or(&rows[0]);
    let name = named.file_name().to_string();
    let tried = candidates(&rows, p.id);
    let ids: Vec<i64> = tried.iter().map(|r| r.id).collect();
    let st2 = st.clone();
    let identities = tokio::task::spawn_blocking(move || {
        st2.with_catalog(|c| {
            ids.iter()
                .map(|&id| c.file_identity(id))
                .collect::<crate::Result<Vec<_>>>()
        })
    })
    .await??;
    // Why a copy that is there was not served: said instead of "missing" when none is served.
    let mut changed: Option<String> = None;
    for (row, identity) in tried.into_iter().zip(identities) {
        let path = row.abs_path();
        let Ok(link) = tokio::fs::symlink_metadata(&path).await else {
            continue;
        };
        // Never follow a link put in the file's place: it may point anywhere on the server.
        if !link.file_type().is_file() {
            changed.get_or_insert_with(|| {
                format!(
                    "{} is no longer a regular file (a link or folder is in its place)",
                    row.display_path()
                )
            });
            continue;
        }
        let Ok(mut file) = tokio::fs::File::open(&path).await else {
            continue;
        };
        let Ok(meta) = file.metadata().await else {
            continue;
        };
        // The file opened must be the one catalogued under this hash, not a same-size edit or
        // another file renamed into its place (the link check above could race with a swap;
        // this check is on the open file itself).
        if let Some(why) = not_the_catalogued_file(row, identity, &path, &meta) {
            changed.get_or_insert_with(|| format!("{}: {why}", row.display_path()));
            continue;
        }
        let len = meta.len();
        let (status, start, count) = match byte_range(&headers, len) {
            None => (StatusCode::OK, 0, len),
            Some(Ok((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
            Some(Err(())) => {
                let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    res.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return Ok(res);
            }
        };
        if start > 0 && file.seek(std::io::SeekFrom::Start(start)).await.is_err() {
            continue;
        }
        let file = file.take(count);
        let mime = safe_mime(&row.facts.mime).to_string();
        let inline = p.inline && INLINE_TYPES.contains(&mime.as_str());
        let disposition = content_disposition(if inline { "inline" } else { "attachment" }, &name);
        let stream = futures_util::stream::unfold(Some(file), |state| async move {
            let mut f = state?;
            let mut buf = vec![0u8; 64 * 1024];
            match f.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), Some(f)))
                }
                Err(e) => Some((Err(e), None)),
            }
        });
        let mut res = Response::new(Body::from_stream(stream));
        *res.status_mut() = status;
        let h = res.headers_mut();
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if status == StatusCode::PARTIAL_CONTENT {
            if let Ok(v) =
                HeaderValue::from_str(&format!("bytes {start}-{}/{len}", start + count - 1))
            {
                h.insert(header::CONTENT_RANGE, v);
            }
        }
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&mime)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        // Even shown inline, the original runs no script and cannot reach the page.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
            ),
        );
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=3600"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("\"{b3}\"")) {
            h.insert(header::ETAG, v);
        }
        return Ok(res);
    }
    match changed {
        Some(why) => Err(WebError::Conflict(format!(
            "{why}; the file on disk is no longer the content {b3} the catalog holds, so it is not \
             served under that hash: run `archive index` to bring the catalog up to date"
        ))),
        None => Err(WebError::NotFound(format!(
            "every catalogued copy of {b3} is missing on disk; run `archive index` to bring the catalog up to date"
        ))),
    }
}

/// Why an opened file is not the one the catalog knows at that path, if it is not: its device
/// and inode, size and modification time must all be the walk's.
fn not_the_catalogued_file(
    row: &FileRow,
    identity: Option<(u64, u64)>,
    path: &std::path::Path,
    meta: &std::fs::Metadata,
) -> Option<&'static str> {
    if !meta.is_file() {
        return Some("it is no longer a regular file");
    }
    // Unix: the open file's own device and inode. Windows: the path opened again (its file
    // index is read only through a handle std does not lend), a narrower check there.
    if identity.is_some_and(|id| crate::platform::file_id(path, meta) != id) {
        return Some("another file has taken its place (device or inode differ)");
    }
    if meta.len() != row.size {
        return Some("its size changed");
    }
    if crate::walk::mtime_ns(meta) != row.mtime_ns {
        return Some("it was modified (its modification time changed)");
    }
    None
}

pub async fn thumb(
    State(st): State<AppState>,
    Path(blake3): Path<String>,
) -> Result<Response, WebError> {
    let b3 = valid_hash(&blake3)?;
    let rows = rows_for(&st, &b3).await?;
    let media = rows[0].facts.media();
    if !matches!(media, Media::Photo | Media::Video) {
        return Ok(svg(icon(media)));
    }
    let orientation = rows[0].facts.orientation;
    let mime = rows[0].facts.mime.clone();
    let sources: Vec<std::path::PathBuf> = candidates(&rows, None)
        .into_iter()
        .map(|r| r.abs_path())
        .filter(|p| p.is_file())
        .collect();
    let Some(source) = sources.into_iter().next() else {
        return Ok(svg(BROKEN));
    };
    let dir = st.config().thumbs_dir();
    let _slot = st
        .inner
        .thumb_slots
        .acquire()
        .await
        .map_err(|e| WebError::Internal(format!("thumbnail queue: {e}")))?;
    let out =
        tokio::task::spawn_blocking(move || thumb::preview(&dir, &b3, &source, &mime, orientation))
            .await?;
    Ok(match out {
        Ok(jpeg) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, max-age=86400"),
                ),
            ],
            jpeg,
        )
            .into_response(),
        // The format's tool is not installed: the media's icon, saying so.
        Err(ThumbError::Unavailable(m)) => svg(icon_saying(
            media,
            &format!(
                "{} / {}",
                Lang::Zh.fill(
                    Msg::PreviewNeedsTool,
                    &[("tool", &m.tool), ("package", &m.package)]
                ),
                Lang::En.fill(
                    Msg::PreviewNeedsTool,
                    &[("tool", &m.tool), ("package", &m.package)]
                )
            ),
        )),
        Err(ThumbError::Undecodable { path, reason }) => {
            tracing::debug!("thumbnail of {}: {reason}", path.display());
            if media == Media::Video {
                svg(VIDEO)
            } else {
                svg(BROKEN)
            }
        }
        Err(e) => {
            tracing::warn!("{e}");
            svg(BROKEN)
        }
    })
}

/// The media's icon with `why` as its title (shown on hover and read by screen readers) and
/// a mark that it is an icon, not the picture (`data-reason`, for the page and tests).
fn icon_saying(media: Media, why: &str) -> String {
    let why = crate::html::escape(why);
    icon(media)
        .replacen("<svg ", &format!("<svg data-reason=\"{why}\" "), 1)
        .replacen("</svg>", &format!("<title>{why}</title></svg>"), 1)
}

pub async fn favicon() -> Response {
    svg(FAVICON)
}

/// An SVG answer (an icon, or one made for this request), never cached: icons name why a
/// preview is missing, and the reason can change.
fn svg(body: impl IntoResponse) -> Response {
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

pub fn icon(media: Media) -> &'static str {
    match media {
        Media::Photo => PHOTO,
        Media::Video => VIDEO,
        Media::Document => DOCUMENT,
        Media::Other => OTHER,
    }
}

const PHOTO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90"><rect x="1" y="1" width="118" height="88" rx="6" fill="#eef1f5" stroke="#c5ccd6"/><path d="M20 70 L48 38 L66 58 L78 46 L100 70 Z" fill="#9aa8b8"/><circle cx="84" cy="28" r="8" fill="#c9a227"/></svg>"##;
const BROKEN: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90"><rect x="1" y="1" width="118" height="88" rx="6" fill="#fbeeee" stroke="#d9a0a0"/><path d="M20 70 L48 38 L66 58 L78 46 L100 70 Z" fill="#d9b3b3"/><path d="M30 20 L90 72 M90 20 L30 72" stroke="#b33" stroke-width="5"/><title>image cannot be decoded / 图片无法读取</title></svg>"##;
const VIDEO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90"><rect x="1" y="1" width="118" height="88" rx="6" fill="#e8eef8" stroke="#9fb3d1"/><circle cx="60" cy="45" r="24" fill="#3b5b8c"/><path d="M52 33 L74 45 L52 57 Z" fill="#fff"/></svg>"##;
const DOCUMENT: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90"><rect x="1" y="1" width="118" height="88" rx="6" fill="#f3f0e6" stroke="#cfc39a"/><path d="M42 12 H70 L82 24 V78 H42 Z" fill="#fff" stroke="#8a7a45" stroke-width="2"/><path d="M50 36 H74 M50 46 H74 M50 56 H74 M50 66 H66" stroke="#8a7a45" stroke-width="3"/></svg>"##;
const OTHER: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90"><rect x="1" y="1" width="118" height="88" rx="6" fill="#eef1f5" stroke="#c5ccd6"/><text x="60" y="56" font-size="30" text-anchor="middle" fill="#7a8594">?</text></svg>"##;
const FAVICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f4e79"/><path d="M6 24 L13 12 L18 19 L21 15 L27 24 Z" fill="#fff"/></svg>"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_carries_the_chinese_name() {
        let d = content_disposition("attachment", "科普日 \"活动\".jpg");
        assert_eq!(
            d,
            "attachment; filename=\"___ ____.jpg\"; filename*=UTF-8''%E7%A7%91%E6%99%AE%E6%97%A5%20%22%E6%B4%BB%E5%8A%A8%22.jpg"
        );
        assert!(content_disposition("inline", "a\r\nb.txt").is_ascii());
        assert!(!content_disposition("inline", "a\r\nb.txt").contains('\n'));
    }

    #[test]
    fn ranges() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::RANGE, HeaderValue::from_str(v).unwrap());
            m
        };
        assert_eq!(byte_range(&HeaderMap::new(), 100), None);
        assert_eq!(byte_range(&h("bytes=0-9"), 100), Some(Ok((0, 9))));
        assert_eq!(byte_range(&h("bytes=90-"), 100), Some(Ok((90, 99))));
        assert_eq!(byte_range(&h("bytes=-10"), 100), Some(Ok((90, 99))));
        assert_eq!(byte_range(&h("bytes=50-500"), 100), Some(Ok((50, 99))));
        assert_eq!(byte_range(&h("bytes=100-"), 100), Some(Err(())));
        assert_eq!(byte_range(&h("bytes=9-3"), 100), Some(Err(())));
        assert_eq!(
            byte_range(&h("bytes=0-1,5-6"), 100),
            None,
            "several ranges: the whole file"
        );
        assert_eq!(byte_range(&h("items=0-1"), 100), None);
        assert_eq!(byte_range(&h("bytes=x-y"), 100), None);
    }

    #[test]
    fn odd_mime_types_become_octet_stream() {
        assert_eq!(safe_mime("image/jpeg"), "image/jpeg");
        assert_eq!(
            safe_mime("text/html\r\nX-Evil: 1"),
            "application/octet-stream"
        );
        assert_eq!(safe_mime(""), "application/octet-stream");
    }
}
