//! Socket Mode frames: `hello`, `disconnect`, and the envelopes (`events_api`,
//! `slash_commands`, `interactive`) that carry what the HTTP endpoint would receive, each
//! acknowledged by its `envelope_id`. Read tolerantly: what is missing is `None` or a default.
//!
//! See Slack's page "Using Socket Mode".

use bytes::Bytes;
use chatbridge_core::AdapterError;
use chatbridge_core::adapter::Accepted;
use serde_json::{Value, json};

use crate::model::{self, Envelope as EventsApi, Interaction, Read, SlackPayload, str_field};
use crate::read::Reader;

/// A text frame from Slack, by its `type`.
#[derive(Debug)]
pub(crate) enum Frame {
    /// The connection is ready: envelopes follow.
    Hello,
    /// Slack will close this connection (`warning`, `refresh_requested`, `link_disabled`, …):
    /// open another.
    Disconnect { reason: String },
    /// Something to acknowledge, and mostly to handle.
    Envelope(Envelope),
    /// A frame without an `envelope_id` whose type this crate does not know.
    Other(String),
}

/// An envelope: one delivery, acknowledged by its id.
#[derive(Debug)]
pub(crate) struct Envelope {
    /// What the acknowledgement names.
    pub(crate) id: String,
    /// `events_api`, `slash_commands`, `interactive`, or a type this crate does not know.
    pub(crate) kind: String,
    /// What the HTTP endpoint would have received, as JSON.
    pub(crate) payload: Value,
    /// How often Slack delivered this envelope before (0 the first time).
    pub(crate) retry_attempt: u64,
    /// Why it did (`timeout`, …), when it did.
    pub(crate) retry_reason: Option<String>,
}

impl Frame {
    /// Reads a text frame; `None` when it is not a JSON object.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut value: Value = serde_json::from_str(text).ok()?;
        let object = value.as_object_mut()?;
        let kind = object.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
        if let Some(id) = object.get("envelope_id").and_then(Value::as_str) {
            let id = id.to_owned();
            let retry_attempt = object.get("retry_attempt").and_then(Value::as_u64).unwrap_or(0);
            let retry_reason = object
                .get("retry_reason")
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty())
                .map(str::to_owned);
            let payload = object.remove("payload").unwrap_or(Value::Null);
            return Some(Self::Envelope(Envelope {
                id,
                kind,
                payload,
                retry_attempt,
                retry_reason,
            }));
        }
        Some(match kind.as_str() {
            "hello" => Self::Hello,
            "disconnect" => Self::Disconnect {
                reason: str_field(&value, "reason").unwrap_or_else(|| "unknown".to_owned()),
            },
            _ => Self::Other(kind),
        })
    }
}

impl Envelope {
    /// Reads the envelope as the HTTP endpoint reads a verified request: a message with its
    /// responder, or an answer with nothing to handle (the bot's own event, a type this crate
    /// does not know). Events are de-duplicated by `event_id` as over HTTP; commands and
    /// interactions by the envelope's id, which Slack keeps when it delivers one again.
    pub(crate) async fn accept(self, reader: &Reader) -> Result<Accepted, AdapterError> {
        let (read, dedupe_key) = match self.kind.as_str() {
            "events_api" => {
                let read = model::events_api(EventsApi::from_value(self.payload));
                let key = match &read {
                    Read::Payload(SlackPayload::Event(callback)) => callback.event_id.clone(),
                    _ => None,
                };
                (read, key)
            }
            "slash_commands" => (model::form(&form(&self.payload)?)?, Some(self.socket_key())),
            "interactive" => {
                if !self.payload.is_object() {
                    return Err(AdapterError::bad_request("invalid interaction payload"));
                }
                let interaction = Interaction::from_value(self.payload);
                let key = Some(format!("socket/{}", self.id));
                (Read::Payload(SlackPayload::Interaction(interaction)), key)
            }
            kind => {
                tracing::info!(kind, "unknown Socket Mode envelope type acknowledged");
                return Ok(Accepted::Respond(chatbridge_core::adapter::empty_response()));
            }
        };
        match read {
            Read::Answer(response) => Ok(Accepted::Respond(response)),
            Read::Payload(payload) => reader.incoming(payload, dedupe_key).await,
        }
    }

