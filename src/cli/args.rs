//! The command line's grammar: clap types only, so the rest of `cli` (and nothing outside
//! it) sees flags as plain values and a change of syntax touches one file.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::i18n::Lang;

#[derive(Parser, Debug)]
#[command(
    name = "archive",
    version,
    about = "Evidence archive: index folders of photos, videos and documents, tag them, search them, export verifiable packages."
)]
pub(super) struct Cli {
    /// The archive folder (catalog, index, thumbnails, config.toml). Default: ARCHIVE_DIR,
    /// else the folder the last `index` or `demo` used (remembered per user), else
    /// ./archive-data.
    #[arg(long, global = true, env = "ARCHIVE_DIR")]
    pub(super) archive: Option<PathBuf>,
    /// A folder with your own vocabulary (indicators.toml, divisions.csv, ...), instead of the built-in one.
    #[arg(long, global = true, env = "ARCHIVE_SCHEMA")]
    pub(super) schema: Option<PathBuf>,
    /// Language of messages and tables: zh or en. Default: from LC_ALL / LC_MESSAGES / LANG
    /// (zh* is Chinese), else English.
    #[arg(long, global = true, env = "ARCHIVE_LANG", value_parser = parse_lang)]
    pub(super) lang: Option<Lang>,
    /// Show the libraries' own log lines (warnings) on the terminal too; they always go to
    /// ARCHIVE/logs/archive.log.
    #[arg(short, long, global = true)]
    pub(super) verbose: bool,
    #[command(subcommand)]
    pub(super) command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language {s:?}: use zh or en (中文用 zh)"))
}

#[derive(Subcommand, Debug)]
pub(super) enum Command {
    /// Walk evidence folders, hash, extract, tag and index every file (incremental).
    Index(IndexArgs),
    /// Search the index: words, "phrases", AND/OR/NOT, field:value.
    Search(SearchArgs),
    /// Show one catalogued file in full, by path or BLAKE3.
    Show {
        /// A path (as indexed or as displayed) or a BLAKE3 hash (or a unique prefix of 8+ characters).
        target: String,
        #[arg(long)]
        json: bool,
    },
    /// Photos in the archive that show the same picture as this one (re-saved, resized,
    /// cropped, watermarked, brightened, PNG), with what differs; the file need not be catalogued.
    Similar {
        /// A photo (catalogued or not) or a catalogued content's BLAKE3 (or a unique prefix of 8+ characters).
        target: String,
        #[arg(long)]
        json: bool,
    },
    /// List catalogued files in path order, streaming (all, or those matching the filters).
    List {
        #[arg(long = "filter", value_name = "FIELD=VALUE")]
        filters: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the search index from the catalog alone.
    Reindex,
    /// Recognise the text of scanned PDFs and photos of paper (the stage `index` runs last),
    /// resuming where the last run stopped.
    Ocr(OcrArgs),
    /// Recompute tags and flags from the catalog after the vocabulary or config changed.
    Retag,
    /// The coverage ledger (台账): indicators × prefectures (or one prefecture's counties), empty cells marked.
    Report(ReportArgs),
    /// Write a sample evidence tree (Chinese folders, photos with EXIF, documents, oddities).
    Sample {
        /// Where to write it (must not exist or be empty).
        dest: PathBuf,
    },
    /// Collections of files to show an inspection: create, add, review, reorder.
    #[command(subcommand)]
    Collection(CollectionCmd),
    /// Set or clear a file's indicator, prefecture or county by hand (the strongest source).
    #[command(subcommand)]
    Tag(TagCmd),
    /// Mark a file's flag checked (已核实) or explained (已说明) with a note, or reopen it.
    #[command(subcommand)]
    Flag(FlagCmd),
    /// Photo captions (DA/T 50: 题名, 摄影者, 人物, 背景, 文字说明, 地点, 摄影时间): set them
    /// for files or a whole collection, or import a spreadsheet of them.
    #[command(subcommand)]
    Caption(CaptionCmd),
    /// Print a collection's contact sheets for the paper binders: an A4 PDF with the
    /// catalogue (卷内目录) and the photos with their captions, 6 or 12 to a page.
    Print {
        #[arg(long)]
        collection: String,
        #[arg(long)]
        out: PathBuf,
        /// Photos per page: 6 or 12.
        #[arg(long, default_value_t = 6, value_parser = parse_per_page)]
        per_page: usize,
        /// 档号 prefix: item 12 is printed as PREFIX-0012 (without it, 序号 only).
        #[arg(long)]
        prefix: Option<String>,
        /// A TrueType/OpenType font with Chinese to embed (default: one found on the system;
        /// without any, the standard STSong-Light, not embedded).
        #[arg(long)]
        font: Option<PathBuf>,
    },
    /// The hash-chained audit log: print it, export it (--json), or `audit verify` it.
    Audit(AuditArgs),
    /// Users and roles of the page (stored in the archive's config.toml).
    #[command(subcommand)]
    User(UserCmd),
    /// Export a collection as a BagIt evidence package (folder, or zip with --zip).
    Export(ExportArgs),
    /// Check a BagIt package (folder or zip) against its manifests; exit 0 only when intact.
    Verify {
        /// The package folder or .zip file.
        path: PathBuf,
        #[arg(long)]
        json: bool,
        /// The signing office's published public key (hex, base64, PEM), its fingerprint, or a
        /// file holding one: the package must be signed with that key (else exit 2). Without
        /// it the signature is reported but proves nothing about who made the package.
        #[arg(long, value_name = "PUBKEY|FINGERPRINT|FILE")]
        key: Option<String>,
    },
    /// The archive's package-signing key (Ed25519): create it once, show the public half to publish.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Serve the search page and JSON API for this archive (loopback only by default).
    Serve(ServeArgs),
    /// The problem list (问题清单): import it, link the evidence that closes each problem, track its status.
    #[command(subcommand)]
    Problems(ProblemsCmd),
    /// Publish the catalog's records to a national OpenSearch/Elasticsearch or Quickwit cluster
    /// (only what changed since the last run; the evidence stays here).
    Publish(PublishArgs),
    /// Try it out: write the sample evidence, index it into the archive folder, serve the page.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Where the sample evidence goes (reused when it already holds the sample tree).
        #[arg(long, default_value = "sample-evidence")]
        evidence: PathBuf,
    },
}

