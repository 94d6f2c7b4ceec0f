//! HTTP events (API Gateway REST and HTTP APIs, Function URLs, ALB) into the bot, through
//! `lambda_http`'s conversions, with the checks those conversions leave out.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;
use lambda_http::RequestExt as _;
use lambda_http::request::RequestContext;
use serde_json::Value;
use tokio_util::task::TaskTracker;

use crate::Bot;
use crate::bot::{Continuations, ReceivedAt, plain};

/// Whether a raw event is one `lambda_http` can turn into a request: API Gateway REST and
/// HTTP APIs, Function URLs (HTTP API v2 shape) and ALB all carry `requestContext` or `httpMethod`.
pub(super) fn is_http_event(event: &Value) -> bool {
    let context = &event["requestContext"];
    event.get("httpMethod").is_some()
        || context.get("http").is_some()
        || context.get("elb").is_some()
        || (context.get("httpMethod").is_some() && event.get("path").is_some())
}

/// Why the event's body cannot be read, if it cannot: a body flagged `isBase64Encoded` that
/// is not base64. Such a body is removed from the event, so that the conversion (which would
/// panic on it) sees none, and the request is answered 400 with the reason.
pub(super) fn take_unreadable_body(event: &mut Value) -> Option<&'static str> {
    if event.get("isBase64Encoded").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let text = event.get("body").and_then(Value::as_str)?;
    // The engine `lambda_http` decodes with: what it accepts, this accepts.
    if STANDARD.decode(text).is_ok() {
        return None;
    }
    event["body"] = Value::Null;
    event["isBase64Encoded"] = Value::Bool(false);
    Some("malformed request: body is flagged base64 but is not valid base64")
}

/// The bot as `lambda_http` wants it: `Request<lambda_http::Body>` in, routed by the path
/// inside the API, with the invocation's tracker and arrival time attached.
#[derive(Clone)]
pub(super) struct HttpBot {
    pub(super) bot: Bot,
    pub(super) tracker: TaskTracker,
    /// Set when the event's body could not be read: the answer is then this 400.
    pub(super) refusal: Option<&'static str>,
}

type Answer = http::Response<Full<Bytes>>;

impl tower::Service<lambda_http::Request> for HttpBot {
    type Response = Answer;
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Answer, Self::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: lambda_http::Request) -> Self::Future {
        if let Some(reason) = self.refusal {
            tracing::info!(reason, "HTTP event refused");
            let response = plain(StatusCode::BAD_REQUEST, reason).map(Full::new);
            return Box::pin(std::future::ready(Ok(response)));
        }
        if let Some(path) = super::path::mount_path(&request) {
            set_path(&mut request, &path);
        }
        let received = request.request_context_ref().map_or_else(Instant::now, arrival);
        request.extensions_mut().insert(ReceivedAt(received));
        request.extensions_mut().insert(Continuations(self.tracker.clone()));
        tower::Service::call(&mut self.bot, request)
    }
}

/// Replaces the URI's path, keeping its query (a path that is not a valid URI path leaves the
/// URI as `lambda_http` built it).
fn set_path(request: &mut lambda_http::Request, path: &str) {
    if request.uri().path() == path {
        return;
    }
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let Ok(path_and_query) = path_and_query.parse() else { return };
    let mut parts = request.uri().clone().into_parts();
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = http::Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
}

/// When API Gateway received the request, as an `Instant`, so that a cold start counts
/// against the ack budget. ALB and unknown origins fall back to now.
fn arrival(context: &RequestContext) -> Instant {
    let epoch_ms = match context {
        RequestContext::ApiGatewayV1(ctx) => ctx.request_time_epoch,
        RequestContext::ApiGatewayV2(ctx) => ctx.time_epoch,
        _ => 0,
    };
    let now = Instant::now();
    let Ok(epoch_ms) = u64::try_from(epoch_ms) else { return now };
    if epoch_ms == 0 {
        return now;
    }
    let arrived = UNIX_EPOCH + Duration::from_millis(epoch_ms);
    match SystemTime::now().duration_since(arrived) {
        // A clock skew of more than a minute means the timestamp is not to be trusted.
        Ok(age) if age < Duration::from_secs(60) => now.checked_sub(age).unwrap_or(now),
        _ => now,
    }
}
