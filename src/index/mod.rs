//! Stage 6: index. A tantivy index under `ARCHIVE/index`, derived entirely from the catalog:
//! deleting it loses nothing (`archive reindex` rebuilds it). One document per catalogued file,
//! keyed by the file's catalog id, carrying the record as stored JSON so that a search never
//! needs the catalog.

mod facet_keys;
pub mod tokenizer;

use std::path::Path;

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use self::facet_keys::{FacetKeyCache, FacetKeys};
use crate::catalog::FileRow;
use crate::fields::Registry;
use crate::record::Record;
use crate::Result;

/// Bumped whenever fields or tokenizers change: an index of another version is rebuilt.
pub const INDEX_VERSION: &str = "8";

/// Hex digits of a content's BLAKE3 that its document is found by (`blake3:` queries): 64 bits,
/// like an abbreviated git hash. The full hash as a term cost ~60 term-dictionary nodes per
/// file, which were 8 % of the CPU of indexing small photos (docs/decisions.md).
pub const BLAKE3_KEY_HEX: usize = 16;

/// Field handles, resolved once.
#[derive(Clone)]
pub struct Fields {
    pub id: Field,
    pub blake3: Field,
    pub name_ng: Field,
    pub path_ng: Field,
    pub text_ng: Field,
    /// Text recognised in scans and photos of paper (OCR), apart from the file's own text so
    /// that it ranks below it and its excerpts say where they come from.
    pub ocr_ng: Field,
    pub facet: Field,
    pub captured: Field,
    pub record: Field,
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_opts = |tokenizer: &str, stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        blake3: b.add_text_field("blake3", STRING),
        name_ng: b.add_text_field("name_ng", text_opts(tokenizer::NGRAM, true)),
        path_ng: b.add_text_field("path_ng", text_opts(tokenizer::NGRAM, true)),
        text_ng: b.add_text_field("text_ng", text_opts(tokenizer::NGRAM, true)),
        ocr_ng: b.add_text_field("ocr_ng", text_opts(tokenizer::NGRAM, true)),
        facet: b.add_facet_field("facet", FacetOptions::default()),
        // Only sorted on: a fast field needs no terms.
        captured: b.add_i64_field("captured", FAST),
        record: b.add_text_field("record", STORED),
    };
    (b.build(), fields)
}

/// An open search index.
#[derive(Clone)]
pub struct SearchIndex {
    pub index: Index,
    pub fields: Fields,
    pub reader: IndexReader,
    /// Facet ordinal → counted values, per segment, for `search::search`.
    pub facet_keys: std::sync::Arc<FacetKeyCache>,
    /// The fields and facets its documents are built with and searched by: the standard
    /// table, or a test's own.
    pub registry: &'static Registry,
}

/// Holds the index format a folder's index was written in.
const VERSION_FILE: &str = "archive-index-version";

/// The format of the index in `dir`: None when there is no complete index there.
fn format_of(dir: &Path) -> Option<String> {
    if !dir.join("meta.json").exists() {
        return None;
    }
    std::fs::read_to_string(dir.join(VERSION_FILE))
        .ok()
        .map(|v| v.trim().to_string())
}

/// Value of the `captured` fast field for files without a capture time, so they sort last
/// in newest-first order.
pub const NO_DATE: i64 = i64::MIN;

impl SearchIndex {
    /// Open the index in `dir`, creating it when absent. Returns whether it was (re)created, in
    /// which case the caller must fill it from the catalog.
    pub fn open_or_create(dir: &Path) -> Result<(SearchIndex, bool)> {
        let (schema, fields) = build_schema();
        let version_file = dir.join(VERSION_FILE);
        let mut created = false;
        let index = if format_of(dir).as_deref() == Some(INDEX_VERSION) {
            Index::open_in_dir(dir)?
        } else {
            if dir.exists() {
                std::fs::remove_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
            }
            std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
            created = true;
            let index = Index::create_in_dir(dir, schema)?;
            std::fs::write(&version_file, INDEX_VERSION)
                .map_err(|e| crate::Error::io(&version_file, e))?;
            index
        };
        Ok((
            SearchIndex::ready(index, fields, Registry::standard())?,
            created,
        ))
    }

