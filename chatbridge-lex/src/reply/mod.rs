//! [`LexReplyExt`]: the Lex-only parts of a [`Reply`] (dialog actions, session attributes,
//! slot values, SSML, custom payloads and cards).

mod card;
pub(crate) mod render;

use chatbridge_core::Reply;

use crate::model::card::ImageResponseCard;

/// What Lex should do after this turn, when a plain `Close` + `Fulfilled` is not it.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum LexAction {
    /// End the intent: fulfilled (`true`) or failed (`false`).
    Close {
        /// Whether the intent was fulfilled.
        fulfilled: bool,
    },
    /// Ask the user for a slot of an intent (the current one when `intent` is `None`).
    ElicitSlot {
        /// The slot to ask for.
        slot: String,
        /// Another intent to switch to.
        intent: Option<String>,
    },
    /// Ask the user what they want next.
    ElicitIntent,
    /// Ask the user to confirm an intent (the current one when `intent` is `None`).
    ConfirmIntent {
        /// Another intent to confirm.
        intent: Option<String>,
    },
    /// Let Lex decide from the bot's configuration. V1 sends no message or card with it
    /// (its `Delegate` has none); V2 sends the messages along.
    Delegate,
}

impl LexAction {
    /// `Close` with `Fulfilled`.
    #[must_use]
    pub fn fulfilled() -> Self {
        Self::Close { fulfilled: true }
    }

    /// `Close` with `Failed`.
    #[must_use]
    pub fn failed() -> Self {
        Self::Close { fulfilled: false }
    }

    /// `ElicitSlot` for a slot of the current intent.
    #[must_use]
    pub fn elicit_slot(slot: impl Into<String>) -> Self {
        Self::ElicitSlot { slot: slot.into(), intent: None }
    }

    /// `ConfirmIntent` for the current intent.
    #[must_use]
    pub fn confirm_intent() -> Self {
        Self::ConfirmIntent { intent: None }
    }
}

/// A message other than plain text.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum LexMessage {
    /// Plain text (what [`Reply::text`] becomes).
    PlainText(String),
    /// Speech Synthesis Markup Language.
    Ssml(String),
    /// A payload the client interprets.
    CustomPayload(String),
    /// A card: V2 `ImageResponseCard`, V1 `responseCard` attachment.
    Card(ImageResponseCard),
}

/// The Lex parts of a reply, kept in its extensions. Read it to inspect what a handler set.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct LexReply {
    /// The action, if the handler chose one.
    pub action: Option<LexAction>,
    /// Session attribute changes in order: `Some` sets, `None` removes.
    pub session_attributes: Vec<(String, Option<String>)>,
    /// Slot changes in order: `Some` fills, `None` empties.
    pub slots: Vec<(String, Option<String>)>,
    /// Messages after the reply's text, in order.
    pub messages: Vec<LexMessage>,
}

/// Lex-only parts on a [`Reply`]: the escape hatch for what no other platform has.
///
/// ```
/// use chatbridge_core::Reply;
/// use chatbridge_lex::{ImageResponseCard, Button, LexAction, LexReplyExt};
///
/// let reply = Reply::text("What size?")
///     .lex_action(LexAction::elicit_slot("Size"))
///     .session_attribute("flavour", "margherita")
///     .lex_card(ImageResponseCard::new("Size").with_button(Button::new("Large", "large")));
/// let lex = reply.lex().unwrap();
/// assert_eq!(lex.action, Some(LexAction::elicit_slot("Size")));
/// ```
pub trait LexReplyExt: Sized {
    /// Sets what Lex does next (the default for a reply with text is `Close` + `Fulfilled`).
    #[must_use]
    fn lex_action(self, action: LexAction) -> Self;

    /// Sets a session attribute; Lex keeps it for the rest of the session.
    #[must_use]
    fn session_attribute(self, name: impl Into<String>, value: impl Into<String>) -> Self;

    /// Removes a session attribute.
    #[must_use]
    fn remove_session_attribute(self, name: impl Into<String>) -> Self;

    /// Fills (or with `None` empties) a slot of the intent in the response.
    #[must_use]
    fn slot(self, name: impl Into<String>, value: Option<String>) -> Self;

    /// Adds an SSML message.
    #[must_use]
    fn ssml(self, ssml: impl Into<String>) -> Self;

    /// Adds a custom payload message.
    #[must_use]
    fn custom_payload(self, payload: impl Into<String>) -> Self;

    /// Adds a card (V2 image response card, V1 response card).
    #[must_use]
    fn lex_card(self, card: ImageResponseCard) -> Self;

    /// The Lex parts, if any were set.
    fn lex(&self) -> Option<&LexReply>;
}

impl LexReplyExt for Reply {
    fn lex_action(self, action: LexAction) -> Self {
        edit(self, |lex| lex.action = Some(action))
    }

    fn session_attribute(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        edit(self, |lex| lex.session_attributes.push((name.into(), Some(value.into()))))
    }

    fn remove_session_attribute(self, name: impl Into<String>) -> Self {
        edit(self, |lex| lex.session_attributes.push((name.into(), None)))
    }

    fn slot(self, name: impl Into<String>, value: Option<String>) -> Self {
        edit(self, |lex| lex.slots.push((name.into(), value)))
    }

    fn ssml(self, ssml: impl Into<String>) -> Self {
        edit(self, |lex| lex.messages.push(LexMessage::Ssml(ssml.into())))
    }

    fn custom_payload(self, payload: impl Into<String>) -> Self {
        edit(self, |lex| lex.messages.push(LexMessage::CustomPayload(payload.into())))
    }

    fn lex_card(self, card: ImageResponseCard) -> Self {
        edit(self, |lex| lex.messages.push(LexMessage::Card(card)))
    }

    fn lex(&self) -> Option<&LexReply> {
        self.extensions.get::<LexReply>()
    }
}

fn edit(mut reply: Reply, f: impl FnOnce(&mut LexReply)) -> Reply {
    let mut lex = reply.extensions.remove::<LexReply>().unwrap_or_default();
    f(&mut lex);
    reply.with_extension(lex)
}
