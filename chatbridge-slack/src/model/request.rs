//! One endpoint, three kinds of request: Events API JSON, slash-command forms and interaction
//! (`payload=`) forms, told apart by their content once the signature checked out.

use bytes::Bytes;
use chatbridge_core::adapter::{empty_response, json_response};
use chatbridge_core::{AdapterError, Platform};
use http::{HeaderMap, HeaderName, Response, header};

use super::events::Envelope;
#[cfg(feature = "socket-mode")]
pub(crate) use super::events::Envelope as EventsEnvelope;
use super::{Interaction, SlackPayload, SlashCommand};

static SIGNATURE: HeaderName = HeaderName::from_static("x-slack-signature");
static RETRY_NUM: HeaderName = HeaderName::from_static("x-slack-retry-num");
static RETRY_REASON: HeaderName = HeaderName::from_static("x-slack-retry-reason");

/// What a verified request holds.
#[derive(Debug)]
// Made once per request and taken apart at once: a box would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Read {
    /// An answer with nothing to handle: the `url_verification` challenge, an envelope that is
    /// no event.
    Answer(Response<Bytes>),
    /// A request for the handler.
    Payload(SlackPayload),
}

/// Reads a verified request by its encoding.
pub(crate) fn read(headers: &HeaderMap, body: &[u8]) -> Result<Read, AdapterError> {
    match encoding(headers, body)? {
        Encoding::Json => event(headers, body),
        Encoding::Form => form(body),
    }
}

/// Slack does not retry commands and interactions, so a second request with the signature of
/// one already seen is a replay: its de-duplication key is the signature (which covers the
/// timestamp and the body), `request/` and its hex. Core keeps the mark for an hour, longer
/// than the ten minutes in which a signature verifies.
pub(crate) fn replay_key(headers: &HeaderMap) -> Option<String> {
    let signature = headers.get(&SIGNATURE)?.to_str().ok()?.trim();
    Some(format!("request/{}", signature.strip_prefix("v0=")?))
}

/// How a body is encoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Encoding {
    Json,
    Form,
}

/// The body's encoding from `Content-Type` (parameters ignored), or from its first byte when
/// there is none. A `Content-Type` that is not visible ASCII, or sent twice, is refused (415)
/// rather than sniffed.
fn encoding(headers: &HeaderMap, body: &[u8]) -> Result<Encoding, AdapterError> {
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let media = match (values.next(), values.next()) {
        (None, _) => None,
        (Some(value), None) => Some(
            value
                .to_str()
                .map_err(|_| AdapterError::UnsupportedMediaType)?
                .split(';')
                .next()
                .unwrap_or_default()
                .trim(),
        ),
        (Some(_), Some(_)) => return Err(AdapterError::UnsupportedMediaType),
    };
    match media {
        Some(m) if m.eq_ignore_ascii_case("application/json") => Ok(Encoding::Json),
        Some(m) if m.eq_ignore_ascii_case("application/x-www-form-urlencoded") => {
            Ok(Encoding::Form)
        }
        None | Some("") => Ok(if body.trim_ascii_start().first() == Some(&b'{') {
            Encoding::Json
        } else {
            Encoding::Form
        }),
        Some(_) => Err(AdapterError::UnsupportedMediaType),
    }
}

/// Reads a verified Events API body.
fn event(headers: &HeaderMap, body: &[u8]) -> Result<Read, AdapterError> {
    if let Some(retry) = headers.get(&RETRY_NUM).and_then(|v| v.to_str().ok()) {
        let reason = headers.get(&RETRY_REASON).and_then(|v| v.to_str().ok());
        tracing::info!(platform = %Platform::SLACK, retry, ?reason, "slack retried an event");
    }
    let envelope =
        Envelope::parse(body).map_err(|_| AdapterError::bad_request("invalid events API JSON"))?;
    Ok(events_api(envelope))
}

/// What an Events API body holds, from a request or a Socket Mode envelope.
pub(crate) fn events_api(envelope: Envelope) -> Read {
    match envelope {
        Envelope::UrlVerification { challenge } => {
            tracing::info!(platform = %Platform::SLACK, "url_verification answered");
            let body = serde_json::json!({ "challenge": challenge }).to_string();
            Read::Answer(json_response(body.into_bytes()))
        }
        Envelope::RateLimited { team_id } => {
            tracing::warn!(platform = %Platform::SLACK, ?team_id, "slack reports app_rate_limited");
            Read::Answer(empty_response())
        }
        Envelope::Other(kind) => {
            tracing::info!(platform = %Platform::SLACK, kind, "unknown envelope type acknowledged");
            Read::Answer(empty_response())
        }
        Envelope::Callback(callback) => Read::Payload(SlackPayload::Event(callback)),
    }
}

/// Reads a verified form body: an interaction (a `payload` field of JSON) or a slash command.
pub(crate) fn form(body: &[u8]) -> Result<Read, AdapterError> {
    let mut form = SlashCommand::read(body)
        .map_err(|_| AdapterError::bad_request("not a form slack sends"))?;
    if let Some(json) = form.take_payload() {
        let raw = serde_json::from_str(&json)
            .map_err(|_| AdapterError::bad_request("invalid interaction payload"))?;
        return Ok(Read::Payload(SlackPayload::Interaction(Interaction::from_value(raw))));
    }
    if form.has_command() {
        Ok(Read::Payload(SlackPayload::Command(form)))
    } else {
        Err(AdapterError::bad_request("neither a slash command nor an interaction"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, http::HeaderValue::from_bytes(content_type).unwrap());
        headers
    }

    #[test]
    fn the_encoding_comes_from_the_content_type_or_the_first_byte() {
        assert_eq!(
            encoding(&headers(b"application/json; charset=utf-8"), b"").unwrap(),
            Encoding::Json
        );
        assert_eq!(
            encoding(&headers(b"Application/X-WWW-Form-Urlencoded"), b"{").unwrap(),
            Encoding::Form
        );
        assert_eq!(encoding(&HeaderMap::new(), b"  {\"type\":1}").unwrap(), Encoding::Json);
        assert_eq!(encoding(&HeaderMap::new(), b"command=%2Fx").unwrap(), Encoding::Form);
        assert!(encoding(&headers(b"text/plain"), b"").is_err());
        assert!(encoding(&headers(b"application/json\xff"), b"").is_err());
    }

    #[test]
    fn a_payload_makes_an_interaction_wherever_it_stands() {
        let body = b"command=%2Fhello&text=hi&p%61yload=%7B%22type%22%3A%22shortcut%22%7D";
        let Read::Payload(SlackPayload::Interaction(interaction)) = form(body).unwrap() else {
            panic!("not an interaction")
        };
        assert_eq!(interaction.kind, super::super::InteractionKind::Shortcut);
    }

    #[test]
    fn forms_slack_does_not_send_are_bad_requests() {
        for body in [&b"text=hi&user_id=U1"[..], b"payload=%7Bnope", b"command=%2Fa&command=%2Fb"] {
            let error = form(body).unwrap_err();
            assert_eq!(error.status(), http::StatusCode::BAD_REQUEST, "{body:?}");
        }
    }

    #[test]
    fn the_replay_key_is_the_signature() {
        let mut headers = HeaderMap::new();
        headers.insert(&SIGNATURE, "v0=abc123".parse().unwrap());
        assert_eq!(replay_key(&headers).as_deref(), Some("request/abc123"));
        headers.insert(&SIGNATURE, "v1=abc123".parse().unwrap());
        assert_eq!(replay_key(&headers), None);
    }
}
