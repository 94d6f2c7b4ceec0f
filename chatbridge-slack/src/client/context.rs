//! [`SlackContextExt`]: the Web API client, and the workspace's installation, from a
//! handler's [`Context`].

use chatbridge_core::Context;

use crate::SlackClient;

/// The Slack Web API client from a handler's [`Context`], for calls beyond replies.
///
/// The adapter puts the client into every message's context: with the workspace's own token
/// when it serves installations, otherwise its own.
///
/// ```
/// use chatbridge_core::{Context, HandlerError, Message};
/// use chatbridge_slack::SlackContextExt;
/// use serde_json::json;
///
/// async fn announce(cx: Context, _msg: Message) -> Result<(), HandlerError> {
///     if let Some(slack) = cx.slack() {
///         slack.chat_post_message(&json!({"channel": "C123", "text": "pizza is here"})).await?;
///     }
///     Ok(())
/// }
/// # let _ = announce;
/// ```
pub trait SlackContextExt {
    /// The client, when the message came through a [`SlackAdapter`](crate::SlackAdapter).
    fn slack(&self) -> Option<&SlackClient>;

    /// The workspace's installation, when the adapter serves installations
    /// ([`SlackAdapterBuilder::oauth`](crate::SlackAdapterBuilder::oauth)) and the workspace
    /// has one: its team, its bot token and scopes, and the requesting user's own user token
    /// when they installed the app (none otherwise: another user's token is never handed out).
    #[cfg(feature = "oauth")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
    fn slack_installation(&self) -> Option<&crate::oauth::Installation>;
}

impl SlackContextExt for Context {
    fn slack(&self) -> Option<&SlackClient> {
        self.extensions().get::<SlackClient>()
    }

    #[cfg(feature = "oauth")]
    fn slack_installation(&self) -> Option<&crate::oauth::Installation> {
        self.extensions().get::<crate::oauth::Installation>()
    }
}
