//! The search fields and facet dimensions, in one table: what `field:value` means in a query,
//! in `archive list --filter` and in the page's chips, which facet paths the indexer gives a
//! record, and how the page titles a facet group and turns a facet back into a filter. Before,
//! the query builder, the record filter, the indexer and the page each repeated part of it and
//! drifted apart (the record filter had its own year and date rules).
//!
//! It sits low in the module graph (it imports only [`crate::record`], [`crate::error`] and
//! the message catalogue [`crate::i18n`], where its labels live with every other text) because both
//! [`crate::index`] and [`crate::search`] read it and `index` must not import `search`; the
//! page and, later, the tagger can read it without an import cycle too.
//!
//! Adding a facet is one [`Dimension`] and one [`Field`] below, and its label in the catalogue
//! (a `Msg` key, answered in `i18n/zh.rs` and `i18n/en.rs`: the compiler lists what is
//! missing), plus `index::INDEX_VERSION` so that existing indexes are rebuilt with it;
//! `search::tests` shows it with a test-only one.

use chrono::Datelike;

use crate::i18n::{Lang, Msg};
use crate::record::{Media, Record, Status};
use crate::{Error, Result};

/// Turns user-facing names into facet paths; the schema implements it (codes and names both
/// work). It lives here, not in `search`, because the field table's value → facet rules call it.
pub trait FacetResolver {
    /// `海东市`, `海东`, `630200`, `互助县` → `/place/海东市` or `/place/海东市/互助土族自治县`.
    fn resolve_place_facet(&self, value: &str) -> Option<String>;
    /// `B4.1`, `b41`, `科普大篷车` → `/indicator/B/B4/B4.1`.
    fn resolve_indicator_facet(&self, value: &str) -> Option<String>;
    /// The code of the county named `county` (as in a facet path) in the prefecture named
    /// `prefecture`: county names repeat across China (城东区), a code does not. `None` when
    /// unknown, and the filter then uses the name.
    fn county_code(&self, _prefecture: &str, _county: &str) -> Option<String> {
        None
    }
}

/// Resolver used when no vocabulary is loaded: values are taken literally.
pub struct LiteralFacets;

impl FacetResolver for LiteralFacets {
    fn resolve_place_facet(&self, value: &str) -> Option<String> {
        Some(format!("/place/{value}"))
    }
    fn resolve_indicator_facet(&self, value: &str) -> Option<String> {
        Some(format!("/indicator/{value}"))
    }
}

/// A value as typed (trimmed) → its facet path, or an error a user can act on.
pub type ToFacet = fn(&dyn FacetResolver, &str) -> Result<String>;
/// A facet's segments below its dimension → the `(field, value)` filter it stands for.
pub type FacetToFilter = fn(&dyn FacetResolver, &[&str]) -> Option<(&'static str, String)>;
/// A record → its values in one dimension, each the facet path below the dimension.
pub type RecordValues = fn(&Record) -> Vec<String>;

/// A facet dimension: the facet paths under `/{name}`, one group of counts in a search response.
#[derive(Clone, Copy)]
pub struct Dimension {
    /// The first segment of its facet paths and its key in `SearchResponse::facets`.
    pub name: &'static str,
    /// The title of its group of facets on the page.
    pub label: Msg,
    /// The record's own values in this dimension, each the part of a facet path below
    /// `/{name}/` (`2019/06`). `None` when the tagger supplies the dimension's facets
    /// (places, indicators and flags: `tag::facet_paths`).
    pub from_record: Option<RecordValues>,
    /// The filter a facet of this dimension stands for.
    pub to_filter: ToFilter,
}

/// How a facet becomes a `(field, value)` filter, given its segments below the dimension.
#[derive(Clone, Copy)]
pub enum ToFilter {
    /// `/dim/x` → `(field, x)`; deeper paths stand for no filter.
    One(&'static str),
    /// Anything else (the place and date trees).
    With(FacetToFilter),
}

/// What a `field:value` looks for.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Documents with the facet `to_facet` gives for the value (an error a user can act on
    /// when the value cannot be one). Facets also match the paths below them.
    Facet {
        dimension: &'static str,
        to_facet: ToFacet,
    },
    /// Words in one text field.
    Text(TextField),
    /// Contents whose BLAKE3 starts with the given hex digits.
    Blake3,
}

/// The text fields a word can be restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// The file name.
    Name,
    /// The folders above the file.
    Path,
    /// Document text, title and author.
    Body,
    /// Text recognised in scans and photos of paper (OCR).
    Ocr,
}

