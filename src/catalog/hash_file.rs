//! Every current fingerprint's hashes in a file of their own, `fingerprints.bin` beside
//! `catalog.sqlite`, so that looking up a photo from outside the catalog (`archive similar
//! FILE`) reads 24 bytes per catalogued photo in one sequential read instead of stepping
//! through a million SQLite rows: the table scan was 0.1 s of a 0.12 s answer (issue 16 asks
//! for 50 ms among a million).
//!
//! The file is derived, never the record: the near-duplicate step writes it whole after it
//! pairs (it has just read every hash from the catalog anyway), and it counts only while the
//! catalog's meta names its stamp. Writing new fingerprints removes that name in the same
//! transaction, so a run killed in between, an older build or a copied file leaves a file
//! that is not used; the lookup then scans the table as before.
//!
//! Layout, little-endian: magic (8 bytes), fingerprint version (u32), 0 (u32), stamp (u64),
//! count (u64); then `count` × the hashes (KINDS × u64), then `count` × the BLAKE3 (32 bytes),
//! so that the scan reads the hashes alone.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::Catalog;
use crate::similar::{FINGERPRINT_VERSION, KINDS};
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"ARFPHASH";
const HEADER: u64 = 32;
const HASHES: usize = KINDS * 8;
/// Meta key: the stamp of the hash file that matches the catalog's fingerprints.
pub(super) const META_KEY: &str = "fingerprint_file";

/// A content and its hashes.
type Hashes = (String, [u64; KINDS]);
/// An entry of the file (its place) and its hashes.
type Hit = (usize, [u64; KINDS]);

/// Entries read at a time by the scan (1.5 MB).
const SCAN_ENTRIES: usize = 65_536;

fn file_of(catalog_path: &Path) -> PathBuf {
    catalog_path.with_file_name("fingerprints.bin")
}

