//! The Discord Gateway against the fake Gateway and the fake REST API, on loopback: messages
//! and reactions dispatched and answered through REST, RESUME after RECONNECT or a missed
//! heartbeat ACK with nothing lost or handled twice, a new IDENTIFY after INVALID_SESSION,
//! bots filtered, refused tokens reported once, a clean close at shutdown.
//!
//! The bot and the fakes talk over real loopback sockets, which tokio's paused clock would run
//! ahead of (it jumps whenever the runtime waits on I/O), and twilight-gateway sleeps a second
//! before each reconnect and paces IDENTIFYs five seconds apart: these tests wait on real time,
//! each wait bounded.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chatbridge_core::host::connection::{Connection, Readiness};
use chatbridge_core::host::server::Server;
use chatbridge_core::testing::{FakeApi, FakeResponse, Recorded};
use chatbridge_core::{Bot, BoxError, Context, Message, MessageKind, Reply, Router, Secret};
use chatbridge_discord::gateway::{Backoff, DEFAULT_INTENTS, DiscordGateway, NAME};
use chatbridge_discord::testing::gateway::{FakeGateway, events};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "bot-token";
/// `🍕` as the reaction path segment.
const PIZZA: &str = "%F0%9F%8D%95";

/// What the handler saw: (kind, id, text, is_direct).
type Seen = Arc<Mutex<Vec<(MessageKind, String, String, bool)>>>;

struct Harness {
    api: FakeApi,
    gateway: FakeGateway,
    bot: Bot,
    seen: Seen,
    ready: Readiness,
    stop: CancellationToken,
    run: JoinHandle<Result<(), String>>,
}

/// Reacts with 🍕 in channels, answers DMs with text; records every message.
fn router(seen: &Seen) -> Router {
    let seen = Arc::clone(seen);
    Router::new().fallback(move |_cx: Context, msg: Message| {
        let seen = Arc::clone(&seen);
        async move {
            let id = msg.id.as_ref().map(|id| id.as_str().to_owned()).unwrap_or_default();
            seen.lock().unwrap().push((msg.kind.clone(), id, msg.text.to_string(), msg.is_direct));
            match msg.kind {
                MessageKind::Reaction => None,
                _ if msg.is_direct => Some(Reply::text("🍕")),
                _ => Some(Reply::reaction("pizza")),
            }
        }
    })
}

async fn start_with(gateway: FakeGateway, shards: u32) -> Harness {
    let api = FakeApi::start().await;
    gateway.serve_gateway_bot(&api, shards);
    let seen = Seen::default();
    let bot = Bot::builder().handler(router(&seen)).build();
    let connection = DiscordGateway::new(Secret::new(TOKEN), &api.url()).unwrap();
    let ready = Readiness::new(NAME);
    let stop = CancellationToken::new();
    let running = Box::new(connection).run(bot.clone(), ready.clone(), stop.clone());
    let run = tokio::spawn(async move { running.await.map_err(|e: BoxError| e.to_string()) });
    Harness { api, gateway, bot, seen, ready, stop, run }
}

async fn start() -> Harness {
    let harness = start_with(FakeGateway::start().await, 1).await;
    harness.wait_ready(true).await;
    harness
}

