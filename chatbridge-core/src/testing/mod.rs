//! Test helpers (feature `testing`): a fake platform API on loopback that records what the bot
//! sends, a [`Simulator`] that serves a bot for real beside it, the [`store_suite`] every store
//! backend passes, and a [`ManualClock`] re-export.
//!
//! ```
//! use chatbridge_core::testing::{FakeApi, FakeResponse};
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let api = FakeApi::start().await;
//! api.respond("POST", "/api/chat.postMessage", FakeResponse::json(200, r#"{"ok":true}"#));
//! let client = reqwest::Client::new();
//! client.post(format!("{}/api/chat.postMessage", api.url())).body("hi").send().await.unwrap();
//! let seen = api.wait_for(1, std::time::Duration::from_secs(5)).await;
//! assert_eq!(seen[0].path, "/api/chat.postMessage");
//! assert_eq!(&seen[0].body[..], b"hi");
//! # });
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use tokio::sync::Notify;

pub use self::store_suite::store_suite;
pub use crate::clock::ManualClock;
pub use logs::LogCapture;
pub use sim::{Exchange, Simulator};

mod logs;
mod sim;
mod store_suite;

/// A request the fake API received.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Recorded {
    /// The method.
    pub method: Method,
    /// The path, without the query.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Recorded {
    /// The body as JSON (`Null` if it is not JSON).
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A header's value as text.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A canned response.
#[derive(Clone, Debug)]
pub struct FakeResponse {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: Bytes,
    delay: Duration,
}

impl FakeResponse {
    /// A JSON response.
    #[must_use]
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.into()),
            delay: Duration::ZERO,
        }
    }

    /// An empty response with a status.
    #[must_use]
    pub fn status(status: u16) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: Vec::new(),
            body: Bytes::new(),
            delay: Duration::ZERO,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits before answering (for timeouts).
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Shared {
    recorded: Mutex<Vec<Recorded>>,
    routes: Mutex<HashMap<(Method, String), Route>>,
    arrived: Notify,
}

#[derive(Default)]
struct Route {
    once: VecDeque<FakeResponse>,
    always: Option<FakeResponse>,
}

/// A fake platform API on a loopback port: records every request; answers with the responses
/// it was given per method and path (`*` at the end of a path matches any rest), or
/// `200 {"ok":true}`.
pub struct FakeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeApi {
    /// Starts on `127.0.0.1` and an ephemeral port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound: this is test code.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    /// Starts on a given loopback address (for a bot started elsewhere that was told where
    /// its API is).
    ///
    /// # Panics
    ///
    /// If the address cannot be bound: this is test code.
    pub async fn start_on(addr: &str) -> Self {
        let listener =
            tokio::net::TcpListener::bind(addr).await.expect("a loopback port for the fake API");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new().fallback(record).with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, shared, task }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers every `method` request to `path` with `response`.
    pub fn respond(&self, method: &str, path: &str, response: FakeResponse) {
        self.route(method, path, |r| r.always = Some(response));
    }

    /// Answers the next `method` request to `path` with `response`, before any `respond`ed one;
    /// queued responses are used in order.
    pub fn respond_once(&self, method: &str, path: &str, response: FakeResponse) {
        self.route(method, path, |r| r.once.push_back(response));
    }

    /// Every request received so far.
    #[must_use]
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.recorded.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Waits until at least `count` requests arrived, or `timeout` passed; returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Recorded> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            let seen = self.requests();
            if seen.len() >= count {
                return seen;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.requests();
            }
        }
    }

    fn route(&self, method: &str, path: &str, f: impl FnOnce(&mut Route)) {
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::POST);
        let mut routes = self.shared.routes.lock().unwrap_or_else(PoisonError::into_inner);
        f(routes.entry((method, path.to_owned())).or_default());
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for FakeApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeApi").field("addr", &self.addr).finish_non_exhaustive()
    }
}

async fn record(State(shared): State<Arc<Shared>>, request: Request<Body>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let response = {
        let mut routes = shared.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let route = routes
            .iter_mut()
            .filter(|((m, p), _)| *m == parts.method && path_matches(p, &path))
            .max_by_key(|((_, p), _)| p.len())
            .map(|(_, r)| r);
        route.and_then(|r| r.once.pop_front().or_else(|| r.always.clone()))
    };
    shared.recorded.lock().unwrap_or_else(PoisonError::into_inner).push(Recorded {
        method: parts.method,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    });
    shared.arrived.notify_waiters();
    let response = response.unwrap_or_else(|| FakeResponse::json(200, r#"{"ok":true}"#));
    if !response.delay.is_zero() {
        tokio::time::sleep(response.delay).await;
    }
    let mut out = Response::new(Body::from(response.body));
    *out.status_mut() = response.status;
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) =
            (header::HeaderName::try_from(name), HeaderValue::try_from(value))
        {
            out.headers_mut().append(name, value);
        }
    }
    out
}

fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}
