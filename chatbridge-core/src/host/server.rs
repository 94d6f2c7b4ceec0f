//! The local server: the bot over HTTP/1.1 with hyper, graceful shutdown, timeouts,
//! `GET /healthz`, and the long-lived [connections](super::connection) (Socket Mode, the
//! Gateway) beside HTTP.
//!
//! ```no_run
//! use chatbridge_core::{Bot, Router};
//!
//! # async fn run() -> std::io::Result<()> {
//! let bot = Bot::builder().handler(Router::new()).build();
//! chatbridge_core::host::server::serve(bot, "127.0.0.1:3000").await
//! # }
//! ```
//!
//! To add the bot to an existing axum app, merge [`router`]:
//!
//! ```
//! use chatbridge_core::{Bot, Router};
//!
//! let bot = Bot::builder().handler(Router::new()).build();
//! let app: axum::Router = axum::Router::new()
//!     .route("/", axum::routing::get(|| async { "my app" }))
//!     .merge(chatbridge_core::host::server::router(bot));
//! # let _ = app;
//! ```

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::routing::{any, get};
use http::{Request, Response, StatusCode};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, ToSocketAddrs};

use tokio_util::sync::CancellationToken;

use super::ReceivedAt;
use super::connection::{Connection, Readiness};
use super::tower::collect_body;
use crate::Bot;
use crate::plain;

/// Serves the bot on `addr` until SIGINT or SIGTERM, then shuts down gracefully.
///
/// # Errors
///
/// The address cannot be bound.
pub async fn serve(bot: Bot, addr: impl ToSocketAddrs) -> io::Result<()> {
    Server::bind(addr).await?.serve(bot).await
}

/// The bot's routes as an axum router: every mount path, every endpoint's path, and
/// `GET /healthz`.
pub fn router(bot: Bot) -> axum::Router {
    router_with(bot, Timeouts::default(), Vec::new(), false)
}

/// A bound server, configured before it serves.
///
/// ```
/// use chatbridge_core::{Bot, Router, host::server::Server};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let server = Server::bind("127.0.0.1:0").await.unwrap();
/// let addr = server.local_addr().unwrap();
/// let bot = Bot::builder().handler(Router::new()).build();
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let serving = tokio::spawn(server.serve_with_shutdown(bot, async { let _ = stopped.await; }));
/// # let _ = addr;
/// stop.send(()).unwrap();
/// serving.await.unwrap().unwrap();
/// # });
/// ```
pub struct Server {
    listener: TcpListener,
    timeouts: Timeouts,
    shutdown_timeout: Duration,
    max_header_bytes: usize,
    connections: Vec<Box<dyn Connection>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("timeouts", &self.timeouts)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("connections", &self.connections.iter().map(|c| c.name()).collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Clone, Copy, Debug)]
struct Timeouts {
    header_read: Duration,
    body_read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { header_read: Duration::from_secs(10), body_read: Duration::from_secs(10) }
    }
}

