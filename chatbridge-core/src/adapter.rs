//! The [`Adapter`] contract: what a platform crate implements so that [`Bot`](crate::Bot) can
//! serve it.
//!
//! A request goes through an adapter in this order:
//!
//! 1. [`parse`](Adapter::parse) verifies the signature over the raw bytes, then unwraps the
//!    envelope. It is synchronous CPU work and never sees a body that was parsed before it was
//!    verified. Handshakes (Slack `url_verification`, Discord PING) are answered right there
//!    with [`Incoming::Respond`]. [`Bot`](crate::Bot) reaches it through
//!    [`receive`](Adapter::receive), which an adapter may override to verify requests together
//!    (Discord checks its Ed25519 signatures in batches under load), with `parse`'s results.
//! 2. [`prepare`](Adapter::prepare) may look things up (a workspace's token, the bot's own ids)
//!    and drop the message (the bot's own messages).
//! 3. The handler runs, raced against the [`Dispatch`]'s ack budget.
//! 4. The first reply in time goes out through [`render`](Adapter::render); otherwise
//!    [`acknowledge`](Adapter::acknowledge) answers the platform, and later replies go out
//!    through [`deliver`](Adapter::deliver).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use http::{Extensions, HeaderMap, HeaderName, Request, Response};

use crate::{AdapterError, Context, DeliveryError, Message, Platform, Reply, Visibility};

/// A platform adapter. See the [module docs](self) for the order of calls.
///
/// Handlers reach an adapter as its concrete type through [`Context::adapter`] (platform
/// crates' context extensions use it for their clients).
#[async_trait]
pub trait Adapter: std::any::Any + Send + Sync {
    /// Which platform this adapter serves.
    fn platform(&self) -> Platform;

    /// Verifies and parses a request.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Unauthorized`] for every verification failure (nothing of the request
    /// may reach a handler then), [`AdapterError::BadRequest`] for a body that does not parse.
    fn parse(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError>;

    /// [`parse`](Self::parse) where the verification may wait for other requests: what
    /// [`Bot`](crate::Bot) calls. The default is `parse`. An adapter overrides it to check the
    /// signatures of requests that arrive together in one batch, and must give the same result
    /// for every request that `parse` would.
    ///
    /// # Errors
    ///
    /// As for [`parse`](Self::parse).
    async fn receive(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError> {
        self.parse(request)
    }

    /// Looks up what the message needs before a handler sees it, and may drop it.
    ///
    /// `extensions` become the [`Context`]'s: put platform clients there. The default accepts
    /// every message and adds nothing.
    ///
    /// # Errors
    ///
    /// A failed lookup; the platform gets the error's status.
    async fn prepare(
        &self,
        message: &mut Message,
        extensions: &mut Extensions,
    ) -> Result<Prepared, AdapterError> {
        let _ = (message, extensions);
        Ok(Prepared::Handle)
    }

    /// Renders replies as the inline HTTP response. In [`ReplyMode::Inline`] there is exactly
    /// one reply; in [`ReplyMode::Collect`] there are all of the handler's replies, in order.
    ///
    /// # Errors
    ///
    /// A reply the platform cannot take inline.
    fn render(
        &self,
        message: &Message,
        replies: Vec<Reply>,
    ) -> Result<Response<Bytes>, AdapterError>;

    /// The response when no reply is rendered inline.
    fn acknowledge(&self, message: &Message, ack: Ack) -> Response<Bytes>;

    /// Delivers a reply after the HTTP response has gone (a follow-up, a reaction, a post).
    ///
    /// # Errors
    ///
    /// The platform's refusal, rate limiting past the retry bound, an expired reply channel.
    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError>;
}

/// A header's only value, as bytes: `None` when it is missing or sent more than once. For the
/// headers a signature check reads: when a proxy appended a second one, a check on the first
/// could pass for a request signed for the other, so a repeated header is refused rather than
/// one of its values guessed at.
///
/// ```
/// use chatbridge_core::adapter::single_header;
/// use http::{HeaderMap, HeaderName, HeaderValue};
///
/// static NAME: HeaderName = HeaderName::from_static("x-signature");
/// let mut headers = HeaderMap::new();
/// assert_eq!(single_header(&headers, &NAME), None);
/// headers.append(&NAME, HeaderValue::from_static("a"));
/// assert_eq!(single_header(&headers, &NAME), Some(&b"a"[..]));
/// headers.append(&NAME, HeaderValue::from_static("b"));
/// assert_eq!(single_header(&headers, &NAME), None);
/// ```
#[must_use]
pub fn single_header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a [u8]> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    Some(value.as_bytes())
}

/// Reads a JSON request body, as `serde_json::from_slice` does (the same values, the same
/// errors), but faster: the body is checked as UTF-8 once, as a whole, where `from_slice`
/// checks each string on its own, and those checks cost more than the rest of reading them.
///
/// ```
/// let value: serde_json::Value = chatbridge_core::adapter::from_json(br#"{"type":1}"#).unwrap();
/// assert_eq!(value["type"], 1);
/// assert!(chatbridge_core::adapter::from_json::<serde_json::Value>(b"\"\xff\"").is_err());
/// ```
///
/// # Errors
///
/// The body is not JSON, or not JSON of type `T`.
pub fn from_json<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        // Read from the bytes, for the error `from_slice` gives, with its position.
        Err(_) => serde_json::from_slice(body),
    }
}