    fn ready(index: Index, fields: Fields, registry: &'static Registry) -> Result<SearchIndex> {
        tokenizer::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            reader,
            facet_keys: Default::default(),
            registry,
        })
    }

    /// Open an existing index for searching (a clear error when there is none, or when it was
    /// written in another format: searching must never replace it with an empty one).
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        if !dir.join("meta.json").exists() {
            return Err(crate::Error::Other(format!(
                "no search index at {}: run `archive index PATH` or `archive reindex`",
                dir.display()
            )));
        }
        let version = format_of(dir);
        if version.as_deref() != Some(INDEX_VERSION) {
            return Err(crate::Error::Other(format!(
                "the search index at {} is format {}, this archive reads format {INDEX_VERSION}: run `archive reindex` to rebuild it from the catalog",
                dir.display(),
                version.as_deref().unwrap_or("unknown")
            )));
        }
        SearchIndex::ready(
            Index::open_in_dir(dir)?,
            build_schema().1,
            Registry::standard(),
        )
    }

    /// An in-memory index (tests).
    pub fn in_ram() -> SearchIndex {
        SearchIndex::in_ram_with(Registry::standard())
    }

    /// An in-memory index whose documents carry the facets of `registry` (tests of new facets).
    pub fn in_ram_with(registry: &'static Registry) -> SearchIndex {
        let (schema, fields) = build_schema();
        SearchIndex::ready(Index::create_in_ram(schema), fields, registry).expect("reader")
    }

    pub fn writer(&self) -> Result<IndexWriter> {
        // Two threads match the machines this runs on; 96 MB keeps memory bounded.
        let writer = self.index.writer_with_num_threads(2, 96 * 1024 * 1024)?;
        // A run killed between writing a segment's delete file and committing leaves that file
        // behind, and the next commit from the same opstamp wants the same name (the crash test
        // met "FileAlreadyExists …del"). Files no commit refers to are removed first; failing to
        // remove them is not fatal here.
        let _ = writer.garbage_collect_files().wait();
        Ok(writer)
    }

    /// The search document for one file.
    pub fn document(
        &self,
        row: &FileRow,
        text: Option<&str>,
        tag_facets: &[String],
    ) -> TantivyDocument {
        let mut doc = self.document_without_id(row, text, tag_facets);
        self.set_id(&mut doc, row.id);
        doc
    }

    /// A file's search document before the catalog has given the file its id (a new file's
    /// document is built while its row is being written); [`SearchIndex::set_id`] completes it.
    pub fn document_without_id(
        &self,
        row: &FileRow,
        text: Option<&str>,
        tag_facets: &[String],
    ) -> TantivyDocument {
        let f = &self.fields;
        let record: Record = row.to_record(crate::i18n::Lang::Zh);
        let mut doc = TantivyDocument::default();
        if let Some(b3) = &row.blake3 {
            doc.add_text(f.blake3, &b3[..BLAKE3_KEY_HEX.min(b3.len())]);
        }
        let name = row.file_name();
        let folder = row.display_path();
        let folder = folder.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        doc.add_text(f.name_ng, name);
        doc.add_text(f.path_ng, folder);
        // Titles and authors are searchable like body text.
        let mut body = String::new();
        for extra in [record.title.as_deref(), record.author.as_deref()]
            .into_iter()
            .flatten()
        {
            body.push_str(extra);
            // Not whitespace: the tokenizer bridges whitespace between CJK characters (PDF
            // text), and a title's last character and the text's first are no phrase.
            body.push_str("\n|\n");
        }
        // A caption's words (题名, 人物, 背景…) are the words people search photos by.
        if let Some(c) = record.caption.as_ref().filter(|c| !c.is_unwritten()) {
            body.push_str(&c.words());
            body.push_str("\n|\n");
        }
        if let Some(t) = text {
            body.push_str(t);
        }
        // Every field is indexed as bigrams only; jieba segments queries, not documents
        // (docs/decisions.md, "Bigrams in the index, jieba for queries").
        if !body.is_empty() {
            doc.add_text(f.text_ng, &body);
        }
        if let Some(ocr) = row.facts.ocr_text.as_deref().filter(|t| !t.is_empty()) {
            doc.add_text(f.ocr_ng, ocr);
        }
        // A system file (Thumbs.db…) is found by its name but counted in no facet.
        let own = if record.system {
            Vec::new()
        } else {
            self.registry.record_facets(&record)
        };
        for facet in own.iter().chain(tag_facets) {
            if let Ok(facet) = Facet::from_text(facet) {
                doc.add_facet(f.facet, facet);
            }
        }
        // Sorting by date is by the evidence date: a document without a capture time sorts
        // by its own creation date rather than last.
        let ts = row
            .facts
            .evidence_date()
            .map(|(t, _)| t.timestamp())
            .unwrap_or(NO_DATE);
        doc.add_i64(f.captured, ts);
        doc.add_text(
            f.record,
            serde_json::to_string(&record).expect("record serialize"),
        );
        doc
    }

    pub fn set_id(&self, doc: &mut TantivyDocument, id: i64) {
        doc.add_u64(self.fields.id, id as u64);
    }

    pub fn delete_term(&self, id: i64) -> Term {
        Term::from_field_u64(self.fields.id, id as u64)
    }
}
