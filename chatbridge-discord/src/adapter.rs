//! [`DiscordAdapter`]: Discord's HTTP interactions endpoint as a chatbridge adapter.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Adapter, Incoming, Timing};
use chatbridge_core::clock::{SharedClock, system_clock};
use chatbridge_core::host::ReceivedAt;
use chatbridge_core::{AdapterError, ConfigError, Platform, Secret};
use http::{Method, Request};

use crate::message::to_message;
use crate::model::{Interaction, InteractionType};
use crate::reply::pong;
#[cfg(feature = "client")]
use crate::responder::Api;
use crate::responder::DiscordResponder;
use crate::verify::Verifier;
#[cfg(feature = "client")]
use crate::{DiscordClient, RetryPolicy};

/// How long after the request the first reply may still go inline: Discord's 3 s less a margin.
const ACK_BUDGET: Duration = Duration::from_millis(2500);

/// The text of the response when a handler said nothing to a command or a modal (Discord needs
/// some answer), unless set with [`DiscordAdapterBuilder::empty_reply_text`].
const DEFAULT_EMPTY_REPLY: &str = "Done.";

/// The setting an empty application id is reported under.
const APPLICATION_ID_SETTING: &str = "discord application id";

/// Serves Discord interactions: verifies them, answers PING, and turns the rest into
/// [`Message`](chatbridge_core::Message)s, each answered by its own responder (the interaction
/// response inline within 2.5 s, otherwise a deferral, then follow-ups with the interaction
/// token).
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
    deduplicate: bool,
    application_id: String,
    empty_reply: Arc<str>,
    #[cfg(feature = "client")]
    client: DiscordClient,
}

/// Builds a [`DiscordAdapter`].
#[must_use]
pub struct DiscordAdapterBuilder {
    public_key: String,
    application_id: String,
    bot_token: Option<Secret>,
    api_url: String,
    freshness: Option<(Duration, SharedClock)>,
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
        // The builder names its settings; from here they are environment variables.
        builder.build().map_err(|error| match error {
            ConfigError::Invalid { name, reason } => {
                let name = match name {
                    crate::verify::KEY_SETTING => "DISCORD_PUBLIC_KEY",
                    #[cfg(feature = "client")]
                    crate::client::API_URL_SETTING => "DISCORD_API_URL",
                    other => other,
                };
                ConfigError::Invalid { name, reason }
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

    /// The API client, for work outside a handler (registering commands); handlers get it
    /// through [`DiscordContextExt`](crate::DiscordContextExt).
    #[cfg(feature = "client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client")))]
    #[must_use]
    pub fn client(&self) -> &DiscordClient {
        &self.inner.client
    }

    /// The interaction as a message for the handler, with its responder.
    fn incoming(&self, interaction: Interaction, received: Instant) -> Incoming {
        tracing::debug!(kind = u8::from(interaction.kind), id = %interaction.id, "discord interaction");
        // The interaction id is unique: a replay of the same signed body is answered without
        // running the handler again.
        let dedupe_key =
            (self.inner.deduplicate && !interaction.id.is_empty()).then(|| interaction.id.clone());
        let interaction = Arc::new(interaction);
        let message = to_message(Arc::clone(&interaction));
        #[cfg(feature = "client")]
        let api = Api::new(
            self.inner.client.clone(),
            message.id.as_ref().map(|id| id.to_string()),
            received,
        );
        #[cfg(not(feature = "client"))]
        let _ = received;
        let responder = DiscordResponder::new(
            interaction,
            Arc::clone(&self.inner.empty_reply),
            #[cfg(feature = "client")]
            api,
        );
        let incoming = Incoming::new(message, responder, Timing::Inline(ACK_BUDGET));
        #[cfg(feature = "client")]
        let incoming = incoming.extension(self.inner.client.clone());
        match dedupe_key {
            Some(key) => incoming.dedupe_key(key),
            None => incoming,
        }
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

    /// Whether an interaction whose id was seen before (a replay of its signed body) is
    /// answered without running the handler again: on by default, through the bot's store.
    /// Off, every signed request runs its handler and nothing is written to the store.
    pub fn deduplicate(mut self, on: bool) -> Self {
        self.deduplicate = on;
        self
    }

    /// The text answered when a handler says nothing to a command or modal submission
    /// (default "Done.", shown only to the user who asked).
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
    /// [`ConfigError::Invalid`] for a bad public key or API base URL, [`ConfigError::Missing`]
    /// for an empty application id, [`ConfigError::Client`] when the HTTP client cannot start.
    pub fn build(self) -> Result<DiscordAdapter, ConfigError> {
        let mut verifier = Verifier::new(&self.public_key)?;
        if let Some((window, clock)) = self.freshness {
            verifier = verifier.with_freshness(window, clock);
        }
        if self.application_id.trim().is_empty() {
            return Err(ConfigError::Missing(APPLICATION_ID_SETTING));
        }
        #[cfg(feature = "client")]
        let client = DiscordClient::with_policy(
            self.application_id.clone(),
            self.bot_token,
            &self.api_url,
            self.policy,
        )?;
        #[cfg(not(feature = "client"))]
        let _ = (self.bot_token, self.api_url);
        Ok(DiscordAdapter {
            inner: Arc::new(Inner {
                verifier,
                deduplicate: self.deduplicate,
                application_id: self.application_id,
                empty_reply: Arc::from(self.empty_reply),
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

    async fn accept(&self, request: Request<Bytes>) -> Result<Accepted, AdapterError> {
        if request.method() != Method::POST {
            return Err(AdapterError::MethodNotAllowed);
        }
        // Nothing of an unsigned request is read.
        self.inner.verifier.verify_request(&request)?;
        let interaction = Interaction::from_slice(request.body()).map_err(|error| {
            tracing::debug!(
                line = error.line(),
                column = error.column(),
                "interaction did not parse"
            );
            AdapterError::bad_request("not a discord interaction")
        })?;
        if interaction.kind == InteractionType::Ping {
            tracing::debug!("discord ping answered");
            return Ok(Accepted::Respond(pong()));
        }
        let received = request.extensions().get::<ReceivedAt>().map_or_else(Instant::now, |r| r.0);
        Ok(Accepted::Incoming(self.incoming(interaction, received)))
    }
}

impl fmt::Debug for DiscordAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("DiscordAdapter");
        debug
            .field("application_id", &self.inner.application_id)
            .field("verifier", &self.inner.verifier)
            .field("deduplicate", &self.inner.deduplicate);
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
            .field("deduplicate", &self.deduplicate)
            .finish_non_exhaustive()
    }
}
