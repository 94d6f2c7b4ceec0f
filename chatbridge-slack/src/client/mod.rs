//! The Slack Web API client (feature `client`): `chat.postMessage`, `chat.postEphemeral`,
//! `reactions.add`, `auth.test` and `response_url` posts, with a timeout on every call and
//! bounded waits on rate limits.
//!
//! Handlers reach it through [`SlackContextExt`] (`cx.slack()`).
//!
//! See Slack's pages "Web API" and "Rate limits".

mod context;
mod error;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chatbridge_core::Secret;
use serde_json::{Value, json};

use crate::BotIds;
use crate::model::str_field;

pub use context::SlackContextExt;
pub use error::ApiError;

/// Slack's Web API base URL.
const DEFAULT_API_URL: &str = "https://slack.com/api/";

/// A Slack Web API client. Cheap to clone; the HTTP client inside is built once.
///
/// ```
/// use chatbridge_core::Secret;
/// use chatbridge_slack::SlackClient;
///
/// let client = SlackClient::builder()
///     .token(Secret::new("xoxb-example"))
///     .api_url("http://127.0.0.1:9/api/")
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("xoxb-example"));
/// ```
#[derive(Clone)]
pub struct SlackClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    token: Option<Secret>,
    max_retries: u32,
    max_wait: Duration,
}

impl SlackClient {
    /// Starts building a client.
    pub fn builder() -> SlackClientBuilder {
        SlackClientBuilder::default()
    }

    /// Whether a bot token is configured.
    #[must_use]
    pub fn has_token(&self) -> bool {
        self.inner.token.is_some()
    }

