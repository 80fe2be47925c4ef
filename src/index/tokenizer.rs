//! Tokenizers for Chinese evidence. Two views of the same text are indexed:
//!
//! - `zh`: jieba in search mode, lower-cased: real words, good for ranking;
//! - `ngram`: CJK runs as overlapping bigrams (a lone character as itself), Latin and digits as
//!   lower-cased words. Any CJK substring of two or more characters becomes a phrase of bigrams,
//!   so recall never depends on the segmenter's dictionary (海东市 is split 海东 / 市 by jieba,
//!   but 东市 is still a bigram here).

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};

pub const ZH: &str = "zh";
pub const NGRAM: &str = "ngram";

pub fn register(index: &tantivy::Index) {
    let zh = TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(ZH, zh);
    index.tokenizers().register(NGRAM, TextAnalyzer::from(NgramTokenizer));
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F |
        0x3040..=0x30FF | 0xAC00..=0xD7AF | 0x0F00..=0x0FFF | 0x1800..=0x18AF)
}

#[derive(Clone, Default)]
pub struct NgramTokenizer;

pub struct NgramStream {
    tokens: Vec<Token>,
    at: usize,
}

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = NgramStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream {
        NgramStream { tokens: ngram_tokens(text), at: 0 }
    }
}

impl TokenStream for NgramStream {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

/// Split text into the ngram view (see the module docs).
pub fn ngram_tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map(|c| c.0).unwrap_or(text.len());
    let mut i = 0;
    let mut position = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i].1) {
                i += 1;
            }
            if i - start == 1 {
                push(&mut out, &mut position, chars[start].0, end_of(start), text[chars[start].0..end_of(start)].to_string());
            } else {
                for k in start..i - 1 {
                    let (from, to) = (chars[k].0, end_of(k + 1));
                    push(&mut out, &mut position, from, to, text[from..to].to_string());
                }
            }
        } else if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].1.is_alphanumeric() && !is_cjk(chars[i].1) {
                i += 1;
            }
            let (from, to) = (chars[start].0, end_of(i - 1));
            if to - from <= 64 {
                push(&mut out, &mut position, from, to, text[from..to].to_lowercase());
            }
        } else {
            i += 1;
        }
    }
    out
}

fn push(out: &mut Vec<Token>, position: &mut usize, from: usize, to: usize, text: String) {
    out.push(Token { offset_from: from, offset_to: to, position: *position, text, position_length: 1 });
    *position += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        ngram_tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn bigrams_and_words() {
        assert_eq!(texts("海东市"), ["海东", "东市"]);
        assert_eq!(texts("IMG_2019 科普大篷车.JPG"), ["img", "2019", "科普", "普大", "大篷", "篷车", "jpg"]);
        assert_eq!(texts("县"), ["县"]);
        assert_eq!(texts("（二）青少年"), ["二", "青少", "少年"]);
        assert!(texts("").is_empty());
    }
}