impl Harness {
    async fn wait_ready(&self, ready: bool) {
        for _ in 0..2000 {
            if self.ready.get() == ready {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the connection never became ready={ready}: {:?}", self.gateway.received());
    }

    /// Waits until the handler saw `count` messages, then for their replies to go out.
    async fn wait_seen(&self, count: usize) -> Vec<(MessageKind, String, String, bool)> {
        for _ in 0..2000 {
            if self.seen.lock().unwrap().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(self.bot.drain(WAIT).await);
        self.seen.lock().unwrap().clone()
    }

    fn calls(&self, method: &str) -> Vec<Recorded> {
        self.api.requests().into_iter().filter(|r| r.method == method).collect()
    }

    async fn stop(self) -> Result<(), String> {
        self.stop.cancel();
        tokio::time::timeout(WAIT, self.run).await.expect("the connection stops").unwrap()
    }
}

#[tokio::test]
async fn a_channel_message_gets_its_reaction_through_rest() {
    let h = start().await;
    let identify = h.gateway.wait_for_op(2, 1, WAIT).await;
    assert_eq!(identify[0]["d"]["token"], format!("Bot {TOKEN}"));
    assert_eq!(identify[0]["d"]["intents"], DEFAULT_INTENTS.bits());
    assert_eq!(identify[0]["d"]["shard"], json!([0, 1]));

    let message = events::message("I love pizzas");
    h.gateway.dispatch("MESSAGE_CREATE", message.clone());
    let seen = h.wait_seen(1).await;
    let id = events::id_of(&message);
    assert_eq!(seen, [(MessageKind::Message, id.clone(), "I love pizzas".into(), false)]);
    let puts = h.calls("PUT");
    assert_eq!(puts.len(), 1);
    let path = format!("/channels/{}/messages/{id}/reactions/{PIZZA}/@me", events::CHANNEL);
    assert_eq!(puts[0].path, path);
    assert_eq!(puts[0].header("authorization"), Some("Bot bot-token"));
    assert!(h.calls("POST").is_empty(), "a reaction only");
    h.stop().await.unwrap();
}

#[tokio::test]
async fn a_dm_is_answered_with_a_reply_that_cannot_be_posted_twice() {
    let h = start().await;
    let dm = events::direct_message("pizza please");
    h.gateway.dispatch("MESSAGE_CREATE", dm.clone());
    let mention = events::mention("pizza");
    h.gateway.dispatch("MESSAGE_CREATE", mention.clone());
    let seen = h.wait_seen(2).await;
    assert_eq!(seen[0].0, MessageKind::Message);
    assert!(seen[0].3, "a DM is direct");
    assert_eq!(seen[1].0, MessageKind::Mention);
    assert!(!seen[1].3);

    let posts = h.calls("POST");
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].path, format!("/channels/{}/messages", events::DM_CHANNEL));
    let body = posts[0].json();
    assert_eq!(body["content"], "🍕");
    assert_eq!(body["message_reference"]["message_id"], events::id_of(&dm));
    assert_eq!(body["enforce_nonce"], true);
    let nonce = body["nonce"].as_str().unwrap();
    assert!(!nonce.is_empty() && nonce.len() <= 25, "{nonce}");
    assert!(body.get("flags").is_none());
    assert_eq!(h.calls("PUT").len(), 1, "the mention got its reaction");
    h.stop().await.unwrap();
}

#[tokio::test]
async fn reconnect_then_resume_replays_missed_events_and_each_is_handled_once() {
    let h = start().await;
    let first = events::message("pizza one");
    h.gateway.dispatch("MESSAGE_CREATE", first.clone());
    h.wait_seen(1).await;

    // The Gateway also replays the event the bot already had: it must not be handled twice.
    h.gateway.replay_overlap(1);
    h.gateway.reconnect();
    // Dispatched once the bot has closed: they wait in the session for the RESUME.
    assert_eq!(h.gateway.wait_for_close(WAIT).await, [4000], "closed to resume, not to end");
    let missed = [events::message("pizza two"), events::message("pizza three")];
    for event in &missed {
        h.gateway.dispatch("MESSAGE_CREATE", event.clone());
    }
    let resume = h.gateway.wait_for_op(6, 1, WAIT).await;
    assert_eq!(resume.len(), 1, "the bot resumed");
    assert_eq!(resume[0]["d"]["session_id"], "fake-session-1");
    assert_eq!(resume[0]["d"]["token"], format!("Bot {TOKEN}"));
    h.wait_ready(true).await;

    let seen = h.wait_seen(3).await;
    let ids: Vec<&str> = seen.iter().map(|s| s.1.as_str()).collect();
    let expected: Vec<String> =
        [&first, &missed[0], &missed[1]].iter().map(|e| events::id_of(e)).collect();
    assert_eq!(ids, expected, "each once, in order");
    assert_eq!(h.calls("PUT").len(), 3);
    assert_eq!(h.gateway.received().iter().filter(|f| f["op"] == 2).count(), 1, "no new IDENTIFY");
    h.stop().await.unwrap();
}

#[tokio::test]
async fn invalid_session_makes_the_bot_identify_again() {
    let h = start().await;
    h.gateway.invalid_session(false);
    let identifies = h.gateway.wait_for_op(2, 2, WAIT).await;
    assert_eq!(identifies.len(), 2, "a new IDENTIFY");
    assert!(h.gateway.wait_for_op(6, 1, Duration::ZERO).await.is_empty(), "no RESUME");
    h.wait_ready(true).await;

    let message = events::message("pizza after a new session");
    h.gateway.dispatch("MESSAGE_CREATE", message.clone());
    let seen = h.wait_seen(1).await;
    assert_eq!(seen[0].1, events::id_of(&message));
    h.stop().await.unwrap();
}

#[tokio::test]
async fn a_missed_heartbeat_ack_makes_the_bot_reconnect_and_resume() {
    let gateway = FakeGateway::start().await;
    gateway.heartbeat_interval(Duration::from_millis(300));
    let h = start_with(gateway, 1).await;
    h.wait_ready(true).await;
    h.gateway.wait_for_op(1, 1, WAIT).await;

    h.gateway.heartbeat_acks(false);
    let resume = h.gateway.wait_for_op(6, 1, WAIT).await;
    assert_eq!(resume.len(), 1, "a zombied connection is replaced and the session resumed");
    assert!(h.gateway.close_codes().contains(&4000));
    h.gateway.heartbeat_acks(true);
    h.wait_ready(true).await;
    h.stop().await.unwrap();
}

#[tokio::test]
async fn the_bots_own_messages_and_other_bots_get_nothing() {
    let h = start().await;
    h.gateway.dispatch("MESSAGE_CREATE", events::own_message("pizza"));
    h.gateway.dispatch("MESSAGE_CREATE", events::other_bot_message("pizza"));
    let marker = events::message("pizza");
    h.gateway.dispatch("MESSAGE_CREATE", marker.clone());
    let seen = h.wait_seen(1).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].1, events::id_of(&marker), "only the person's message");
    assert_eq!(h.calls("PUT").len(), 1);
    h.stop().await.unwrap();
}

