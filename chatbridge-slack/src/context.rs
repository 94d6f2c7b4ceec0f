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
    /// The client, when the message came through a [`SlackAdapter`](crate::SlackAdapter).
    fn slack(&self) -> Option<&SlackClient>;
}

impl SlackContextExt for Context {
    fn slack(&self) -> Option<&SlackClient> {
        self.extensions().get::<SlackClient>()
    }
}
