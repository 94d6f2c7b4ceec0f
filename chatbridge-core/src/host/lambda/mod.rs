//! The AWS Lambda host: one function serves HTTP webhooks (API Gateway REST and HTTP APIs, ALB,
//! Function URLs) and raw events (Amazon Lex code hooks) side by side, and keeps the sandbox
//! alive after each response until that invocation's follow-ups are delivered.
//!
//! ```no_run
//! use chatbridge_core::{Bot, Router};
//! use chatbridge_core::host::lambda::LambdaHost;
//!
//! # async fn run() -> Result<(), chatbridge_core::BoxError> {
//! let bot = Bot::builder().handler(Router::new()).build();
//! // Events that are not HTTP requests (a Lex code hook) go to the adapter mounted at /lex.
//! LambdaHost::new(bot).raw_events_to("/lex").run().await
//! # }
//! ```
//!
//! # Work after the response
//!
//! Lambda freezes the sandbox once the response is sent and every extension has asked for
//! its next event. The host registers an *internal extension* in the same process (the
//! pattern of the runtime repository's `extension-internal-flush` example): for each `INVOKE`
//! it waits until the continuations of the invocation with that request id are done, bounded
//! by the invocation's deadline. So a deferred reply is delivered by the same function that
//! acknowledged it; no second function and no queue. Work that must outlive the function's
//! own timeout (at most 15 minutes) does not fit this model: see `docs/hosting.md`.
//!
//! # Scheduled invocations
//!
//! The same function runs the bot's [scheduled jobs](crate::jobs) and answers keep-warm pings:
//! EventBridge rules invoke it with `{"chatbridge_job": "daily-digest"}` or
//! `{"chatbridge_keep_warm": true}` (or with their own `Scheduled Event`, routed by rule name).
//! A ping is recognised before anything else and answered at once, without a handler.

mod http_event;
mod invocation;
mod path;
mod pending;
mod scheduled;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::StatusCode;
use lambda_http::Service as _;
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;
use tokio_util::task::TaskTracker;

use crate::host::Continuations;
use crate::{Bot, BoxError};
use http_event::HttpBot;

use invocation::{Http, Invocation};
/// The Lambda runtime this host runs on, for its [`Context`](lambda_runtime::Context) in
/// [`LambdaHost::invoke`].
pub use lambda_runtime;
use pending::Pending;
use scheduled::Scheduled;

/// The most the extension holds a sandbox for one invocation's follow-ups.
const MAX_HOLD: Duration = Duration::from_secs(15 * 60);

/// Serves `bot` on AWS Lambda with the default settings (HTTP events only).
///
/// # Errors
///
/// The Lambda runtime API failed (it is not reachable outside Lambda or an emulator).
pub async fn run(bot: Bot) -> Result<(), BoxError> {
    LambdaHost::new(bot).run().await
}

/// The Lambda host, configured before it runs.
#[derive(Debug)]
#[must_use]
pub struct LambdaHost {
    bot: Bot,
    raw_path: Option<String>,
    extension: bool,
    pending: Arc<Pending>,
}

impl LambdaHost {
    /// A host for `bot`.
    pub fn new(bot: Bot) -> Self {
        Self { bot, raw_path: None, extension: true, pending: Arc::new(Pending::default()) }
    }

    /// Sends events that are not HTTP requests to the adapter mounted at `path`
    /// ([`Adapter::accept_event`](crate::adapter::Adapter::accept_event); Amazon Lex code
    /// hooks: `raw_events_to("/lex")`).
    pub fn raw_events_to(mut self, path: impl Into<String>) -> Self {
        self.raw_path = Some(path.into());
        self
    }

    /// Runs without the internal extension: follow-ups then only run while the function runs.
    pub fn without_extension(mut self) -> Self {
        self.extension = false;
        self
    }

    /// Runs the Lambda runtime loop (and the extension) until the runtime API goes away.
    ///
    /// # Errors
    ///
    /// The runtime API or the extensions API failed.
    pub async fn run(self) -> Result<(), BoxError> {
        let host = Arc::new(self);
        let handler = {
            let host = Arc::clone(&host);
            service_fn(move |event: LambdaEvent<Value>| {
                let host = Arc::clone(&host);
                async move { host.invoke(event.payload, event.context).await }
            })
        };
        if !host.extension {
            return lambda_runtime::run(handler).await;
        }
        let pending = Arc::clone(&host.pending);
        let extension = lambda_extension::Extension::new()
            .with_events(&["INVOKE"])
            .with_extension_name("chatbridge-continuations")
            .with_events_processor(lambda_extension::service_fn(
                move |event: lambda_extension::LambdaEvent| {
                    let pending = Arc::clone(&pending);
                    async move {
                        if let lambda_extension::NextEvent::Invoke(invoke) = event.next {
                            let deadline = deadline_from_epoch_ms(invoke.deadline_ms);
                            pending.hold(&invoke.request_id, deadline).await;
                        }
                        Ok::<(), lambda_extension::Error>(())
                    }
                },
            ))
            .register()
            .await?;
        let (runtime, extension) = tokio::join!(lambda_runtime::run(handler), extension.run());
        runtime?;
        extension?;
        Ok(())
    }

