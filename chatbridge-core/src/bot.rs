//! [`Bot`]: turns an `http::Request<Bytes>` into an `http::Response<Bytes>`, on any host.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Request, Response, StatusCode};
use tokio_util::task::TaskTracker;

use crate::adapter::{Accepted, Ack, Adapter, Incoming};
use crate::answer::{Durable, Env, Tasks, answer};
use crate::endpoint::Endpoint;
use crate::error::ErrorHook;
use crate::host::{Continuations, ReceivedAt};
use crate::inbox::{Entry, Inbox};
use crate::jobs::{Job, Jobs};
use crate::respond::refusal_body;
use crate::store::{MemoryStore, SharedStore};
use crate::{AdapterError, BotError, Handler, Router, plain};

/// The default body limit: 1 MiB.
const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// How long a de-duplication key is remembered: past Slack's retries (about five minutes) and
/// both sides of a signature's five-minute window.
pub(crate) const DEDUPE_TTL: Duration = Duration::from_secs(60 * 60);

/// A bot: adapters mounted at paths, a handler, and the machinery that answers on time.
///
/// Cheap to clone (one `Arc`); every host drives the same [`Bot::handle`].
///
/// ```
/// use bytes::Bytes;
/// use chatbridge_core::{Bot, Router};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let bot = Bot::builder().handler(Router::new()).build();
/// let response = bot.handle(http::Request::post("/nowhere").body(Bytes::new()).unwrap()).await;
/// assert_eq!(response.status(), http::StatusCode::NOT_FOUND);
/// # });
/// ```
#[derive(Clone)]
pub struct Bot {
    inner: Arc<Inner>,
}

struct Inner {
    mounts: Vec<(String, Arc<dyn Adapter>)>,
    routes: Vec<(String, Arc<dyn Endpoint>)>,
    handler: Arc<dyn Handler>,
    body_limit: usize,
    budget: Option<Duration>,
    store: SharedStore,
    on_error: ErrorHook,
    tasks: TaskTracker,
    jobs: Jobs,
    job_extensions: Arc<http::Extensions>,
    inbox: Option<Inbox>,
}

impl Bot {
    /// Starts building a bot.
    pub fn builder() -> BotBuilder {
        BotBuilder::default()
    }

