//! The raw-JSON path: a host that receives Lex events itself (a Lambda function that takes
//! `serde_json::Value` so it can serve Lex and HTTP webhooks side by side) hands them to the
//! bot as a `POST` to the adapter's mount path.

use bytes::Bytes;
use http::{HeaderValue, Request, header};

/// Whether a raw Lambda event looks like a Lex code-hook event (V1 `currentIntent` or V2
/// `sessionState`) rather than an HTTP one (API Gateway, ALB, Function URL). Only a hint for
/// routing: the adapter still checks the event fully.
///
/// ```
/// use chatbridge_lex::is_lex_event;
///
/// assert!(is_lex_event(&serde_json::json!({"sessionState": {}, "sessionId": "s"})));
/// assert!(!is_lex_event(&serde_json::json!({"rawPath": "/slack/events", "body": "{}"})));
/// ```
#[must_use]
pub fn is_lex_event(event: &serde_json::Value) -> bool {
    let has = |key: &str| event.get(key).is_some_and(serde_json::Value::is_object);
    (has("currentIntent") || has("sessionState")) && event.get("httpMethod").is_none()
}

/// A raw Lex event as the request [`Bot::handle`](chatbridge_core::Bot::handle) takes: a
/// `POST` of the event's JSON to `path` (where the [`LexAdapter`](crate::LexAdapter) is
/// mounted). The response's body is then the Lex response, as JSON.
///
/// ```
/// use chatbridge_lex::lex_request;
///
/// let request = lex_request("/lex", &serde_json::json!({"sessionState": {}}));
/// assert_eq!(request.method(), http::Method::POST);
/// assert_eq!(request.uri().path(), "/lex");
/// ```
#[must_use]
pub fn lex_request(path: &str, event: &serde_json::Value) -> Request<Bytes> {
    let mut request = Request::new(Bytes::from(event.to_string()));
    *request.method_mut() = http::Method::POST;
    if let Ok(uri) = path.parse() {
        *request.uri_mut() = uri;
    }
    request
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    request
}
