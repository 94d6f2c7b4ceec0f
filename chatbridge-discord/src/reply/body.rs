//! [`MessageBody`]: a message as Discord's create and edit endpoints take it, in interaction
//! responses and webhook calls alike.
// Public through `client`, whose calls take it; without that feature only responses use it.
#![cfg_attr(not(feature = "client"), allow(unreachable_pub))]

use chatbridge_core::{Reply, Visibility};
use serde::Serialize;

use super::{AllowedMentions, DiscordParts};
use crate::{Component, Embed};

/// The `EPHEMERAL` message flag: only the invoking user sees the message.
pub(crate) const EPHEMERAL: u64 = 1 << 6;

/// A message's content as Discord's create and edit endpoints take it.
#[cfg_attr(
    feature = "client",
    doc = r#"
```
use chatbridge_core::Reply;
use chatbridge_discord::client::MessageBody;

let body = MessageBody::from_reply(&Reply::text("hi").ephemeral());
assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"content": "hi", "flags": 64}));
```"#
)]
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct MessageBody {
    /// The text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Embeds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Embed>,
    /// Action rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// Which mentions may notify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_mentions: Option<AllowedMentions>,
    /// Message flags (64, `EPHEMERAL`: only the invoking user sees it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
}

impl MessageBody {
    /// A body with only text.
    pub fn text(content: impl Into<String>) -> Self {
        Self { content: Some(content.into()), ..Self::default() }
    }

    /// The message parts of a reply: text, embeds, components (a card's embed and action rows
    /// first), allowed mentions, and the ephemeral flag for [`Visibility::Ephemeral`].
    #[must_use]
    pub fn from_reply(reply: &Reply) -> Self {
        let parts = reply.extensions.get::<DiscordParts>();
        let card = reply.card.as_deref();
        let mut embeds: Vec<Embed> = card.and_then(super::card::embed).into_iter().collect();
        let mut components = card.map(super::card::rows).unwrap_or_default();
        if let Some(parts) = parts {
            embeds.extend(parts.embeds.iter().cloned());
            components.extend(parts.components.iter().cloned());
        }
        Self {
            content: reply.text.clone(),
            embeds,
            components,
            allowed_mentions: parts.and_then(|p| p.allowed_mentions.clone()),
            flags: (reply.visibility == Visibility::Ephemeral).then_some(EPHEMERAL),
        }
    }

    /// Whether there is nothing to show (Discord refuses empty messages).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.content.as_deref().is_none_or(str::is_empty)
            && self.embeds.is_empty()
            && self.components.is_empty()
    }
}
