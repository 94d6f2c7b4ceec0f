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
use url::{Url, form_urlencoded};

use crate::Bot;
use crate::host::{Continuations, ReceivedAt};
use crate::plain;

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

/// Makes the parts `lambda_http` builds the request's URI from fit for it, as it panics on a
/// URI it cannot build: an `X-Forwarded-Proto` that is not a scheme, a Host header or
/// `requestContext.domainName` that is not a host (published sample events carry placeholders
/// such as `<url-id>`) are removed, and a `rawQueryString` with characters a URI cannot hold
/// (`"`, a space) is re-encoded, pair for pair. Nothing in the bot reads the first three:
/// requests are routed by path.
pub(super) fn make_uri_buildable(event: &mut Value) {
    if header(event, "x-forwarded-proto").is_some_and(|scheme| !forms_uri(scheme, "localhost")) {
        tracing::debug!("X-Forwarded-Proto is not a scheme; ignored");
        remove_header(event, "x-forwarded-proto");
    }
    let scheme = header(event, "x-forwarded-proto").unwrap_or("https").to_owned();
    if header(event, "host").is_some_and(|host| !forms_uri(&scheme, host)) {
        tracing::debug!("the Host header is not a host; ignored");
        remove_header(event, "host");
    }
    let domain = event["requestContext"]["domainName"].as_str();
    if domain.is_some_and(|host| !forms_uri(&scheme, host))
        && let Some(context) = event["requestContext"].as_object_mut()
    {
        tracing::debug!("requestContext.domainName is not a host; ignored");
        context.remove("domainName");
    }
    let query = event.get("rawQueryString").and_then(Value::as_str);
    if let Some(query) = query
        && format!("/?{query}").parse::<http::uri::PathAndQuery>().is_err()
    {
        let pairs = form_urlencoded::parse(query.as_bytes());
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        event["rawQueryString"] = Value::String(encoded);
    }
}

/// Whether `scheme://host/` is a URL and, written out, an `http::Uri` (both `lambda_http`
/// needs).
fn forms_uri(scheme: &str, host: &str) -> bool {
    Url::parse(&format!("{scheme}://{host}/"))
        .is_ok_and(|url| url.as_str().parse::<http::Uri>().is_ok())
}

/// A header of the event's single-value `headers` (the map `lambda_http` builds the URI from).
fn header<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    let headers = event.get("headers")?.as_object()?;
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str())
}

fn remove_header(event: &mut Value, name: &str) {
    for key in ["headers", "multiValueHeaders"] {
        if let Some(headers) = event.get_mut(key).and_then(Value::as_object_mut) {
            headers.retain(|key, _| !key.eq_ignore_ascii_case(name));
        }
    }
}

/// The response as its format documents it: `lambda_http` also writes an empty
/// `multiValueHeaders` into HTTP API (payload 2.0) responses, a field that format does not have.
pub(super) fn response_json(
    response: &impl serde::Serialize,
    payload_v2: bool,
) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(response)?;
    if payload_v2 && let Some(fields) = value.as_object_mut() {
        fields.remove("multiValueHeaders");
    }
    Ok(value)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_what_forms_no_url_is_dropped() {
        let mut event = json!({
            "headers": {"Host": "exa mple.com", "X-Forwarded-Proto": "http, https", "x-test": "kept"},
            "multiValueHeaders": {"host": ["exa mple.com"], "x-test": ["kept"]},
            "requestContext": {"domainName": "<url-id>.lambda-url.us-west-2.on.aws", "stage": "$default"}
        });
        make_uri_buildable(&mut event);
        assert_eq!(
            event,
            json!({
                "headers": {"x-test": "kept"},
                "multiValueHeaders": {"x-test": ["kept"]},
                "requestContext": {"stage": "$default"}
            })
        );
        for host in ["xn--.example", "1234567890.execute-api.{dns_suffix}"] {
            let mut event = json!({"headers": {"host": host}});
            make_uri_buildable(&mut event);
            assert_eq!(event, json!({"headers": {}}), "{host}");
        }
        let mut query = json!({"rawQueryString": "a=\"x y\"&b=1"});
        make_uri_buildable(&mut query);
        assert_eq!(query, json!({"rawQueryString": "a=%22x+y%22&b=1"}));
        let valid = json!({
            "headers": {"host": "abc.execute-api.us-east-1.amazonaws.com", "x-forwarded-proto": "http"},
            "requestContext": {"domainName": "127.0.0.1:3000"},
            "rawQueryString": "parameter1=value1&parameter1=value2&a={b}|c"
        });
        let mut kept = valid.clone();
        make_uri_buildable(&mut kept);
        assert_eq!(kept, valid);
    }

    #[test]
    fn a_body_that_is_not_its_claimed_base64_is_taken_out() {
        let mut event = json!({"body": "not base64!", "isBase64Encoded": true});
        assert!(take_unreadable_body(&mut event).is_some());
        assert_eq!(event, json!({"body": null, "isBase64Encoded": false}));
        for fine in [
            json!({"body": "aGk=", "isBase64Encoded": true}),
            json!({"body": "not base64!", "isBase64Encoded": false}),
            json!({"body": null, "isBase64Encoded": true}),
        ] {
            let mut event = fine.clone();
            assert_eq!(take_unreadable_body(&mut event), None);
            assert_eq!(event, fine);
        }
    }
}
