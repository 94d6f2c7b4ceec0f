//! Lex V1 code-hook events and responses (the V1 guide, "Lambda Function Input Event and
//! Response Format").
//!
//! A V1 event must carry `messageVersion`, `userId` and a `currentIntent` object: without any
//! of them it does not parse as V1 (a V2 event has none of the last two).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::card::ResponseCard;
use crate::model::value::{Attributes, Extra, Slots, attributes, opt_string, slots, string};
use crate::{
    ConfirmationStatus, ContentType, DialogActionType, FulfillmentState, InvocationSource,
    OutputDialogMode, RequestAttributes,
};

/// A Lex V1 code-hook event.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V1Event {
    /// `messageVersion` (always `1.0` so far). Required.
    #[serde(with = "string")]
    pub message_version: String,
    /// Why Lex called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_source: Option<InvocationSource>,
    /// The client's user id. Required.
    #[serde(with = "string")]
    pub user_id: String,
    /// What the user said or typed.
    #[serde(default, with = "string")]
    pub input_transcript: String,
    /// Session attributes.
    #[serde(default, with = "attributes", skip_serializing_if = "Attributes::is_empty")]
    pub session_attributes: Attributes,
    /// Request attributes (the messaging channel's among them).
    #[serde(default, skip_serializing_if = "RequestAttributes::is_empty")]
    pub request_attributes: RequestAttributes,
    /// The bot.
    #[serde(default)]
    pub bot: V1Bot,
    /// Whether the client expects text or voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dialog_mode: Option<OutputDialogMode>,
    /// The intent Lex recognised. Required.
    pub current_intent: V1Intent,
    /// Other intents Lex considered.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub alternative_intents: Vec<V1Intent>,
    /// The last intents of the session.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub recent_intent_summary_view: Vec<IntentSummary>,
    /// Amazon Comprehend's sentiment of the utterance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment_response: Option<V1Sentiment>,
    /// Fields this crate does not model (`activeContexts`, `kendraResponse`, …), as Lex sent
    /// them.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The V1 bot that processed the request.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct V1Bot {
    /// The bot's name.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The alias (`$LATEST` in the console).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The version.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A V1 intent with its slots.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V1Intent {
    /// The intent's name.
    #[serde(default, with = "string")]
    pub name: String,
    /// How confident Lex is (0 to 1), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nlu_intent_confidence_score: Option<f64>,
    /// Slot values; an unfilled slot is `None`.
    #[serde(default, with = "slots")]
    pub slots: Slots,
    /// More about each slot's value.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub slot_details: BTreeMap<String, Option<SlotDetail>>,
    /// The answer to a confirmation prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_status: Option<ConfirmationStatus>,
    /// Fields this crate does not model, as Lex sent them.
    #[serde(flatten)]
    pub extra: Extra,
}

/// More about a V1 slot's value.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SlotDetail {
    /// Other values recognised for the slot (up to five).
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resolutions: Vec<Resolution>,
    /// What the user said for it.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub original_value: Option<String>,
}

/// One resolved value of a slot.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resolution {
    /// The value.
    #[serde(default, with = "string")]
    pub value: String,
}

/// One entry of `recentIntentSummaryView` (events and responses).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IntentSummary {
    /// The intent's name.
    #[serde(default, with = "string")]
    pub intent_name: String,
    /// A label to find the intent again.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub checkpoint_label: Option<String>,
    /// Slot values.
    #[serde(default, with = "slots", skip_serializing_if = "Slots::is_empty")]
    pub slots: Slots,
    /// The confirmation status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_status: Option<ConfirmationStatus>,
    /// The last dialog action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog_action_type: Option<DialogActionType>,
    /// The fulfilment state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_state: Option<FulfillmentState>,
    /// The slot being elicited.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub slot_to_elicit: Option<String>,
}

/// V1 `sentimentResponse`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V1Sentiment {
    /// `POSITIVE`, `NEGATIVE`, `NEUTRAL` or `MIXED`.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub sentiment_label: Option<String>,
    /// The scores, as Lex writes them (a string).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub sentiment_score: Option<String>,
}

/// A Lex V1 code-hook response.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V1Response {
    /// The session's attributes after this turn; absent keeps Lex's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_attributes: Option<Attributes>,
    /// Recent intents to set.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub recent_intent_summary_view: Vec<IntentSummary>,
    /// What Lex does next. Required.
    pub dialog_action: V1DialogAction,
}

/// A V1 response's `dialogAction`. Which fields apply depends on `type`: `Close` needs
/// `fulfillmentState`; `ElicitSlot` needs `intentName`, `slots` and `slotToElicit`;
/// `ConfirmIntent` needs `intentName` and `slots`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V1DialogAction {
    /// The action.
    #[serde(rename = "type")]
    pub kind: DialogActionType,
    /// For `Close`: fulfilled or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_state: Option<FulfillmentState>,
    /// The message to show or say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<V1Message>,
    /// The intent, for `ElicitSlot` and `ConfirmIntent`.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub intent_name: Option<String>,
    /// Slot values; an empty slot is `null`.
    #[serde(default, with = "opt_slots", skip_serializing_if = "Option::is_none")]
    pub slots: Option<Slots>,
    /// The slot to ask for, for `ElicitSlot`.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub slot_to_elicit: Option<String>,
    /// Cards to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_card: Option<ResponseCard>,
}

/// A V1 message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V1Message {
    /// `PlainText`, `SSML` or `CustomPayload`.
    pub content_type: ContentType,
    /// The content.
    #[serde(default, with = "string")]
    pub content: String,
}

impl V1Message {
    /// A message of a content type.
    #[must_use]
    pub fn new(content_type: ContentType, content: impl Into<String>) -> Self {
        Self { content_type, content: content.into() }
    }
}

impl V1DialogAction {
    /// An action of a type, with nothing else set.
    #[must_use]
    pub fn new(kind: DialogActionType) -> Self {
        Self {
            kind,
            fulfillment_state: None,
            message: None,
            intent_name: None,
            slots: None,
            slot_to_elicit: None,
            response_card: None,
        }
    }
}

mod opt_slots {
    use serde::{Deserializer, Serialize, Serializer};

    use crate::model::value::Slots;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Slots>, D::Error> {
        crate::model::value::slots::deserialize(d).map(Some)
    }

    pub(super) fn serialize<S: Serializer>(value: &Option<Slots>, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}