/// One `field:` of the query language.
#[derive(Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    /// Other names for the same field (lower case). The query lexer reads `alias:value` as a
    /// field even in Chinese: a Chinese alias makes `别名：值` a filter instead of words.
    pub aliases: &'static [&'static str],
    /// How a chip or a form shows the field.
    pub label: Msg,
    pub kind: Kind,
}

/// The fields and dimensions. One standard table ([`Registry::standard`]); tests build their own
/// to show that a new facet needs nothing but entries.
pub struct Registry {
    pub fields: &'static [Field],
    /// In the order the page shows the facet groups.
    pub dimensions: &'static [Dimension],
}

impl Registry {
    pub fn standard() -> &'static Registry {
        &STANDARD
    }

    /// The field called `name` or aliased so (exact: callers lower-case what users type).
    pub fn by_name(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.name == name || f.aliases.contains(&name))
    }

    /// Every name a query may use, aliases right after their field, for error messages.
    pub fn names(&self) -> Vec<&'static str> {
        self.fields
            .iter()
            .flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
            .collect()
    }

    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.name == name)
    }

    /// The dimension of a facet path (`/date/2019/06` → date).
    pub fn for_facet(&self, path: &str) -> Option<&Dimension> {
        let name = path.trim_start_matches('/').split('/').next()?;
        self.dimension(name)
    }

    /// The filter a facet stands for, as the query language writes it: `/place/海东市` →
    /// `("prefecture", "海东市")`, `/date/2019/06` → `("date", "2019-06")`.
    pub fn facet_filter(
        &self,
        resolver: &dyn FacetResolver,
        path: &str,
    ) -> Option<(&'static str, String)> {
        let dim = self.for_facet(path)?;
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').skip(1).collect();
        match (&dim.to_filter, segs.as_slice()) {
            (ToFilter::One(field), [v]) => Some((*field, v.to_string())),
            (ToFilter::One(_), _) => None,
            (ToFilter::With(f), segs) => f(resolver, segs),
        }
    }

    /// The facet paths a record yields by itself (not its tags), in dimension order.
    pub fn record_facets(&self, r: &Record) -> Vec<String> {
        let mut out = Vec::new();
        for d in self.dimensions {
            if let Some(values) = d.from_record {
                out.extend(values(r).into_iter().map(|v| format!("/{}/{v}", d.name)));
            }
        }
        out
    }
}

/// The standard field by name or alias: see [`Registry::by_name`].
pub fn by_name(name: &str) -> Option<&'static Field> {
    STANDARD.by_name(name)
}

/// See [`Registry::facet_filter`].
pub fn facet_filter(resolver: &dyn FacetResolver, path: &str) -> Option<(&'static str, String)> {
    STANDARD.facet_filter(resolver, path)
}

impl Field {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.t(self.label)
    }
}

impl Dimension {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.t(self.label)
    }
}

/// Facet segments cannot hold `/`; camera names sometimes do ("HUAWEI P30/Pro").
pub fn facet_segment(s: &str) -> String {
    s.trim().replace(['/', '\\'], "-")
}

// ---------------------------------------------------------------- the standard table

static STANDARD: Registry = Registry {
    fields: FIELDS,
    dimensions: DIMENSIONS,
};

