//! Lex V2 code-hook events and responses (the V2 guide, "AWS Lambda input event format for
//! Lex V2", "AWS Lambda response format for Lex V2", "Common structures").
//!
//! A V2 event must carry `sessionId`, a `sessionState` object and a `bot` with its `localeId`:
//! without any of them it does not parse as V2 (a V1 event has none of them). Every other
//! field is optional; a field the guide does not document is kept raw in an `extra` map.

mod intent;
mod response;
mod session;

use serde::{Deserialize, Serialize};

pub use intent::{Intent, Slot, SlotValue};
pub use response::{V2Message, V2Response};
pub use session::{ActiveContext, DialogAction, ElicitSubSlot, SessionState};

use crate::model::value::{Extra, opt_string, string};
use crate::{InputMode, InvocationSource, RequestAttributes};

/// A Lex V2 code-hook event.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V2Event {
    /// `messageVersion` (`1.0` in V2 as well, so it tells nothing about the version).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub message_version: Option<String>,
    /// Why Lex called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_source: Option<InvocationSource>,
    /// Text, speech or DTMF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<InputMode>,
    /// What the client wants back (`text/plain; charset=utf-8`, `audio/pcm`, …).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub response_content_type: Option<String>,
    /// The session. Required.
    #[serde(with = "string")]
    pub session_id: String,
    /// What the user said or typed.
    #[serde(default, with = "string")]
    pub input_transcript: String,
    /// The label of the code hook that called, when one was set.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub invocation_label: Option<String>,
    /// The bot. Required, with its `localeId`.
    pub bot: V2Bot,
    /// The intents Lex considered, best first.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub interpretations: Vec<Interpretation>,
    /// What Lex would do next without the code hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_next_state: Option<ProposedNextState>,
    /// Request attributes (the messaging channel's among them).
    #[serde(default, skip_serializing_if = "RequestAttributes::is_empty")]
    pub request_attributes: RequestAttributes,
    /// The session's state. Required.
    pub session_state: SessionState,
    /// Speech transcriptions, as Lex sent them.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub transcriptions: Vec<serde_json::Value>,
    /// Fields this crate does not model, as Lex sent them.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The V2 bot that processed the request.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V2Bot {
    /// The bot's id.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The bot's name.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The locale (`en_US`). Required.
    #[serde(with = "string")]
    pub locale_id: String,
    /// The version (`DRAFT` or a number).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The alias id.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub alias_id: Option<String>,
    /// The alias name.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub alias_name: Option<String>,
}

/// One intent Lex considered.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Interpretation {
    /// The intent.
    #[serde(default)]
    pub intent: Intent,
    /// How confident Lex is, as Lex sent it (a number, or `{"score": n}` in older events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nlu_confidence: Option<serde_json::Value>,
    /// Amazon Comprehend's sentiment, as Lex sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment_response: Option<serde_json::Value>,
    /// `Lex` or `Bedrock`.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub interpretation_source: Option<String>,
    /// Fields this crate does not model, as Lex sent them.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What Lex would do next without the code hook.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProposedNextState {
    /// The proposed action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog_action: Option<DialogAction>,
    /// The proposed intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<Intent>,
    /// The prompt attempt, as Lex sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<serde_json::Value>,
    /// Fields this crate does not model, as Lex sent them.
    #[serde(flatten)]
    pub extra: Extra,
}
