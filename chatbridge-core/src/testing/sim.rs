//! [`Simulator`]: a bot on its real HTTP server on loopback, a fake platform API beside it, and
//! a client that sends requests and times the answers.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};

use super::{FakeApi, Recorded};
use crate::Bot;
use crate::host::server::Server;

/// A bot served for real on `127.0.0.1`, with a [`FakeApi`] for the platform's API.
///
/// ```
/// use bytes::Bytes;
/// use chatbridge_core::testing::Simulator;
/// use chatbridge_core::{Bot, Router};
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let sim = Simulator::start(|_api_url| Bot::builder().handler(Router::new()).build()).await;
/// let exchange = sim.send(http::Request::get("/healthz").body(Bytes::new()).unwrap()).await;
/// assert_eq!(exchange.status, 200);
/// sim.stop().await;
/// # });
/// ```
pub struct Simulator {
    api: FakeApi,
    bot: Bot,
    addr: SocketAddr,
    client: reqwest::Client,
    stop: tokio::sync::oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// One request and its answer, as the platform saw it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Exchange {
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The response body.
    pub body: Bytes,
    /// How long the answer took, from sending to the last byte.
    pub elapsed: Duration,
}

impl Exchange {
    /// The body as JSON (`Null` if it is not JSON).
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The body as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Simulator {
    /// Starts the fake API, builds the bot with its base URL (point the adapters' API URLs at
    /// it), and serves the bot on an ephemeral loopback port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound: this is test code.
    pub async fn start(build: impl FnOnce(&str) -> Bot) -> Self {
        let api = FakeApi::start().await;
        let bot = build(&api.url());
        let server = Server::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the bot")
            .shutdown_timeout(Duration::from_secs(10));
        let addr = server.local_addr().expect("a bound server has an address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve_with_shutdown(bot.clone(), async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a plain HTTP client builds");
        Self { api, bot, addr, client, stop, serving }
    }

    /// The fake platform API.
    #[must_use]
    pub fn api(&self) -> &FakeApi {
        &self.api
    }

    /// The bot being served (its [`tasks`](Bot::tasks) say whether follow-ups are pending).
    #[must_use]
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// The bot's base URL, `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends a request to the bot (its URI is a path) and waits for the whole answer.
    ///
    /// # Panics
    ///
    /// If the bot's server cannot be reached: this is test code.
    pub async fn send(&self, request: Request<Bytes>) -> Exchange {
        let (parts, body) = request.into_parts();
        let url = format!("{}{}", self.url(), parts.uri);
        let started = Instant::now();
        let response = self
            .client
            .request(parts.method, url)
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .expect("the simulated bot answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap_or_default();
        Exchange { status, headers, body, elapsed: started.elapsed() }
    }

    /// Waits until the fake API has received `count` requests in all, or `timeout` passed.
    pub async fn api_calls(&self, count: usize, timeout: Duration) -> Vec<Recorded> {
        self.api.wait_for(count, timeout).await
    }

    /// Stops the bot gracefully (pending follow-ups are delivered first) and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.serving.await;
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator").field("bot", &self.addr).field("api", &self.api.addr()).finish()
    }
}
