//! The [`Adapter`] contract: what a platform crate implements so that [`Bot`](crate::Bot) can
//! serve it.
//!
//! An adapter does two things, and core does the rest:
//!
//! 1. [`Adapter::accept`] verifies a request over its raw bytes, then reads it: either an
//!    immediate answer ([`Accepted::Respond`]: a handshake, the bot's own message, a refusal),
//!    or an [`Incoming`] message with its [`Responder`].
//! 2. The [`Responder`] answers that one request: the HTTP response carrying the first reply,
//!    or an acknowledgement without one, then follow-ups and reactions. It owns whatever state
//!    answering takes on its platform (how often a `response_url` was used, whether a deferred
//!    response was filled).
//!
//! Core decides *when*: the first reply in time goes inline, otherwise the platform is
//! acknowledged and the replies follow, in order, each once (see [`Timing`]).

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use http::{Extensions, HeaderMap, HeaderName, Request, Response};

use crate::{AdapterError, DeliveryError, Emoji, Message, Platform, Reply, Visibility};

/// A platform adapter: verification and reading of requests, and a [`Responder`] per message.
#[async_trait]
pub trait Adapter: Send + Sync + 'static {
    /// Which platform this adapter serves.
    fn platform(&self) -> Platform;

    /// Verifies a request and reads it.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Unauthorized`] for every verification failure (nothing of the request
    /// may reach a handler then), [`AdapterError::BadRequest`] for a body that is not what the
    /// platform sends at all, [`AdapterError::MethodNotAllowed`] for a method other than the
    /// platform's.
    async fn accept(&self, request: Request<Bytes>) -> Result<Accepted, AdapterError>;

    /// Reads an event that did not come over HTTP (Amazon Lex invoking a Lambda function with
    /// its event as JSON). The default refuses it: most platforms only ever send requests.
    ///
    /// # Errors
    ///
    /// [`AdapterError::BadRequest`] for an event this adapter does not take.
    async fn accept_event(&self, event: serde_json::Value) -> Result<Accepted, AdapterError> {
        let _ = event;
        Err(AdapterError::bad_request("this adapter takes only HTTP requests"))
    }
}

/// What [`Adapter::accept`] made of a request.
#[derive(Debug)]
#[non_exhaustive]
// Made once per request and taken apart at once: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Accepted {
    /// Answer with this response and run nothing.
    Respond(Response<Bytes>),
    /// A message for the handler.
    Incoming(Incoming),
}

/// A message for the handler, and how to answer it.
#[non_exhaustive]
pub struct Incoming {
    /// The message.
    pub message: Message,
    /// Answers this one request.
    pub responder: Box<dyn Responder>,
    /// When the platform wants its answer.
    pub timing: Timing,
    /// Identifies a delivery across retries and replays (Slack's `event_id`, a Discord
    /// interaction id): a key already seen is acknowledged with [`Ack::Duplicate`] and not
    /// handled again.
    pub dedupe_key: Option<String>,
    /// What the handler's [`Context`](crate::Context) exposes besides the message: the
    /// platform client (with the right token), an installation record.
    pub extensions: Extensions,
    /// When the request arrived; the budget counts from here. Hosts set it (a cold start
    /// counts too); it defaults to when the `Incoming` was made.
    pub received: Instant,
}

impl Incoming {
    /// A message answered by `responder` with `timing`.
    pub fn new(message: Message, responder: impl Responder, timing: Timing) -> Self {
        Self {
            message,
            responder: Box::new(responder),
            timing,
            dedupe_key: None,
            extensions: Extensions::new(),
            received: Instant::now(),
        }
    }

    /// Sets the de-duplication key.
    #[must_use]
    pub fn dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// Adds a value the handler's context exposes (one per type).
    #[must_use]
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }
}

impl fmt::Debug for Incoming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incoming")
            .field("message", &self.message)
            .field("timing", &self.timing)
            .field("dedupe_key", &self.dedupe_key.is_some())
            .finish_non_exhaustive()
    }
}

/// When a platform wants its answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Timing {
    /// Within the budget (counted from the request's arrival): the first reply in time is the
    /// response; otherwise an acknowledgement, and every reply follows (Slack commands and
    /// interactions, Discord).
    Inline(Duration),
    /// Every reply the handler makes before it returns goes into one response, within the
    /// budget; there is no follow-up channel (Amazon Lex).
    Collect(Duration),
    /// At once, with an acknowledgement; every reply follows (Slack events).
    Immediate,
}

impl Timing {
    /// The budget, for the timings that have one.
    #[must_use]
    pub fn budget(self) -> Option<Duration> {
        match self {
            Self::Inline(budget) | Self::Collect(budget) => Some(budget),
            Self::Immediate => None,
        }
    }
}

/// Answers one request: the HTTP response, then what follows it.
///
/// Core calls exactly one of [`respond`](Self::respond) and
/// [`acknowledge`](Self::acknowledge), once, for the HTTP response; then, after that response
/// has gone, [`follow_up`](Self::follow_up) once per later reply, one at a time and in order.
/// [`react`](Self::react) may come at any time.
#[async_trait]
pub trait Responder: Send + Sync + 'static {
    /// The HTTP response carrying replies: the first reply ([`Timing::Inline`]), or all of
    /// them, possibly none ([`Timing::Collect`]).
    ///
    /// # Errors
    ///
    /// A reply the platform cannot take inline; the platform is answered with a 500.
    fn respond(&self, replies: Vec<Reply>) -> Result<Response<Bytes>, AdapterError>;

    /// The HTTP response when no reply goes in it.
    fn acknowledge(&self, ack: Ack) -> Response<Bytes>;

    /// Sends a reply after the HTTP response (a follow-up, a post, an edit of a deferred
    /// response).
    ///
    /// # Errors
    ///
    /// The platform's refusal, rate limiting past the retry bound, an expired reply channel,
    /// a reply this platform cannot send after the response.
    async fn follow_up(&self, reply: Reply) -> Result<(), DeliveryError>;

    /// Reacts to the message being answered.
    ///
    /// # Errors
    ///
    /// As for [`follow_up`](Self::follow_up); a platform without reactions says so.
    async fn react(&self, emoji: Emoji) -> Result<(), DeliveryError>;
}

/// Why a request is answered without a reply in the response.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Ack {
    /// Nothing to say: the handler finished without replying, or nobody wanted the message.
    Nothing,
    /// A delivery of a message already handled (a platform retry, a replay).
    Duplicate,
    /// The budget ran out, or the handler deferred: replies follow. The visibility is the one
    /// the handler asked for, so a deferral can keep it (Discord's ephemeral flag).
    Deferred(Visibility),
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

/// A 200 with a JSON body, as adapters answer platforms inline.
///
/// ```
/// let response = chatbridge_core::adapter::json_response(br#"{"type":1}"#.to_vec());
/// assert_eq!(response.headers()["content-type"], "application/json");
/// ```
#[must_use]
pub fn json_response(body: Vec<u8>) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body));
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    response
}

/// An empty 200, the acknowledgement most platforms take.
#[must_use]
pub fn empty_response() -> Response<Bytes> {
    Response::new(Bytes::new())
}
