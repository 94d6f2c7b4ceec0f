//! Running jobs: one run by name ([`Bot::run_job`]), or every job on its schedule in this
//! process ([`run_schedules`]).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use futures_util::FutureExt;
use tokio::task::JoinSet;
use tracing::Instrument;

use super::{Job, JobContext, JobError};
use crate::{Bot, BotError, HandlerError};

/// How long a claimed job slot is remembered at least (longer for long intervals).
const SLOT_KEEP: Duration = Duration::from_secs(3600);

impl Bot {
    /// Runs the job called `name` once, now, and waits for it: what the Lambda host does for a
    /// scheduled event, and what tests call. Panics are caught; a failure reaches the error hook
    /// as [`BotError::Job`] and is returned too.
    ///
    /// ```
    /// use chatbridge_core::Bot;
    /// use chatbridge_core::jobs::{Job, Schedule};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let bot = Bot::builder()
    ///     .job(Job::new("tick", Schedule::parse("rate(1 minute)").unwrap(), |_cx| async {}))
    ///     .build();
    /// bot.run_job("tick").await.unwrap();
    /// assert!(bot.run_job("tock").await.is_err());
    /// # });
    /// ```
    ///
    /// # Errors
    ///
    /// No job has that name; the job failed or panicked.
    pub async fn run_job(&self, name: &str) -> Result<(), JobError> {
        let job = self.jobs().iter().find(|j| j.name() == name);
        if job.is_none() && name == crate::inbox::SWEEP_JOB {
            return self.sweep_job().await;
        }
        let Some(job) = job else {
            tracing::warn!(job = name, "no job of that name");
            return Err(JobError::Unknown { name: name.to_owned() });
        };
        self.run(job, None).await
    }

    /// [`SWEEP_JOB`](crate::inbox::SWEEP_JOB): the inbox's recovery, as a job.
    async fn sweep_job(&self) -> Result<(), JobError> {
        let name = crate::inbox::SWEEP_JOB;
        match self.recover().await {
            Ok(recovered) => {
                tracing::info!(job = name, ?recovered, "inbox swept");
                Ok(())
            }
            Err(error) => {
                let error = HandlerError::from(error);
                Err(JobError::Failed { name: name.to_owned(), error })
            }
        }
    }

    async fn run(&self, job: &Job, slot: Option<SystemTime>) -> Result<(), JobError> {
        let span = tracing::info_span!("job", job = job.name(), outcome = tracing::field::Empty);
        self.run_in(job, slot, span.clone()).instrument(span).await
    }

    async fn run_in(
        &self,
        job: &Job,
        slot: Option<SystemTime>,
        span: tracing::Span,
    ) -> Result<(), JobError> {
        let name = job.name();
        let cx = JobContext::new(
            name,
            SystemTime::now(),
            slot,
            Arc::clone(self.store()),
            Arc::clone(self.job_extensions()),
            Arc::clone(self.error_hook()),
        );
        tracing::info!(job = name, "job started");
        let handler = Arc::clone(job.handler());
        let result = AssertUnwindSafe(handler.run(cx))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(HandlerError::msg("job panicked")));
        match result {
            Ok(()) => {
                tracing::info!(job = name, "job finished");
                span.record("outcome", "ok");
                crate::counters::job_run(name, "ok");
                Ok(())
            }
            Err(error) => {
                tracing::warn!(job = name, %error, "job failed");
                span.record("outcome", "failed");
                crate::counters::job_run(name, "failed");
                let report = BotError::Job { name: name.to_owned(), error };
                (self.error_hook())(&report);
                let BotError::Job { name, error } = report else {
                    unreachable!("constructed as Job just above")
                };
                Err(JobError::Failed { name, error })
            }
        }
    }
}

