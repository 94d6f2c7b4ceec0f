//! What the benches share: the harness's fixtures and keys, signed requests, the bare crypto
//! baselines, and the bot they all measure.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chatbridge_core::{Bot, Context, Message, MessageKind, Reply, Router, Secret};
use chatbridge_discord::DiscordAdapter;
use chatbridge_discord::testing::TestSigner;
use chatbridge_lex::LexAdapter;
use chatbridge_slack::SlackAdapter;
use ed25519_dalek::VerifyingKey;
use http::Request;

/// The peer harness's `/hello` slash command (509 bytes), byte for byte.
pub const SLACK_COMMAND: &[u8] = include_bytes!("../../fixtures/slack_slash_command.body");
/// The peer harness's Discord `/hello` chat-input command (1084 bytes).
pub const DISCORD_COMMAND: &[u8] =
    include_bytes!("../../fixtures/discord_application_command.json");
/// A channel message event (the Slack crate's fixture).
pub const SLACK_EVENT: &[u8] =
    include_bytes!("../../../chatbridge-slack/tests/fixtures/message_channel.json");
/// A Lex V2 dialog code hook from the console (the Lex crate's fixture).
pub const LEX_V2_EVENT: &[u8] =
    include_bytes!("../../../chatbridge-lex/tests/fixtures/v2/dialog_console.json");

/// The harness's benchmark-only Slack signing secret (`fixtures/keys.json`).
pub const SLACK_SECRET: &str = "154c698754dca5cdee1ce580fc87b1e5";
/// The harness's benchmark-only Ed25519 seed (`fixtures/keys.json`).
pub const DISCORD_SEED_HEX: &str =
    "92fb59678112d58165a9ff09f68f57710cecf53bbcc1a8c32d0d76d30f4d8d7d";
/// The application id in the Discord fixture.
pub const DISCORD_APPLICATION_ID: &str = "1234567890123456789";
/// The timestamp every benchmarked Discord request is signed over.
pub const DISCORD_TIMESTAMP: &str = "1700000000";

pub const SLACK_PATH: &str = "/slack/events";
pub const DISCORD_PATH: &str = "/discord/interactions";
pub const LEX_PATH: &str = "/lex";

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("the clock is past 1970").as_secs()
}

pub fn signer() -> TestSigner {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(DISCORD_SEED_HEX, &mut seed).expect("the seed is 64 hex characters");
    TestSigner::from_seed(seed)
}

/// A Slack request signed now (Slack's window is five minutes: sign per bench, not per run).
pub fn slack_request(content_type: &str, body: &[u8]) -> Request<Bytes> {
    let ts = now();
    Request::post(SLACK_PATH)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts.to_string())
        .header(
            "x-slack-signature",
            chatbridge_slack::verify::sign(&Secret::new(SLACK_SECRET), ts, body),
        )
        .body(Bytes::copy_from_slice(body))
        .expect("a valid request")
}

pub fn slack_command_request() -> Request<Bytes> {
    slack_request("application/x-www-form-urlencoded", SLACK_COMMAND)
}

static EVENT_SEQ: AtomicU64 = AtomicU64::new(0);

/// The event fixture with a fresh `event_id`, so de-duplication lets every one through.
pub fn slack_event_request() -> Request<Bytes> {
    let n = EVENT_SEQ.fetch_add(1, Ordering::Relaxed);
    let body = std::str::from_utf8(SLACK_EVENT)
        .expect("the fixture is UTF-8")
        .replace("Ev123ABC456", &format!("Ev{n:010}"));
    slack_request("application/json", body.as_bytes())
}

/// The Discord command, signed over a fixed timestamp: Ed25519 verification takes a time that
/// depends on the signature, so every run and every bench checks the same one (Discord sets no
/// freshness window, and the adapter sets none by default).
pub fn discord_command_request() -> Request<Bytes> {
    signer().request_at(DISCORD_PATH, Bytes::from_static(DISCORD_COMMAND), DISCORD_TIMESTAMP)
}

/// The Discord command with a signature that does not match it (signed for another timestamp),
/// as a flood of forged requests would send it.
pub fn discord_forged_request() -> Request<Bytes> {
    let mut request = discord_command_request();
    let forged = signer().sign("1700000001", DISCORD_COMMAND);
    request.headers_mut().insert("x-signature-ed25519", forged.parse().expect("hex"));
    request
}

pub fn lex_request() -> Request<Bytes> {
    Request::post(LEX_PATH)
        .header("content-type", "application/json")
        .body(Bytes::from_static(LEX_V2_EVENT))
        .expect("a valid request")
}

pub fn slack_adapter() -> SlackAdapter {
    SlackAdapter::builder(Secret::new(SLACK_SECRET))
        .deduplicate(false)
        .build()
        .expect("a valid Slack adapter")
}

pub fn discord_adapter() -> DiscordAdapter {
    DiscordAdapter::builder(signer().public_key_hex(), DISCORD_APPLICATION_ID)
        // Every bench sends one interaction, signed once, over and over: with the replay check
        // on, every copy after the first would be answered as a replay.
        .deduplicate(false)
        .build()
        .expect("a valid Discord adapter")
}

async fn hello(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!").in_channel()
}

async fn order_flowers(_cx: Context, _msg: Message) -> Reply {
    Reply::text("Which flowers would you like?")
}

async fn heard(_cx: Context, _msg: Message) {}

/// The bot every `Bot::handle` bench drives: the bench server's, plus Lex and a message route.
pub fn bot() -> Bot {
    Bot::builder()
        .mount(SLACK_PATH, slack_adapter())
        .mount(DISCORD_PATH, discord_adapter())
        .mount(LEX_PATH, LexAdapter::new())
        .handler(
            Router::new()
                .command("hello", hello)
                .command("OrderFlowers", order_flowers)
                .on(MessageKind::Message, heard),
        )
        .build()
}

/// The bare Slack check, as the harness's hyper floor does it.
pub fn raw_slack_hmac(secret: &[u8], request: &Request<Bytes>) -> bool {
    chatbridge_benches::slack_hmac(secret, request.headers(), request.body())
}

/// The bare Discord check, as the harness's hyper floor does it.
pub fn raw_ed25519(key: &VerifyingKey, request: &Request<Bytes>) -> bool {
    chatbridge_benches::ed25519(key, request.headers(), request.body())
}

pub fn verifying_key() -> VerifyingKey {
    let mut key = [0u8; 32];
    hex::decode_to_slice(signer().public_key_hex(), &mut key).expect("64 hex characters");
    VerifyingKey::from_bytes(&key).expect("a valid key")
}

/// A runtime like the server's, with one worker: spawned continuations (Slack events are
/// acknowledged first, handled after) run there, off the measured thread.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A copy of a request (`http::Request` is not `Clone`), made outside the timed section.
pub fn copy(request: &Request<Bytes>) -> Request<Bytes> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}
