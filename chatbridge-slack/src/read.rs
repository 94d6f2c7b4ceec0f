//! [`Reader`]: what Slack sent, once trusted, as a message for the handler with its responder.
//! The HTTP endpoint reaches it after the signature check; Socket Mode, whose socket the app
//! token authenticates, reaches it for each envelope.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chatbridge_core::adapter::{Accepted, Incoming, Timing, empty_response};
use chatbridge_core::{AdapterError, Platform};

use crate::message::to_message;
use crate::model::{EventCallback, InteractionKind, SlackPayload};
use crate::own::{self, BotIds, OtherBots};
use crate::responder::SlackResponder;

/// Slack wants an answer within 3 s; half a second is kept for the network and the host.
const BUDGET: Duration = Duration::from_millis(2500);

/// How long `auth.test` may take before an event goes on without the bot's ids.
#[cfg(feature = "client")]
const AUTH_TEST_WAIT: Duration = Duration::from_millis(1500);

/// Reads trusted payloads into [`Incoming`]s: the self-filter, the installation, the client.
pub(crate) struct Reader {
    pub(crate) ids: BotIds,
    pub(crate) other_bots: OtherBots,
    pub(crate) deduplicate: bool,
    #[cfg(feature = "client")]
    pub(crate) client: crate::SlackClient,
    /// The bot's ids from `auth.test`, asked once.
    #[cfg(feature = "client")]
    pub(crate) resolved: tokio::sync::OnceCell<BotIds>,
    #[cfg(feature = "oauth")]
    pub(crate) oauth: Option<crate::oauth::SlackOAuth>,
}

impl Reader {
    /// The payload as a message for the handler, with what answering it takes; or, for the
    /// bot's own events and (by policy) other apps', an empty 200. `dedupe_key` marks the
    /// delivery (it is dropped when de-duplication is off).
    pub(crate) async fn incoming(
        &self,
        payload: SlackPayload,
        dedupe_key: Option<String>,
    ) -> Result<Accepted, AdapterError> {
        // With OAuth: the workspace's installation gives the token and the bot's ids there.
        // Boxed: a request without OAuth should not carry this future's size.
        #[cfg(feature = "oauth")]
        let installation = match &self.oauth {
            Some(oauth) => Box::pin(crate::oauth::installation_for(oauth, &payload)).await?,
            None => None,
        };
        #[cfg(feature = "oauth")]
        let installed = installation.as_ref().map(crate::oauth::Installation::bot_ids);
        #[cfg(not(feature = "oauth"))]
        let installed: Option<BotIds> = None;
        if let SlackPayload::Event(callback) = &payload
            && let Some(reason) = self.ignored(callback, installed).await
        {
            tracing::debug!(platform = %Platform::SLACK, reason, "event acknowledged, not handled");
            return Ok(Accepted::Respond(empty_response()));
        }
        let timing = timing(&payload);
        let payload = Arc::new(payload);
        let message = to_message(Arc::clone(&payload));
        #[cfg(feature = "client")]
        let client = {
            #[cfg(feature = "oauth")]
            let token = installation.as_ref().and_then(|found| found.bot_token.clone());
            #[cfg(not(feature = "oauth"))]
            let token: Option<chatbridge_core::Secret> = None;
            // A workspace's own token gets its own client on the shared connection pool.
            token.map_or_else(|| self.client.clone(), |token| self.client.with_token(token))
        };
        #[cfg(feature = "client")]
        let responder = SlackResponder::new(payload, &message, client.clone());
        #[cfg(not(feature = "client"))]
        let responder = SlackResponder::new(payload);
        let mut incoming = Incoming::new(message, responder, timing);
        if let Some(key) = dedupe_key.filter(|_| self.deduplicate) {
            incoming = incoming.dedupe_key(key);
        }
        #[cfg(feature = "client")]
        {
            incoming = incoming.extension(client);
        }
        #[cfg(feature = "oauth")]
        if let Some(installation) = installation {
            incoming = incoming.extension(installation);
        }
        Ok(Accepted::Incoming(incoming))
    }

    /// Why an event is not for the handler: the bot's own doing, or another app's message
    /// under [`OtherBots::Ignore`]. `installed` are the bot's ids in the request's installation.
    async fn ignored(
        &self,
        callback: &EventCallback,
        installed: Option<BotIds>,
    ) -> Option<&'static str> {
        // The installation's ids besides the configured ones; auth.test is for the single token.
        let (ids, installed) = match installed {
            Some(installed) => (self.ids.clone(), installed),
            None => (Box::pin(self.bot_ids()).await, BotIds::new()),
        };
        if own::is_own(callback, &ids) || own::is_own(callback, &installed) {
            return Some("the bot's own event");
        }
        if self.other_bots == OtherBots::Ignore && own::is_other_bot(&callback.event) {
            return Some("another app's message");
        }
        if ids.is_empty() && installed.is_empty() && callback.authorizations.is_empty() {
            tracing::debug!("bot ids unknown: own reactions cannot be recognised");
        }
        None
    }

    /// The bot's ids: configured ones, completed once by `auth.test` when a token is set.
    async fn bot_ids(&self) -> BotIds {
        #[cfg(feature = "client")]
        if self.client.has_token() && (self.ids.user_id.is_none() || self.ids.bot_id.is_none()) {
            // Bounded: this runs before the event is acknowledged, within Slack's 3 seconds.
            let lookup = self.resolved.get_or_try_init(|| self.client.auth_test());
            match tokio::time::timeout(AUTH_TEST_WAIT, lookup).await {
                Ok(Ok(ids)) => return self.ids.clone().or(ids),
                Ok(Err(error)) => tracing::warn!(%error, "auth.test failed; own ids unknown"),
                Err(_) => tracing::warn!("auth.test timed out; own ids unknown"),
            }
        }
        self.ids.clone()
    }
}

/// When Slack wants its answer: events, buttons, shortcuts and closed views are acknowledged
/// at once and every reply follows; commands, submissions and option requests take their first
/// reply inline.
fn timing(payload: &SlackPayload) -> Timing {
    match payload {
        SlackPayload::Event(_) => Timing::Immediate,
        SlackPayload::Command(_) => Timing::Inline(BUDGET),
        SlackPayload::Interaction(interaction) => match interaction.kind {
            InteractionKind::ViewSubmission | InteractionKind::BlockSuggestion => {
                Timing::Inline(BUDGET)
            }
            _ => Timing::Immediate,
        },
    }
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Reader");
        s.field("ids", &self.ids)
            .field("other_bots", &self.other_bots)
            .field("deduplicate", &self.deduplicate);
        #[cfg(feature = "client")]
        s.field("client", &self.client);
        #[cfg(feature = "oauth")]
        s.field("oauth", &self.oauth.is_some());
        s.finish_non_exhaustive()
    }
}
