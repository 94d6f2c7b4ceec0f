//! [`FakeSocketMode`]: Slack's side of Socket Mode on loopback, for tests. It answers
//! `apps.connections.open` through core's [`FakeApi`], greets each connection with `hello`,
//! sends the envelopes a test asks for, records the acknowledgements, and delivers an
//! envelope that was not acknowledged again on the next connection (with `retry_attempt`
//! counted up), as Slack does. A test can also send a `disconnect`, drop the socket, or make
//! it go silent.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chatbridge_core::testing::{FakeApi, FakeResponse};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// What a test tells one connection to do.
#[derive(Debug)]
enum Command {
    Send(String),
    Drop,
    Freeze,
}

#[derive(Default)]
struct State {
    /// Each connection's commands, in the order they were accepted (`None` once it ended).
    links: Vec<Option<mpsc::UnboundedSender<Command>>>,
    /// Acknowledgements received, in order.
    acks: Vec<Value>,
    /// Envelopes sent and not acknowledged yet.
    pending: Vec<Value>,
    /// Close codes the bot sent, one per connection it closed.
    closes: Vec<u16>,
    next_envelope: u64,
}

struct Shared {
    state: Mutex<State>,
    changed: Notify,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state());
        self.changed.notify_waiters();
    }
}

/// A fake Slack Socket Mode server on a loopback port.
///
/// ```
/// use chatbridge_core::testing::FakeApi;
/// use chatbridge_slack::testing::FakeSocketMode;
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let api = FakeApi::start().await;
/// let slack = FakeSocketMode::start(&api).await;
/// // SLACK_API_URL for the bot under test: apps.connections.open points at the fake socket.
/// assert!(slack.api_url().ends_with("/api/"));
/// assert_eq!(slack.connections(), 0);
/// # });
/// ```
pub struct FakeSocketMode {
    addr: SocketAddr,
    api_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeSocketMode {
    /// Starts on `127.0.0.1` and an ephemeral port, and makes `api` answer
    /// `apps.connections.open` with its URL.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound: this is test code.
    pub async fn start(api: &FakeApi) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let shared = Arc::new(Shared { state: Mutex::default(), changed: Notify::new() });
        let accepting = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&accepting)));
            }
        });
        let url = format!("ws://{addr}/link/?ticket=fake-ticket&app_id=A0SIMAPP");
        let body = json!({"ok": true, "url": url}).to_string();
        api.respond("POST", "/api/apps.connections.open", FakeResponse::json(200, body));
        Self { addr, api_url: format!("{}/api/", api.url()), shared, task }
    }

    /// Where the bot's `SLACK_API_URL` should point: `apps.connections.open` and the Web API.
    #[must_use]
    pub fn api_url(&self) -> String {
        self.api_url.clone()
    }

    /// The WebSocket server's address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections were greeted with `hello` so far.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.shared.state().links.len()
    }

    /// How many connections are open now.
    #[must_use]
    pub fn open_connections(&self) -> usize {
        self.shared.state().links.iter().flatten().count()
    }

    /// Waits until exactly `count` connections are open.
    ///
    /// # Panics
    ///
    /// After 10 s without that: this is test code.
    pub async fn wait_open(&self, count: usize) {
        self.wait("open connections", |s| s.links.iter().flatten().count() == count).await;
    }

    /// Waits until `count` connections were greeted.
    ///
    /// # Panics
    ///
    /// After 10 s without them: this is test code.
    pub async fn wait_connected(&self, count: usize) {
        self.wait("connections", |s| s.links.len() >= count).await;
    }

    /// Sends an `events_api` envelope carrying `event_callback` (an Events API body, as
    /// [`payload::message`](super::payload::message) makes); returns its `envelope_id`.
    ///
    /// # Panics
    ///
    /// If `event_callback` is not JSON, or no connection is open: this is test code.
    pub fn send_event(&self, event_callback: &[u8]) -> String {
        let payload = serde_json::from_slice(event_callback).expect("an Events API body");
        self.send_envelope("events_api", payload, false)
    }

    /// Sends a `slash_commands` envelope: the form the HTTP endpoint would get (as
    /// [`payload::slash_command`](super::payload::slash_command) makes), as the JSON object
    /// Socket Mode carries; returns its `envelope_id`.
    ///
    /// # Panics
    ///
    /// If no connection is open: this is test code.
    pub fn send_command(&self, form: &[u8]) -> String {
        let fields: Map<String, Value> = form_urlencoded::parse(form)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        self.send_envelope("slash_commands", Value::Object(fields), true)
    }

    /// Sends an `interactive` envelope carrying `interaction` (a `block_actions`, a
    /// `view_submission`, …); returns its `envelope_id`.
    ///
    /// # Panics
    ///
    /// If no connection is open: this is test code.
    pub fn send_interaction(&self, interaction: Value) -> String {
        let accepts = interaction["type"] == "view_submission";
        self.send_envelope("interactive", interaction, accepts)
    }

    /// Sends an envelope of any `kind`; returns its `envelope_id`.
    ///
    /// # Panics
    ///
    /// If no connection is open: this is test code.
    pub fn send_envelope(
        &self,
        kind: &str,
        payload: Value,
        accepts_response_payload: bool,
    ) -> String {
        let mut state = self.shared.state();
        state.next_envelope += 1;
        let id = format!("fake-envelope-{:04}", state.next_envelope);
        let envelope = json!({
            "envelope_id": id, "type": kind, "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": 0, "retry_reason": "",
        });
        state.pending.push(envelope.clone());
        send(&state, Command::Send(envelope.to_string()));
        id
    }

    /// Sends a text frame as it is (a malformed one, an unknown type).
    ///
    /// # Panics
    ///
    /// If no connection is open: this is test code.
    pub fn send_raw(&self, text: &str) {
        send(&self.shared.state(), Command::Send(text.to_owned()));
    }

    /// Sends `disconnect` with `reason` (`refresh_requested`, `warning`, `link_disabled`) on
    /// the newest connection; the bot should open another.
    ///
    /// # Panics
    ///
    /// If no connection is open: this is test code.
    pub fn disconnect(&self, reason: &str) {
        let frame = json!({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}});
        self.send_raw(&frame.to_string());
    }

    /// Drops the newest connection's socket without a close frame.
    ///
    /// # Panics
    ///
    /// If no connection is open: this is test code.
    pub fn drop_socket(&self) {
        send(&self.shared.state(), Command::Drop);
    }

    /// Makes the newest connection go silent: it stops reading, so pings go unanswered.
    ///
    /// # Panics
    ///
    /// If no connection is open: this is test code.
    pub fn freeze(&self) {
        send(&self.shared.state(), Command::Freeze);
    }

    /// The acknowledgements received so far, in order.
    #[must_use]
    pub fn acks(&self) -> Vec<Value> {
        self.shared.state().acks.clone()
    }

    /// Waits until `count` acknowledgements arrived, or `timeout` passed; returns them all.
    pub async fn wait_for_acks(&self, count: usize, timeout: Duration) -> Vec<Value> {
        let _ = tokio::time::timeout(timeout, self.wait("acks", |s| s.acks.len() >= count)).await;
        self.acks()
    }

    /// The acknowledgement of `envelope_id`, waiting for it up to `timeout`.
    pub async fn ack_of(&self, envelope_id: &str, timeout: Duration) -> Option<Value> {
        let has = |s: &State| s.acks.iter().any(|a| a["envelope_id"] == envelope_id);
        let _ = tokio::time::timeout(timeout, self.wait("an ack", has)).await;
        self.acks().into_iter().find(|a| a["envelope_id"] == envelope_id)
    }

    /// The close codes the bot sent, one per connection it closed.
    #[must_use]
    pub fn closes(&self) -> Vec<u16> {
        self.shared.state().closes.clone()
    }

    /// Waits until the bot closed `count` connections with a close frame.
    ///
    /// # Panics
    ///
    /// After 10 s without them: this is test code.
    pub async fn wait_closed(&self, count: usize) -> Vec<u16> {
        self.wait("close frames", |s| s.closes.len() >= count).await;
        self.closes()
    }

    async fn wait(&self, what: &str, done: impl Fn(&State) -> bool) {
        let waiting = async {
            loop {
                let changed = self.shared.changed.notified();
                if done(&self.shared.state()) {
                    return;
                }
                changed.await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(10), waiting).await.is_err() {
            panic!("the fake Socket Mode server waited 10 s for {what}");
        }
    }
}

