//! One binary for every example bot, chosen by `CHATBRIDGE_BOT` (or the first argument): what a
//! deployment builds once, and what `cargo lambda watch` runs.
//!
//! ```sh
//! CHATBRIDGE_BOT=emojibot cargo run -p chatbridge-examples            # serve
//! cargo run -p chatbridge-examples -- hello_there simulate slack /hello-there
//! ```

use std::process::ExitCode;

use chatbridge_core::Router;
use chatbridge_examples::app;
use chatbridge_examples::bots::{emojibot, hello_there, poll, timing};

/// A bot's name and its routes.
type Bot = (&'static str, fn() -> Router);

const BOTS: &[Bot] = &[
    ("emojibot", emojibot::router),
    ("hello_there", hello_there::router),
    ("poll", poll::router),
    ("timing_bot", timing::router),
];

#[tokio::main]
async fn main() -> ExitCode {
    let first = std::env::args().nth(1);
    let by_arg = first.as_deref().and_then(|arg| BOTS.iter().find(|(name, _)| *name == arg));
    let chosen =
        by_arg.map(|(name, _)| name.to_string()).or_else(|| std::env::var("CHATBRIDGE_BOT").ok());
    let Some(&(name, router)) = chosen.and_then(|c| BOTS.iter().find(|(name, _)| *name == c))
    else {
        app::init_tracing("info");
        let names: Vec<&str> = BOTS.iter().map(|(name, _)| *name).collect();
        tracing::error!("choose a bot with CHATBRIDGE_BOT or the first argument: one of {names:?}");
        return ExitCode::FAILURE;
    };
    app::main_with_args(
        name,
        router,
        std::env::args().skip(if by_arg.is_some() { 2 } else { 1 }).collect(),
    )
    .await
}
