//! The [`Supervisor`]: keeps Socket Mode links open for as long as the server runs, one per
//! slot (several slots: no gap while one is replaced). Each slot opens a link from a fresh
//! `apps.connections.open`, replaces it when Slack asks (the old one serves on meanwhile) or
//! when it is lost (after a backoff); the supervisor gives up only when Slack keeps refusing
//! the app token, and closes every link at shutdown.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chatbridge_core::host::connection::Readiness;
use chatbridge_core::{Bot, BoxError, Secret};
use futures_util::FutureExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::Connector;
use tokio_util::sync::CancellationToken;

use super::SocketMode;
use super::connection::{Link, Report, Shared, Socket};
use crate::ApiError;

/// How long connecting to the URL Slack gave may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long links have to close at shutdown (acknowledging what is in flight first).
const STOP_WAIT: Duration = Duration::from_secs(5);

/// Why no link could be opened.
enum OpenError {
    /// Slack refused the app token: retrying will not mend it unless the token changes.
    Refused(String),
    /// Anything else (network, Slack's side, rate limits): retried with backoff.
    Failed(String),
}

/// Runs the slots of one [`SocketMode`] connection.
pub(super) struct Supervisor {
    common: Arc<Common>,
    slots: usize,
}

/// What every slot shares.
struct Common {
    shared: Arc<Shared>,
    app_token: Secret,
    backoff: (Duration, Duration),
    auth_attempts: u32,
    tls: Arc<rustls::ClientConfig>,
    ready: Readiness,
    /// The links that said `hello` and are still open, across slots.
    ready_links: Mutex<HashSet<u64>>,
    next_id: AtomicU64,
    /// Cancelled at shutdown, or when a slot gives up for good: every slot stops then.
    stop: CancellationToken,
}

impl Supervisor {
    pub(super) fn new(
        socket: SocketMode,
        bot: Bot,
        ready: Readiness,
        shutdown: &CancellationToken,
    ) -> Result<Self, BoxError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let common = Common {
            shared: Arc::new(Shared { bot, reader: socket.reader, timings: socket.timings }),
            app_token: socket.app_token,
            backoff: socket.backoff,
            auth_attempts: socket.auth_attempts,
            tls: Arc::new(tls),
            ready,
            ready_links: Mutex::default(),
            next_id: AtomicU64::new(0),
            stop: shutdown.child_token(),
        };
        Ok(Self { common: Arc::new(common), slots: socket.connections })
    }

    /// Runs every slot until shutdown; an error only when Slack kept refusing the app token.
    pub(super) async fn run(self) -> Result<(), BoxError> {
        let slots = (0..self.slots).map(|_| Slot::new(Arc::clone(&self.common)).run());
        let ended = futures_util::future::join_all(slots).await;
        self.common.ready.set(false);
        ended.into_iter().find_map(Result::err).map_or(Ok(()), Err)
    }
}

/// One slot: one link at a time, and its replacement while the old one finishes.
struct Slot {
    common: Arc<Common>,
    links: JoinSet<()>,
    reports_tx: mpsc::UnboundedSender<(u64, Report)>,
    reports: mpsc::UnboundedReceiver<(u64, Report)>,
}

impl Slot {
    fn new(common: Arc<Common>) -> Self {
        let (reports_tx, reports) = mpsc::unbounded_channel();
        Self { common, links: JoinSet::new(), reports_tx, reports }
    }

