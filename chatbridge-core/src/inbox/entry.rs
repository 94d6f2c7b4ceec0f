//! What the inbox stores of a request: enough to hand it to its adapter again, verified as of
//! its first arrival.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, header};
use serde::{Deserialize, Serialize};

use crate::host::Redelivery;

/// Headers never stored: credentials a proxy in front of the bot may add. Platforms sign with
/// their own headers, which are kept.
const NOT_STORED: [HeaderName; 3] =
    [header::AUTHORIZATION, header::COOKIE, header::PROXY_AUTHORIZATION];

/// A request as received: its raw body and headers, the path of its adapter, and when it came.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The format's version.
    v: u8,
    /// The adapter's mount path.
    pub(crate) path: String,
    uri: String,
    method: String,
    headers: Vec<(String, String)>,
    /// The raw body (platforms send UTF-8: JSON or a form).
    body: String,
    /// When the request arrived, in Unix milliseconds.
    received_ms: u64,
}

impl Entry {
    /// The request's parts worth keeping, or `None` for a body that is not UTF-8 (no platform
    /// sends one; such a request is handled without the inbox).
    pub(crate) fn of(path: &str, request: &Request<Bytes>, received: SystemTime) -> Option<Self> {
        let body = std::str::from_utf8(request.body()).ok()?.to_owned();
        let headers = request
            .headers()
            .iter()
            .filter(|(name, _)| !NOT_STORED.contains(name))
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect();
        let received_ms =
            received.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis()).try_into().ok()?;
        Some(Self {
            v: 1,
            path: path.to_owned(),
            uri: request.uri().to_string(),
            method: request.method().to_string(),
            headers,
            body,
            received_ms,
        })
    }

    pub(crate) fn encode(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).expect("an entry of strings serializes"))
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, String> {
        let entry: Self = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if entry.v != 1 {
            return Err(format!("unknown inbox entry version {}", entry.v));
        }
        Ok(entry)
    }

    /// When the request first arrived.
    pub(crate) fn received(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.received_ms)
    }

    /// The request again, marked as a [`Redelivery`] so that its adapter verifies it as of its
    /// arrival.
    pub(crate) fn to_request(&self) -> Result<Request<Bytes>, String> {
        let method = Method::from_bytes(self.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut request = Request::builder()
            .method(method)
            .uri(&self.uri)
            .body(Bytes::from(self.body.clone()))
            .map_err(|e| e.to_string())?;
        let headers: &mut HeaderMap = request.headers_mut();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
            let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
            headers.append(name, value);
        }
        request.extensions_mut().insert(Redelivery { received: self.received() });
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_comes_back_as_it_was_signed_without_credentials_a_proxy_added() {
        let request = Request::post("/slack/events?x=1")
            .header("x-slack-signature", "v0=abc")
            .header("x-slack-request-timestamp", "1700000000")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", "Bearer proxy-secret")
            .header("x-forwarded-for", "10.0.0.1")
            .header("x-forwarded-for", "10.0.0.2")
            .body(Bytes::from_static(b"command=%2Fhello-there&text="))
            .expect("a request");
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let entry = Entry::of("/slack/events", &request, at).expect("UTF-8");
        let stored = entry.encode();
        assert!(!String::from_utf8_lossy(&stored).contains("proxy-secret"));
        let again = Entry::decode(&stored).expect("decodes").to_request().expect("a request");
        assert_eq!(again.method(), Method::POST);
        assert_eq!(again.uri(), "/slack/events?x=1");
        assert_eq!(again.body(), request.body());
        assert_eq!(again.headers()["x-slack-signature"], "v0=abc");
        assert_eq!(again.headers().get_all("x-forwarded-for").iter().count(), 2);
        assert!(again.headers().get("authorization").is_none());
        assert_eq!(again.extensions().get::<Redelivery>(), Some(&Redelivery { received: at }));
    }

    #[test]
    fn a_body_that_is_not_utf8_is_not_stored_and_garbage_does_not_decode() {
        let request = Request::post("/x").body(Bytes::from_static(&[0xff, 0xfe])).expect("req");
        assert_eq!(Entry::of("/x", &request, SystemTime::now()), None);
        assert!(Entry::decode(b"{}").is_err());
        assert!(Entry::decode(br#"{"v":9,"path":"/","uri":"/","method":"POST","headers":[],"body":"","received_ms":0}"#).is_err());
    }
}
