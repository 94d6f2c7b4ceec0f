//! The V2 session state, its dialog action and active contexts (the V2 guide, "Common
//! structures": "Session state", "Dialog action", "Active contexts").

use serde::{Deserialize, Serialize};

use crate::DialogActionType;
use crate::model::v2::Intent;
use crate::model::value::{Attributes, Extra, attributes, opt_string, string};

/// The V2 session state (events and responses).
///
/// `sessionAttributes` is always written, as an empty map when there are none: AWS's response
/// schema requires it, and an absent map is not an empty one to Lex.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionState {
    /// Active contexts.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub active_contexts: Vec<ActiveContext>,
    /// Session attributes.
    #[serde(default, with = "attributes")]
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
    /// Slot hints (`slotHints`), as Lex sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_hints: Option<serde_json::Value>,
    /// Fields this crate does not model, as Lex sent them (events only).
    #[serde(flatten)]
    pub extra: Extra,
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
    /// The sub-slot of a composite `slotToElicit` to ask for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_slot_to_elicit: Option<ElicitSubSlot>,
    /// Fields this crate does not model, as Lex sent them (events only).
    #[serde(flatten)]
    pub extra: Extra,
}

impl DialogAction {
    /// An action of a type.
    #[must_use]
    pub fn new(kind: DialogActionType) -> Self {
        Self {
            kind,
            slot_to_elicit: None,
            slot_elicitation_style: None,
            sub_slot_to_elicit: None,
            extra: Extra::new(),
        }
    }
}

/// A sub-slot to elicit, itself possibly naming a deeper one.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitSubSlot {
    /// The sub-slot's name.
    #[serde(default, with = "string")]
    pub name: String,
    /// A sub-slot of this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_slot_to_elicit: Option<Box<ElicitSubSlot>>,
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
    /// How long it stays active (`timeToLiveInSeconds`, `turnsToLive`), as Lex sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_live: Option<serde_json::Value>,
    /// Fields this crate does not model, as Lex sent them (events only).
    #[serde(flatten)]
    pub extra: Extra,
}

impl ActiveContext {
    /// The context as a response may carry it (without unmodelled fields).
    #[must_use]
    pub fn for_response(&self) -> Self {
        Self { extra: Extra::new(), ..self.clone() }
    }
}