#[tokio::test]
async fn a_reaction_add_is_a_reaction_message() {
    let h = start().await;
    h.gateway.dispatch("MESSAGE_REACTION_ADD", events::reaction("1165000000000000100", "🍕"));
    let seen = h.wait_seen(1).await;
    assert_eq!(seen, [(MessageKind::Reaction, "1165000000000000100".into(), "🍕".into(), false)]);
    h.stop().await.unwrap();
}

#[tokio::test]
async fn malformed_frames_and_unknown_opcodes_are_skipped_without_dropping_the_connection() {
    let h = start().await;
    h.gateway.send_raw("this is not json");
    h.gateway.send_raw(r#"{"op": 42, "d": {"new": "thing"}}"#);
    h.gateway.send_raw(r#"{"op": 0, "t": "MESSAGE_CREATE", "s": 2, "d": {"id": "x"}}"#);
    h.gateway.send_raw(r#"{"op": 0, "t": "SOMETHING_NEW", "s": 3, "d": {}}"#);
    let message = events::message("pizza");
    h.gateway.dispatch("MESSAGE_CREATE", message);
    let seen = h.wait_seen(1).await;
    assert_eq!(seen.len(), 1, "the valid event after them is handled");
    let received = h.gateway.received();
    assert_eq!(received.iter().filter(|f| f["op"] == 2 || f["op"] == 6).count(), 1, "no reconnect");
    assert!(h.gateway.close_codes().is_empty());
    h.stop().await.unwrap();
}

#[tokio::test]
async fn a_token_refused_by_the_api_is_one_clear_error() {
    let api = FakeApi::start().await;
    api.respond(
        "GET",
        "/gateway/bot",
        FakeResponse::json(401, r#"{"message": "401: Unauthorized", "code": 0}"#),
    );
    let connection = DiscordGateway::new(Secret::new("wrong"), &api.url()).unwrap();
    let bot = Bot::builder().handler(Router::new()).build();
    let ready = Readiness::new(NAME);
    let run = Box::new(connection).run(bot, ready.clone(), CancellationToken::new());
    let error = tokio::time::timeout(WAIT, run).await.unwrap().unwrap_err().to_string();
    assert!(error.contains("DISCORD_BOT_TOKEN"), "{error}");
    assert!(!error.contains("wrong"), "the token stays secret");
    assert_eq!(api.requests().len(), 1, "no retry loop");
    assert!(!ready.get());
}

#[tokio::test]
async fn an_unavailable_api_is_retried_with_backoff_until_it_answers() {
    let api = FakeApi::start().await;
    let gateway = FakeGateway::start().await;
    gateway.serve_gateway_bot(&api, 1);
    api.respond_once("GET", "/gateway/bot", FakeResponse::status(503));
    api.respond_once("GET", "/gateway/bot", FakeResponse::status(502));
    let backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(40));
    let connection = DiscordGateway::new(Secret::new(TOKEN), &api.url()).unwrap().backoff(backoff);
    let bot = Bot::builder().handler(Router::new()).build();
    let ready = Readiness::new(NAME);
    let stop = CancellationToken::new();
    let run = tokio::spawn(Box::new(connection).run(bot, ready.clone(), stop.clone()));
    assert_eq!(gateway.wait_for_op(2, 1, WAIT).await.len(), 1, "connected after two failures");
    assert_eq!(api.requests().len(), 3);
    stop.cancel();
    assert!(run.await.unwrap().is_ok());
    assert!(!ready.get(), "not ready once stopped");
}

#[tokio::test]
async fn a_token_refused_by_the_gateway_is_one_clear_error() {
    let gateway = FakeGateway::start().await;
    gateway.require_token("the-right-token");
    let h = start_with(gateway, 1).await;
    let error = tokio::time::timeout(WAIT, h.run).await.unwrap().unwrap().unwrap_err();
    assert!(error.contains("4004") && error.contains("DISCORD_BOT_TOKEN"), "{error}");
    assert_eq!(h.gateway.received().iter().filter(|f| f["op"] == 2).count(), 1, "one IDENTIFY");
    assert!(!h.ready.get());
}

#[tokio::test]
async fn every_recommended_shard_connects_and_gets_its_guilds_events() {
    let h = start_with(FakeGateway::start().await, 2).await;
    h.wait_ready(true).await;
    let identifies = h.gateway.wait_for_op(2, 2, WAIT).await;
    let mut shards: Vec<_> = identifies.iter().map(|f| f["d"]["shard"].clone()).collect();
    shards.sort_by_key(|s| s[0].as_u64());
    assert_eq!(shards, [json!([0, 2]), json!([1, 2])]);
    // The default guild lives on shard 1 of 2 ((id >> 22) % 2), DMs on shard 0.
    h.gateway.dispatch("MESSAGE_CREATE", events::message("pizza"));
    h.gateway.dispatch("MESSAGE_CREATE", events::direct_message("pizza"));
    assert_eq!(h.wait_seen(2).await.len(), 2);
    h.stop().await.unwrap();
}

#[tokio::test]
async fn the_server_runs_the_gateway_reports_it_in_healthz_and_closes_it_with_1000() {
    let api = FakeApi::start().await;
    let gateway = FakeGateway::start().await;
    gateway.serve_gateway_bot(&api, 1);
    let seen = Seen::default();
    let bot = Bot::builder().handler(router(&seen)).build();
    let connection = DiscordGateway::new(Secret::new(TOKEN), &api.url()).unwrap();
    let server = Server::bind("127.0.0.1:0").await.unwrap().connection(connection);
    let base = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let mut status = 0;
    for _ in 0..2000 {
        status = client.get(format!("{base}/healthz")).send().await.unwrap().status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, 200, "ready once READY arrived");
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert_eq!(gateway.wait_for_close(WAIT).await, [1000], "the session ends");
}

#[test]
fn the_gateway_is_configured_by_discord_gateway_and_the_bot_token() {
    use chatbridge_core::ConfigError;
    let from = |vars: &[(&str, &str)]| {
        let vars: Vec<(String, String)> =
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        DiscordGateway::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    };
    assert!(from(&[("DISCORD_BOT_TOKEN", "t")]).unwrap().is_none(), "off unless asked for");
    assert!(from(&[("DISCORD_GATEWAY", "0"), ("DISCORD_BOT_TOKEN", "t")]).unwrap().is_none());
    let on = from(&[("DISCORD_GATEWAY", "1"), ("DISCORD_BOT_TOKEN", "secret-token")]).unwrap();
    let on = on.expect("on");
    assert!(on.client().has_bot_token());
    assert!(!format!("{on:?}").contains("secret-token"), "the token stays out of Debug");
    assert!(matches!(
        from(&[("DISCORD_GATEWAY", "1")]),
        Err(ConfigError::Missing("DISCORD_BOT_TOKEN"))
    ));
    assert!(matches!(
        from(&[("DISCORD_GATEWAY", "yes please"), ("DISCORD_BOT_TOKEN", "t")]),
        Err(ConfigError::Invalid { name: "DISCORD_GATEWAY", .. })
    ));
    assert!(matches!(
        from(&[
            ("DISCORD_GATEWAY", "1"),
            ("DISCORD_BOT_TOKEN", "t"),
            ("DISCORD_API_URL", "ftp://x")
        ]),
        Err(ConfigError::Invalid { name: "DISCORD_API_URL", .. })
    ));
}
