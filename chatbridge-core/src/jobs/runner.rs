//! Running jobs: one run by name ([`Bot::run_job`]), or every job on its schedule in this
//! process ([`run_schedules`]).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use tokio::task::JoinSet;

use super::{Job, JobContext, JobError};
use crate::{Bot, BotError, HandlerError};

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
        let Some(job) = self.jobs().iter().find(|j| j.name() == name) else {
            tracing::warn!(job = name, "no job of that name");
            return Err(JobError::Unknown { name: name.to_owned() });
        };
        self.run(job).await
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let name = job.name();
        let cx = JobContext::new(
            name,
            SystemTime::now(),
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
                Ok(())
            }
            Err(error) => {
                tracing::warn!(job = name, %error, "job failed");
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

/// Runs every job of `bot` on its schedule, in this process, until `stop` completes. The
/// local server calls it for you; call it yourself when you serve the bot another way.
///
/// Each run is a task on [`Bot::tasks`], so a graceful shutdown that drains the bot waits for
/// runs in progress; runs do not wait for each other (as on EventBridge). A `rate(…)` job first
/// runs one interval after the start, a `cron(…)` job at its next matching minute (UTC).
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
    stop.await;
    // The loops only sleep and start runs; runs in progress live on `bot.tasks()`.
    loops.abort_all();
    while loops.join_next().await.is_some() {}
}

async fn schedule_loop(bot: Bot, job: Job) {
    if let Some(interval) = job.schedule().interval() {
        let start = tokio::time::Instant::now() + interval;
        let mut ticks = tokio::time::interval_at(start, interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            start_run(&bot, &job);
        }
    }
    // `after` only moves forward, so a wake-up a little early never fires one minute twice.
    let mut after = SystemTime::now();
    loop {
        let now = SystemTime::now();
        if now.duration_since(after).unwrap_or(Duration::ZERO) > Duration::from_secs(60) {
            after = now; // suspended, or the clock moved on: skip the missed runs
        }
        let Some(next) = job.schedule().next_after(after) else {
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
        start_run(&bot, &job);
    }
}

fn start_run(bot: &Bot, job: &Job) {
    let bot_for_run = bot.clone();
    let job = job.clone();
    bot.tasks().spawn(async move {
        // Failures are reported inside; nothing else to do with them here.
        let _ = bot_for_run.run(&job).await;
    });
}
