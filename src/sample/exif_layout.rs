//! EXIF blocks laid out by hand, with the deviations real writers produce: values at odd
//! offsets (TIFF asks for word alignment; Python's piexif and several phone apps that
//! re-stamp EXIF ignore it), a value that overlaps an IFD's bytes, a next-IFD pointer in a
//! sub-IFD (which the standard says is zero), and a value offset pointing past the block.
//! exiftool reads such files with "minor" warnings; so must we, keeping every value that can
//! be read. kamadak-exif's writer cannot produce them, hence this small writer.

/// One layout deviation of [`quirky_tiff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirk {
    /// Nothing odd: the reference layout.
    None,
    /// Every out-of-line value starts at an odd offset.
    OddOffsets,
    /// The Software string's bytes run over the start of the GPS IFD's value area.
    ValueOverlapsIfd,
    /// The EXIF sub-IFD ends with a non-zero next-IFD pointer (to IFD0).
    NextIfdInSubIfd,
    /// One field (ImageDescription) points past the end of the block.
    OffsetPastEnd,
}

impl Quirk {
    pub const ALL: [Quirk; 5] = [
        Quirk::None,
        Quirk::OddOffsets,
        Quirk::ValueOverlapsIfd,
        Quirk::NextIfdInSubIfd,
        Quirk::OffsetPastEnd,
    ];
}

/// What [`quirky_tiff`] writes, for the reader's test to compare.
pub const MAKE: &str = "HUAWEI";
pub const MODEL: &str = "ALP-AL00";
pub const DATE_ORIGINAL: &str = "2019:08:16 10:21:33";
pub const MODIFIED: &str = "2019:08:16 10:21:33";
/// 36°37'12" N, 101°46'48" E (西宁市).
pub const LAT: f64 = 36.62;
pub const LON: f64 = 101.78;

enum Val {
    Ascii(String),
    Long(u32),
    Rationals(Vec<(u32, u32)>),
}

struct Entry {
    tag: u16,
    val: Val,
}

impl Val {
    fn kind_count_bytes(&self) -> (u16, u32, Vec<u8>) {
        match self {
            Val::Ascii(s) => {
                let mut b = s.as_bytes().to_vec();
                b.push(0);
                (2, b.len() as u32, b)
            }
            Val::Long(v) => (4, 1, v.to_le_bytes().to_vec()),
            Val::Rationals(rs) => {
                let mut b = Vec::new();
                for (n, d) in rs {
                    b.extend(n.to_le_bytes());
                    b.extend(d.to_le_bytes());
                }
                (5, rs.len() as u32, b)
            }
        }
    }
}

/// Write one IFD at `at` (entries sorted by tag) with its out-of-line values after it, starting
/// at an odd offset when `odd`. Returns where the IFD's next pointer is and the end of its data.
fn write_ifd(buf: &mut Vec<u8>, at: usize, entries: &[Entry], odd: bool) -> (usize, usize) {
    let n = entries.len();
    let next_at = at + 2 + 12 * n;
    let mut data_at = next_at + 4;
    if odd && data_at.is_multiple_of(2) {
        data_at += 1;
    }
    if buf.len() < data_at {
        buf.resize(data_at, 0);
    }
    buf[at..at + 2].copy_from_slice(&(n as u16).to_le_bytes());
    for (i, e) in entries.iter().enumerate() {
        let (kind, count, bytes) = e.val.kind_count_bytes();
        let p = at + 2 + 12 * i;
        buf[p..p + 2].copy_from_slice(&e.tag.to_le_bytes());
        buf[p + 2..p + 4].copy_from_slice(&kind.to_le_bytes());
        buf[p + 4..p + 8].copy_from_slice(&count.to_le_bytes());
        if bytes.len() <= 4 {
            let mut inline = [0u8; 4];
            inline[..bytes.len()].copy_from_slice(&bytes);
            buf[p + 8..p + 12].copy_from_slice(&inline);
        } else {
            buf[p + 8..p + 12].copy_from_slice(&(data_at as u32).to_le_bytes());
            if buf.len() < data_at + bytes.len() {
                buf.resize(data_at + bytes.len(), 0);
            }
            buf[data_at..data_at + bytes.len()].copy_from_slice(&bytes);
            data_at += bytes.len();
            if odd && data_at.is_multiple_of(2) {
                data_at += 1;
            }
        }
    }
    (next_at, data_at)
}