impl Catalog {
    /// Write the hash file from every current fingerprint (`all`, as
    /// [`Catalog::fingerprint_hashes`] gives them) and name it in meta.
    pub fn write_hash_file(&self, all: &[(String, [u64; KINDS])]) -> Result<()> {
        let path = file_of(&self.path);
        // Any value that differs from run to run: it only has to tell this file from others.
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            ^ all.len() as u64;
        let mut out = Vec::with_capacity(HEADER as usize + all.len() * (HASHES + 32));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(FINGERPRINT_VERSION as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&stamp.to_le_bytes());
        out.extend_from_slice(&(all.len() as u64).to_le_bytes());
        for (_, h) in all {
            for v in h {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        for (b3, _) in all {
            let mut raw = [0u8; 32];
            // A BLAKE3 the catalog holds is always 64 hex digits; a bad one finds nothing.
            let _ = hex::decode_to_slice(b3, &mut raw);
            out.extend_from_slice(&raw);
        }
        // Owner-only, like the catalog it is drawn from.
        crate::platform::replace_owner_only(&path, &out).map_err(|e| Error::io(&path, e))?;
        self.set_meta(META_KEY, &stamp.to_string())
    }

    /// From the hash file, the current fingerprints with any hash within `max` bits of any of
    /// `hashes`; None when the file is missing or does not match the catalog.
    pub(super) fn near_from_hash_file(
        &self,
        hashes: &[u64; KINDS],
        max: u32,
    ) -> Result<Option<Vec<Hashes>>> {
        let Some(stamp) = self.meta(META_KEY)? else {
            return Ok(None);
        };
        let path = file_of(&self.path);
        let Ok(mut f) = std::fs::File::open(&path) else {
            return Ok(None);
        };
        let mut head = [0u8; HEADER as usize];
        if f.read_exact(&mut head).is_err()
            || &head[..8] != MAGIC
            || u32::from_le_bytes(head[8..12].try_into().unwrap_or_default())
                != FINGERPRINT_VERSION as u32
            || u64::from_le_bytes(head[16..24].try_into().unwrap_or_default()).to_string() != stamp
        {
            return Ok(None);
        }
        let count = u64::from_le_bytes(head[24..32].try_into().unwrap_or_default()) as usize;
        let expected = HEADER + count as u64 * (HASHES as u64 + 32);
        if f.metadata().map(|m| m.len()).ok() != Some(expected) {
            return Ok(None);
        }
        // Each core scans its own share of the entries, reading it in pieces into one buffer
        // (a fresh 24 MB allocation costs more in page faults than the scan itself).
        let parts = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let share = count.div_ceil(parts).max(1);
        let scan = |from: usize| -> std::io::Result<Vec<Hit>> {
            let to = (from + share).min(count);
            let mut f = std::fs::File::open(&path)?;
            f.seek(SeekFrom::Start(HEADER + (from * HASHES) as u64))?;
            let mut hits = Vec::new();
            let mut buf = vec![0u8; SCAN_ENTRIES.min(to - from) * HASHES];
            let mut start = from;
            while start < to {
                let n = SCAN_ENTRIES.min(to - start);
                let piece = &mut buf[..n * HASHES];
                f.read_exact(piece)?;
                for (i, rec) in piece.chunks_exact(HASHES).enumerate() {
                    let mut h = [0u64; KINDS];
                    for (v, b) in h.iter_mut().zip(rec.chunks_exact(8)) {
                        *v = u64::from_le_bytes(b.try_into().unwrap_or_default());
                    }
                    if h.iter()
                        .any(|a| hashes.iter().any(|b| (a ^ b).count_ones() <= max))
                    {
                        hits.push((start + i, h));
                    }
                }
                start += n;
            }
            Ok(hits)
        };
        let found: Vec<std::io::Result<Vec<Hit>>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..count)
                .step_by(share)
                .map(|from| s.spawn(move || scan(from)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("scan failed")))
                })
                .collect()
        });
        let mut hits = Vec::new();
        for part in found {
            hits.extend(part.map_err(|e| Error::io(&path, e))?);
        }
        let ids = HEADER + (count * HASHES) as u64;
        let mut out = Vec::with_capacity(hits.len());
        for (i, h) in hits {
            let mut raw = [0u8; 32];
            f.seek(SeekFrom::Start(ids + i as u64 * 32))
                .and_then(|_| f.read_exact(&mut raw))
                .map_err(|e| Error::io(&path, e))?;
            out.push((hex::encode(raw), h));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similar::Fingerprint;

    fn fp(h: [u64; KINDS]) -> std::result::Result<Fingerprint, String> {
        Ok(Fingerprint {
            hashes: h,
            thumb: vec![7; 16],
        })
    }

    #[test]
    fn lookups_read_the_hash_file_only_while_it_holds_every_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(dir.path()).unwrap();
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        cat.write_fingerprints(&[(a.clone(), fp([0, 1, 3])), (b.clone(), fp([!0, !0, !0]))])
            .unwrap();
        let near = |cat: &Catalog| cat.near_from_hash_file(&[0b111, 0, 0], 3).unwrap();
        assert_eq!(near(&cat), None, "no file written yet");

        cat.write_hash_file(&cat.fingerprint_hashes().unwrap())
            .unwrap();
        assert_eq!(near(&cat), Some(vec![(a.clone(), [0, 1, 3])]));
        assert_eq!(
            cat.fingerprints_near(&[0b111, 0, 0], 3).unwrap(),
            vec![(a.clone(), [0, 1, 3])]
        );

        // A new fingerprint the file does not hold: the lookup falls back to the table.
        let c = "c".repeat(64);
        cat.write_fingerprints(&[(c.clone(), fp([0b110, 9, 9]))])
            .unwrap();
        assert_eq!(near(&cat), None);
        let mut found = cat.fingerprints_near(&[0b111, 0, 0], 3).unwrap();
        found.sort();
        assert_eq!(found, vec![(a, [0, 1, 3]), (c, [0b110, 9, 9])]);

        // A file that is cut short (a copy, a full disk) is not read either.
        cat.write_hash_file(&cat.fingerprint_hashes().unwrap())
            .unwrap();
        let path = dir.path().join("fingerprints.bin");
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len - 1)
            .unwrap();
        assert_eq!(near(&cat), None);
    }
}
