//! [`SlackAdapter`]: verifies Slack's requests and reads them into messages, each answered by
//! its own responder; and [`SlackAdapterBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Adapter, Incoming, Timing, empty_response};
use chatbridge_core::clock::SharedClock;
use chatbridge_core::{AdapterError, ConfigError, Platform, Secret};
use http::{HeaderMap, Method, Request};

use crate::message::to_message;
use crate::model::{self, EventCallback, InteractionKind, Read, SlackPayload};
use crate::own::{self, BotIds, OtherBots};
use crate::responder::SlackResponder;
use crate::verify::{self, Verifier};

/// Slack wants an answer within 3 s; half a second is kept for the network and the host.
const BUDGET: Duration = Duration::from_millis(2500);

/// How long `auth.test` may take before an event goes on without the bot's ids.
#[cfg(feature = "client")]
const AUTH_TEST_WAIT: Duration = Duration::from_millis(1500);

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
    ids: BotIds,
    other_bots: OtherBots,
    deduplicate: bool,
    #[cfg(feature = "client")]
    client: crate::SlackClient,
    /// The bot's ids from `auth.test`, asked once.
    #[cfg(feature = "client")]
    resolved: tokio::sync::OnceCell<BotIds>,
    #[cfg(feature = "oauth")]
    oauth: Option<crate::oauth::SlackOAuth>,
}

impl SlackAdapter {
    /// Starts building an adapter for a signing secret.
    pub fn builder(signing_secret: Secret) -> SlackAdapterBuilder {
        SlackAdapterBuilder {
            signing_secret,
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
        let mut builder = Self::builder(Secret::new(secret));
        if let Some(token) = var("SLACK_BOT_TOKEN") {
            builder = builder.bot_token(Secret::new(token));
        }
        if let Some(url) = var("SLACK_API_URL") {
            builder = builder.api_url(url);
        }
        Ok(builder)
    }

    /// The Web API client with the configured bot token, for app code outside handlers (a
    /// scheduled job); handlers get theirs, with the right workspace's token, from
    /// [`SlackContextExt::slack`](crate::SlackContextExt::slack).
    #[cfg(feature = "client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client")))]
    #[must_use]
    pub fn client(&self) -> &crate::SlackClient {
        &self.client
    }

    /// The request as a message for the handler, with what answering it takes; or, for the
    /// bot's own events and (by policy) other apps', an empty 200.
    async fn incoming(
        &self,
        payload: SlackPayload,
        dedupe_key: Option<String>,
    ) -> Result<Accepted, AdapterError> {
        // With OAuth: the workspace's installation gives the token and the bot's ids there.
        // Boxed: a request without OAuth should not carry this future's size.
        #[cfg(feature = "oauth")]
        let installation = match &self.oauth {
            Some(oauth) => Box::pin(crate::oauth::installation_for(oauth, &payload)).await?,
            None => None,
        };
        #[cfg(feature = "oauth")]
        let installed = installation.as_ref().map(crate::oauth::Installation::bot_ids);
        #[cfg(not(feature = "oauth"))]
        let installed: Option<BotIds> = None;
        if let SlackPayload::Event(callback) = &payload
            && let Some(reason) = self.ignored(callback, installed).await
        {
            tracing::debug!(platform = %Platform::SLACK, reason, "event acknowledged, not handled");
            return Ok(Accepted::Respond(empty_response()));
        }
        let timing = timing(&payload);
        let payload = Arc::new(payload);
        let message = to_message(Arc::clone(&payload));
        #[cfg(feature = "client")]
        let client = {
            #[cfg(feature = "oauth")]
            let token = installation.as_ref().and_then(|found| found.bot_token.clone());
            #[cfg(not(feature = "oauth"))]
            let token: Option<Secret> = None;
            // A workspace's own token gets its own client on the shared connection pool.
            token.map_or_else(|| self.client.clone(), |token| self.client.with_token(token))
        };
        #[cfg(feature = "client")]
        let responder = SlackResponder::new(payload, &message, client.clone());
        #[cfg(not(feature = "client"))]
        let responder = SlackResponder::new(payload);
        let mut incoming = Incoming::new(message, responder, timing);
        if let Some(key) = dedupe_key {
            incoming = incoming.dedupe_key(key);
        }
        #[cfg(feature = "client")]
        {
            incoming = incoming.extension(client);
        }
        #[cfg(feature = "oauth")]
        if let Some(installation) = installation {
            incoming = incoming.extension(installation);
        }
        Ok(Accepted::Incoming(incoming))
    }

    /// Why an event is not for the handler: the bot's own doing, or another app's message
    /// under [`OtherBots::Ignore`]. `installed` are the bot's ids in the request's installation.
    async fn ignored(
        &self,
        callback: &EventCallback,
        installed: Option<BotIds>,
    ) -> Option<&'static str> {
        // The installation's ids besides the configured ones; auth.test is for the single token.
        let (ids, installed) = match installed {
            Some(installed) => (self.ids.clone(), installed),
            None => (Box::pin(self.bot_ids()).await, BotIds::new()),
        };
        if own::is_own(callback, &ids) || own::is_own(callback, &installed) {
            return Some("the bot's own event");
        }
        if self.other_bots == OtherBots::Ignore && own::is_other_bot(&callback.event) {
            return Some("another app's message");
        }
        if ids.is_empty() && installed.is_empty() && callback.authorizations.is_empty() {
            tracing::debug!("bot ids unknown: own reactions cannot be recognised");
        }
        None
    }

