//! The validated configuration: the archive folder and its `config.toml`.
//!
//! Command-line flags are turned into this once (`cli` owns clap); every stage takes the
//! resolved values from here, never raw flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::fmt;

use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::extract::Limits;
use crate::tag::TagConfig;
use crate::{Error, Result};

/// Default archive folder, relative to the working directory.
pub const DEFAULT_ARCHIVE_DIR: &str = "archive-data";

/// `config.toml` as written by a user. Every section is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    time: RawTime,
    #[serde(default)]
    period: RawPeriod,
    #[serde(default)]
    schema: RawSchema,
    #[serde(default)]
    extract: RawExtract,
    /// `[[users]] name, role, password_hash` (see `curate::users`).
    #[serde(default)]
    users: Vec<UserEntry>,
    #[serde(default)]
    export: RawExport,
    #[serde(default)]
    serve: RawServe,
    #[serde(default)]
    office: RawOffice,
    #[serde(default)]
    ocr: RawOcr,
}

/// `[ocr]`: reading scans and photos of paper (docs/ocr.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOcr {
    /// all | documents | off
    mode: Option<String>,
    budget_secs: Option<u64>,
    page_timeout_secs: Option<u64>,
    threads: Option<usize>,
    /// tesseract's `-l`, e.g. "chi_sim+HanS" or "chi_sim".
    languages: Option<String>,
}

/// `[ocr]` resolved: which photos are read, for how long a run may read, how long one page may
/// take, how many pages at once (0 = one per core).
#[derive(Debug, Clone, PartialEq)]
pub struct OcrConfig {
    pub mode: crate::ocr::Mode,
    pub budget: Option<Duration>,
    pub page_limit: Duration,
    pub threads: usize,
    pub languages: String,
}

impl Default for OcrConfig {
    fn default() -> OcrConfig {
        OcrConfig {
            mode: crate::ocr::Mode::Documents,
            budget: None,
            // A phone photo takes 1–5 s of one core; a page that takes a minute is stuck.
            page_limit: Duration::from_secs(60),
            threads: 0,
            languages: crate::ocr::tesseract::DEFAULT_LANGUAGES.to_string(),
        }
    }
}

/// `[office] name`: who issues the ledgers (printed under their title, to be stamped).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffice {
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServe {
    single_session: Option<bool>,
    searches_per_client: Option<usize>,
    search_timeout_secs: Option<u64>,
    header_timeout_secs: Option<u64>,
}

