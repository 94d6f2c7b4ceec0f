//! [`SlackContextExt`]: the Web API client from a handler's [`Context`].

use chatbridge_core::Context;

use crate::SlackClient;

/// The Slack Web API client, from a handler's [`Context`], for calls beyond replies.
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
    /// The client, when the message came through a [`SlackAdapter`](crate::SlackAdapter):
    /// with the workspace's own token when the adapter serves installations.
    fn slack(&self) -> Option<&SlackClient>;

    /// The workspace's installation, when the adapter serves installations
    /// ([`SlackAdapterBuilder::oauth`](crate::SlackAdapterBuilder::oauth)) and the workspace
    /// has one: its team, its scopes, the installing user and their token.
    #[cfg(feature = "oauth")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
    fn slack_installation(&self) -> Option<&crate::oauth::Installation>;
}

impl SlackContextExt for Context {
    fn slack(&self) -> Option<&SlackClient> {
        self.extensions()
            .get::<SlackClient>()
            .or_else(|| self.adapter::<crate::SlackAdapter>().map(crate::SlackAdapter::client))
    }

    #[cfg(feature = "oauth")]
    fn slack_installation(&self) -> Option<&crate::oauth::Installation> {
        self.extensions().get::<crate::oauth::Installation>()
    }
}
