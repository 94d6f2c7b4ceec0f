//! Lex's wire types: [`LexEvent`] (a V1 or V2 event, told apart explicitly, with a
//! version-neutral view), the V1 and V2 event and response shapes, and the values they carry.

pub(crate) mod attributes;
pub(crate) mod card;
pub(crate) mod enums;
pub mod v1;
pub mod v2;
pub(crate) mod value;

use serde::Serialize;

use crate::model::v1::V1Event;
use crate::model::v2::V2Event;
use crate::model::value::Attributes;
use crate::{Channel, ConfirmationStatus, InvocationSource, RequestAttributes};

/// Which Lex version an event came from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum LexVersion {
    /// Amazon Lex V1.
    V1,
    /// Amazon Lex V2.
    V2,
}

/// A Lex code-hook event of either version.
///
/// [`from_slice`](Self::from_slice) decides the version before it parses, on fields only one
/// version has: `currentIntent` (V1) or `sessionState` (V2); an object with both or neither
/// is refused. Then the chosen version's required fields must be there (V1: `messageVersion`,
/// `userId`, `currentIntent`; V2: `sessionId`, `sessionState`, `bot.localeId`), so a V2 event
/// never passes as an empty V1 one, nor the reverse.
///
/// ```
/// use chatbridge_lex::{LexEvent, LexVersion};
///
/// let v2 = LexEvent::from_slice(br#"{
///     "sessionId": "s-1", "inputTranscript": "hello there",
///     "bot": {"name": "Kenobi", "localeId": "en_US"},
///     "sessionState": {"intent": {"name": "HelloThere", "slots": {"Count": null}}}
/// }"#).unwrap();
/// assert_eq!(v2.version(), LexVersion::V2);
/// assert_eq!(v2.intent_name(), "HelloThere");
///
/// let err = LexEvent::from_slice(b"{}").unwrap_err();
/// assert!(err.to_string().starts_with("not a Lex V1 or V2 event"));
/// ```
#[derive(Clone, PartialEq, Debug, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum LexEvent {
    /// A V1 event.
    V1(Box<V1Event>),
    /// A V2 event.
    V2(Box<V2Event>),
}

/// Why a body is not a Lex event. The text names fields, never values from the body.
#[derive(Debug, thiserror::Error)]
#[error("not a Lex V1 or V2 event: {0}")]
pub struct EventError(String);