#[derive(Args, Debug)]
pub(super) struct ServeArgs {
    /// Address to listen on. Other machines can reach the page only with a non-loopback
    /// address, and that needs at least one user (`archive user add`): everyone must then sign in.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(super) addr: std::net::SocketAddr,
    /// Do not try to open a browser (demo only).
    #[arg(long)]
    pub(super) no_browser: bool,
    /// Let anyone who reaches the server search and download without signing in, although
    /// users exist (a kiosk); curation still needs a sign-in.
    #[arg(long)]
    pub(super) public_read: bool,
}

#[derive(Subcommand, Debug)]
pub(super) enum CollectionCmd {
    /// Create an empty collection.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Rename a collection.
    Rename { name: String, new_name: String },
    /// Set a collection's description (the package's External-Description).
    Describe { name: String, description: String },
    /// Add files (paths or BLAKE3) and/or every file matching a search.
    Add {
        name: String,
        files: Vec<String>,
        /// Add every file this query matches (the `archive search` language).
        #[arg(long)]
        query: Option<String>,
        #[arg(long = "filter", short = 'f', value_name = "FIELD=VALUE")]
        filters: Vec<String>,
    },
    /// Take files out of a collection.
    Remove {
        name: String,
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Move one file to another position (1 = first).
    Move {
        name: String,
        file: String,
        #[arg(long)]
        to: i64,
    },
    /// Mark files accepted, rejected (a reason is required) or pending again.
    Review {
        name: String,
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long, conflicts_with_all = ["reject", "pending"])]
        accept: bool,
        #[arg(long, conflicts_with = "pending")]
        reject: bool,
        #[arg(long)]
        pending: bool,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Delete a collection (the files and the audit log stay); --reason is required.
    Delete {
        name: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// List collections.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show a collection's items in order with their review state.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum KindArg {
    Indicator,
    Prefecture,
    County,
}

impl From<KindArg> for crate::tag::TagKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Indicator => crate::tag::TagKind::Indicator,
            KindArg::Prefecture => crate::tag::TagKind::Prefecture,
            KindArg::County => crate::tag::TagKind::County,
        }
    }
}

