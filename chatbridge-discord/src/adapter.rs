//! [`DiscordAdapter`]: Discord's HTTP interactions endpoint as a chatbridge adapter.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Ack, Adapter, Delivery, Dispatch, Incoming, Prepared, ReplyMode};
use chatbridge_core::clock::{SharedClock, system_clock};
use chatbridge_core::{AdapterError, DeliveryError, Message, Platform, Reply, Secret, Visibility};
use http::{Extensions, Method, Request, Response};

use crate::ext::DiscordContext;
use crate::model::{Interaction, InteractionType};
use crate::original::Original;
use crate::{ConfigError, DiscordMessageExt, Verifier, map, response};
#[cfg(feature = "client")]
use crate::{DiscordClient, RetryPolicy};

/// How long after the request the first reply may still go inline: Discord's 3 s less a margin.
pub const ACK_BUDGET: Duration = Duration::from_millis(2500);

/// The text of the response when a handler said nothing to a command or a modal (Discord needs
/// some answer), unless set with [`DiscordAdapterBuilder::empty_reply_text`].
pub const DEFAULT_EMPTY_REPLY: &str = "Done.";

/// Serves Discord interactions: verifies them, answers PING, turns the rest into
/// [`Message`]s, renders replies as interaction responses and delivers follow-ups.
///
/// ```
/// use chatbridge_discord::DiscordAdapter;
///
/// let adapter = DiscordAdapter::builder(
///     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
///     "123456789012345678",
/// )
/// .bot_token("bot-token")
/// .build()
/// .unwrap();
/// assert!(!format!("{adapter:?}").contains("bot-token"));
/// ```
#[derive(Clone)]
pub struct DiscordAdapter {
    inner: Arc<Inner>,
}

struct Inner {
    verifier: Verifier,
    batch_verification: bool,
    deduplicate: bool,
    application_id: String,
    empty_reply: String,
    #[cfg(feature = "client")]
    client: Option<DiscordClient>,
}

/// Builds a [`DiscordAdapter`].
#[must_use]
pub struct DiscordAdapterBuilder {
    public_key: String,
    application_id: String,
    bot_token: Option<Secret>,
    api_url: String,
    freshness: Option<(Duration, SharedClock)>,
    batch_verification: bool,
    deduplicate: bool,
    empty_reply: String,
    #[cfg(feature = "client")]
    policy: RetryPolicy,
}

impl DiscordAdapter {
    /// Starts building an adapter for an application's public key (64 hex characters) and id.
    pub fn builder(
        public_key: impl Into<String>,
        application_id: impl Into<String>,
    ) -> DiscordAdapterBuilder {
        DiscordAdapterBuilder {
            public_key: public_key.into(),
            application_id: application_id.into(),
            bot_token: None,
            api_url: crate::DEFAULT_API_URL.to_owned(),
            freshness: None,
            batch_verification: true,
            deduplicate: true,
            empty_reply: DEFAULT_EMPTY_REPLY.to_owned(),
            #[cfg(feature = "client")]
            policy: RetryPolicy::default(),
        }
    }

    /// An adapter from `DISCORD_PUBLIC_KEY` and `DISCORD_APPLICATION_ID` (required),
    /// `DISCORD_BOT_TOKEN` and `DISCORD_API_URL` (optional).
    ///
    /// # Errors
    ///
    /// A missing or unusable variable, named in the error (its value never is).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// # Errors
    ///
    /// As for [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let public_key =
            var("DISCORD_PUBLIC_KEY").ok_or(ConfigError::Missing("DISCORD_PUBLIC_KEY"))?;
        let application_id =
            var("DISCORD_APPLICATION_ID").ok_or(ConfigError::Missing("DISCORD_APPLICATION_ID"))?;
        let mut builder = Self::builder(public_key, application_id);
        if let Some(token) = var("DISCORD_BOT_TOKEN") {
            builder = builder.bot_token(Secret::new(token));
        }
        if let Some(url) = var("DISCORD_API_URL") {
            builder = builder.api_url(url);
        }
        builder.build().map_err(|error| match error {
            ConfigError::PublicKey(reason) => {
                ConfigError::InvalidVar { name: "DISCORD_PUBLIC_KEY", reason }
            }
            ConfigError::ApiUrl => {
                ConfigError::InvalidVar { name: "DISCORD_API_URL", reason: "not an http(s) url" }
            }
            other => other,
        })
    }

    /// The verifier, for hosts that check signatures themselves.
    #[must_use]
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The application id.
    #[must_use]
    pub fn application_id(&self) -> &str {
        &self.inner.application_id
    }

    /// The API client (absent only when it could not be built).
    #[cfg(feature = "client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client")))]
    #[must_use]
    pub fn client(&self) -> Option<&DiscordClient> {
        self.inner.client.as_ref()
    }
}