impl LexEvent {
    /// Parses an event, deciding its version first (see the type's docs).
    ///
    /// # Errors
    ///
    /// The body is not a JSON object, has the fields of both versions or of neither, or lacks
    /// a field its version requires.
    pub fn from_slice(body: &[u8]) -> Result<Self, EventError> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|_| EventError("the body is not JSON".to_owned()))?;
        Self::from_value(value)
    }

    /// Reads an event already parsed as JSON (what a Lambda function receives), deciding its
    /// version first.
    ///
    /// # Errors
    ///
    /// As for [`from_slice`](Self::from_slice).
    pub fn from_value(value: serde_json::Value) -> Result<Self, EventError> {
        let Some(object) = value.as_object() else {
            return Err(EventError("the body is not a JSON object".to_owned()));
        };
        let v1 = object.contains_key("currentIntent");
        let v2 = object.contains_key("sessionState");
        match (v1, v2) {
            (true, false) => {
                serde_json::from_value(value).map(|e| Self::V1(Box::new(e))).map_err(|e| {
                    EventError(format!("a V1 event (it has `currentIntent`) {}", why(&e)))
                })
            }
            (false, true) => serde_json::from_value(value)
                .map(|e| Self::V2(Box::new(e)))
                .map_err(|e| EventError(format!("a V2 event (it has `sessionState`) {}", why(&e)))),
            (true, true) => Err(EventError(
                "it has both `currentIntent` (V1) and `sessionState` (V2)".to_owned(),
            )),
            (false, false) => Err(EventError(
                "expected `currentIntent` (V1) or `sessionState` (V2) in the object".to_owned(),
            )),
        }
    }

    /// The Lex version.
    #[must_use]
    pub fn version(&self) -> LexVersion {
        match self {
            Self::V1(_) => LexVersion::V1,
            Self::V2(_) => LexVersion::V2,
        }
    }

    /// The V1 event, if it is one.
    #[must_use]
    pub fn v1(&self) -> Option<&V1Event> {
        match self {
            Self::V1(e) => Some(e),
            Self::V2(_) => None,
        }
    }

    /// The V2 event, if it is one.
    #[must_use]
    pub fn v2(&self) -> Option<&V2Event> {
        match self {
            Self::V2(e) => Some(e),
            Self::V1(_) => None,
        }
    }

    /// The current intent's name (V1 `currentIntent.name`, V2 `sessionState.intent.name`, or
    /// the best interpretation's when the session has none); empty when there is none.
    #[must_use]
    pub fn intent_name(&self) -> &str {
        match self {
            Self::V1(e) => &e.current_intent.name,
            Self::V2(e) => e
                .session_state
                .intent
                .as_ref()
                .or_else(|| e.interpretations.first().map(|i| &i.intent))
                .map_or("", |i| i.name.as_str()),
        }
    }

    /// A slot's value (V2: its interpreted value); `None` when unfilled or unknown.
    #[must_use]
    pub fn slot(&self, name: &str) -> Option<&str> {
        match self {
            Self::V1(e) => e.current_intent.slots.get(name)?.as_deref(),
            Self::V2(e) => e.session_state.intent.as_ref()?.slot(name),
        }
    }

    /// Every slot of the current intent with its value (V2: interpreted), in name order.
    #[must_use]
    pub fn slots(&self) -> Vec<(&str, Option<&str>)> {
        match self {
            Self::V1(e) => {
                e.current_intent.slots.iter().map(|(k, v)| (k.as_str(), v.as_deref())).collect()
            }
            Self::V2(e) => e.session_state.intent.as_ref().map_or_else(Vec::new, |intent| {
                intent
                    .slots
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_ref().and_then(|s| s.interpreted())))
                    .collect()
            }),
        }
    }

    /// The answer to a confirmation prompt, when Lex sent one.
    #[must_use]
    pub fn confirmation(&self) -> Option<&ConfirmationStatus> {
        match self {
            Self::V1(e) => e.current_intent.confirmation_status.as_ref(),
            Self::V2(e) => e.session_state.intent.as_ref()?.confirmation_state.as_ref(),
        }
    }

    /// Why Lex called, when it said.
    #[must_use]
    pub fn invocation_source(&self) -> Option<&InvocationSource> {
        match self {
            Self::V1(e) => e.invocation_source.as_ref(),
            Self::V2(e) => e.invocation_source.as_ref(),
        }
    }

    /// What the user said or typed.
    #[must_use]
    pub fn input_transcript(&self) -> &str {
        match self {
            Self::V1(e) => &e.input_transcript,
            Self::V2(e) => &e.input_transcript,
        }
    }

    /// The session: V1's `userId` (a V1 session is per user), V2's `sessionId`.
    #[must_use]
    pub fn session_id(&self) -> &str {
        match self {
            Self::V1(e) => &e.user_id,
            Self::V2(e) => &e.session_id,
        }
    }

    /// The session attributes Lex sent.
    #[must_use]
    pub fn session_attributes(&self) -> &Attributes {
        match self {
            Self::V1(e) => &e.session_attributes,
            Self::V2(e) => &e.session_state.session_attributes,
        }
    }

    /// One session attribute.
    #[must_use]
    pub fn session_attribute(&self, name: &str) -> Option<&str> {
        self.session_attributes().get(name).map(String::as_str)
    }

    /// The request attributes.
    #[must_use]
    pub fn request_attributes(&self) -> &RequestAttributes {
        match self {
            Self::V1(e) => &e.request_attributes,
            Self::V2(e) => &e.request_attributes,
        }
    }

    /// The messaging channel the request came through, if any.
    #[must_use]
    pub fn channel(&self) -> Option<Channel> {
        self.request_attributes().channel()
    }
}

/// A serde error as a reason that names fields but never quotes values from the body.
fn why(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if text.starts_with("missing field") {
        format!("lacks a required field: {text}")
    } else {
        "has a field of the wrong type".to_owned()
    }
}
