//! The reading stage's worker threads. Each worker reads, hashes and extracts the files of a
//! batch on its own thread; a watchdog gives up on a worker whose extraction overruns the time
//! budget, reports that file, and starts another worker on the rest of the batch.
//!
//! Rust cannot stop a thread. An abandoned worker runs on until its extractor returns, but the
//! watchdog has taken its results channel, so it can report nothing and a stuck extractor never
//! keeps the run from ending. Before this, every file went to a helper thread and back
//! (`extract::guard`): two thread wake-ups a file, more than reading a small photo's EXIF.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::extract::{self, ExtractFailure, Watch};

/// Makes one worker's job function (each worker may keep its own state, e.g. a database
/// connection). The function gets the job and a way to leave a note (what it learnt before
/// extracting, such as the file's hash) that the watchdog hands to `fallback` if it gives up.
pub(super) type MakeWork<J, R, N> =
    Box<dyn Fn() -> Box<dyn FnMut(&J, &dyn Fn(N)) -> R + Send> + Send + Sync>;

/// The result for a job whose worker was given up on or crashed, from the job, its note and
/// the reason.
pub(super) type Fallback<J, R, N> = Box<dyn Fn(J, N, ExtractFailure) -> R + Send + Sync>;

struct Pool<J, R, N, M> {
    jobs: Receiver<Vec<J>>,
    make: MakeWork<J, R, N>,
    fallback: Fallback<J, R, N>,
    budget: Duration,
    slots: Mutex<Slots<J, R, N, M>>,
}

/// The workers alive (an abandoned one is removed).
type Slots<J, R, N, M> = Vec<Arc<Slot<J, R, N, M>>>;

/// One worker's state, shared with the watchdog.
struct Slot<J, R, N, M> {
    watch: Arc<Watch>,
    held: Mutex<Held<J, R, N, M>>,
}

/// What a worker holds, so that the watchdog can take it over.
struct Held<J, R, N, M> {
    pending: VecDeque<J>,
    current: Option<J>,
    note: N,
    done: Vec<R>,
    /// The results channel; taken from an abandoned worker.
    tx: Option<Sender<M>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A worker never panics while holding the lock (the job runs outside it).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Started workers and their watchdog. Results arrive on the channel given to [`start`] in
/// batches (`M: From<Vec<R>>`); it closes once every job is answered and the job queue is
/// closed. Call [`Workers::finish`] afterwards to stop the watchdog.
pub(super) struct Workers {
    stop: Option<Sender<()>>,
    watchdog: Option<std::thread::JoinHandle<()>>,
}

/// Start `n` workers on the batches of `jobs`.
pub(super) fn start<J, R, N, M>(
    n: usize,
    budget: Duration,
    jobs: Receiver<Vec<J>>,
    out: Sender<M>,
    make: MakeWork<J, R, N>,
    fallback: Fallback<J, R, N>,
) -> std::io::Result<Workers>
where
    J: Clone + Send + 'static,
    R: Send + 'static,
    N: Default + Send + 'static,
    M: From<Vec<R>> + Send + 'static,
{
    let pool = Arc::new(Pool {
        jobs,
        make,
        fallback,
        budget,
        slots: Mutex::new(Vec::new()),
    });
    for _ in 0..n.max(1) {
        spawn_worker(&pool, VecDeque::new(), out.clone())?;
    }
    drop(out);
    let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
    let tick = (budget / 4).clamp(Duration::from_millis(5), Duration::from_millis(100));
    let watchdog = std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || loop {
            match stopped.recv_timeout(tick) {
                Err(RecvTimeoutError::Timeout) => watch_once(&pool),
                _ => return,
            }
        })?;
    Ok(Workers {
        stop: Some(stop),
        watchdog: Some(watchdog),
    })
}

impl Workers {
    /// Stop the watchdog (an abandoned worker may still be running; it reports nothing).
    pub(super) fn finish(mut self) {
        self.stop.take();
        if let Some(w) = self.watchdog.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.stop.take();
    }
}

fn spawn_worker<J, R, N, M>(
    pool: &Arc<Pool<J, R, N, M>>,
    pending: VecDeque<J>,
    tx: Sender<M>,
) -> std::io::Result<()>
where
    J: Clone + Send + 'static,
    R: Send + 'static,
    N: Default + Send + 'static,
    M: From<Vec<R>> + Send + 'static,
{
    let slot = Arc::new(Slot {
        watch: Arc::new(Watch::default()),
        held: Mutex::new(Held {
            pending,
            current: None,
            note: N::default(),
            done: Vec::new(),
            tx: Some(tx),
        }),
    });
    lock(&pool.slots).push(slot.clone());
    let pool = pool.clone();
    std::thread::Builder::new()
        .name("read".into())
        .spawn(move || work_loop(&pool, &slot))
        .map(|_| ())
}

