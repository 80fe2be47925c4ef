//! Stage 2: hash. The BLAKE3 of a file's content is its identity: blobs, thumbnails and
//! downloads are keyed by it, and `--verify` compares it for fixity.
//!
//! Small and medium files are read once into memory and the same bytes feed the hasher and the
//! extractors; large files (long videos) are streamed through the hasher in fixed blocks, on
//! all cores, and never held in memory.

use crate::problem::{Code, Problem};
use std::io::Read;

use crate::walk::{mtime_ns, FileEntry};

/// The content of one file as read for hashing.
pub enum Content {
    /// The whole file, for extractors that parse from memory.
    InMemory(Vec<u8>),
    /// Too large to hold: the first bytes (for sniffing), hashed from disk.
    Large { head: Vec<u8> },
}

/// A file read and hashed. Its size and mtime are the walk's: a file that differs from them
/// once read is [`ReadFailure::Changed`], never hashed.
pub struct Hashed {
    pub blake3: String,
    pub content: Content,
}

/// Why a file's content could not be read. The writer decides on the variant what to do with
/// the file; the text (Display) is what its record and the run's problem list say.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    /// Gone between the walk and the read.
    #[error("{}", crate::walk::VANISHED)]
    Vanished,
    /// The file's size or mtime changed between the walk and the read.
    #[error(
        "changed while being read (still being copied?); it will be read again on the next run"
    )]
    Changed,
    #[error("{}", crate::walk::PERMISSION_DENIED)]
    PermissionDenied,
    #[error("{0}")]
    Io(std::io::Error),
    /// The worker reading it was given up on (over the time budget, or crashed) before the
    /// file was hashed.
    #[error("{0}")]
    Abandoned(crate::extract::ExtractFailure),
}

impl ReadFailure {
    /// The failure as the problem its file is reported with.
    pub fn problem(&self) -> Problem {
        match self {
            ReadFailure::Vanished => Problem::new(Code::FileVanished),
            ReadFailure::Changed => Problem::new(Code::FileChanged),
            ReadFailure::PermissionDenied => Problem::new(Code::PermissionDenied),
            ReadFailure::Io(e) => Problem::detail(Code::ReadFailed, e),
            ReadFailure::Abandoned(e) => e.problem(),
        }
    }

    /// A file that vanished or changed while being read is only reported, not catalogued: the
    /// catalog keeps what it knew, and the next run reads the file again. Any other failure is
    /// catalogued with the file (no content, the failure as its error).
    pub fn is_transient(&self) -> bool {
        matches!(self, ReadFailure::Vanished | ReadFailure::Changed)
    }
}

impl From<std::io::Error> for ReadFailure {
    fn from(e: std::io::Error) -> ReadFailure {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadFailure::Vanished,
            std::io::ErrorKind::PermissionDenied => ReadFailure::PermissionDenied,
            _ => ReadFailure::Io(e),
        }
    }
}

