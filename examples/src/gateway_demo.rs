//! The Discord Gateway on this machine: a fake Discord plays `GET /gateway/bot`, the Gateway's
//! WebSocket (HELLO, READY, dispatches) and the REST API, and the bot's own start-up
//! (`DISCORD_GATEWAY=1`, `DISCORD_BOT_TOKEN`; no public URL) connects to it, as it would to
//! Discord.

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use chatbridge_core::host::server::Server;
use chatbridge_core::testing::FakeApi;
use chatbridge_core::{BoxError, Router};
use chatbridge_discord::testing::gateway::{FakeGateway, events};

use crate::app::{build_bot, with_connections};

/// How long the demo waits for the bot's REST calls.
const WAIT: Duration = Duration::from_secs(20);

/// Serves `router` over the Discord Gateway against a fake Discord, sends `text` as a channel
/// message and as a direct message, and prints what the bot did through the REST API.
///
/// # Errors
///
/// The bot could not be built or served, or Discord's side never heard back.
pub async fn messages(text: &str, router: Router) -> Result<(), BoxError> {
    let api = FakeApi::start().await;
    let gateway = FakeGateway::start().await;
    gateway.serve_gateway_bot(&api, 1);
    let api_url = api.url();
    let lookup = |name: &str| {
        let value = match name {
            "CHATBRIDGE_STORE" => ":memory:",
            "DISCORD_GATEWAY" => "1",
            "DISCORD_BOT_TOKEN" => "simulated-bot-token",
            "DISCORD_API_URL" => api_url.as_str(),
            _ => return None,
        };
        Some(value.to_owned())
    };
    let bot = build_bot(router, &lookup).await?;
    let server = with_connections(Server::bind("127.0.0.1:0").await?, &lookup)?;
    println!("chatbridge simulator: the Discord Gateway, no public URL");
    println!("  fake Gateway: {}", gateway.url());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    if gateway.wait_for_op(2, 1, WAIT).await.is_empty() {
        return Err("the bot never identified on the Gateway".into());
    }
    println!("  GET /gateway/bot, then the socket: HELLO, IDENTIFY, READY");

    println!();
    let sent = Instant::now();
    println!("→ MESSAGE_CREATE in a channel: {text:?}");
    gateway.dispatch("MESSAGE_CREATE", events::message(text));
    println!("→ MESSAGE_CREATE in a DM: {text:?}");
    gateway.dispatch("MESSAGE_CREATE", events::direct_message(text));
    // GET /gateway/bot, then one call per message.
    let calls = api.wait_for(3, WAIT).await;
    for call in calls.iter().filter(|c| c.path.starts_with("/channels/")) {
        let content = call.json()["content"].as_str().map(str::to_owned).unwrap_or_default();
        println!(
            "← +{:.1} ms  {} {} {content}",
            sent.elapsed().as_secs_f64() * 1000.0,
            call.method,
            call.path
        );
    }
    let _ = stop.send(());
    serving.await??;
    println!();
    println!("Gateway closed at shutdown (close codes {:?})", gateway.wait_for_close(WAIT).await);
    Ok(())
}
