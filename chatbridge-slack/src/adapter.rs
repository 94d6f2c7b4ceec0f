//! [`SlackAdapter`]: the [`Adapter`] for Slack, and its builder.

use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Ack, Adapter, Delivery, Incoming, Prepared};
use chatbridge_core::clock::SharedClock;
use chatbridge_core::{AdapterError, DeliveryError, Message, Platform, Reply, Secret, Visibility};
use http::{Extensions, HeaderValue, Method, Request, Response};
use serde_json::json;

use crate::own::{self, BotIds, OtherBots};
use crate::request::{self, Encoding};
use crate::verify::{self, Verifier};
use crate::{ConfigError, SlackMessageExt, SlackPayload, SlackReplyExt, reply};

/// How long `auth.test` may take before an event goes on without the bot's ids.
#[cfg(feature = "client")]
const AUTH_TEST_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

/// The Slack adapter: verifies requests, turns events, slash commands and interactions into
/// [`Message`]s, and sends replies back (inline, through `response_url`, or the Web API).
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
    has_token: bool,
    #[cfg(feature = "client")]
    client: crate::SlackClient,
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
    /// [`ConfigError::MissingVar`] naming a required variable that is unset or empty (never its
    /// value); [`ConfigError::Client`] when the HTTP client cannot be set up.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// use chatbridge_slack::{ConfigError, SlackAdapter};
    ///
    /// let err = SlackAdapter::from_lookup(|_| None).unwrap_err();
    /// assert!(matches!(err, ConfigError::MissingVar("SLACK_SIGNING_SECRET")));
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
    /// [`ConfigError::MissingVar`] when `SLACK_SIGNING_SECRET` is unset or empty.
    pub fn env_builder() -> Result<SlackAdapterBuilder, ConfigError> {
        Self::builder_from_lookup(|name| std::env::var(name).ok())
    }

    /// A builder configured like [`from_lookup`](Self::from_lookup), to add to before building.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingVar`] when `SLACK_SIGNING_SECRET` is unset or empty.
    pub fn builder_from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<SlackAdapterBuilder, ConfigError> {
        let var = |name| lookup(name).filter(|v: &String| !v.trim().is_empty());
        let secret =
            var("SLACK_SIGNING_SECRET").ok_or(ConfigError::MissingVar("SLACK_SIGNING_SECRET"))?;
        let mut builder = Self::builder(Secret::new(secret));
        if let Some(token) = var("SLACK_BOT_TOKEN") {
            builder = builder.bot_token(Secret::new(token));
        }
        if let Some(url) = var("SLACK_API_URL") {
            builder = builder.api_url(url);
        }
        Ok(builder)
    }

    /// The Web API client the adapter delivers with.
    #[cfg(feature = "client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client")))]
    #[must_use]
    pub fn client(&self) -> &crate::SlackClient {
        &self.client
    }

    /// The bot's ids: configured ones, completed once by `auth.test` when a token is set.
    async fn bot_ids(&self) -> BotIds {
        #[cfg(feature = "client")]
        if self.has_token && (self.ids.user_id.is_none() || self.ids.bot_id.is_none()) {
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
}

#[async_trait]
impl Adapter for SlackAdapter {
    fn platform(&self) -> Platform {
        Platform::SLACK
    }

    fn parse(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError> {
        if request.method() != Method::POST {
            return Err(AdapterError::MethodNotAllowed);
        }
        let (headers, body) = (request.headers(), request.body());
        // Slack's certificate probe comes unsigned; only the bare form is answered unverified,
        // and nothing of it reaches a handler.
        if verify::is_bare_ssl_check(body) {
            return Ok(Incoming::Respond(request::empty()));
        }
        self.verifier.verify(headers, body)?;
        match request::encoding(headers, body)? {
            Encoding::Json => request::event(headers, body),
            Encoding::Form => request::form(body, request::replay_key(headers)),
        }
    }

    async fn prepare(
        &self,
        message: &mut Message,
        extensions: &mut Extensions,
    ) -> Result<Prepared, AdapterError> {
        // With OAuth: the workspace's installation gives the token and the bot's ids.
        // Boxed: a request without OAuth should not carry this future's size.
        #[cfg(feature = "oauth")]
        let installation = match (&self.oauth, message.slack()) {
            (Some(oauth), Some(payload)) => Box::pin(crate::oauth::prepare(oauth, payload)).await?,
            _ => None,
        };
        #[cfg(feature = "oauth")]
        let installation = installation.map(|found| {
            let parts = (found.bot_token.clone(), found.bot_ids());
            extensions.insert(found);
            parts
        });
        #[cfg(not(feature = "oauth"))]
        let installation: Option<(Option<Secret>, BotIds)> = None;
        // A workspace's own token gets its own client; otherwise handlers and deliveries use
        // the adapter's (`SlackContextExt::slack` falls back to it), and nothing is added.
        #[cfg(feature = "client")]
        if let Some(token) = installation.as_ref().and_then(|(token, _)| token.clone()) {
            extensions.insert(self.client.with_token(token));
        }
        #[cfg(not(feature = "client"))]
        let _ = extensions;
        let Some(SlackPayload::Event(callback)) = message.slack() else {
            return Ok(Prepared::Handle);
        };
        // The installation's ids, besides the configured ones; auth.test is for the single
        // token only.
        let (ids, installed) = match installation {
            Some((_, installed)) => (self.ids.clone(), installed),
            None => (Box::pin(self.bot_ids()).await, BotIds::new()),
        };
        if own::is_own(callback, &ids) || own::is_own(callback, &installed) {
            return Ok(Prepared::Skip("the bot's own event"));
        }
        if self.other_bots == OtherBots::Ignore && own::is_other_bot(&callback.event) {
            return Ok(Prepared::Skip("another app's message"));
        }
        if ids.is_empty() && installed.is_empty() && callback.authorizations.is_empty() {
            tracing::debug!("bot ids unknown: own reactions cannot be recognised");
        }
        Ok(Prepared::Handle)
    }

    fn render(
        &self,
        message: &Message,
        replies: Vec<Reply>,
    ) -> Result<Response<Bytes>, AdapterError> {
        let Some(reply) = replies.into_iter().next() else {
            return Ok(request::empty());
        };
        if let Some(body) = reply.slack_parts().and_then(|p| p.inline_body.as_ref()) {
            return Ok(request::json_response(body));
        }
        match message.slack() {
            Some(SlackPayload::Command(_)) => {
                Ok(chatbridge_core::adapter::json_response(reply::response_bytes(&reply, false)))
            }
            _ => {
                // A view submission closes with an empty 200; text has no place there.
                if reply.text.is_some() {
                    tracing::warn!(
                        kind = message.kind.name(),
                        "text reply dropped: Slack shows no inline text here"
                    );
                }
                Ok(request::empty())
            }
        }
    }

    fn acknowledge(&self, message: &Message, ack: Ack) -> Response<Bytes> {
        match ack {
            Ack::Duplicate => {
                let mut response = request::empty();
                response.headers_mut().insert("x-slack-no-retry", HeaderValue::from_static("1"));
                response
            }
            // Echo the command into the channel when the coming reply is public.
            Ack::Deferred { visibility: Visibility::InChannel }
                if matches!(message.slack(), Some(SlackPayload::Command(_))) =>
            {
                request::json_response(&json!({"response_type": "in_channel"}))
            }
            _ => request::empty(),
        }
    }

    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        #[cfg(feature = "client")]
        {
            // The workspace's client from `prepare`, with its token.
            let client = delivery.context.extensions().get::<crate::SlackClient>();
            crate::deliver::deliver(client.unwrap_or(&self.client), delivery).await
        }
        #[cfg(not(feature = "client"))]
        {
            let _ = delivery;
            Err(DeliveryError::Unsupported {
                platform: Platform::SLACK,
                reason: "chatbridge-slack was built without the client feature",
            })
        }
    }
}

impl fmt::Debug for SlackAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("SlackAdapter");
        s.field("verifier", &self.verifier)
            .field("ids", &self.ids)
            .field("other_bots", &self.other_bots)
            .field("has_token", &self.has_token);
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
    clock: Option<SharedClock>,
    api_url: Option<String>,
    #[cfg(feature = "oauth")]
    oauth: Option<crate::oauth::SlackOAuth>,
    timeout: Option<std::time::Duration>,
    rate_limit: Option<(u32, std::time::Duration)>,
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
    pub fn http_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How often a rate-limited call is retried, and the longest `Retry-After` waited out
    /// (default 2 and 30 s); see [`SlackClientBuilder::rate_limit_retries`](crate::SlackClientBuilder::rate_limit_retries).
    pub fn rate_limit_retries(mut self, retries: u32, max_wait: std::time::Duration) -> Self {
        self.rate_limit = Some((retries, max_wait));
        self
    }

    /// Builds the adapter.
    ///
    /// # Errors
    ///
    /// [`ConfigError::EmptySigningSecret`] for an empty secret (it would accept anything
    /// signed with it); [`ConfigError::Client`] when the HTTP client cannot be set up.
    pub fn build(self) -> Result<SlackAdapter, ConfigError> {
        if self.signing_secret.expose_secret().trim().is_empty() {
            return Err(ConfigError::EmptySigningSecret);
        }
        let mut verifier = Verifier::new(self.signing_secret);
        if let Some(clock) = self.clock {
            verifier = verifier.with_clock(clock);
        }
        let has_token = self.token.is_some();
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
            builder.build().map_err(|e| ConfigError::Client(Box::new(e)))?
        };
        #[cfg(not(feature = "client"))]
        let _ = (self.token, self.api_url, self.timeout, self.rate_limit);
        Ok(SlackAdapter {
            verifier,
            ids: self.ids,
            other_bots: self.other_bots,
            has_token,
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
            .finish_non_exhaustive()
    }
}
