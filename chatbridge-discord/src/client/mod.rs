//! [`DiscordClient`]: the interaction webhook calls (edit the original response, follow-ups)
//! and the bot-token REST calls interactions need (reactions, channel messages, command
//! registration); [`DiscordContextExt`] hands it to handlers.

mod commands;
mod context;
#[cfg(feature = "gateway")]
mod gateway;
mod ratelimit;
mod request;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::{ConfigError, DeliveryError, Platform, Secret};
use http::Method;
use url::Url;

use crate::model::InteractionToken;
pub use crate::reply::MessageBody;
pub use context::DiscordContextExt;
#[cfg(feature = "gateway")]
#[cfg_attr(docsrs, doc(cfg(feature = "gateway")))]
pub use gateway::{GatewayBot, SessionStartLimit};
use ratelimit::{RateLimiter, Route};
use request::message_id;
pub(crate) use request::to_json;

/// The `User-Agent` Discord requires: `DiscordBot ($url, $version)`.
const USER_AGENT: &str = concat!(
    "DiscordBot (https://github.com/chatbridge-rs/chatbridge, ",
    env!("CARGO_PKG_VERSION"),
    ")"
);

/// The setting a bad API URL is reported under.
pub(crate) const API_URL_SETTING: &str = "discord api url";

/// How patient the client is with rate limits, races and slow answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The longest rate-limit wait the client sits out; a longer one is reported as
    /// [`DeliveryError::RateLimited`] at once.
    pub max_rate_limit_wait: Duration,
    /// How many 429 answers one call retries after.
    pub max_rate_limit_retries: u32,
    /// How many times a webhook call answered 404 is retried (Discord may not have the
    /// initial response yet).
    pub not_found_retries: u32,
    /// The first wait before retrying a 404; it doubles each time.
    pub not_found_delay: Duration,
    /// The timeout of each HTTP call.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_rate_limit_wait: Duration::from_secs(10),
            max_rate_limit_retries: 3,
            not_found_retries: 3,
            not_found_delay: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A Discord API client: one connection pool, the rate limits it has learnt, and the bot token
/// when there is one. Cheap to clone.
///
/// Webhook calls (interaction responses and follow-ups) never send the bot token.
///
/// ```
/// use chatbridge_discord::DiscordClient;
///
/// let client = DiscordClient::new("123456789012345678", None, "http://127.0.0.1:9").unwrap();
/// assert!(!client.has_bot_token());
/// ```
#[derive(Clone)]
pub struct DiscordClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    application_id: String,
    bot_token: Option<Secret>,
    limits: RateLimiter,
    policy: RetryPolicy,
}

/// One API call.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    /// Path segments below the base URL; each is percent-encoded.
    pub(crate) segments: &'a [&'a str],
    /// The rate-limit route: the path template and its major parameter.
    pub(crate) route: Route,
    pub(crate) query: Option<&'a str>,
    pub(crate) body: Option<Vec<u8>>,
    /// Send the bot token (REST) or not (webhooks).
    pub(crate) bot_auth: bool,
    /// Retry 404 briefly (webhook calls right after the initial response).
    pub(crate) retry_not_found: bool,
}

impl DiscordClient {
    /// A client for an application, with an optional bot token, against `api_url` (normally
    /// [`DEFAULT_API_URL`](crate::DEFAULT_API_URL)).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a URL that is not http(s) or cannot take paths,
    /// [`ConfigError::Client`] when the TLS backend cannot start.
    pub fn new(
        application_id: impl Into<String>,
        bot_token: Option<Secret>,
        api_url: &str,
    ) -> Result<Self, ConfigError> {
        Self::with_policy(application_id, bot_token, api_url, RetryPolicy::default())
    }

