//! The handlers the Lex corpus is answered with: a text reply, nothing at all, a delegation
//! that sets a session attribute, and a slot elicitation with a card.

use chatbridge_core::{Context, Message, MessageKind, Reply, Router};
use chatbridge_lex::{Button, ImageResponseCard, LexAction, LexMessageExt, LexReplyExt};
use serde_json::Value;

/// The text the text router answers an event with.
pub fn text_for(event: &Value) -> String {
    let intent = event.get("currentIntent").unwrap_or(&event["sessionState"]["intent"]);
    let (name, transcript) = (&intent["name"], &event["inputTranscript"]);
    format!(
        "{} heard: {}",
        name.as_str().unwrap_or_default(),
        transcript.as_str().unwrap_or_default()
    )
}

/// The first slot of the event's current intent, in name order.
pub fn first_slot(event: &Value) -> Option<String> {
    let intent = event.get("currentIntent").unwrap_or(&event["sessionState"]["intent"]);
    intent["slots"].as_object()?.keys().min().cloned()
}

/// Answers every intent with a text naming it and quoting the transcript.
pub fn text() -> Router {
    async fn text(_cx: Context, msg: Message) -> String {
        let lex = msg.lex().expect("a Lex message");
        format!("{} heard: {}", lex.intent_name(), lex.input_transcript())
    }
    Router::new().on(MessageKind::Intent, text)
}

/// Says nothing.
pub fn silent() -> Router {
    async fn silent(_cx: Context, _msg: Message) {}
    Router::new().on(MessageKind::Intent, silent)
}

/// Lets Lex carry on, and notes a session attribute.
pub fn delegate() -> Router {
    async fn delegate(_cx: Context, _msg: Message) -> Reply {
        Reply::new().lex_action(LexAction::Delegate).session_attribute("seen", "yes")
    }
    Router::new().on(MessageKind::Intent, delegate)
}

/// Asks for the intent's first slot with a card, or for an intent when it has no slot.
pub fn elicit() -> Router {
    async fn elicit(_cx: Context, msg: Message) -> Reply {
        let lex = msg.lex().expect("a Lex message");
        let Some((slot, _)) = lex.slots().into_iter().next() else {
            return Reply::text("What would you like?").lex_action(LexAction::ElicitIntent);
        };
        let card = ImageResponseCard::new("Pick one")
            .with_subtitle("or say something else")
            .with_button(Button::new("Yes", "yes"))
            .with_button(Button::new("No", "no"));
        Reply::text(format!("What {slot}?"))
            .lex_action(LexAction::elicit_slot(slot))
            .session_attribute("asked", slot)
            .lex_card(card)
    }
    Router::new().on(MessageKind::Intent, elicit)
}