impl DiscordAdapterBuilder {
    /// The bot token, for reactions and channel messages (webhook follow-ups need none).
    pub fn bot_token(mut self, token: impl Into<Secret>) -> Self {
        self.bot_token = Some(token.into());
        self
    }

    /// The REST base URL (default [`DEFAULT_API_URL`](crate::DEFAULT_API_URL)).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// Rejects requests whose `X-Signature-Timestamp` is further than `window` from the
    /// clock's time. Off by default: Discord documents no window.
    pub fn freshness_window(mut self, window: Duration, clock: Option<SharedClock>) -> Self {
        self.freshness = Some((window, clock.unwrap_or_else(system_clock)));
        self
    }

    /// Whether [`Bot`](chatbridge_core::Bot) checks the signatures of requests that arrive
    /// together in one batch ([`Verifier::verify_request_batched`]): on by default. Each
    /// request gets the answer it would get alone; under load a check costs about half as
    /// much, and a request that arrives alone waits one yield to the runtime for company. Off,
    /// each request is checked on its own, in [`Adapter::parse`].
    pub fn batch_verification(mut self, on: bool) -> Self {
        self.batch_verification = on;
        self
    }

    /// Whether an interaction whose id was seen before (a replay of its signed body) is
    /// answered without running the handler again: on by default, through the bot's store
    /// (kept for [`DEDUP_TTL`](chatbridge_core::DEDUP_TTL)). Off, every signed request runs its
    /// handler and nothing is written to the store.
    pub fn deduplicate(mut self, on: bool) -> Self {
        self.deduplicate = on;
        self
    }

    /// The text answered when a handler says nothing to a command or modal submission.
    pub fn empty_reply_text(mut self, text: impl Into<String>) -> Self {
        self.empty_reply = text.into();
        self
    }

    /// How the client retries rate limits and early 404s.
    #[cfg(feature = "client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client")))]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Builds the adapter, parsing the public key once.
    ///
    /// # Errors
    ///
    /// [`ConfigError::PublicKey`] for a bad key, [`ConfigError::Missing`] for an empty
    /// application id, [`ConfigError::ApiUrl`] for a bad base URL, [`ConfigError::Client`]
    /// when the HTTP client cannot start.
    pub fn build(self) -> Result<DiscordAdapter, ConfigError> {
        let mut verifier = Verifier::new(&self.public_key)?;
        if let Some((window, clock)) = self.freshness {
            verifier = verifier.with_freshness(window, clock);
        }
        if self.application_id.trim().is_empty() {
            return Err(ConfigError::Missing("application id"));
        }
        #[cfg(feature = "client")]
        let client = Some(DiscordClient::with_policy(
            self.application_id.clone(),
            self.bot_token,
            &self.api_url,
            self.policy,
        )?);
        #[cfg(not(feature = "client"))]
        let _ = (self.bot_token, self.api_url);
        Ok(DiscordAdapter {
            inner: Arc::new(Inner {
                verifier,
                batch_verification: self.batch_verification,
                deduplicate: self.deduplicate,
                application_id: self.application_id,
                empty_reply: self.empty_reply,
                #[cfg(feature = "client")]
                client,
            }),
        })
    }
}

#[async_trait]
impl Adapter for DiscordAdapter {
    fn platform(&self) -> Platform {
        Platform::DISCORD
    }

