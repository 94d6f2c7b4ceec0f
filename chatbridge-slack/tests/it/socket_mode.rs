//! Socket Mode against the fake Socket Mode server on loopback: the bot runs in the real
//! server, answers envelopes through the same reading and de-duplication as over HTTP, acks
//! each, reconnects when Slack asks or the socket drops, and closes cleanly at shutdown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chatbridge_core::host::connection::{Connection, Readiness};
use chatbridge_core::host::server::Server;
use chatbridge_core::testing::{FakeApi, FakeResponse, LogCapture};
use chatbridge_core::{Bot, Context, Emoji, Message, Reply, Router, Secret};
use chatbridge_slack::socket::SocketMode;
use chatbridge_slack::testing::{FakeSocketMode, payload};
use chatbridge_slack::{BotIds, SlackAdapter};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const APP_TOKEN: &str = "xapp-1-A0SIMAPP-test-app-token";
const BOT_TOKEN: &str = "xoxb-socket-test-token";
const WAIT: Duration = Duration::from_secs(5);

/// The real server with one Socket Mode connection to a fake Slack.
struct Harness {
    api: FakeApi,
    slack: FakeSocketMode,
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Harness {
    async fn start(router: Router, tune: impl FnOnce(SocketMode) -> SocketMode) -> Self {
        let api = FakeApi::start().await;
        let slack = FakeSocketMode::start(&api).await;
        let socket = tune(connection(&slack.api_url()));
        let bot = Bot::builder().handler(router).build();
        let server = Server::bind("127.0.0.1:0").await.unwrap().connection(socket);
        let base = format!("http://{}", server.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
            let _ = stopped.await;
        }));
        slack.wait_connected(1).await;
        Self { api, slack, base, stop: Some(stop), serving }
    }

    async fn health(&self) -> u16 {
        let response = reqwest::get(format!("{}/healthz", self.base)).await.unwrap();
        response.status().as_u16()
    }

    /// Stops the server and waits for it; the fake Slack stays up for the test to question.
    async fn stop(mut self) -> FakeSocketMode {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(10), &mut self.serving)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
        self.slack
    }
}

/// A Socket Mode connection to the fake at `api_url`, quick to retry.
fn connection(api_url: &str) -> SocketMode {
    SlackAdapter::builder_for_socket_mode()
        .bot_token(Secret::new(BOT_TOKEN))
        .api_url(api_url)
        .bot_ids(BotIds::new().with_user_id("U0SIMBOT").with_bot_id("B0SIMBOT"))
        .socket_mode(Secret::new(APP_TOKEN))
        .unwrap()
        .backoff(Duration::from_millis(10), Duration::from_millis(100))
}

/// How often the handler saw each message text.
#[derive(Clone, Default)]
struct Counts(Arc<Mutex<HashMap<String, usize>>>);

impl Counts {
    fn router(&self) -> Router {
        let counts = self.clone();
        Router::new().fallback(move |_cx: Context, msg: Message| {
            let counts = counts.clone();
            async move {
                *counts.0.lock().unwrap().entry(msg.text.to_string()).or_default() += 1;
            }
        })
    }

    fn get(&self) -> HashMap<String, usize> {
        self.0.lock().unwrap().clone()
    }

    /// Waits until `count` distinct texts were handled.
    async fn wait_for(&self, count: usize) -> HashMap<String, usize> {
        for _ in 0..500 {
            if self.get().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.get()
    }
}

async fn kenobi(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!").in_channel()
}

async fn pizza(_cx: Context, _msg: Message) -> Reply {
    Reply::reaction(Emoji::new("pizza", "🍕"))
}

async fn clicked(_cx: Context, _msg: Message) -> Reply {
    Reply::text("clicked")
}

fn block_actions(response_url: &str) -> Value {
    json!({
        "type": "block_actions",
        "team": {"id": "T0SIMULATE", "domain": "simulated"},
        "user": {"id": "U0SIMUSER", "username": "simulated.user"},
        "api_app_id": "A0SIMAPP",
        "channel": {"id": "C0SIMCHAN", "name": "general"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0SIMCHAN"},
        "trigger_id": "1.simulated.trigger",
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": "press", "block_id": "b1", "value": "v",
                     "action_ts": "1700000001.000200"}],
    })
}

