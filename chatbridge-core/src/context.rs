//! [`Context`]: what a handler gets besides the message: `reply()`, the deadline, the stores and
//! the platform clients.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http::Extensions;
use tokio::sync::Notify;
use tokio_util::task::TaskTracker;

use crate::adapter::{Adapter, Delivery, Initial};
use crate::store::SharedStore;
use crate::{Bot, BotError, DeliveryError, Emoji, IntoReply, Message, Platform, Reply, Visibility};

/// How long a delivery waits for the HTTP response to leave before it goes anyway.
const RESPONSE_WAIT: Duration = Duration::from_secs(5);

/// A handler's view of the request it is answering. Cheap to clone (one `Arc`).
///
/// ```
/// use chatbridge_core::{Context, Message, Reply};
/// use std::time::Duration;
///
/// async fn hello(cx: Context, _msg: Message) -> Result<(), chatbridge_core::HandlerError> {
///     cx.reply(Reply::text("General Kenobi!").in_channel()).await?; // inline if in time
///     tokio::time::sleep(Duration::from_secs(5)).await;
///     cx.reply("You _are_ a bold one.").await?; // a follow-up
///     Ok(())
/// }
/// # let _ = hello;
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    message: Message,
    adapter: Arc<dyn Adapter>,
    received: Instant,
    deadline: Instant,
    extensions: Extensions,
    /// The bot: its store, its error hook and its task tracker.
    bot: Bot,
    /// The request's own tracker of continuations, when the host asked for one.
    scope: Option<TaskTracker>,
    follow_ups: bool,
    first: Mutex<First>,
    /// Signalled when the handler gives its first reply or defers (`First::Given`).
    first_given: Notify,
    deliveries: tokio::sync::Mutex<Counts>,
    /// Whether the HTTP response has left (or will never leave): follow-ups wait for it.
    sent: AtomicBool,
    sent_changed: Notify,
}

/// Deliveries of messages (reactions aside) made so far for one request.
#[derive(Default)]
struct Counts {
    delivered: usize,
    attempted: usize,
}

/// Background work of a request.
pub(crate) type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs `task` on the bot's tracker (and the request's scope, when there is one), so that
/// hosts wait for it before they stop.
pub(crate) fn spawn_tracked(tasks: &TaskTracker, scope: Option<&TaskTracker>, task: Task) {
    let task: Task = match scope {
        Some(scope) => Box::pin(scope.track_future(task)),
        None => task,
    };
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            tasks.spawn_on(task, &handle);
        }
        Err(_) => tracing::error!("no tokio runtime to run a request's continuation on"),
    }
}

/// Where the next reply goes.
pub(crate) enum First {
    /// Waiting for the first reply: it goes into the response.
    Inline,
    /// The handler replied or deferred; the request side has not taken it into the response
    /// yet. Later replies are deliveries.
    Given(FirstReply),
    /// Collecting every reply into one response.
    Collect(Vec<Reply>),
    /// The response is settled: replies are deliveries.
    Settled(Initial),
}

impl First {
    /// What the platform is (or will be) answered with, as deliveries see it.
    fn initial(&self) -> Initial {
        match self {
            Self::Settled(initial) => *initial,
            Self::Given(FirstReply::Reply(_)) => Initial::Replied,
            Self::Given(FirstReply::Defer(_)) => Initial::Deferred,
            Self::Inline | Self::Collect(_) => Initial::Acknowledged,
        }
    }
}

/// Where [`Context::place`] put a reply.
pub(crate) enum Placed {
    /// Into the response (or nowhere: it was empty).
    Done,
    /// Nowhere yet: it is a follow-up to deliver.
    Deliver(Rest),
}

/// A reply to deliver after the response, and its reaction.
pub(crate) struct Rest {
    reply: Reply,
    reaction: Option<Emoji>,
}

/// What the request side gets from the handler before it answers.
#[derive(Debug)]
pub(crate) enum FirstReply {
    Reply(Reply),
    Defer(Visibility),
}

