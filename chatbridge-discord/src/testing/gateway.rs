//! A fake Discord Gateway on loopback (features `testing` and `gateway`): HELLO, READY,
//! heartbeat ACKs, dispatches with sequence numbers, RESUME with the missed events replayed (from
//! a bounded backlog, as Discord keeps), and on request RECONNECT, INVALID_SESSION, a close code
//! or a dropped socket. Tests drive it and read back every frame the bot sent.
//!
//! ```no_run
//! use std::time::Duration;
//! use chatbridge_core::Secret;
//! use chatbridge_core::testing::FakeApi;
//! use chatbridge_discord::gateway::DiscordGateway;
//! use chatbridge_discord::testing::gateway::{FakeGateway, events};
//!
//! # async fn run() {
//! let api = FakeApi::start().await;
//! let gateway = FakeGateway::start().await;
//! gateway.serve_gateway_bot(&api, 1); // GET /gateway/bot points at the fake
//! let connection = DiscordGateway::new(Secret::new("token"), &api.url()).unwrap();
//! // ... run `connection` (a `Server::connection`), then:
//! gateway.wait_for_op(2, 1, Duration::from_secs(5)).await; // IDENTIFY
//! gateway.dispatch("MESSAGE_CREATE", events::message("I love pizzas"));
//! # }
//! ```

pub mod events;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chatbridge_core::testing::{FakeApi, FakeResponse};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// The bot's user id in READY: messages that mention it are mentions, its own are skipped.
pub const BOT_USER_ID: &str = "1100000000000000001";
/// The application id in READY.
pub const APPLICATION_ID: &str = "1100000000000000002";

/// What the socket task is told to do.
enum Out {
    Text(String),
    Close(u16),
    Drop,
}

#[derive(Default)]
struct State {
    heartbeat_interval: u64,
    acks: bool,
    token: Option<String>,
    overlap: usize,
    sessions: HashMap<String, Session>,
    /// Each shard's current session.
    by_shard: HashMap<u32, String>,
    /// Events for shards that have no session yet, sent after their READY.
    pending: HashMap<u32, Vec<(String, Value)>>,
    shard_count: u32,
    received: Vec<Value>,
    closes: Vec<u16>,
    next_session: u64,
}

/// How many of a session's latest dispatches it keeps for a RESUME, as Discord keeps a bounded
/// backlog: a client further behind is told its session is invalid.
const RESUME_BACKLOG: usize = 4096;

struct Session {
    seq: u64,
    log: VecDeque<(u64, String)>,
    live: Option<mpsc::UnboundedSender<Out>>,
}

