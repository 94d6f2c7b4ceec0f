//! Making one call: the URL, the auth, rate-limit waits, retries, and Discord's errors as
//! [`DeliveryError`]s.

use bytes::Bytes;
use chatbridge_core::{DeliveryError, Platform};
use http::{HeaderValue, Method, StatusCode};

use super::{Call, DiscordClient, ratelimit};

impl DiscordClient {
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
            (true, Some(token)) => {
                let mut value = HeaderValue::try_from(format!("Bot {}", token.expose_secret()))
                    .map_err(|_| unsupported("the bot token is not a valid header value"))?;
                // Sensitive values are left out of HTTP libraries' debug output.
                value.set_sensitive(true);
                Some(value)
            }
            (true, None) => return Err(unsupported("no bot token configured")),
            (false, _) => None,
        };
        let body = call.body.map(Bytes::from);
        let (mut rate_limited, mut not_found) = (0, 0);
        loop {
            inner.limits.wait_turn(&call.route, policy.max_rate_limit_wait).await?;
            let mut request = inner.http.request(call.method.clone(), url.clone());
            if let Some(token) = &token {
                request = request.header(http::header::AUTHORIZATION, token.clone());
            }
            if let Some(body) = &body {
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
                    let delay =
                        policy.not_found_delay.saturating_mul(2u32.saturating_pow(not_found));
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
    pub(super) fn rest<'a>(
        method: Method,
        segments: &'a [&'a str],
        route: ratelimit::Route,
        body: Option<Vec<u8>>,
    ) -> Call<'a> {
        Call { method, segments, route, query: None, body, bot_auth: true, retry_not_found: false }
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, DeliveryError> {
    serde_json::to_vec(value)
        .map_err(|e| DeliveryError::Transport { platform: Platform::DISCORD, source: Box::new(e) })
}

pub(super) fn message_id(answer: &[u8]) -> String {
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
