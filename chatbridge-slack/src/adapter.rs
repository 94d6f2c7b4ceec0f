//! [`SlackAdapter`]: verifies Slack's requests and reads them into messages, each answered by
//! its own responder; and [`SlackAdapterBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Adapter, empty_response};
use chatbridge_core::clock::SharedClock;
use chatbridge_core::{AdapterError, ConfigError, Platform, Secret};
use http::{HeaderMap, Method, Request};

use crate::model::{self, Read, SlackPayload};
use crate::own::{BotIds, OtherBots};
use crate::read::Reader;
use crate::verify::{self, Verifier};

/// The Slack adapter: verifies requests, turns events, slash commands and interactions into
/// [`Message`](chatbridge_core::Message)s, and answers each (inline, through its
/// `response_url`, or the Web API).
///
/// ```
/// use chatbridge_core::{Bot, Router, Secret};
/// use chatbridge_slack::SlackAdapter;
///
/// let adapter = SlackAdapter::builder(Secret::new("signing-secret"))
///     .bot_token(Secret::new("xoxb-token"))
///     .build()
///     .unwrap();
/// let bot = Bot::builder().mount("/slack/events", adapter).handler(Router::new()).build();
/// # let _ = bot;
/// ```
pub struct SlackAdapter {
    verifier: Verifier,
    /// What the endpoint shares with Socket Mode: reading, the self-filter, the client.
    reader: Arc<Reader>,
}

impl SlackAdapter {
    /// Starts building an adapter for a signing secret.
    pub fn builder(signing_secret: Secret) -> SlackAdapterBuilder {
        SlackAdapterBuilder {
            signing_secret: Some(signing_secret),
            token: None,
            ids: BotIds::new(),
            other_bots: OtherBots::default(),
            deduplicate: true,
            clock: None,
            api_url: None,
            #[cfg(feature = "oauth")]
            oauth: None,
            timeout: None,
            rate_limit: None,
        }
    }

    /// An adapter configured from `SLACK_SIGNING_SECRET` (required), `SLACK_BOT_TOKEN` and
    /// `SLACK_API_URL` (optional).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] naming a required variable that is unset or empty (never its
    /// value); [`ConfigError::Client`] when the HTTP client cannot be set up.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// use chatbridge_core::ConfigError;
    /// use chatbridge_slack::SlackAdapter;
    ///
    /// let err = SlackAdapter::from_lookup(|_| None).unwrap_err();
    /// assert!(matches!(err, ConfigError::Missing("SLACK_SIGNING_SECRET")));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::builder_from_lookup(lookup)?.build()
    }

    /// A builder configured from the environment like [`from_env`](Self::from_env), to add
    /// to before building (an [`oauth`](SlackAdapterBuilder::oauth) configuration, say).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] when `SLACK_SIGNING_SECRET` is unset or empty.
    pub fn env_builder() -> Result<SlackAdapterBuilder, ConfigError> {
        Self::builder_from_lookup(|name| std::env::var(name).ok())
    }

    /// A builder configured like [`from_lookup`](Self::from_lookup), to add to before building.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] when `SLACK_SIGNING_SECRET` is unset or empty.
    pub fn builder_from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<SlackAdapterBuilder, ConfigError> {
        let var = |name| lookup(name).filter(|v: &String| !v.trim().is_empty());
        let secret =
            var("SLACK_SIGNING_SECRET").ok_or(ConfigError::Missing("SLACK_SIGNING_SECRET"))?;
        Ok(Self::builder_for_socket_mode().signing_secret(Secret::new(secret)).with_vars(&var))
    }

    /// A builder without a signing secret, for an app reached only over Socket Mode: its
    /// [`socket_mode`](SlackAdapterBuilder::socket_mode) makes the connection (its
    /// [`build`](SlackAdapterBuilder::build) fails, as an endpoint needs the secret).
    pub fn builder_for_socket_mode() -> SlackAdapterBuilder {
        let mut builder = Self::builder(Secret::new(""));
        builder.signing_secret = None;
        builder
    }
    /// The Web API client with the configured bot token, for app code outside handlers (a
    /// scheduled job); handlers get theirs, with the right workspace's token, from
    /// [`SlackContextExt::slack`](crate::SlackContextExt::slack).
    #[cfg(feature = "client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client")))]
    #[must_use]
    pub fn client(&self) -> &crate::SlackClient {
        &self.reader.client
    }

    /// A Socket Mode connection for the app-level token `app_token` (`xapp-…`) that reads
    /// and answers as this adapter does: the same bot ids, client and installations. Run it
    /// with [`Server::connection`](chatbridge_core::host::server::Server::connection).
    #[cfg(feature = "socket-mode")]
    #[cfg_attr(docsrs, doc(cfg(feature = "socket-mode")))]
    pub fn socket_mode(&self, app_token: Secret) -> crate::socket::SocketMode {
        crate::socket::SocketMode::new(Arc::clone(&self.reader), app_token)
    }

    /// What marks a delivery as seen: an event's `event_id`, a form's signature.
    fn dedupe_key(headers: &HeaderMap, payload: &SlackPayload) -> Option<String> {
        match payload {
            SlackPayload::Event(callback) => callback.event_id.clone(),
            SlackPayload::Command(_) | SlackPayload::Interaction(_) => model::replay_key(headers),
        }
    }
}

