//! emojibot: reacts to messages with a tenuously related emoji.
//!
//! | platform | what the user does | what the bot does |
//! | --- | --- | --- |
//! | Slack | says something in a channel | reacts to it (`reactions.add`) |
//! | Slack | says something in a DM | replies with the emoji |
//! | Discord | `/emoji text:<words>` | replies with the emoji |
//! | Discord | "Emojify" on a message (context menu) | reacts to that message |
//! | Lex | says something to the bot | the reply carries the emoji |

use chatbridge_core::{Context, Message, MessageKind, Reply, Router};

use crate::emoji::{self, Entry};

/// The context-menu command that reacts to a Discord message.
pub const EMOJIFY: &str = "Emojify";

/// The bot's routes: messages, mentions, `/emoji`, "Emojify" and Lex intents.
pub fn router() -> Router {
    Router::new()
        .command("emoji", emojify)
        .command(EMOJIFY, emojify)
        .on(MessageKind::Message, emojify)
        .on(MessageKind::Mention, emojify)
        .on(MessageKind::Intent, emojify)
}

/// Reacts in channels; answers in DMs, to commands and to Lex.
pub async fn emojify(_cx: Context, msg: Message) -> Option<Reply> {
    let found = emoji::emojify(&msg.text);
    let reacts = match msg.kind {
        MessageKind::Message | MessageKind::Mention => !msg.is_direct,
        MessageKind::Command => msg.command_name() == Some(EMOJIFY),
        _ => false,
    };
    match (found, reacts) {
        (Some(entry), true) if msg.kind == MessageKind::Command => Some(
            Reply::reaction(entry)
                .with_text(format!("Reacted with {}", entry.character))
                .ephemeral(),
        ),
        (Some(entry), true) => Some(Reply::reaction(entry)),
        // Nothing comes to mind: say nothing in a channel rather than add noise.
        (None, true) if msg.kind != MessageKind::Command => None,
        (Some(entry), false) => Some(Reply::text(entry.character)),
        (None, _) => Some(Reply::text(shrug()).ephemeral()),
    }
}

fn shrug() -> &'static str {
    "🤷 no emoji comes to mind"
}

impl Entry {
    /// The emoji as Discord and text want it.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        self.character
    }
}
