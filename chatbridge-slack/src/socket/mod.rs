//! Slack Socket Mode (feature `socket-mode`): Slack pushes events, slash commands and
//! interactions over a WebSocket the bot opens, so the bot needs no public URL.
//!
//! [`SocketMode`] is a [`Connection`] the local server runs beside HTTP. It calls
//! `apps.connections.open` with the app-level token (`xapp-…`), connects to the URL Slack
//! gives, waits for `hello`, and acknowledges every envelope by its `envelope_id`, with a
//! command's inline answer as the acknowledgement's `payload`. Envelopes are read, filtered
//! and de-duplicated exactly as the HTTP endpoint reads requests (no signature: the app token
//! authenticates the socket), and later replies go through `response_url` and the Web API.
//! When Slack asks for a new connection (`disconnect`), the socket drops or goes silent, a new
//! one is opened from a fresh `apps.connections.open`, with bounded backoff; an envelope that
//! was never acknowledged is delivered again by Slack and, if it was handled already, not
//! handled twice. With [`connections`](SocketMode::connections) above 1, several sockets stay
//! open at once, so that one being replaced leaves no gap.
//!
//! ```no_run
//! use chatbridge_core::host::server::Server;
//! use chatbridge_core::{Bot, Router};
//! use chatbridge_slack::socket::SocketMode;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // SLACK_APP_TOKEN (xapp-…), and SLACK_BOT_TOKEN for replies through the Web API.
//! let socket = SocketMode::from_env()?;
//! let bot = Bot::builder().handler(Router::new()).build();
//! Server::bind("127.0.0.1:3000").await?.connection(socket).serve(bot).await?;
//! # Ok(())
//! # }
//! ```

mod connection;
mod envelope;
mod run;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chatbridge_core::host::connection::{Connection, Readiness};
use chatbridge_core::{Bot, BoxError, ConfigError, Secret};
use tokio_util::sync::CancellationToken;

use crate::SlackAdapter;
use crate::read::Reader;
use connection::Timings;

/// Slack Socket Mode as a [`Connection`] of the local server. Build it with
/// [`from_env`](Self::from_env), [`SlackAdapter::socket_mode`] (sharing an HTTP adapter's
/// configuration) or [`SlackAdapterBuilder::socket_mode`](crate::SlackAdapterBuilder::socket_mode).
pub struct SocketMode {
    reader: Arc<Reader>,
    app_token: Secret,
    timings: Timings,
    backoff: (Duration, Duration),
    auth_attempts: u32,
    connections: usize,
}

impl SocketMode {
    pub(crate) fn new(reader: Arc<Reader>, app_token: Secret) -> Self {
        Self {
            reader,
            app_token,
            timings: Timings {
                ping_interval: Duration::from_secs(10),
                ping_timeout: Duration::from_secs(30),
                hello_timeout: Duration::from_secs(10),
                refresh_grace: Duration::from_secs(10),
            },
            backoff: (Duration::from_secs(1), Duration::from_secs(30)),
            auth_attempts: 3,
            connections: 1,
        }
    }

    /// A connection configured from `SLACK_APP_TOKEN` (required), `SLACK_BOT_TOKEN` and
    /// `SLACK_API_URL` (optional); no signing secret is needed.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] when `SLACK_APP_TOKEN` is unset or empty (never its value);
    /// [`ConfigError::Client`] when the HTTP client cannot be set up.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// use chatbridge_core::ConfigError;
    /// use chatbridge_slack::socket::SocketMode;
    ///
    /// let err = SocketMode::from_lookup(|_| None).unwrap_err();
    /// assert!(matches!(err, ConfigError::Missing("SLACK_APP_TOKEN")));
    /// let socket = SocketMode::from_lookup(|name| (name == "SLACK_APP_TOKEN").then(|| "xapp-1".into()));
    /// assert!(!format!("{:?}", socket.unwrap()).contains("xapp-1"));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let token = var("SLACK_APP_TOKEN").ok_or(ConfigError::Missing("SLACK_APP_TOKEN"))?;
        SlackAdapter::builder_for_socket_mode().with_vars(&var).socket_mode(Secret::new(token))
    }

    /// How often the connection pings Slack, and how long it waits without hearing anything
    /// before it counts the socket as dead and opens another (default 10 s and 30 s).
    #[must_use]
    pub fn ping(mut self, interval: Duration, timeout: Duration) -> Self {
        self.timings.ping_interval = interval;
        self.timings.ping_timeout = timeout;
        self
    }

    /// How long Slack has to say `hello` on a new socket (default 10 s), and how long a socket
    /// keeps serving after Slack's `disconnect` while the next one opens (default 10 s).
    #[must_use]
    pub fn grace(mut self, hello: Duration, refresh: Duration) -> Self {
        self.timings.hello_timeout = hello;
        self.timings.refresh_grace = refresh;
        self
    }

    /// The wait before reconnecting after a failure: `min`, doubling with each failure in a
    /// row, at most `max` (default 1 s and 30 s).
    #[must_use]
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = (min, max.max(min));
        self
    }

    /// How many sockets to keep open at once, from 1 (the default) to 10 (Slack's limit):
    /// Slack sends each envelope over one of them, so with two or more, one being replaced
    /// leaves no gap.
    #[must_use]
    pub fn connections(mut self, count: usize) -> Self {
        self.connections = count.clamp(1, 10);
        self
    }

    /// How many times in a row `apps.connections.open` may refuse the app token
    /// (`invalid_auth`, `not_allowed_token_type`, …) before the connection gives up with an
    /// error (default 3).
    #[must_use]
    pub fn auth_attempts(mut self, attempts: u32) -> Self {
        self.auth_attempts = attempts.max(1);
        self
    }
}

#[async_trait]
impl Connection for SocketMode {
    fn name(&self) -> &str {
        "slack-socket-mode"
    }

    async fn run(
        self: Box<Self>,
        bot: Bot,
        ready: Readiness,
        shutdown: CancellationToken,
    ) -> Result<(), BoxError> {
        run::Supervisor::new(*self, bot, ready, &shutdown)?.run().await
    }
}

impl fmt::Debug for SocketMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketMode")
            .field("app_token", &self.app_token)
            .field("reader", &self.reader)
            .field("timings", &self.timings)
            .field("backoff", &self.backoff)
            .field("auth_attempts", &self.auth_attempts)
            .field("connections", &self.connections)
            .finish()
    }
}