fn dms(v: f64) -> Vec<(u32, u32)> {
    let d = v.trunc();
    let m = ((v - d) * 60.0).trunc();
    let s = ((v - d) * 60.0 - m) * 60.0;
    vec![
        (d as u32, 1),
        (m as u32, 1),
        ((s * 100.0).round() as u32, 100),
    ]
}

/// A little-endian TIFF structure (the content of an `Exif\0\0` APP1 segment after its
/// header) with camera, capture time and GPS, laid out with `quirk`.
pub fn quirky_tiff(quirk: Quirk) -> Vec<u8> {
    let odd = quirk == Quirk::OddOffsets;
    let mut buf = b"II*\0\x08\0\0\0".to_vec();
    // IFD0 first with placeholder sub-IFD pointers, patched once the sub-IFDs are placed.
    let mut ifd0 = vec![
        Entry {
            tag: 0x010F,
            val: Val::Ascii(MAKE.into()),
        },
        Entry {
            tag: 0x0110,
            val: Val::Ascii(MODEL.into()),
        },
        Entry {
            tag: 0x0131,
            val: Val::Ascii("ALP-AL00 9.1.0.300(C00E300R1P21)".into()),
        },
        Entry {
            tag: 0x0132,
            val: Val::Ascii(MODIFIED.into()),
        },
        Entry {
            tag: 0x8769,
            val: Val::Long(0),
        },
        Entry {
            tag: 0x8825,
            val: Val::Long(0),
        },
    ];
    if quirk == Quirk::OffsetPastEnd {
        ifd0.insert(
            0,
            Entry {
                tag: 0x010E,
                val: Val::Ascii("活动现场照片 (description)".into()),
            },
        );
    }
    let (ifd0_next, end0) = write_ifd(&mut buf, 8, &ifd0, odd);
    let exif_at = end0 + (end0 % 2);
    let exif = [
        Entry {
            tag: 0x9003,
            val: Val::Ascii(DATE_ORIGINAL.into()),
        },
        Entry {
            tag: 0x9004,
            val: Val::Ascii(DATE_ORIGINAL.into()),
        },
    ];
    let (exif_next, end1) = write_ifd(&mut buf, exif_at, &exif, odd);
    let gps_at = end1 + (end1 % 2);
    let gps = [
        Entry {
            tag: 0x0001,
            val: Val::Ascii("N".into()),
        },
        Entry {
            tag: 0x0002,
            val: Val::Rationals(dms(LAT)),
        },
        Entry {
            tag: 0x0003,
            val: Val::Ascii("E".into()),
        },
        Entry {
            tag: 0x0004,
            val: Val::Rationals(dms(LON)),
        },
    ];
    let (_, end2) = write_ifd(&mut buf, gps_at, &gps, odd);
    buf.resize(end2 + 4, 0);
    // Patch the sub-IFD pointers in IFD0 (entries are at fixed places).
    let shift = usize::from(quirk == Quirk::OffsetPastEnd);
    for (i, target) in [(4 + shift, exif_at), (5 + shift, gps_at)] {
        let p = 8 + 2 + 12 * i + 8;
        buf[p..p + 4].copy_from_slice(&(target as u32).to_le_bytes());
    }
    let _ = ifd0_next;
    match quirk {
        Quirk::NextIfdInSubIfd => {
            buf[exif_next..exif_next + 4].copy_from_slice(&8u32.to_le_bytes());
        }
        Quirk::ValueOverlapsIfd => {
            // Point Software's value at the GPS IFD's last entry, so its bytes and the
            // entry's bytes are the same bytes (a writer that appended without relocating).
            let software = 8 + 2 + 12 * 2 + 8;
            let overlap = gps_at + 2 + 12 * 3;
            buf[software..software + 4].copy_from_slice(&(overlap as u32).to_le_bytes());
        }
        Quirk::OffsetPastEnd => {
            let desc = 8 + 2 + 8;
            let past = (buf.len() + 4096) as u32;
            buf[desc..desc + 4].copy_from_slice(&past.to_le_bytes());
        }
        Quirk::None | Quirk::OddOffsets => {}
    }
    buf
}
