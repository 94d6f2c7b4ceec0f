//! Answering one message on time.
//!
//! The handler's replies go to the request's [`ReplySlot`], which alone decides where each one
//! goes: the first reply in time into the HTTP response, the rest after it as follow-ups, in
//! call order, each once. [`answer`] runs the handler against the budget and asks the slot for
//! the response. Neither reaches back into the adapter: what a platform needs is the
//! [`Responder`]'s business.
//!
//! The handler's future is polled in the request's own task first, so a handler that answers
//! at once costs no task and no timer. When the response must go before the handler is done
//! (a first reply, a deferral, the budget spent), the rest of the future moves to a tracked
//! task; if the host drops the request, it moves there too, so nothing accepted is cancelled.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Response, StatusCode};
use tokio::sync::Notify;
use tokio_util::task::TaskTracker;

use crate::adapter::{Ack, Incoming, Responder, Timing};
use crate::error::ErrorHook;
use crate::store::SharedStore;
use crate::{
    BotError, Context, DeliveryError, Emoji, Handler, HandlerError, Message, Platform, Reply,
    Visibility, plain,
};

/// How long a follow-up waits for the HTTP response to leave before it goes anyway.
const RESPONSE_WAIT: Duration = Duration::from_secs(5);

/// What answering a message needs from the bot.
pub(crate) struct Env {
    pub(crate) handler: Arc<dyn Handler>,
    pub(crate) store: SharedStore,
    pub(crate) on_error: ErrorHook,
    pub(crate) tasks: Tasks,
    /// The bot's budget, overriding the adapter's when set.
    pub(crate) budget: Option<Duration>,
}

/// Runs the handler on `incoming` and gives the HTTP response, on time.
pub(crate) async fn answer(env: Env, incoming: Incoming) -> Response<Bytes> {
    let Incoming { message, responder, timing, extensions, received, .. } = incoming;
    let platform = message.platform;
    let slot = ReplySlot::new(responder, timing, platform, env.on_error.clone(), env.tasks.clone());
    let deadline = received + env.budget.or(timing.budget()).unwrap_or_default();
    let cx = Context::new(
        message.clone(),
        Arc::clone(&slot),
        received,
        deadline,
        extensions,
        env.store,
        env.on_error,
    );
    tracing::debug!(%platform, kind = message.kind.name(), ?timing, "handling");
    let response = ResponseGuard(Some(&slot));
    let mut run = HandlerRun::new(env.tasks, run_handler(env.handler, cx, message));
    if timing == Timing::Immediate {
        run.detach();
        return response.send(slot.settle(None));
    }
    let finished = match run.poll_once().await {
        Poll::Ready(done) => Some(done),
        Poll::Pending if slot.is_given() => None,
        Poll::Pending => {
            let budget = tokio::time::sleep_until(deadline.into());
            tokio::select! {
                biased;
                done = run.finish() => Some(done),
                () = slot.given() => None,
                () = budget => None,
            }
        }
    };
    if finished.is_none() {
        run.detach();
    }
    response.send(slot.settle(finished))
}

/// Background work of a bot: tracked by the bot (hosts wait for it before they stop), and by
/// the request's own scope when the host gave one (the Lambda host waits per invocation).
#[derive(Clone, Debug)]
pub(crate) struct Tasks {
    pub(crate) bot: TaskTracker,
    pub(crate) scope: Option<TaskTracker>,
}

impl Tasks {
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let task: Pin<Box<dyn Future<Output = ()> + Send>> = match &self.scope {
            Some(scope) => Box::pin(scope.track_future(task)),
            None => Box::pin(task),
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                self.bot.spawn_on(task, &handle);
            }
            Err(_) => tracing::error!("no tokio runtime to run a request's continuation on"),
        }
    }
}

/// Where a request's replies go. One per request, shared by its [`Context`] and [`answer`].
pub(crate) struct ReplySlot {
    responder: Box<dyn Responder>,
    platform: Platform,
    follow_ups: bool,
    state: Mutex<State>,
    /// Signalled when the handler gives its first reply or defers.
    given: Notify,
    /// Held by the follow-up being sent, so that follow-ups go one at a time, in order.
    order: tokio::sync::Mutex<()>,
    /// Whether the HTTP response has gone (or never will): follow-ups wait for it.
    sent: AtomicBool,
    sent_changed: Notify,
    on_error: ErrorHook,
    tasks: Tasks,
}