const DIMENSIONS: &[Dimension] = &[
    Dimension {
        name: "place",
        label: Msg::FieldPlace,
        from_record: None,
        to_filter: ToFilter::With(place_filter),
    },
    Dimension {
        name: "indicator",
        label: Msg::FieldIndicator,
        from_record: None,
        // The code of the deepest level: `/indicator/B/B4/B4.1` → B4.1.
        to_filter: ToFilter::With(|_, segs| Some(("indicator", segs.last()?.to_string()))),
    },
    Dimension {
        name: "media",
        label: Msg::FieldType,
        from_record: Some(|r| vec![r.media.as_str().to_string()]),
        to_filter: ToFilter::One("media"),
    },
    Dimension {
        name: "date",
        label: Msg::FacetEvidenceDate,
        from_record: Some(record_month),
        to_filter: ToFilter::With(|_, segs| match segs {
            [y] => Some(("year", y.to_string())),
            [y, m] => Some(("date", format!("{y}-{m}"))),
            _ => None,
        }),
    },
    Dimension {
        name: "flag",
        label: Msg::FacetFlags,
        from_record: None,
        to_filter: ToFilter::One("flag"),
    },
    Dimension {
        name: "camera",
        label: Msg::FieldCamera,
        from_record: Some(|r| {
            r.camera
                .as_ref()
                .and_then(|c| c.label())
                .map(|l| facet_segment(&l))
                .into_iter()
                .collect()
        }),
        to_filter: ToFilter::One("camera"),
    },
    Dimension {
        name: "caption",
        label: Msg::FieldCaption,
        from_record: Some(caption_states),
        to_filter: ToFilter::One("caption"),
    },
    Dimension {
        name: "status",
        label: Msg::FieldStatus,
        from_record: Some(|r| {
            vec![match r.status {
                Status::Present => "present",
                Status::Missing => "missing",
            }
            .to_string()]
        }),
        to_filter: ToFilter::One("status"),
    },
];

const fn facet(dimension: &'static str, to_facet: ToFacet) -> Kind {
    Kind::Facet {
        dimension,
        to_facet,
    }
}

/// In the order the error for an unknown field lists them.
const FIELDS: &[Field] = &[
    Field {
        name: "prefecture",
        aliases: &["市州", "州市"],
        label: Msg::FieldPrefecture,
        kind: facet("place", place_facet),
    },
    Field {
        name: "county",
        aliases: &["县区", "区县", "县"],
        label: Msg::FieldCounty,
        kind: facet("place", place_facet),
    },
    Field {
        name: "place",
        aliases: &["地点", "地方"],
        label: Msg::FieldPlace,
        kind: facet("place", place_facet),
    },
    Field {
        name: "indicator",
        aliases: &["指标", "指标编码"],
        label: Msg::FieldIndicator,
        kind: facet("indicator", |r, v| {
            r.resolve_indicator_facet(v)
                .ok_or_else(|| Error::query(Msg::QueryNotIndicator, &[("value", &v)]))
        }),
    },
    Field {
        name: "media",
        aliases: &["type", "类型", "类别"],
        label: Msg::FieldType,
        kind: facet("media", |_, v| match Media::parse(&v.to_lowercase()) {
            Some(m) => Ok(format!("/media/{}", m.as_str())),
            None => Err(Error::query(Msg::QueryNotMedia, &[("value", &v)])),
        }),
    },
    Field {
        name: "year",
        aliases: &["年份", "年度"],
        label: Msg::FieldYear,
        kind: facet("date", year_facet),
    },
    Field {
        name: "date",
        aliases: &["月份", "年月"],
        label: Msg::FieldMonth,
        kind: facet("date", date_facet),
    },
    Field {
        name: "camera",
        aliases: &["相机", "设备"],
        label: Msg::FieldCamera,
        kind: facet("camera", |_, v| Ok(format!("/camera/{}", facet_segment(v)))),
    },
    Field {
        name: "flag",
        aliases: &["标志", "标记", "问题"],
        label: Msg::FieldFlag,
        kind: facet("flag", flag_facet),
    },
    Field {
        name: "status",
        aliases: &["状态"],
        label: Msg::FieldStatus,
        kind: facet("status", status_facet),
    },
    Field {
        name: "caption",
        aliases: &["说明", "著录"],
        label: Msg::FieldCaption,
        kind: facet("caption", caption_facet),
    },
    Field {
        name: "name",
        aliases: &["文件名", "名称"],
        label: Msg::FieldName,
        kind: Kind::Text(TextField::Name),
    },
    Field {
        name: "path",
        aliases: &["路径", "文件夹"],
        label: Msg::FieldPath,
        kind: Kind::Text(TextField::Path),
    },
    Field {
        name: "text",
        aliases: &["正文", "内容", "文字"],
        label: Msg::FieldText,
        kind: Kind::Text(TextField::Body),
    },
    Field {
        name: "ocr",
        aliases: &["识别文字"],
        label: Msg::FieldOcr,
        kind: Kind::Text(TextField::Ocr),
    },
    Field {
        name: "blake3",
        aliases: &["哈希"],
        label: Msg::FieldBlake3,
        kind: Kind::Blake3,
    },
];

