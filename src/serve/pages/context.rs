//! Where a record page was opened from, carried in its URL: a search (its words, filters and
//! sort, and the record's place in the results, `pos`) or a collection (`collection`, the
//! file's own id placing it). The page then links the previous and next record of that list
//! and goes back to the search with its filters and page, or to the collection at the item.
//! Reviewers walk through hundreds of results this way instead of going back to the list
//! after each one.

use crate::curate::collections;
use crate::i18n::{Lang, Msg};
use crate::serve::api::{request, run_search};
use crate::serve::auth::Who;
use crate::serve::params::{with_lang, Params};
use crate::serve::AppState;

use super::search::PAGE_SIZE;

/// The links around a record page.
pub struct RecordNav {
    pub back: String,
    pub back_label: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// "第 3 / 40 个结果", when the record is placed in a list.
    pub position: Option<String>,
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A record page inside the search `p` at `pos` (from 1).
pub fn in_search(p: &Params, blake3: &str, id: u64, pos: usize) -> String {
    let path = p.href(&format!("/record/{blake3}"), |q| q.prefecture = None);
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}id={id}&pos={pos}")
}

/// A record page inside a collection.
pub fn in_collection(l: Lang, name: &str, blake3: &str, id: i64) -> String {
    with_lang(
        &format!("/record/{blake3}?id={id}&collection={}", enc(name)),
        l,
    )
}

/// The links for the record page of file `file_id`, opened with `p`.
pub async fn record_nav(st: &AppState, who: &Who, p: &Params, file_id: i64) -> RecordNav {
    let l = p.lang;
    if let (Some(name), Some(actor)) = (&p.collection, &who.actor) {
        if let Ok(d) = st.with_curation(|cat| collections::show(cat, actor, name)) {
            let back = format!(
                "{}#item-{file_id}",
                with_lang(&format!("/collections/{}", enc(&d.collection.name)), l)
            );
            let at = d.items.iter().position(|it| it.file_id == file_id);
            let link = |i: usize| {
                let it = d.items.get(i)?;
                let b3 = it.blake3.as_deref().filter(|b| !b.is_empty())?;
                Some(in_collection(l, &d.collection.name, b3, it.file_id))
            };
            return RecordNav {
                back,
                back_label: l.fill(Msg::BackToCollection, &[("name", &d.collection.name)]),
                prev: at.and_then(|i| i.checked_sub(1)).and_then(link),
                next: at.and_then(|i| link(i + 1)),
                position: at
                    .map(|i| l.fill(Msg::ItemOf, &[("pos", &(i + 1)), ("total", &d.items.len())])),
            };
        }
    }
    let mut nav = RecordNav {
        back: p.href("/", |_| {}),
        back_label: l.t(Msg::BackToSearch).to_string(),
        prev: None,
        next: None,
        position: None,
    };
    let Some(pos) = p.pos else {
        return nav;
    };
    // The results page the record was on, so that going back lands where the user was.
    nav.back = p.href("/", |q| q.offset = (pos - 1) / PAGE_SIZE * PAGE_SIZE);
    let mut q = p.clone();
    q.offset = pos.saturating_sub(2);
    let mut req = request(&q, 3, false);
    req.snippets = false;
    let Ok(resp) = run_search(st, req).await else {
        return nav;
    };
    let link = |at: usize| -> Option<String> {
        let hit = resp.hits.get(at.checked_sub(q.offset + 1)?)?;
        let b3 = hit.record()?.blake3?;
        Some(in_search(p, &b3, hit.id, at))
    };
    nav.prev = pos.checked_sub(1).filter(|&n| n > 0).and_then(link);
    nav.next = link(pos + 1);
    nav.position = (pos <= resp.total)
        .then(|| l.fill(Msg::ResultOf, &[("pos", &pos), ("total", &resp.total)]));
    nav
}
