//! Text normalisation shared by the schema's lookups and the tagger.
//!
//! Evidence names come from Windows machines, phones and WeChat downloads: full-width letters and
//! digits (Ｂ４．１), ideographic spaces, Chinese brackets and dashes. Both the vocabulary and the
//! text being matched go through the same [`normalize`], so a needle written one way finds a
//! haystack written the other way.

/// Fold full-width ASCII to half-width, unify dashes, brackets and spaces, lowercase ASCII.
/// Exactly one output char per input char, so char positions found in the result locate the
/// same text in the input (code evidence quotes what the user wrote).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' | '\u{00A0}' | '\t' => ' ',
            '—' | '–' | '―' | '〜' | '‐' | '‑' => '-',
            '【' | '〔' | '「' | '『' | '《' | '〈' => '[',
            '】' | '〕' | '」' | '』' | '》' | '〉' => ']',
            '、' => ',',
            '。' => '.',
            '·' | '・' => '.',
            _ => c,
        };
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// [`normalize`] and drop every whitespace: Chinese names never contain spaces, but typed
/// folder names often do ("科普 大篷车").
pub fn compact(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// CJK ideograph (the ranges evidence names use). Used for word-boundary decisions: Chinese has
/// no spaces, so "a short name preceded by another ideograph" is likely part of a longer word.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The name with every parenthesised part removed: "科普之冬（青海）" → "科普之冬".
pub fn strip_parenthetical(s: &str) -> String {
    let n = normalize(s);
    let mut out = String::new();
    let mut depth = 0usize;
    for c in n.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_brackets_fold() {
        assert_eq!(normalize("Ｂ４．１科普大篷车"), "b4.1科普大篷车");
        assert_eq!(normalize("（二）青少年"), "(二)青少年");
        assert_eq!(compact("科普\u{3000}大篷车 进校园"), "科普大篷车进校园");
        assert_eq!(strip_parenthetical("科普之冬（青海）"), "科普之冬");
        assert_eq!(
            strip_parenthetical("农民（农牧民）科学素质行动"),
            "农民科学素质行动"
        );
    }
}
