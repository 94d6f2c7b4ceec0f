//! [`LexAdapter`]: Lex code-hook events in, V1 or V2 responses out.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{
    Ack, Adapter, Delivery, Dispatch, Incoming, ReplyMode, json_response,
};
use chatbridge_core::{AdapterError, DeliveryError, Message, Platform, Reply, Secret};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use subtle::ConstantTimeEq;

use crate::event::LexEvent;
use crate::message::{LexMessageExt, to_message};
use crate::render::{Plan, render};

/// The default budget: Lex gives a code hook 30 s; 3 s are kept for the answer to get back.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(27);

/// The default message of the `Failed` close sent when a handler runs past the budget.
pub const DEFAULT_TIMEOUT_MESSAGE: &str = "Sorry, that took too long. Please try again.";

/// The Amazon Lex adapter: mount it at a path (`/lex`) and POST raw Lex events (V1 or V2) to
/// it; the response body is the Lex response.
///
/// Every reply the handler makes before it returns goes into one response
/// ([`ReplyMode::Collect`]). A handler still running when the budget (27 s by default) runs
/// out gets a graceful `Close` + `Failed` with a short message instead of a Lambda timeout;
/// replies after the response fail with [`DeliveryError::Unsupported`]: Lex has no follow-up
/// channel.
///
/// Lex signs nothing when it invokes a Lambda. For the local HTTP server,
/// [`require_header`](Self::require_header) adds a shared-secret header check (401 when the
/// header is missing or wrong).
///
/// ```
/// use chatbridge_core::{Bot, Context, Message, Router};
/// use chatbridge_lex::LexAdapter;
///
/// async fn hello(_cx: Context, _msg: Message) -> &'static str { "General Kenobi!" }
///
/// let bot = Bot::builder()
///     .mount("/lex", LexAdapter::new())
///     .handler(Router::new().command("HelloThere", hello))
///     .build();
/// # let _ = bot;
/// ```
#[must_use]
pub struct LexAdapter {
    budget: Duration,
    timeout_message: String,
    shared_secret: Option<(HeaderName, Secret)>,
}

impl LexAdapter {
    /// An adapter with the default budget and no header check.
    pub fn new() -> Self {
        Self {
            budget: DEFAULT_BUDGET,
            timeout_message: DEFAULT_TIMEOUT_MESSAGE.to_owned(),
            shared_secret: None,
        }
    }

    /// How long after an event's arrival the handler may take (default 27 s; keep it under
    /// Lex's 30 s).
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The message of the `Failed` close sent when the budget runs out.
    pub fn timeout_message(mut self, message: impl Into<String>) -> Self {
        self.timeout_message = message.into();
        self
    }

    /// Requires every request to carry header `name` with exactly `value` (compared in
    /// constant time); others get 401. Meant for the local HTTP server, where anyone could
    /// otherwise post events; Lambda invocations carry no headers.
    ///
    /// ```
    /// use chatbridge_core::Secret;
    /// use chatbridge_lex::LexAdapter;
    /// use http::HeaderName;
    ///
    /// let adapter = LexAdapter::new()
    ///     .require_header(HeaderName::from_static("x-lex-secret"), Secret::new("s3cr3t"));
    /// # let _ = adapter;
    /// ```
    pub fn require_header(mut self, name: HeaderName, value: impl Into<Secret>) -> Self {
        self.shared_secret = Some((name, value.into()));
        self
    }

    /// The JSON response for the message's event.
    fn respond(&self, message: &Message, plan: &Plan) -> Result<Response<Bytes>, AdapterError> {
        let Some(event) = message.lex() else {
            return Err(AdapterError::Internal("the message has no Lex event".into()));
        };
        let body = render(event, plan).map_err(|error| {
            tracing::warn!(platform = %Platform::LEX, %error, "reply cannot be rendered");
            AdapterError::Internal(Box::new(error))
        })?;
        let bytes = serde_json::to_vec(&body).map_err(|e| AdapterError::Internal(Box::new(e)))?;
        Ok(json_response(bytes))
    }

    fn check_header(&self, request: &Request<Bytes>) -> Result<(), AdapterError> {
        let Some((name, expected)) = &self.shared_secret else { return Ok(()) };
        let given = request.headers().get(name).map_or(&[][..], HeaderValue::as_bytes);
        if bool::from(given.ct_eq(expected.expose_secret().as_bytes())) {
            Ok(())
        } else {
            Err(AdapterError::Unauthorized("missing or wrong shared-secret header"))
        }
    }
}

impl Default for LexAdapter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LexAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LexAdapter")
            .field("budget", &self.budget)
            .field("header", &self.shared_secret.as_ref().map(|(name, _)| name))
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Adapter for LexAdapter {
    fn platform(&self) -> Platform {
        Platform::LEX
    }

    fn parse(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError> {
        if request.method() != Method::POST {
            return Err(AdapterError::MethodNotAllowed);
        }
        self.check_header(request)?;
        let event = LexEvent::from_slice(request.body())
            .map_err(|error| AdapterError::bad_request(error.to_string()))?;
        tracing::debug!(
            platform = %Platform::LEX,
            version = ?event.version(),
            intent = event.intent_name(),
            source = ?event.invocation_source(),
            "lex event"
        );
        let message = to_message(event);
        Ok(Incoming::dispatch(Dispatch::new(message, ReplyMode::Collect, self.budget)))
    }

    fn render(
        &self,
        message: &Message,
        replies: Vec<Reply>,
    ) -> Result<Response<Bytes>, AdapterError> {
        self.respond(message, &Plan::from_replies(replies))
    }

    fn acknowledge(&self, message: &Message, ack: Ack) -> Response<Bytes> {
        let plan = match ack {
            Ack::Deferred { .. } => {
                tracing::warn!(platform = %Platform::LEX, "handler ran past the budget: failed close");
                Plan::failed(&self.timeout_message)
            }
            _ => Plan::default(),
        };
        self.respond(message, &plan).unwrap_or_else(|_| {
            let mut response = Response::new(Bytes::from_static(b"internal error"));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        })
    }

    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        let reason = if delivery.reply.reaction.is_some() {
            "Lex has no reactions"
        } else {
            "Lex has no follow-up channel"
        };
        Err(DeliveryError::Unsupported { platform: Platform::LEX, reason })
    }
}
