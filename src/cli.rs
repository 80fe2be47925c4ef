//! The command line. clap types stay in this module: each command turns its flags into a
//! validated [`Config`] once and calls the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog::Catalog;
use crate::config::{Config, DEFAULT_ARCHIVE_DIR};
use crate::curate::commands;
use crate::index::SearchIndex;
use crate::pipeline::{self, IndexOptions, RunSummary};
use crate::record::Record;
use crate::search::{self, SearchRequest, Sort};

#[derive(Parser, Debug)]
#[command(
    name = "archive",
    version,
    about = "Evidence archive: index folders of photos, videos and documents, tag them, search them, export verifiable packages."
)]
struct Cli {
    /// The archive folder (catalog, index, thumbnails, config.toml).
    #[arg(long, global = true, env = "ARCHIVE_DIR", default_value = DEFAULT_ARCHIVE_DIR)]
    archive: PathBuf,
    /// A folder with your own vocabulary (indicators.toml, divisions.csv, ...), instead of the built-in one.
    #[arg(long, global = true, env = "ARCHIVE_SCHEMA")]
    schema: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
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
    },
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
struct ServeArgs {
    /// Address to listen on. Other machines can reach the page only with a non-loopback
    /// address, and that needs at least one user (`archive user add`): everyone must then sign in.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Do not try to open a browser (demo only).
    #[arg(long)]
    no_browser: bool,
}