impl Context {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        message: Message,
        adapter: Arc<dyn Adapter>,
        received: Instant,
        deadline: Instant,
        extensions: Extensions,
        bot: Bot,
        scope: Option<TaskTracker>,
        first: First,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                message,
                adapter,
                received,
                deadline,
                extensions,
                bot,
                scope,
                follow_ups: !matches!(first, First::Collect(_)),
                first: Mutex::new(first),
                first_given: Notify::new(),
                deliveries: tokio::sync::Mutex::new(Counts::default()),
                sent: AtomicBool::new(false),
                sent_changed: Notify::new(),
            }),
        }
    }

    /// The handler's first reply or deferral, if it gave one the request side has not taken
    /// yet; the state is settled accordingly.
    pub(crate) fn take_first(&self) -> Option<FirstReply> {
        let mut first = self.lock_first();
        if !matches!(*first, First::Given(_)) {
            return None;
        }
        let First::Given(given) = std::mem::replace(&mut *first, First::Settled(Initial::Replied))
        else {
            unreachable!("matched just above")
        };
        if let FirstReply::Defer(_) = given {
            *first = First::Settled(Initial::Deferred);
        }
        Some(given)
    }

    /// The request side stopped waiting without taking the first reply (the host dropped the
    /// request): later replies go out as deliveries, and so does one given but not taken.
    pub(crate) fn abandon_first(&self) {
        let mut first = self.lock_first();
        if !matches!(*first, First::Inline | First::Given(_)) {
            return;
        }
        if let First::Given(FirstReply::Reply(reply)) =
            std::mem::replace(&mut *first, First::Settled(Initial::Deferred))
        {
            drop(first);
            let cx = self.clone();
            self.spawn(Box::pin(async move {
                let _ = cx.deliver(reply, true).await;
            }));
        }
    }

    /// Completes when the handler has given its first reply or deferred (at once if it has).
    pub(crate) async fn first_given(&self) {
        self.inner.first_given.notified().await;
    }

    /// Marks the HTTP response as gone (or as never going): follow-ups may go.
    pub(crate) fn mark_sent(&self) {
        if !self.inner.sent.swap(true, Ordering::AcqRel) {
            self.inner.sent_changed.notify_waiters();
        }
    }

    /// Waits until the response has gone.
    async fn response_sent(&self) {
        let changed = self.inner.sent_changed.notified();
        tokio::pin!(changed);
        // Registered before the check, so a `mark_sent` in between is not missed.
        changed.as_mut().enable();
        if !self.inner.sent.load(Ordering::Acquire) {
            changed.await;
        }
    }

    /// Runs background work of this request as one of its tracked continuations.
    pub(crate) fn spawn(&self, task: Task) {
        spawn_tracked(self.inner.bot.tasks(), self.inner.scope.as_ref(), task);
    }

    /// The bot answering the request.
    pub(crate) fn bot(&self) -> &Bot {
        &self.inner.bot
    }

    /// The request's tracker of continuations, when the host gave one.
    pub(crate) fn scope(&self) -> Option<&TaskTracker> {
        self.inner.scope.as_ref()
    }

    /// The adapter the message came through, as its concrete type: platform crates reach
    /// their own adapter's clients this way.
    #[must_use]
    pub fn adapter<A: Adapter>(&self) -> Option<&A> {
        let adapter: &dyn std::any::Any = &*self.inner.adapter;
        adapter.downcast_ref::<A>()
    }

    /// Sends a reply: inline as the HTTP response if the platform is still waiting and it is in
    /// time, otherwise as a follow-up. Replies go out in the order of the calls, each once.
    ///
    /// A reply's reaction goes out through the platform's API in the background, so that it
    /// never holds up the response; if it fails, the bot's error hook hears of it.
    ///
    /// # Errors
    ///
    /// A follow-up the platform refused or that could not be made; the bot's error hook hears
    /// of it too.
    pub async fn reply(&self, reply: impl IntoReply) -> Result<(), DeliveryError> {
        match self.place(reply) {
            Placed::Done => Ok(()),
            Placed::Deliver(rest) => self.deliver_rest(rest).await,
        }
    }

    /// The part of [`reply`](Self::reply) that needs no waiting: the reply goes into the
    /// collected replies or the first-reply slot if it can (a reaction alone then starts in the
    /// background); what must still be delivered is given back.
    pub(crate) fn place(&self, reply: impl IntoReply) -> Placed {
        let Some(reply) = reply.into_reply() else { return Placed::Done };
        // A platform without a follow-up channel gets the whole reply, reaction included, to
        // render as it can (Lex shows the emoji).
        let reply = match &mut *self.lock_first() {
            First::Collect(replies) => {
                replies.push(reply);
                return Placed::Done;
            }
            _ => reply,
        };
        let (reply, reaction) = reply.take_reaction();
        let follow_up = if reply.is_empty() { None } else { self.try_first(reply) };
        match follow_up {
            Some(reply) => Placed::Deliver(Rest { reply, reaction }),
            None => {
                self.react(reaction);
                Placed::Done
            }
        }
    }

    /// Delivers what [`place`](Self::place) could not place, then its reaction.
    pub(crate) async fn deliver_rest(&self, rest: Rest) -> Result<(), DeliveryError> {
        self.deliver(rest.reply, true).await?;
        self.react(rest.reaction);
        Ok(())
    }

    /// Sends a reaction in the background: it needs no response to have gone first (it
    /// targets the source message), and the response must not wait for it.
    fn react(&self, reaction: Option<Emoji>) {
        if let Some(emoji) = reaction {
            let cx = self.clone();
            self.spawn(Box::pin(async move {
                let _ = cx.deliver(Reply::reaction(emoji), false).await;
            }));
        }
    }

    /// Acknowledges the platform now, before there is a reply, with the visibility the reply
    /// will have (Discord keeps the ephemeral flag of a deferral). Later replies are follow-ups.
    /// Does nothing when the platform was already answered.
    pub fn defer(&self, visibility: Visibility) {
        let mut first = self.lock_first();
        if let First::Inline = &*first {
            *first = First::Given(FirstReply::Defer(visibility));
            self.inner.first_given.notify_one();
        }
    }

    /// Whether replies after the response can reach the platform. Amazon Lex has no follow-up
    /// channel: everything a handler says there goes into its one response.
    #[must_use]
    pub fn has_follow_ups(&self) -> bool {
        self.inner.follow_ups
    }

    /// The message being answered.
    #[must_use]
    pub fn message(&self) -> &Message {
        &self.inner.message
    }

    /// The platform the message came from.
    #[must_use]
    pub fn platform(&self) -> Platform {
        self.inner.message.platform
    }

    /// When the platform must have its answer; after it, replies are follow-ups.
    #[must_use]
    pub fn deadline(&self) -> Instant {
        self.inner.deadline
    }

    /// When the request arrived.
    #[must_use]
    pub fn received(&self) -> Instant {
        self.inner.received
    }

    /// The bot's store (installations, de-duplication, whatever the handler keeps).
    #[must_use]
    pub fn store(&self) -> &SharedStore {
        self.inner.bot.store()
    }

    /// Platform clients and data the adapter attached; adapters' extension traits read them.
    #[must_use]
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// Reports an error to the bot's error hook (for failures in work the handler spawned).
    pub fn report(&self, error: BotError) {
        (self.inner.bot.error_hook())(&error);
    }

    /// Puts the reply in the first-reply slot if it is still open; gives it back otherwise.
    fn try_first(&self, reply: Reply) -> Option<Reply> {
        let mut first = self.lock_first();
        match &mut *first {
            First::Collect(replies) => {
                replies.push(reply);
                None
            }
            First::Inline => {
                *first = First::Given(FirstReply::Reply(reply));
                self.inner.first_given.notify_one();
                None
            }
            First::Given(_) | First::Settled(_) => Some(reply),
        }
    }

    async fn deliver(&self, reply: Reply, after_response: bool) -> Result<(), DeliveryError> {
        // One delivery at a time per request, so follow-ups arrive in call order.
        let mut counts = self.inner.deliveries.lock().await;
        if after_response {
            // Follow-ups must not overtake the HTTP response (Discord answers 404 otherwise).
            let _ = tokio::time::timeout(RESPONSE_WAIT, self.response_sent()).await;
        }
        let initial = self.lock_first().initial();
        // Reactions do not take a message slot: the index counts messages only, so that an
        // adapter can tell its first follow-up (Discord's `PATCH @original`) from later ones.
        let is_message = !(reply.text.is_none() && reply.extensions.is_empty());
        let delivery = Delivery {
            message: &self.inner.message,
            reply,
            initial,
            index: counts.delivered,
            attempts: counts.attempted,
            received: self.inner.received,
            context: self,
        };
        let platform = self.platform();
        let delivered = self.inner.adapter.deliver(delivery).await;
        if is_message {
            counts.attempted += 1;
        }
        match delivered {
            Ok(()) => {
                if is_message {
                    counts.delivered += 1;
                }
                Ok(())
            }
            Err(error) => {
                tracing::warn!(%platform, %error, "reply delivery failed");
                let report = BotError::Delivery { platform, error };
                (self.inner.bot.error_hook())(&report);
                let BotError::Delivery { error, .. } = report else {
                    unreachable!("constructed as Delivery just above")
                };
                Err(error)
            }
        }
    }

    pub(crate) fn lock_first(&self) -> std::sync::MutexGuard<'_, First> {
        self.inner.first.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("platform", &self.platform())
            .field("kind", &self.inner.message.kind)
            .field("deadline_in", &self.inner.deadline.saturating_duration_since(Instant::now()))
            .finish_non_exhaustive()
    }
}