enum State {
    /// Waiting for the first reply, which goes into the response.
    Open,
    /// The handler replied or deferred; the response has not taken it yet.
    Given(First),
    /// Every reply goes into the response.
    Collecting(Vec<Reply>),
    /// The response is settled: replies follow it.
    Closed,
}

enum First {
    Reply(Reply),
    Defer(Visibility),
}

impl ReplySlot {
    fn new(
        responder: Box<dyn Responder>,
        timing: Timing,
        platform: Platform,
        on_error: ErrorHook,
        tasks: Tasks,
    ) -> Arc<Self> {
        let state = match timing {
            Timing::Inline(_) => State::Open,
            Timing::Collect(_) => State::Collecting(Vec::new()),
            Timing::Immediate => State::Closed,
        };
        Arc::new(Self {
            responder,
            platform,
            follow_ups: !matches!(timing, Timing::Collect(_)),
            state: Mutex::new(state),
            given: Notify::new(),
            order: tokio::sync::Mutex::new(()),
            sent: AtomicBool::new(false),
            sent_changed: Notify::new(),
            on_error,
            tasks,
        })
    }

    /// A reply from the handler: into the response while it can go there, otherwise a
    /// follow-up once the response has gone. A reaction goes out at once, in the background:
    /// it targets the source message and must not hold up the response.
    pub(crate) async fn send(self: &Arc<Self>, reply: Reply) -> Result<(), DeliveryError> {
        let (reply, reaction) = {
            let mut state = self.lock();
            if let State::Collecting(replies) = &mut *state {
                // A platform without follow-ups renders the whole reply, reaction included.
                replies.push(reply);
                return Ok(());
            }
            let (reply, reaction) = reply.take_reaction();
            if matches!(*state, State::Open) && !reply.is_empty() {
                *state = State::Given(First::Reply(reply));
                drop(state);
                self.given.notify_one();
                self.react(reaction);
                return Ok(());
            }
            (reply, reaction)
        };
        self.react(reaction);
        if reply.is_empty() {
            return Ok(());
        }
        self.follow_up(reply).await
    }

    /// The handler asks for an acknowledgement now; its replies will follow.
    pub(crate) fn defer(&self, visibility: Visibility) {
        let mut state = self.lock();
        if matches!(*state, State::Open) {
            *state = State::Given(First::Defer(visibility));
            drop(state);
            self.given.notify_one();
        }
    }

    pub(crate) fn has_follow_ups(&self) -> bool {
        self.follow_ups
    }

    pub(crate) fn report(&self, error: BotError) {
        (self.on_error)(&error);
    }

    fn is_given(&self) -> bool {
        matches!(*self.lock(), State::Given(_))
    }

    async fn given(&self) {
        self.given.notified().await;
    }

