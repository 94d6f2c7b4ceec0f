//! [`DiscordResponder`]: one interaction's answer. The interaction response (types 4 to 9),
//! then, with the interaction token, the deferred response filled (`PATCH @original`, or its
//! removal for a private reply), follow-ups, and reactions with the bot token.

use std::sync::Arc;
#[cfg(feature = "client")]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(feature = "client")]
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
#[cfg(feature = "client")]
use chatbridge_core::Visibility;
use chatbridge_core::adapter::{Ack, Responder};
use chatbridge_core::{AdapterError, DeliveryError, Emoji, Platform, Reply};
use http::Response;

#[cfg(feature = "client")]
use crate::DiscordClient;
use crate::model::Interaction;
#[cfg(feature = "client")]
use crate::model::InteractionType;
use crate::reply;
#[cfg(feature = "client")]
use crate::reply::{DiscordParts, EPHEMERAL, MessageBody};

/// How long an interaction token takes webhook calls.
#[cfg(feature = "client")]
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Answers one interaction.
pub(crate) struct DiscordResponder {
    interaction: Arc<Interaction>,
    /// The text answered when a command or modal gets no reply.
    empty_reply: Arc<str>,
    #[cfg(feature = "client")]
    api: Api,
}

/// What replies after the response need.
#[cfg(feature = "client")]
pub(crate) struct Api {
    client: DiscordClient,
    /// The message a reaction goes to: a component's message, a MESSAGE command's target.
    target: Option<String>,
    /// When the request arrived: the interaction token lives 15 minutes from then.
    received: Instant,
    original: Original,
}

/// What the interaction's original response is, as far as follow-ups care.
#[cfg(feature = "client")]
#[derive(Default)]
struct Original {
    /// A "thinking…" message (type 5) went out and waits for its content.
    deferred: AtomicBool,
    /// That deferral was ephemeral.
    deferred_ephemeral: AtomicBool,
    /// `@original` holds a reply, or is gone: later replies are follow-ups.
    filled: AtomicBool,
}

impl DiscordResponder {
    /// A responder for `interaction` that answers silence with `empty_reply`.
    pub(crate) fn new(
        interaction: Arc<Interaction>,
        empty_reply: Arc<str>,
        #[cfg(feature = "client")] api: Api,
    ) -> Self {
        Self {
            interaction,
            empty_reply,
            #[cfg(feature = "client")]
            api,
        }
    }
}

#[cfg(feature = "client")]
impl Api {
    /// Follow-ups and reactions through `client`, reactions on `target`, the token counted
    /// from `received`.
    pub(crate) fn new(client: DiscordClient, target: Option<String>, received: Instant) -> Self {
        Self { client, target, received, original: Original::default() }
    }
}

#[async_trait]
impl Responder for DiscordResponder {
    fn respond(&self, replies: Vec<Reply>) -> Result<Response<Bytes>, AdapterError> {
        let reply = replies.into_iter().next().unwrap_or_default();
        Ok(reply::render(&self.interaction, &reply, &self.empty_reply))
    }

    fn acknowledge(&self, ack: Ack) -> Response<Bytes> {
        let kind = self.interaction.kind;
        #[cfg(feature = "client")]
        if let Ack::Deferred(visibility) = ack
            && reply::is_deferred_message(kind)
        {
            let original = &self.api.original;
            original
                .deferred_ephemeral
                .store(visibility == Visibility::Ephemeral, Ordering::SeqCst);
            original.deferred.store(true, Ordering::SeqCst);
        }
        reply::acknowledge(kind, ack, &self.empty_reply)
    }

    async fn follow_up(&self, reply: Reply) -> Result<(), DeliveryError> {
        #[cfg(feature = "client")]
        {
            self.send(reply).await
        }
        #[cfg(not(feature = "client"))]
        {
            let _ = reply;
            Err(unsupported("built without the client feature"))
        }
    }

    async fn react(&self, emoji: Emoji) -> Result<(), DeliveryError> {
        #[cfg(feature = "client")]
        {
            let api = &self.api;
            let channel =
                self.interaction.channel_id().ok_or(unsupported("no channel to react in"))?;
            let target = api.target.as_deref().ok_or(unsupported("no message to react to"))?;
            if !api.client.has_bot_token() {
                return Err(unsupported("reactions need a bot token"));
            }
            // Discord takes the character (or a custom emoji's `name:id`); a bare name goes
            // through the client's table of common names.
            let emoji = emoji.character().or(emoji.name()).ok_or(unsupported("an empty emoji"))?;
            api.client.add_reaction(channel, target, emoji).await
        }
        #[cfg(not(feature = "client"))]
        {
            let _ = emoji;
            Err(unsupported("built without the client feature"))
        }
    }
}

