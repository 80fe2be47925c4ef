//! Every text the pages show, once per language: the interface speaks Chinese first and English
//! on request (`lang=en`), while the evidence itself stays as written.
//!
//! A message is a [`Msg`] key; [`zh`] and [`en`] each answer every key with an exhaustive
//! `match`, so a key without a translation does not compile. Keys are stable codes (the
//! variant's name, see [`Msg::code`]): the CLI's messages and the flags' reasons are meant to
//! move here under the same scheme.
//!
//! Parameters are named placeholders in the text, `{name}`, filled by [`Lang::fill`] with
//! `(name, value)` pairs. A key declares its parameters (`PageOf(page, pages)` in the list
//! below, see [`Msg::params`]); a translation may reorder them or leave one out (Chinese
//! writes a month as `6月`, English as `2019-06`), but uses no other (a test checks). Where a page wants markup
//! around a parameter (a bold count), the template asks [`Lang::around`] for the text before
//! and after the placeholder and writes the markup itself, so no message holds HTML and every
//! value stays auto-escaped by the template.

mod en;
mod zh;

use std::fmt::Display;

/// The interface language. Chinese unless the request says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language, for the page's language switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The short name used in URLs (`lang=en`) and stored by the page's script.
    pub fn short(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// `zh`/`zh-CN`/`chinese` or `en`/`english` (any case), as typed after `--lang`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") || s == "chinese" || s == "中文" {
            Some(Lang::Zh)
        } else if s.starts_with("en") || s == "english" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language a terminal's locale asks for, as POSIX orders the variables: the first
    /// of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty decides; `zh*` is Chinese,
    /// anything else (`C`, `en_US.UTF-8`, `POSIX`) English, and no locale at all English.
    pub fn from_locale(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| get(v).filter(|s| !s.trim().is_empty()))
            .map(|s| {
                if s.trim().to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                }
            })
            .unwrap_or(Lang::En)
    }

    /// The text of `m` in this language.
    pub fn t(self, m: Msg) -> &'static str {
        match self {
            Lang::Zh => zh::text(m),
            Lang::En => en::text(m),
        }
    }

    /// The text of `m` with each `{name}` replaced by its value.
    pub fn fill(self, m: Msg, args: &[(&str, &dyn Display)]) -> String {
        let mut s = self.t(m).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    /// The text of `m` before and after its placeholder `{name}` (the whole text and "" when
    /// there is none), so that a template can mark up the value between them.
    pub fn around(self, m: Msg, name: &str) -> (&'static str, &'static str) {
        let s = self.t(m);
        s.split_once(&format!("{{{name}}}")).unwrap_or((s, ""))
    }
}

macro_rules! messages {
    ($($(#[$doc:meta])* $key:ident $(($($param:ident),*))?,)*) => {
        /// The key of one message. The variant's name is its stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $key,)*
        }

        impl Msg {
            /// Every key, for checks over the whole catalogue.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// The stable code of the message (its variant's name).
            pub fn code(self) -> &'static str {
                match self {
                    $(Msg::$key => stringify!($key),)*
                }
            }

            /// The key whose code is `code` (see [`Msg::code`]).
            pub fn from_code(code: &str) -> Option<Msg> {
                match code {
                    $(stringify!($key) => Some(Msg::$key),)*
                    _ => None,
                }
            }

            /// The names of the message's parameters; a translation uses any of them.
            pub fn params(self) -> &'static [&'static str] {
                match self {
                    $(Msg::$key => &[$($(stringify!($param)),*)?],)*
                }
            }
        }
    };
}

mod keys;
pub use keys::Msg;

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn translations_use_only_the_declared_parameters() {
        for &m in Msg::ALL {
            let (zh, en) = (Lang::Zh.t(m), Lang::En.t(m));
            assert!(!zh.is_empty() && !en.is_empty(), "{}", m.code());
            for p in placeholders(zh).into_iter().chain(placeholders(en)) {
                assert!(m.params().contains(&p), "{} has no parameter {p}", m.code());
            }
            for p in m.params() {
                let used = placeholders(zh).contains(p) || placeholders(en).contains(p);
                assert!(used, "{}: no translation uses {p}", m.code());
            }
        }
    }

    #[test]
    fn no_message_holds_markup() {
        for &m in Msg::ALL {
            for l in [Lang::Zh, Lang::En] {
                assert!(!l.t(m).contains('<'), "{} {l:?}", m.code());
            }
        }
    }

    #[test]
    fn the_locale_decides_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(Lang::from_locale(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(
            Lang::from_locale(env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale(env(&[
                ("LC_ALL", ""),
                ("LC_MESSAGES", "zh_TW"),
                ("LANG", "C")
            ])),
            Lang::Zh
        );
        assert_eq!(Lang::from_locale(env(&[])), Lang::En);
        assert_eq!(Lang::parse("ZH-cn"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn parameters_are_filled_by_name() {
        assert_eq!(
            Lang::En.fill(Msg::PageOf, &[("pages", &7), ("page", &2)]),
            "page 2 of 7"
        );
        assert_eq!(
            Lang::Zh.fill(Msg::PageOf, &[("page", &2), ("pages", &7)]),
            "第 2 / 7 页"
        );
        assert_eq!(Lang::Zh.around(Msg::ResultsTotal, "n"), ("共 ", " 个文件"));
        assert_eq!(Lang::En.around(Msg::ResultsTotal, "n"), ("", " files"));
    }
}