fn work_loop<J, R, N, M>(pool: &Pool<J, R, N, M>, slot: &Slot<J, R, N, M>)
where
    J: Clone + Send + 'static,
    N: Default,
    M: From<Vec<R>>,
{
    Watch::install(Some(slot.watch.clone()));
    let mut work = (pool.make)();
    let tell = |note: N| lock(&slot.held).note = note;
    loop {
        let job = {
            let mut held = lock(&slot.held);
            if slot.watch.abandoned() {
                return;
            }
            if held.pending.is_empty() {
                // Report the batch before waiting for the next one.
                let done = std::mem::take(&mut held.done);
                let tx = held.tx.clone();
                drop(held);
                if let (false, Some(tx)) = (done.is_empty(), tx) {
                    let _ = tx.send(M::from(done));
                }
                let batch = pool.jobs.recv();
                held = lock(&slot.held);
                match batch {
                    Ok(batch) => held.pending.extend(batch),
                    Err(_) => {
                        held.tx = None;
                        return;
                    }
                }
            }
            let Some(job) = held.pending.pop_front() else {
                continue;
            };
            held.current = Some(job.clone());
            held.note = N::default();
            job
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&job, &tell)));
        let mut held = lock(&slot.held);
        if slot.watch.abandoned() {
            return;
        }
        held.current = None;
        let result = result.unwrap_or_else(|panic| {
            let note = std::mem::take(&mut held.note);
            (pool.fallback)(job, note, extract::panic_message(panic))
        });
        held.done.push(result);
    }
}

/// The watchdog's round: give up on every worker over budget, report its file, and start a
/// worker on what it still held.
fn watch_once<J, R, N, M>(pool: &Arc<Pool<J, R, N, M>>)
where
    J: Clone + Send + 'static,
    R: Send + 'static,
    N: Default + Send + 'static,
    M: From<Vec<R>> + Send + 'static,
{
    let slots: Vec<_> = lock(&pool.slots).clone();
    for slot in slots {
        if !slot.watch.abandon_if_over(pool.budget) {
            continue;
        }
        lock(&pool.slots).retain(|s| !Arc::ptr_eq(s, &slot));
        let (mut done, current, note, pending, tx) = {
            let mut held = lock(&slot.held);
            let note = std::mem::take(&mut held.note);
            (
                std::mem::take(&mut held.done),
                held.current.take(),
                note,
                std::mem::take(&mut held.pending),
                held.tx.take(),
            )
        };
        if let Some(job) = current {
            done.push((pool.fallback)(
                job,
                note,
                ExtractFailure::OverBudget(pool.budget),
            ));
        }
        let Some(tx) = tx else { continue };
        let _ = tx.send(M::from(done));
        if let Err(e) = spawn_worker(pool, pending, tx) {
            tracing::error!("could not start a worker in place of one stuck on a file: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Jobs are numbers; job 13 hangs in its extractor, job 7 panics outside it.
    fn run(jobs: Vec<Vec<u32>>, workers: usize, budget: Duration) -> (Vec<String>, Duration) {
        let (job_tx, job_rx) = crossbeam_channel::bounded::<Vec<u32>>(4);
        let (out_tx, out_rx) = crossbeam_channel::unbounded::<Vec<String>>();
        let make: MakeWork<u32, String, Option<String>> = Box::new(|| {
            Box::new(|&j: &u32, tell: &dyn Fn(Option<String>)| {
                tell(Some(format!("hash-of-{j}")));
                if j == 7 {
                    panic!("bug outside the extractor");
                }
                let got = extract::guard(Duration::from_secs(60), move || {
                    if j == 13 {
                        std::thread::sleep(Duration::from_secs(3));
                    }
                    j * 10
                });
                format!(
                    "{j}:{}",
                    got.map(|v| v.to_string()).unwrap_or_else(|e| e.to_string())
                )
            })
        });
        let fallback: Fallback<u32, String, Option<String>> =
            Box::new(|j, note, why| format!("{j}:{}:{why}", note.unwrap_or_default()));
        let started = Instant::now();
        let w = start(workers, budget, job_rx, out_tx, make, fallback).unwrap();
        for b in jobs {
            job_tx.send(b).unwrap();
        }
        drop(job_tx);
        let mut got: Vec<String> = out_rx.iter().flatten().collect();
        let took = started.elapsed();
        w.finish();
        got.sort_by_key(|s| s.split(':').next().unwrap().parse::<u32>().unwrap());
        (got, took)
    }

    #[test]
    fn every_job_is_answered_once_in_batches() {
        let batches: Vec<Vec<u32>> = (0..10)
            .map(|b| (b * 10 + 20..b * 10 + 30).collect())
            .collect();
        let (got, _) = run(batches, 3, Duration::from_secs(30));
        let want: Vec<String> = (20..120).map(|j| format!("{j}:{}", j * 10)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_stuck_extractor_is_reported_and_the_rest_of_its_batch_still_runs() {
        let budget = Duration::from_millis(200);
        let (got, took) = run(vec![vec![1, 13, 2, 3], vec![4, 5], vec![6]], 1, budget);
        let mut want: Vec<String> = (1..=6).map(|j| format!("{j}:{}", j * 10)).collect();
        want.push(format!(
            "13:hash-of-13:{}",
            ExtractFailure::OverBudget(budget)
        ));
        assert_eq!(got, want);
        assert!(
            took < Duration::from_millis(2500),
            "the run waited for the stuck thread: {took:?}"
        );
    }

    #[test]
    fn a_panic_outside_the_extractor_is_reported_for_its_file_only() {
        let (got, _) = run(vec![vec![6, 7, 8]], 1, Duration::from_secs(30));
        assert_eq!(got[0], "6:60");
        assert!(
            got[1].starts_with("7:hash-of-7:extractor crashed") && got[1].contains("bug outside"),
            "{got:?}"
        );
        assert_eq!(got[2], "8:80");
    }
}
