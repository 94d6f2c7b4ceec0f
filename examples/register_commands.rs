//! Registers the Discord commands of both examples, from the same definitions the bots answer.
//! Nothing is sent when what is registered already matches.
//!
//! ```sh
//! DISCORD_APPLICATION_ID=... DISCORD_BOT_TOKEN=... cargo run --example register_commands [-- GUILD_ID]
//! ```

use std::process::ExitCode;

use chatbridge_core::{BoxError, Secret};
use chatbridge_discord::DiscordClient;
use chatbridge_discord::register::Scope;
use chatbridge_examples::commands;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    match register().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("registration failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn register() -> Result<(), BoxError> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let application_id = var("DISCORD_APPLICATION_ID")?;
    let token = Secret::new(var("DISCORD_BOT_TOKEN")?);
    let api_url = std::env::var("DISCORD_API_URL")
        .unwrap_or_else(|_| chatbridge_discord::DEFAULT_API_URL.to_owned());
    let client = DiscordClient::new(application_id, Some(token), &api_url)?;
    let scope = match std::env::args().nth(1) {
        Some(guild) => Scope::Guild(guild),
        None => Scope::Global,
    };
    let outcome = client.sync_commands(&scope, &commands::all()).await?;
    tracing::info!(?scope, ?outcome, "done");
    Ok(())
}
