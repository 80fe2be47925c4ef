//! The query language's parser: text to a tree of words, phrases, any-order terms (`~科学素质`),
//! `field:value`s and AND / OR / NOT. It knows which field names exist (from [`crate::fields`]) but not what they
//! mean; `search::build` and `search::filter` give them meaning.

use super::MAX_QUERY_CHARS;
use crate::fields::Registry;
use crate::i18n::Msg;
use crate::{Error, Result};

/// A parsed query. Field names are kept as typed (lower-cased), aliases included.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Word(String),
    Phrase(String),
    /// `~term`: the term's words in any order, not only as one run (see `search::build`).
    AnyOrder(String),
    Field(String, String),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String),
    Field(String, String),
    And,
    Or,
    Not,
    /// `~` or `～` (what a Chinese input method types) before a word or a quoted phrase.
    AnyOrder,
    Open,
    Close,
}

fn lex(registry: &Registry, q: &str) -> Vec<Tok> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let read_quoted = |i: &mut usize| -> String {
        // at opening quote
        let close = if chars[*i] == '“' { '”' } else { chars[*i] };
        *i += 1;
        let start = *i;
        while *i < chars.len() && chars[*i] != close && !(close == '"' && chars[*i] == '”') {
            *i += 1;
        }
        let s: String = chars[start..*i].iter().collect();
        *i += 1; // closing quote (or end)
        s
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '\u{3000}' {
            i += 1;
        } else if c == '(' || c == '（' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' || c == '）' {
            out.push(Tok::Close);
            i += 1;
        } else if c == '"' || c == '“' {
            out.push(Tok::Phrase(read_quoted(&mut i)));
        } else if (c == '-' || c == '!') && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            out.push(Tok::Not);
            i += 1;
        } else if (c == '~' || c == '～') && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            out.push(Tok::AnyOrder);
            i += 1;
        } else {
            let start = i;
            let mut quoted_field = false;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '（' | '）' | '"' | '“' | '\u{3000}')
            {
                // field:"quoted value"
                if (chars[i] == ':' || chars[i] == '：')
                    && i + 1 < chars.len()
                    && (chars[i + 1] == '"' || chars[i + 1] == '“')
                {
                    let field: String = chars[start..i].iter().collect();
                    i += 1;
                    let value = read_quoted(&mut i);
                    out.push(Tok::Field(field.to_lowercase(), value));
                    quoted_field = true;
                    break;
                }
                i += 1;
            }
            if quoted_field {
                continue;
            }
            if start == i {
                i += 1;
                continue;
            }
            let word: String = chars[start..i].iter().collect();
            match word.as_str() {
                "AND" | "&&" => out.push(Tok::And),
                "OR" | "||" => out.push(Tok::Or),
                "NOT" => out.push(Tok::Not),
                _ => {
                    let split = word.find([':', '：']);
                    match split {
                        Some(p)
                            if p > 0
                                && p + word[p..].chars().next().unwrap().len_utf8()
                                    < word.len() =>
                        {
                            let sep_len = word[p..].chars().next().unwrap().len_utf8();
                            let field = word[..p].to_lowercase();
                            let value = &word[p + sep_len..];
                            // `http://…` and `12:30` are words, not fields. Other Chinese
                            // words before a colon are words too (`县区：互助县` in a document
                            // title), unless the field table makes them an alias.
                            let ascii_name = field.starts_with(|c: char| c.is_ascii_alphabetic())
                                && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                            let looks_like_field = (ascii_name
                                || registry.by_name(&field).is_some())
                                && !value.starts_with('/');
                            if looks_like_field {
                                out.push(Tok::Field(field, word[p + sep_len..].to_string()));
                            } else {
                                out.push(Tok::Word(word));
                            }
                        }
                        _ => out.push(Tok::Word(word)),
                    }
                }
            }
        }
    }
    out
}

struct Parser<'a> {
    registry: &'a Registry,
    toks: Vec<Tok>,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn or(&mut self) -> Result<Option<Node>> {
        let mut parts = Vec::new();
        if let Some(n) = self.and()? {
            parts.push(n);
        }
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            if let Some(n) = self.and()? {
                parts.push(n);
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Node::Or(parts)),
        })
    }
    fn and(&mut self) -> Result<Option<Node>> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Or) | Some(Tok::Close) => break,
                Some(Tok::And) => {
                    self.at += 1;
                }
                _ => {
                    if let Some(n) = self.unary()? {
                        parts.push(n);
                    }
                }
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Node::And(parts)),
        })
    }
    fn unary(&mut self) -> Result<Option<Node>> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::Not) => {
                self.at += 1;
                Ok(self.unary()?.map(|n| Node::Not(Box::new(n))))
            }
            Some(Tok::AnyOrder) => {
                self.at += 1;
                // Only words have an order to relax; before anything else `~` is ignored
                // (`name:~…` is read by the field itself).
                Ok(self.unary()?.map(|n| match n {
                    Node::Word(w) | Node::Phrase(w) | Node::AnyOrder(w) => Node::AnyOrder(w),
                    other => other,
                }))
            }
            Some(Tok::Open) => {
                self.at += 1;
                self.depth += 1;
                if self.depth > 32 {
                    return Err(Error::query(Msg::QueryTooDeep, &[]));
                }
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(Error::query(Msg::QueryUnclosed, &[]));
                }
                self.at += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(Tok::Close) => Err(Error::query(Msg::QueryUnopened, &[])),
            Some(Tok::Word(w)) => {
                self.at += 1;
                Ok(Some(Node::Word(w)))
            }
            Some(Tok::Phrase(p)) => {
                self.at += 1;
                Ok(if p.trim().is_empty() {
                    None
                } else {
                    Some(Node::Phrase(p))
                })
            }
            Some(Tok::Field(f, v)) => {
                self.at += 1;
                if self.registry.by_name(&f).is_none() {
                    return Err(Error::query(
                        Msg::QueryUnknownField,
                        &[("field", &f), ("fields", &self.registry.names().join(", "))],
                    ));
                }
                Ok(Some(Node::Field(f, v)))
            }
            Some(Tok::And) | Some(Tok::Or) => {
                self.at += 1;
                Ok(None)
            }
            None => Ok(None),
        }
    }
}