    /// The bot's ids: configured ones, completed once by `auth.test` when a token is set.
    async fn bot_ids(&self) -> BotIds {
        #[cfg(feature = "client")]
        if self.client.has_token() && (self.ids.user_id.is_none() || self.ids.bot_id.is_none()) {
            // Bounded: this runs before the event is acknowledged, within Slack's 3 seconds.
            let lookup = self.resolved.get_or_try_init(|| self.client.auth_test());
            match tokio::time::timeout(AUTH_TEST_WAIT, lookup).await {
                Ok(Ok(ids)) => return self.ids.clone().or(ids),
                Ok(Err(error)) => tracing::warn!(%error, "auth.test failed; own ids unknown"),
                Err(_) => tracing::warn!("auth.test timed out; own ids unknown"),
            }
        }
        self.ids.clone()
    }

    /// What marks a delivery as seen: an event's `event_id`, a form's signature.
    fn dedupe_key(&self, headers: &HeaderMap, payload: &SlackPayload) -> Option<String> {
        if !self.deduplicate {
            return None;
        }
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
        let dedupe_key = self.dedupe_key(headers, &payload);
        self.incoming(payload, dedupe_key).await
    }
}

/// When Slack wants its answer: events, buttons, shortcuts and closed views are acknowledged
/// at once and every reply follows; commands, submissions and option requests take their first
/// reply inline.
fn timing(payload: &SlackPayload) -> Timing {
    match payload {
        SlackPayload::Event(_) => Timing::Immediate,
        SlackPayload::Command(_) => Timing::Inline(BUDGET),
        SlackPayload::Interaction(interaction) => match interaction.kind {
            InteractionKind::ViewSubmission | InteractionKind::BlockSuggestion => {
                Timing::Inline(BUDGET)
            }
            _ => Timing::Immediate,
        },
    }
}

impl fmt::Debug for SlackAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("SlackAdapter");
        s.field("verifier", &self.verifier)
            .field("ids", &self.ids)
            .field("other_bots", &self.other_bots)
            .field("deduplicate", &self.deduplicate);
        #[cfg(feature = "client")]
        s.field("client", &self.client);
        #[cfg(feature = "oauth")]
        s.field("oauth", &self.oauth.is_some());
        s.finish_non_exhaustive()
    }
}

/// Builds a [`SlackAdapter`].
#[must_use]
pub struct SlackAdapterBuilder {
    signing_secret: Secret,
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
    pub fn build(self) -> Result<SlackAdapter, ConfigError> {
        if self.signing_secret.expose_secret().trim().is_empty() {
            return Err(ConfigError::Missing("SLACK_SIGNING_SECRET"));
        }
        let mut verifier = Verifier::new(self.signing_secret);
        if let Some(clock) = self.clock {
            verifier = verifier.with_clock(clock);
        }
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
        Ok(SlackAdapter {
            verifier,
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
