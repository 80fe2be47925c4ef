//! CCITT encoders for a 1-bit page, as fax-class scanners store black-and-white pages in PDFs
//! (`/CCITTFaxDecode`): Group 4 (ITU-T T.6, `/K -1`) and Group 3 (T.4, `/K 0` and `/K > 0`).
//!
//! Group 4: every line is coded in horizontal mode only (`001`, then a white run and a black run in
//! T.4's modified Huffman codes): valid T.6, which a decoder reads like any other, without
//! the pass and vertical modes an encoder uses to be small. A fixture needs a valid stream,
//! not a small one.

/// Codes as (value, bit length), from ITU-T T.4 tables 2 and 3: terminating codes for runs of
/// 0–63.
#[rustfmt::skip]
const WHITE_TERM: [(u16, u8); 64] = [
    (0x35, 8), (0x07, 6), (0x07, 4), (0x08, 4), (0x0b, 4), (0x0c, 4), (0x0e, 4), (0x0f, 4),
    (0x13, 5), (0x14, 5), (0x07, 5), (0x08, 5), (0x08, 6), (0x03, 6), (0x34, 6), (0x35, 6),
    (0x2a, 6), (0x2b, 6), (0x27, 7), (0x0c, 7), (0x08, 7), (0x17, 7), (0x03, 7), (0x04, 7),
    (0x28, 7), (0x2b, 7), (0x13, 7), (0x24, 7), (0x18, 7), (0x02, 8), (0x03, 8), (0x1a, 8),
    (0x1b, 8), (0x12, 8), (0x13, 8), (0x14, 8), (0x15, 8), (0x16, 8), (0x17, 8), (0x28, 8),
    (0x29, 8), (0x2a, 8), (0x2b, 8), (0x2c, 8), (0x2d, 8), (0x04, 8), (0x05, 8), (0x0a, 8),
    (0x0b, 8), (0x52, 8), (0x53, 8), (0x54, 8), (0x55, 8), (0x24, 8), (0x25, 8), (0x58, 8),
    (0x59, 8), (0x5a, 8), (0x5b, 8), (0x4a, 8), (0x4b, 8), (0x32, 8), (0x33, 8), (0x34, 8),
];

#[rustfmt::skip]
const BLACK_TERM: [(u16, u8); 64] = [
    (0x37, 10), (0x02, 3), (0x03, 2), (0x02, 2), (0x03, 3), (0x03, 4), (0x02, 4), (0x03, 5),
    (0x05, 6), (0x04, 6), (0x04, 7), (0x05, 7), (0x07, 7), (0x04, 8), (0x07, 8), (0x18, 9),
    (0x17, 10), (0x18, 10), (0x08, 10), (0x67, 11), (0x68, 11), (0x6c, 11), (0x37, 11), (0x28, 11),
    (0x17, 11), (0x18, 11), (0xca, 12), (0xcb, 12), (0xcc, 12), (0xcd, 12), (0x68, 12), (0x69, 12),
    (0x6a, 12), (0x6b, 12), (0xd2, 12), (0xd3, 12), (0xd4, 12), (0xd5, 12), (0xd6, 12), (0xd7, 12),
    (0x6c, 12), (0x6d, 12), (0xda, 12), (0xdb, 12), (0x54, 12), (0x55, 12), (0x56, 12), (0x57, 12),
    (0x64, 12), (0x65, 12), (0x52, 12), (0x53, 12), (0x24, 12), (0x37, 12), (0x38, 12), (0x27, 12),
    (0x28, 12), (0x58, 12), (0x59, 12), (0x2b, 12), (0x2c, 12), (0x5a, 12), (0x66, 12), (0x67, 12),
];

/// Make-up codes for runs of 64·k, k = 1…27 (up to 1728), each colour its own.
#[rustfmt::skip]
const WHITE_MAKEUP: [(u16, u8); 27] = [
    (0x1b, 5), (0x12, 5), (0x17, 6), (0x37, 7), (0x36, 8), (0x37, 8), (0x64, 8), (0x65, 8),
    (0x68, 8), (0x67, 8), (0xcc, 9), (0xcd, 9), (0xd2, 9), (0xd3, 9), (0xd4, 9), (0xd5, 9),
    (0xd6, 9), (0xd7, 9), (0xd8, 9), (0xd9, 9), (0xda, 9), (0xdb, 9), (0x98, 9), (0x99, 9),
    (0x9a, 9), (0x18, 6), (0x9b, 9),
];

#[rustfmt::skip]
const BLACK_MAKEUP: [(u16, u8); 27] = [
    (0x0f, 10), (0xc8, 12), (0xc9, 12), (0x5b, 12), (0x33, 12), (0x34, 12), (0x35, 12),
    (0x6c, 13), (0x6d, 13), (0x4a, 13), (0x4b, 13), (0x4c, 13), (0x4d, 13), (0x72, 13),
    (0x73, 13), (0x74, 13), (0x75, 13), (0x76, 13), (0x77, 13), (0x52, 13), (0x53, 13),
    (0x54, 13), (0x55, 13), (0x5a, 13), (0x5b, 13), (0x64, 13), (0x65, 13),
];

/// Extended make-up codes, both colours (T.4 table 3 bis): 1792…2560 in steps of 64.
#[rustfmt::skip]
const EXTENDED_MAKEUP: [(u16, u8); 13] = [
    (0x08, 11), (0x0c, 11), (0x0d, 11), (0x12, 12), (0x13, 12), (0x14, 12), (0x15, 12),
    (0x16, 12), (0x17, 12), (0x1c, 12), (0x1d, 12), (0x1e, 12), (0x1f, 12),
];

/// MSB-first bit writer.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u8,
}