#[derive(Subcommand, Debug)]
enum CollectionCmd {
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
enum KindArg {
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
enum TagCmd {
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
struct AuditArgs {
    #[command(subcommand)]
    command: Option<AuditCmd>,
    /// One JSON object per entry and line, with the canonical text each hash covers.
    #[arg(long, global = true)]
    json: bool,
    /// Only entries about this file (a path or a BLAKE3).
    #[arg(long)]
    file: Option<String>,
}

#[derive(Subcommand, Debug)]
enum AuditCmd {
    /// Recompute the hash chain; exit 2 naming the first edited or deleted entry.
    Verify,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum RoleArg {
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

fn cmd_serve(cfg: Config, a: ServeArgs, demo: bool) -> anyhow::Result<u8> {
    // Without users there is no sign-in, so a reachable address would show all evidence to
    // anyone on the network; with users, everything (search included) needs a sign-in.
    if !crate::serve::is_loopback(&a.addr) && cfg.users.is_empty() {
        bail!(
            "{} can be reached from other machines, and no users are configured, so nobody could sign in; \
             add a user first: archive user add NAME --role admin (or serve on 127.0.0.1, the default)",
            a.addr
        );
    }
    let mut state = crate::serve::AppState::open(cfg)?;
    if !crate::serve::is_loopback(&a.addr) {
        state = state.allowing_remote();
    }
    let rt = tokio::runtime::Runtime::new().context("starting the web server runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("cannot listen on {}: is another program (or another archive serve) using it? choose another with --addr", a.addr))?;
        let local = listener.local_addr()?;
        let url = format!("http://{local}/");
        println!("serving {} at {url}  (Ctrl-C stops)", state.config().archive_dir.display());
        if !crate::serve::is_loopback(&local) {
            eprintln!("note: {local} is reachable from other machines; everyone must sign in");
        }
        if demo && !a.no_browser {
            // Best effort: a desktop opens the page, a server without one just prints the URL.
            let _ = std::process::Command::new("xdg-open")
                .arg(&url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
        crate::serve::serve(listener, state, crate::serve::ctrl_c()).await?;
        anyhow::Ok(())
    })?;
    Ok(0)
}

#[derive(Subcommand, Debug)]
enum UserCmd {
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

#[derive(Args, Debug)]
struct ExportArgs {
    /// The collection to export.
    #[arg(long)]
    collection: String,
    /// The package folder to create (or the .zip file with --zip); must not exist.
    #[arg(long)]
    out: PathBuf,
    /// Write one zip file instead of a folder.
    #[arg(long)]
    zip: bool,
    /// Also package rejected items (the ledger marks them 不通过).
    #[arg(long)]
    include_rejected: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct IndexArgs {
    /// Evidence folders (read-only: nothing is ever written inside them).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(long)]
    follow_symlinks: bool,
    /// Rehash every file and report content that differs from the catalog (fixity check).
    #[arg(long)]
    verify: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Hashing and extraction threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    workers: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
enum ReportFormat {
    Table,
    Csv,
    Xlsx,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
enum ReportBy {
    Prefecture,
    County,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// Columns: the eight prefectures, or the counties of --prefecture.
    #[arg(long, value_enum, default_value = "prefecture")]
    by: ReportBy,
    /// With --by county: which prefecture (name, short name or code).
    #[arg(long)]
    prefecture: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    /// Write to this file instead of standard output (required for xlsx on a terminal).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SortArg {
    Relevance,
    Date,
    DateAsc,
}

#[derive(Args, Debug)]
struct SearchArgs {
    /// The query (several words are joined; empty lists everything matching the filters).
    query: Vec<String>,
    #[arg(long = "filter", short = 'f', value_name = "FIELD=VALUE")]
    filters: Vec<String>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[arg(long, value_enum, default_value = "relevance")]
    sort: SortArg,
    /// One JSON object per hit and line.
    #[arg(long)]
    json: bool,
}

/// Entry point of the binary: runs the command, prints the error chain, maps to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("ARCHIVE_LOG"))
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("archive: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let cfg = || Config::load(&cli.archive, cli.schema.as_deref()).map_err(anyhow::Error::from);
    match cli.command {
        Command::Index(a) => cmd_index(&cfg()?, a),
        Command::Search(a) => cmd_search(&cfg()?, a),
        Command::Show { target, json } => cmd_show(&cfg()?, &target, json),
        Command::List { filters, json } => cmd_list(&cfg()?, &filters, json),
        Command::Reindex => {
            let cfg = cfg()?;
            let n = pipeline::reindex(&cfg)?;
            println!("search index rebuilt from the catalog: {n} documents");
            Ok(0)
        }
        Command::Retag => {
            let cfg = cfg()?;
            let schema = cfg.schema()?;
            let mut catalog = Catalog::open_existing(&cfg.archive_dir)?;
            let changed = pipeline::retag(&mut catalog, &schema, &cfg)?;
            let updated = pipeline::sync_index(&mut catalog, &cfg, &schema)?;
            println!("retagged: {changed} files' tags or flags changed; {updated} search documents updated");
            Ok(0)
        }
        Command::Report(a) => cmd_report(&cfg()?, a),
        Command::Sample { dest } => {
            let summary = crate::sample::generate(&dest)
                .with_context(|| format!("writing sample evidence to {}", dest.display()))?;
            println!(
                "sample evidence written to {}: {} files",
                dest.display(),
                summary.files
            );
            Ok(0)
        }
        Command::Collection(c) => cmd_collection(&cfg()?, c),
        Command::Tag(t) => cmd_tag(&cfg()?, t),
        Command::Audit(a) => {
            let cfg = cfg()?;
            Ok(match a.command {
                Some(AuditCmd::Verify) => commands::audit_verify(&cfg, a.json)?,
                None => commands::audit_show(&cfg, a.json, a.file.as_deref())?,
            })
        }
        Command::User(u) => cmd_user(&cli.archive, u),
        Command::Export(a) => Ok(commands::export(
            &cfg()?,
            &a.collection,
            &a.out,
            a.zip,
            a.include_rejected,
            a.json,
        )?),
        Command::Verify { path, json } => Ok(commands::verify(&path, json)?),
        Command::Serve(a) => cmd_serve(cfg()?, a, false),
        Command::Demo { serve, evidence } => {
            let summary = crate::sample::generate(&evidence)
                .with_context(|| format!("writing sample evidence to {}", evidence.display()))?;
            println!(
                "sample evidence in {}: {} files",
                evidence.display(),
                summary.files
            );
            let cfg = cfg()?;
            let opts = IndexOptions {
                roots: vec![evidence],
                progress: std::io::stderr().is_terminal(),
                ..IndexOptions::default()
            };
            let run = pipeline::run_index(&cfg, &opts)?;
            print_summary(&mut std::io::stdout().lock(), &run, false)?;
            println!("archive folder: {}", cfg.archive_dir.display());
            cmd_serve(cfg, serve, true)
        }
    }
}

fn cmd_collection(cfg: &Config, c: CollectionCmd) -> anyhow::Result<u8> {
    use crate::curate::collections::Review;
    Ok(match c {
        CollectionCmd::Create { name, description } => {
            commands::collection_create(cfg, &name, &description)?
        }
        CollectionCmd::Rename { name, new_name } => {
            commands::collection_rename(cfg, &name, &new_name)?
        }
        CollectionCmd::Describe { name, description } => {
            commands::collection_describe(cfg, &name, &description)?
        }
        CollectionCmd::Add {
            name,
            files,
            query,
            filters,
        } => commands::collection_add(
            cfg,
            &name,
            &files,
            query.as_deref(),
            &parse_filters(&filters)?,
        )?,
        CollectionCmd::Remove {
            name,
            files,
            reason,
        } => commands::collection_remove(cfg, &name, &files, reason.as_deref())?,
        CollectionCmd::Move { name, file, to } => commands::collection_move(cfg, &name, &file, to)?,
        CollectionCmd::Review {
            name,
            files,
            accept,
            reject,
            pending,
            reason,
        } => {
            let state = match (accept, reject, pending) {
                (true, _, _) => Review::Accepted,
                (_, true, _) => Review::Rejected,
                (_, _, true) => Review::Pending,
                _ => bail!(
                    "say what the review is: --accept, --reject --reason \"...\" or --pending"
                ),
            };
            commands::collection_review(cfg, &name, &files, state, reason.as_deref())?
        }
        CollectionCmd::Delete { name, reason } => {
            commands::collection_delete(cfg, &name, reason.as_deref())?
        }
        CollectionCmd::List { json } => commands::collection_list(cfg, json)?,
        CollectionCmd::Show { name, json } => commands::collection_show(cfg, &name, json)?,
    })
}

fn cmd_tag(cfg: &Config, t: TagCmd) -> anyhow::Result<u8> {
    use crate::tag::TagKind;
    Ok(match t {
        TagCmd::Set {
            files,
            indicator,
            prefecture,
            county,
            reason,
        } => {
            let (kind, value) = match (indicator, prefecture, county) {
                (Some(v), _, _) => (TagKind::Indicator, v),
                (_, Some(v), _) => (TagKind::Prefecture, v),
                (_, _, Some(v)) => (TagKind::County, v),
                _ => bail!(
                    "say what to set: --indicator B4.1, --prefecture 海东市 or --county 互助县"
                ),
            };
            commands::tag_set(cfg, &files, kind, &value, reason.as_deref())?
        }
        TagCmd::Clear {
            files,
            kind,
            reason,
        } => commands::tag_clear(cfg, &files, kind.into(), reason.as_deref())?,
    })
}

fn cmd_user(archive: &std::path::Path, u: UserCmd) -> anyhow::Result<u8> {
    Ok(match u {
        UserCmd::Add {
            name,
            role,
            password_stdin,
        } => commands::user_add(archive, &name, role.into(), password_stdin)?,
        UserCmd::List { json } => commands::user_list(archive, json)?,
        UserCmd::Remove { name, reason } => {
            commands::user_remove(archive, &name, reason.as_deref())?
        }
        UserCmd::Passwd {
            name,
            password_stdin,
        } => commands::user_passwd(archive, &name, password_stdin)?,
        UserCmd::Role { name, role, reason } => {
            commands::user_role(archive, &name, role.into(), reason.as_deref())?
        }
    })
}

fn cmd_index(cfg: &Config, a: IndexArgs) -> anyhow::Result<u8> {
    let opts = IndexOptions {
        roots: a.paths,
        follow_symlinks: a.follow_symlinks,
        verify: a.verify,
        workers: a.workers,
        progress: !a.json && std::io::stderr().is_terminal(),
    };
    let summary = pipeline::run_index(cfg, &opts)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        print_summary(&mut out, &summary, a.verify)?;
    }
    Ok(summary.exit_code())
}

fn print_summary(out: &mut impl Write, s: &RunSummary, verify: bool) -> std::io::Result<()> {
    writeln!(
        out,
        "indexed: {} new, {} changed, {} unchanged, {} missing, {} back again, {} errors",
        s.new,
        s.changed,
        s.unchanged,
        s.missing,
        s.returned,
        s.errors.len()
    )?;
    writeln!(
        out,
        "read {} files ({:.1} MB) in {:.2} s: {:.0} files/s, {:.1} MB/s; catalog holds {} present, {} missing",
        s.files_read,
        s.bytes_read as f64 / 1e6,
        s.elapsed_s,
        s.files_per_s,
        s.mb_per_s,
        s.present_total,
        s.missing_total
    )?;
    if verify {
        writeln!(
            out,
            "fixity: {} files verified, {} differ from the catalog",
            s.verified,
            s.fixity_failures.len()
        )?;
        for f in &s.fixity_failures {
            writeln!(
                out,
                "  CHANGED {}: catalog {} now {}",
                f.path, f.expected, f.actual
            )?;
        }
    }
    if !s.errors.is_empty() {
        writeln!(out, "files with problems (catalogued where possible):")?;
        for e in &s.errors {
            writeln!(out, "  {}: {}", e.path, e.message)?;
        }
    }
    Ok(())
}

fn parse_filters(filters: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    filters
        .iter()
        .map(|f| match f.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_lowercase(), v.trim().to_string()))
            }
            _ => {
                bail!("--filter {f:?} is not FIELD=VALUE (for example --filter prefecture=海东市)")
            }
        })
        .collect()
}

fn cmd_search(cfg: &Config, a: SearchArgs) -> anyhow::Result<u8> {
    let idx = SearchIndex::open(&cfg.index_dir())?;
    let schema = cfg.schema()?;
    let req = SearchRequest {
        query: a.query.join(" "),
        filters: parse_filters(&a.filters)?,
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::DateDesc,
            SortArg::DateAsc => Sort::DateAsc,
        },
        offset: a.offset,
        limit: a.limit,
        facets: false,
        snippets: !a.json,
    };
    let resp = search::search(&idx, &schema, &req)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        for hit in &resp.hits {
            out.write_all(hit.record_json.get().as_bytes())?;
            writeln!(out)?;
        }
    } else {
        let rows: Vec<Vec<String>> = resp
            .hits
            .iter()
            .filter_map(|h| h.record())
            .map(|r| table_row(&r))
            .collect();
        write_table(
            &mut out,
            &["captured", "media", "place", "indicator", "path"],
            &rows,
        )?;
        let shown = resp.hits.len();
        writeln!(out, "{} of {} matching files", shown, resp.total)?;
    }
    Ok(0)
}

fn table_row(r: &Record) -> Vec<String> {
    let place = match (&r.prefecture, &r.county) {
        (Some(p), Some(c)) => format!("{}/{}", p.name, c.name),
        (Some(p), None) => p.name.clone(),
        _ => "-".into(),
    };
    let indicator = r
        .indicators
        .first()
        .map(|i| i.code.clone())
        .unwrap_or_else(|| "-".into());
    let mut path = r.path.clone();
    if !r.flags.is_empty() {
        path.push_str(&format!(
            "  [{}]",
            r.flags
                .iter()
                .map(|f| f.flag.as_str())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    vec![
        r.captured_at
            .as_deref()
            .map(|t| t.chars().take(16).collect::<String>().replace('T', " "))
            .unwrap_or_else(|| "-".into()),
        r.media.as_str().into(),
        place,
        indicator,
        path,
    ]
}

/// A plain table aligned by display width (CJK characters take two columns).
fn write_table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let line = |out: &mut dyn Write, cells: Vec<&str>| -> std::io::Result<()> {
        let last = cells.len() - 1;
        for (i, c) in cells.iter().enumerate() {
            if i == last {
                writeln!(out, "{c}")?;
            } else {
                write!(out, "{c}{}  ", " ".repeat(widths[i] - c.width()))?;
            }
        }
        Ok(())
    };
    line(out, header.to_vec())?;
    for row in rows {
        line(out, row.iter().map(String::as_str).collect())?;
    }
    Ok(())
}

fn cmd_show(cfg: &Config, target: &str, json: bool) -> anyhow::Result<u8> {
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let looks_like_hash = target.len() >= 8 && target.chars().all(|c| c.is_ascii_hexdigit());
    let mut rows = if looks_like_hash {
        catalog.files_by_blake3_prefix(&target.to_lowercase())?
    } else {
        Vec::new()
    };
    if rows.is_empty() {
        let p = PathBuf::from(target);
        let abs = p.canonicalize().unwrap_or(p);
        rows.extend(catalog.file_by_path(&abs)?);
    }
    if rows.is_empty() {
        bail!(
            "{target}: not in the catalog at {} (give a catalogued path or a BLAKE3 hash)",
            cfg.archive_dir.display()
        );
    }
    let mut out = std::io::stdout().lock();
    for row in rows {
        let record = row.to_record();
        if json {
            serde_json::to_writer(&mut out, &record)?;
            writeln!(out)?;
        } else {
            print_record(&mut out, &record)?;
            writeln!(out)?;
        }
    }
    Ok(0)
}

fn print_record(out: &mut impl Write, r: &Record) -> std::io::Result<()> {
    let mut kv = |k: &str, v: String| writeln!(out, "{k:>18}  {v}");
    kv("path", r.path.clone())?;
    if let Some(h) = &r.path_bytes_hex {
        kv("path bytes (hex)", h.clone())?;
    }
    kv(
        "blake3",
        r.blake3.clone().unwrap_or_else(|| "(not read)".into()),
    )?;
    kv("size", format!("{} bytes", r.size))?;
    kv("media", format!("{} ({})", r.media.as_str(), r.mime))?;
    kv(
        "status",
        format!(
            "{:?}{}",
            r.status,
            r.last_seen
                .as_deref()
                .map(|t| format!(", last seen {t}"))
                .unwrap_or_default()
        )
        .to_lowercase(),
    )?;
    kv("modified", r.modified.clone().unwrap_or_default())?;
    if let Some(t) = &r.captured_at {
        kv(
            "captured",
            format!(
                "{t} (from {})",
                r.captured_at_source.as_deref().unwrap_or("?")
            ),
        )?;
    }
    if let Some(g) = r.gps {
        kv("gps", format!("{:.6}, {:.6}", g.lat, g.lon))?;
    }
    if let Some(c) = r.camera.as_ref().and_then(|c| c.label()) {
        kv("camera", c)?;
    }
    if let Some(s) = &r.software {
        kv("software", s.clone())?;
    }
    if let (Some(w), Some(h)) = (r.width, r.height) {
        kv("pixels", format!("{w} x {h}"))?;
    }
    if let Some(d) = r.duration_s {
        kv("duration", format!("{d:.2} s"))?;
    }
    for (k, v) in [
        ("title", &r.title),
        ("author", &r.author),
        ("doc created", &r.doc_created),
    ] {
        if let Some(v) = v {
            kv(k, v.clone())?;
        }
    }
    if let Some(p) = r.pages {
        kv("pages", p.to_string())?;
    }
    for (k, t) in [("prefecture", &r.prefecture), ("county", &r.county)] {
        if let Some(t) = t {
            kv(
                k,
                format!("{} {} [{}: {}]", t.code, t.name, t.source, t.evidence),
            )?;
            for a in &t.alternatives {
                kv(
                    "",
                    format!("also {} {} [{}: {}]", a.code, a.name, a.source, a.evidence),
                )?;
            }
        }
    }
    for t in &r.indicators {
        kv(
            "indicator",
            format!("{} {} [{}: {}]", t.code, t.name, t.source, t.evidence),
        )?;
        for a in &t.alternatives {
            kv(
                "",
                format!("also {} {} [{}: {}]", a.code, a.name, a.source, a.evidence),
            )?;
        }
    }
    for f in &r.flags {
        kv("flag", format!("{}: {}", f.flag, f.reason))?;
    }
    if let Some(s) = &r.text_status {
        kv("text", s.clone())?;
    }
    if let Some(x) = &r.text_excerpt {
        kv("excerpt", x.clone())?;
    }
    for e in &r.errors {
        kv("error", e.clone())?;
    }
    Ok(())
}

fn cmd_list(cfg: &Config, filters: &[String], json: bool) -> anyhow::Result<u8> {
    let filters = parse_filters(filters)?;
    let schema = cfg.schema()?;
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    // Resolve every filter once, so a typo fails before any output.
    let matchers = filters
        .iter()
        .map(|(f, v)| search::RecordMatcher::new(&schema, f, v))
        .collect::<crate::Result<Vec<_>>>()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut count = 0u64;
    catalog.for_each_file(|row| {
        let facets = row
            .tagging
            .as_ref()
            .map(|t| crate::tag::facet_paths(&schema, t))
            .unwrap_or_default();
        let record = row.to_record();
        if matchers.iter().all(|m| m.matches(&record, &facets)) {
            count += 1;
            let res = if json {
                serde_json::to_writer(&mut out, &record)
                    .map_err(std::io::Error::from)
                    .and_then(|_| writeln!(out))
            } else {
                let r = table_row(&record);
                writeln!(out, "{}\t{}\t{}\t{}\t{}", r[0], r[1], r[2], r[3], r[4])
            };
            res.map_err(|e| crate::Error::Io {
                path: PathBuf::from("<stdout>"),
                cause: e,
            })?;
        }
        Ok(())
    })?;
    out.flush()?;
    if !json && std::io::stderr().is_terminal() {
        eprintln!("{count} files");
    }
    Ok(0)
}

fn cmd_report(cfg: &Config, a: ReportArgs) -> anyhow::Result<u8> {
    use crate::report::{By, Coverage};
    let schema = cfg.schema()?;
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let by = match (a.by, a.prefecture) {
        (ReportBy::Prefecture, None) => By::Prefecture,
        (ReportBy::Prefecture, Some(p)) | (ReportBy::County, Some(p)) => By::County(p),
        (ReportBy::County, None) => {
            bail!("--by county needs --prefecture NAME (for example --prefecture 海东市)")
        }
    };
    let mut taggings = Vec::new();
    catalog.for_each_file(|row| {
        if row.status == crate::record::Status::Present {
            taggings.push(row.tagging.unwrap_or_default());
        }
        Ok(())
    })?;
    let coverage = Coverage::build(&schema, &taggings, by)?;
    let bytes = match a.format {
        ReportFormat::Table => coverage.to_table().into_bytes(),
        ReportFormat::Csv => coverage.to_csv(),
        ReportFormat::Xlsx => coverage.to_xlsx()?,
        ReportFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&coverage.to_json())?;
            v.push(b'\n');
            v
        }
    };
    match a.out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("coverage ledger written to {}", path.display());
        }
        None => {
            if a.format == ReportFormat::Xlsx && std::io::stdout().is_terminal() {
                bail!("an XLSX file cannot be shown on a terminal: add --out 台账.xlsx");
            }
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(0)
}