    /// The same client (one connection pool) with another bot token: a workspace's own, for
    /// an app installed into many.
    #[must_use]
    pub fn with_token(&self, token: Secret) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                base: inner.base.clone(),
                token: Some(token),
                max_retries: inner.max_retries,
                max_wait: inner.max_wait,
            }),
        }
    }

    /// `oauth.v2.access` with the app's credentials by HTTP Basic auth and a form body (a
    /// `code`, or `grant_type=refresh_token`); returns Slack's answer. Nothing of the form or
    /// the answer is logged.
    #[cfg(feature = "oauth")]
    pub(crate) async fn oauth_v2_access(
        &self,
        client_id: &str,
        client_secret: &Secret,
        form: &[(&str, &str)],
    ) -> Result<Value, ApiError> {
        let method = "oauth.v2.access";
        let url = format!("{}{method}", self.inner.base);
        let answer = self
            .send(method, || {
                let request = self.inner.http.post(&url);
                request.basic_auth(client_id, Some(client_secret.expose_secret())).form(form)
            })
            .await?;
        ok_or_error(method, &answer)
    }

    /// Calls a Web API method with a JSON body and the bot token; returns Slack's answer.
    ///
    /// # Errors
    ///
    /// [`ApiError::NoToken`] without a token, [`ApiError::Slack`] for `ok: false`,
    /// [`ApiError::RateLimited`] past the retry bound, [`ApiError::Status`] or
    /// [`ApiError::Transport`] otherwise.
    pub async fn call(&self, method: &'static str, body: &Value) -> Result<Value, ApiError> {
        let token = self.inner.token.as_ref().ok_or(ApiError::NoToken { method })?;
        let url = format!("{}{method}", self.inner.base);
        let answer = self
            .send(method, || {
                self.inner.http.post(&url).bearer_auth(token.expose_secret()).json(body)
            })
            .await?;
        ok_or_error(method, &answer)
    }

    /// `chat.postMessage`: posts a message (`channel`, `text`, `blocks`, `thread_ts`, …).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn chat_post_message(&self, body: &Value) -> Result<Value, ApiError> {
        self.call("chat.postMessage", body).await
    }

    /// `chat.update`: edits the bot's message at `ts` in `channel` (`body`: `text`,
    /// `blocks`, …).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn chat_update(
        &self,
        channel: &str,
        ts: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let mut body = body.clone();
        if let Value::Object(fields) = &mut body {
            fields.insert("channel".into(), json!(channel));
            fields.insert("ts".into(), json!(ts));
        }
        self.call("chat.update", &body).await
    }

    /// `chat.delete`: deletes the bot's message at `ts` in `channel`.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn chat_delete(&self, channel: &str, ts: &str) -> Result<Value, ApiError> {
        self.call("chat.delete", &json!({"channel": channel, "ts": ts})).await
    }

    /// `chat.postEphemeral`: posts a message only `user` sees.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn chat_post_ephemeral(&self, body: &Value) -> Result<Value, ApiError> {
        self.call("chat.postEphemeral", body).await
    }

    /// `reactions.add`: reacts to the message at `timestamp` in `channel` with an emoji name
    /// (colons are stripped).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn reactions_add(
        &self,
        channel: &str,
        timestamp: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        let name = name.trim_matches(':');
        let body = json!({"channel": channel, "timestamp": timestamp, "name": name});
        self.call("reactions.add", &body).await.map(drop)
    }

    /// `views.open`: opens a modal for a `trigger_id` (valid for 3 seconds after the request).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn views_open(&self, trigger_id: &str, view: &Value) -> Result<Value, ApiError> {
        self.call("views.open", &json!({"trigger_id": trigger_id, "view": view})).await
    }

    /// `views.push`: puts a view on top of a modal's stack, for a `trigger_id`.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn views_push(&self, trigger_id: &str, view: &Value) -> Result<Value, ApiError> {
        self.call("views.push", &json!({"trigger_id": trigger_id, "view": view})).await
    }

    /// `views.update`: replaces an open view, by its id.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn views_update(&self, view_id: &str, view: &Value) -> Result<Value, ApiError> {
        self.call("views.update", &json!({"view_id": view_id, "view": view})).await
    }

    /// `views.publish`: sets a user's App Home tab (a view of `"type": "home"`; see
    /// [`home_view`](crate::home_view)).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn views_publish(&self, user_id: &str, view: &Value) -> Result<Value, ApiError> {
        self.call("views.publish", &json!({"user_id": user_id, "view": view})).await
    }

    /// `auth.test`: who the token belongs to.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub async fn auth_test(&self) -> Result<BotIds, ApiError> {
        let value = self.call("auth.test", &json!({})).await?;
        let mut ids = BotIds::new();
        ids.user_id = str_field(&value, "user_id");
        ids.bot_id = str_field(&value, "bot_id");
        ids.app_id = str_field(&value, "app_id");
        Ok(ids)
    }

    /// `apps.connections.open` with the app-level token: the WebSocket URL of a new Socket
    /// Mode connection. The URL carries a ticket: it is never logged.
    #[cfg(feature = "socket-mode")]
    pub(crate) async fn apps_connections_open(
        &self,
        app_token: &Secret,
    ) -> Result<String, ApiError> {
        let method = "apps.connections.open";
        let url = format!("{}{method}", self.inner.base);
        let answer = self
            .send(method, || self.inner.http.post(&url).bearer_auth(app_token.expose_secret()))
            .await?;
        let value = ok_or_error(method, &answer)?;
        str_field(&value, "url").ok_or_else(|| ApiError::Slack { method, code: "no_url".into() })
    }

    /// Posts a reply to a `response_url` (no token needed). The URL is a capability: it never
    /// appears in errors or logs.
    ///
    /// # Errors
    ///
    /// [`ApiError::Slack`] when Slack refuses (`used_url`, `expired_url`, …),
    /// [`ApiError::RateLimited`], [`ApiError::Status`] or [`ApiError::Transport`].
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), ApiError> {
        let method = "response_url";
        let answer = self.send(method, || self.inner.http.post(response_url).json(body)).await?;
        // response_url answers `ok` as text or `{"ok":true}`; an error comes as JSON.
        match serde_json::from_slice::<Value>(&answer) {
            Ok(value) if value.get("ok").and_then(Value::as_bool) == Some(false) => {
                let code = str_field(&value, "error").unwrap_or_else(|| "unknown_error".to_owned());
                Err(ApiError::Slack { method, code })
            }
            _ => Ok(()),
        }
    }

    /// Sends a request, waiting out 429s within the bound; returns the 2xx body.
    async fn send(
        &self,
        method: &'static str,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<bytes::Bytes, ApiError> {
        let mut attempt = 0;
        loop {
            let response = request().send().await.map_err(|e| transport(method, e))?;
            let status = response.status();
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(Duration::from_secs(1), Duration::from_secs);
                if attempt >= self.inner.max_retries || retry_after > self.inner.max_wait {
                    tracing::warn!(method, ?retry_after, "slack rate limit: giving up");
                    return Err(ApiError::RateLimited { method, retry_after });
                }
                attempt += 1;
                tracing::info!(method, ?retry_after, attempt, "slack rate limit: waiting");
                tokio::time::sleep(retry_after).await;
                continue;
            }
            if !status.is_success() {
                // Slack names the error in the body even then: JSON from the Web API, a bare
                // code such as `expired_url` from a response_url.
                let body = response.bytes().await.unwrap_or_default();
                return Err(match error_code(&body) {
                    Some(code) => ApiError::Slack { method, code },
                    None => ApiError::Status { method, status: status.as_u16() },
                });
            }
            return response.bytes().await.map_err(|e| transport(method, e));
        }
    }
}

