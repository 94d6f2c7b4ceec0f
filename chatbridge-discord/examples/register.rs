//! Registers the example bot's commands, writing nothing when they are registered already.
//!
//! ```text
//! DISCORD_PUBLIC_KEY=… DISCORD_APPLICATION_ID=… DISCORD_BOT_TOKEN=… \
//! DISCORD_GUILD_ID=… cargo run -p chatbridge-discord --example register
//! ```
//!
//! With `DISCORD_GUILD_ID` the commands go to that guild (effective at once); without it they
//! are global. `DISCORD_API_URL` points the calls elsewhere (a fake API in tests).

// A command-line tool: its output is for the person who ran it.
#![allow(clippy::print_stdout)]

use chatbridge_discord::DiscordAdapter;
use chatbridge_discord::model::{ContextType, OptionType};
use chatbridge_discord::register::{CommandDefinition, OptionDefinition, Scope, SyncOutcome};

fn commands() -> Vec<CommandDefinition> {
    vec![
        CommandDefinition::chat_input("hello-there", "Greets you like a Jedi")
            .localize("fr", "bonjour", "Vous salue comme un Jedi")
            .contexts([ContextType::Guild, ContextType::BotDm]),
        CommandDefinition::chat_input("order", "Order a pizza")
            .option(
                OptionDefinition::new(OptionType::String, "kind", "Which pizza")
                    .required()
                    .autocomplete(),
            )
            .option(OptionDefinition::new(OptionType::Integer, "count", "How many").range(1, 10)),
        CommandDefinition::message("Emojify"),
    ]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let adapter = DiscordAdapter::from_env()?;
    let client = adapter.client();
    let scope = match std::env::var("DISCORD_GUILD_ID") {
        Ok(guild) if !guild.is_empty() => Scope::Guild(guild),
        _ => Scope::Global,
    };
    match client.sync_commands(&scope, &commands()).await? {
        SyncOutcome::Unchanged => println!("commands unchanged; nothing sent"),
        SyncOutcome::Overwritten => println!("commands registered"),
        _ => println!("done"),
    }
    Ok(())
}
