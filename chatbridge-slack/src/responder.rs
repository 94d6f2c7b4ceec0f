//! [`SlackResponder`]: one request's answer. A command's first reply goes inline as its JSON
//! response, a `view_submission`'s or `block_suggestion`'s as its raw body; replies after the
//! response go to the request's `response_url` (within its 5 uses and 30 minutes) and
//! otherwise through `chat.postMessage` or `chat.postEphemeral`; reactions through
//! `reactions.add`.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Ack, Responder, empty_response, json_response};
use chatbridge_core::{AdapterError, DeliveryError, Emoji, Platform, Reply, Visibility};
use http::{HeaderName, HeaderValue, Response};

use crate::model::SlackPayload;
use crate::reply::{self, SlackReplyExt};

/// Asks Slack not to retry a delivery already handled.
static NO_RETRY: HeaderName = HeaderName::from_static("x-slack-no-retry");

/// Answers one Slack request.
pub(crate) struct SlackResponder {
    payload: Arc<SlackPayload>,
    #[cfg(feature = "client")]
    later: later::Later,
}

impl SlackResponder {
    /// The responder for `payload`, whose message is `message`; replies after the response go
    /// out through `client` (with the workspace's token).
    #[cfg(feature = "client")]
    pub(crate) fn new(
        payload: Arc<SlackPayload>,
        message: &chatbridge_core::Message,
        client: crate::SlackClient,
    ) -> Self {
        Self { later: later::Later::new(message, client), payload }
    }

    /// The responder for `payload`: without the client, only inline answers.
    #[cfg(not(feature = "client"))]
    pub(crate) fn new(payload: Arc<SlackPayload>) -> Self {
        Self { payload }
    }
}

#[async_trait]
impl Responder for SlackResponder {
    fn respond(&self, replies: Vec<Reply>) -> Result<Response<Bytes>, AdapterError> {
        let Some(reply) = replies.into_iter().next() else { return Ok(empty_response()) };
        if let Some(body) = self.form_answer(&reply)? {
            return Ok(body);
        }
        if let Some(body) = reply.slack_parts().and_then(|p| p.inline_body.as_ref()) {
            let bytes =
                serde_json::to_vec(body).map_err(|e| AdapterError::Internal(Box::new(e)))?;
            return Ok(json_response(bytes));
        }
        if let SlackPayload::Command(_) = &*self.payload {
            return Ok(json_response(reply::response_bytes(&reply, false)));
        }
        // A view submission closes with an empty 200; text has no place there.
        if reply.text.is_some() {
            tracing::warn!(
                platform = %Platform::SLACK,
                "text reply dropped: Slack shows no inline text here"
            );
        }
        Ok(empty_response())
    }

    fn acknowledge(&self, ack: Ack) -> Response<Bytes> {
        match ack {
            Ack::Duplicate => {
                let mut response = empty_response();
                response.headers_mut().insert(&NO_RETRY, HeaderValue::from_static("1"));
                response
            }
            // The command is echoed into the channel when the reply to come is public.
            Ack::Deferred(Visibility::InChannel)
                if matches!(&*self.payload, SlackPayload::Command(_)) =>
            {
                json_response(br#"{"response_type":"in_channel"}"#.to_vec())
            }
            _ => empty_response(),
        }
    }

    async fn follow_up(&self, reply: Reply) -> Result<(), DeliveryError> {
        #[cfg(feature = "client")]
        {
            self.later.follow_up(&self.payload, reply).await
        }
        #[cfg(not(feature = "client"))]
        {
            let _ = reply;
            Err(no_client())
        }
    }

    async fn react(&self, emoji: Emoji) -> Result<(), DeliveryError> {
        #[cfg(feature = "client")]
        {
            self.later.react(&emoji).await
        }
        #[cfg(not(feature = "client"))]
        {
            let _ = emoji;
            Err(no_client())
        }
    }
}

impl SlackResponder {
    /// The inline answer to a reply with a form or form errors: a submission's
    /// `response_action` (`errors`, or `push` for a new form); a command's form is opened with
    /// `views.open` beside the empty acknowledgement, since the trigger lasts 3 seconds.
    fn form_answer(&self, reply: &Reply) -> Result<Option<Response<Bytes>>, AdapterError> {
        let submission = matches!(
            &*self.payload,
            SlackPayload::Interaction(i) if i.kind == crate::InteractionKind::ViewSubmission
        );
        let body = match (&reply.form, reply.form_errors.is_empty()) {
            (_, false) if submission => reply::form::errors(&reply.form_errors),
            (Some(form), _) if submission => {
                serde_json::json!({"response_action": "push", "view": reply::form::view(form)})
            }
            (Some(form), _) => {
                self.open_later(reply::form::view(form));
                return Ok(Some(empty_response()));
            }
            _ => return Ok(None),
        };
        let bytes = serde_json::to_vec(&body).map_err(|e| AdapterError::Internal(Box::new(e)))?;
        Ok(Some(json_response(bytes)))
    }