#[tokio::test]
async fn an_event_a_command_and_an_interaction_are_each_answered_once() {
    let router = Router::new()
        .command("hello-there", kenobi)
        .text(chatbridge_core::Pattern::contains("pizza"), pizza)
        .on(chatbridge_core::MessageKind::Action, clicked);
    let h = Harness::start(router, |s| s).await;
    assert_eq!(h.health().await, 200, "ready once hello came");

    let hook = format!("{}/hook", h.api.url());
    let command = h.slack.send_command(&payload::slash_command("/hello-there", "", &hook));
    let ack = h.slack.ack_of(&command, WAIT).await.expect("the command is acknowledged");
    assert_eq!(ack["payload"]["text"], "General Kenobi!", "the inline answer rides in the ack");
    assert_eq!(ack["payload"]["response_type"], "in_channel");

    let event = payload::message("C0SIMCHAN", "I love pizzas", false);
    let first = h.slack.send_event(&event);
    let again = h.slack.send_event(&event); // the same event_id in a second envelope
    let interaction = h.slack.send_interaction(block_actions(&hook));
    for id in [&first, &again, &interaction] {
        let ack = h.slack.ack_of(id, WAIT).await.expect("every envelope is acknowledged");
        assert_eq!(ack, json!({"envelope_id": id}), "acknowledged at once, nothing inline");
    }

    h.api.wait_for(3, WAIT).await; // apps.connections.open, then the two answers
    tokio::time::sleep(Duration::from_millis(200)).await; // room for a call that must not come
    let calls: Vec<_> =
        h.api.requests().into_iter().filter(|c| c.path != "/api/apps.connections.open").collect();
    let mut paths: Vec<_> = calls.iter().map(|c| c.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/api/reactions.add", "/hook"], "one reaction, one reply: {paths:?}");
    let reaction = calls.iter().find(|c| c.path == "/api/reactions.add").unwrap();
    assert_eq!(reaction.json()["name"], "pizza");
    assert_eq!(reaction.header("authorization"), Some(&*format!("Bearer {BOT_TOKEN}")));
    let reply = calls.iter().find(|c| c.path == "/hook").unwrap();
    assert_eq!(reply.json()["text"], "clicked");
    h.stop().await;
}

#[tokio::test]
async fn a_disconnect_in_a_burst_loses_none_and_doubles_none() {
    let counts = Counts::default();
    let h = Harness::start(counts.router(), |s| {
        s.grace(Duration::from_secs(5), Duration::from_millis(200))
    })
    .await;
    let mut envelopes = Vec::new();
    for n in 0..30 {
        if n == 10 {
            h.slack.disconnect("refresh_requested");
            h.slack.wait_connected(2).await;
        }
        if n == 20 {
            // Acks unread and events 20..25 undelivered: Slack delivers them all again.
            h.slack.freeze();
        }
        if n == 25 {
            h.slack.drop_socket();
            h.slack.wait_connected(3).await;
        }
        let event = payload::message("C0SIMCHAN", &format!("event {n}"), false);
        envelopes.push(h.slack.send_event(&event));
    }
    let counts = counts.wait_for(30).await;
    assert_eq!(counts.len(), 30, "every event handled: {counts:?}");
    assert!(counts.values().all(|&n| n == 1), "none handled twice: {counts:?}");
    let acks = h.slack.wait_for_acks(30, WAIT).await;
    for id in &envelopes {
        assert!(acks.iter().any(|a| a["envelope_id"] == id.as_str()), "{id} acknowledged");
    }
    assert!(h.slack.connections() >= 3);
    h.stop().await;
}

#[tokio::test]
async fn a_silent_socket_is_replaced() {
    let counts = Counts::default();
    let h = Harness::start(counts.router(), |s| {
        s.ping(Duration::from_millis(50), Duration::from_millis(200))
    })
    .await;
    h.slack.freeze();
    h.slack.wait_connected(2).await;
    h.slack.send_event(&payload::message("C0SIMCHAN", "after the silence", false));
    assert_eq!(counts.wait_for(1).await.get("after the silence"), Some(&1));
    h.stop().await;
}

#[tokio::test]
async fn with_two_connections_a_dropped_one_leaves_no_gap() {
    let counts = Counts::default();
    let h = Harness::start(counts.router(), |s| {
        s.connections(2).backoff(Duration::from_secs(30), Duration::from_secs(30))
    })
    .await;
    h.slack.wait_connected(2).await;
    h.slack.drop_socket();
    h.slack.wait_open(1).await; // the replacement waits out its backoff meanwhile
    let id = h.slack.send_event(&payload::message("C0SIMCHAN", "no gap", false));
    assert!(h.slack.ack_of(&id, WAIT).await.is_some(), "acknowledged on the other socket");
    assert_eq!(counts.wait_for(1).await.get("no gap"), Some(&1));
    assert_eq!(h.slack.connections(), 2, "no new connection was needed");
    assert_eq!(h.health().await, 200, "still ready with one socket of two");
    h.stop().await;
}

#[tokio::test]
async fn malformed_frames_and_unknown_types_are_skipped_and_the_connection_kept() {
    let counts = Counts::default();
    let h = Harness::start(counts.router(), |s| s).await;
    h.slack.send_raw("not json at all");
    h.slack.send_raw("[1, 2, 3]");
    h.slack.send_raw(r#"{"type":"brand_new_frame"}"#);
    let unknown = h.slack.send_envelope("brand_new_envelope", json!({"x": 1}), false);
    let bad_command = h.slack.send_envelope("slash_commands", json!("not an object"), true);
    let ok = h.slack.send_event(&payload::message("C0SIMCHAN", "still here", false));
    for id in [&unknown, &bad_command, &ok] {
        let ack = h.slack.ack_of(id, WAIT).await.expect("acknowledged");
        assert_eq!(ack, json!({"envelope_id": id}));
    }
    assert_eq!(counts.wait_for(1).await, HashMap::from([("still here".to_owned(), 1)]));
    assert_eq!(h.slack.connections(), 1, "the connection was kept");
    h.stop().await;
}

#[tokio::test]
async fn an_invalid_token_is_one_clear_error_after_a_bounded_number_of_tries() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let api = FakeApi::start().await;
    let slack = FakeSocketMode::start(&api).await;
    let refusal = FakeResponse::json(200, r#"{"ok":false,"error":"invalid_auth"}"#);
    api.respond("POST", "/api/apps.connections.open", refusal);
    let socket = Box::new(connection(&slack.api_url()).auth_attempts(3));
    let ready = Readiness::new("slack-socket-mode");
    let bot = Bot::builder().handler(Router::new()).build();
    let run = socket.run(bot, ready.clone(), CancellationToken::new());
    let error = tokio::time::timeout(WAIT, run).await.expect("it gives up").unwrap_err();

    assert!(error.to_string().contains("invalid_auth"), "{error}");
    assert!(error.to_string().contains("SLACK_APP_TOKEN"), "{error}");
    let calls = api.requests();
    assert_eq!(calls.len(), 3, "three tries, then no more");
    for call in &calls {
        assert_eq!(call.path, "/api/apps.connections.open");
        assert_eq!(call.header("authorization"), Some(&*format!("Bearer {APP_TOKEN}")));
    }
    assert!(!ready.get());
    assert_eq!(slack.connections(), 0);
    assert!(!logs.text().contains(APP_TOKEN), "the token is never logged");
}

#[tokio::test]
async fn graceful_shutdown_closes_the_socket_with_a_normal_close() {
    let counts = Counts::default();
    let h = Harness::start(counts.router(), |s| s).await;
    h.slack.send_event(&payload::message("C0SIMCHAN", "before the end", false));
    assert_eq!(counts.wait_for(1).await.len(), 1);
    assert!(h.slack.closes().is_empty());
    let slack = h.stop().await;
    assert_eq!(slack.wait_closed(1).await, [1000], "one normal close frame");
    assert_eq!(slack.connections(), 1, "no reconnection after shutdown");
}
