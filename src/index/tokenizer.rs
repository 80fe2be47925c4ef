//! Tokenizers for Chinese evidence.
//!
//! - `ngram`, the only view in the index: CJK runs as overlapping bigrams (a lone character as
//!   itself), Latin and digits as lower-cased words. Any CJK substring of two or more characters
//!   becomes a phrase of bigrams, so recall never depends on a segmenter's dictionary (海东市 is
//!   split 海东 / 市 by jieba, but 东市 is still a bigram here). Whitespace between two CJK
//!   characters does not end a run: PDF extraction puts spaces and line breaks inside Chinese
//!   words (`科 普 日`, `科普\n日`), and a query for 科普日 must still find them.
//! - `zh`: jieba in search mode, lower-cased, for the any-order operator only (`~科学素质`): its
//!   words are looked up as bigram phrases in any order. Documents are not segmented: loading
//!   jieba's dictionary alone cost an index run ~0.12 s of CPU.

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
    index
        .tokenizers()
        .register(NGRAM, TextAnalyzer::from(NgramTokenizer));
}

/// Load jieba's dictionary on a background thread. Building it takes ~0.1 s (release) the
/// first time anything is segmented in a process; the server starts this when it starts, so
/// that the first query does not pay for it.
pub fn warm_up() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("jieba-warm-up".into())
            .spawn(|| {
                let mut t = tantivy_jieba::JiebaTokenizer::new();
                let mut stream = t.token_stream("科普");
                while stream.advance() {}
            });
    });
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F |
        0x3040..=0x30FF | 0xAC00..=0xD7AF | 0x0F00..=0x0FFF | 0x1800..=0x18AF)
}

#[derive(Clone, Default)]
pub struct NgramTokenizer;

/// The ngram view as a stream: tokens are produced one at a time into one reused `Token`, so
/// indexing a document's text allocates nothing per token (document text is most of what a
/// cold index tokenizes).
pub struct NgramStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    /// Inside a CJK run that has already produced a bigram: its last character is not a token
    /// of its own.
    in_run: bool,
    token: Token,
    started: bool,
}

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = NgramStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream<'a> {
        NgramStream {
            text,
            chars: text.char_indices().peekable(),
            in_run: false,
            token: Token::default(),
            started: false,
        }
    }
}

impl NgramStream<'_> {
    /// Start the next token at `from..to` of the text, with an empty text.
    fn next_token(&mut self, from: usize, to: usize) -> &mut Token {
        let t = &mut self.token;
        t.offset_from = from;
        t.offset_to = to;
        if self.started {
            t.position += 1;
        } else {
            t.position = 0;
            self.started = true;
        }
        t.position_length = 1;
        t.text.clear();
        t
    }

    /// A bigram of two CJK characters with whitespace between them: its text is the two
    /// characters, its offsets span the whitespace (a highlight covers what was matched).
    fn emit_pair(&mut self, i: usize, c: char, j: usize, d: char) {
        let t = self.next_token(i, j + d.len_utf8());
        t.text.push(c);
        t.text.push(d);
    }

    fn emit(&mut self, from: usize, to: usize, lower: bool) {
        self.next_token(from, to);
        let t = &mut self.token;
        let s = &self.text[from..to];
        if lower {
            if s.is_ascii() {
                t.text.push_str(s);
                t.text.make_ascii_lowercase();
            } else {
                t.text.extend(s.chars().flat_map(char::to_lowercase));
            }
        } else {
            t.text.push_str(s);
        }
    }
}

impl TokenStream for NgramStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((i, c)) = self.chars.next() {
            if is_cjk(c) {
                // Whitespace after a CJK character yields no token of its own, so it can be
                // consumed here to see whether the run goes on after it.
                let mut bridged = false;
                while let Some(&(_, d)) = self.chars.peek() {
                    if !d.is_whitespace() {
                        break;
                    }
                    bridged = true;
                    self.chars.next();
                }
                match self.chars.peek() {
                    Some(&(j, d)) if is_cjk(d) => {
                        self.in_run = true;
                        if bridged {
                            self.emit_pair(i, c, j, d);
                        } else {
                            self.emit(i, j + d.len_utf8(), false);
                        }
                        return true;
                    }
                    _ if self.in_run => self.in_run = false,
                    _ => {
                        self.emit(i, i + c.len_utf8(), false);
                        return true;
                    }
                }
            } else {
                self.in_run = false;
                if c.is_alphanumeric() {
                    let mut end = i + c.len_utf8();
                    while let Some(&(j, d)) = self.chars.peek() {
                        if !d.is_alphanumeric() || is_cjk(d) {
                            break;
                        }
                        end = j + d.len_utf8();
                        self.chars.next();
                    }
                    // Longer runs are hashes or base64, not words anyone types.
                    if end - i <= 64 {
                        self.emit(i, end, true);
                        return true;
                    }
                }
            }
        }
        false
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Split text into the ngram view (see the module docs).
pub fn ngram_tokens(text: &str) -> Vec<Token> {
    let mut tokenizer = NgramTokenizer;
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
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
        assert_eq!(
            texts("IMG_2019 科普大篷车.JPG"),
            ["img", "2019", "科普", "普大", "大篷", "篷车", "jpg"]
        );
        assert_eq!(texts("县"), ["县"]);
        assert_eq!(texts("（二）青少年"), ["二", "青少", "少年"]);
        assert!(texts("").is_empty());
        assert_eq!(texts("科普。县，ÄBC市民"), ["科普", "县", "äbc", "市民"]);
        let long = "a".repeat(65);
        assert_eq!(texts(&format!("{long} ok")), ["ok"]);
    }

    #[test]
    fn whitespace_between_cjk_characters_is_bridged() {
        // As PDF extraction leaves Chinese text: spaces, line breaks, ideographic spaces.
        assert_eq!(texts("科 普 日"), ["科普", "普日"]);
        assert_eq!(texts("科普\n日"), ["科普", "普日"]);
        assert_eq!(texts("科普\r\n\u{3000} 日"), ["科普", "普日"]);
        assert_eq!(texts("流动\n科技馆"), texts("流动科技馆"));
        // Only between two CJK characters: Latin words and punctuation still end a run.
        assert_eq!(texts("科普 B4 日"), ["科普", "b4", "日"]);
        assert_eq!(texts("科普， 日"), ["科普", "日"]);
        assert_eq!(texts("县 "), ["县"]);
        let toks = ngram_tokens("科 普");
        assert_eq!((toks[0].offset_from, toks[0].offset_to), (0, 7));
    }

    #[test]
    fn offsets_and_positions_follow_the_text() {
        let toks = ngram_tokens("海东市 B4");
        let spans: Vec<(usize, usize, usize)> = toks
            .iter()
            .map(|t| (t.offset_from, t.offset_to, t.position))
            .collect();
        assert_eq!(spans, [(0, 6, 0), (3, 9, 1), (10, 12, 2)]);
    }
}
