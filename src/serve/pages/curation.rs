//! What the search and record pages show of curation, as data: the "add all results" form
//! under the results and the curation block of a record's page (add to a collection,
//! re-tag, the file's history). Read through `crate::curate`, which checks the actor's role;
//! drawn by `templates/partials/add_results.html` and `partials/record_curation.html`. The
//! forms post to the handlers in `serve::curate`.

use crate::curate::audit::{self, AuditEntry};
use crate::curate::collections;
use crate::curate::Role;
use crate::i18n::{Lang, Msg};
use crate::serve::auth::Who;
use crate::serve::AppState;

/// Under the results: add every result of this search to a collection (curators only).
pub struct AddResults {
    pub csrf: String,
    /// The search's words and its filters (`field:value`), sent back as the search box and
    /// the facet links send them (`q`, `f`): the handler runs the same search again.
    pub q: String,
    pub filters: Vec<String>,
    /// "Add all N results …", in the page's language.
    pub button: String,
    pub collections: Vec<String>,
}

/// `None` unless a curator looks and some collection exists.
pub fn add_results(
    st: &AppState,
    who: &Who,
    l: Lang,
    q: &str,
    filters: &[(String, String)],
    total: usize,
) -> Option<AddResults> {
    let actor = who.actor.as_ref().filter(|a| a.can(Role::Curator))?;
    // Browsing everything is not a search: adding "all results" would add the whole catalog.
    if q.trim().is_empty() && filters.is_empty() {
        return None;
    }
    let collections: Vec<String> = st
        .with_curation(|cat| collections::list(cat, actor))
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.name)
        .collect();
    (!collections.is_empty()).then(|| AddResults {
        csrf: who.csrf.clone(),
        q: q.to_string(),
        filters: filters.iter().map(|(f, v)| format!("{f}:{v}")).collect(),
        button: l.fill(Msg::AddAllResults, &[("n", &total)]),
        collections,
    })
}

/// The curation block of a file's detail page.
pub struct RecordCuration {
    pub csrf: String,
    pub file_id: i64,
    pub blake3: String,
    /// Collections to add the file to (curators only; empty hides the form).
    pub collections: Vec<String>,
    /// Curators may re-tag.
    pub curator: bool,
    pub history: Vec<AuditEntry>,
}

/// `None` for someone not signed in.
pub fn record_curation(
    st: &AppState,
    who: &Who,
    file_id: i64,
    blake3: &str,
) -> Option<RecordCuration> {
    let actor = who.actor.as_ref()?;
    let curator = actor.can(Role::Curator);
    let collections = if curator {
        st.with_curation(|cat| collections::list(cat, actor))
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect()
    } else {
        Vec::new()
    };
    let history = st
        .with_curation(|cat| audit::file_history(cat.conn(), blake3))
        .unwrap_or_default();
    Some(RecordCuration {
        csrf: who.csrf.clone(),
        file_id,
        blake3: blake3.to_string(),
        collections,
        curator,
        history,
    })
}
