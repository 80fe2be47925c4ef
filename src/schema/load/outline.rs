//! The built-in boundaries as `build.rs` pre-parsed them (its header describes the format).
//!
//! Parsing the bundled 2.8 MB of GeoJSON text cost every command tens of milliseconds at
//! start-up; decoding this binary form is a copy. A user's own GeoJSON never takes this path.

use super::boundaries::{Coords, Feature, GeoGeometry};

/// Features from `build.rs`'s binary form; None if it is malformed.
pub(crate) fn decode_geobin(bin: &[u8]) -> Option<Vec<Feature>> {
    struct Reader<'a>(&'a [u8]);
    impl Reader<'_> {
        fn take(&mut self, n: usize) -> Option<&[u8]> {
            let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
            self.0 = rest;
            Some(head)
        }
        fn u8(&mut self) -> Option<u8> {
            self.take(1).map(|b| b[0])
        }
        fn u32(&mut self) -> Option<u32> {
            self.take(4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        }
        fn f64(&mut self) -> Option<f64> {
            self.take(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        }
        /// Outer None: malformed; inner None: the feature has no coordinates (tag 3).
        fn coords(&mut self) -> Option<Option<Coords>> {
            Some(Some(match self.u8()? {
                0 => Coords::Num(self.f64()?),
                1 => Coords::Point([self.f64()?, self.f64()?]),
                2 => {
                    let n = self.u32()? as usize;
                    let mut v = Vec::with_capacity(n.min(self.0.len()));
                    for _ in 0..n {
                        v.push(self.coords()??);
                    }
                    Coords::List(v)
                }
                3 => return Some(None),
                _ => return None,
            }))
        }
    }
    let mut r = Reader(bin);
    let n = r.u32()? as usize;
    let mut out = Vec::with_capacity(n.min(bin.len()));
    for _ in 0..n {
        let len = u16::from_le_bytes(r.take(2)?.try_into().ok()?) as usize;
        let code = std::str::from_utf8(r.take(len)?).ok()?.to_string();
        let kind = match r.u8()? {
            0 => None,
            1 => Some("Polygon".to_string()),
            2 => Some("MultiPolygon".to_string()),
            _ => Some("other".to_string()),
        };
        let coordinates = r.coords()?;
        out.push(Feature {
            code: (!code.is_empty()).then_some(code),
            geometry: Some(GeoGeometry { kind, coordinates }),
        });
    }
    r.0.is_empty().then_some(out)
}
