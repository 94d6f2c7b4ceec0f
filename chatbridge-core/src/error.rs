//! Error types. Dependency errors are boxed so that no pre-1.0 type shows in the public API, and
//! no message carries a secret, a signature or a body.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::Platform;

/// The error hook's type: see [`BotBuilder::on_error`](crate::BotBuilder::on_error).
pub(crate) type ErrorHook = std::sync::Arc<dyn Fn(&BotError) + Send + Sync>;

/// A boxed error from a dependency or a handler.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why an adapter (or its install flow) could not be configured. Names a setting or an
/// environment variable, never its value.
///
/// ```
/// let error = chatbridge_core::ConfigError::Missing("SLACK_SIGNING_SECRET");
/// assert_eq!(error.to_string(), "SLACK_SIGNING_SECRET is not set");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting is unset or empty.
    #[error("{0} is not set")]
    Missing(&'static str),
    /// A setting is set but unusable.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The setting or variable.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The platform's HTTP client could not be set up.
    #[error("the {platform} http client could not be set up")]
    Client {
        /// The platform.
        platform: Platform,
        /// Why.
        #[source]
        source: BoxError,
    },
}

/// Why an adapter refused a request. Each kind maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// The signature is missing, malformed, wrong or out of its time window (401).
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// The body could not be understood (400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The body is larger than allowed (413).
    #[error("payload too large")]
    PayloadTooLarge,
    /// The content type is not one the adapter accepts (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The method is not one the adapter accepts (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Something failed inside the adapter (500).
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl AdapterError {
    /// A 400 with a short, secret-free reason.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::BadRequest(reason.into())
    }

    /// The HTTP status the request gets.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A handler's failure: any error converts into it with `?`.
///
/// Like `anyhow::Error`, it does not implement `std::error::Error` itself, which is what lets
/// every error type convert into it.
///
/// ```
/// use chatbridge_core::HandlerError;
///
/// fn parse(text: &str) -> Result<u32, HandlerError> {
///     Ok(text.parse::<u32>()?)
/// }
/// assert!(parse("x").is_err());
/// let err = HandlerError::msg("no such pizza");
/// assert_eq!(err.to_string(), "no such pizza");
/// ```
pub struct HandlerError(BoxError);

impl HandlerError {
    /// An error from a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }

    /// The underlying error.
    #[must_use]
    pub fn into_inner(self) -> BoxError {
        self.0
    }

    /// The underlying error, borrowed.
    #[must_use]
    pub fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl<E: Into<BoxError>> From<E> for HandlerError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A reply that could not be delivered through the platform's API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The platform answered with an error of its own (Slack's `error` code, Discord's message).
    #[error("{platform} refused the call: {reason}")]
    Platform {
        /// Which platform.
        platform: Platform,
        /// The platform's reason, as it gave it.
        reason: String,
        /// The HTTP status, when there was one.
        status: Option<u16>,
    },
    /// Still rate limited after the bounded retries.
    #[error("{platform} rate limited the call (retry after {retry_after:?})")]
    RateLimited {
        /// Which platform.
        platform: Platform,
        /// How long the platform asked to wait.
        retry_after: Duration,
    },
    /// The reply can no longer be sent this way (an expired interaction token, a used-up
    /// `response_url`).
    #[error("{platform} reply channel expired: {reason}")]
    Expired {
        /// Which platform.
        platform: Platform,
        /// What expired.
        reason: &'static str,
    },
    /// The platform has no way to send this reply (a Lex follow-up, a reaction without a token).
    #[error("{platform} cannot deliver this reply: {reason}")]
    Unsupported {
        /// Which platform.
        platform: Platform,
        /// Why not.
        reason: &'static str,
    },
    /// The request could not be made or its answer read (connection, timeout, decoding).
    #[error("{platform} API call failed")]
    Transport {
        /// Which platform.
        platform: Platform,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
}

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend failed (I/O, connection, service error).
    #[error("store backend failed")]
    Backend(#[source] BoxError),
    /// A stored value could not be decoded.
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
}

/// What the bot's error hook receives: anything that went wrong after a request was accepted,
/// or a request that was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BotError {
    /// A handler returned an error or panicked.
    #[error("{platform} handler failed: {error}")]
    Handler {
        /// Which platform the message came from.
        platform: Platform,
        /// The handler's error.
        error: HandlerError,
    },
    /// A reply could not be delivered.
    #[error("{platform} reply delivery failed")]
    Delivery {
        /// Which platform.
        platform: Platform,
        /// Why.
        #[source]
        error: DeliveryError,
    },
    /// An adapter refused a request (bad signature, malformed body, …).
    #[error("{platform} request refused")]
    Rejected {
        /// Which platform.
        platform: Platform,
        /// Why.
        #[source]
        error: AdapterError,
    },
    /// A store failed while handling a request.
    #[error("store failed")]
    Store(#[source] StoreError),
    /// A scheduled job returned an error or panicked.
    #[error("job `{name}` failed: {error}")]
    Job {
        /// The job's name.
        name: String,
        /// The job's error.
        error: HandlerError,
    },
}
