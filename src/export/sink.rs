//! Where a bag's files go: a folder or a zip, written as a stream either way.
//!
//! Every file written is hashed (SHA-256 and SHA-512) on its way out, so the manifests describe
//! exactly the bytes that were written, not a second read of them.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256, Sha512};

/// The digests of one written file.
#[derive(Debug, Clone)]
pub struct Written {
    pub rel: String,
    pub size: u64,
    pub sha256: String,
    pub sha512: String,
}

/// SHA-256 and SHA-512 of one stream.
#[derive(Default, Clone)]
pub struct Hashers {
    pub sha256: Sha256,
    pub sha512: Sha512,
    pub size: u64,
}

impl Hashers {
    pub fn update(&mut self, buf: &[u8]) {
        self.sha256.update(buf);
        self.sha512.update(buf);
        self.size += buf.len() as u64;
    }
    pub fn finish(self, rel: &str) -> Written {
        Written {
            rel: rel.to_string(),
            size: self.size,
            sha256: hex::encode(self.sha256.finalize()),
            sha512: hex::encode(self.sha512.finalize()),
        }
    }
}

enum Target {
    Dir {
        root: PathBuf,
        current: Option<(PathBuf, BufWriter<File>)>,
    },
    Zip {
        zip: Box<zip::ZipWriter<BufWriter<File>>>,
        prefix: String,
        time: zip::DateTime,
    },
}

/// An open bag being written.
pub struct Sink {
    target: Target,
    current: Option<(String, Hashers)>,
}

impl Sink {
    /// A folder bag at `root` (created; must not exist).
    pub fn dir(root: &Path) -> io::Result<Sink> {
        std::fs::create_dir(root)?;
        Ok(Sink {
            target: Target::Dir {
                root: root.to_path_buf(),
                current: None,
            },
            current: None,
        })
    }

    /// A zip bag: one top-level folder `prefix` (RFC 8493 §4: named as the archive).
    pub fn zip(file: &Path, prefix: &str, time: chrono::NaiveDateTime) -> io::Result<Sink> {
        use chrono::{Datelike, Timelike};
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(file)?;
        let time = zip::DateTime::from_date_and_time(
            time.year().clamp(1980, 2107) as u16,
            time.month() as u8,
            time.day() as u8,
            time.hour() as u8,
            time.minute() as u8,
            time.second() as u8,
        )
        .unwrap_or_default();
        Ok(Sink {
            target: Target::Zip {
                zip: Box::new(zip::ZipWriter::new(BufWriter::new(f))),
                prefix: prefix.to_string(),
                time,
            },
            current: None,
        })
    }

    /// Start a file at bag-relative `rel` (`/`-separated). `compress` is ignored for folders;
    /// already-compressed media are stored as they are.
    pub fn start(&mut self, rel: &str, compress: bool, size_hint: u64) -> io::Result<()> {
        self.end()?;
        match &mut self.target {
            Target::Dir { root, current } => {
                let path = root.join(rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)?;
                *current = Some((path, BufWriter::with_capacity(1 << 20, f)));
            }
            Target::Zip { zip, prefix, time } => {
                let method = if compress {
                    zip::CompressionMethod::Deflated
                } else {
                    zip::CompressionMethod::Stored
                };
                let opts = zip::write::SimpleFileOptions::default()
                    .compression_method(method)
                    .last_modified_time(*time)
                    .unix_permissions(0o644)
                    .large_file(size_hint >= u32::MAX as u64 / 2);
                zip.start_file(format!("{prefix}/{rel}"), opts)
                    .map_err(io::Error::other)?;
            }
        }
        self.current = Some((rel.to_string(), Hashers::default()));
        Ok(())
    }

    pub fn write(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some((_, h)) = &mut self.current {
            h.update(buf);
        }
        match &mut self.target {
            Target::Dir {
                current: Some((_, w)),
                ..
            } => w.write_all(buf),
            Target::Dir { current: None, .. } => Err(io::Error::other("write before start")),
            Target::Zip { zip, .. } => zip.write_all(buf),
        }
    }

    /// Finish the current file and return its digests.
    pub fn end(&mut self) -> io::Result<Option<Written>> {
        if let Target::Dir { current, .. } = &mut self.target {
            if let Some((_, mut w)) = current.take() {
                w.flush()?;
                w.get_ref().sync_data()?;
            }
        }
        Ok(self.current.take().map(|(rel, h)| h.finish(&rel)))
    }

    /// A whole small file at once.
    pub fn put(&mut self, rel: &str, bytes: &[u8], compress: bool) -> io::Result<Written> {
        self.start(rel, compress, bytes.len() as u64)?;
        self.write(bytes)?;
        Ok(self.end()?.expect("started above"))
    }

    /// Close the bag (the zip's central directory is written here).
    pub fn finish(mut self) -> io::Result<()> {
        self.end()?;
        if let Target::Zip { zip, .. } = self.target {
            let mut w = zip.finish().map_err(io::Error::other)?;
            w.flush()?;
            w.get_ref().sync_all()?;
        }
        Ok(())
    }
}