#[cfg(feature = "client")]
impl DiscordResponder {
    /// Sends a reply after the response:
    ///
    /// - after a deferral (type 5), the first message fills the original response
    ///   (`PATCH @original`); later ones are follow-ups (`POST`). An ephemeral first message
    ///   after a public deferral (the automatic one) instead deletes the public placeholder
    ///   (`DELETE @original`) and goes as an ephemeral follow-up, so that it stays private;
    /// - a component reply with `replace_original` edits the message (`PATCH @original`);
    /// - everything else is a follow-up.
    async fn send(&self, reply: Reply) -> Result<(), DeliveryError> {
        let kind = self.interaction.kind;
        if kind == InteractionType::ApplicationCommandAutocomplete {
            return Err(unsupported("an autocomplete interaction takes only its choices"));
        }
        let modal = reply.extensions.get::<DiscordParts>().is_some_and(|p| p.modal.is_some());
        let choices = reply.extensions.get::<DiscordParts>().is_some_and(|p| p.choices.is_some());
        if modal || choices || reply.form.is_some() {
            return Err(unsupported("a modal, a form or choices must be the initial response"));
        }
        let mut body = match reply::errors_text(&reply) {
            Some(errors) => MessageBody { flags: Some(EPHEMERAL), ..MessageBody::text(errors) },
            None => MessageBody::from_reply(&reply),
        };
        if body.is_empty() {
            return Ok(());
        }
        if self.api.received.elapsed() >= TOKEN_LIFETIME {
            return Err(DeliveryError::Expired {
                platform: Platform::DISCORD,
                reason: "interaction token",
            });
        }
        let token = &self.interaction.token;
        let client = &self.api.client;
        if kind == InteractionType::MessageComponent {
            if reply.replace_original {
                // An edit cannot change a message's visibility.
                body.flags = None;
                client.edit_original(token, &body).await?;
            } else {
                client.create_followup(token, &body).await?;
            }
            return Ok(());
        }
        let original = &self.api.original;
        let unfilled =
            original.deferred.load(Ordering::SeqCst) && !original.filled.load(Ordering::SeqCst);
        if !unfilled {
            client.create_followup(token, &body).await?;
        } else if body.flags == Some(EPHEMERAL)
            && !original.deferred_ephemeral.load(Ordering::SeqCst)
        {
            // Filling the public "thinking…" message would show a private reply to everyone,
            // and so would a first follow-up, which Discord puts in its place: remove it, then
            // post the reply as an ephemeral follow-up.
            client.delete_original(token).await?;
            original.filled.store(true, Ordering::SeqCst);
            client.create_followup(token, &body).await?;
        } else {
            // An edit cannot change a message's visibility: the deferral decided it.
            body.flags = None;
            client.edit_original(token, &body).await?;
            original.filled.store(true, Ordering::SeqCst);
        }
        Ok(())
    }
}

fn unsupported(reason: &'static str) -> DeliveryError {
    DeliveryError::Unsupported { platform: Platform::DISCORD, reason }
}

#[cfg(all(test, feature = "client"))]
mod tests {
    use super::*;

    fn responder(kind: u8) -> DiscordResponder {
        let body = format!(r#"{{"id":"1","type":{kind},"token":"t"}}"#);
        let interaction = Interaction::from_slice(body.as_bytes()).expect("an interaction");
        let client = DiscordClient::new("1", None, "http://127.0.0.1:9").expect("a client");
        let api = Api::new(client, None, Instant::now());
        DiscordResponder::new(Arc::new(interaction), Arc::from("Done."), api)
    }

    fn recorded(responder: &DiscordResponder) -> (bool, bool) {
        let original = &responder.api.original;
        (
            original.deferred.load(Ordering::SeqCst),
            original.deferred_ephemeral.load(Ordering::SeqCst),
        )
    }

    #[test]
    fn a_deferral_is_recorded_with_its_visibility_only_when_a_thinking_message_went_out() {
        let command = responder(2);
        assert_eq!(recorded(&command), (false, false), "nothing sent yet");
        command.acknowledge(Ack::Duplicate);
        assert_eq!(recorded(&command), (false, false), "a duplicate's answer is no deferral");
        command.acknowledge(Ack::Deferred(Visibility::Ephemeral));
        assert_eq!(recorded(&command), (true, true));
        let command = responder(2);
        command.acknowledge(Ack::Deferred(Visibility::Default));
        assert_eq!(recorded(&command), (true, false), "the automatic deferral is public");
        // A component's deferral (type 6) and autocomplete's answer (type 8) leave no message.
        for kind in [3, 4] {
            let other = responder(kind);
            other.acknowledge(Ack::Deferred(Visibility::Ephemeral));
            assert_eq!(recorded(&other), (false, false), "type {kind}");
        }
    }
}
