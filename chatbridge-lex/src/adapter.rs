//! [`LexAdapter`]: Lex code-hook events in, V1 or V2 responses out.

use std::fmt;
use std::time::Duration;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Adapter, Incoming, Timing};
use chatbridge_core::{AdapterError, Platform, Secret};
use http::{HeaderName, Method, Request};

use crate::message::to_message;
use crate::model::LexEvent;
use crate::responder::LexResponder;

/// The default budget: Lex gives a code hook 30 s; 3 s are kept for the answer to get back.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(27);

/// The default message of the `Failed` close sent when a handler runs past the budget.
pub const DEFAULT_TIMEOUT_MESSAGE: &str = "Sorry, that took too long. Please try again.";

/// The Amazon Lex adapter: mount it at a path (`/lex`) and POST raw Lex events (V1 or V2) to
/// it; the response body is the Lex response.
///
/// Every reply the handler makes before it returns goes into one response
/// ([`Timing::Collect`]). A handler still running when the budget (27 s by default) runs
/// out gets a graceful `Close` + `Failed` with a short message instead of a Lambda timeout;
/// replies after the response fail with [`DeliveryError::Unsupported`](chatbridge_core::DeliveryError::Unsupported): Lex has no follow-up
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
    timeout_message: Arc<str>,
    shared_secret: Option<(HeaderName, Secret)>,
}

impl LexAdapter {
    /// An adapter with the default budget and no header check.
    pub fn new() -> Self {
        Self {
            budget: DEFAULT_BUDGET,
            timeout_message: Arc::from(DEFAULT_TIMEOUT_MESSAGE),
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
        self.timeout_message = Arc::from(message.into());
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

    /// The event as a message for the handler, with its responder.
    fn incoming(&self, event: LexEvent) -> Accepted {
        tracing::debug!(
            platform = %Platform::LEX,
            version = ?event.version(),
            intent = event.intent_name(),
            source = ?event.invocation_source(),
            "lex event"
        );
        let event = Arc::new(event);
        let responder = LexResponder {
            event: Arc::clone(&event),
            timeout_message: Arc::clone(&self.timeout_message),
        };
        let message = to_message(event);
        Accepted::Incoming(Incoming::new(message, responder, Timing::Collect(self.budget)))
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

    async fn accept(&self, request: Request<Bytes>) -> Result<Accepted, AdapterError> {
        if request.method() != Method::POST {
            return Err(AdapterError::MethodNotAllowed);
        }
        if let Some((name, expected)) = &self.shared_secret {
            crate::verify::shared_secret(request.headers(), name, expected)?;
        }
        let event = LexEvent::from_slice(request.body())
            .map_err(|error| AdapterError::bad_request(error.to_string()))?;
        Ok(self.incoming(event))
    }

    async fn accept_event(&self, event: serde_json::Value) -> Result<Accepted, AdapterError> {
        let event = LexEvent::from_value(event)
            .map_err(|error| AdapterError::bad_request(error.to_string()))?;
        Ok(self.incoming(event))
    }
}