impl Bits {
    fn put(&mut self, (code, len): (u16, u8)) {
        for i in (0..len).rev() {
            self.acc = (self.acc << 1) | u32::from((code >> i) & 1);
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.n = 0;
            }
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push((self.acc << (8 - self.n)) as u8);
        }
        self.out
    }
}

/// One run of `len` pixels of a colour: make-up codes while 64 or more, then a terminating code.
fn run(bits: &mut Bits, mut len: usize, black: bool) {
    while len >= 2560 {
        bits.put(EXTENDED_MAKEUP[12]);
        len -= 2560;
    }
    if len >= 64 {
        let k = len / 64;
        bits.put(if k > 27 {
            EXTENDED_MAKEUP[k - 28]
        } else if black {
            BLACK_MAKEUP[k - 1]
        } else {
            WHITE_MAKEUP[k - 1]
        });
        len -= k * 64;
    }
    bits.put(if black {
        BLACK_TERM[len]
    } else {
        WHITE_TERM[len]
    });
}

/// Encode a 1-bit page (`black[y * width + x]`, true for ink) as a T.6 stream ending in EOFB.
/// In the PDF: `/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns width /Rows height
/// /BlackIs1 false >>` (0 bits are black in the decoded image, the default).
pub fn encode_g4(black: &[bool], width: usize, height: usize) -> Vec<u8> {
    assert_eq!(
        black.len(),
        width * height,
        "a bitmap of width × height pixels"
    );
    let mut bits = Bits::default();
    for row in black.chunks_exact(width) {
        // a0 starts on an imaginary white pixel before the line; each horizontal code carries
        // a white run and the black run after it, so a0 is white again after each.
        let mut a0 = 0;
        while a0 < width {
            let a1 = (a0..width).find(|&x| row[x]).unwrap_or(width);
            let a2 = (a1..width).find(|&x| !row[x]).unwrap_or(width);
            bits.put((0b001, 3));
            run(&mut bits, a1 - a0, false);
            run(&mut bits, a2 - a1, true);
            a0 = a2;
        }
    }
    // EOFB: two EOLs.
    bits.put((1, 12));
    bits.put((1, 12));
    bits.finish()
}

/// Encode a 1-bit page as CCITT Group 3 (ITU-T T.4) as `/K k` (k ≥ 0) with `/EndOfLine true`
/// asks: each line after an EOL, then one-dimensional (modified Huffman runs, white first; a
/// line starting in ink starts with an empty white run). With k > 0 (mixed 1-D/2-D) each EOL is
/// followed by the tag bit, 1 for a one-dimensional line: every line here is one, which is
/// valid for any k (k only bounds how many 2-D lines may follow a 1-D one). Ends in RTC (six
/// EOLs), as `/EndOfBlock true`, the default, expects.
pub fn encode_g3(black: &[bool], width: usize, height: usize, k: u32) -> Vec<u8> {
    assert_eq!(
        black.len(),
        width * height,
        "a bitmap of width × height pixels"
    );
    let mut bits = Bits::default();
    let eol = |bits: &mut Bits| {
        bits.put((1, 12));
        if k > 0 {
            bits.put((1, 1));
        }
    };
    for row in black.chunks_exact(width) {
        eol(&mut bits);
        let (mut x, mut ink) = (0, false);
        while x < width {
            let end = (x..width).find(|&i| row[i] != ink).unwrap_or(width);
            run(&mut bits, end - x, ink);
            x = end;
            ink = !ink;
        }
    }
    for _ in 0..6 {
        eol(&mut bits);
    }
    bits.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code of a table is a different bit string, none a prefix of another in the same
    /// colour (a transcription slip would break decoding in the middle of a page).
    #[test]
    fn run_codes_are_prefix_free_per_colour() {
        for (term, makeup) in [(&WHITE_TERM, &WHITE_MAKEUP), (&BLACK_TERM, &BLACK_MAKEUP)] {
            let all: Vec<String> = term
                .iter()
                .chain(makeup.iter())
                .chain(EXTENDED_MAKEUP.iter())
                .map(|&(c, l)| format!("{:0width$b}", c, width = l as usize))
                .collect();
            for (i, a) in all.iter().enumerate() {
                for (j, b) in all.iter().enumerate() {
                    assert!(i == j || !b.starts_with(a.as_str()), "{a} prefixes {b}");
                }
            }
        }
    }

    #[test]
    fn a_group_3_line_is_an_eol_then_runs_from_white_and_mixed_coding_tags_it_one_dimensional() {
        // Two black then six white pixels: EOL, white 0 (00110101), black 2 (11), white 6
        // (1110); then RTC, six EOLs.
        let line = [true, true, false, false, false, false, false, false];
        let bits = |k| {
            encode_g3(&line, 8, 1, k)
                .iter()
                .map(|b| format!("{b:08b}"))
                .collect::<String>()
        };
        let eol = "000000000001";
        let pure = bits(0);
        assert!(
            pure.starts_with(&format!("{eol}00110101111110{}", eol.repeat(6))),
            "{pure}"
        );
        let mixed = bits(4);
        assert!(
            mixed.starts_with(&format!(
                "{eol}100110101111110{}",
                format!("{eol}1").repeat(6)
            )),
            "{mixed}"
        );
    }

    #[test]
    fn a_white_line_is_one_horizontal_code_with_an_empty_black_run() {
        // 8 white pixels: 001, white 8 (10011), black 0 (0000110111), then EOFB.
        let bytes = encode_g4(&[false; 8], 8, 1);
        let bits: String = bytes.iter().map(|b| format!("{b:08b}")).collect();
        assert!(
            bits.starts_with("001100110000110111000000000001000000000001"),
            "{bits}"
        );
    }
}