fn place_facet(r: &dyn FacetResolver, v: &str) -> Result<String> {
    r.resolve_place_facet(v)
        .ok_or_else(|| Error::query(Msg::QueryNotPlace, &[("value", &v)]))
}

fn place_filter(r: &dyn FacetResolver, segs: &[&str]) -> Option<(&'static str, String)> {
    match segs {
        [p] => Some(("prefecture", p.to_string())),
        [p, c] => Some((
            "county",
            r.county_code(p, c).unwrap_or_else(|| c.to_string()),
        )),
        _ => None,
    }
}

/// The flags by stable name and label key, as the page shows them. `tag::Flag` raises them;
/// a test there keeps the two lists the same.
pub const FLAGS: &[(&str, Msg)] = &[
    ("gps_outside_prefecture", Msg::FlagGpsOutsidePrefecture),
    ("date_outside_period", Msg::FlagDateOutsidePeriod),
    (
        "duplicate_across_submissions",
        Msg::FlagDuplicateAcrossSubmissions,
    ),
    ("possibly_edited", Msg::FlagPossiblyEdited),
    ("no_capture_date", Msg::FlagNoCaptureDate),
    ("no_indicator", Msg::FlagNoIndicator),
    ("unreadable", Msg::FlagUnreadable),
    ("reused_photo", Msg::FlagReusedPhoto),
    ("ai_generated", Msg::FlagAiGenerated),
];

/// A flag by its stable name or by the label the page shows, in either language.
pub fn flag_by_word(v: &str) -> Option<&'static str> {
    let v = v.trim();
    FLAGS.iter().find_map(|(name, msg)| {
        (*name == v || Lang::Zh.t(*msg) == v || Lang::En.t(*msg).eq_ignore_ascii_case(v))
            .then_some(*name)
    })
}

/// `unreadable` or `无法读取` (what the page shows) → `/flag/unreadable`.
fn flag_facet(_: &dyn FacetResolver, v: &str) -> Result<String> {
    match flag_by_word(v) {
        Some(name) => Ok(format!("/flag/{name}")),
        None => {
            let known: Vec<String> = FLAGS
                .iter()
                .map(|(name, msg)| format!("{}（{name}）", Lang::Zh.t(*msg)))
                .collect();
            Err(Error::query(
                Msg::QueryNotFlag,
                &[("value", &v), ("known", &known.join("、"))],
            ))
        }
    }
}

/// How complete a photo's or video's caption is (DA/T 50's elements): `complete`, or `none`
/// (nothing written) and one `no_<field>` per empty field.
fn caption_states(r: &Record) -> Vec<String> {
    let Some(c) = r.caption.as_ref().filter(|_| !r.system) else {
        return Vec::new();
    };
    let missing = c.missing();
    if missing.is_empty() {
        return vec!["complete".into()];
    }
    let mut out: Vec<String> = missing.iter().map(|f| format!("no_{f}")).collect();
    if c.is_unwritten() {
        out.insert(0, "none".into());
    }
    out
}