    /// Like [`new`](Self::new), with a retry policy.
    ///
    /// # Errors
    ///
    /// As for [`new`](Self::new).
    pub fn with_policy(
        application_id: impl Into<String>,
        bot_token: Option<Secret>,
        api_url: &str,
        policy: RetryPolicy,
    ) -> Result<Self, ConfigError> {
        let bad_url =
            || ConfigError::Invalid { name: API_URL_SETTING, reason: "not an http(s) url" };
        let base = Url::parse(api_url.trim_end_matches('/')).map_err(|_| bad_url())?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(bad_url());
        }
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| ConfigError::Client {
                platform: Platform::DISCORD,
                source: Box::new(e.without_url()),
            })?;
        let bot_token = bot_token.filter(|t| !t.is_empty());
        let inner = Inner {
            http,
            base,
            application_id: application_id.into(),
            bot_token,
            limits: RateLimiter::default(),
            policy,
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// The application id webhook calls go to.
    #[must_use]
    pub fn application_id(&self) -> &str {
        &self.inner.application_id
    }

    /// Whether REST calls that need the bot token can be made.
    #[must_use]
    pub fn has_bot_token(&self) -> bool {
        self.inner.bot_token.is_some()
    }

    /// Edits the original response (`PATCH /webhooks/{app}/{token}/messages/@original`): how a
    /// deferred response gets its content. A 404 is retried briefly.
    ///
    /// # Errors
    ///
    /// Discord's refusal, [`DeliveryError::Expired`] for a token Discord no longer takes,
    /// rate limiting past the policy, a transport failure.
    pub async fn edit_original(
        &self,
        token: &InteractionToken,
        body: &MessageBody,
    ) -> Result<(), DeliveryError> {
        self.webhook(Method::PATCH, token, &["messages", "@original"], None, Some(body)).await?;
        Ok(())
    }

    /// Deletes the original response.
    ///
    /// # Errors
    ///
    /// As for [`edit_original`](Self::edit_original).
    pub async fn delete_original(&self, token: &InteractionToken) -> Result<(), DeliveryError> {
        self.webhook(Method::DELETE, token, &["messages", "@original"], None, None).await?;
        Ok(())
    }

    /// Posts a follow-up message (`POST /webhooks/{app}/{token}?wait=true`); returns its id.
    ///
    /// # Errors
    ///
    /// As for [`edit_original`](Self::edit_original).
    pub async fn create_followup(
        &self,
        token: &InteractionToken,
        body: &MessageBody,
    ) -> Result<String, DeliveryError> {
        let answer = self.webhook(Method::POST, token, &[], Some("wait=true"), Some(body)).await?;
        Ok(message_id(&answer))
    }

    /// Edits a follow-up message (a 404 is not retried: the message is gone).
    ///
    /// # Errors
    ///
    /// As for [`edit_original`](Self::edit_original).
    pub async fn edit_followup(
        &self,
        token: &InteractionToken,
        message_id: &str,
        body: &MessageBody,
    ) -> Result<(), DeliveryError> {
        self.webhook(Method::PATCH, token, &["messages", message_id], None, Some(body)).await?;
        Ok(())
    }

    /// Deletes a follow-up message.
    ///
    /// # Errors
    ///
    /// As for [`edit_original`](Self::edit_original).
    pub async fn delete_followup(
        &self,
        token: &InteractionToken,
        message_id: &str,
    ) -> Result<(), DeliveryError> {
        self.webhook(Method::DELETE, token, &["messages", message_id], None, None).await?;
        Ok(())
    }

    /// Adds the bot's reaction to a message
    /// (`PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me`). `emoji` is the character
    /// (`🍕`), a custom emoji as `name:id`, or one of a few common names (`pizza`,
    /// `thumbsup`, …); surrounding colons are ignored.
    ///
    /// # Errors
    ///
    /// [`DeliveryError::Unsupported`] without a bot token; otherwise as for
    /// [`create_message`](Self::create_message).
    pub async fn add_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> Result<(), DeliveryError> {
        let emoji = crate::emoji::for_url(emoji);
        let segments = ["channels", channel_id, "messages", message_id, "reactions", &emoji, "@me"];
        let route = Route {
            template: "PUT /channels/{c}/messages/{m}/reactions/{e}/@me".to_owned(),
            major: channel_id.to_owned(),
        };
        self.send(Call::rest(Method::PUT, &segments, route, None)).await?;
        Ok(())
    }

    /// Sends a message to a channel with the bot token (`POST /channels/{c}/messages`);
    /// returns its id.
    ///
    /// # Errors
    ///
    /// [`DeliveryError::Unsupported`] without a bot token, Discord's refusal, rate limiting
    /// past the policy, a transport failure.
    pub async fn create_message(
        &self,
        channel_id: &str,
        body: &MessageBody,
    ) -> Result<String, DeliveryError> {
        let segments = ["channels", channel_id, "messages"];
        let route = Route {
            template: "POST /channels/{c}/messages".to_owned(),
            major: channel_id.to_owned(),
        };
        let answer =
            self.send(Call::rest(Method::POST, &segments, route, Some(to_json(body)?))).await?;
        Ok(message_id(&answer))
    }

    /// Edits a message of the bot's by id (`PATCH /channels/{c}/messages/{m}`), with the bot
    /// token.
    ///
    /// # Errors
    ///
    /// As for [`create_message`](Self::create_message).
    pub async fn edit_message(
        &self,
        channel_id: &str,
        message_id: &str,
        body: &MessageBody,
    ) -> Result<(), DeliveryError> {
        let segments = ["channels", channel_id, "messages", message_id];
        let route = Route {
            template: "PATCH /channels/{c}/messages/{m}".to_owned(),
            major: channel_id.to_owned(),
        };
        self.send(Call::rest(Method::PATCH, &segments, route, Some(to_json(body)?))).await?;
        Ok(())
    }

    /// Deletes a message of the bot's by id (`DELETE /channels/{c}/messages/{m}`), with the
    /// bot token.
    ///
    /// # Errors
    ///
    /// As for [`create_message`](Self::create_message).
    pub async fn delete_message(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<(), DeliveryError> {
        let segments = ["channels", channel_id, "messages", message_id];
        let route = Route {
            template: "DELETE /channels/{c}/messages/{m}".to_owned(),
            major: channel_id.to_owned(),
        };
        self.send(Call::rest(Method::DELETE, &segments, route, None)).await?;
        Ok(())
    }

    async fn webhook(
        &self,
        method: Method,
        token: &InteractionToken,
        rest: &[&str],
        query: Option<&str>,
        body: Option<&MessageBody>,
    ) -> Result<Bytes, DeliveryError> {
        let app = self.inner.application_id.as_str();
        let mut segments = vec!["webhooks", app, token.expose()];
        segments.extend_from_slice(rest);
        // The webhook and its token are the major parameter: each interaction has its own
        // limits. A follow-up's id is not part of the route.
        let tail: Vec<&str> = rest
            .iter()
            .enumerate()
            .map(|(i, segment)| if i == 1 && *segment != "@original" { "{m}" } else { segment })
            .collect();
        let route = Route {
            template: format!("{method} /webhooks/{{w}}/{{t}}/{}", tail.join("/")),
            major: format!("{app}/{}", token.expose()),
        };
        let body = body.map(to_json).transpose()?;
        let call = Call {
            method,
            segments: &segments,
            route,
            query,
            body,
            bot_auth: false,
            // Only calls that can race the initial response: the original and a new
            // follow-up. A follow-up's own id that is unknown is gone for good.
            retry_not_found: rest.is_empty() || rest.last() == Some(&"@original"),
        };
        self.send(call).await
    }
}

impl fmt::Debug for DiscordClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordClient")
            .field("base", &self.inner.base.as_str())
            .field("application_id", &self.inner.application_id)
            .field("bot_token", &self.inner.bot_token)
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}