/// Sends `command` to the newest open connection.
fn send(state: &State, command: Command) {
    let link = state.links.iter().rev().flatten().next().expect("an open Socket Mode connection");
    let _ = link.send(command);
}

/// One connection: `hello`, the envelopes not acknowledged before, then what the test says.
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else { return };
    let (commands, mut orders) = mpsc::unbounded_channel();
    let (index, replay) = {
        let mut state = shared.state();
        state.links.push(Some(commands));
        for envelope in &mut state.pending {
            let attempt = envelope["retry_attempt"].as_u64().unwrap_or(0) + 1;
            envelope["retry_attempt"] = json!(attempt);
            envelope["retry_reason"] = json!("timeout");
        }
        (state.links.len() - 1, state.pending.clone())
    };
    let hello = json!({
        "type": "hello", "num_connections": index + 1,
        "debug_info": {"host": "fake", "approximate_connection_time": 18060},
        "connection_info": {"app_id": "A0SIMAPP"},
    });
    let mut ok = socket.send(Message::text(hello.to_string())).await.is_ok();
    for envelope in replay {
        ok = ok && socket.send(Message::text(envelope.to_string())).await.is_ok();
    }
    shared.changed.notify_waiters();
    if ok {
        converse(&mut socket, &mut orders, &shared).await;
    }
    shared.update(|s| s.links[index] = None);
}

async fn converse(
    socket: &mut WebSocketStream<TcpStream>,
    orders: &mut mpsc::UnboundedReceiver<Command>,
    shared: &Shared,
) {
    loop {
        tokio::select! {
            order = orders.recv() => match order {
                Some(Command::Send(text)) => {
                    if socket.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                Some(Command::Freeze) => {
                    // Silent: nothing read, so no pong; the socket stays open until dropped.
                    while let Some(order) = orders.recv().await {
                        if matches!(order, Command::Drop) {
                            return;
                        }
                    }
                    return;
                }
                Some(Command::Drop) | None => return,
            },
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let Ok(ack) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                    let Some(id) = ack["envelope_id"].as_str().map(str::to_owned) else { continue };
                    shared.update(|s| {
                        s.pending.retain(|e| e["envelope_id"] != id.as_str());
                        s.acks.push(ack);
                    });
                }
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map_or(1005, |f| u16::from(f.code));
                    shared.update(|s| s.closes.push(code));
                    // tungstenite answers the close; read on until the socket ends.
                    while let Some(Ok(_)) = socket.next().await {}
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    }
}

impl Drop for FakeSocketMode {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for FakeSocketMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeSocketMode").field("addr", &self.addr).finish_non_exhaustive()
    }
}
