//! emojibot: reacts to messages with a tenuously related emoji.
//!
//! | platform | what the user does | what the bot does |
//! | --- | --- | --- |
//! | Slack | says something in a channel | reacts to it (`reactions.add`) |
//! | Slack | says something in a DM | replies with the emoji |
//! | Discord | `/emoji text:<words>` | replies with the emoji |
//! | Discord (Gateway) | says something in a channel | reacts to it (`PUT …/reactions/{emoji}/@me`) |
//! | Discord (Gateway) | says something in a DM | replies with the emoji |
//! | Discord | "Emojify" on a message (context menu) | reacts to that message |
//! | Lex | says something to the bot | the reply carries the emoji |

use chatbridge_core::{Context, Message, MessageKind, Reply, Router};

use crate::emoji;

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
    let nothing = || Reply::text(NOTHING_COMES_TO_MIND).ephemeral();
    match msg.kind {
        // A message in a channel: react to it, or stay quiet rather than add noise.
        MessageKind::Message | MessageKind::Mention if !msg.is_direct => found.map(Reply::reaction),
        // "Emojify" on a Discord message: react to that message, and tell the user.
        MessageKind::Command if msg.command_name() == Some(EMOJIFY) => {
            Some(found.map_or_else(nothing, |entry| {
                Reply::reaction(entry)
                    .with_text(format!("Reacted with {}", entry.character))
                    .ephemeral()
            }))
        }
        // A DM, `/emoji`, a Lex intent: answer with the emoji.
        _ => Some(found.map_or_else(nothing, |entry| Reply::text(entry.character))),
    }
}

/// The answer to a command or a DM when no emoji matches.
pub const NOTHING_COMES_TO_MIND: &str = "🤷 no emoji comes to mind";
