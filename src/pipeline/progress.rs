//! The progress bar of `archive index` on a terminal, and where warnings go so that they do not
//! tear it.

use std::sync::Arc;
use std::time::Duration;

/// Progress on a terminal: bytes for throughput and ETA, files in the message.
#[derive(Clone)]
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    files: Arc<std::sync::atomic::AtomicU64>,
    queued: Arc<std::sync::atomic::AtomicU64>,
}

impl Progress {
    pub(super) fn new(show: bool) -> Progress {
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
                )
                .unwrap()
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            files: Default::default(),
            queued: Default::default(),
        }
    }
    pub(super) fn queue(&self, bytes: u64) {
        self.queued
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.inc_length(bytes);
        }
    }
    pub(super) fn done(&self, bytes: u64) {
        let n = self
            .files
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if let Some(b) = &self.bar {
            b.inc(bytes);
            let secs = b.elapsed().as_secs_f64().max(1e-3);
            let q = self.queued.load(std::sync::atomic::Ordering::Relaxed);
            b.set_message(format!("{n}/{q} files, {:.0} files/s", n as f64 / secs));
        }
    }
    pub(super) fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.println(line),
            None => tracing::debug!("{line}"),
        }
    }
    pub(super) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
