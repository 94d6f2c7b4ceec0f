//! Users, members, roles, channels, messages and attachments, and the `resolved` map that
//! carries them alongside ids. Every field may be missing (empty or `None` then).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{PartialChannel, lenient};

/// A Discord user.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct User {
    /// The user's id.
    #[serde(deserialize_with = "lenient::text_or_empty")]
    pub id: String,
    /// The unique user name.
    pub username: String,
    /// The display name, when the user set one.
    pub global_name: Option<String>,
    /// The legacy discriminator (`"0"` for migrated users).
    #[serde(deserialize_with = "lenient::text")]
    pub discriminator: Option<String>,
    /// The avatar hash.
    pub avatar: Option<String>,
    /// Whether the user is a bot.
    #[serde(deserialize_with = "lenient::or_default")]
    pub bot: bool,
}

impl User {
    /// The name to show: the display name, else the user name.
    #[must_use]
    pub fn display_name(&self) -> &str {
        self.global_name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&self.username)
    }
}

/// A guild member. In an interaction's `member` it carries `user`; in `resolved.members` it
/// does not (the user is in `resolved.users` under the same id).
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Member {
    /// The user, when sent.
    pub user: Option<User>,
    /// The guild nickname.
    pub nick: Option<String>,
    /// The ids of the member's roles.
    pub roles: Vec<String>,
    /// The member's permissions in the channel, as a decimal bit set string.
    pub permissions: Option<String>,
    /// When the member joined (ISO 8601).
    pub joined_at: Option<String>,
}

/// A guild role.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Role {
    /// The role's id.
    #[serde(deserialize_with = "lenient::text_or_empty")]
    pub id: String,
    /// The role's name.
    pub name: String,
    /// The colour as an RGB integer.
    pub color: u32,
    /// The role's permissions, as a decimal bit set string.
    pub permissions: Option<String>,
}

/// An uploaded file.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Attachment {
    /// The attachment's id.
    #[serde(deserialize_with = "lenient::text_or_empty")]
    pub id: String,
    /// The file name.
    pub filename: String,
    /// The size in bytes.
    pub size: u64,
    /// Where to download it.
    pub url: String,
    /// A proxied download URL.
    pub proxy_url: Option<String>,
    /// The media type.
    pub content_type: Option<String>,
}

/// The parts of a message an interaction carries (the message a component is on, a MESSAGE
/// command's target).
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PartialMessage {
    /// The message's id.
    #[serde(deserialize_with = "lenient::text_or_empty")]
    pub id: String,
    /// The channel it is in.
    #[serde(deserialize_with = "lenient::text_or_empty")]
    pub channel_id: String,
    /// Its text.
    pub content: String,
    /// Who wrote it.
    pub author: Option<User>,
    /// When it was sent (ISO 8601).
    pub timestamp: Option<String>,
}

/// Objects referenced by id in options, selects and targets, keyed by id.
#[derive(Clone, PartialEq, Debug, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Resolved {
    /// Users.
    pub users: BTreeMap<String, User>,
    /// Guild members (without their `user`, which is in `users`).
    pub members: BTreeMap<String, Member>,
    /// Roles.
    pub roles: BTreeMap<String, Role>,
    /// Channels.
    pub channels: BTreeMap<String, PartialChannel>,
    /// Messages.
    pub messages: BTreeMap<String, PartialMessage>,
    /// Attachments.
    pub attachments: BTreeMap<String, Attachment>,
}

impl Resolved {
    /// A resolved user by id.
    #[must_use]
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.get(id)
    }

    /// A resolved member by id.
    #[must_use]
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.get(id)
    }

    /// A resolved role by id.
    #[must_use]
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.get(id)
    }

    /// A resolved channel by id.
    #[must_use]
    pub fn channel(&self, id: &str) -> Option<&PartialChannel> {
        self.channels.get(id)
    }

    /// A resolved message by id.
    #[must_use]
    pub fn message(&self, id: &str) -> Option<&PartialMessage> {
        self.messages.get(id)
    }

    /// A resolved attachment by id.
    #[must_use]
    pub fn attachment(&self, id: &str) -> Option<&Attachment> {
        self.attachments.get(id)
    }
}
