//! A file's location as the tagger reads it: the name-bearing parts of its path (the root's
//! last two folders, each folder, the file name without its extension), each knowing which
//! part it is and how deep, since the part nearest the file wins and a root folder's keywords
//! do not count.

use super::FileForTagging;

/// Which part of a file's location a name was read from. Its words go into the evidence that
/// curators and inspectors read, and decide what counts (a root folder's keywords do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    RootFolder,
    Folder,
    FileName,
}

impl Part {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Part::RootFolder => "root folder",
            Part::Folder => "folder",
            Part::FileName => "file name",
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One name-bearing piece of a file's location: a root folder, a folder, the file name.
pub(super) struct Segment<'a> {
    /// As written, for evidence.
    pub(super) text: &'a str,
    /// What is matched: the file name without its extension.
    pub(super) match_text: &'a str,
    pub(super) label: Part,
    pub(super) depth: usize,
}

pub(super) fn split_path(p: &str) -> impl Iterator<Item = &str> {
    p.split(['/', '\\']).filter(|s| !s.is_empty() && *s != ".")
}

pub(super) fn file_stem(name: &str) -> &str {
    match name.rsplit_once('.') {
        // An extension has a letter (jpg, mp4, 3gp): "B4.1" is a code, not "B4" with extension "1".
        Some((stem, ext))
            if !stem.is_empty()
                && ext.len() <= 5
                && ext.is_ascii()
                && ext.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            stem
        }
        _ => name,
    }
}

pub(super) fn segments<'a>(f: &FileForTagging<'a>) -> Vec<Segment<'a>> {
    let root: Vec<&str> = split_path(f.root).collect();
    // Only the root's last two folders: above them sit mount points and user names, not evidence.
    let mut out: Vec<Segment> = root[root.len().saturating_sub(2)..]
        .iter()
        .map(|&s| Segment {
            text: s,
            match_text: s,
            label: Part::RootFolder,
            depth: 0,
        })
        .collect();
    let rel: Vec<&str> = split_path(f.rel_path).collect();
    for (i, s) in rel.iter().enumerate() {
        let is_file = i + 1 == rel.len();
        out.push(Segment {
            text: s,
            match_text: if is_file { file_stem(s) } else { s },
            label: if is_file {
                Part::FileName
            } else {
                Part::Folder
            },
            depth: out.len(),
        });
    }
    for (i, s) in out.iter_mut().enumerate() {
        s.depth = i;
    }
    out
}