    /// Answers one invocation: what [`run`](Self::run) does for each event. Public so that
    /// tests can drive the host without a runtime API.
    ///
    /// Scheduled invocations come first: a keep-warm ping (`{"chatbridge_keep_warm": true}`) is
    /// answered at once without touching any handler, and a job event
    /// (`{"chatbridge_job": "name"}`, or EventBridge's scheduled event for a rule named after
    /// the job) runs that job and waits for it. See [`jobs`](crate::jobs) and `docs/hosting.md`.
    ///
    /// # Errors
    ///
    /// An event that is neither an HTTP request nor accepted on the raw-events path; a raw
    /// event the adapter refused (the error carries its short reason); a job that failed or
    /// that no job matches (so the invocation counts as an error in the function's metrics).
    pub async fn invoke(
        &self,
        event: Value,
        context: lambda_runtime::Context,
    ) -> Result<Value, BoxError> {
        let invocation = Invocation::read(event)?;
        if let Invocation::Scheduled(scheduled) = invocation {
            return self.scheduled(scheduled).await;
        }
        let request_id = context.request_id.clone();
        let tracker = self.pending.begin(&request_id);
        let result = match invocation {
            Invocation::Http(http) => self.http(http, context, tracker.clone()).await,
            Invocation::Raw(event) => self.raw(event, tracker.clone()).await,
            Invocation::Scheduled(_) => unreachable!("answered above"),
        };
        tracker.close();
        self.pending.finish(&request_id, tracker);
        result
    }

    async fn scheduled(&self, scheduled: Scheduled) -> Result<Value, BoxError> {
        let name = match scheduled {
            Scheduled::KeepWarm => {
                tracing::debug!("keep-warm ping");
                return Ok(serde_json::json!({ "chatbridge_keep_warm": true }));
            }
            Scheduled::Job(name) => name,
            Scheduled::Rule(rule) => {
                scheduled::job_for_rule(&rule, self.bot.jobs().iter().map(crate::jobs::Job::name))
                    .ok_or_else(|| format!("no job matches the rule `{rule}`"))?
                    .to_owned()
            }
            Scheduled::Unrecognised => {
                return Err("a scheduled event that names no job (no rule in `resources`)".into());
            }
        };
        self.bot.run_job(&name).await?;
        Ok(serde_json::json!({ "chatbridge_job": name, "ok": true }))
    }

    /// An HTTP event, through `lambda_http`'s conversions.
    async fn http(
        &self,
        http: Http,
        context: lambda_runtime::Context,
        tracker: TaskTracker,
    ) -> Result<Value, BoxError> {
        let Http { request, payload_v2, refusal } = http;
        let bot = HttpBot { bot: self.bot.clone(), tracker, refusal };
        let response = lambda_http::Adapter::from(bot).call(LambdaEvent::new(*request, context));
        Ok(http_event::response_json(&response.await?, payload_v2)?)
    }

    /// A raw event, handed as it is to the adapter at the raw-events path.
    async fn raw(&self, event: Value, tracker: TaskTracker) -> Result<Value, BoxError> {
        let Some(path) = &self.raw_path else {
            return Err("not an HTTP event, and no raw-events path is configured".into());
        };
        let response = self.bot.handle_event(path, event, Some(Continuations(tracker))).await;
        let (status, body) = (response.status(), response.into_body());
        if status != StatusCode::OK {
            return Err(String::from_utf8_lossy(&body).into_owned().into());
        }
        if body.is_empty() {
            return Ok(Value::Null);
        }
        Ok(serde_json::from_slice(&body)?)
    }
}

/// The instant to stop holding the sandbox: the invocation's deadline, capped. A deadline that
/// is already past is not a real one (emulators send such), and the cap applies alone.
fn deadline_from_epoch_ms(deadline_ms: u64) -> Instant {
    let deadline = UNIX_EPOCH + Duration::from_millis(deadline_ms);
    match deadline.duration_since(SystemTime::now()) {
        Ok(left) if !left.is_zero() => Instant::now() + left.min(MAX_HOLD),
        _ => {
            tracing::debug!(deadline_ms, "invocation deadline already past; holding up to the cap");
            Instant::now() + MAX_HOLD
        }
    }
}