    /// Answers one request. Never panics and never fails: every error becomes a status with a
    /// short, secret-free body (404 no adapter or endpoint at the path, 413 too large, 401 bad
    /// signature, 400 malformed, 405 a method the adapter or endpoint does not take, 500
    /// handler failure, 503 the de-duplication store is down).
    ///
    /// Hosts may attach [`ReceivedAt`] (so that the budget counts time spent before this call)
    /// and [`Continuations`] (to wait for this request's follow-ups) as request extensions.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let path = request.uri().path();
        let Some(adapter) = self.adapter_for(path) else {
            return match self.endpoint_for(path) {
                Some(endpoint) => Box::pin(self.serve_endpoint(&*endpoint, request)).await,
                None => plain(StatusCode::NOT_FOUND, "not found"),
            };
        };
        if request.body().len() > self.inner.body_limit {
            return plain(StatusCode::PAYLOAD_TOO_LARGE, "payload too large");
        }
        let received = request.extensions().get::<ReceivedAt>().map_or_else(Instant::now, |r| r.0);
        let scope = request.extensions().get::<Continuations>().map(|c| c.0.clone());
        let entry =
            self.inner.inbox.as_ref().and_then(|_| Entry::of(path, &request, SystemTime::now()));
        let accepted = std::panic::AssertUnwindSafe(adapter.accept(request)).catch_unwind().await;
        self.answer_accepted(&*adapter, accepted, received, scope, entry).await
    }

    /// Answers an event that did not come over HTTP (Amazon Lex invoking a Lambda function)
    /// with the adapter mounted at `path`, as [`handle`](Self::handle) answers a request.
    pub async fn handle_event(
        &self,
        path: &str,
        event: serde_json::Value,
        scope: Option<Continuations>,
    ) -> Response<Bytes> {
        let Some(adapter) = self.adapter_for(path) else {
            return plain(StatusCode::NOT_FOUND, "not found");
        };
        let received = Instant::now();
        let accepted =
            std::panic::AssertUnwindSafe(adapter.accept_event(event)).catch_unwind().await;
        self.answer_accepted(&*adapter, accepted, received, scope.map(|c| c.0), None).await
    }

    /// Answers an [`Incoming`] message that an adapter made outside [`handle`](Self::handle)
    /// (a Socket Mode envelope, a Gateway event): de-duplication, the handler, and the
    /// response its [`Responder`](crate::adapter::Responder) gives.
    pub async fn dispatch(&self, incoming: Incoming) -> Response<Bytes> {
        self.dispatch_in(incoming, None, None).await
    }

    async fn answer_accepted(
        &self,
        adapter: &dyn Adapter,
        accepted: std::thread::Result<Result<Accepted, AdapterError>>,
        received: Instant,
        scope: Option<TaskTracker>,
        entry: Option<Entry>,
    ) -> Response<Bytes> {
        let platform = adapter.platform();
        match accepted {
            Ok(Ok(Accepted::Respond(response))) => response,
            Ok(Ok(Accepted::Incoming(mut incoming))) => {
                incoming.received = received;
                self.dispatch_in(incoming, scope, entry).await
            }
            Ok(Err(error)) => {
                let status = error.status();
                tracing::info!(%platform, %status, %error, "request refused");
                let body = refusal_body(&error);
                self.report(BotError::Rejected { platform, error });
                plain(status, body)
            }
            Err(_panic) => {
                tracing::error!(%platform, "adapter panicked while reading a request");
                plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }

    async fn dispatch_in(
        &self,
        incoming: Incoming,
        scope: Option<TaskTracker>,
        entry: Option<Entry>,
    ) -> Response<Bytes> {
        let inner = &self.inner;
        let platform = incoming.message.platform;
        if !inner.handler.wants(&incoming.message) {
            tracing::debug!(%platform, kind = incoming.message.kind.name(), "no handler wants it");
            return incoming.responder.acknowledge(Ack::Nothing);
        }
        if let Some(key) = &incoming.dedupe_key {
            let key = crate::inbox::dedupe_mark(platform.name(), key);
            match inner.store.put_if_absent(&key, Bytes::new(), Some(DEDUPE_TTL)).await {
                Ok(true) => {}
                // Boxed, as are the inbox's other steps: the common path's future stays small.
                Ok(false) => return Box::pin(self.redelivered(incoming, scope, entry)).await,
                Err(error) => {
                    // Refuse rather than risk a double answer; the platform retries later.
                    tracing::error!(%platform, %error, "de-duplication store failed");
                    self.report(BotError::Store(error));
                    return plain(StatusCode::SERVICE_UNAVAILABLE, "try again later");
                }
            }
        }
        crate::counters::received(platform);
        let durable = match entry {
            Some(entry) => match Box::pin(self.admit(&incoming, entry)).await {
                Ok(durable) => durable,
                Err(refused) => return refused,
            },
            None => None,
        };
        answer(self.env(scope, durable), incoming).await
    }

    pub(crate) fn env(&self, scope: Option<TaskTracker>, durable: Option<Durable>) -> Env {
        let inner = &self.inner;
        Env {
            handler: Arc::clone(&inner.handler),
            store: Arc::clone(&inner.store),
            on_error: Arc::clone(&inner.on_error),
            tasks: Tasks { bot: inner.tasks.clone(), scope },
            budget: inner.budget,
            durable,
        }
    }

    /// The durable inbox's settings, when the bot has one.
    #[must_use]
    pub fn inbox(&self) -> Option<&Inbox> {
        self.inner.inbox.as_ref()
    }

    pub(crate) fn handler(&self) -> &Arc<dyn Handler> {
        &self.inner.handler
    }

    /// Work still running after its response went out (follow-ups, handlers past their
    /// budget, job runs). Hosts wait on it before they stop.
    #[must_use]
    pub fn tasks(&self) -> &TaskTracker {
        &self.inner.tasks
    }

    /// Waits, at most `timeout`, for every continuation to finish. Returns whether all did.
    pub async fn drain(&self, timeout: Duration) -> bool {
        let tasks = &self.inner.tasks;
        tasks.close();
        let done = tokio::time::timeout(timeout, tasks.wait()).await.is_ok();
        tasks.reopen();
        done
    }

    /// The bot's store.
    #[must_use]
    pub fn store(&self) -> &SharedStore {
        &self.inner.store
    }

    /// The paths adapters are mounted at.
    pub fn mounts(&self) -> impl Iterator<Item = &str> {
        self.inner.mounts.iter().map(|(path, _)| path.as_str())
    }

    /// The paths plain [`Endpoint`]s are routed at.
    pub fn routes(&self) -> impl Iterator<Item = &str> {
        self.inner.routes.iter().map(|(path, _)| path.as_str())
    }

    /// The largest body accepted, in bytes.
    #[must_use]
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The bot's scheduled jobs.
    #[must_use]
    pub fn jobs(&self) -> &[Job] {
        &self.inner.jobs.list
    }

    pub(crate) fn job_extensions(&self) -> &Arc<http::Extensions> {
        &self.inner.job_extensions
    }

    pub(crate) fn error_hook(&self) -> &ErrorHook {
        &self.inner.on_error
    }

    pub(crate) fn adapter_for(&self, path: &str) -> Option<Arc<dyn Adapter>> {
        self.inner.mounts.iter().find(|(p, _)| p == path).map(|(_, a)| Arc::clone(a))
    }

    fn endpoint_for(&self, path: &str) -> Option<Arc<dyn Endpoint>> {
        self.inner.routes.iter().find(|(p, _)| p == path).map(|(_, e)| Arc::clone(e))
    }

    async fn serve_endpoint(
        &self,
        endpoint: &dyn Endpoint,
        request: Request<Bytes>,
    ) -> Response<Bytes> {
        if !endpoint.allows(request.method()) {
            return plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
        }
        if request.body().len() > self.inner.body_limit {
            return plain(StatusCode::PAYLOAD_TOO_LARGE, "payload too large");
        }
        let answered = std::panic::AssertUnwindSafe(endpoint.call(request)).catch_unwind().await;
        answered.unwrap_or_else(|_| {
            tracing::error!("endpoint panicked");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        })
    }

    pub(crate) fn report(&self, error: BotError) {
        (self.inner.on_error)(&error);
    }
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("mounts", &self.mounts().collect::<Vec<_>>())
            .field("routes", &self.routes().collect::<Vec<_>>())
            .field("body_limit", &self.inner.body_limit)
            .field("budget", &self.inner.budget)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Bot`].
#[must_use]
pub struct BotBuilder {
    mounts: Vec<(String, Arc<dyn Adapter>)>,
    routes: Vec<(String, Arc<dyn Endpoint>)>,
    handler: Option<Arc<dyn Handler>>,
    body_limit: usize,
    budget: Option<Duration>,
    store: Option<SharedStore>,
    on_error: Option<ErrorHook>,
    jobs: Jobs,
    /// `None`: on when the store is durable.
    pub(crate) inbox: Option<Option<Inbox>>,
}

impl Default for BotBuilder {
    fn default() -> Self {
        Self {
            mounts: Vec::new(),
            routes: Vec::new(),
            handler: None,
            body_limit: DEFAULT_BODY_LIMIT,
            budget: None,
            store: None,
            on_error: None,
            jobs: Jobs::default(),
            inbox: None,
        }
    }
}

impl BotBuilder {
    /// Serves an adapter at a path (`/slack/events`). A second adapter (or an endpoint) at the
    /// same path replaces the first.
    pub fn mount(self, path: impl Into<String>, adapter: impl Adapter) -> Self {
        self.mount_arc(path, Arc::new(adapter))
    }

    /// Serves a shared adapter at a path.
    pub fn mount_arc(mut self, path: impl Into<String>, adapter: Arc<dyn Adapter>) -> Self {
        let path = absolute(path.into());
        self.mounts.retain(|(p, _)| *p != path);
        self.routes.retain(|(p, _)| *p != path);
        self.mounts.push((path, adapter));
        self
    }

    /// Serves a plain HTTP [`Endpoint`] at a path (`/slack/install`): no verification, no
    /// handler, the endpoint answers. A second endpoint (or an adapter) at the same path
    /// replaces the first.
    pub fn route(self, path: impl Into<String>, endpoint: impl Endpoint) -> Self {
        self.route_arc(path, Arc::new(endpoint))
    }

    /// Serves a shared [`Endpoint`] at a path.
    pub fn route_arc(mut self, path: impl Into<String>, endpoint: Arc<dyn Endpoint>) -> Self {
        let path = absolute(path.into());
        self.mounts.retain(|(p, _)| *p != path);
        self.routes.retain(|(p, _)| *p != path);
        self.routes.push((path, endpoint));
        self
    }

    /// The handler every message goes to: usually a [`Router`].
    pub fn handler(mut self, handler: impl Handler) -> Self {
        self.handler = Some(Arc::new(handler));
        self
    }

    /// The largest body accepted, in bytes (default 1 MiB); larger ones get 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Overrides every adapter's budget: how long after a request's arrival the first reply
    /// may still go out inline.
    pub fn ack_budget(mut self, budget: Duration) -> Self {
        self.budget = Some(budget);
        self
    }

    /// The store for de-duplication and whatever handlers keep (default: in memory).
    pub fn store(mut self, store: SharedStore) -> Self {
        self.store = Some(store);
        self
    }

    /// Called with every error after a request was accepted (handler failures, failed
    /// deliveries) and every refused request. It must not block.
    pub fn on_error(mut self, hook: impl Fn(&BotError) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(hook));
        self
    }

    /// Declares a scheduled job (see [`jobs`](crate::jobs)). A second job with the same name
    /// replaces the first.
    pub fn job(mut self, job: Job) -> Self {
        self.jobs.add(job);
        self
    }

    /// Data every job sees through [`JobContext::extensions`](crate::jobs::JobContext::extensions):
    /// a platform client, a channel id. One value per type; a second replaces the first.
    pub fn job_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.jobs.extensions.insert(value);
        self
    }

    /// Builds the bot.
    pub fn build(self) -> Bot {
        let job_extensions = Arc::new(self.jobs.extensions.clone());
        let store: SharedStore = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let inbox = self.inbox.unwrap_or_else(|| store.is_durable().then(Inbox::default));
        Bot {
            inner: Arc::new(Inner {
                mounts: self.mounts,
                routes: self.routes,
                handler: self.handler.unwrap_or_else(|| Arc::new(Router::new())),
                body_limit: self.body_limit,
                budget: self.budget,
                store,
                on_error: self.on_error.unwrap_or_else(|| Arc::new(|_| {})),
                tasks: TaskTracker::new(),
                jobs: self.jobs,
                job_extensions,
                inbox,
            }),
        }
    }
}

impl fmt::Debug for BotBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotBuilder")
            .field("mounts", &self.mounts.iter().map(|(p, _)| p).collect::<Vec<_>>())
            .field("routes", &self.routes.iter().map(|(p, _)| p).collect::<Vec<_>>())
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// A path with its leading `/`.
fn absolute(mut path: String) -> String {
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    path
}
