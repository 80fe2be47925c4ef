//! A command run with a deadline: its stdin fed and its stdout and stderr read on their own
//! threads (a full pipe must never stall it), killed when the deadline passes.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a bounded command ended.
#[derive(Debug)]
pub enum Ran {
    /// Exited 0: its stdout.
    Ok(Vec<u8>),
    /// Exited otherwise: the start of its stderr.
    Failed(String),
    /// Killed at the deadline.
    TimedOut,
    /// Could not be started (not installed, not executable).
    NotStarted(std::io::Error),
}

/// Run `cmd` with `input` on its stdin (if any), for at most `limit`.
pub fn bounded(mut cmd: Command, input: Option<Vec<u8>>, limit: Duration) -> Ran {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Ran::NotStarted(e),
    };
    let feeder = child.stdin.take().zip(input).map(|(mut stdin, data)| {
        std::thread::spawn(move || {
            // A command that exits early closes the pipe: not an error of ours.
            let _ = stdin.write_all(&data);
        })
    });
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = child.stdout.take().map(|s| drain(Box::new(s)));
    let err = child.stderr.take().map(|s| drain(Box::new(s)));
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let out = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let err = err.and_then(|h| h.join().ok()).unwrap_or_default();
    match status {
        None => Ran::TimedOut,
        Some(s) if s.success() => Ran::Ok(out),
        Some(s) => {
            let text = String::from_utf8_lossy(&err);
            let first: String = text.trim().chars().take(200).collect();
            Ran::Failed(if first.is_empty() {
                s.to_string()
            } else {
                first
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_past_its_deadline_is_killed_and_a_missing_one_is_not_started() {
        let at = Instant::now();
        let mut sleep = Command::new("sleep");
        sleep.arg("5");
        assert!(matches!(
            bounded(sleep, None, Duration::from_millis(100)),
            Ran::TimedOut
        ));
        assert!(at.elapsed() < Duration::from_secs(2));
        let mut cat = Command::new("cat");
        cat.arg("-");
        match bounded(cat, Some(b"abc".to_vec()), Duration::from_secs(5)) {
            Ran::Ok(out) => assert_eq!(out, b"abc"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            bounded(
                Command::new("/nonexistent/tesseract"),
                None,
                Duration::from_secs(1)
            ),
            Ran::NotStarted(_)
        ));
    }
}
