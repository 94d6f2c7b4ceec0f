//! [`ApiError`]: why a Web API call failed, and how that becomes a [`DeliveryError`].

use std::time::Duration;

use chatbridge_core::{BoxError, DeliveryError, Platform};

/// A Slack Web API call that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// Slack answered `ok: false` with this error code.
    #[error("slack {method} failed: {code}")]
    Slack {
        /// The method called (`chat.postMessage`, or `response_url`).
        method: &'static str,
        /// Slack's error code (`channel_not_found`, `invalid_auth`, …).
        code: String,
    },
    /// Still rate limited after the bounded retries, or asked to wait longer than allowed.
    #[error("slack rate limited {method} (retry after {retry_after:?})")]
    RateLimited {
        /// The method called.
        method: &'static str,
        /// How long Slack asked to wait.
        retry_after: Duration,
    },
    /// An HTTP status other than 2xx or 429.
    #[error("slack {method} answered http {status}")]
    Status {
        /// The method called.
        method: &'static str,
        /// The status.
        status: u16,
    },
    /// The method needs a bot token and none is configured.
    #[error("slack {method} needs a bot token")]
    NoToken {
        /// The method called.
        method: &'static str,
    },
    /// The call could not be made or its answer read (connection, timeout, decoding).
    #[error("slack {method} call failed")]
    Transport {
        /// The method called.
        method: &'static str,
        /// The underlying error, without the URL.
        #[source]
        source: BoxError,
    },
}

impl From<ApiError> for DeliveryError {
    fn from(error: ApiError) -> Self {
        let platform = Platform::SLACK;
        match error {
            ApiError::Slack { code, .. } => Self::Platform { platform, reason: code, status: None },
            ApiError::RateLimited { retry_after, .. } => {
                Self::RateLimited { platform, retry_after }
            }
            ApiError::Status { status, .. } => {
                Self::Platform { platform, reason: format!("http {status}"), status: Some(status) }
            }
            ApiError::NoToken { .. } => {
                Self::Unsupported { platform, reason: "no bot token is configured" }
            }
            ApiError::Transport { source, .. } => Self::Transport { platform, source },
        }
    }
}