#[derive(Subcommand, Debug)]
pub(super) enum TagCmd {
    /// Set one tag by hand on files (paths or BLAKE3); --reason is required.
    Set {
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long, group = "what")]
        indicator: Option<String>,
        #[arg(long, group = "what")]
        prefecture: Option<String>,
        #[arg(long, group = "what")]
        county: Option<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Remove a manual tag so the other sources decide again; --reason is required.
    Clear {
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long, value_enum)]
        kind: KindArg,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub(super) enum FlagCmd {
    /// Mark a flag of a file's content checked or explained; --note is required. Every copy
    /// of the same content shares the decision.
    Resolve {
        /// A path (as indexed or as displayed) or a BLAKE3 hash (or a unique prefix).
        file: String,
        /// The flag: its name (no_capture_date) or its label (无拍摄时间).
        flag: String,
        /// checked (已核实) or explained (已说明).
        #[arg(long = "as", value_name = "checked|explained", value_parser = parse_resolution)]
        state: crate::curate::flags::Resolution,
        /// What was checked, or why the flag stands (shown on the record and in packages).
        #[arg(long)]
        note: Option<String>,
    },
    /// Take a decision back: the flag needs checking again; --note (why) is required.
    Reopen {
        file: String,
        flag: String,
        #[arg(long, alias = "reason")]
        note: Option<String>,
    },
}

// Parsed once per run: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub(super) enum CaptionCmd {
    /// Write caption fields of files (paths or BLAKE3) or of every file of a collection; fields
    /// not given are kept, an empty text ("") clears one. Every copy of a content shares it.
    Set {
        /// Paths (as indexed or as displayed) or BLAKE3 hashes (or unique prefixes).
        files: Vec<String>,
        /// Every file of this collection (one photographer or occasion for many).
        #[arg(long)]
        collection: Option<String>,
        /// 题名
        #[arg(long)]
        title: Option<String>,
        /// 摄影者
        #[arg(long)]
        photographer: Option<String>,
        /// 人物
        #[arg(long)]
        people: Option<String>,
        /// 背景 (the occasion)
        #[arg(long)]
        background: Option<String>,
        /// 文字说明
        #[arg(long)]
        description: Option<String>,
        /// 地点 (default: the tagged prefecture and county)
        #[arg(long)]
        place: Option<String>,
        /// 摄影时间 (default: the capture time)
        #[arg(long)]
        taken: Option<String>,
        /// Why, for the audit log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Import captions from a spreadsheet (.xlsx, .xls, .csv) with a header row: 文件名 (or
    /// 路径, BLAKE3) and any of 题名, 摄影者, 人物, 背景, 文字说明, 地点, 摄影时间. Refused
    /// whole, naming every bad row, when any row is wrong.
    Import { file: PathBuf },
}

fn parse_per_page(s: &str) -> Result<usize, String> {
    match s.trim() {
        "6" => Ok(6),
        "12" => Ok(12),
        _ => Err(format!("{s:?}: 每页 6 或 12 张 / use 6 or 12")),
    }
}

fn parse_resolution(s: &str) -> Result<crate::curate::flags::Resolution, String> {
    crate::curate::flags::Resolution::parse(s)
        .ok_or_else(|| format!("{s:?}: use checked (已核实) or explained (已说明)"))
}

#[derive(Args, Debug)]
pub(super) struct AuditArgs {
    #[command(subcommand)]
    pub(super) command: Option<AuditCmd>,
    /// One JSON object per entry and line, with the canonical text each hash covers.
    #[arg(long, global = true)]
    pub(super) json: bool,
    /// Only entries about this file (a path or a BLAKE3).
    #[arg(long)]
    pub(super) file: Option<String>,
}

#[derive(Subcommand, Debug)]
pub(super) enum AuditCmd {
    /// Recompute the hash chain; exit 2 naming the first edited or deleted entry.
    Verify,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum RoleArg {
    Viewer,
    Curator,
    Admin,
}

impl From<RoleArg> for crate::curate::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Viewer => crate::curate::Role::Viewer,
            RoleArg::Curator => crate::curate::Role::Curator,
            RoleArg::Admin => crate::curate::Role::Admin,
        }
    }
}