/// Runs every job of `bot` on its schedule, in this process, until `stop` completes; and, when
/// the bot has a durable [inbox](crate::inbox), sweeps it ([`Bot::recover`]) at once and every
/// [`Inbox::sweep_every`](crate::inbox::Inbox::sweep_every). The local server calls it for
/// you; call it yourself when you serve the bot another way.
///
/// Each run is a task on [`Bot::tasks`], so a graceful shutdown that drains the bot waits for
/// runs in progress; runs do not wait for each other (as on EventBridge). A `rate(…)` job runs
/// at each multiple of its interval since the Unix epoch, a `cron(…)` job at each matching
/// minute (UTC). Each scheduled time (slot) runs once across every process sharing the store:
/// before a run, the process claims `job/{name}/{slot in Unix ms}` with
/// [`put_if_absent`](crate::store::Store::put_if_absent), and only the winner runs. (Keep the
/// machines' clocks in sync.) When the store cannot be reached, the job runs anyway.
///
/// ```no_run
/// use chatbridge_core::{Bot, jobs::run_schedules};
///
/// # async fn run(bot: Bot) {
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// tokio::spawn(run_schedules(bot, async { let _ = stopped.await; }));
/// // … serve the bot; then:
/// let _ = stop.send(());
/// # }
/// ```
pub async fn run_schedules(bot: Bot, stop: impl Future<Output = ()> + Send) {
    let mut loops = JoinSet::new();
    for job in bot.jobs() {
        tracing::info!(job = job.name(), schedule = %job.schedule(), "job scheduled");
        loops.spawn(schedule_loop(bot.clone(), job.clone()));
    }
    loops.spawn(crate::inbox::sweep_loop(bot.clone()));
    stop.await;
    // The loops only sleep and start runs; runs in progress live on `bot.tasks()`.
    loops.abort_all();
    while loops.join_next().await.is_some() {}
}

async fn schedule_loop(bot: Bot, job: Job) {
    let interval = job.schedule().interval();
    // Missed slots (a suspended machine, a clock set forward) are skipped, not caught up.
    let skip_after = interval.map_or(Duration::from_secs(60), |i| i.max(Duration::from_millis(1)));
    // `after` only moves forward, so a wake-up a little early never fires one slot twice.
    let mut after = SystemTime::now();
    loop {
        let now = SystemTime::now();
        if now.duration_since(after).unwrap_or(Duration::ZERO) > skip_after {
            after = now;
        }
        let next = match interval {
            Some(interval) => next_multiple(after, interval),
            None => job.schedule().next_after(after),
        };
        let Some(next) = next else {
            tracing::info!(job = job.name(), "schedule never fires again");
            return;
        };
        // Wake at most once an hour to re-read the wall clock (it may have been set).
        let wait = next.duration_since(now).unwrap_or(Duration::ZERO);
        if wait > Duration::from_secs(3600) {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            continue;
        }
        tokio::time::sleep(wait).await;
        after = next;
        start_run(&bot, &job, next);
    }
}

/// The first multiple of `interval` since the Unix epoch strictly after `after`.
fn next_multiple(after: SystemTime, interval: Duration) -> Option<SystemTime> {
    let since = after.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    let step = interval.as_nanos().max(1);
    let next = (since / step + 1).checked_mul(step)?;
    let secs = u64::try_from(next / 1_000_000_000).ok()?;
    let nanos = u32::try_from(next % 1_000_000_000).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

/// Claims the slot in the store, then runs the job, unless another process claimed it first.
fn start_run(bot: &Bot, job: &Job, slot: SystemTime) {
    let bot_for_run = bot.clone();
    let job = job.clone();
    bot.tasks().spawn(async move {
        let name = job.name();
        let millis = slot.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let key = format!("job/{name}/{millis}");
        let keep = job.schedule().interval().map_or(SLOT_KEEP, |i| (i * 2).max(SLOT_KEEP));
        let store = bot_for_run.store();
        match store.put_if_absent(&key, Bytes::new(), Some(keep)).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!(job = name, slot = %millis, "slot taken by another process");
                crate::counters::job_run(name, "elsewhere");
                return;
            }
            Err(error) => tracing::warn!(job = name, %error, "job slot not claimed; running"),
        }
        // Failures are reported inside; nothing else to do with them here.
        let _ = bot_for_run.run(&job, Some(slot)).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_slots_are_multiples_of_the_interval_since_the_epoch() {
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        let every = Duration::from_millis(250);
        assert_eq!(next_multiple(at(1_000), every), Some(at(1_250)));
        assert_eq!(next_multiple(at(1_001), every), Some(at(1_250)));
        assert_eq!(next_multiple(at(1_249), every), Some(at(1_250)));
        let minute = Duration::from_secs(60);
        assert_eq!(next_multiple(at(1_700_000_010_000), minute), Some(at(1_700_000_040_000)));
    }
}