    /// The HTTP response, from what the handler gave so far and how it `finished` (`None`:
    /// still running). Later replies follow it.
    fn settle(&self, finished: Option<Result<(), Failed>>) -> Response<Bytes> {
        let state = std::mem::replace(&mut *self.lock(), State::Closed);
        match (state, finished) {
            (State::Given(First::Reply(reply)), _) => self.respond(vec![reply]),
            (State::Given(First::Defer(visibility)), _) => {
                self.responder.acknowledge(Ack::Deferred(visibility))
            }
            (State::Open | State::Collecting(_), Some(Err(Failed))) => {
                plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
            (State::Collecting(replies), _) if !replies.is_empty() => self.respond(replies),
            (State::Open | State::Collecting(_), None) => {
                self.responder.acknowledge(Ack::Deferred(Visibility::Default))
            }
            (State::Open | State::Collecting(_), Some(Ok(()))) | (State::Closed, _) => {
                self.responder.acknowledge(Ack::Nothing)
            }
        }
    }

    fn respond(&self, replies: Vec<Reply>) -> Response<Bytes> {
        self.responder.respond(replies).unwrap_or_else(|error| {
            let platform = self.platform;
            tracing::error!(%platform, %error, "reply could not be rendered");
            let status = error.status();
            self.report(BotError::Rejected { platform, error });
            plain(status, "internal error")
        })
    }

    /// The request went away before its response was settled: a reply already given becomes
    /// a follow-up, and later ones need not wait.
    fn abandon(self: &Arc<Self>) {
        let state = std::mem::replace(&mut *self.lock(), State::Closed);
        self.mark_sent();
        if let State::Given(First::Reply(reply)) = state {
            let slot = Arc::clone(self);
            self.tasks.spawn(async move {
                let _ = slot.follow_up(reply).await;
            });
        }
    }

    fn mark_sent(&self) {
        if !self.sent.swap(true, Ordering::AcqRel) {
            self.sent_changed.notify_waiters();
        }
    }

    async fn response_sent(&self) {
        let changed = self.sent_changed.notified();
        tokio::pin!(changed);
        // Registered before the check, so that a `mark_sent` in between is not missed.
        changed.as_mut().enable();
        if !self.sent.load(Ordering::Acquire) {
            changed.await;
        }
    }

    async fn follow_up(&self, reply: Reply) -> Result<(), DeliveryError> {
        let _order = self.order.lock().await;
        // Follow-ups must not overtake the response (Discord answers 404 otherwise).
        let _ = tokio::time::timeout(RESPONSE_WAIT, self.response_sent()).await;
        let delivered = self.responder.follow_up(reply).await;
        delivered.map_err(|error| self.failed(error))
    }

    fn react(self: &Arc<Self>, reaction: Option<Emoji>) {
        if let Some(emoji) = reaction {
            let slot = Arc::clone(self);
            self.tasks.spawn(async move {
                let reacted = slot.responder.react(emoji).await;
                let _ = reacted.map_err(|error| slot.failed(error));
            });
        }
    }

    /// Reports a failed delivery and gives the error back.
    fn failed(&self, error: DeliveryError) -> DeliveryError {
        let platform = self.platform;
        tracing::warn!(%platform, %error, "reply delivery failed");
        let report = BotError::Delivery { platform, error };
        (self.on_error)(&report);
        let BotError::Delivery { error, .. } = report else {
            unreachable!("constructed as Delivery just above")
        };
        error
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The handler failed; its error already went to the error hook.
struct Failed;

/// The handler, its panics caught and its errors reported; its returned reply goes through
/// the context like any other.
async fn run_handler(
    handler: Arc<dyn Handler>,
    cx: Context,
    message: Message,
) -> Result<(), Failed> {
    let platform = message.platform;
    let result = AssertUnwindSafe(async {
        if let Some(reply) = handler.call(cx.clone(), message).await? {
            cx.reply(reply).await?;
        }
        Ok::<(), HandlerError>(())
    })
    .catch_unwind()
    .await
    .unwrap_or_else(|_| Err(HandlerError::msg("handler panicked")));
    result.map_err(|error| {
        tracing::warn!(%platform, %error, "handler failed");
        cx.report(BotError::Handler { platform, error });
        Failed
    })
}

/// Marks the response as gone when it is returned; when dropped instead (the host dropped the
/// request), abandons the slot.
struct ResponseGuard<'a>(Option<&'a Arc<ReplySlot>>);

impl ResponseGuard<'_> {
    fn send(mut self, response: Response<Bytes>) -> Response<Bytes> {
        if let Some(slot) = self.0.take() {
            slot.mark_sent();
        }
        response
    }
}

impl Drop for ResponseGuard<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            slot.abandon();
        }
    }
}

type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), Failed>> + Send>>;

/// The handler's future while the request polls it; moved to a tracked task when detached or
/// dropped unfinished.
struct HandlerRun {
    tasks: Tasks,
    future: Option<HandlerFuture>,
}

impl HandlerRun {
    fn new(
        tasks: Tasks,
        future: impl Future<Output = Result<(), Failed>> + Send + 'static,
    ) -> Self {
        Self { tasks, future: Some(Box::pin(future)) }
    }

    /// Polls the handler once.
    async fn poll_once(&mut self) -> Poll<Result<(), Failed>> {
        std::future::poll_fn(|cx| {
            let Some(future) = self.future.as_mut() else { return Poll::Ready(Poll::Pending) };
            let polled = future.as_mut().poll(cx);
            if polled.is_ready() {
                self.future = None;
            }
            Poll::Ready(polled)
        })
        .await
    }

    /// Runs the handler to its end; pending forever once detached.
    async fn finish(&mut self) -> Result<(), Failed> {
        match self.future.as_mut() {
            Some(future) => {
                let done = future.await;
                self.future = None;
                done
            }
            None => std::future::pending().await,
        }
    }

    /// Moves the rest of the handler to a tracked task.
    fn detach(&mut self) {
        if let Some(future) = self.future.take() {
            self.tasks.spawn(async move {
                let _ = future.await;
            });
        }
    }
}

impl Drop for HandlerRun {
    fn drop(&mut self) {
        self.detach();
    }
}