#[async_trait]
impl Adapter for SlackAdapter {
    fn platform(&self) -> Platform {
        Platform::SLACK
    }

    async fn accept(&self, request: Request<Bytes>) -> Result<Accepted, AdapterError> {
        if request.method() != Method::POST {
            return Err(AdapterError::MethodNotAllowed);
        }
        let (headers, body) = (request.headers(), request.body());
        // Slack's certificate probe comes unsigned; only the bare form is answered unverified,
        // and nothing of it reaches a handler.
        if verify::is_bare_ssl_check(body) {
            return Ok(Accepted::Respond(empty_response()));
        }
        self.verifier.verify_request(&request)?;
        let payload = match model::read(headers, body)? {
            Read::Answer(response) => return Ok(Accepted::Respond(response)),
            Read::Payload(payload) => payload,
        };
        let dedupe_key = Self::dedupe_key(headers, &payload);
        self.reader.incoming(payload, dedupe_key).await
    }
}

impl fmt::Debug for SlackAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackAdapter")
            .field("verifier", &self.verifier)
            .field("reader", &self.reader)
            .finish()
    }
}

/// Builds a [`SlackAdapter`].
#[must_use]
pub struct SlackAdapterBuilder {
    /// `None` only for a builder that makes Socket Mode connections.
    signing_secret: Option<Secret>,
    token: Option<Secret>,
    ids: BotIds,
    other_bots: OtherBots,
    deduplicate: bool,
    clock: Option<SharedClock>,
    api_url: Option<String>,
    #[cfg(feature = "oauth")]
    oauth: Option<crate::oauth::SlackOAuth>,
    timeout: Option<Duration>,
    rate_limit: Option<(u32, Duration)>,
}

impl SlackAdapterBuilder {
    /// Sets the signing secret the endpoint checks requests with.
    pub fn signing_secret(mut self, secret: Secret) -> Self {
        self.signing_secret = Some(secret);
        self
    }