    fn parse(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError> {
        // Verification comes first: nothing of an unsigned request is read.
        self.inner.verifier.verify_request(request.headers(), request.body())?;
        read(request, self.inner.deduplicate)
    }

    async fn receive(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError> {
        if !self.inner.batch_verification {
            return self.parse(request);
        }
        self.inner.verifier.verify_request_batched(request.headers(), request.body()).await?;
        read(request, self.inner.deduplicate)
    }

    async fn prepare(
        &self,
        message: &mut Message,
        extensions: &mut Extensions,
    ) -> Result<Prepared, AdapterError> {
        if let Some(interaction) = message.payload_arc::<Interaction>() {
            // In the message, where `acknowledge` and `deliver` both see it; clones of the
            // message share it.
            message.extensions.insert(Arc::new(Original::default()));
            extensions.insert(DiscordContext {
                interaction,
                #[cfg(feature = "client")]
                client: self.inner.client.clone(),
            });
        }
        Ok(Prepared::Handle)
    }

    fn render(
        &self,
        message: &Message,
        replies: Vec<Reply>,
    ) -> Result<Response<Bytes>, AdapterError> {
        let interaction = message.discord().ok_or_else(|| {
            AdapterError::Internal("message without its discord interaction".into())
        })?;
        let reply = replies.into_iter().next().unwrap_or_default();
        Ok(response::render(interaction, &reply, &self.inner.empty_reply))
    }

    fn acknowledge(&self, message: &Message, ack: Ack) -> Response<Bytes> {
        let kind = message.discord().map_or(InteractionType::Unknown(0), |i| i.kind);
        let response = response::acknowledge(kind, ack, &self.inner.empty_reply);
        if let (Ack::Deferred { visibility }, Some(original)) =
            (ack, message.extensions.get::<Arc<Original>>())
            && response::is_deferred_message(kind)
        {
            original.deferred(visibility == Visibility::Ephemeral);
        }
        response
    }

    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        #[cfg(feature = "client")]
        {
            crate::deliver::deliver(self.inner.client.as_ref(), delivery).await
        }
        #[cfg(not(feature = "client"))]
        {
            let _ = delivery;
            Err(DeliveryError::Unsupported {
                platform: Platform::DISCORD,
                reason: "built without the client feature",
            })
        }
    }
}

/// The rest of [`Adapter::parse`], once the request is verified.
fn read(request: &Request<Bytes>, deduplicate: bool) -> Result<Incoming, AdapterError> {
    if request.method() != Method::POST {
        return Err(AdapterError::MethodNotAllowed);
    }
    let interaction = Interaction::from_slice(request.body()).map_err(|error| {
        tracing::debug!(line = error.line(), column = error.column(), "interaction did not parse");
        AdapterError::bad_request("not a discord interaction")
    })?;
    if interaction.kind == InteractionType::Ping {
        tracing::debug!("discord ping answered");
        return Ok(Incoming::Respond(response::pong()));
    }
    tracing::debug!(kind = u8::from(interaction.kind), id = %interaction.id, "discord interaction");
    // The interaction id is unique: a replay of the same signed body is answered without
    // running the handler again.
    let dedup_key = (deduplicate && !interaction.id.is_empty()).then(|| interaction.id.clone());
    let message = map::to_message(interaction);
    let dispatch = Dispatch::new(message, ReplyMode::Inline, ACK_BUDGET);
    Ok(Incoming::dispatch(match dedup_key {
        Some(key) => dispatch.with_dedup_key(key),
        None => dispatch,
    }))
}

impl fmt::Debug for DiscordAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("DiscordAdapter");
        debug
            .field("application_id", &self.inner.application_id)
            .field("verifier", &self.inner.verifier);
        #[cfg(feature = "client")]
        debug.field("client", &self.inner.client);
        debug.finish_non_exhaustive()
    }
}

impl fmt::Debug for DiscordAdapterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordAdapterBuilder")
            .field("application_id", &self.application_id)
            .field("bot_token", &self.bot_token)
            .field("api_url", &self.api_url)
            .field("batch_verification", &self.batch_verification)
            .field("deduplicate", &self.deduplicate)
            .finish_non_exhaustive()
    }
}