struct Shared {
    url: String,
    state: Mutex<State>,
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fake Gateway on a loopback port.
pub struct FakeGateway {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeGateway {
    /// Starts on `127.0.0.1` and an ephemeral port: heartbeats every 41.25 s and ACKed, any
    /// token taken.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound: this is test code.
    pub async fn start() -> Self {
        let listener =
            TcpListener::bind("127.0.0.1:0").await.expect("a loopback port for the fake Gateway");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let state =
            State { heartbeat_interval: 41_250, acks: true, shard_count: 1, ..State::default() };
        let shared = Arc::new(Shared {
            url: format!("ws://{addr}"),
            state: Mutex::new(state),
            changed: Notify::new(),
        });
        let accepting = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_socket(stream, Arc::clone(&accepting)));
            }
        });
        Self { addr, shared, task }
    }

    /// The URL `/gateway/bot` answers: `ws://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> String {
        self.shared.url.clone()
    }

    /// Makes `GET /gateway/bot` on `api` answer with this Gateway's URL and `shards` shards,
    /// all of which may IDENTIFY at once.
    pub fn serve_gateway_bot(&self, api: &FakeApi, shards: u32) {
        let body = json!({
            "url": self.url(),
            "shards": shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": shards},
        });
        api.respond("GET", "/gateway/bot", FakeResponse::json(200, body.to_string()));
    }

    /// The heartbeat interval HELLO announces to the next connections.
    pub fn heartbeat_interval(&self, interval: Duration) {
        self.shared.lock().heartbeat_interval =
            u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
    }

    /// Whether heartbeats are ACKed (a client that gets none must reconnect).
    pub fn heartbeat_acks(&self, on: bool) {
        self.shared.lock().acks = on;
    }

    /// The only token IDENTIFY may carry (with or without `Bot `); others get close code 4004.
    pub fn require_token(&self, token: &str) {
        self.shared.lock().token = Some(token.to_owned());
    }

    /// A RESUME also replays the `events` last events the client had already received, as a
    /// Gateway that lost track would: the bot must not handle them twice.
    pub fn replay_overlap(&self, events: usize) {
        self.shared.lock().overlap = events;
    }

    /// Sends a dispatch to the shard that owns it (by `guild_id`, shard 0 for DMs), with the
    /// session's next sequence number. Without a live connection the event waits in the
    /// session for a RESUME to replay it; without a session, for the shard's READY.
    pub fn dispatch(&self, event: &str, data: Value) {
        let mut state = self.shared.lock();
        let shard = shard_of(&data, state.shard_count);
        let Some(session) = state.by_shard.get(&shard).cloned() else {
            state.pending.entry(shard).or_default().push((event.to_owned(), data));
            return;
        };
        if let Some(session) = state.sessions.get_mut(&session) {
            session.send_event(event, &data);
        }
    }

    /// Sends RECONNECT (op 7) on every live connection.
    pub fn reconnect(&self) {
        self.to_live(|| Out::Text(json!({"op": 7, "d": null}).to_string()));
    }

    /// Sends INVALID_SESSION (op 9) on every live connection.
    pub fn invalid_session(&self, resumable: bool) {
        self.to_live(|| Out::Text(json!({"op": 9, "d": resumable}).to_string()));
    }

    /// Closes every live connection with `code`.
    pub fn close(&self, code: u16) {
        self.to_live(|| Out::Close(code));
    }

    /// Drops every live connection's socket, without a close frame.
    pub fn drop_connections(&self) {
        self.to_live(|| Out::Drop);
    }

    /// Sends raw text on every live connection (a malformed frame, an unknown opcode).
    pub fn send_raw(&self, text: &str) {
        self.to_live(|| Out::Text(text.to_owned()));
    }

    /// Every frame the bot sent, as JSON.
    #[must_use]
    pub fn received(&self) -> Vec<Value> {
        self.shared.lock().received.clone()
    }

    /// The close codes the bot sent.
    #[must_use]
    pub fn close_codes(&self) -> Vec<u16> {
        self.shared.lock().closes.clone()
    }

    /// Waits until the bot sent `count` frames with opcode `op` (1 heartbeat, 2 IDENTIFY,
    /// 6 RESUME), or `timeout` passed; returns those frames.
    pub async fn wait_for_op(&self, op: u64, count: usize, timeout: Duration) -> Vec<Value> {
        let of_op = |state: &State| -> Vec<Value> {
            state.received.iter().filter(|f| f["op"] == op).cloned().collect()
        };
        self.wait_until(timeout, |state| of_op(state).len() >= count).await;
        of_op(&self.shared.lock())
    }

    /// Waits until the bot sent a close frame, or `timeout` passed; returns the codes.
    pub async fn wait_for_close(&self, timeout: Duration) -> Vec<u16> {
        self.wait_until(timeout, |state| !state.closes.is_empty()).await;
        self.close_codes()
    }

    async fn wait_until(&self, timeout: Duration, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.shared.changed.notified();
            if done(&self.shared.lock()) {
                return;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return;
            }
        }
    }

    fn to_live(&self, out: impl Fn() -> Out) {
        let state = self.shared.lock();
        for session in state.sessions.values() {
            if let Some(live) = &session.live {
                let _ = live.send(out());
            }
        }
    }
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for FakeGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeGateway").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Session {
    /// Logs a dispatch under the next sequence number and sends it when connected.
    fn send_event(&mut self, event: &str, data: &Value) {
        self.seq += 1;
        let frame = json!({"op": 0, "t": event, "s": self.seq, "d": data}).to_string();
        if self.log.len() == RESUME_BACKLOG {
            self.log.pop_front();
        }
        self.log.push_back((self.seq, frame.clone()));
        if let Some(live) = &self.live {
            let _ = live.send(Out::Text(frame));
        }
    }
}

/// Discord's routing: a guild's events go to shard `(guild_id >> 22) % shards`, DMs to 0.
fn shard_of(data: &Value, shards: u32) -> u32 {
    let guild = data["guild_id"].as_str().and_then(|g| g.parse::<u64>().ok());
    guild.map_or(0, |g| u32::try_from((g >> 22) % u64::from(shards.max(1))).unwrap_or(0))
}