    /// Opens a view with the request's trigger, after the response has been made.
    fn open_later(&self, view: serde_json::Value) {
        #[cfg(feature = "client")]
        {
            let trigger = trigger_id(&self.payload).map(str::to_owned);
            let client = self.later.client().clone();
            tokio::spawn(async move {
                let Some(trigger) = trigger else {
                    tracing::warn!(platform = %Platform::SLACK, "no trigger_id: the form cannot open");
                    return;
                };
                if let Err(error) = client.views_open(&trigger, &view).await {
                    tracing::warn!(platform = %Platform::SLACK, %error, "views.open failed");
                }
            });
        }
        #[cfg(not(feature = "client"))]
        {
            let _ = view;
            tracing::warn!(platform = %Platform::SLACK, "a form needs the client feature");
        }
    }
}

/// The trigger a modal opens with: a command's or an interaction's.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
fn trigger_id(payload: &SlackPayload) -> Option<&str> {
    match payload {
        SlackPayload::Command(command) => command.trigger_id(),
        SlackPayload::Interaction(interaction) => interaction.trigger_id.as_deref(),
        SlackPayload::Event(_) => None,
    }
}

#[cfg(not(feature = "client"))]
fn no_client() -> DeliveryError {
    DeliveryError::Unsupported {
        platform: Platform::SLACK,
        reason: "chatbridge-slack was built without the client feature",
    }
}

/// Replies after the response, through the Web API client.
#[cfg(feature = "client")]
mod later {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use chatbridge_core::{
        ConversationId, DeliveryError, Emoji, Message, MessageId, Platform, Reply, ThreadId,
        UserId, Visibility,
    };

    use crate::SlackClient;
    use crate::client::ApiError;
    use crate::model::SlackPayload;
    use crate::reply;

    /// How many posts Slack accepts to one `response_url`.
    const RESPONSE_URL_USES: usize = 5;
    /// How long a `response_url` lives after the request.
    const RESPONSE_URL_LIFETIME: Duration = Duration::from_secs(30 * 60);

    /// What replies after the response need: where the source message is, the client, and
    /// how much of the `response_url` is left.
    pub(super) struct Later {
        channel: ConversationId,
        ts: Option<MessageId>,
        thread: Option<ThreadId>,
        user: UserId,
        client: SlackClient,
        received: Instant,
        /// Posts to the `response_url` so far, failed ones included: Slack counts them all.
        response_url_posts: AtomicUsize,
    }

    impl Later {
        pub(super) fn new(message: &Message, client: SlackClient) -> Self {
            Self {
                channel: message.conversation.clone(),
                ts: message.id.clone(),
                thread: message.thread.clone(),
                user: message.sender.id.clone(),
                client,
                received: Instant::now(),
                response_url_posts: AtomicUsize::new(0),
            }
        }