impl Server {
    /// Binds the listening socket.
    ///
    /// # Errors
    ///
    /// The address cannot be bound.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        Ok(Self {
            listener: TcpListener::bind(addr).await?,
            timeouts: Timeouts::default(),
            shutdown_timeout: Duration::from_secs(30),
            max_header_bytes: 64 * 1024,
            connections: Vec::new(),
        })
    }

    /// The address the server listens on (useful after binding port 0).
    ///
    /// # Errors
    ///
    /// The socket has no local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// How long a client may take to send its request head (default 10 s); slower ones are
    /// disconnected, so a trickling client cannot hold a connection forever.
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.header_read = timeout;
        self
    }

    /// How long a client may take to send its body (default 10 s); slower ones get 408.
    #[must_use]
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.body_read = timeout;
        self
    }

    /// The most a request head may take, in bytes (default 64 KiB, at least 8 KiB); larger ones
    /// get 431.
    #[must_use]
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes.max(8192);
        self
    }

    /// How long shutdown waits for open requests, and then again for follow-ups still being
    /// delivered (default 30 s each).
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Runs `connection` (Slack Socket Mode, the Discord Gateway) beside HTTP while the server
    /// serves: started with it, stopped first at shutdown. `/healthz` answers 503 until every
    /// connection is ready, and while one is reconnecting.
    #[must_use]
    pub fn connection(mut self, connection: impl Connection) -> Self {
        self.connections.push(Box::new(connection));
        self
    }

    /// Serves until SIGINT or SIGTERM.
    ///
    /// # Errors
    ///
    /// Never at present; reserved for listener failures that cannot be recovered.
    pub async fn serve(self, bot: Bot) -> io::Result<()> {
        self.serve_with_shutdown(bot, shutdown_signal()).await
    }

    /// Serves until `signal` completes; then stops accepting, waits (bounded) for open requests
    /// and for the bot's pending follow-ups, and returns. The bot's [scheduled jobs](crate::jobs)
    /// run in-process meanwhile; runs in progress at shutdown are waited for like follow-ups.
    ///
    /// # Errors
    ///
    /// Never at present; reserved for listener failures that cannot be recovered.
    pub async fn serve_with_shutdown(
        self,
        bot: Bot,
        signal: impl Future<Output = ()> + Send,
    ) -> io::Result<()> {
        let stop_connections = CancellationToken::new();
        let mut readiness = Vec::new();
        let connections = tokio_util::task::TaskTracker::new();
        for connection in self.connections {
            let ready = Readiness::new(connection.name());
            readiness.push(ready.clone());
            let (bot, stop) = (bot.clone(), stop_connections.clone());
            connections.spawn(async move {
                let name = ready.name().to_owned();
                if let Err(error) = connection.run(bot, ready.clone(), stop).await {
                    ready.set(false);
                    tracing::error!(connection = %name, %error, "connection stopped");
                }
            });
        }
        connections.close();
        let router = router_with(bot.clone(), self.timeouts, readiness, true);
        let service = TowerToHyperService::new(router);
        let graceful = GracefulShutdown::new();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.timeouts.header_read)
            .max_buf_size(self.max_header_bytes)
            .keep_alive(true);
        if let Ok(addr) = self.listener.local_addr() {
            tracing::info!(%addr, mounts = ?bot.mounts().collect::<Vec<_>>(), "serving");
        }
        let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
        let schedules = tokio::spawn(crate::jobs::run_schedules(bot.clone(), async {
            let _ = jobs_stopped.await;
        }));
        tokio::pin!(signal);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let stream = match accepted {
                        Ok((stream, _)) => stream,
                        Err(error) => {
                            // Out of file descriptors and the like: back off instead of spinning.
                            tracing::warn!(%error, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let connection = builder.serve_connection(TokioIo::new(stream), service.clone());
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        if let Err(error) = connection.await {
                            tracing::debug!(%error, "connection ended with an error");
                        }
                    });
                }
                () = &mut signal => break,
            }
        }
        drop(self.listener);
        stop_connections.cancel();
        if tokio::time::timeout(self.shutdown_timeout, connections.wait()).await.is_err() {
            tracing::warn!("connections did not close in time");
        }
        let _ = stop_jobs.send(());
        let _ = schedules.await;
        tracing::info!("shutting down: finishing open requests");
        if tokio::time::timeout(self.shutdown_timeout, graceful.shutdown()).await.is_err() {
            tracing::warn!("open requests did not finish in time");
        }
        tracing::info!("shutting down: delivering pending follow-ups");
        if !bot.drain(self.shutdown_timeout).await {
            tracing::warn!("pending follow-ups did not finish in time");
        }
        Ok(())
    }
}

/// `GET /healthz` and a route per mount and endpoint path; with `fallback`, the bot answers
/// every other path too (with its own 404), as the stock server does.
fn router_with(
    bot: Bot,
    timeouts: Timeouts,
    readiness: Vec<Readiness>,
    fallback: bool,
) -> axum::Router {
    let health = move || {
        let waiting: Vec<&str> =
            readiness.iter().filter(|r| !r.get()).map(Readiness::name).collect();
        let response = if waiting.is_empty() {
            plain(StatusCode::OK, "ok")
        } else {
            plain(StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {}", waiting.join(", ")))
        };
        std::future::ready(response.map(Body::from))
    };
    let mut router = axum::Router::new().route("/healthz", get(health));
    let paths: Vec<String> = bot.mounts().chain(bot.routes()).map(str::to_owned).collect();
    for path in paths {
        router = router.route(&path, any(endpoint));
    }
    if fallback {
        router = router.fallback(endpoint);
    }
    router.with_state((bot, timeouts))
}

/// Reads the body (bounded in size and time), then has the bot answer.
async fn endpoint(
    State((bot, timeouts)): State<(Bot, Timeouts)>,
    request: Request<Body>,
) -> Response<Body> {
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(ReceivedAt(Instant::now()));
    let read = collect_body(Request::from_parts(parts, body), bot.body_limit());
    let response = match tokio::time::timeout(timeouts.body_read, read).await {
        // Boxed where it is made, so that axum's boxing of this future moves a few bytes, not
        // the whole request's state.
        Ok(Ok(request)) => Box::pin(bot.handle(request)).await,
        Ok(Err(refused)) => refused,
        Err(_) => plain(StatusCode::REQUEST_TIMEOUT, "request body timed out"),
    };
    response.map(Body::from)
}

/// Completes on SIGINT, or SIGTERM on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
