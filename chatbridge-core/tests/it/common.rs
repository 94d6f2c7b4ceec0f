//! A minimal adapter for core's tests: JSON in, JSON out, follow-ups recorded in memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Ack, Adapter, Incoming, Responder, Timing};
use chatbridge_core::{
    AdapterError, Command, DeliveryError, Emoji, Message, MessageKind, Platform, Reply, Visibility,
};
use http::{Request, Response};
use serde_json::{Value, json};

pub const TEST: Platform = Platform::new("test");

/// What the platform was answered with before a follow-up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Initial {
    /// A reply went in the response.
    Replied,
    /// A deferral: replies follow.
    Deferred,
    /// A plain acknowledgement.
    Acknowledged,
}

/// One follow-up or reaction as the responder received it: what the response was, how many
/// follow-ups came before, the reply.
pub type Delivered = (Initial, usize, Reply);

/// Requests must carry `x-test-signature: ok`; the body is
/// `{"text": "...", "command": "...", "kind": "mention"|"message", "mode": "inline"|"collect"|"ack", "id": "..."}`.
#[derive(Clone, Default)]
pub struct TestAdapter {
    pub delivered: Arc<Mutex<Vec<Delivered>>>,
    pub budget: Option<Duration>,
    /// How long each reaction takes.
    pub reaction_delay: Duration,
}

impl TestAdapter {
    pub fn delivered_texts(&self) -> Vec<String> {
        self.delivered
            .lock()
            .unwrap()
            .iter()
            .map(|(_, _, r)| {
                r.text
                    .clone()
                    .or_else(|| r.reaction.as_ref().and_then(|e| e.name().map(str::to_owned)))
                    .unwrap_or_default()
            })
            .collect()
    }
}

#[async_trait]
impl Adapter for TestAdapter {
    fn platform(&self) -> Platform {
        TEST
    }

    async fn accept(&self, request: Request<Bytes>) -> Result<Accepted, AdapterError> {
        if request.headers().get("x-test-signature").map(|v| v.as_bytes()) != Some(b"ok") {
            return Err(AdapterError::Unauthorized("bad test signature"));
        }
        let body: Value = serde_json::from_slice(request.body())
            .map_err(|_| AdapterError::bad_request("not JSON"))?;
        self.read(&body)
    }

    /// A raw event (as a Lambda function receives one): the same JSON as a request's body,
    /// with `"signature": "ok"` in it.
    async fn accept_event(&self, event: Value) -> Result<Accepted, AdapterError> {
        if event["signature"] != "ok" {
            return Err(AdapterError::Unauthorized("bad test signature"));
        }
        self.read(&event)
    }
}

impl TestAdapter {
    pub fn read(&self, body: &Value) -> Result<Accepted, AdapterError> {
        let text = body["text"].as_str().ok_or_else(|| AdapterError::bad_request("no text"))?;
        if text == "handshake" {
            return Ok(Accepted::Respond(Response::new(Bytes::from_static(b"hello"))));
        }
        let kind = match body["kind"].as_str() {
            Some("mention") => MessageKind::Mention,
            Some("command") => MessageKind::Command,
            _ => MessageKind::Message,
        };
        let mut message = Message::new(TEST, kind).with_text(text).with_conversation("C1");
        if let Some(name) = body["command"].as_str() {
            message = message.with_command(Command::new(name, text));
        }
        let budget = self.budget.unwrap_or(Duration::from_millis(500));
        let timing = match body["mode"].as_str() {
            Some("collect") => Timing::Collect(budget),
            Some("ack") => Timing::Immediate,
            _ => Timing::Inline(budget),
        };
        let responder = TestResponder {
            delivered: Arc::clone(&self.delivered),
            initial: Mutex::new(Initial::Acknowledged),
            follow_ups: AtomicUsize::new(0),
            reaction_delay: self.reaction_delay,
        };
        let mut incoming = Incoming::new(message, responder, timing);
        if let Some(id) = body["id"].as_str() {
            incoming = incoming.dedupe_key(id);
        }
        Ok(Accepted::Incoming(incoming))
    }
}

struct TestResponder {
    delivered: Arc<Mutex<Vec<Delivered>>>,
    initial: Mutex<Initial>,
    follow_ups: AtomicUsize,
    reaction_delay: Duration,
}

impl TestResponder {
    fn record(&self, reply: Reply, index: usize) {
        let initial = *self.initial.lock().unwrap();
        self.delivered.lock().unwrap().push((initial, index, reply));
    }
}

#[async_trait]
impl Responder for TestResponder {
    fn respond(&self, replies: Vec<Reply>) -> Result<Response<Bytes>, AdapterError> {
        *self.initial.lock().unwrap() = Initial::Replied;
        let texts: Vec<Value> = replies
            .iter()
            .map(|r| json!({"text": r.text, "ephemeral": r.visibility == Visibility::Ephemeral}))
            .collect();
        Ok(Response::new(Bytes::from(json!({ "replies": texts }).to_string())))
    }

    fn acknowledge(&self, ack: Ack) -> Response<Bytes> {
        let ack = match ack {
            Ack::Nothing => "nothing".to_owned(),
            Ack::Duplicate => "duplicate".to_owned(),
            Ack::Deferred(visibility) => {
                *self.initial.lock().unwrap() = Initial::Deferred;
                format!("deferred:{visibility:?}")
            }
            _ => "other".to_owned(),
        };
        Response::new(Bytes::from(json!({ "ack": ack }).to_string()))
    }

    async fn follow_up(&self, reply: Reply) -> Result<(), DeliveryError> {
        if reply.text.as_deref() == Some("refuse me") {
            return Err(DeliveryError::Platform {
                platform: TEST,
                reason: "channel_not_found".into(),
                status: Some(200),
            });
        }
        self.record(reply, self.follow_ups.fetch_add(1, Ordering::SeqCst));
        Ok(())
    }

    async fn react(&self, emoji: Emoji) -> Result<(), DeliveryError> {
        tokio::time::sleep(self.reaction_delay).await;
        self.record(Reply::reaction(emoji), 0);
        Ok(())
    }
}

pub fn request(body: &str) -> Request<Bytes> {
    Request::post("/test")
        .header("x-test-signature", "ok")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

pub fn body_json(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}