/// A 200 with a JSON body already serialised, as adapters answer platforms inline.
///
/// Takes the `Vec` that `serde_json::to_vec` gives and hands it to `Bytes` as a boxed slice:
/// a `Vec` with room to spare would cost `Bytes` one more allocation, for its shared header.
#[must_use]
pub fn json_response(body: Vec<u8>) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.into_boxed_slice()));
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    response
}

/// What [`Adapter::parse`] found in a request.
#[derive(Debug)]
#[non_exhaustive]
// Made once per request and taken apart at once: boxing the message would only add an
// allocation to every request.
#[allow(clippy::large_enum_variant)]
pub enum Incoming {
    /// Answer with this response and run nothing (handshakes, health probes).
    Respond(Response<Bytes>),
    /// A message for the handler.
    Dispatch(Dispatch),
}

impl Incoming {
    /// A message to dispatch.
    #[must_use]
    pub fn dispatch(dispatch: Dispatch) -> Self {
        Self::Dispatch(dispatch)
    }
}

/// A parsed message and how to answer it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Dispatch {
    /// The message.
    pub message: Message,
    /// How replies are answered.
    pub mode: ReplyMode,
    /// How long after the request's arrival the platform must have its answer. The bot's own
    /// override, when set, wins.
    pub budget: Duration,
    /// A key that identifies a delivery across retries (Slack's `event_id`): a message whose
    /// key was already seen is acknowledged and not handled again.
    pub dedup_key: Option<String>,
    /// Whether [`Adapter::prepare`] runs even when no handler wants the message: the adapter
    /// has bookkeeping of its own to do (Slack's `app_uninstalled` removes an installation).
    pub always_prepare: bool,
}

impl Dispatch {
    /// A message answered in `mode` within `budget`.
    #[must_use]
    pub fn new(message: Message, mode: ReplyMode, budget: Duration) -> Self {
        Self { message, mode, budget, dedup_key: None, always_prepare: false }
    }

    /// Sets the de-duplication key.
    #[must_use]
    pub fn with_dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }

    /// Has [`Adapter::prepare`] run even when no handler wants the message.
    #[must_use]
    pub fn always_prepare(mut self) -> Self {
        self.always_prepare = true;
        self
    }
}

/// How a platform takes replies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ReplyMode {
    /// The first reply in time is the HTTP response; later ones are deliveries (Slack commands
    /// and interactions, Discord).
    Inline,
    /// Every reply the handler makes before it returns goes into one response; there is no
    /// follow-up channel (Amazon Lex).
    Collect,
    /// The platform wants an immediate empty acknowledgement; every reply is a delivery (Slack
    /// events).
    Acknowledge,
}

/// What [`Adapter::prepare`] decided.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Prepared {
    /// Hand the message to the handler.
    Handle,
    /// Acknowledge it and run nothing (the bot's own message, say), with a reason for the logs.
    Skip(&'static str),
}

/// Why a request is acknowledged without an inline reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Ack {
    /// The handler finished without replying, nobody wanted the message, or it was skipped.
    Nothing,
    /// A delivery of a message already handled (a platform retry).
    Duplicate,
    /// The budget ran out (or the handler asked to defer): replies follow as deliveries.
    Deferred {
        /// The visibility the handler asked for, so a deferral can keep it (Discord's
        /// ephemeral flag).
        visibility: Visibility,
    },
}

/// What the platform was answered with before a delivery.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Initial {
    /// A reply was rendered inline.
    Replied,
    /// A deferral acknowledgement went out; the first delivery completes it (Discord's
    /// `PATCH @original`).
    Deferred,
    /// A plain acknowledgement went out (an event, or a handler that said nothing in time).
    Acknowledged,
}

/// One reply to deliver after the HTTP response.
#[derive(Debug)]
#[non_exhaustive]
pub struct Delivery<'a> {
    /// The message being answered.
    pub message: &'a Message,
    /// The reply.
    pub reply: Reply,
    /// What the platform was answered with.
    pub initial: Initial,
    /// How many replies (reactions aside) were delivered for this message before this one.
    pub index: usize,
    /// How many deliveries of replies (reactions aside) were attempted for this message before
    /// this one, failed ones included (Slack counts every post to a `response_url`).
    pub attempts: usize,
    /// When the request arrived (reply channels such as Slack's `response_url` expire from it).
    pub received: Instant,
    /// The handler's context: its extensions hold the platform clients.
    pub context: &'a Context,
}
