//! Turning a handler's replies into a V1 or V2 response.
//!
//! Rules, for both versions:
//! - Replies are merged in order: texts and Lex messages keep their order, session attribute
//!   and slot changes apply in order, and the last [`LexAction`] set wins.
//! - No action set: `Close` + `Fulfilled` when there is a message; with no message at all,
//!   `Delegate` on a dialog code hook (Lex carries on as configured) and `Close` + `Fulfilled`
//!   without a message on a fulfilment code hook (Lex then uses the intent's closing
//!   response). A handler that says nothing gets the same.
//! - V2 takes every message in `messages[]`. V1 takes one message: several plain-text messages
//!   are joined with a newline; several messages of which one is not plain text cannot be
//!   combined and fail the render with a clear error. Cards go to V1's `responseCard`.
//! - V2 answers carry what AWS's response schema requires and allows: `sessionAttributes`
//!   always (empty when there are none); the session's intent echoed with its slots (list
//!   values, composite sub-slots, shapes), `runtimeHints`, `activeContexts` and
//!   `originatingRequestId`, but no `kendraResponse` nor fields this crate does not model.
//!   `ElicitIntent` and `ConfirmIntent` need a message in V2: without one the render fails.

use chatbridge_core::Reply;

use crate::model::LexEvent;
use crate::model::card::ResponseCard;
use crate::model::v1::{V1DialogAction, V1Event, V1Message, V1Response};
use crate::model::v2::{ActiveContext, DialogAction, Intent, Slot, V2Event, V2Message, V2Response};
use crate::model::value::Attributes;
use crate::reply::{LexAction, LexMessage, LexReply};
use crate::{ContentType, DialogActionType, FulfillmentState, IntentState, InvocationSource};

/// Everything the handler asked for, merged.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    action: Option<LexAction>,
    messages: Vec<LexMessage>,
    session_edits: Vec<(String, Option<String>)>,
    slot_edits: Vec<(String, Option<String>)>,
    /// Why a reply's card cannot be shown on Lex: the render fails with it.
    refused: Option<&'static str>,
}

/// A reply Lex cannot take.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct RenderError(&'static str);

impl Plan {
    /// Merges the handler's replies in order.
    pub(crate) fn from_replies(replies: Vec<Reply>) -> Self {
        let mut plan = Self::default();
        for mut reply in replies {
            // Lex has no reactions: a reply that is only a reaction shows its emoji as text.
            let reaction = reply.reaction.take().and_then(|e| e.character().map(str::to_owned));
            if let Some(text) = reply.text.take().or(reaction) {
                plan.messages.push(LexMessage::PlainText(text));
            }
            if reply.form.is_some() {
                plan.refused = plan.refused.or(Some(
                    "Lex has no forms: elicit the values as slots instead (LexAction::elicit_slot)",
                ));
            }
            if let Some(card) = reply.card.take() {
                match super::card::to_lex(&card) {
                    Ok(card) => plan.messages.push(LexMessage::Card(card)),
                    Err(reason) => plan.refused = plan.refused.or(Some(reason)),
                }
            }
            if let Some(lex) = reply.extensions.remove::<LexReply>() {
                let LexReply { action, session_attributes, slots, messages } = lex;
                plan.action = action.or(plan.action);
                plan.session_edits.extend(session_attributes);
                plan.slot_edits.extend(slots);
                plan.messages.extend(messages);
            }
        }
        plan
    }

    /// A failed close with one message (the budget ran out).
    pub(crate) fn failed(message: &str) -> Self {
        Self {
            action: Some(LexAction::failed()),
            messages: vec![LexMessage::PlainText(message.to_owned())],
            ..Self::default()
        }
    }

    fn action(&self, source: Option<&InvocationSource>) -> LexAction {
        match &self.action {
            Some(action) => action.clone(),
            None if !self.messages.is_empty() => LexAction::fulfilled(),
            None => match source {
                Some(InvocationSource::FulfillmentCodeHook) => LexAction::fulfilled(),
                _ => LexAction::Delegate,
            },
        }
    }

    fn session_attributes(&self, current: &Attributes) -> Attributes {
        let mut merged = current.clone();
        for (name, value) in &self.session_edits {
            match value {
                Some(value) => merged.insert(name.clone(), value.clone()),
                None => merged.remove(name),
            };
        }
        merged
    }
}

/// The response body for an event.
pub(crate) fn render(event: &LexEvent, plan: &Plan) -> Result<serde_json::Value, RenderError> {
    if let Some(reason) = plan.refused {
        return Err(RenderError(reason));
    }
    let value = match event {
        LexEvent::V1(e) => serde_json::to_value(render_v1(e, plan)?),
        LexEvent::V2(e) => serde_json::to_value(render_v2(e, plan)?),
    };
    value.map_err(|_| RenderError("the Lex response could not be serialized"))
}

