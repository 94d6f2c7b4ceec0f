//! Shared test helpers: fixtures, signing at test time, a recording handler.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::clock::ManualClock;
use chatbridge_core::{Bot, Context, Handler, HandlerError, Message, Reply, Secret};
use chatbridge_slack::verify::sign;
use chatbridge_slack::{BotIds, SlackAdapter, SlackAdapterBuilder};
use http::Request;
use tokio::sync::mpsc;

/// The fixed test signing secret.
pub const SECRET: &str = "test-signing-secret-4f1c2e";
/// The test's "now", in Unix seconds.
pub const NOW: u64 = 1_700_000_000;
pub const PATH: &str = "/slack/events";
pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";

/// A fixture's exact bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A fixture with `__RESPONSE_URL__` replaced by a URL (form-encoded for forms).
pub fn fixture_with_url(name: &str, url: &str, form_encoded: bool) -> Vec<u8> {
    let text = String::from_utf8(fixture(name)).unwrap();
    let url = if form_encoded {
        form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
    } else {
        url.to_owned()
    };
    text.replace("__RESPONSE_URL__", &url).into_bytes()
}

/// An interaction form body: `payload=` and the form-encoded JSON.
pub fn payload_form(json: &[u8]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", std::str::from_utf8(json).unwrap())
        .finish()
        .into_bytes()
}

/// An adapter builder with the test secret, a manual clock at [`NOW`] and the bot's ids.
pub fn builder() -> SlackAdapterBuilder {
    SlackAdapter::builder(Secret::new(SECRET))
        .clock(Arc::new(ManualClock::at_unix(NOW)))
        .bot_ids(BotIds::new().with_user_id("UBOT").with_bot_id("BBOT").with_app_id("ABOT"))
}

/// An unsigned POST.
pub fn unsigned(content_type: &str, body: Vec<u8>) -> Request<Bytes> {
    Request::post(PATH).header("content-type", content_type).body(Bytes::from(body)).unwrap()
}

/// A POST signed with the test secret at `ts`.
pub fn signed_at(content_type: &str, body: Vec<u8>, ts: u64) -> Request<Bytes> {
    let signature = sign(&Secret::new(SECRET), ts, &body);
    Request::post(PATH)
        .header("content-type", content_type)
        .header("X-Slack-Request-Timestamp", ts.to_string())
        .header("X-Slack-Signature", signature)
        .body(Bytes::from(body))
        .unwrap()
}

/// A POST signed with the test secret at [`NOW`].
pub fn signed(content_type: &str, body: Vec<u8>) -> Request<Bytes> {
    signed_at(content_type, body, NOW)
}

/// A handler that sends every message it gets down a channel and answers with `reply`.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::UnboundedSender<Message>,
    reply: Option<Reply>,
}

impl Recorder {
    pub fn new(reply: Option<Reply>) -> (Self, Seen) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { tx, reply }, Seen(rx))
    }
}

#[async_trait]
impl Handler for Recorder {
    async fn call(&self, _cx: Context, msg: Message) -> Result<Option<Reply>, HandlerError> {
        let _ = self.tx.send(msg);
        Ok(self.reply.clone())
    }
}

/// What a [`Recorder`] saw.
pub struct Seen(mpsc::UnboundedReceiver<Message>);

impl Seen {
    /// The next message, waiting up to 5 s.
    pub async fn next(&mut self) -> Message {
        tokio::time::timeout(Duration::from_secs(5), self.0.recv())
            .await
            .expect("a message reached the handler")
            .expect("the recorder is alive")
    }

    /// Asserts no message reached the handler (after letting detached work run).
    pub async fn none(&mut self) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(self.0.try_recv().is_err(), "a message reached the handler");
    }
}

pub fn bot(reply: Option<Reply>) -> (Bot, Seen) {
    bot_with(builder().build().unwrap(), reply)
}

pub fn bot_with(adapter: SlackAdapter, reply: Option<Reply>) -> (Bot, Seen) {
    let (recorder, seen) = Recorder::new(reply);
    (Bot::builder().mount(PATH, adapter).handler(recorder).build(), seen)
}

pub fn json_body(response: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap()
}
