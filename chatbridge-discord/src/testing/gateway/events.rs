//! Gateway dispatch payloads (`d` of a `MESSAGE_CREATE` or `MESSAGE_REACTION_ADD`), shaped as
//! Discord sends them; each message has an id of its own.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::BOT_USER_ID;

/// The guild channel messages are in.
pub const GUILD: &str = "1170000000000000000";
/// The guild channel.
pub const CHANNEL: &str = "1160000000000000000";
/// The DM channel.
pub const DM_CHANNEL: &str = "1160000000000000099";
/// The person who writes.
pub const USER: &str = "1100000000000000005";

/// A fresh message id: a snowflake past every fixed id here.
#[must_use]
pub fn next_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1_180_000_000_000_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

fn user(id: &str, name: &str, bot: bool) -> Value {
    json!({"id": id, "username": name, "global_name": null, "discriminator": "0", "avatar": null,
           "bot": bot, "public_flags": 0})
}

/// A person's message in the guild channel.
#[must_use]
pub fn message(content: &str) -> Value {
    let mut message = direct_message(content);
    message["channel_id"] = json!(CHANNEL);
    message["guild_id"] = json!(GUILD);
    message["member"] = json!({
        "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false,
        "flags": 0, "nick": null,
    });
    message
}

/// A person's direct message to the bot.
#[must_use]
pub fn direct_message(content: &str) -> Value {
    json!({
        "id": next_id(),
        "channel_id": DM_CHANNEL,
        "author": user(USER, "tester", false),
        "content": content,
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
    })
}

/// A message in the guild channel that mentions the bot (`<@id> content`).
#[must_use]
pub fn mention(content: &str) -> Value {
    let mut message = message(&format!("<@{BOT_USER_ID}> {content}"));
    message["mentions"] = json!([user(BOT_USER_ID, "chatbridge", true)]);
    message
}

/// A message in the guild channel written by the bot itself.
#[must_use]
pub fn own_message(content: &str) -> Value {
    let mut message = message(content);
    message["author"] = user(BOT_USER_ID, "chatbridge", true);
    message
}

/// A message in the guild channel written by another bot.
#[must_use]
pub fn other_bot_message(content: &str) -> Value {
    let mut message = message(content);
    message["author"] = user("1100000000000000077", "otherbot", true);
    message
}

/// The person's reaction with the Unicode `emoji` to `message_id` in the guild channel.
#[must_use]
pub fn reaction(message_id: &str, emoji: &str) -> Value {
    json!({
        "user_id": USER,
        "channel_id": CHANNEL,
        "message_id": message_id,
        "guild_id": GUILD,
        "emoji": {"id": null, "name": emoji},
        "burst": false,
        "type": 0,
    })
}

/// The id of a message payload.
#[must_use]
pub fn id_of(payload: &Value) -> String {
    payload["id"].as_str().unwrap_or_default().to_owned()
}
