//! The command line's grammar: clap types only, so the rest of `cli` (and nothing outside
//! it) sees flags as plain values and a change of syntax touches one file.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::DEFAULT_ARCHIVE_DIR;
use crate::i18n::Lang;

#[derive(Parser, Debug)]
#[command(
    name = "archive",
    version,
    about = "Evidence archive: index folders of photos, videos and documents, tag them, search them, export verifiable packages."
)]
pub(super) struct Cli {
    /// The archive folder (catalog, index, thumbnails, config.toml).
    #[arg(long, global = true, env = "ARCHIVE_DIR", default_value = DEFAULT_ARCHIVE_DIR)]
    pub(super) archive: PathBuf,
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
    /// Print the summary as JSON.
    #[arg(long)]
    pub(super) json: bool,
    /// Hashing and extraction threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub(super) workers: usize,
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
