//! Remembers Discord's rate limits: the global one and one per route, learnt from
//! `X-RateLimit-*` headers and 429 answers.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use http::HeaderMap;

/// When each route (and everything, for the global limit) may be called again.
#[derive(Default)]
pub(crate) struct RateLimiter {
    global: Mutex<Option<Instant>>,
    routes: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    /// How long to wait before calling `route`, if at all.
    pub(crate) fn wait(&self, route: &str) -> Option<Duration> {
        let now = Instant::now();
        let global = *self.global.lock().unwrap_or_else(PoisonError::into_inner);
        let local = self.routes.lock().unwrap_or_else(PoisonError::into_inner).get(route).copied();
        [global, local]
            .into_iter()
            .flatten()
            .filter(|until| *until > now)
            .max()
            .map(|until| until - now)
    }

    /// Learns from a response's headers: a bucket with no calls left is closed until it
    /// resets.
    pub(crate) fn note_headers(&self, route: &str, headers: &HeaderMap) {
        let remaining = header_str(headers, "x-ratelimit-remaining");
        if remaining != Some("0") {
            return;
        }
        if let Some(reset_after) = header_str(headers, "x-ratelimit-reset-after").and_then(seconds)
        {
            self.close(route, reset_after, false);
        }
    }

    /// Closes the route (or everything) for `retry_after`.
    pub(crate) fn close(&self, route: &str, retry_after: Duration, global: bool) {
        let until = Instant::now() + retry_after;
        if global {
            let mut slot = self.global.lock().unwrap_or_else(PoisonError::into_inner);
            *slot = Some(slot.map_or(until, |current| current.max(until)));
        } else {
            let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            routes.retain(|_, until| *until > now);
            routes.insert(route.to_owned(), until);
        }
    }
}

/// What a 429 says: how long to wait and whether the limit is global.
pub(crate) fn parse_429(headers: &HeaderMap, body: &[u8]) -> (Duration, bool) {
    #[derive(serde::Deserialize)]
    struct Body {
        retry_after: Option<f64>,
        #[serde(default)]
        global: bool,
    }
    let parsed: Option<Body> = serde_json::from_slice(body).ok();
    let retry_after = parsed
        .as_ref()
        .and_then(|b| b.retry_after)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .or_else(|| header_str(headers, "retry-after").and_then(seconds))
        .unwrap_or(Duration::from_secs(1));
    let global = parsed.is_some_and(|b| b.global)
        || header_str(headers, "x-ratelimit-global")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || header_str(headers, "x-ratelimit-scope") == Some("global");
    (retry_after, global)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn seconds(text: &str) -> Option<Duration> {
    text.trim().parse::<f64>().ok().and_then(|s| Duration::try_from_secs_f64(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_body_wins_over_headers_and_floats_are_kept() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        let (wait, global) = parse_429(
            &headers,
            br#"{"message":"You are being rate limited.","retry_after":0.25,"global":false}"#,
        );
        assert_eq!(wait, Duration::from_millis(250));
        assert!(!global);
        headers.insert("x-ratelimit-scope", "global".parse().unwrap());
        let (wait, global) = parse_429(&headers, b"not json");
        assert_eq!(wait, Duration::from_secs(7));
        assert!(global);
    }

    #[test]
    fn an_exhausted_bucket_closes_its_route_only() {
        let limits = RateLimiter::default();
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
        headers.insert("x-ratelimit-reset-after", "1.5".parse().unwrap());
        limits.note_headers("a", &headers);
        assert!(limits.wait("a").is_some_and(|w| w > Duration::from_secs(1)));
        assert!(limits.wait("b").is_none());
        limits.close("x", Duration::from_secs(2), true);
        assert!(limits.wait("b").is_some());
    }
}