    fn socket_key(&self) -> String {
        format!("socket/{}", self.id)
    }
}

/// A slash command's fields, sent as a JSON object over Socket Mode, as the form the HTTP
/// endpoint reads (strings as they are, other scalars as their JSON text).
fn form(payload: &Value) -> Result<Vec<u8>, AdapterError> {
    let object =
        payload.as_object().ok_or_else(|| AdapterError::bad_request("invalid slash command"))?;
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in object {
        match value {
            Value::String(text) => form.append_pair(name, text),
            Value::Null | Value::Array(_) | Value::Object(_) => continue,
            scalar => form.append_pair(name, &scalar.to_string()),
        };
    }
    Ok(form.finish().into_bytes())
}

/// The acknowledgement of `envelope_id`, with the bot's answer as its `payload` when it has
/// one (a command's inline reply, a view submission's `response_action`).
pub(crate) fn ack(envelope_id: &str, body: &Bytes) -> String {
    if body.is_empty() {
        return json!({ "envelope_id": envelope_id }).to_string();
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(payload) => json!({ "envelope_id": envelope_id, "payload": payload }).to_string(),
        Err(_) => {
            tracing::warn!("an answer that is not JSON cannot ride in a Socket Mode ack: dropped");
            json!({ "envelope_id": envelope_id }).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_by_type_and_envelope_id() {
        assert!(matches!(
            Frame::parse(r#"{"type":"hello","num_connections":1}"#),
            Some(Frame::Hello)
        ));
        let Some(Frame::Disconnect { reason }) =
            Frame::parse(r#"{"type":"disconnect","reason":"refresh_requested"}"#)
        else {
            panic!("not a disconnect")
        };
        assert_eq!(reason, "refresh_requested");
        let Some(Frame::Envelope(envelope)) = Frame::parse(
            r#"{"envelope_id":"e1","type":"events_api","payload":{"type":"event_callback"},"retry_attempt":2,"retry_reason":"timeout"}"#,
        ) else {
            panic!("not an envelope")
        };
        assert_eq!((envelope.id.as_str(), envelope.kind.as_str()), ("e1", "events_api"));
        assert_eq!(
            (envelope.retry_attempt, envelope.retry_reason.as_deref()),
            (2, Some("timeout"))
        );
        assert!(
            matches!(Frame::parse(r#"{"type":"brand_new"}"#), Some(Frame::Other(k)) if k == "brand_new")
        );
        for malformed in ["", "not json", "[1,2]", "\"hello\""] {
            assert!(Frame::parse(malformed).is_none(), "{malformed}");
        }
    }

    #[test]
    fn a_command_object_becomes_the_form_the_endpoint_reads() {
        let payload =
            json!({"command": "/hi", "text": "a&b=c", "is_enterprise_install": false, "x": null});
        let bytes = form(&payload).unwrap();
        let mut pairs: Vec<(String, String)> =
            form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        pairs.sort();
        let expected = [("command", "/hi"), ("is_enterprise_install", "false"), ("text", "a&b=c")];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        assert_eq!(pairs, expected);
        assert!(super::form(&json!("text")).is_err());
    }

    #[test]
    fn an_ack_carries_the_answer_only_when_there_is_one() {
        assert_eq!(ack("e1", &Bytes::new()), r#"{"envelope_id":"e1"}"#);
        let body = Bytes::from_static(br#"{"text":"hi"}"#);
        assert_eq!(ack("e1", &body), r#"{"envelope_id":"e1","payload":{"text":"hi"}}"#);
        assert_eq!(ack("e1", &Bytes::from_static(b"ok")), r#"{"envelope_id":"e1"}"#);
    }
}
