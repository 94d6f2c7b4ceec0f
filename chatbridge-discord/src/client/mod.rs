//! [`DiscordClient`]: the interaction webhook calls (edit the original response, follow-ups)
//! and the bot-token REST calls interactions need (reactions, channel messages).

mod commands;
mod ratelimit;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::{DeliveryError, Platform, Secret};
use http::{Method, StatusCode};
use url::Url;

use crate::ConfigError;
use crate::model::InteractionToken;
use crate::response::MessageBody;
use ratelimit::RateLimiter;

/// The `User-Agent` Discord requires: `DiscordBot ($url, $version)`.
pub const USER_AGENT: &str = concat!(
    "DiscordBot (https://github.com/chatbridge-rs/chatbridge, ",
    env!("CARGO_PKG_VERSION"),
    ")"
);

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
    pub(crate) route: String,
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
    /// [`ConfigError::ApiUrl`] for a URL that cannot take paths, [`ConfigError::Client`] when
    /// the TLS backend cannot start.
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
        let base = Url::parse(api_url.trim_end_matches('/')).map_err(|_| ConfigError::ApiUrl)?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(ConfigError::ApiUrl);
        }
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| ConfigError::Client(Box::new(e.without_url())))?;
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

    /// Edits a follow-up message.
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
        let route = format!("PUT /channels/{channel_id}/messages/:id/reactions");
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
        let route = format!("POST /channels/{channel_id}/messages");
        let answer =
            self.send(Call::rest(Method::POST, &segments, route, Some(to_json(body)?))).await?;
        Ok(message_id(&answer))
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
        // The token is the major parameter: each interaction has its own bucket.
        let route = format!("{method} /webhooks/{app}/{}/{}", token.expose(), rest.join("/"));
        let body = body.map(to_json).transpose()?;
        let call = Call {
            method,
            segments: &segments,
            route,
            query,
            body,
            bot_auth: false,
            retry_not_found: true,
        };
        self.send(call).await
    }

    /// Makes a call: waits out known rate limits, retries 429s within the policy and 404s
    /// when asked, and turns failures into [`DeliveryError`]s.
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<Bytes, DeliveryError> {
        let inner = &*self.inner;
        let policy = inner.policy;
        let mut url = inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| unsupported("api url cannot take paths"))?
            .pop_if_empty()
            .extend(call.segments);
        url.set_query(call.query);
        let token = match (call.bot_auth, &inner.bot_token) {
            (true, Some(token)) => Some(format!("Bot {}", token.expose_secret())),
            (true, None) => return Err(unsupported("no bot token configured")),
            (false, _) => None,
        };
        let (mut rate_limited, mut not_found) = (0, 0);
        loop {
            if let Some(wait) = inner.limits.wait(&call.route) {
                if wait > policy.max_rate_limit_wait {
                    return Err(DeliveryError::RateLimited {
                        platform: Platform::DISCORD,
                        retry_after: wait,
                    });
                }
                tokio::time::sleep(wait).await;
            }
            let mut request = inner.http.request(call.method.clone(), url.clone());
            if let Some(token) = &token {
                request = request.header(http::header::AUTHORIZATION, token);
            }
            if let Some(body) = &call.body {
                request = request
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let response = request.send().await.map_err(transport)?;
            let status = response.status();
            inner.limits.note_headers(&call.route, response.headers());
            let headers = response.headers().clone();
            let answer = response.bytes().await.map_err(transport)?;
            match status {
                s if s.is_success() => return Ok(answer),
                StatusCode::TOO_MANY_REQUESTS => {
                    let (retry_after, global) = ratelimit::parse_429(&headers, &answer);
                    inner.limits.close(&call.route, retry_after, global);
                    rate_limited += 1;
                    tracing::debug!(method = %call.method, global, ?retry_after, "discord rate limited a call");
                    if rate_limited > policy.max_rate_limit_retries
                        || retry_after > policy.max_rate_limit_wait
                    {
                        return Err(DeliveryError::RateLimited {
                            platform: Platform::DISCORD,
                            retry_after,
                        });
                    }
                }
                StatusCode::NOT_FOUND
                    if call.retry_not_found && not_found < policy.not_found_retries =>
                {
                    let delay = policy.not_found_delay.saturating_mul(1 << not_found);
                    not_found += 1;
                    tracing::debug!(method = %call.method, ?delay, "webhook not found yet; retrying");
                    tokio::time::sleep(delay).await;
                }
                _ => return Err(refusal(status, &answer, !call.bot_auth)),
            }
        }
    }
}

impl Call<'_> {
    fn rest<'a>(
        method: Method,
        segments: &'a [&'a str],
        route: String,
        body: Option<Vec<u8>>,
    ) -> Call<'a> {
        Call { method, segments, route, query: None, body, bot_auth: true, retry_not_found: false }
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

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, DeliveryError> {
    serde_json::to_vec(value)
        .map_err(|e| DeliveryError::Transport { platform: Platform::DISCORD, source: Box::new(e) })
}

fn message_id(answer: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(answer)
        .ok()
        .and_then(|v| v.get("id").and_then(|id| id.as_str().map(str::to_owned)))
        .unwrap_or_default()
}

fn unsupported(reason: &'static str) -> DeliveryError {
    DeliveryError::Unsupported { platform: Platform::DISCORD, reason }
}

fn transport(error: reqwest::Error) -> DeliveryError {
    // `without_url`: webhook URLs hold the interaction token.
    DeliveryError::Transport { platform: Platform::DISCORD, source: Box::new(error.without_url()) }
}

/// Discord's error body is `{"code": …, "message": …}`; the message names the problem and
/// holds no secret. Code 50027 (invalid webhook token) on a webhook call means the
/// interaction token expired.
fn refusal(status: StatusCode, answer: &[u8], webhook: bool) -> DeliveryError {
    #[derive(serde::Deserialize)]
    struct Body {
        code: Option<u64>,
        message: Option<String>,
    }
    let body: Option<Body> = serde_json::from_slice(answer).ok();
    if webhook && body.as_ref().and_then(|b| b.code) == Some(50027) {
        return DeliveryError::Expired { platform: Platform::DISCORD, reason: "interaction token" };
    }
    let reason = body
        .and_then(|b| b.message)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned())
        .chars()
        .take(200)
        .collect();
    DeliveryError::Platform { platform: Platform::DISCORD, reason, status: Some(status.as_u16()) }
}
