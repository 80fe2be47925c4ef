//! The indicator catalog's queries: codes as people type them, names and keywords in text.
//!
//! A code arrives in many shapes (`b4.1`, `B4-1`, full-width `Ｂ４．１`, `B41`) and inside file
//! names next to camera counters (`DSCA1234`, `A1_0023`); the rules for which of these name an
//! indicator live here, in one place, so tagging and search filters agree.

use super::text::{compact, normalize, strip_parenthetical};
use super::{facet_escape, Indicator, IndicatorMention, KeywordMention, Schema};

impl Schema {
    /// All indicators in tree order (each node followed by its subtree).
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.ind_by_code.get(code).map(|&i| &self.indicators[i])
    }

    pub(crate) fn indicator_index(&self, code: &str) -> Option<usize> {
        self.ind_by_code.get(code).copied()
    }

    /// A code as typed (`b4.1`, `B4-1`, `Ｂ４．１`, `B41` when that is unambiguous), a name or an alias.
    pub fn resolve_indicator(&self, text: &str) -> Option<&Indicator> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let key = code_key(t);
        if let Some(&i) = self.ind_lookup.get(&key) {
            return Some(&self.indicators[i]);
        }
        let name = compact(t);
        if let Some(&i) = self.ind_lookup.get(&name).or_else(|| {
            self.ind_lookup
                .get(&strip_parenthetical(t).replace(' ', ""))
        }) {
            return Some(&self.indicators[i]);
        }
        // "B4.1 科普大篷车", as the ledger and exports label a row: the leading code decides.
        let first = normalize(t);
        let first = first.split_whitespace().next()?;
        if first.len() < t.len() {
            return self
                .ind_by_code_ci(&code_key(first))
                .map(|&i| &self.indicators[i]);
        }
        None
    }

    /// Root..node, for the hierarchical facet `/indicator/A/A1/A1.1`. Empty for an unknown code.
    pub fn indicator_path(&self, code: &str) -> Vec<&Indicator> {
        let mut path = Vec::new();
        let mut cur = self.indicator(code);
        while let Some(n) = cur {
            path.push(n);
            if path.len() > self.indicators.len() {
                break; // validation forbids cycles; never loop forever on a bad in-memory edit
            }
            cur = n.parent.as_deref().and_then(|p| self.indicator(p));
        }
        path.reverse();
        path
    }

    /// The facet path of an indicator: `/indicator/B/B4/B4.1` (what `facet_paths` emits and a
    /// search filter `indicator=B4.1` must match). `None` for an unknown code.
    pub fn indicator_facet(&self, code: &str) -> Option<String> {
        let path = self.indicator_path(code);
        if path.is_empty() {
            return None;
        }
        let codes: Vec<String> = path.iter().map(|n| facet_escape(&n.code)).collect();
        Some(format!("/indicator/{}", codes.join("/")))
    }

    /// Direct children, in catalog order.
    pub fn indicator_children(&self, code: &str) -> Vec<&Indicator> {
        self.ind_by_code
            .get(code)
            .map(|&i| {
                self.children[i]
                    .iter()
                    .map(|&c| &self.indicators[c])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `a` is `b` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, a: &str, b: &str) -> bool {
        self.indicator_path(b).iter().any(|n| n.code == a)
    }

    /// Keywords that never tag alone (工程, 通知, 学生 ...).
    pub fn is_generic_keyword(&self, keyword: &str) -> bool {
        self.generic_keywords.contains(&compact(keyword))
    }

    /// Indicator names and aliases inside `text` (leftmost-longest), plus codes written as
    /// separate tokens (`A1`, `B4.1`, `B4-1`, `B4_1`; not `B41`, not inside `DSCA1234`).
    pub fn find_indicators(&self, text: &str) -> Vec<IndicatorMention> {
        let mut out = Vec::new();
        // normalize() maps char to char, so a token's char range also locates it in the original.
        let original: Vec<char> = text.chars().collect();
        for (code, range) in code_tokens(&normalize(text)) {
            if let Some(i) = self.code_token_lookup(&code) {
                let raw: String = original
                    .get(range)
                    .map(|c| c.iter().collect())
                    .unwrap_or_else(|| code.clone());
                out.push(IndicatorMention {
                    index: i,
                    text: raw,
                    by_code: true,
                });
            }
        }
        let hay = compact(text);
        for m in self.name_ac.find_iter(&hay) {
            let i = self.name_payload[m.pattern().as_usize()];
            out.push(IndicatorMention {
                index: i,
                text: hay[m.range()].to_string(),
                by_code: false,
            });
        }
        out
    }

    fn code_token_lookup(&self, token: &str) -> Option<usize> {
        // The whole token, then shorter prefixes when only short components (sequence numbers such as
        // `B4-1-02`) were dropped: `A1_0023` is a camera counter, not A1.
        let parts: Vec<&str> = token.split('.').collect();
        for n in (1..=parts.len()).rev() {
            if parts[n..].iter().any(|p| p.len() > 2) {
                return None;
            }
            if let Some(&i) = self.ind_by_code_ci(&parts[..n].join(".")) {
                return Some(i);
            }
        }
        None
    }

    fn ind_by_code_ci(&self, key: &str) -> Option<&usize> {
        // ind_lookup holds the lower-cased codes; a name can never look like a code token.
        self.ind_lookup
            .get(key)
            .filter(|&&i| code_key(&self.indicators[i].code) == key)
    }

    /// Catalog keywords inside `text` (leftmost-longest, so 流动科技馆 wins over 科技馆).
    pub fn find_keywords(&self, text: &str) -> Vec<KeywordMention> {
        let hay = compact(text);
        self.keyword_ac
            .find_iter(&hay)
            .map(|m| {
                let (i, generic) = self.keyword_payload[m.pattern().as_usize()];
                KeywordMention {
                    index: i,
                    keyword: hay[m.range()].to_string(),
                    generic,
                }
            })
            .collect()
    }
}

/// `B4.1`, `b4-1`, `Ｂ４＿１` → `b4.1`: the form codes are compared in.
pub fn code_key(s: &str) -> String {
    normalize(s.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '-' || c == '_' { '.' } else { c })
        .collect()
}

/// Code-like tokens in normalised text: a letter, digits, optionally `.`/`-`/`_` + digits,
/// bounded by non-alphanumerics. Returns (code key, char range).
fn code_tokens(s: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let left_ok = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if c.is_ascii_alphabetic()
            && left_ok
            && i + 1 < chars.len()
            && chars[i + 1].is_ascii_digit()
        {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let mut key: String = chars[i..j].iter().collect();
            while j + 1 < chars.len()
                && matches!(chars[j], '.' | '-' | '_')
                && chars[j + 1].is_ascii_digit()
            {
                let mut k = j + 1;
                while k < chars.len() && chars[k].is_ascii_digit() {
                    k += 1;
                }
                key.push('.');
                key.extend(&chars[j + 1..k]);
                j = k;
            }
            // "A4纸", "A3幅面": paper sizes, not catalog codes ("A1版块" is a code, so 版 does not count).
            let paper = key.len() == 2 && matches!(chars.get(j), Some('纸' | '幅' | '开' | '尺'));
            let right_ok = (j == chars.len() || !chars[j].is_ascii_alphanumeric()) && !paper;
            if right_ok {
                out.push((key, i..j));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

pub(super) fn indicator_names(n: &Indicator) -> Vec<String> {
    let mut v = vec![compact(&n.name)];
    let stripped = strip_parenthetical(&n.name).replace(' ', "");
    if !stripped.is_empty() {
        v.push(stripped);
    }
    v.extend(n.aliases.iter().map(|a| compact(a)));
    v.retain(|s| !s.is_empty());
    v.sort();
    v.dedup();
    v
}
