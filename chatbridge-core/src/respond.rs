//! Short responses core gives itself: plain text with a status, and the body of a refusal.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use crate::AdapterError;

/// A short plain-text response.
pub(crate) fn plain(status: StatusCode, body: impl Into<Bytes>) -> Response<Bytes> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// The body for a refused request. A 400 says what was malformed (adapters write those
/// reasons, and they never quote the body); a 401 never says which check failed, that is for
/// the logs.
pub(crate) fn refusal_body(error: &AdapterError) -> Bytes {
    let text: &'static str = match error {
        AdapterError::BadRequest(reason) => {
            return Bytes::from(format!("malformed request: {reason}"));
        }
        AdapterError::Unauthorized(_) => "invalid request signature",
        AdapterError::PayloadTooLarge => "payload too large",
        AdapterError::UnsupportedMediaType => "unsupported media type",
        AdapterError::MethodNotAllowed => "method not allowed",
        _ => "internal error",
    };
    Bytes::from_static(text.as_bytes())
}
