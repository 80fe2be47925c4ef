//! Submission lists (报送材料清单) as the tagger uses them: every list's rows by the folder it
//! sits in, so that a file finds the row naming it in the nearest list at or above its folder
//! (or, failing that, in a list kept in a folder of its own beside the file's).
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
    /// The rows of lists kept in a folder of their own ([`list_folder`]), by the folder above
    /// it. Asked only when no list at or above a file names it.
    aside: HashMap<(String, String), DirLists>,
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

/// A folder kept for the list alone (`00清单`, `材料目录`): its list describes the folders beside
/// it. Any other folder's list reaches only its own folder and below (a prefecture's list must
/// not name another prefecture's photos).
fn list_folder(dir: &str) -> bool {
    let name = dir.rsplit('/').next().unwrap_or("");
    !name.is_empty()
        && ["清单", "目录", "索引", "manifest", "list"]
            .iter()
            .any(|w| name.contains(w))
}

impl DirLists {
    fn add(&mut self, key: &str, idx: usize) {
        if let Some((_, base)) = key.rsplit_once('/') {
            self.basename
                .entry(base.to_string())
                .and_modify(|e| {
                    if *e != Some(idx) {
                        *e = None
                    }
                })
                .or_insert(Some(idx));
        }
        // The first row naming a file wins, as a person reading the list top-down would take it.
        self.exact.entry(key.to_string()).or_insert(idx);
    }

    /// The row naming the file whose normalised path is `parts`, for lists whose rows are
    /// relative to `parts[..cut]`.
    fn find(&self, parts: &[&str], cut: usize) -> Option<usize> {
        let name = *parts.last()?;
        let below = parts[cut..].join("/");
        // Rows written without the extension (附件01 for 附件01.jpg), as a name or a path.
        let below_stem = format!("{}{}", &below[..below.len() - name.len()], file_stem(name));
        let mut keys = vec![
            below,
            parts.join("/"),
            name.to_string(),
            file_stem(name).to_string(),
            below_stem,
        ];
        // A row may name a sub-folder: it covers everything inside.
        for k in (cut + 1..parts.len()).rev() {
            keys.push(parts[cut..k].join("/"));
        }
        if let Some(&i) = keys.iter().find_map(|k| self.exact.get(k)) {
            return Some(i);
        }
        let base = self
            .basename
            .get(name)
            .or_else(|| self.basename.get(file_stem(name)));
        base.copied().flatten()
    }
}

impl Manifests {
    /// The submission lists among `files` (the others are passed over).
    pub fn build(files: &[FileForTagging]) -> Manifests {
        let mut m = Manifests {
            by_dir: HashMap::default(),
            aside: HashMap::default(),
            entries: Vec::new(),
        };
        for f in files {
            if f.facts.manifest_rows.is_empty() {
                continue;
            }
            let dir = manifest_key(parent_dir(f.rel_path));
            let up = list_folder(&dir).then(|| parent_dir(&dir).to_string());
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
                let root = f.root.to_string();
                m.by_dir
                    .entry((root.clone(), dir.clone()))
                    .or_default()
                    .add(&key, idx);
                if let Some(up) = &up {
                    m.aside
                        .entry((root, up.clone()))
                        .or_default()
                        .add(&key, idx);
                }
            }
        }
        m
    }

    /// The row that names this file in the nearest list at or above its folder; failing that,
    /// in a list kept in a folder of its own beside the files (`互助县/00清单/材料清单.xlsx`
    /// for `互助县/01照片/附件01.jpg`).
    pub(super) fn lookup(&self, f: &FileForTagging) -> Option<&ManifestEntry> {
        if self.by_dir.is_empty() {
            return None;
        }
        let rel = manifest_key(f.rel_path);
        let parts: Vec<&str> = rel.split('/').collect();
        for map in [&self.by_dir, &self.aside] {
            for cut in (0..parts.len()).rev() {
                let dir = parts[..cut].join("/");
                let Some(lists) = map.get(&(f.root.to_string(), dir)) else {
                    continue;
                };
                if let Some(i) = lists.find(&parts, cut) {
                    return Some(&self.entries[i]);
                }
            }
        }
        None
    }
}