        /// As [`new`](Self::new), for a request that arrived at `received`.
        #[cfg(test)]
        pub(super) fn received_at(mut self, received: Instant) -> Self {
            self.received = received;
            self
        }

        /// The Web API client, with the workspace's token.
        pub(super) fn client(&self) -> &SlackClient {
            &self.client
        }

        /// A reply after the response: a form opened with the trigger; then text to the
        /// `response_url` while it lasts, then posted.
        pub(super) async fn follow_up(
            &self,
            payload: &SlackPayload,
            mut reply: Reply,
        ) -> Result<(), DeliveryError> {
            if let Some(form) = reply.form.take() {
                let trigger = super::trigger_id(payload).ok_or_else(|| {
                    unsupported("a form opens with a trigger_id, and this request has none")
                })?;
                self.client.views_open(trigger, &reply::form::view(&form)).await?;
            }
            let (reply, reaction) = reply.take_reaction();
            if let Some(emoji) = reaction {
                self.react(&emoji).await?;
            }
            if reply.is_empty() {
                return Ok(());
            }
            if let Some(url) = payload.response_url() {
                let fresh = self.received.elapsed() < RESPONSE_URL_LIFETIME;
                if fresh
                    && self.response_url_posts.fetch_add(1, Ordering::Relaxed) < RESPONSE_URL_USES
                {
                    let interaction = matches!(payload, SlackPayload::Interaction(_));
                    let body = reply::response_body(&reply, interaction);
                    return Ok(self.client.respond(url, &body).await?);
                }
                if !self.client.has_token() {
                    return Err(DeliveryError::Expired {
                        platform: Platform::SLACK,
                        reason: "response_url used up or expired, and no bot token to post with",
                    });
                }
                tracing::debug!("response_url used up or expired: posting with the bot token");
            }
            self.post(&reply).await
        }

        /// `reactions.add` on the source message, by the emoji's name.
        pub(super) async fn react(&self, emoji: &Emoji) -> Result<(), DeliveryError> {
            let (Some(ts), false) = (&self.ts, self.channel.is_empty()) else {
                return Err(unsupported("there is no source message to react to"));
            };
            // Slack reacts by name only; a character-only emoji has none to give it.
            let name = emoji.name().ok_or_else(|| {
                unsupported("slack reacts by emoji name: give the emoji's name (Emoji::new)")
            })?;
            match self.client.reactions_add(self.channel.as_str(), ts.as_str(), name).await {
                // The reaction is there: a repeat (a rerun after a crash) has its effect already.
                Err(ApiError::Slack { code, .. }) if code == "already_reacted" => Ok(()),
                reacted => Ok(reacted?),
            }
        }

        /// Posts through the Web API: in the source's thread when asked, ephemeral when asked.
        async fn post(&self, reply: &Reply) -> Result<(), DeliveryError> {
            if self.channel.is_empty() {
                return Err(unsupported("there is no conversation to post in"));
            }
            let thread = reply
                .in_thread
                .then(|| {
                    self.thread
                        .as_ref()
                        .map(ThreadId::as_str)
                        .or(self.ts.as_ref().map(MessageId::as_str))
                })
                .flatten();
            let channel = self.channel.as_str();
            if reply.visibility == Visibility::Ephemeral {
                let body = reply::post_body(reply, channel, thread, Some(self.user.as_str()));
                self.client.chat_post_ephemeral(&body).await?;
            } else {
                let body = reply::post_body(reply, channel, thread, None);
                self.client.chat_post_message(&body).await?;
            }
            Ok(())
        }
    }

    fn unsupported(reason: &'static str) -> DeliveryError {
        DeliveryError::Unsupported { platform: Platform::SLACK, reason }
    }
}

#[cfg(test)]
#[cfg(feature = "client")]
mod tests {
    use std::time::{Duration, Instant};

    use chatbridge_core::testing::{FakeApi, FakeResponse};
    use chatbridge_core::{Message, MessageKind, Secret};

