//! [`Context`]: what a handler gets besides the message: `reply()`, the deadline, the store and
//! the platform clients.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use http::Extensions;

use crate::answer::ReplySlot;
use crate::error::ErrorHook;
use crate::store::SharedStore;
use crate::{BotError, DeliveryError, IntoReply, Message, Platform, Visibility};

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
    replies: Arc<ReplySlot>,
    received: Instant,
    deadline: Instant,
    extensions: Extensions,
    store: SharedStore,
    on_error: ErrorHook,
}

impl Context {
    pub(crate) fn new(
        message: Message,
        replies: Arc<ReplySlot>,
        received: Instant,
        deadline: Instant,
        extensions: Extensions,
        store: SharedStore,
        on_error: ErrorHook,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                message,
                replies,
                received,
                deadline,
                extensions,
                store,
                on_error,
            }),
        }
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
        match reply.into_reply() {
            Some(reply) => self.inner.replies.send(reply).await,
            None => Ok(()),
        }
    }

    /// Replaces the message the action came from with `reply` (Slack: `replace_original`
    /// through the `response_url`; Discord: response type 7, or an edit of `@original` after
    /// the press was acknowledged). The same as replying with
    /// [`Reply::replace_original`](crate::Reply::replace_original).
    ///
    /// # Errors
    ///
    /// As [`reply`](Self::reply).
    pub async fn update(&self, reply: impl IntoReply) -> Result<(), DeliveryError> {
        match reply.into_reply() {
            Some(reply) => self.inner.replies.send(reply.replace_original()).await,
            None => Ok(()),
        }
    }

    /// Acknowledges the platform now, before there is a reply, with the visibility the reply
    /// will have (Discord keeps the ephemeral flag of a deferral). Later replies are follow-ups.
    /// Does nothing when the platform was already answered.
    pub fn defer(&self, visibility: Visibility) {
        self.inner.replies.defer(visibility);
    }

    /// Whether replies after the response can reach the platform. Amazon Lex has no follow-up
    /// channel: everything a handler says there goes into its one response.
    #[must_use]
    pub fn has_follow_ups(&self) -> bool {
        self.inner.replies.has_follow_ups()
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
        &self.inner.store
    }

    /// What the adapter attached for handlers: its platform client, an installation. The
    /// platform crates' context extension traits (`cx.slack()`, `cx.discord()`) read it.
    #[must_use]
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// Reports an error to the bot's error hook (for failures in work the handler spawned).
    pub fn report(&self, error: BotError) {
        (self.inner.on_error)(&error);
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