impl fmt::Debug for SlackClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackClient")
            .field("api_url", &self.inner.base)
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

/// Builds a [`SlackClient`].
#[derive(Debug)]
#[must_use]
pub struct SlackClientBuilder {
    token: Option<Secret>,
    base: String,
    timeout: Duration,
    max_retries: u32,
    max_wait: Duration,
}

impl Default for SlackClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base: DEFAULT_API_URL.to_owned(),
            timeout: Duration::from_secs(10),
            max_retries: 2,
            max_wait: Duration::from_secs(30),
        }
    }
}

impl SlackClientBuilder {
    /// The bot token (`xoxb-…`).
    pub fn token(mut self, token: Secret) -> Self {
        self.token = Some(token);
        self
    }

    /// The Web API base URL (default `https://slack.com/api/`); a missing trailing `/` is added.
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.base = url;
        self
    }

    /// The timeout of each HTTP call (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How often a rate-limited call is retried (default 2), and the longest `Retry-After`
    /// waited for (default 30 s).
    pub fn rate_limit_retries(mut self, retries: u32, max_wait: Duration) -> Self {
        self.max_retries = retries;
        self.max_wait = max_wait;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// The TLS backend could not be set up.
    pub fn build(self) -> Result<SlackClient, ApiError> {
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(concat!("chatbridge-slack/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| transport("client", e))?;
        Ok(SlackClient {
            inner: Arc::new(Inner {
                http,
                base: self.base,
                token: self.token,
                max_retries: self.max_retries,
                max_wait: self.max_wait,
            }),
        })
    }
}

/// Slack's answer when it says `ok: true`, else its error code.
fn ok_or_error(method: &'static str, answer: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(answer)
        .map_err(|e| ApiError::Transport { method, source: Box::new(e) })?;
    if value.get("ok").and_then(Value::as_bool) == Some(true) {
        Ok(value)
    } else {
        let code = str_field(&value, "error").unwrap_or_else(|| "unknown_error".to_owned());
        Err(ApiError::Slack { method, code })
    }
}

/// Slack's error code in an error body: `{"ok":false,"error":"…"}` or a bare `snake_case` code.
fn error_code(body: &[u8]) -> Option<String> {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        return str_field(&value, "error");
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    let is_code = !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    is_code.then(|| text.to_owned())
}

/// A reqwest error without its URL (a `response_url` is a capability).
fn transport(method: &'static str, error: reqwest::Error) -> ApiError {
    ApiError::Transport { method, source: Box::new(error.without_url()) }
}
