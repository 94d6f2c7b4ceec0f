//! A minimal adapter for core's tests: JSON in, JSON out, deliveries recorded in memory.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Ack, Adapter, Delivery, Dispatch, Incoming, Initial, ReplyMode};
use chatbridge_core::{
    AdapterError, Command, DeliveryError, Message, MessageKind, Platform, Reply, Visibility,
};
use http::{Request, Response};
use serde_json::{Value, json};

pub const TEST: Platform = Platform::new("test");

/// Requests must carry `x-test-signature: ok`; the body is
/// `{"text": "...", "command": "...", "kind": "mention"|"message", "mode": "inline"|"collect"|"ack", "id": "..."}`.
#[derive(Clone, Default)]
pub struct TestAdapter {
    pub delivered: Arc<Mutex<Vec<(Initial, usize, Reply)>>>,
    pub budget: Option<Duration>,
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

    fn parse(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError> {
        if request.headers().get("x-test-signature").map(|v| v.as_bytes()) != Some(b"ok") {
            return Err(AdapterError::Unauthorized("bad test signature"));
        }
        let body: Value = serde_json::from_slice(request.body())
            .map_err(|_| AdapterError::bad_request("not JSON"))?;
        let text = body["text"].as_str().ok_or_else(|| AdapterError::bad_request("no text"))?;
        if text == "handshake" {
            return Ok(Incoming::Respond(Response::new(Bytes::from_static(b"hello"))));
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
        let mode = match body["mode"].as_str() {
            Some("collect") => ReplyMode::Collect,
            Some("ack") => ReplyMode::Acknowledge,
            _ => ReplyMode::Inline,
        };
        let mut dispatch =
            Dispatch::new(message, mode, self.budget.unwrap_or(Duration::from_millis(500)));
        if let Some(id) = body["id"].as_str() {
            dispatch = dispatch.with_dedup_key(id);
        }
        Ok(Incoming::dispatch(dispatch))
    }

    fn render(
        &self,
        _message: &Message,
        replies: Vec<Reply>,
    ) -> Result<Response<Bytes>, AdapterError> {
        let texts: Vec<Value> = replies
            .iter()
            .map(|r| json!({"text": r.text, "ephemeral": r.visibility == Visibility::Ephemeral}))
            .collect();
        Ok(Response::new(Bytes::from(json!({ "replies": texts }).to_string())))
    }

    fn acknowledge(&self, _message: &Message, ack: Ack) -> Response<Bytes> {
        let ack = match ack {
            Ack::Nothing => "nothing".to_owned(),
            Ack::Duplicate => "duplicate".to_owned(),
            Ack::Deferred { visibility } => format!("deferred:{visibility:?}"),
            _ => "other".to_owned(),
        };
        Response::new(Bytes::from(json!({ "ack": ack }).to_string()))
    }

    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        if delivery.reply.text.as_deref() == Some("refuse me") {
            return Err(DeliveryError::Platform {
                platform: TEST,
                reason: "channel_not_found".into(),
                status: Some(200),
            });
        }
        self.delivered.lock().unwrap().push((delivery.initial, delivery.index, delivery.reply));
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
