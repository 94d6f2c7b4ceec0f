//! Lex V2 code-hook events and responses (the V2 guide, "AWS Lambda input event format for
//! Lex V2", "AWS Lambda response format for Lex V2", "Common structures").
//!
//! A V2 event must carry `sessionId`, a `sessionState` object and a `bot` with its `localeId`:
//! without any of them it does not parse as V2 (a V1 event has none of them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::card::ImageResponseCard;
use crate::value::{Attributes, attributes, opt_string, string};
use crate::{
    ConfirmationStatus, ContentType, DialogActionType, InputMode, IntentState, InvocationSource,
    RequestAttributes, SlotShape,
};

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
        deserialize_with = "crate::value::null_default",
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
        deserialize_with = "crate::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub transcriptions: Vec<serde_json::Value>,
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
}

/// A V2 intent.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Intent {
    /// The intent's name.
    #[serde(default, with = "string")]
    pub name: String,
    /// The slots; an unfilled slot is `None` (JSON `null`).
    #[serde(default, deserialize_with = "crate::value::null_default")]
    pub slots: BTreeMap<String, Option<Slot>>,
    /// The fulfilment state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<IntentState>,
    /// The answer to a confirmation prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_state: Option<ConfirmationStatus>,
    /// Amazon Kendra's answer, for `KendraSearchIntent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kendra_response: Option<serde_json::Value>,
}

impl Intent {
    /// An intent by name, with no slots.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }

    /// A slot's interpreted value (`None` for an unfilled or unknown slot).
    #[must_use]
    pub fn slot(&self, name: &str) -> Option<&str> {
        self.slots.get(name)?.as_ref()?.interpreted()
    }
}

/// A V2 slot: one value, or a list of them.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Slot {
    /// `Scalar` or `List`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<SlotShape>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<SlotValue>,
    /// The values of a `List` slot.
    #[serde(
        default,
        deserialize_with = "crate::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub values: Vec<Slot>,
}

impl Slot {
    /// A scalar slot holding `value` (original and interpreted).
    #[must_use]
    pub fn scalar(value: impl Into<String>) -> Self {
        let value = value.into();
        Self {
            shape: None,
            value: Some(SlotValue {
                original_value: Some(value.clone()),
                interpreted_value: Some(value),
                resolved_values: Vec::new(),
            }),
            values: Vec::new(),
        }
    }

    /// The interpreted value.
    #[must_use]
    pub fn interpreted(&self) -> Option<&str> {
        self.value.as_ref()?.interpreted_value.as_deref()
    }
}

/// A V2 slot's value.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SlotValue {
    /// What the user said.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub original_value: Option<String>,
    /// What Lex made of it.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub interpreted_value: Option<String>,
    /// Other values it could be.
    #[serde(
        default,
        deserialize_with = "crate::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resolved_values: Vec<crate::LexString>,
}

/// The V2 session state (events and responses).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionState {
    /// Active contexts.
    #[serde(
        default,
        deserialize_with = "crate::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub active_contexts: Vec<ActiveContext>,
    /// Session attributes.
    #[serde(default, with = "attributes", skip_serializing_if = "Attributes::is_empty")]
    pub session_attributes: Attributes,
    /// The dialog action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog_action: Option<DialogAction>,
    /// The active intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<Intent>,
    /// The request that started this state.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub originating_request_id: Option<String>,
    /// Slot hints, as Lex sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_hints: Option<serde_json::Value>,
}

/// A V2 dialog action.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DialogAction {
    /// The action.
    #[serde(rename = "type")]
    pub kind: DialogActionType,
    /// The slot to ask for, for `ElicitSlot`.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub slot_to_elicit: Option<String>,
    /// How to elicit it (`Default`, `SpellByLetter`, `SpellByWord`).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub slot_elicitation_style: Option<String>,
}

impl DialogAction {
    /// An action of a type.
    #[must_use]
    pub fn new(kind: DialogActionType) -> Self {
        Self { kind, slot_to_elicit: None, slot_elicitation_style: None }
    }
}

/// A V2 active context.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ActiveContext {
    /// The context's name.
    #[serde(default, with = "string")]
    pub name: String,
    /// Its attributes.
    #[serde(default, with = "attributes")]
    pub context_attributes: Attributes,
    /// How long it stays active, as Lex sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_live: Option<serde_json::Value>,
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
}

/// A Lex V2 code-hook response.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V2Response {
    /// The session's state after this turn. Required.
    pub session_state: SessionState,
    /// The messages, in order.
    #[serde(
        default,
        deserialize_with = "crate::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub messages: Vec<V2Message>,
    /// Request attributes to return.
    #[serde(default, with = "attributes", skip_serializing_if = "Attributes::is_empty")]
    pub request_attributes: Attributes,
}

/// A V2 message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V2Message {
    /// `PlainText`, `SSML`, `CustomPayload` or `ImageResponseCard`.
    pub content_type: ContentType,
    /// The content (not for a card).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The card, for `ImageResponseCard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_response_card: Option<ImageResponseCard>,
}

impl V2Message {
    /// A text-like message (`PlainText`, `SSML`, `CustomPayload`).
    #[must_use]
    pub fn new(content_type: ContentType, content: impl Into<String>) -> Self {
        Self { content_type, content: Some(content.into()), image_response_card: None }
    }

    /// An image response card.
    #[must_use]
    pub fn card(card: ImageResponseCard) -> Self {
        Self {
            content_type: ContentType::ImageResponseCard,
            content: None,
            image_response_card: Some(card),
        }
    }
}
