//! emojibot: reacts to messages with a tenuously related emoji, on Slack, Discord and Lex.
//!
//! ```sh
//! cargo run --example emojibot -- simulate slack "I love pizzas"   # no accounts needed
//! SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=... cargo run --example emojibot
//! DISCORD_GATEWAY=1 DISCORD_BOT_TOKEN=... cargo run --example emojibot   # Discord, no public URL
//! ```

use std::process::ExitCode;

use chatbridge_examples::{app, bots::emojibot};

#[tokio::main]
async fn main() -> ExitCode {
    app::main("emojibot", emojibot::router).await
}