/// Read and hash a file; `in_memory_max` decides whether the content is kept.
pub fn read_and_hash(entry: &FileEntry, in_memory_max: u64) -> Result<Hashed, ReadFailure> {
    let mut file = std::fs::File::open(&entry.path)?;
    // The size is the walk's: the one metadata call after the read checks it (four system
    // calls per file for metadata and position were a tenth of reading a folder of photos).
    let size = entry.size;
    let hashed = if size <= in_memory_max {
        let mut buf = Vec::with_capacity(size as usize + 1);
        // One byte more than expected, so that a file that grew is noticed without reading on;
        // `take` also keeps std from asking the file for its size and position again.
        (&mut file).take(size + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 != size {
            return Err(ReadFailure::Changed);
        }
        let blake3 = hash_bytes(&buf);
        Hashed {
            blake3,
            content: Content::InMemory(buf),
        }
    } else {
        let mut head = vec![0u8; 64 * 1024];
        let n = read_full(&mut file, &mut head)?;
        head.truncate(n);
        let mut hasher = blake3::Hasher::new();
        hasher.update(&head);
        hash_stream(&mut file, &mut hasher)?;
        Hashed {
            blake3: hasher.finalize().to_hex().to_string(),
            content: Content::Large { head },
        }
    };
    // A file changed since the walk, or by a writer still busy with it, shows as a size or
    // mtime other than the walk's once read. Asked of the open file, not the path: resolving
    // the path again cost a lookup per file, and a file replaced by another under the same
    // name was read whole and consistently anyway (the next run sees the new one's inode).
    let after = file.metadata()?;
    if after.len() != entry.size || mtime_ns(&after) != entry.mtime_ns {
        return Err(ReadFailure::Changed);
    }
    Ok(hashed)
}

pub fn hash_bytes(data: &[u8]) -> String {
    // Multithreading only pays off on large inputs; workers already run in parallel.
    if data.len() >= 8 * 1024 * 1024 {
        let mut h = blake3::Hasher::new();
        h.update_rayon(data);
        h.finalize().to_hex().to_string()
    } else {
        blake3::hash(data).to_hex().to_string()
    }
}

/// Block size for hashing large files: big enough for BLAKE3 to spread each block over all
/// cores, small enough that memory stays flat however large the file.
const STREAM_BLOCK: usize = 8 * 1024 * 1024;

/// Feed the rest of `file` to `hasher` in fixed blocks. Memory-mapping the whole file (as
/// before) counted every page of a 4 GB video in the process's resident memory, which is what
/// an office server's monitoring and the OOM killer look at.
fn hash_stream(file: &mut std::fs::File, hasher: &mut blake3::Hasher) -> std::io::Result<()> {
    let mut buf = vec![0u8; STREAM_BLOCK];
    loop {
        let n = read_full(file, &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        if n >= 1024 * 1024 {
            hasher.update_rayon(&buf[..n]);
        } else {
            hasher.update(&buf[..n]);
        }
        if n < buf.len() {
            return Ok(());
        }
    }
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A file hashed through the streaming path that large files take.
    fn hash_file(path: &Path) -> std::io::Result<String> {
        let mut hasher = blake3::Hasher::new();
        hash_stream(&mut std::fs::File::open(path)?, &mut hasher)?;
        Ok(hasher.finalize().to_hex().to_string())
    }

    #[test]
    fn known_vector() {
        // b3sum of the empty input and of "abc".
        assert_eq!(
            hash_bytes(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(
            hash_bytes(b"abc"),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(hash_file(&p).unwrap(), hash_bytes(b"abc"));
    }

    /// What the walk would have said about `p` under `root` now.
    fn walked(root: &std::path::Path, p: &std::path::Path) -> FileEntry {
        let meta = std::fs::metadata(p).unwrap();
        let (dev, inode) = crate::platform::file_id(p, &meta);
        FileEntry {
            path: p.to_path_buf(),
            rel_start: root.as_os_str().len() + 1,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            inode,
            dev,
        }
    }

    #[test]
    fn streamed_large_files_hash_like_in_memory_ones() {
        // Spans several blocks and ends mid-block, the cases where streaming could go wrong.
        let data: Vec<u8> = (0..(2 * STREAM_BLOCK + 12_345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("video.mp4");
        std::fs::write(&p, &data).unwrap();
        let expected = blake3::hash(&data).to_hex().to_string();
        assert_eq!(hash_file(&p).unwrap(), expected);
        let hashed = read_and_hash(&walked(dir.path(), &p), 1024).unwrap();
        assert_eq!(hashed.blake3, expected);
        assert!(matches!(hashed.content, Content::Large { ref head } if head.len() == 64 * 1024));
    }

    #[test]
    fn a_file_changed_since_the_walk_is_reported_not_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("签到表.jpg");
        std::fs::write(&p, b"first content").unwrap();
        let entry = walked(dir.path(), &p);
        assert_eq!(
            read_and_hash(&entry, 1024).unwrap().blake3,
            hash_bytes(b"first content")
        );
        // Grown, shrunk, or rewritten at the same size with a new mtime, both in memory and
        // streamed: each is "changed", never a hash of bytes the walk did not see.
        for (content, in_memory_max) in [
            (&b"first content, and more"[..], 1024),
            (b"first", 1024),
            (b"FIRST CONTENT", 1024),
            (b"FIRST CONTENT", 4),
        ] {
            std::fs::write(&p, content).unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(
                std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000),
            )
            .unwrap();
            assert!(
                matches!(
                    read_and_hash(&entry, in_memory_max),
                    Err(ReadFailure::Changed)
                ),
                "{content:?}"
            );
        }
    }
}