    /// Adds `SLACK_BOT_TOKEN` and `SLACK_API_URL` when `var` has them.
    pub(crate) fn with_vars(self, var: &dyn Fn(&'static str) -> Option<String>) -> Self {
        let mut builder = self;
        if let Some(token) = var("SLACK_BOT_TOKEN") {
            builder = builder.bot_token(Secret::new(token));
        }
        if let Some(url) = var("SLACK_API_URL") {
            builder = builder.api_url(url);
        }
        builder
    }

    /// Serves an app installed into many workspaces: each request's installation (found by
    /// its enterprise and team) gives the Web API token and the bot's ids, and rotating tokens
    /// are refreshed before they expire. A [`bot_token`](Self::bot_token), if also set, serves
    /// workspaces without an installation.
    #[cfg(feature = "oauth")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
    pub fn oauth(mut self, oauth: &crate::oauth::SlackOAuth) -> Self {
        self.oauth = Some(oauth.clone());
        self
    }

    /// The bot token (`xoxb-…`) for the Web API: reactions, posts, `auth.test`.
    pub fn bot_token(mut self, token: Secret) -> Self {
        self.token = Some(token);
        self
    }

    /// The bot's own ids, so its own messages are never answered. Without them, and with a
    /// token, they come from `auth.test` once.
    pub fn bot_ids(mut self, ids: BotIds) -> Self {
        self.ids = ids;
        self
    }

    /// What to do with other apps' messages (default: ignore them).
    pub fn other_bots(mut self, policy: OtherBots) -> Self {
        self.other_bots = policy;
        self
    }

    /// Whether a delivery already handled is acknowledged without running the handler again:
    /// on by default, through the bot's store (an event by its `event_id`, a command or an
    /// interaction by its signature). Off, every signed request runs its handler and nothing
    /// is written to the store: for load tests that send one signed request over and over.
    pub fn deduplicate(mut self, on: bool) -> Self {
        self.deduplicate = on;
        self
    }

    /// The clock the signature window is checked against (default: the system's).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The Web API base URL (default `https://slack.com/api/`).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// The timeout of each Web API and `response_url` call (default 10 s). A call that times
    /// out is not retried (Slack may have acted on it) and reaches the error hook.
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How often a rate-limited call is retried, and the longest `Retry-After` waited out
    /// (default 2 and 30 s).
    pub fn rate_limit_retries(mut self, retries: u32, max_wait: Duration) -> Self {
        self.rate_limit = Some((retries, max_wait));
        self
    }

    /// Builds the adapter.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] for an empty signing secret (every request signed with an
    /// empty key would pass); [`ConfigError::Client`] when the HTTP client cannot be set up.
    pub fn build(mut self) -> Result<SlackAdapter, ConfigError> {
        let secret = self.signing_secret.take().filter(|s| !s.expose_secret().trim().is_empty());
        let secret = secret.ok_or(ConfigError::Missing("SLACK_SIGNING_SECRET"))?;
        let mut verifier = Verifier::new(secret);
        if let Some(clock) = self.clock.take() {
            verifier = verifier.with_clock(clock);
        }
        Ok(SlackAdapter { verifier, reader: Arc::new(self.reader()?) })
    }

    /// A Socket Mode connection for the app-level token `app_token` (`xapp-…`), reading and
    /// answering with this configuration; the signing secret, if any, is not needed.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Client`] when the HTTP client cannot be set up.
    #[cfg(feature = "socket-mode")]
    #[cfg_attr(docsrs, doc(cfg(feature = "socket-mode")))]
    pub fn socket_mode(self, app_token: Secret) -> Result<crate::socket::SocketMode, ConfigError> {
        Ok(crate::socket::SocketMode::new(Arc::new(self.reader()?), app_token))
    }

    /// What the endpoint and Socket Mode share.
    fn reader(self) -> Result<Reader, ConfigError> {
        #[cfg(feature = "client")]
        let client = {
            let mut builder = crate::SlackClient::builder();
            if let Some(token) = self.token {
                builder = builder.token(token);
            }
            if let Some(url) = self.api_url {
                builder = builder.api_url(url);
            }
            if let Some(timeout) = self.timeout {
                builder = builder.timeout(timeout);
            }
            if let Some((retries, max_wait)) = self.rate_limit {
                builder = builder.rate_limit_retries(retries, max_wait);
            }
            builder.build().map_err(|e| ConfigError::Client {
                platform: Platform::SLACK,
                source: Box::new(e),
            })?
        };
        #[cfg(not(feature = "client"))]
        let _ = (self.token, self.api_url, self.timeout, self.rate_limit);
        Ok(Reader {
            ids: self.ids,
            other_bots: self.other_bots,
            deduplicate: self.deduplicate,
            #[cfg(feature = "client")]
            client,
            #[cfg(feature = "client")]
            resolved: tokio::sync::OnceCell::new(),
            #[cfg(feature = "oauth")]
            oauth: self.oauth,
        })
    }
}

impl fmt::Debug for SlackAdapterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackAdapterBuilder")
            .field("signing_secret", &self.signing_secret)
            .field("token", &self.token)
            .field("ids", &self.ids)
            .field("api_url", &self.api_url)
            .field("deduplicate", &self.deduplicate)
            .finish_non_exhaustive()
    }
}