    /// Opens links until the connection stops; an error when Slack kept refusing the token.
    async fn run(mut self) -> Result<(), BoxError> {
        let stop = self.common.stop.clone();
        // Failures in a row (reset by a `hello`): they set the backoff.
        let mut failures = 0_u32;
        let mut refusals = 0_u32;
        'open: loop {
            if failures > 0 {
                let delay = self.common.delay(failures);
                tracing::info!(?delay, "reconnecting Socket Mode after a pause");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = stop.cancelled() => break 'open,
                }
            }
            let opened = tokio::select! {
                opened = self.common.open() => opened,
                () = stop.cancelled() => break 'open,
            };
            let current = match opened {
                Ok(socket) => self.spawn(socket),
                Err(OpenError::Refused(code)) => {
                    refusals += 1;
                    failures += 1;
                    if refusals >= self.common.auth_attempts {
                        stop.cancel();
                        self.close().await;
                        return Err(format!(
                            "slack refused the app token {refusals} times ({code}): set \
                             SLACK_APP_TOKEN to an app-level token (xapp-…) with the \
                             connections:write scope, and turn Socket Mode on for the app"
                        )
                        .into());
                    }
                    tracing::warn!(code, "apps.connections.open refused the app token");
                    continue 'open;
                }
                Err(OpenError::Failed(why)) => {
                    failures += 1;
                    tracing::warn!(why, "could not open a Socket Mode connection");
                    continue 'open;
                }
            };
            loop {
                let report = tokio::select! {
                    Some(report) = self.reports.recv() => report,
                    Some(_) = self.links.join_next(), if !self.links.is_empty() => continue,
                    () = stop.cancelled() => break 'open,
                };
                match report {
                    (id, Report::Ready) => {
                        self.common.mark(id, true);
                        if id == current {
                            failures = 0;
                            refusals = 0;
                        }
                    }
                    (id, Report::Refresh(_)) if id == current => continue 'open,
                    (_, Report::Refresh(_)) => {}
                    (id, Report::Closed) => {
                        self.common.mark(id, false);
                        if id == current {
                            failures += 1;
                            continue 'open;
                        }
                    }
                }
            }
        }
        self.close().await;
        Ok(())
    }

    /// Runs a link on `socket`; returns its id.
    fn spawn(&mut self, socket: Socket) -> u64 {
        let id = self.common.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let reports = self.reports_tx.clone();
        let link = Link {
            id,
            shared: Arc::clone(&self.common.shared),
            reports: reports.clone(),
            stop: self.common.stop.child_token(),
        };
        self.links.spawn(async move {
            if AssertUnwindSafe(link.run(socket)).catch_unwind().await.is_err() {
                tracing::error!(link = id, "Socket Mode link panicked");
                let _ = reports.send((id, Report::Closed));
            }
        });
        id
    }

    /// Waits for this slot's links to close (each acknowledges what it has in flight first),
    /// bounded; the connection's stop token has been cancelled.
    async fn close(&mut self) {
        let all = async { while self.links.join_next().await.is_some() {} };
        if tokio::time::timeout(STOP_WAIT, all).await.is_err() {
            tracing::warn!("Socket Mode links did not close in time");
            self.links.abort_all();
        }
    }
}

impl Common {
    /// Records whether link `id` is ready; the connection is ready while one link is.
    fn mark(&self, id: u64, ready: bool) {
        let mut links = self.ready_links.lock().unwrap_or_else(PoisonError::into_inner);
        if ready {
            links.insert(id);
        } else {
            links.remove(&id);
        }
        self.ready.set(!links.is_empty());
    }

    /// The pause before the next try after `failures` failures in a row.
    fn delay(&self, failures: u32) -> Duration {
        let (min, max) = self.backoff;
        let factor = 2_u32.saturating_pow(failures.saturating_sub(1).min(16));
        min.saturating_mul(factor).min(max)
    }

    /// `apps.connections.open`, then the WebSocket handshake with the URL it gave.
    async fn open(&self) -> Result<Socket, OpenError> {
        let url = self
            .shared
            .reader
            .client
            .apps_connections_open(&self.app_token)
            .await
            .map_err(classify)?;
        let connector = Some(Connector::Rustls(Arc::clone(&self.tls)));
        let connect =
            tokio_tungstenite::connect_async_tls_with_config(url.as_str(), None, false, connector);
        // The URL carries a ticket: errors are reported without it.
        match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok((socket, _))) => Ok(socket),
            Ok(Err(error)) => Err(OpenError::Failed(format!("websocket handshake: {error}"))),
            Err(_) => Err(OpenError::Failed("websocket handshake timed out".to_owned())),
        }
    }
}

/// Whether Slack refused the token (retrying will not mend it) or something else failed.
fn classify(error: ApiError) -> OpenError {
    const REFUSALS: [&str; 7] = [
        "invalid_auth",
        "not_authed",
        "not_allowed_token_type",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
    ];
    match error {
        ApiError::Slack { code, .. } if REFUSALS.contains(&code.as_str()) => {
            OpenError::Refused(code)
        }
        ApiError::Status { status: 401 | 403, .. } => OpenError::Refused("http 401/403".to_owned()),
        other => match std::error::Error::source(&other) {
            Some(source) => OpenError::Failed(format!("{other}: {source}")),
            None => OpenError::Failed(other.to_string()),
        },
    }
}
