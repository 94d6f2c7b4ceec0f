//! One Socket Mode connection (a "link"): reads Slack's frames, hands each envelope to the bot
//! in its own task and sends its acknowledgement, pings Slack and gives up on a silent socket,
//! and closes cleanly when told to stop or after Slack asked for a new connection.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::Bot;
use chatbridge_core::adapter::Accepted;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::envelope::{self, Envelope};
use crate::read::Reader;

/// An open WebSocket to Slack.
pub(super) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long in-flight envelopes may take to be acknowledged when a link closes: Slack waits
/// 3 s for an acknowledgement.
const ACK_GRACE: Duration = Duration::from_secs(3);
/// How long a link waits for Slack's answer to its close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// What a link tells the connection that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Report {
    /// `hello` received: envelopes may come.
    Ready,
    /// Slack asked for a new connection (`disconnect`, with its reason); this one still
    /// serves until Slack closes it or the grace period ends.
    Refresh(String),
    /// The link is gone.
    Closed,
}

/// Timings of a link.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timings {
    /// How often the link pings Slack.
    pub(super) ping_interval: Duration,
    /// How long without any frame from Slack before the socket counts as dead.
    pub(super) ping_timeout: Duration,
    /// How long Slack has to say `hello` once connected.
    pub(super) hello_timeout: Duration,
    /// How long a link keeps serving after Slack's `disconnect`, if Slack does not close it.
    pub(super) refresh_grace: Duration,
}

/// What every link of one connection shares.
pub(super) struct Shared {
    pub(super) bot: Bot,
    pub(super) reader: Arc<Reader>,
    pub(super) timings: Timings,
}

/// One link, run until it ends.
pub(super) struct Link {
    pub(super) id: u64,
    pub(super) shared: Arc<Shared>,
    pub(super) reports: mpsc::UnboundedSender<(u64, Report)>,
    pub(super) stop: CancellationToken,
}

