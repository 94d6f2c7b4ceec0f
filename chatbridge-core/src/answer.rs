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
use tracing::Instrument;

use crate::adapter::{Ack, Incoming, Responder, Timing};
use crate::error::ErrorHook;
use crate::handler_run::{Failed, HandlerRun, run_handler};
use crate::inbox::{Claim, Held};
use crate::journal::{self, Journal};
use crate::store::SharedStore;
use crate::{BotError, Context, DeliveryError, Emoji, Handler, Platform, Reply, Visibility, plain};

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
    /// The request's place in the durable inbox, if it has one.
    pub(crate) durable: Option<Durable>,
}

/// A request held in the inbox; `replay` when this is a run after a crash.
pub(crate) struct Durable {
    pub(crate) claim: Arc<Claim>,
    pub(crate) replay: bool,
}

/// Runs the handler on `incoming` and gives the HTTP response, on time, in a span for the
/// request (platform, kind, ids, and the outcome: the handler's and the HTTP status).
pub(crate) async fn answer(env: Env, incoming: Incoming) -> Response<Bytes> {
    let message = &incoming.message;
    let span = tracing::info_span!(
        "request",
        platform = %message.platform,
        kind = message.kind.name(),
        message = message.id.as_ref().map(tracing::field::display),
        delivery = incoming.dedupe_key.as_deref(),
        replay = env.durable.as_ref().is_some_and(|d| d.replay),
        status = tracing::field::Empty,
        outcome = tracing::field::Empty,
    );
    answer_in(env, incoming, span.clone()).instrument(span).await
}

async fn answer_in(env: Env, incoming: Incoming, span: tracing::Span) -> Response<Bytes> {
    let Incoming { message, responder, mut timing, mut extensions, received, .. } = incoming;
    let platform = message.platform;
    let journal = env.durable.as_ref().map(|d| d.claim.journal(d.replay));
    if let Some(durable) = &env.durable {
        extensions.insert(Held(Arc::clone(&durable.claim)));
        durable.claim.keep_alive(&env.tasks);
        if durable.replay {
            // The platform had its answer: every delivery of a rerun follows it.
            timing = Timing::Immediate;
        }
    }
    let tasks = env.tasks.clone();
    let slot = ReplySlot::new(responder, timing, platform, env.on_error.clone(), tasks, journal);
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
    let handled = run_handler(env.handler, cx, message).map(move |done| {
        span.record("outcome", if done.is_ok() { "ok" } else { "failed" });
        done
    });
    let handled = handled.in_current_span();
    let mut run = match env.durable {
        Some(Durable { claim, .. }) => {
            let slot = Arc::clone(&slot);
            HandlerRun::new(env.tasks, async move {
                let done = handled.await;
                slot.pending.close();
                slot.pending.wait().await;
                claim.finish().await;
                done
            })
        }
        None => HandlerRun::new(env.tasks, handled),
    };
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
    let settled = slot.settle(finished);
    tracing::Span::current().record("status", settled.status().as_u16());
    slot.record_inline().await;
    response.send(settled)
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
    /// What was delivered, when the request is in the durable inbox.
    journal: Option<Journal>,
    /// The number of the reply that went into the response, to record once it has gone.
    inline: Mutex<Option<u32>>,
    /// Background deliveries (reactions, an abandoned first reply): a request in the inbox
    /// is finished only after them.
    pending: TaskTracker,
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
    Reply(Reply, Option<u32>),
    Defer(Visibility),
}

impl ReplySlot {
    fn new(
        responder: Box<dyn Responder>,
        timing: Timing,
        platform: Platform,
        on_error: ErrorHook,
        tasks: Tasks,
        journal: Option<Journal>,
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
            journal,
            inline: Mutex::new(None),
            pending: TaskTracker::new(),
        })
    }

    /// The next delivery's number in the journal, if there is one.
    fn number(&self) -> Option<u32> {
        self.journal.as_ref().map(Journal::number)
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
            // Numbered in call order: the reaction, then the reply.
            let reaction = reaction.map(|emoji| (emoji, self.number()));
            let reply = (!reply.is_empty()).then(|| (reply, self.number()));
            match reply {
                Some((reply, number)) if matches!(*state, State::Open) => {
                    *state = State::Given(First::Reply(reply, number));
                    drop(state);
                    self.given.notify_one();
                    self.react(reaction);
                    return Ok(());
                }
                reply => (reply, reaction),
            }
        };
        self.react(reaction);
        match reply {
            Some((reply, number)) => self.follow_up(reply, number).await,
            None => Ok(()),
        }
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
            (State::Given(First::Reply(reply, number)), _) => {
                *self.inline.lock().unwrap_or_else(PoisonError::into_inner) = number;
                self.respond(vec![reply])
            }
            (State::Given(First::Defer(visibility)), _) => {
                crate::counters::deferred(self.platform);
                self.responder.acknowledge(Ack::Deferred(visibility))
            }
            (State::Open | State::Collecting(_), Some(Err(Failed))) => {
                plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
            (State::Collecting(replies), _) if !replies.is_empty() => self.respond(replies),
            (State::Open | State::Collecting(_), None) => {
                crate::counters::deferred(self.platform);
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
        if let State::Given(First::Reply(reply, number)) = state {
            let slot = Arc::clone(self);
            self.tasks.spawn(self.pending.track_future(async move {
                let _ = slot.follow_up(reply, number).await;
            }));
        }
    }

    /// Records the reply that went into the response as delivered.
    async fn record_inline(&self) {
        let number = self.inline.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let (Some(journal), Some(number)) = (&self.journal, number) {
            journal.record(number).await;
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

    async fn follow_up(&self, reply: Reply, number: Option<u32>) -> Result<(), DeliveryError> {
        let _order = self.order.lock().await;
        // Follow-ups must not overtake the response (Discord answers 404 otherwise).
        let _ = tokio::time::timeout(RESPONSE_WAIT, self.response_sent()).await;
        let delivered = journal::once(self.journal.as_ref(), number, async {
            self.responder.follow_up(reply).await
        });
        delivered.await.map_err(|error| self.failed(error))
    }

    fn react(self: &Arc<Self>, reaction: Option<(Emoji, Option<u32>)>) {
        if let Some((emoji, number)) = reaction {
            let slot = Arc::clone(self);
            self.tasks.spawn(self.pending.track_future(async move {
                let reacted = journal::once(slot.journal.as_ref(), number, async {
                    slot.responder.react(emoji).await
                });
                let _ = reacted.await.map_err(|error| slot.failed(error));
            }));
        }
    }

    /// Reports a failed delivery and gives the error back.
    fn failed(&self, error: DeliveryError) -> DeliveryError {
        let platform = self.platform;
        tracing::warn!(%platform, %error, "reply delivery failed");
        crate::counters::failed_delivery(platform);
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
