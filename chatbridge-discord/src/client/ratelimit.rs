//! Remembers Discord's rate limits: the global one, and one per bucket. Discord names a
//! route's bucket in `X-RateLimit-Bucket`; routes that share a bucket share its limit, for the
//! same major parameter (channel, guild, or webhook and token). Until a route's bucket is known,
//! the route is its own bucket.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chatbridge_core::{DeliveryError, Platform};
use http::HeaderMap;
// Tokio's clock, which the waits sleep on (and tests can pause).
use tokio::time::Instant;

/// A call's rate-limit identity: its route (the method and the path with ids as placeholders)
/// and its major parameter.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    /// `PATCH /webhooks/{w}/{t}/messages/@original`, `POST /channels/{c}/messages`, …
    pub(crate) template: String,
    /// The channel, guild, or webhook and token the call is about.
    pub(crate) major: String,
}

/// When each bucket (and everything, for the global limit) may be called again.
#[derive(Default)]
pub(crate) struct RateLimiter {
    global: Mutex<Option<Instant>>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The bucket Discord named for each route template.
    buckets: HashMap<String, String>,
    /// When each bucket, with its major parameter, opens again.
    closed: HashMap<String, Instant>,
}

impl State {
    /// The key of the route's limit: its bucket's when known, else its own.
    fn key(&self, route: &Route) -> String {
        match self.buckets.get(&route.template) {
            Some(bucket) => format!("bucket {bucket} {}", route.major),
            None => format!("route {} {}", route.template, route.major),
        }
    }
}

impl RateLimiter {
    /// How long to wait before calling `route`, if at all.
    pub(crate) fn wait(&self, route: &Route) -> Option<Duration> {
        let now = Instant::now();
        let global = *self.global.lock().unwrap_or_else(PoisonError::into_inner);
        let local = {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.closed.get(&state.key(route)).copied()
        };
        [global, local]
            .into_iter()
            .flatten()
            .filter(|until| *until > now)
            .max()
            .map(|until| until - now)
    }

    /// Learns from a response's headers: the route's bucket (`X-RateLimit-Bucket`), and a
    /// bucket with no calls left (`X-RateLimit-Remaining: 0`) is closed until it resets
    /// (`X-RateLimit-Reset-After`).
    pub(crate) fn note_headers(&self, route: &Route, headers: &HeaderMap) {
        if let Some(bucket) = header_str(headers, "x-ratelimit-bucket").filter(|b| !b.is_empty()) {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if state.buckets.get(&route.template).is_none_or(|known| known != bucket) {
                state.buckets.insert(route.template.clone(), bucket.to_owned());
            }
        }
        if header_str(headers, "x-ratelimit-remaining").map(str::trim) != Some("0") {
            return;
        }
        if let Some(reset_after) = header_str(headers, "x-ratelimit-reset-after").and_then(seconds)
        {
            self.close(route, reset_after, false);
        }
    }

    /// Waits until `route` may be called, unless that is longer than `max_wait`.
    ///
    /// # Errors
    ///
    /// [`DeliveryError::RateLimited`] at once when the wait would be longer than `max_wait`.
    pub(crate) async fn wait_turn(
        &self,
        route: &Route,
        max_wait: Duration,
    ) -> Result<(), DeliveryError> {
        let Some(wait) = self.wait(route) else { return Ok(()) };
        if wait > max_wait {
            return Err(DeliveryError::RateLimited {
                platform: Platform::DISCORD,
                retry_after: wait,
            });
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// Closes the route's bucket (or everything) for `retry_after`.
    pub(crate) fn close(&self, route: &Route, retry_after: Duration, global: bool) {
        let now = Instant::now();
        let until = now + retry_after;
        if global {
            let mut slot = self.global.lock().unwrap_or_else(PoisonError::into_inner);
            *slot = Some(slot.map_or(until, |current| current.max(until)));
        } else {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let key = state.key(route);
            state.closed.retain(|_, until| *until > now);
            state.closed.insert(key, until);
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

    fn route(template: &str, major: &str) -> Route {
        Route { template: template.to_owned(), major: major.to_owned() }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().unwrap());
        }
        headers
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_route_is_waited_out_exactly_and_a_long_wait_refused_at_once() {
        let limits = RateLimiter::default();
        let route = route("POST /webhooks/{w}/{t}", "app/token");
        let bound = Duration::from_secs(1);
        // A 429's float `retry_after`.
        limits.close(&route, Duration::from_millis(150), false);
        let started = Instant::now();
        limits.wait_turn(&route, bound).await.unwrap();
        assert_eq!(started.elapsed(), Duration::from_millis(150));
        assert_eq!(limits.wait(&route), None, "open again");
        // Past the bound: refused without waiting.
        limits.close(&route, Duration::from_secs(60), true);
        let started = Instant::now();
        let error = limits.wait_turn(&route, bound).await.unwrap_err();
        assert!(
            matches!(error, DeliveryError::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(60))
        );
        assert_eq!(started.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn an_exhausted_bucket_opens_when_it_resets() {
        let limits = RateLimiter::default();
        let route = route("PATCH /webhooks/{w}/{t}/messages/@original", "app/token");
        let exhausted =
            headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset-after", "0.2")]);
        limits.note_headers(&route, &exhausted);
        let started = Instant::now();
        limits.wait_turn(&route, Duration::from_secs(1)).await.unwrap();
        assert_eq!(started.elapsed(), Duration::from_millis(200));
    }

    #[test]
    fn an_exhausted_route_closes_that_route_only() {
        let limits = RateLimiter::default();
        let exhausted =
            headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset-after", "1.5")]);
        limits.note_headers(&route("POST /a", "1"), &exhausted);
        assert!(limits.wait(&route("POST /a", "1")).is_some_and(|w| w > Duration::from_secs(1)));
        assert!(limits.wait(&route("POST /b", "1")).is_none());
        assert!(limits.wait(&route("POST /a", "2")).is_none(), "another major parameter");
        limits.close(&route("x", "1"), Duration::from_secs(2), true);
        assert!(limits.wait(&route("POST /b", "1")).is_some(), "the global limit closes all");
    }

    #[test]
    fn routes_in_one_bucket_share_its_limit_per_major_parameter() {
        let limits = RateLimiter::default();
        let (patch, post) = (route("PATCH /c/{c}", "9"), route("POST /c/{c}", "9"));
        // PATCH learns its bucket while it has calls left: nothing closes.
        limits.note_headers(
            &patch,
            &headers(&[("x-ratelimit-bucket", "abcd"), ("x-ratelimit-remaining", "4")]),
        );
        assert!(limits.wait(&patch).is_none());
        // POST, in the same bucket, uses it up: PATCH waits too, for the same channel only.
        limits.note_headers(
            &post,
            &headers(&[
                ("x-ratelimit-bucket", "abcd"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset-after", "30"),
            ]),
        );
        assert!(limits.wait(&patch).is_some_and(|w| w > Duration::from_secs(29)));
        assert!(limits.wait(&post).is_some());
        assert!(limits.wait(&route("PATCH /c/{c}", "8")).is_none());
        // A route in another bucket is not held up.
        limits.note_headers(&route("GET /d", "9"), &headers(&[("x-ratelimit-bucket", "efgh")]));
        assert!(limits.wait(&route("GET /d", "9")).is_none());
    }
}