/// `[serve]`: how the web server protects itself and its users (issue 20, findings 7 and 14).
#[derive(Debug, Clone, PartialEq)]
pub struct ServeConfig {
    /// A new sign-in ends the user's older sessions (a password typed on a shared office PC
    /// stays signed in nowhere else). `false` lets one user work from several browsers.
    pub single_session: bool,
    /// Searches one client address may run at once; more get 503 at once.
    pub searches_per_client: usize,
    /// The longest a search may take before its answer is a 503.
    pub search_timeout: Duration,
    /// The longest a client may take to send a request's headers (slowloris).
    pub header_timeout: Duration,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            single_session: true,
            searches_per_client: 4,
            search_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExport {
    /// `Source-Organization` written into every exported bag's `bag-info.txt`.
    source_organization: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTime {
    default_offset: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    start: Option<DateValue>,
    end: Option<DateValue>,
    edit_gap_days: Option<i64>,
}

/// A date written bare (2016-01-01, a TOML date) or quoted ("2016-01-01").
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateValue {
    Toml(toml::value::Datetime),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtract {
    text_cap_bytes: Option<usize>,
    time_budget_secs: Option<u64>,
    /// Files up to this size are read into memory once for hash and metadata together.
    in_memory_max_bytes: Option<u64>,
}

/// Everything a command needs to know about where things live and how to read them.
#[derive(Debug, Clone)]
pub struct Config {
    pub archive_dir: PathBuf,
    /// A user's own vocabulary folder (indicators.toml etc.); None = the embedded default.
    pub schema_dir: Option<PathBuf>,
    pub limits: Limits,
    pub tag: TagConfig,
    pub in_memory_max: u64,
    /// Who may sign in to the page, with their roles and argon2 hashes.
    pub users: Vec<UserEntry>,
    /// `Source-Organization` of exported packages.
    pub source_organization: Option<String>,
    /// `[serve]` settings.
    pub serve: ServeConfig,
    /// `[office] name`: the issuing office printed on ledgers; none = the line is left out.
    pub office: Option<String>,
    /// `[ocr]` settings.
    pub ocr: OcrConfig,
}

impl Config {
    /// Resolve the archive folder and read its `config.toml` if there is one.
    /// `schema_override` (the `--schema` flag) wins over the file.
    pub fn load(archive_dir: &Path, schema_override: Option<&Path>) -> Result<Config> {
        let path = archive_dir.join("config.toml");
        let raw: RawConfig = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| Error::Config {
                path: path.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => RawConfig::default(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let mut limits = Limits::default();
        if let Some(s) = &raw.time.default_offset {
            limits.default_offset = parse_offset(s).ok_or_else(|| Error::Config {
                path: path.clone(),
                message: format!("time.default_offset {s:?} is not an offset like \"+08:00\""),
            })?;
        }
        if let Some(cap) = raw.extract.text_cap_bytes {
            limits.text_cap = cap;
        }
        if let Some(secs) = raw.extract.time_budget_secs {
            limits.time_budget = Duration::from_secs(secs.max(1));
        }
        let mut tag = TagConfig::default();
        // Dates may be written bare (2016-01-01) or quoted ("2016-01-01").
        let date = |v: &DateValue, key: &str| -> Result<NaiveDate> {
            let text = match v {
                DateValue::Text(s) => s.clone(),
                DateValue::Toml(d) => d.to_string(),
            };
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Error::Config {
                path: path.clone(),
                message: format!("period.{key} {text} is not a date like 2016-01-01"),
            })
        };
        if let Some(v) = &raw.period.start {
            tag.period_start = date(v, "start")?;
        }
        if let Some(v) = &raw.period.end {
            tag.period_end = date(v, "end")?;
        }
        if let Some(g) = raw.period.edit_gap_days {
            tag.edit_gap_days = g;
        }
        if tag.period_end < tag.period_start {
            return Err(Error::Config {
                path,
                message: format!(
                    "period.end {} is before period.start {}",
                    tag.period_end, tag.period_start
                ),
            });
        }
        // A relative schema dir in config.toml is relative to the archive folder.
        let schema_dir = match schema_override {
            Some(p) => Some(p.to_path_buf()),
            None => raw.schema.dir.map(|d| {
                if d.is_relative() {
                    archive_dir.join(d)
                } else {
                    d
                }
            }),
        };
        let mut names = std::collections::HashSet::new();
        if let Some(dup) = raw.users.iter().find(|u| !names.insert(u.name.as_str())) {
            return Err(Error::Config {
                path,
                message: format!(
                    "user {} is listed twice in [[users]]; keep one entry",
                    dup.name
                ),
            });
        }
        let defaults = ServeConfig::default();
        let secs =
            |v: Option<u64>, d: Duration| v.map(|s| Duration::from_secs(s.max(1))).unwrap_or(d);
        let serve = ServeConfig {
            single_session: raw.serve.single_session.unwrap_or(defaults.single_session),
            searches_per_client: raw
                .serve
                .searches_per_client
                .unwrap_or(defaults.searches_per_client)
                .max(1),
            search_timeout: secs(raw.serve.search_timeout_secs, defaults.search_timeout),
            header_timeout: secs(raw.serve.header_timeout_secs, defaults.header_timeout),
        };
        let mut ocr = OcrConfig::default();
        if let Some(m) = &raw.ocr.mode {
            ocr.mode = crate::ocr::Mode::parse(m).ok_or_else(|| Error::Config {
                path: path.clone(),
                message: format!("ocr.mode {m:?} is not one of \"all\", \"documents\", \"off\""),
            })?;
        }
        ocr.budget = raw.ocr.budget_secs.map(Duration::from_secs);
        ocr.page_limit = secs(raw.ocr.page_timeout_secs, ocr.page_limit);
        ocr.threads = raw.ocr.threads.unwrap_or(0);
        if let Some(l) = raw.ocr.languages.filter(|l| !l.trim().is_empty()) {
            ocr.languages = l;
        }
        Ok(Config {
            ocr,
            archive_dir: archive_dir.to_path_buf(),
            serve,
            schema_dir,
            limits,
            tag,
            in_memory_max: raw.extract.in_memory_max_bytes.unwrap_or(256 * 1024 * 1024),
            users: raw.users,
            source_organization: raw
                .export
                .source_organization
                .filter(|s| !s.trim().is_empty()),
            office: raw
                .office
                .name
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        })
    }

    pub fn catalog_path(&self) -> PathBuf {
        self.archive_dir.join("catalog.sqlite")
    }
    pub fn index_dir(&self) -> PathBuf {
        self.archive_dir.join("index")
    }
    pub fn thumbs_dir(&self) -> PathBuf {
        self.archive_dir.join("thumbs")
    }

    /// Load the vocabulary this archive uses.
    pub fn schema(&self) -> Result<crate::schema::Schema> {
        match &self.schema_dir {
            Some(dir) => crate::schema::Schema::load(dir),
            None => crate::schema::Schema::embedded(),
        }
    }
}

/// One `[[users]]` entry of `config.toml`. Defined with the configuration that holds it;
/// `curate::users` edits the file and checks passwords against these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    pub name: String,
    pub role: Role,
    /// An argon2 PHC string (`$argon2id$v=19$...`).
    pub password_hash: String,
}

/// What a user may do. Ordered: each role can do everything the roles before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Searches, views and downloads.
    Viewer,
    /// Also curates collections, tags and reviews, and exports packages.
    Curator,
    /// Also manages users.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Curator => "curator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "curator" => Some(Role::Curator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// "+08:00", "-05:30", "Z", "+0800": the parser EXIF offsets go through too.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    crate::extract::photo::parse_utc_offset(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+08:00"), FixedOffset::east_opt(8 * 3600));
        assert_eq!(
            parse_offset("-0530"),
            FixedOffset::east_opt(-(5 * 3600 + 30 * 60))
        );
        assert_eq!(parse_offset("Z"), FixedOffset::east_opt(0));
        assert_eq!(parse_offset("8"), None);
        assert_eq!(parse_offset("+25:00"), None);
    }

    #[test]
    fn config_file_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "[period]\nstart = 2017-01-01\nend = 2019-12-31\n[time]\ndefault_offset = \"+06:00\"\n",
        )
        .unwrap();
        let c = Config::load(dir.path(), None).unwrap();
        assert_eq!(
            c.office, None,
            "no [office]: the ledger prints no office line"
        );
        assert_eq!(
            c.tag.period_start,
            NaiveDate::from_ymd_opt(2017, 1, 1).unwrap()
        );
        assert_eq!(
            c.limits.default_offset,
            FixedOffset::east_opt(6 * 3600).unwrap()
        );

        std::fs::write(
            dir.path().join("config.toml"),
            "[period]\nstrat = 2017-01-01\n",
        )
        .unwrap();
        let e = Config::load(dir.path(), None).unwrap_err().to_string();
        assert!(e.contains("config.toml") && e.contains("strat"), "{e}");

        std::fs::write(
            dir.path().join("config.toml"),
            "[office]\nname = \" 青海省科协科普部 \"\n",
        )
        .unwrap();
        let c = Config::load(dir.path(), None).unwrap();
        assert_eq!(c.office.as_deref(), Some("青海省科协科普部"));
    }

    #[test]
    fn serve_settings_default_to_one_session_per_user() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load(dir.path(), None).unwrap().serve,
            ServeConfig::default()
        );
        assert!(ServeConfig::default().single_session);
        std::fs::write(
            dir.path().join("config.toml"),
            "[serve]\nsingle_session = false\nsearches_per_client = 0\nsearch_timeout_secs = 3\n",
        )
        .unwrap();
        let s = Config::load(dir.path(), None).unwrap().serve;
        assert!(!s.single_session);
        assert_eq!(s.searches_per_client, 1, "never zero: nobody could search");
        assert_eq!(s.search_timeout, Duration::from_secs(3));
    }
}