    use super::*;
    use crate::SlackClient;
    use crate::model::SlashCommand;

    /// A command's responder whose `response_url` and Web API are `api`'s.
    fn command_responder(api: &FakeApi, token: bool, received: Instant) -> SlackResponder {
        let body = format!(
            "command=%2Fx&channel_id=C1&user_id=U1&response_url={}",
            form_urlencoded::byte_serialize(format!("{}/hook", api.url()).as_bytes())
                .collect::<String>()
        );
        let command = SlashCommand::from_form(body.as_bytes()).unwrap();
        let mut client = SlackClient::builder().api_url(format!("{}/api/", api.url()));
        if token {
            client = client.token(Secret::new("xoxb-responder"));
        }
        let payload = Arc::new(SlackPayload::Command(command));
        let message = Message::new(Platform::SLACK, MessageKind::Command)
            .with_conversation("C1")
            .with_sender(chatbridge_core::Sender::new("U1"));
        let mut responder = SlackResponder::new(payload, &message, client.build().unwrap());
        responder.later = responder.later.received_at(received);
        responder
    }

    fn paths(api: &FakeApi) -> Vec<String> {
        api.requests().into_iter().map(|r| r.path).collect()
    }

    #[tokio::test]
    async fn failed_posts_use_up_the_response_url_too() {
        let api = FakeApi::start().await;
        api.respond("POST", "/hook", FakeResponse::json(500, r#"{"ok":false,"error":"fatal"}"#));
        let responder = command_responder(&api, true, Instant::now());
        for _ in 0..5 {
            assert!(responder.follow_up(Reply::text("lost")).await.is_err());
        }
        responder.follow_up(Reply::text("posted")).await.unwrap();
        let mut expected = vec!["/hook".to_owned(); 5];
        expected.push("/api/chat.postMessage".to_owned());
        assert_eq!(paths(&api), expected);
    }

    #[tokio::test]
    async fn after_thirty_minutes_replies_are_posted_with_the_token() {
        let api = FakeApi::start().await;
        let long_ago = Instant::now().checked_sub(Duration::from_secs(31 * 60)).unwrap();
        let responder = command_responder(&api, true, long_ago);
        responder.follow_up(Reply::text("late").in_channel()).await.unwrap();
        let calls = api.requests();
        assert_eq!(paths(&api), ["/api/chat.postMessage"]);
        assert_eq!(calls[0].json(), serde_json::json!({"channel": "C1", "text": "late"}));
    }

    #[tokio::test]
    async fn without_a_token_an_expired_response_url_is_an_error_and_no_call() {
        let api = FakeApi::start().await;
        let long_ago = Instant::now().checked_sub(Duration::from_secs(31 * 60)).unwrap();
        let responder = command_responder(&api, false, long_ago);
        let error = responder.follow_up(Reply::text("late")).await.unwrap_err();
        assert!(matches!(error, DeliveryError::Expired { .. }), "{error}");
        assert!(api.requests().is_empty());
    }

    #[tokio::test]
    async fn a_character_only_emoji_is_unsupported_and_no_call() {
        let api = FakeApi::start().await;
        let message = Message::new(Platform::SLACK, MessageKind::Message)
            .with_conversation("C1")
            .with_id("1.2");
        let client = SlackClient::builder()
            .token(Secret::new("xoxb-r"))
            .api_url(format!("{}/api/", api.url()))
            .build()
            .unwrap();
        let callback = crate::model::EventCallback::from_value(serde_json::json!({}));
        let payload = Arc::new(SlackPayload::Event(Box::new(callback)));
        let responder = SlackResponder::new(payload, &message, client);
        let error = responder.react(Emoji::from_character("🍕")).await.unwrap_err();
        assert!(matches!(error, DeliveryError::Unsupported { .. }), "{error}");
        responder.react(Emoji::new("pizza", "🍕")).await.unwrap();
        assert_eq!(paths(&api), ["/api/reactions.add"]);
    }
}
