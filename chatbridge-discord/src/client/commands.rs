//! Command registration calls: read what is registered, bulk overwrite, and sync (overwrite
//! only when something changed).

use http::Method;
use serde_json::Value;

use super::ratelimit::Route;
use super::{Call, DiscordClient, to_json};
use crate::register::{CommandDefinition, Scope, SyncOutcome, is_up_to_date};
use chatbridge_core::{DeliveryError, Platform};

impl DiscordClient {
    /// The commands registered in a scope, as Discord returns them (a JSON array).
    ///
    /// # Errors
    ///
    /// [`DeliveryError::Unsupported`] without a bot token, Discord's refusal, rate limiting
    /// past the policy, a transport failure.
    pub async fn get_commands(&self, scope: &Scope) -> Result<Value, DeliveryError> {
        let answer = self.commands_call(Method::GET, scope, None).await?;
        serde_json::from_slice(&answer).map_err(|e| DeliveryError::Transport {
            platform: Platform::DISCORD,
            source: Box::new(e),
        })
    }

    /// Replaces every command in a scope with `commands` (one bulk overwrite).
    ///
    /// # Errors
    ///
    /// As for [`get_commands`](Self::get_commands).
    pub async fn overwrite_commands(
        &self,
        scope: &Scope,
        commands: &[CommandDefinition],
    ) -> Result<(), DeliveryError> {
        self.commands_call(Method::PUT, scope, Some(to_json(&commands)?)).await?;
        Ok(())
    }

    /// Registers `commands` in a scope unless exactly these are registered already: reads
    /// them first and writes nothing when nothing changed (Discord allows 200 command
    /// creations a day per guild).
    ///
    /// # Errors
    ///
    /// As for [`get_commands`](Self::get_commands).
    pub async fn sync_commands(
        &self,
        scope: &Scope,
        commands: &[CommandDefinition],
    ) -> Result<SyncOutcome, DeliveryError> {
        let registered = self.get_commands(scope).await?;
        if is_up_to_date(commands, &registered) {
            tracing::info!(count = commands.len(), "discord commands unchanged; nothing sent");
            return Ok(SyncOutcome::Unchanged);
        }
        self.overwrite_commands(scope, commands).await?;
        tracing::info!(count = commands.len(), "discord commands overwritten");
        Ok(SyncOutcome::Overwritten)
    }

    async fn commands_call(
        &self,
        method: Method,
        scope: &Scope,
        body: Option<Vec<u8>>,
    ) -> Result<bytes::Bytes, DeliveryError> {
        let app = self.application_id().to_owned();
        let (segments, route): (Vec<&str>, Route) = match scope {
            Scope::Global => (
                vec!["applications", &app, "commands"],
                Route {
                    template: format!("{method} /applications/{{a}}/commands"),
                    major: app.clone(),
                },
            ),
            Scope::Guild(guild) => (
                vec!["applications", &app, "guilds", guild, "commands"],
                Route {
                    template: format!("{method} /applications/{{a}}/guilds/{{g}}/commands"),
                    major: guild.clone(),
                },
            ),
        };
        self.send(Call::rest(method, &segments, route, body)).await
    }
}
