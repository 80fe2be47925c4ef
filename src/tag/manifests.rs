//! Submission lists (报送材料清单) as the tagger uses them: every list's rows by the folder it
//! sits in, so that a file finds the row naming it in the nearest list at or above its folder.
//! Reading a list's rows from the spreadsheet is extraction's job (`extract::document`); this
//! is only the lookup, kept apart from the candidate logic because its keys (paths written on
//! Windows, sub-folders, bare names) are a concern of their own.

// Fx: keyed by short strings, filled once per run; see engine.rs.
use rustc_hash::FxHashMap as HashMap;

use crate::schema::text::compact;

use super::segments::file_stem;
use super::FileForTagging;

pub(super) use crate::extract::document::manifest::is_submission_list;

pub(super) struct ManifestEntry {
    pub(super) indicator: String,
    pub(super) evidence: String,
}

/// Submission lists by (root, folder): normalised file key → entry.
pub struct Manifests {
    by_dir: HashMap<(String, String), DirLists>,
    entries: Vec<ManifestEntry>,
}

#[derive(Default)]
struct DirLists {
    /// The file column as written (name, path relative to the list, or sub-folder).
    exact: HashMap<String, usize>,
    /// Last component of rows written as longer paths (`D:\材料\海东市\IMG_001.jpg`), kept only
    /// when unique in the folder's lists: the writer's absolute paths never match ours.
    basename: HashMap<String, Option<usize>>,
}

fn manifest_key(s: &str) -> String {
    let k = compact(&s.replace('\\', "/"));
    k.trim_start_matches("./").trim_matches('/').to_string()
}

fn parent_dir(rel: &str) -> &str {
    rel.rfind(['/', '\\']).map(|i| &rel[..i]).unwrap_or("")
}

impl Manifests {
    /// The submission lists among `files` (the others are passed over).
    pub fn build(files: &[FileForTagging]) -> Manifests {
        let mut m = Manifests {
            by_dir: HashMap::default(),
            entries: Vec::new(),
        };
        for f in files {
            if f.facts.manifest_rows.is_empty() {
                continue;
            }
            let dir = manifest_key(parent_dir(f.rel_path));
            let lists = m.by_dir.entry((f.root.to_string(), dir)).or_default();
            for row in &f.facts.manifest_rows {
                let key = manifest_key(&row.file);
                if key.is_empty() || row.indicator.trim().is_empty() {
                    continue;
                }
                let idx = m.entries.len();
                m.entries.push(ManifestEntry {
                    indicator: row.indicator.trim().to_string(),
                    evidence: format!(
                        "{} {}: \"{}\" → \"{}\"",
                        f.rel_path,
                        row.at,
                        row.file.trim(),
                        row.indicator.trim()
                    ),
                });
                if let Some((_, base)) = key.rsplit_once('/') {
                    lists
                        .basename
                        .entry(base.to_string())
                        .and_modify(|e| {
                            if *e != Some(idx) {
                                *e = None
                            }
                        })
                        .or_insert(Some(idx));
                }
                // The first row naming a file wins, as a person reading the list top-down would take it.
                lists.exact.entry(key).or_insert(idx);
            }
        }
        m
    }

    /// The row that names this file in the nearest list at or above its folder.
    pub(super) fn lookup(&self, f: &FileForTagging) -> Option<&ManifestEntry> {
        if self.by_dir.is_empty() {
            return None;
        }
        let rel = manifest_key(f.rel_path);
        let parts: Vec<&str> = rel.split('/').collect();
        let name = *parts.last()?;
        for cut in (0..parts.len()).rev() {
            let dir = parts[..cut].join("/");
            let Some(lists) = self.by_dir.get(&(f.root.to_string(), dir)) else {
                continue;
            };
            let below = parts[cut..].join("/");
            // Rows written without the extension (附件01 for 附件01.jpg), as a name or a path.
            let below_stem = format!("{}{}", &below[..below.len() - name.len()], file_stem(name));
            let mut keys = vec![
                below,
                rel.clone(),
                name.to_string(),
                file_stem(name).to_string(),
                below_stem,
            ];
            // A row may name a sub-folder: it covers everything inside.
            for k in (cut + 1..parts.len()).rev() {
                keys.push(parts[cut..k].join("/"));
            }
            if let Some(&i) = keys.iter().find_map(|k| lists.exact.get(k)) {
                return Some(&self.entries[i]);
            }
            let base = lists
                .basename
                .get(name)
                .or_else(|| lists.basename.get(file_stem(name)));
            if let Some(Some(i)) = base {
                return Some(&self.entries[*i]);
            }
        }
        None
    }
}