/// Why a link ended.
#[derive(Debug)]
enum End {
    /// Told to stop, or its refresh grace ended: close cleanly.
    Close(&'static str),
    /// The socket is gone or unusable: nothing more can be sent.
    Lost(String),
}

impl Link {
    /// Serves `socket` until it ends; reports [`Report::Closed`] last.
    pub(super) async fn run(self, mut socket: Socket) {
        let timings = self.shared.timings;
        let (acks, mut pending) = mpsc::unbounded_channel::<String>();
        let tasks = TaskTracker::new();
        let start = Instant::now();
        let mut ticker =
            tokio::time::interval_at(start + timings.ping_interval, timings.ping_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_seen = start;
        let mut hello = false;
        let hello_deadline = tokio::time::sleep(timings.hello_timeout);
        tokio::pin!(hello_deadline);
        let refresh = tokio::time::sleep(Duration::MAX / 4);
        tokio::pin!(refresh);
        let mut refreshing = false;
        let end = loop {
            tokio::select! {
                Some(ack) = pending.recv() => {
                    if let Err(error) = socket.send(Frame::text(ack)).await {
                        break End::Lost(format!("sending an acknowledgement failed: {error}"));
                    }
                }
                frame = socket.next() => {
                    last_seen = Instant::now();
                    match frame {
                        None => break End::Lost("slack closed the socket".to_owned()),
                        Some(Err(error)) => break End::Lost(format!("socket error: {error}")),
                        Some(Ok(Frame::Text(text))) => match envelope::Frame::parse(text.as_str()) {
                            None => tracing::warn!(len = text.len(), "malformed Socket Mode frame skipped"),
                            Some(envelope::Frame::Hello) => {
                                hello = true;
                                self.report(Report::Ready);
                            }
                            Some(envelope::Frame::Disconnect { reason }) => {
                                tracing::info!(link = self.id, reason, "slack asks for a new Socket Mode connection");
                                if reason == "link_disabled" {
                                    tracing::warn!("Socket Mode was turned off for this app (link_disabled)");
                                }
                                if !refreshing {
                                    refreshing = true;
                                    refresh.as_mut().reset(Instant::now() + timings.refresh_grace);
                                    self.report(Report::Refresh(reason));
                                }
                            }
                            Some(envelope::Frame::Envelope(envelope)) => {
                                let shared = Arc::clone(&self.shared);
                                tasks.spawn(answer(shared, envelope, Instant::now(), acks.clone()));
                            }
                            Some(envelope::Frame::Other(kind)) => {
                                tracing::info!(kind, "unknown Socket Mode frame type skipped");
                            }
                        },
                        Some(Ok(Frame::Close(frame))) => {
                            let code = frame.as_ref().map(|f| u16::from(f.code));
                            break End::Lost(format!("slack closed the socket (code {code:?})"));
                        }
                        Some(Ok(Frame::Binary(bytes))) => {
                            tracing::warn!(len = bytes.len(), "binary Socket Mode frame skipped");
                        }
                        Some(Ok(_)) => {} // pings are answered by tungstenite, pongs only count as life
                    }
                }
                _ = ticker.tick() => {
                    if last_seen.elapsed() >= timings.ping_timeout {
                        break End::Lost("no frame from slack within the ping timeout".to_owned());
                    }
                    if let Err(error) = socket.send(Frame::Ping(Bytes::new())).await {
                        break End::Lost(format!("ping failed: {error}"));
                    }
                }
                () = &mut hello_deadline, if !hello => {
                    break End::Lost("slack sent no hello in time".to_owned());
                }
                () = &mut refresh, if refreshing => break End::Close("replaced after slack's disconnect"),
                () = self.stop.cancelled() => break End::Close("shutting down"),
            }
        };
        match end {
            End::Close(why) => {
                tracing::info!(link = self.id, why, "closing Socket Mode connection");
                finish(&mut socket, &tasks, &mut pending).await;
            }
            End::Lost(why) => tracing::warn!(link = self.id, why, "Socket Mode connection lost"),
        }
        self.report(Report::Closed);
    }

    fn report(&self, report: Report) {
        // The connection outlives its links; a send fails only once it has returned.
        let _ = self.reports.send((self.id, report));
    }
}

/// Sends what in-flight envelopes answer (bounded), then a normal close frame, and waits
/// briefly for Slack's.
async fn finish(
    socket: &mut Socket,
    tasks: &TaskTracker,
    pending: &mut mpsc::UnboundedReceiver<String>,
) {
    tasks.close();
    let flush = async {
        loop {
            tokio::select! {
                Some(ack) = pending.recv() => {
                    if socket.send(Frame::text(ack)).await.is_err() {
                        return;
                    }
                }
                () = tasks.wait() => break,
            }
        }
        while let Ok(ack) = pending.try_recv() {
            if socket.send(Frame::text(ack)).await.is_err() {
                return;
            }
        }
    };
    if tokio::time::timeout(ACK_GRACE, flush).await.is_err() {
        tracing::warn!("envelopes still in flight at close: slack will deliver them again");
    }
    let frame = CloseFrame { code: CloseCode::Normal, reason: "".into() };
    if socket.close(Some(frame)).await.is_ok() {
        let drain = async { while let Some(Ok(_)) = socket.next().await {} };
        let _ = tokio::time::timeout(CLOSE_WAIT, drain).await;
    }
}

/// Reads one envelope, lets the bot answer it, and queues the acknowledgement. An envelope
/// the bot could not take for now (handler failure, store down: a 5xx) is not acknowledged,
/// so Slack delivers it again, as it retries an HTTP delivery that failed.
async fn answer(
    shared: Arc<Shared>,
    envelope: Envelope,
    received: Instant,
    acks: mpsc::UnboundedSender<String>,
) {
    let id = envelope.id.clone();
    if envelope.retry_attempt > 0 {
        tracing::info!(
            retry_attempt = envelope.retry_attempt,
            retry_reason = envelope.retry_reason.as_deref(),
            "slack delivered an envelope again"
        );
    }
    let accepted = AssertUnwindSafe(envelope.accept(&shared.reader)).catch_unwind().await;
    let response = match accepted {
        Ok(Ok(Accepted::Respond(response))) => response,
        Ok(Ok(Accepted::Incoming(mut incoming))) => {
            incoming.received = received.into_std();
            shared.bot.dispatch(incoming).await
        }
        Ok(Ok(_)) => chatbridge_core::adapter::empty_response(),
        Ok(Err(error)) if error.status().is_client_error() => {
            tracing::warn!(%error, "Socket Mode envelope not readable: acknowledged, not handled");
            chatbridge_core::adapter::empty_response()
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "Socket Mode envelope not acknowledged: slack will retry");
            return;
        }
        Err(_panic) => {
            tracing::error!("reading a Socket Mode envelope panicked");
            return;
        }
    };
    if !response.status().is_success() {
        let status = response.status().as_u16();
        tracing::warn!(status, "Socket Mode envelope not acknowledged: slack will retry");
        return;
    }
    let _ = acks.send(envelope::ack(&id, response.body()));
}
