//! Where the libraries' own log lines go. A PDF library that logs `ERROR … flate` for every
//! damaged stream, over a progress bar, tells a curator nothing they can act on, and makes a
//! clean run look broken; the file's record already says what matters. So their lines go to
//! `ARCHIVE/logs/archive.log` (for whoever investigates), and to the terminal only with `-v`
//! or when `ARCHIVE_LOG` asks for them.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Install the log writers. Never fails: a log that cannot be opened is simply not written.
pub(super) fn init(archive: &Path, verbose: bool) {
    let terminal_filter = match std::env::var("ARCHIVE_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::new(spec),
        _ if verbose => EnvFilter::new("warn"),
        _ => EnvFilter::new("off"),
    };
    let terminal = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(terminal_filter);
    // Only an archive folder that exists gets a log: `archive verify` on a received package
    // or `archive --help` must not create one.
    let file = archive.is_dir().then(|| {
        let dir = archive.join("logs");
        std::fs::create_dir_all(&dir).ok()?;
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("archive.log"))
            .ok()
    });
    let file_layer = file.flatten().map(|f| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(Mutex::new(f))
            .with_filter(EnvFilter::new("warn"))
    });
    let _ = tracing_subscriber::registry()
        .with(terminal)
        .with(file_layer)
        .try_init();
}