/// Parse a query string with the standard fields. `None` means "everything".
pub fn parse(q: &str) -> Result<Option<Node>> {
    parse_in(Registry::standard(), q)
}

/// Parse a query string whose `field:`s are those of `registry`.
pub fn parse_in(registry: &Registry, q: &str) -> Result<Option<Node>> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::query(
            Msg::QueryTooLong,
            &[("max", &MAX_QUERY_CHARS)],
        ));
    }
    let mut p = Parser {
        registry,
        toks: lex(registry, q),
        at: 0,
        depth: 0,
    };
    let node = p.or()?;
    if p.at < p.toks.len() {
        return Err(Error::query(Msg::QueryUnopened, &[]));
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Option<Node> {
        parse(q).unwrap()
    }
    fn w(s: &str) -> Node {
        Node::Word(s.into())
    }

    #[test]
    fn parses_the_query_language() {
        assert_eq!(p(""), None);
        assert_eq!(p("科普"), Some(w("科普")));
        assert_eq!(
            p("科普 大篷车"),
            Some(Node::And(vec![w("科普"), w("大篷车")]))
        );
        assert_eq!(
            p("科普 OR 宣传"),
            Some(Node::Or(vec![w("科普"), w("宣传")]))
        );
        assert_eq!(
            p("科普 -会议"),
            Some(Node::And(vec![w("科普"), Node::Not(Box::new(w("会议")))]))
        );
        assert_eq!(
            p("\"科技 活动周\""),
            Some(Node::Phrase("科技 活动周".into()))
        );
        assert_eq!(
            p("prefecture:海东市"),
            Some(Node::Field("prefecture".into(), "海东市".into()))
        );
        assert_eq!(
            p("县区：互助县"),
            Some(Node::Field("县区".into(), "互助县".into())),
            "the labels the page shows can be typed back"
        );
        assert_eq!(
            p("会议纪要：第三次"),
            Some(w("会议纪要：第三次")),
            "other Chinese words before a colon stay words"
        );
        assert_eq!(
            p("indicator:\"B4.1\""),
            Some(Node::Field("indicator".into(), "B4.1".into()))
        );
        assert_eq!(
            p("(科普 OR 科技) 2019"),
            Some(Node::And(vec![
                Node::Or(vec![w("科普"), w("科技")]),
                w("2019")
            ]))
        );
        assert_eq!(p("~科学素质"), Some(Node::AnyOrder("科学素质".into())));
        assert_eq!(
            p("～\"科学 素质\" -~工作记录"),
            Some(Node::And(vec![
                Node::AnyOrder("科学 素质".into()),
                Node::Not(Box::new(Node::AnyOrder("工作记录".into())))
            ])),
            "the full-width tilde too, before a phrase, under NOT"
        );
        assert_eq!(
            p("~ 科普 a~b"),
            Some(Node::And(vec![w("~"), w("科普"), w("a~b")])),
            "a tilde alone or inside a word is a word"
        );
        assert_eq!(
            p("~prefecture:海东市"),
            Some(Node::Field("prefecture".into(), "海东市".into())),
            "a tilde before a field is ignored"
        );
        assert_eq!(
            p("http://x"),
            Some(w("http://x")),
            "a colon in a non-field word stays a word"
        );
    }

    #[test]
    fn bad_queries_are_explained() {
        for (q, needle) in [
            ("(科普", "no matching ')'"),
            ("科普)", "no matching '('"),
            ("foo:bar", "unknown field 'foo:'"),
        ] {
            let e = parse(q).unwrap_err().to_string();
            assert!(e.contains(needle), "{q}: {e}");
        }
        assert!(parse(&"科".repeat(MAX_QUERY_CHARS + 1)).is_err());
        // Odd characters never panic.
        for q in [
            "\"",
            "\"\"",
            "-",
            "--",
            "!!",
            "((()))",
            ":",
            "a:",
            ":b",
            "\0\u{feff}%",
            "“科普",
            "OR OR AND",
            "NOT",
            "~",
            "~~",
            "~(",
            "科普 ～",
        ] {
            let _ = parse(q);
        }
    }
}