/// One WebSocket connection: HELLO, then the client's frames and the test's orders.
async fn serve_socket(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(socket) = tokio_tungstenite::accept_async(stream).await else { return };
    let (mut sink, mut source) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": shared.lock().heartbeat_interval}});
    if sink.send(Frame::text(hello.to_string())).await.is_err() {
        return;
    }
    let mut session: Option<String> = None;
    loop {
        tokio::select! {
            frame = source.next() => match frame {
                Some(Ok(Frame::Text(text))) => on_frame(&shared, &text, &tx, &mut session),
                Some(Ok(Frame::Close(frame))) => {
                    shared.lock().closes.push(frame.map_or(1005, |f| u16::from(f.code)));
                    shared.changed.notify_waiters();
                    let _ = sink.close().await;
                    break;
                }
                Some(Ok(_)) => {}
                None | Some(Err(_)) => break,
            },
            out = rx.recv() => match out {
                Some(Out::Text(text)) => {
                    if sink.send(Frame::text(text)).await.is_err() {
                        break;
                    }
                }
                Some(Out::Close(code)) => {
                    let frame = CloseFrame { code: code.into(), reason: "".into() };
                    let _ = sink.send(Frame::Close(Some(frame))).await;
                }
                Some(Out::Drop) | None => break,
            },
        }
    }
    // Whatever is dispatched from now on waits for a RESUME.
    if let Some(id) = session {
        let mut state = shared.lock();
        if let Some(session) = state.sessions.get_mut(&id)
            && session.live.as_ref().is_some_and(|live| live.same_channel(&tx))
        {
            session.live = None;
        }
    }
}

/// A frame from the client: heartbeats ACKed, IDENTIFY answered with READY, RESUME with the
/// missed events and RESUMED.
fn on_frame(
    shared: &Shared,
    text: &str,
    tx: &mpsc::UnboundedSender<Out>,
    current: &mut Option<String>,
) {
    let frame: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let mut state = shared.lock();
    state.received.push(frame.clone());
    shared.changed.notify_waiters();
    match frame["op"].as_u64() {
        Some(1) if state.acks => {
            let _ = tx.send(Out::Text(json!({"op": 11}).to_string()));
        }
        Some(2) => identify(shared, &mut state, &frame["d"], tx, current),
        Some(6) => resume(&mut state, &frame["d"], tx, current),
        _ => {}
    }
}

fn identify(
    shared: &Shared,
    state: &mut State,
    data: &Value,
    tx: &mpsc::UnboundedSender<Out>,
    current: &mut Option<String>,
) {
    let token = data["token"].as_str().unwrap_or_default();
    if let Some(expected) = &state.token
        && token.strip_prefix("Bot ").unwrap_or(token) != expected
    {
        let _ = tx.send(Out::Close(4004));
        return;
    }
    let shard = u32::try_from(data["shard"][0].as_u64().unwrap_or(0)).unwrap_or(0);
    let count = u32::try_from(data["shard"][1].as_u64().unwrap_or(1)).unwrap_or(1);
    state.shard_count = count.max(1);
    state.next_session += 1;
    let id = format!("fake-session-{}", state.next_session);
    let mut session = Session { seq: 0, log: VecDeque::new(), live: Some(tx.clone()) };
    let ready = json!({
        "v": 10,
        "user": {"id": BOT_USER_ID, "username": "chatbridge", "discriminator": "0", "avatar": null, "bot": true,
                 "mfa_enabled": false, "verified": true, "flags": 0},
        "guilds": [],
        "session_id": id,
        "resume_gateway_url": shared.url,
        "shard": [shard, count],
        "application": {"id": APPLICATION_ID, "flags": 0},
    });
    session.send_event("READY", &ready);
    for (event, data) in state.pending.remove(&shard).unwrap_or_default() {
        session.send_event(&event, &data);
    }
    if let Some(old) = state.by_shard.insert(shard, id.clone()) {
        state.sessions.remove(&old);
    }
    state.sessions.insert(id.clone(), session);
    *current = Some(id);
}

fn resume(
    state: &mut State,
    data: &Value,
    tx: &mpsc::UnboundedSender<Out>,
    current: &mut Option<String>,
) {
    let id = data["session_id"].as_str().unwrap_or_default().to_owned();
    let seq = data["seq"].as_u64().unwrap_or(0);
    let overlap = state.overlap;
    let behind = |session: &Session| session.log.front().is_some_and(|(first, _)| *first > seq + 1);
    let Some(session) = state.sessions.get_mut(&id).filter(|session| !behind(session)) else {
        let _ = tx.send(Out::Text(json!({"op": 9, "d": false}).to_string()));
        return;
    };
    session.live = Some(tx.clone());
    let seen = session.log.iter().filter(|(s, _)| *s <= seq).count();
    let from = seen.saturating_sub(overlap);
    for (_, frame) in session.log.iter().skip(from) {
        // Never READY again: a replay holds dispatches only.
        if !frame.contains(r#""t":"READY""#) {
            let _ = tx.send(Out::Text(frame.clone()));
        }
    }
    session.seq += 1;
    let resumed = json!({"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}).to_string();
    let _ = tx.send(Out::Text(resumed));
    *current = Some(id);
}
