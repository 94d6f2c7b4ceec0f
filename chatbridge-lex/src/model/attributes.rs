//! Request attributes, and the typed view of the `x-amz-lex:` attributes that messaging
//! channels add (the Lex V1 guide, "Deploying an Amazon Lex Bot on a Messaging Platform").

use std::fmt;

use chatbridge_core::Secret;
use serde::{Deserialize, Deserializer, Serialize};

use crate::ChannelPlatform;
use crate::model::value::Attributes;

/// The prefix of the attributes Lex itself sets.
pub const LEX_PREFIX: &str = "x-amz-lex:";

/// A request's attributes: what the client (or the messaging channel) sent for this turn only.
///
/// `Debug` redacts every value whose name contains `token` or `secret`
/// (`x-amz-lex:slack-bot-token` among them); the values themselves stay reachable through
/// [`raw`](Self::raw), so never log that map.
///
/// ```
/// use chatbridge_lex::{ChannelPlatform, RequestAttributes};
///
/// let attrs: RequestAttributes = serde_json::from_str(r#"{
///     "x-amz-lex:channel-type": "Slack",
///     "x-amz-lex:user-id": "U123",
///     "x-amz-lex:slack-team-id": "T456",
///     "x-amz-lex:slack-bot-token": "xoxb-secret"
/// }"#).unwrap();
/// let channel = attrs.channel().unwrap();
/// assert_eq!(channel.platform, Some(ChannelPlatform::Slack));
/// assert_eq!(channel.user_id.as_deref(), Some("U123"));
/// assert!(!format!("{attrs:?}").contains("xoxb-secret"));
/// ```
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct RequestAttributes(Attributes);

impl RequestAttributes {
    /// Attributes from a map.
    #[must_use]
    pub fn new(map: Attributes) -> Self {
        Self(map)
    }

    /// Every attribute as Lex sent it (values always strings). Holds secrets: never log it.
    #[must_use]
    pub fn raw(&self) -> &Attributes {
        &self.0
    }

    /// One attribute by its full name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// One `x-amz-lex:` attribute, by its name without the prefix (`user-id`).
    #[must_use]
    pub fn lex(&self, name: &str) -> Option<&str> {
        self.0.get(&format!("{LEX_PREFIX}{name}")).map(String::as_str)
    }

    /// Whether there are no attributes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messaging channel the request came through, when it came through one.
    ///
    /// The platform is read from V1's `x-amz-lex:channel-type` or V2's
    /// `x-amz-lex:channels:platform`; without either, from the platform-specific attributes
    /// present, and last from a `channel-name` that is exactly a platform's name. `None` when
    /// no `x-amz-lex:` channel attribute is present at all (the test console, an SDK client).
    #[must_use]
    pub fn channel(&self) -> Option<Channel> {
        let lex = |name: &str| self.lex(name).map(str::to_owned);
        let platform = self
            .lex("channel-type")
            .or_else(|| self.lex("channels:platform"))
            .map(ChannelPlatform::from)
            .or_else(|| self.inferred_platform());
        let channel = Channel {
            platform,
            id: lex("channel-id"),
            name: lex("channel-name"),
            webhook_endpoint_url: lex("webhook-endpoint-url"),
            user_id: lex("user-id"),
            facebook_page_id: lex("facebook-page-id"),
            kik_chat_id: lex("kik-chat-id"),
            kik_chat_type: lex("kik-chat-type"),
            kik_message_id: lex("kik-message-id"),
            kik_message_type: lex("kik-message-type"),
            twilio_target_phone_number: lex("twilio-target-phone-number"),
            slack_team_id: lex("slack-team-id"),
            slack_bot_token: self.lex("slack-bot-token").map(Secret::new),
        };
        (channel != Channel::default()).then_some(channel)
    }

    fn inferred_platform(&self) -> Option<ChannelPlatform> {
        let has = |name: &str| self.lex(name).is_some();
        if has("slack-team-id") || has("slack-bot-token") {
            Some(ChannelPlatform::Slack)
        } else if has("facebook-page-id") {
            Some(ChannelPlatform::Facebook)
        } else if has("kik-chat-id") || has("kik-message-id") {
            Some(ChannelPlatform::Kik)
        } else if has("twilio-target-phone-number") {
            Some(ChannelPlatform::TwilioSms)
        } else {
            match self.lex("channel-name").map(ChannelPlatform::from) {
                Some(ChannelPlatform::Unknown(_)) | None => None,
                known => known,
            }
        }
    }
}

impl From<Attributes> for RequestAttributes {
    fn from(map: Attributes) -> Self {
        Self(map)
    }
}

impl<'de> Deserialize<'de> for RequestAttributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::model::value::attributes::deserialize(d).map(Self)
    }
}

impl fmt::Debug for RequestAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.0 {
            let lower = name.to_ascii_lowercase();
            if lower.contains("token") || lower.contains("secret") {
                map.entry(name, &format_args!("[REDACTED]"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// The `x-amz-lex:` attributes of a messaging channel (Facebook, Kik, Slack, Twilio SMS).
///
/// Common to every channel: `channel-id`, `channel-name` (whatever the bot's owner named the
/// channel) and `webhook-endpoint-url`. Then per platform: Facebook `user-id` and
/// `facebook-page-id`; Kik `kik-chat-id`, `kik-chat-type`, `kik-message-id`,
/// `kik-message-type`; Twilio `user-id` (the sender's number) and `twilio-target-phone-number`;
/// Slack `user-id`, `slack-team-id` and `slack-bot-token` (a [`Secret`]).
#[derive(Clone, PartialEq, Eq, Default, Debug)]
#[non_exhaustive]
pub struct Channel {
    /// The platform, when known.
    pub platform: Option<ChannelPlatform>,
    /// `channel-id`: the channel endpoint's identifier in Lex.
    pub id: Option<String>,
    /// `channel-name`: the channel's name in Lex.
    pub name: Option<String>,
    /// `webhook-endpoint-url`: the Lex endpoint for the channel.
    pub webhook_endpoint_url: Option<String>,
    /// `user-id`: the sender on Facebook, Slack and Twilio (a phone number there).
    pub user_id: Option<String>,
    /// `facebook-page-id`: the recipient page (Facebook).
    pub facebook_page_id: Option<String>,
    /// `kik-chat-id`: the conversation (Kik).
    pub kik_chat_id: Option<String>,
    /// `kik-chat-type`: the kind of conversation (Kik).
    pub kik_chat_type: Option<String>,
    /// `kik-message-id`: the message's UUID (Kik).
    pub kik_message_id: Option<String>,
    /// `kik-message-type`: the kind of message (Kik).
    pub kik_message_type: Option<String>,
    /// `twilio-target-phone-number`: the recipient's number (Twilio SMS).
    pub twilio_target_phone_number: Option<String>,
    /// `slack-team-id`: the team the message came from (Slack).
    pub slack_team_id: Option<String>,
    /// `slack-bot-token`: the bot's Slack token (Slack). A secret: redacted in `Debug`.
    pub slack_bot_token: Option<Secret>,
}

impl Channel {
    /// The workspace-like id of the platform: the Slack team or the Facebook page.
    #[must_use]
    pub fn workspace_id(&self) -> Option<&str> {
        self.slack_team_id.as_deref().or(self.facebook_page_id.as_deref())
    }
}
