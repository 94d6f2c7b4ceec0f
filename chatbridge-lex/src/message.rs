//! Mapping a [`LexEvent`] to a [`Message`], and [`LexMessageExt`] to get the event back.

use std::sync::Arc;

use chatbridge_core::{Command, Message, MessageKind, Platform, Sender, Text};

use crate::model::LexEvent;

/// The Lex event behind a [`Message`], for handlers.
///
/// ```
/// use chatbridge_core::{Context, Message};
/// use chatbridge_lex::LexMessageExt;
///
/// async fn order(_cx: Context, msg: Message) -> String {
///     let size = msg.lex().and_then(|lex| lex.slot("Size")).unwrap_or("medium");
///     format!("one {size} pizza coming up")
/// }
/// # let _ = order;
/// ```
pub trait LexMessageExt {
    /// The Lex event, when the message came from Lex.
    fn lex(&self) -> Option<&LexEvent>;
}

impl LexMessageExt for Message {
    fn lex(&self) -> Option<&LexEvent> {
        self.payload::<LexEvent>()
    }
}

/// A Lex event as a message.
///
/// - kind [`MessageKind::Intent`], text the `inputTranscript`;
/// - command: the intent's name with the transcript as arguments, so
///   `Router::command("OrderPizza", h)` routes the `OrderPizza` intent;
/// - conversation: the session (V1 `userId`, V2 `sessionId`); direct;
/// - sender: the channel's `x-amz-lex:user-id` when a messaging channel sent one, else the
///   session id;
/// - workspace: the Slack team or Facebook page, when there is one;
/// - the event itself, for [`LexMessageExt::lex`].
pub(crate) fn to_message(event: Arc<LexEvent>) -> Message {
    // One string for the text and the command's arguments.
    let transcript = Text::new(event.input_transcript());
    let channel = event.channel();
    let sender = channel
        .as_ref()
        .and_then(|c| c.user_id.clone())
        .unwrap_or_else(|| event.session_id().to_owned());
    let mut message = Message::new(Platform::LEX, MessageKind::Intent)
        .with_text(transcript.clone())
        .with_command(Command::new(event.intent_name(), transcript))
        .with_conversation(event.session_id())
        .with_sender(Sender::new(sender))
        .direct(true);
    if let Some(workspace) = channel.as_ref().and_then(|c| c.workspace_id()) {
        message = message.with_workspace(workspace);
    }
    message.with_payload(event)
}
