//! The benchmark server: one `/hello` command, served on Slack and Discord by the stock host.
//!
//! ```sh
//! SLACK_SIGNING_SECRET=… DISCORD_PUBLIC_KEY=… \
//!   cargo run --release -p chatbridge-examples --example bench_server -- --port 3000
//! ```
//!
//! Slack at `/slack/events`, Discord at `/discord/interactions`; `/hello` answers
//! `Reply::text("General Kenobi!").in_channel()` on both. This is what
//! `scripts/bench-peers.sh` puts beside the bare hyper rows of the peer harness: nothing here is
//! tuned for the benchmark, it is the server a user would write (see `docs/performance.md`),
//! except that replay protection is off on both platforms: the harness sends one request,
//! signed once, over and over, and with the check on every copy after the first would be
//! answered as a replay.
//!
//! Options: `--port N` (default 3000), `--addr A` (default 127.0.0.1), `--current-thread`
//! (a single-threaded runtime instead of tokio's multi-threaded default). Logs go to stderr at
//! `RUST_LOG` (default `warn`).
#![allow(clippy::print_stderr)]

use chatbridge_core::{Bot, Context, Message, Reply, Router};
use chatbridge_discord::DiscordAdapter;
use chatbridge_slack::SlackAdapter;

/// Any id will do: the harness's interaction names this one.
const DEFAULT_APPLICATION_ID: &str = "1234567890123456789";

async fn hello(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!").in_channel()
}

fn bot() -> Result<Bot, Box<dyn std::error::Error>> {
    let secret =
        std::env::var("SLACK_SIGNING_SECRET").map_err(|_| "SLACK_SIGNING_SECRET is unset")?;
    let slack = SlackAdapter::builder(secret.into()).deduplicate(false).build()?;
    let public_key =
        std::env::var("DISCORD_PUBLIC_KEY").map_err(|_| "DISCORD_PUBLIC_KEY is unset")?;
    let application_id = std::env::var("DISCORD_APPLICATION_ID")
        .unwrap_or_else(|_| DEFAULT_APPLICATION_ID.to_owned());
    let discord = DiscordAdapter::builder(public_key, application_id).deduplicate(false).build()?;
    Ok(Bot::builder()
        .mount("/slack/events", slack)
        .mount("/discord/interactions", discord)
        .handler(Router::new().command("hello", hello))
        .build())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 3000u16;
    let mut addr = "127.0.0.1".to_owned();
    let mut current_thread = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            "--addr" => addr = args.next().ok_or("--addr needs a value")?,
            "--current-thread" => current_thread = true,
            other => {
                eprintln!("usage: bench_server [--port N] [--addr A] [--current-thread]");
                return Err(format!("unknown argument {other}").into());
            }
        }
    }
    chatbridge_examples::app::init_tracing("warn");
    let bot = bot()?;
    let runtime = if current_thread {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        tokio::runtime::Builder::new_multi_thread().enable_all().build()?
    };
    runtime.block_on(chatbridge_core::host::server::serve(bot, (addr.as_str(), port)))?;
    Ok(())
}
