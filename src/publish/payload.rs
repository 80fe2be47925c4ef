//! What is sent: one search document per catalogued file, its stable id, and the NDJSON lines
//! each engine takes (OpenSearch `_bulk` action/source pairs, Quickwit ingest documents).

use serde_json::{json, Map, Value};

use crate::catalog::FileRow;
use crate::i18n::Lang;

use super::Engine;

/// Characters of a document's text sent at most: enough for every phrase an inspector searches
/// for in a notice or a report, bounded so that a 300-page PDF does not make a batch of its own.
pub const DEFAULT_TEXT_CAP: usize = 20_000;

/// Where the province's own server shows a file, so that the national search can link back to
/// it (the bytes stay in the province).
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// e.g. `https://kp.qinghai.example/archive`; no trailing slash needed.
    pub base_url: Option<String>,
}

/// The stable id of a file's document: the province, the content and the path, so that the same
/// file published again replaces its document, a copy elsewhere is a document of its own, and
/// two provinces never collide. ASCII, 49 characters.
pub fn doc_id(province: &str, blake3: Option<&str>, path: &str) -> String {
    let place = blake3::hash(format!("{province}\u{0}{path}").as_bytes());
    let content = blake3
        .map(|b| &b[..b.len().min(16)])
        .unwrap_or("0000000000000000");
    format!("{content}-{}", &place.to_hex()[..32])
}

/// One file's search document: the record `archive list --json` gives, with the province, the
/// document text up to `text_cap` characters, links to the province's pages, and its id.
pub fn document(
    row: &FileRow,
    text: Option<&str>,
    province: &str,
    links: &Links,
    text_cap: usize,
) -> (String, Value) {
    let record = row.to_record(Lang::Zh);
    let id = doc_id(province, record.blake3.as_deref(), &record.path);
    let mut doc = match serde_json::to_value(&record) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    doc.insert("doc_id".into(), json!(id));
    doc.insert("province".into(), json!(province));
    if let Some(t) = text.filter(|t| !t.is_empty()) {
        let cut: String = t.chars().take(text_cap).collect();
        let truncated = cut.len() < t.len();
        doc.insert("text".into(), json!(cut));
        if truncated {
            doc.insert("text_truncated".into(), json!(true));
        }
    }
    if let (Some(base), Some(b3)) = (&links.base_url, &record.blake3) {
        let base = base.trim_end_matches('/');
        doc.insert("detail_url".into(), json!(format!("{base}/record/{b3}")));
        doc.insert("thumb_url".into(), json!(format!("{base}/thumb/{b3}")));
    }
    (id, Value::Object(doc))
}

/// A signature of what a document says, kept per id after it was sent: a rerun sends a
/// document again only when its signature differs.
pub fn signature(doc: &Value) -> String {
    let bytes = serde_json::to_vec(doc).unwrap_or_default();
    blake3::hash(&bytes).to_hex()[..32].to_string()
}

/// The NDJSON lines that put (or replace) one document.
pub fn upsert_lines(engine: Engine, index: &str, id: &str, doc: &Value, out: &mut Vec<u8>) {
    match engine {
        Engine::OpenSearch => {
            push_line(out, &json!({"index": {"_index": index, "_id": id}}));
            push_line(out, doc);
        }
        // Quickwit keeps every document it is given (no replace by id): the newest
        // `published_at` per `doc_id` is the current one (docs/scale-out.md).
        Engine::Quickwit => {
            let mut d = doc.clone();
            if let Value::Object(m) = &mut d {
                m.insert("published_at".into(), json!(chrono::Utc::now().timestamp()));
                m.insert("deleted".into(), json!(false));
            }
            push_line(out, &d);
        }
    }
}

/// The NDJSON lines that remove a document: an OpenSearch delete action, or a Quickwit
/// tombstone (a document saying it is deleted, newer than the last one with its id).
pub fn delete_lines(engine: Engine, index: &str, id: &str, province: &str, out: &mut Vec<u8>) {
    match engine {
        Engine::OpenSearch => push_line(out, &json!({"delete": {"_index": index, "_id": id}})),
        Engine::Quickwit => push_line(
            out,
            &json!({
                "doc_id": id,
                "province": province,
                "deleted": true,
                "published_at": chrono::Utc::now().timestamp(),
            }),
        ),
    }
}