/// The caption states and their page labels, in the sidebar's order.
pub const CAPTION_STATES: &[(&str, Msg)] = &[
    ("complete", Msg::CaptionComplete),
    ("none", Msg::CaptionNone),
    ("no_title", Msg::CaptionNoTitle),
    ("no_photographer", Msg::CaptionNoPhotographer),
    ("no_people", Msg::CaptionNoPeople),
    ("no_background", Msg::CaptionNoBackground),
    ("no_description", Msg::CaptionNoDescription),
    ("no_place", Msg::CaptionNoPlace),
    ("no_taken", Msg::CaptionNoTaken),
];

/// `complete`, `完整`, `no_people`, `缺人物` (what the page shows) → `/caption/no_people`.
fn caption_facet(_: &dyn FacetResolver, v: &str) -> Result<String> {
    let v = v.trim();
    CAPTION_STATES
        .iter()
        .find(|(name, msg)| {
            v.eq_ignore_ascii_case(name)
                || Lang::Zh.t(*msg) == v
                || Lang::En.t(*msg).eq_ignore_ascii_case(v)
        })
        .map(|(name, _)| format!("/caption/{name}"))
        .ok_or_else(|| {
            let known: Vec<String> = CAPTION_STATES
                .iter()
                .map(|(name, msg)| format!("{}（{name}）", Lang::Zh.t(*msg)))
                .collect();
            Error::query(
                Msg::QueryNotCaptionState,
                &[("value", &v), ("known", &known.join("、"))],
            )
        })
}

/// `present`/`missing` or the page's words for them.
fn status_facet(_: &dyn FacetResolver, v: &str) -> Result<String> {
    let v = v.trim();
    let status = [
        ("present", Msg::StatusPresent),
        ("missing", Msg::StatusMissing),
    ]
    .into_iter()
    .find(|(name, msg)| {
        v.eq_ignore_ascii_case(name)
            || Lang::Zh.t(*msg) == v
            || Lang::En.t(*msg).eq_ignore_ascii_case(v)
    });
    match status {
        Some((name, _)) => Ok(format!("/status/{name}")),
        None => Err(Error::query(Msg::QueryNotStatus, &[("value", &v)])),
    }
}

/// A year as people write it: `2019`, `2019年`, `2019年度`.
pub fn year_word(v: &str) -> Option<&str> {
    let y = v.trim().trim_end_matches("年度").trim_end_matches('年');
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then_some(y)
}

/// A month as people write it: `2019-06`, `2019/6`, `2019.06`, `2019年6月`, `2019年06月份`.
pub fn month_word(v: &str) -> Option<(u32, u32)> {
    let v = v.trim();
    let (y, m) = if let Some((y, rest)) = v.split_once('年') {
        let m = rest.trim_end_matches('份').trim_end_matches('月');
        (y, m)
    } else {
        v.split_once(['-', '/', '.'])?
    };
    let y: u32 = (y.len() == 4).then(|| y.parse().ok()).flatten()?;
    let m: u32 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
    Some((y, m))
}

/// `2019` (or `2019年`) or `unknown` (files without a date).
fn year_facet(_: &dyn FacetResolver, v: &str) -> Result<String> {
    if let Some(y) = year_word(v) {
        Ok(format!("/date/{y}"))
    } else if v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("/date/{v}"))
    } else if v == "unknown" {
        Ok("/date/unknown".into())
    } else {
        Err(Error::query(Msg::QueryNotYear, &[("value", &v)]))
    }
}

