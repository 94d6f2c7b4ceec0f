//! Scheduled jobs: work a bot does on a clock rather than in answer to a message (a daily digest
//! posted to a channel, a clean-up).
//!
//! A bot declares its jobs with [`BotBuilder::job`](crate::BotBuilder::job). Where they run:
//!
//! | host | how a job runs |
//! | --- | --- |
//! | local server | in-process, on its [`Schedule`], started and stopped with the server ([`run_schedules`]) |
//! | AWS Lambda | an EventBridge rule with the same schedule invokes the function with `{"chatbridge_job": "<name>"}`; the host runs the job named |
//! | anything else | [`Bot::run_job`](crate::Bot::run_job) |
//!
//! A job that fails or panics reaches the bot's error hook as
//! [`BotError::Job`](crate::BotError::Job); the next run happens as scheduled.
//!
//! ```
//! use chatbridge_core::jobs::{Job, JobContext, Schedule};
//! use chatbridge_core::{Bot, HandlerError};
//!
//! /// Whatever the jobs need, put there by the app (a platform client, a channel id).
//! #[derive(Clone)]
//! struct Digest { channel: String }
//!
//! async fn daily_digest(cx: JobContext) -> Result<(), HandlerError> {
//!     let digest = cx.extensions().get::<Digest>().ok_or("no digest configured")?;
//!     let _ = (&digest.channel, cx.store()); // post through the platform client here
//!     Ok(())
//! }
//!
//! let bot = Bot::builder()
//!     .job(Job::new("daily-digest", "cron(0 9 ? * MON-FRI *)".parse()?, daily_digest))
//!     .job_extension(Digest { channel: "C123".into() })
//!     .build();
//! assert_eq!(bot.jobs().iter().map(Job::name).collect::<Vec<_>>(), ["daily-digest"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use http::Extensions;

use crate::HandlerError;
use crate::error::ErrorHook;
use crate::store::SharedStore;

mod calendar;
mod runner;
mod schedule;

pub use runner::run_schedules;
pub use schedule::{Schedule, ScheduleError};

/// A named job on a schedule.
#[derive(Clone)]
pub struct Job {
    name: String,
    schedule: Schedule,
    handler: Arc<dyn JobHandler>,
}

impl Job {
    /// A job called `name` (what EventBridge events name it by: letters, digits, `-`, `_`)
    /// running `handler` on `schedule`.
    pub fn new(name: impl Into<String>, schedule: Schedule, handler: impl JobHandler) -> Self {
        Self { name: name.into(), schedule, handler: Arc::new(handler) }
    }

    /// The job's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// When the job runs on the local server (and what the deploy template should say).
    #[must_use]
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    pub(crate) fn handler(&self) -> &Arc<dyn JobHandler> {
        &self.handler
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job").field("name", &self.name).field("schedule", &self.schedule).finish()
    }
}

/// Runs a job. Any `async fn(JobContext)` returning `()` or `Result<(), E>` (with `E` into
/// [`HandlerError`]) is one; implement the trait by hand for jobs with state.
///
/// ```
/// use chatbridge_core::jobs::{JobContext, JobHandler};
///
/// async fn sweep(cx: JobContext) -> Result<(), chatbridge_core::StoreError> {
///     cx.store().delete("stale").await
/// }
/// fn assert_job(_: impl JobHandler) {}
/// assert_job(sweep);
/// ```
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// Runs the job once.
    ///
    /// # Errors
    ///
    /// Whatever the job fails with; the bot reports it to its error hook as
    /// [`BotError::Job`](crate::BotError::Job).
    async fn run(&self, cx: JobContext) -> Result<(), HandlerError>;
}

/// What a job function may return: `()` or a `Result<(), E>`.
pub trait JobOutput: Send {
    /// The normalised result.
    ///
    /// # Errors
    ///
    /// The job's own error.
    fn into_result(self) -> Result<(), HandlerError>;
}

impl JobOutput for () {
    fn into_result(self) -> Result<(), HandlerError> {
        Ok(())
    }
}

impl<E: Into<HandlerError> + Send> JobOutput for Result<(), E> {
    fn into_result(self) -> Result<(), HandlerError> {
        self.map_err(Into::into)
    }
}

#[async_trait]
impl<F, Fut, O> JobHandler for F
where
    F: Fn(JobContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = O> + Send + 'static,
    O: JobOutput + 'static,
{
    async fn run(&self, cx: JobContext) -> Result<(), HandlerError> {
        (self)(cx).await.into_result()
    }
}

/// A job's view of the bot: its store, the app's [job extensions](crate::BotBuilder::job_extension)
/// (platform clients, settings) and the error hook. Cheap to clone.
#[derive(Clone)]
pub struct JobContext {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    name: String,
    started: SystemTime,
    slot: Option<SystemTime>,
    store: SharedStore,
    extensions: Arc<Extensions>,
    on_error: ErrorHook,
}

impl JobContext {
    pub(crate) fn new(
        name: &str,
        started: SystemTime,
        slot: Option<SystemTime>,
        store: SharedStore,
        extensions: Arc<Extensions>,
        on_error: ErrorHook,
    ) -> Self {
        Self {
            inner: Arc::new(ContextInner {
                name: name.to_owned(),
                started,
                slot,
                store,
                extensions,
                on_error,
            }),
        }
    }

    /// The job's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// When this run started.
    #[must_use]
    pub fn started(&self) -> SystemTime {
        self.inner.started
    }

    /// The scheduled time this run is for, when the local scheduler started it (one run per
    /// slot across every process sharing the store); `None` for [`Bot::run_job`](crate::Bot::run_job).
    #[must_use]
    pub fn slot(&self) -> Option<SystemTime> {
        self.inner.slot
    }

    /// The bot's store.
    #[must_use]
    pub fn store(&self) -> &SharedStore {
        &self.inner.store
    }

    /// What the app put there with [`BotBuilder::job_extension`](crate::BotBuilder::job_extension).
    #[must_use]
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// Reports an error to the bot's error hook (for failures in work the job spawned).
    pub fn report(&self, error: crate::BotError) {
        (self.inner.on_error)(&error);
    }
}

impl fmt::Debug for JobContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobContext").field("name", &self.inner.name).finish_non_exhaustive()
    }
}

/// Why [`Bot::run_job`](crate::Bot::run_job) did not complete a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// The bot has no job of that name.
    #[error("no job named `{name}`")]
    Unknown {
        /// The name asked for.
        name: String,
    },
    /// The job returned an error or panicked; the error hook heard of it too.
    #[error("job `{name}` failed: {error}")]
    Failed {
        /// The job's name.
        name: String,
        /// What it failed with.
        error: HandlerError,
    },
}

/// A bot's jobs and the data they share.
#[derive(Clone, Default)]
pub(crate) struct Jobs {
    pub(crate) list: Vec<Job>,
    pub(crate) extensions: Extensions,
}

impl Jobs {
    pub(crate) fn add(&mut self, job: Job) {
        self.list.retain(|j| j.name != job.name);
        self.list.push(job);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<Job>();
        assert::<JobContext>();
        assert::<JobError>();
        assert::<Schedule>();
    }
}
