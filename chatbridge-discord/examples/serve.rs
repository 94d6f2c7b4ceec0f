//! A Discord interactions endpoint on a local server.
//!
//! ```text
//! DISCORD_PUBLIC_KEY=… DISCORD_APPLICATION_ID=… DISCORD_BOT_TOKEN=… \
//! cargo run -p chatbridge-discord --example serve
//! ```
//!
//! Point the application's "Interactions Endpoint URL" at `https://<tunnel>/discord/interactions`.

use std::time::Duration;

use chatbridge_core::{Bot, Context, HandlerError, Message, MessageKind, Reply, Router};
use chatbridge_discord::{Choice, DiscordAdapter, DiscordReplyExt};

async fn hello(cx: Context, _msg: Message) -> Result<(), HandlerError> {
    cx.reply(Reply::text("General Kenobi!").in_channel()).await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    cx.reply("You _are_ a bold one.").await?;
    Ok(())
}

async fn suggest(_cx: Context, msg: Message) -> Reply {
    let pizzas = ["margherita", "marinara", "quattro formaggi", "diavola"];
    Reply::new().choices(
        pizzas.iter().filter(|p| p.contains(msg.text.as_str())).map(|p| Choice::new(*p, *p)),
    )
}

async fn emojify(_cx: Context, _msg: Message) -> Reply {
    Reply::reaction("pizza")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bot = Bot::builder()
        .mount("/discord/interactions", DiscordAdapter::from_env()?)
        .handler(
            Router::new()
                .command("hello-there", hello)
                .command("Emojify", emojify)
                .on(MessageKind::Autocomplete, suggest),
        )
        .build();
    chatbridge_core::host::server::serve(bot, "127.0.0.1:3000").await?;
    Ok(())
}