/// `2019`, `2019-06` (or `2019/6`, `2019.06`, `2019年6月`) or `unknown`.
fn date_facet(_: &dyn FacetResolver, v: &str) -> Result<String> {
    if let Some((y, m)) = month_word(v) {
        return Ok(format!("/date/{y}/{m:02}"));
    }
    match year_word(v) {
        Some(y) => Ok(format!("/date/{y}")),
        _ if v == "unknown" => Ok("/date/unknown".into()),
        _ => Err(Error::query(Msg::QueryNotMonth, &[("value", &v)])),
    }
}

/// The evidence date's month (capture time, else the document's creation date), `2019/06`,
/// or `unknown`.
fn record_month(r: &Record) -> Vec<String> {
    let month = r
        .evidence_date
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| format!("{}/{:02}", t.year(), t.month()));
    vec![month.unwrap_or_else(|| "unknown".into())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_facet_field_yields_paths_of_its_dimension() {
        let reg = Registry::standard();
        for f in reg.fields {
            if let Kind::Facet {
                dimension,
                to_facet,
            } = f.kind
            {
                assert!(reg.dimension(dimension).is_some(), "{}", f.name);
                let value = match f.name {
                    "media" => "photo",
                    "year" | "date" => "2019",
                    "flag" => "unreadable",
                    "status" => "present",
                    "caption" => "缺人物",
                    _ => "x",
                };
                let path = to_facet(&LiteralFacets, value).unwrap();
                assert!(path.starts_with(&format!("/{dimension}/")), "{path}");
                assert_eq!(reg.for_facet(&path).map(|d| d.name), Some(dimension));
            }
        }
    }

    #[test]
    fn facets_turn_back_into_filters() {
        let r = &LiteralFacets;
        for (path, want) in [
            ("/place/海东市", Some(("prefecture", "海东市"))),
            ("/place/海东市/互助县", Some(("county", "互助县"))),
            ("/indicator/B/B4/B4.1", Some(("indicator", "B4.1"))),
            ("/date/2019", Some(("year", "2019"))),
            ("/date/2019/06", Some(("date", "2019-06"))),
            ("/date/unknown", Some(("year", "unknown"))),
            ("/media/photo", Some(("media", "photo"))),
            ("/flag/no_indicator", Some(("flag", "no_indicator"))),
            ("/status/missing", Some(("status", "missing"))),
            ("/caption/no_people", Some(("caption", "no_people"))),
            ("/camera/HUAWEI P30", Some(("camera", "HUAWEI P30"))),
            ("/media/photo/x", None),
            ("/colour/red", None),
        ] {
            let got = facet_filter(r, path);
            assert_eq!(got.as_ref().map(|(f, v)| (*f, v.as_str())), want, "{path}");
            // The filter finds the facet again (places and indicators need the vocabulary:
            // `search::tests` checks them with the schema).
            let literal = |f: &str| !matches!(f, "prefecture" | "county" | "indicator");
            if let Some((field, value)) = got.filter(|(f, _)| literal(f)) {
                if let Kind::Facet { to_facet, .. } = by_name(field).unwrap().kind {
                    let back = to_facet(r, &value).unwrap();
                    assert_eq!(back, path, "{field}:{value}");
                }
            }
        }
    }

    #[test]
    fn labels_and_names() {
        assert_eq!(by_name("type").map(|f| f.name), Some("media"));
        assert_eq!(by_name("prefecture").unwrap().label(Lang::Zh), "市州");
        assert_eq!(by_name("prefecture").unwrap().label(Lang::En), "Prefecture");
        assert_eq!(
            STANDARD.for_facet("/date/2019").unwrap().label(Lang::Zh),
            "日期"
        );
        let names = Registry::standard().names();
        let canonical: Vec<_> = Registry::standard().fields.iter().map(|f| f.name).collect();
        assert_eq!(
            canonical.join(", "),
            "prefecture, county, place, indicator, media, year, date, camera, flag, status, \
             caption, name, path, text, ocr, blake3"
        );
        for typed in ["type", "市州", "县区", "指标", "年份", "标志", "状态"] {
            assert!(
                names.contains(&typed),
                "{typed} can be typed as a field name"
            );
        }
    }
}
