//! The V2 intent and its slots (the V2 guide, "Common structures": "Intent", "Slots").
//!
//! Every field the guide documents is modelled; a field it does not is kept raw in `extra`, so
//! a handler can still read it. A response carries only what AWS's response schema allows:
//! [`Intent::for_response`] drops `kendraResponse` and the raw extras, and keeps the rest
//! (composite `subSlots`, `List` values, `shape`, `state`, `confirmationState`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::value::{Extra, opt_string};
use crate::{ConfirmationStatus, IntentState, SlotShape};

/// A V2 intent.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Intent {
    /// The intent's name.
    #[serde(default, with = "crate::model::value::string")]
    pub name: String,
    /// The slots; an unfilled slot is `None` (JSON `null`).
    #[serde(default, deserialize_with = "crate::model::value::null_default")]
    pub slots: BTreeMap<String, Option<Slot>>,
    /// The fulfilment state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<IntentState>,
    /// The answer to a confirmation prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_state: Option<ConfirmationStatus>,
    /// Amazon Kendra's answer, for `KendraSearchIntent` (events only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kendra_response: Option<serde_json::Value>,
    /// Fields this crate does not model, as Lex sent them (events only).
    #[serde(flatten)]
    pub extra: Extra,
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

    /// The intent as a response may carry it: every field AWS's response schema allows, and
    /// nothing else (no `kendraResponse`, no unmodelled fields, at any depth).
    ///
    /// ```
    /// use chatbridge_lex::v2::Intent;
    ///
    /// let intent: Intent = serde_json::from_value(serde_json::json!({
    ///     "name": "Search", "slots": {"Topic": null}, "state": "InProgress",
    ///     "kendraResponse": {"ResultItems": []}, "somethingNew": 1
    /// })).unwrap();
    /// let echoed = serde_json::to_value(intent.for_response()).unwrap();
    /// assert_eq!(echoed, serde_json::json!({
    ///     "name": "Search", "slots": {"Topic": null}, "state": "InProgress"
    /// }));
    /// ```
    #[must_use]
    pub fn for_response(&self) -> Self {
        Self {
            name: self.name.clone(),
            slots: response_slots(&self.slots),
            state: self.state.clone(),
            confirmation_state: self.confirmation_state.clone(),
            kendra_response: None,
            extra: Extra::new(),
        }
    }
}

/// A V2 slot: one value, a list of them (`shape: List`), or sub-slots (`shape: Composite`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Slot {
    /// `Scalar`, `List` or `Composite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<SlotShape>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<SlotValue>,
    /// The values of a `List` slot.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub values: Vec<Slot>,
    /// The sub-slots of a `Composite` slot; an unfilled one is `None` (JSON `null`).
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub sub_slots: BTreeMap<String, Option<Slot>>,
    /// Fields this crate does not model, as Lex sent them (events only).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Slot {
    /// A scalar slot holding `value` (original and interpreted).
    #[must_use]
    pub fn scalar(value: impl Into<String>) -> Self {
        let value = value.into();
        Self {
            value: Some(SlotValue {
                original_value: Some(value.clone()),
                interpreted_value: Some(value),
                ..SlotValue::default()
            }),
            ..Self::default()
        }
    }

    /// The interpreted value.
    #[must_use]
    pub fn interpreted(&self) -> Option<&str> {
        self.value.as_ref()?.interpreted_value.as_deref()
    }

    /// A sub-slot's interpreted value (`None` for an unfilled or unknown sub-slot).
    #[must_use]
    pub fn sub_slot(&self, name: &str) -> Option<&str> {
        self.sub_slots.get(name)?.as_ref()?.interpreted()
    }

    fn for_response(&self) -> Self {
        Self {
            shape: self.shape.clone(),
            value: self.value.as_ref().map(SlotValue::for_response),
            values: self.values.iter().map(Self::for_response).collect(),
            sub_slots: response_slots(&self.sub_slots),
            extra: Extra::new(),
        }
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
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resolved_values: Vec<crate::LexString>,
    /// Fields this crate does not model, as Lex sent them (events only).
    #[serde(flatten)]
    pub extra: Extra,
}

impl SlotValue {
    fn for_response(&self) -> Self {
        Self { extra: Extra::new(), ..self.clone() }
    }
}

fn response_slots(slots: &BTreeMap<String, Option<Slot>>) -> BTreeMap<String, Option<Slot>> {
    slots.iter().map(|(name, slot)| (name.clone(), slot.as_ref().map(Slot::for_response))).collect()
}
