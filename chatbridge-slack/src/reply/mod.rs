//! Slack-only reply parts ([`SlackReplyExt`]) and the JSON bodies replies become; a portable
//! card becomes Block Kit ([`card`]), a portable form a modal view ([`form`]).

mod card;
pub use card::home_view;
pub(crate) mod form;

use std::borrow::Cow;

use chatbridge_core::{Reply, Visibility};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The Slack-only parts of a [`Reply`], set through [`SlackReplyExt`].
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct SlackReply {
    /// Block Kit blocks, sent with (or instead of) the text.
    pub blocks: Option<Value>,
    /// Delete the message the interaction came from.
    pub delete_original: bool,
    /// A raw inline response body for a `view_submission` (`response_action`) or a
    /// `block_suggestion` (`options`).
    pub inline_body: Option<Value>,
}

/// Slack-only reply parts, stored in [`Reply::extensions`].
///
/// ```
/// use chatbridge_core::Reply;
/// use chatbridge_slack::SlackReplyExt;
/// use serde_json::json;
///
/// let reply = Reply::text("fallback")
///     .slack_blocks(json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]))
///     .in_channel();
/// assert!(reply.slack_parts().unwrap().blocks.is_some());
/// ```
pub trait SlackReplyExt: Sized {
    /// Adds Block Kit blocks (a JSON array).
    #[must_use]
    fn slack_blocks(self, blocks: Value) -> Self;

    /// Deletes the message the interaction came from.
    #[must_use]
    fn slack_delete_original(self) -> Self;

    /// Answers a `view_submission` or `block_suggestion` with this exact JSON body, such as
    /// `{"response_action": "errors", "errors": {…}}`.
    #[must_use]
    fn slack_inline_body(self, body: Value) -> Self;

    /// The Slack-only parts, if any were set.
    fn slack_parts(&self) -> Option<&SlackReply>;
}

impl SlackReplyExt for Reply {
    fn slack_blocks(self, blocks: Value) -> Self {
        update(self, |parts| parts.blocks = Some(blocks))
    }

    fn slack_delete_original(self) -> Self {
        update(self, |parts| parts.delete_original = true)
    }

    fn slack_inline_body(self, body: Value) -> Self {
        update(self, |parts| parts.inline_body = Some(body))
    }

    fn slack_parts(&self) -> Option<&SlackReply> {
        self.extensions.get::<SlackReply>()
    }
}

fn update(mut reply: Reply, f: impl FnOnce(&mut SlackReply)) -> Reply {
    let mut parts = reply.extensions.remove::<SlackReply>().unwrap_or_default();
    f(&mut parts);
    reply.with_extension(parts)
}

/// Text and blocks of a reply, as a JSON object to extend.
fn content(reply: &Reply) -> Map<String, Value> {
    let mut body = Map::new();
    if let Some(text) = &reply.text {
        body.insert("text".into(), Value::String(text.clone()));
    }
    if let Some(blocks) = card::reply_blocks(reply) {
        body.insert("blocks".into(), blocks.into_owned());
    }
    body
}

/// The inline response to a slash command, or a `response_url` post.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn response_body(reply: &Reply, interaction: bool) -> Value {
    serde_json::to_value(ResponseBody::of(reply, interaction)).unwrap_or_default()
}

/// [`response_body`], serialised straight from the reply (no `Value` in between).
pub(crate) fn response_bytes(reply: &Reply, interaction: bool) -> Vec<u8> {
    serde_json::to_vec(&ResponseBody::of(reply, interaction)).unwrap_or_default()
}

/// A slash command's or `response_url`'s body, borrowing from the reply. Fields are in
/// alphabetical order, as `serde_json`'s default `Map` keeps them.
#[derive(Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    blocks: Option<Cow<'a, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_original: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_original: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

impl<'a> ResponseBody<'a> {
    fn of(reply: &'a Reply, interaction: bool) -> Self {
        let parts = reply.slack_parts();
        let delete_original = parts.is_some_and(|p| p.delete_original);
        // Replacing or deleting keeps the original's visibility unless the reply names one.
        let response_type = match reply.visibility {
            Visibility::InChannel => Some("in_channel"),
            Visibility::Ephemeral => Some("ephemeral"),
            _ if reply.replace_original || delete_original => None,
            _ => Some("ephemeral"),
        };
        Self {
            blocks: card::reply_blocks(reply),
            delete_original: delete_original.then_some(true),
            replace_original: interaction.then_some(reply.replace_original),
            response_type,
            text: reply.text.as_deref(),
        }
    }
}

/// A `chat.postMessage` (or, with `user`, `chat.postEphemeral`) body.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn post_body(
    reply: &Reply,
    channel: &str,
    thread_ts: Option<&str>,
    user: Option<&str>,
) -> Value {
    let mut body = content(reply);
    body.insert("channel".into(), json!(channel));
    if let Some(ts) = thread_ts {
        body.insert("thread_ts".into(), json!(ts));
    }
    if let Some(user) = user {
        body.insert("user".into(), json!(user));
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_reply_renders_as_slack_expects() {
        let reply = Reply::text("hi").in_channel().slack_blocks(json!([{"type": "divider"}]));
        assert_eq!(
            response_body(&reply, false),
            json!({"response_type": "in_channel", "text": "hi", "blocks": [{"type": "divider"}]})
        );
        assert_eq!(
            response_body(&Reply::text("psst"), false),
            json!({"response_type": "ephemeral", "text": "psst"})
        );
        assert_eq!(
            response_body(&Reply::text("new").replace_original(), true),
            json!({"text": "new", "replace_original": true})
        );
        assert_eq!(
            response_body(&Reply::text("gone").slack_delete_original(), true),
            json!({"text": "gone", "replace_original": false, "delete_original": true})
        );
    }

    #[test]
    fn bytes_are_the_body_serialised() {
        for (reply, interaction) in [
            (Reply::text("hi").in_channel().slack_blocks(json!([{"type": "divider"}])), false),
            (Reply::text("psst"), false),
            (Reply::text("new").replace_original(), true),
            (Reply::text("gone").slack_delete_original(), true),
            (Reply::new().slack_delete_original(), false),
        ] {
            let bytes = response_bytes(&reply, interaction);
            assert_eq!(bytes, serde_json::to_vec(&response_body(&reply, interaction)).unwrap());
        }
    }
}