#[derive(Subcommand, Debug)]
pub(super) enum UserCmd {
    /// Add a user; the password is asked without echo (or read from stdin).
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users and roles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a user.
    Remove {
        name: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Change a user's password.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's role.
    Role {
        name: String,
        #[arg(value_enum)]
        role: RoleArg,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub(super) enum KeyCmd {
    /// Create the signing key in ARCHIVE/keys/ (private, never exported); exports are signed from then on.
    Init,
    /// Print the public key and its fingerprint, for the office to publish.
    Show {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub(super) struct ExportArgs {
    /// The collection to export.
    #[arg(long)]
    pub(super) collection: String,
    /// The package folder to create (or the .zip file with --zip); must not exist.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// Write one zip file instead of a folder.
    #[arg(long)]
    pub(super) zip: bool,
    /// Also package rejected items (the ledger marks them 不通过).
    #[arg(long)]
    pub(super) include_rejected: bool,
    /// Refuse to write an unsigned package: fail unless the archive has a signing key
    /// (`archive key init`). Packages are signed whenever a key exists, with or without this.
    #[arg(long)]
    pub(super) sign: bool,
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Args, Debug)]
pub(super) struct IndexArgs {
    /// Evidence folders (read-only: nothing is ever written inside them).
    #[arg(required = true)]
    pub(super) paths: Vec<PathBuf>,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(long)]
    pub(super) follow_symlinks: bool,
    /// Rehash every file and report content that differs from the catalog (fixity check).
    #[arg(long)]
    pub(super) verify: bool,
    /// Leave the photos' visual fingerprints (near-duplicate check) to the next run: the
    /// index is searchable as fast as hashing allows.
    #[arg(long)]
    pub(super) no_similar: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(super) json: bool,
    /// Hashing and extraction threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub(super) workers: usize,
    #[command(flatten)]
    pub(super) ocr: OcrFlags,
}

/// How the OCR stage runs; unset flags take `[ocr]` in config.toml.
#[derive(Args, Debug, Clone)]
pub(super) struct OcrFlags {
    /// Which photos to read: all, documents (those that look like paper; the default), off.
    /// Image-only PDFs are read unless off.
    #[arg(long, value_enum)]
    pub(super) ocr: Option<OcrModeArg>,
    /// Stop starting new files after this many seconds; the rest wait for the next run.
    #[arg(long, value_name = "SECS")]
    pub(super) ocr_budget: Option<u64>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub(super) enum OcrModeArg {
    All,
    Documents,
    Off,
}

#[derive(Args, Debug)]
pub(super) struct OcrArgs {
    #[command(flatten)]
    pub(super) flags: OcrFlags,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub(super) enum ReportFormat {
    Table,
    Csv,
    Xlsx,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub(super) enum ReportBy {
    Prefecture,
    County,
}

#[derive(Args, Debug)]
pub(super) struct ReportArgs {
    /// Columns: the eight prefectures, or the counties of --prefecture.
    #[arg(long, value_enum, default_value = "prefecture")]
    pub(super) by: ReportBy,
    /// With --by county: which prefecture (name, short name or code).
    #[arg(long)]
    pub(super) prefecture: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub(super) format: ReportFormat,
    /// Write to this file instead of standard output (required for xlsx on a terminal).
    #[arg(long)]
    pub(super) out: Option<PathBuf>,
    /// Which files count: period (dated inside the assessment period, the default), accepted
    /// (not rejected in any collection review), or all.
    #[arg(long, value_name = "period|accepted|all", value_parser = parse_counted, default_value = "period")]
    pub(super) count: crate::report::Counted,
    /// The scoring self-check (评分细则) instead of the ledger: per prefecture the points its
    /// accepted evidence supports and, per indicator, what is missing and the open problems
    /// (--prefecture for one). Needs points in indicators.toml.
    #[arg(long)]
    pub(super) score: bool,
    /// Same as --format json.
    #[arg(long)]
    pub(super) json: bool,
}

fn parse_counted(s: &str) -> Result<crate::report::Counted, String> {
    crate::report::Counted::parse(s)
        .ok_or_else(|| format!("{s:?}: use period (考核期内), accepted (未被否决) or all (全部)"))
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum SortArg {
    Relevance,
    Date,
    DateAsc,
}

#[derive(Args, Debug)]
pub(super) struct SearchArgs {
    /// The query (several words are joined; empty lists everything matching the filters).
    pub(super) query: Vec<String>,
    #[arg(long = "filter", short = 'f', value_name = "FIELD=VALUE")]
    pub(super) filters: Vec<String>,
    #[arg(long, default_value_t = 20)]
    pub(super) limit: usize,
    #[arg(long, default_value_t = 0)]
    pub(super) offset: usize,
    #[arg(long, value_enum, default_value = "relevance")]
    pub(super) sort: SortArg,
    /// One JSON object per hit and line.
    #[arg(long)]
    pub(super) json: bool,
}

// ---- problem list (helper: problems)

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub(super) enum ProblemStatusArg {
    Open,
    Rectifying,
    Rectified,
    Verified,
    Withdrawn,
}

impl From<ProblemStatusArg> for crate::problems::Status {
    fn from(s: ProblemStatusArg) -> Self {
        use crate::problems::Status;
        match s {
            ProblemStatusArg::Open => Status::Open,
            ProblemStatusArg::Rectifying => Status::Rectifying,
            ProblemStatusArg::Rectified => Status::Rectified,
            ProblemStatusArg::Verified => Status::Verified,
            ProblemStatusArg::Withdrawn => Status::Withdrawn,
        }
    }
}

#[derive(Subcommand, Debug)]
pub(super) enum ProblemsCmd {
    /// Import the problem list (XLSX, XLS, or CSV in UTF-8 or GBK). A list with any bad row is
    /// refused whole, every bad row named; importing again updates it and withdraws what is gone.
    Import {
        file: PathBuf,
        /// The year of deadlines written without one (6月底前); default: the list's title.
        #[arg(long)]
        year: Option<i32>,
        /// Which column holds which field, when its header is unusual: COLUMN=field, the column
        /// by its header or letter (A, B, …); fields: number, prefecture, county, category,
        /// description, indicator, measures, responsible, deadline, progress, remark.
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        maps: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List problems (a prefecture's list includes the province-wide ones).
    List {
        /// A prefecture or county (name, short name or code), or 全省 for the province-wide ones.
        #[arg(long)]
        prefecture: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long, value_enum)]
        status: Option<ProblemStatusArg>,
        /// Only problems past their deadline and not rectified, verified or withdrawn.
        #[arg(long)]
        overdue: bool,
        /// The day overdue is judged on (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// One JSON object per problem and line.
        #[arg(long)]
        json: bool,
    },
    /// Show one problem with its evidence and history.
    Show {
        id: i64,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Link files (paths or BLAKE3) to a problem as the evidence of its rectification.
    Link {
        id: i64,
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Take files off a problem's evidence.
    Unlink {
        id: i64,
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// The rectification ledger (整改台账): totals per place and category, then every problem.
    Report {
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
        /// Write to this file instead of standard output (required for xlsx on a terminal).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Change a problem's status; --reason is required, and verified needs linked evidence.
    Set {
        id: i64,
        #[arg(long, value_enum)]
        status: ProblemStatusArg,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Args, Debug)]
pub(super) struct PublishArgs {
    /// The cluster's engine.
    #[arg(long, value_enum)]
    pub(super) engine: crate::publish::Engine,
    /// The cluster's base URL (https://… or http://…).
    #[arg(long)]
    pub(super) to: Option<String>,
    /// The index the records go into.
    #[arg(long, default_value = "evidence")]
    pub(super) index: String,
    /// The province the records are from (part of every record and of its id).
    #[arg(long, default_value = "青海省")]
    pub(super) province: String,
    /// This archive server's own address, for each record's detail_url and thumb_url.
    #[arg(long)]
    pub(super) base_url: Option<String>,
    /// Write the payloads that would be sent to --out; send nothing, record nothing.
    #[arg(long, requires = "out")]
    pub(super) dry_run: bool,
    #[arg(long)]
    pub(super) out: Option<PathBuf>,
    /// Print the index template (OpenSearch) or index config (Quickwit) and stop.
    #[arg(long)]
    pub(super) print_mapping: bool,
    /// Basic authentication: the user, with the password in the environment variable named by
    /// --password-env.
    #[arg(long, requires = "password_env")]
    pub(super) user: Option<String>,
    #[arg(long)]
    pub(super) password_env: Option<String>,
    /// An API key (OpenSearch/Elasticsearch `ApiKey`), read from this environment variable.
    #[arg(long)]
    pub(super) api_key_env: Option<String>,
    /// A bearer token (e.g. Quickwit behind a gateway), read from this environment variable.
    #[arg(long)]
    pub(super) token_env: Option<String>,
    /// Characters of a document's text sent at most.
    #[arg(long, default_value_t = crate::publish::DEFAULT_TEXT_CAP)]
    pub(super) text_cap: usize,
    /// Megabytes per request at most.
    #[arg(long, default_value_t = 5)]
    pub(super) batch_mb: usize,
    #[arg(long)]
    pub(super) json: bool,
}
