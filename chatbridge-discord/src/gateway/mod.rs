//! The Discord Gateway (feature `gateway`): channel messages, DMs and reactions pushed over a
//! WebSocket the bot opens, so the bot needs no public URL. [`DiscordGateway`] is a
//! [`Connection`](chatbridge_core::host::connection::Connection) the local server runs beside
//! HTTP; each event goes through the same handler as an interaction, and every reply goes
//! through the REST API.
//!
//! - The URL comes from `GET {DISCORD_API_URL}/gateway/bot`, with as many shards as it
//!   recommends and IDENTIFYs paced by its session start limit (twilight-gateway's queue).
//! - twilight-gateway keeps each shard alive: heartbeats, RESUME after a `RECONNECT`, a drop or
//!   a missed heartbeat ACK, a new IDENTIFY after `INVALID_SESSION`.
//! - Each event is de-duplicated by its message id in the bot's store, so an event a RESUME
//!   replays is handled once.
//! - A token Discord refuses (401 from `/gateway/bot`, close code 4004) and the other close
//!   codes that retrying cannot mend end the connection with one clear error.
//! - At shutdown each shard closes with code 1000: the session ends.
//!
//! ```no_run
//! use chatbridge_core::host::server::Server;
//! use chatbridge_core::{Bot, Context, Message, Reply, Router};
//! use chatbridge_discord::gateway::DiscordGateway;
//!
//! async fn pizza(_cx: Context, _msg: Message) -> Reply {
//!     Reply::reaction("pizza")
//! }
//!
//! # async fn run() -> Result<(), chatbridge_core::BoxError> {
//! let bot = Bot::builder().handler(Router::new().text("pizza", pizza)).build();
//! let mut server = Server::bind("127.0.0.1:3000").await?;
//! // DISCORD_GATEWAY=1 and DISCORD_BOT_TOKEN set: the Gateway runs beside HTTP.
//! if let Some(gateway) = DiscordGateway::from_env()? {
//!     server = server.connection(gateway);
//! }
//! server.serve(bot).await?;
//! # Ok(())
//! # }
//! ```

mod connection;
mod message;
mod responder;
mod shard;

use std::fmt;
use std::time::Duration;

use chatbridge_core::{ConfigError, Secret};
pub use message::{DiscordGatewayExt, GatewayEvent};
pub use twilight_gateway::Intents;

use crate::client::API_URL_SETTING;
use crate::{DEFAULT_API_URL, DiscordClient, RetryPolicy};

/// The connection's name in logs and `/healthz`.
pub const NAME: &str = "discord-gateway";

/// The intents a chat handler needs: guild and direct messages, their content, and reactions
/// to them. `MESSAGE_CONTENT` is privileged: enable it for the application in the developer
/// portal, or Discord closes the connection with code 4014.
pub const DEFAULT_INTENTS: Intents = Intents::GUILD_MESSAGES
    .union(Intents::DIRECT_MESSAGES)
    .union(Intents::MESSAGE_CONTENT)
    .union(Intents::GUILD_MESSAGE_REACTIONS)
    .union(Intents::DIRECT_MESSAGE_REACTIONS);

/// The Discord Gateway as a connection of the local server.
#[derive(Clone)]
pub struct DiscordGateway {
    client: DiscordClient,
    token: Secret,
    intents: Intents,
    backoff: Backoff,
}

/// How the connection retries `GET /gateway/bot` when Discord is unreachable or failing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Backoff {
    /// The first wait; it doubles after each failure.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Backoff {
    /// Waits `first`, doubling after each failure up to `max`.
    #[must_use]
    pub fn new(first: Duration, max: Duration) -> Self {
        Self { first, max: max.max(first) }
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self { first: Duration::from_secs(1), max: Duration::from_secs(60) }
    }
}

impl DiscordGateway {
    /// A Gateway connection with the bot token, asking `api_url` (normally
    /// [`DEFAULT_API_URL`]) where to connect.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] for an empty token, [`ConfigError::Invalid`] for an API URL
    /// that is not http(s), [`ConfigError::Client`] when the TLS backend cannot start.
    pub fn new(token: Secret, api_url: &str) -> Result<Self, ConfigError> {
        Self::with_client_policy(token, api_url, RetryPolicy::default())
    }

    /// Like [`new`](Self::new), with the REST client's retry policy.
    ///
    /// # Errors
    ///
    /// As for [`new`](Self::new).
    pub fn with_client_policy(
        token: Secret,
        api_url: &str,
        policy: RetryPolicy,
    ) -> Result<Self, ConfigError> {
        if token.is_empty() {
            return Err(ConfigError::Missing("DISCORD_BOT_TOKEN"));
        }
        // The application id only serves interaction webhooks, which the Gateway never uses.
        let client = DiscordClient::with_policy("", Some(token.clone()), api_url, policy)?;
        Ok(Self { client, token, intents: DEFAULT_INTENTS, backoff: Backoff::default() })
    }

    /// The Gateway when `DISCORD_GATEWAY` is `1` (or `true`), from `DISCORD_BOT_TOKEN`
    /// (required then) and `DISCORD_API_URL` (optional); `None` when `DISCORD_GATEWAY` is not
    /// set.
    ///
    /// # Errors
    ///
    /// A missing or unusable variable, named in the error (its value never is).
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// # Errors
    ///
    /// As for [`from_env`](Self::from_env).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        match var("DISCORD_GATEWAY").as_deref().map(str::trim) {
            None | Some("0" | "false") => return Ok(None),
            Some("1" | "true") => {}
            Some(_) => {
                return Err(ConfigError::Invalid { name: "DISCORD_GATEWAY", reason: "not 1 or 0" });
            }
        }
        let token = var("DISCORD_BOT_TOKEN").ok_or(ConfigError::Missing("DISCORD_BOT_TOKEN"))?;
        let api_url = var("DISCORD_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        Self::new(Secret::new(token), &api_url).map(Some).map_err(|error| match error {
            ConfigError::Invalid { name: API_URL_SETTING, reason } => {
                ConfigError::Invalid { name: "DISCORD_API_URL", reason }
            }
            other => other,
        })
    }

    /// Replaces the intents ([`DEFAULT_INTENTS`] by default).
    #[must_use]
    pub fn intents(mut self, intents: Intents) -> Self {
        self.intents = intents;
        self
    }

    /// Replaces how `GET /gateway/bot` is retried.
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The REST client replies go through (handlers get it through
    /// [`DiscordContextExt`](crate::DiscordContextExt)).
    #[must_use]
    pub fn client(&self) -> &DiscordClient {
        &self.client
    }
}

impl fmt::Debug for DiscordGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordGateway")
            .field("client", &self.client)
            .field("intents", &self.intents)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}