fn render_v1(event: &V1Event, plan: &Plan) -> Result<V1Response, RenderError> {
    let attributes = plan.session_attributes(&event.session_attributes);
    let current = &event.current_intent;
    let mut slots = current.slots.clone();
    for (name, value) in &plan.slot_edits {
        slots.insert(name.clone(), value.clone());
    }
    let edited_only = || plan.slot_edits.iter().cloned().collect();

    let mut texts = Vec::new();
    let mut cards = Vec::new();
    for message in &plan.messages {
        match message {
            LexMessage::PlainText(t) => texts.push(V1Message::new(ContentType::PlainText, t)),
            LexMessage::Ssml(t) => texts.push(V1Message::new(ContentType::Ssml, t)),
            LexMessage::CustomPayload(t) => {
                texts.push(V1Message::new(ContentType::CustomPayload, t));
            }
            LexMessage::Card(card) => cards.push(card.clone()),
        }
    }
    let message = match texts.len() {
        0 | 1 => texts.pop(),
        _ if texts.iter().all(|m| m.content_type == ContentType::PlainText) => {
            let joined = texts.iter().map(|m| m.content.as_str()).collect::<Vec<_>>().join("\n");
            Some(V1Message::new(ContentType::PlainText, joined))
        }
        _ => {
            return Err(RenderError(
                "Lex V1 takes one message per response: only plain-text replies can be \
                 combined, not SSML or custom payloads",
            ));
        }
    };
    let card = (!cards.is_empty()).then(|| ResponseCard::generic(cards));

    let mut action = match plan.action(event.invocation_source.as_ref()) {
        LexAction::Close { fulfilled } => {
            let mut a = V1DialogAction::new(DialogActionType::Close);
            a.fulfillment_state = Some(if fulfilled {
                FulfillmentState::Fulfilled
            } else {
                FulfillmentState::Failed
            });
            a
        }
        LexAction::ElicitSlot { slot, intent } => {
            let mut a = V1DialogAction::new(DialogActionType::ElicitSlot);
            a.slots = Some(if same(&intent, &current.name) { slots } else { edited_only() });
            a.intent_name = Some(intent.unwrap_or_else(|| current.name.clone()));
            a.slot_to_elicit = Some(slot);
            a
        }
        LexAction::ConfirmIntent { intent } => {
            let mut a = V1DialogAction::new(DialogActionType::ConfirmIntent);
            a.slots = Some(if same(&intent, &current.name) { slots } else { edited_only() });
            a.intent_name = Some(intent.unwrap_or_else(|| current.name.clone()));
            a
        }
        LexAction::ElicitIntent => V1DialogAction::new(DialogActionType::ElicitIntent),
        LexAction::Delegate => {
            let mut a = V1DialogAction::new(DialogActionType::Delegate);
            a.slots = Some(slots);
            return Ok(response_v1(event, plan, attributes, a));
        }
    };
    action.message = message;
    action.response_card = card;
    Ok(response_v1(event, plan, attributes, action))
}

fn response_v1(
    event: &V1Event,
    plan: &Plan,
    attributes: Attributes,
    dialog_action: V1DialogAction,
) -> V1Response {
    let changed = !plan.session_edits.is_empty() || !event.session_attributes.is_empty();
    V1Response {
        session_attributes: changed.then_some(attributes),
        recent_intent_summary_view: Vec::new(),
        dialog_action,
    }
}

fn render_v2(event: &V2Event, plan: &Plan) -> Result<V2Response, RenderError> {
    let state = &event.session_state;
    // The session's intent goes back with every field the response schema allows.
    let mut intent = state
        .intent
        .as_ref()
        .map_or_else(|| Intent::new(event_intent(event)), Intent::for_response);
    apply_slots(&mut intent, plan);
    let switch = |other: Option<String>| match other {
        Some(name) if name != intent.name => {
            let mut fresh = Intent::new(name);
            apply_slots(&mut fresh, plan);
            fresh
        }
        _ => intent.clone(),
    };

    let action = plan.action(event.invocation_source.as_ref());
    if plan.messages.is_empty()
        && matches!(action, LexAction::ElicitIntent | LexAction::ConfirmIntent { .. })
    {
        return Err(RenderError(
            "Lex V2 needs a message with ElicitIntent and ConfirmIntent: give the reply a text",
        ));
    }
    let (dialog_action, intent) = match action {
        LexAction::Close { fulfilled } => {
            let mut closed = intent.clone();
            closed.state =
                Some(if fulfilled { IntentState::Fulfilled } else { IntentState::Failed });
            (DialogAction::new(DialogActionType::Close), Some(closed))
        }
        LexAction::ElicitSlot { slot, intent: other } => {
            let mut next = switch(other);
            next.state = Some(IntentState::InProgress);
            let mut action = DialogAction::new(DialogActionType::ElicitSlot);
            action.slot_to_elicit = Some(slot);
            (action, Some(next))
        }
        LexAction::ConfirmIntent { intent: other } => {
            let mut next = switch(other);
            next.state = Some(IntentState::InProgress);
            (DialogAction::new(DialogActionType::ConfirmIntent), Some(next))
        }
        LexAction::ElicitIntent => (DialogAction::new(DialogActionType::ElicitIntent), None),
        LexAction::Delegate => (DialogAction::new(DialogActionType::Delegate), Some(intent)),
    };

    let mut response = V2Response::default();
    let out = &mut response.session_state;
    out.active_contexts = state.active_contexts.iter().map(ActiveContext::for_response).collect();
    out.session_attributes = plan.session_attributes(&state.session_attributes);
    out.dialog_action = Some(dialog_action);
    out.intent = intent;
    out.originating_request_id.clone_from(&state.originating_request_id);
    out.runtime_hints.clone_from(&state.runtime_hints);
    response.messages = plan
        .messages
        .iter()
        .map(|m| match m {
            LexMessage::PlainText(t) => V2Message::new(ContentType::PlainText, t),
            LexMessage::Ssml(t) => V2Message::new(ContentType::Ssml, t),
            LexMessage::CustomPayload(t) => V2Message::new(ContentType::CustomPayload, t),
            LexMessage::Card(card) => V2Message::card(card.clone()),
        })
        .collect();
    Ok(response)
}

fn event_intent(event: &V2Event) -> String {
    event.interpretations.first().map(|i| i.intent.name.clone()).unwrap_or_default()
}

fn apply_slots(intent: &mut Intent, plan: &Plan) {
    for (name, value) in &plan.slot_edits {
        intent.slots.insert(name.clone(), value.as_ref().map(Slot::scalar));
    }
}

fn same(other: &Option<String>, current: &str) -> bool {
    other.as_deref().is_none_or(|name| name == current)
}