fn push_line(out: &mut Vec<u8>, v: &Value) {
    // Serialising a Value cannot fail: its keys are strings.
    serde_json::to_writer(&mut *out, v).expect("a JSON value serialises");
    out.push(b'\n');
}

/// Facet fields: exact values, aggregated and filtered on by the national team.
const KEYWORDS: [&str; 12] = [
    "doc_id",
    "province",
    "blake3",
    "media",
    "mime",
    "status",
    "captured_at_source",
    "evidence_date_kind",
    "software",
    "detail_url",
    "thumb_url",
    "path_bytes_hex",
];

/// The index template (OpenSearch) or index config (Quickwit) that the documents fit, ready to
/// apply. Chinese names and text go through a CJK analyzer: bigrams, as the province's own
/// index does, so that any two-character substring is found.
pub fn mapping(engine: Engine, index: &str) -> String {
    match engine {
        Engine::OpenSearch => {
            let mut props = Map::new();
            for k in KEYWORDS {
                props.insert(k.into(), json!({"type": "keyword"}));
            }
            for k in ["path", "title", "author", "text", "excerpt"] {
                props.insert(
                    k.into(),
                    json!({"type": "text", "analyzer": "cjk",
                           "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}}),
                );
            }
            props.insert("text".into(), json!({"type": "text", "analyzer": "cjk"}));
            for k in [
                "captured_at",
                "evidence_date",
                "modified",
                "doc_created",
                "doc_modified",
            ] {
                props.insert(
                    k.into(),
                    json!({"type": "date", "format": "strict_date_optional_time||epoch_second"}),
                );
            }
            for k in ["size", "width", "height", "pages"] {
                props.insert(k.into(), json!({"type": "long"}));
            }
            props.insert("duration_s".into(), json!({"type": "double"}));
            props.insert(
                "gps".into(),
                json!({"properties": {"lat": {"type": "double"}, "lon": {"type": "double"}}}),
            );
            props.insert("text_truncated".into(), json!({"type": "boolean"}));
            let template = json!({
                "index_patterns": [format!("{index}*")],
                "template": {
                    "settings": {"number_of_shards": 3, "number_of_replicas": 1},
                    "mappings": {
                        "dynamic": true,
                        // Tags, flags and other nested values: their strings as keywords.
                        "dynamic_templates": [{"strings_as_keywords": {
                            "match_mapping_type": "string",
                            "mapping": {"type": "keyword", "ignore_above": 1024}}}],
                        "properties": props,
                    }
                }
            });
            serde_json::to_string_pretty(&template).expect("a JSON value serialises") + "\n"
        }
        Engine::Quickwit => format!(
            r#"# Quickwit index config for `archive publish --engine quickwit` (docs/scale-out.md).
# Apply with: quickwit index create --index-config this.yaml   (or POST /api/v1/indexes)
version: 0.8
index_id: {index}
doc_mapping:
  mode: dynamic
  dynamic_mapping:
    indexed: true
    stored: true
    tokenizer: raw
    fast: true
  field_mappings:
    - {{name: doc_id, type: text, tokenizer: raw, fast: true}}
    - {{name: province, type: text, tokenizer: raw, fast: true}}
    - {{name: blake3, type: text, tokenizer: raw, fast: true}}
    - {{name: media, type: text, tokenizer: raw, fast: true}}
    - {{name: mime, type: text, tokenizer: raw, fast: true}}
    - {{name: status, type: text, tokenizer: raw, fast: true}}
    - {{name: deleted, type: bool, fast: true}}
    - {{name: published_at, type: datetime, input_formats: [unix_timestamp], fast: true}}
    - {{name: path, type: text, tokenizer: chinese_compatible, record: position}}
    - {{name: title, type: text, tokenizer: chinese_compatible, record: position}}
    - {{name: text, type: text, tokenizer: chinese_compatible, record: position}}
    - {{name: size, type: u64, fast: true}}
  timestamp_field: published_at
search_settings:
  default_search_fields: [path, title, text]
indexing_settings:
  commit_timeout_secs: 30
"#
        ),
    }
}
