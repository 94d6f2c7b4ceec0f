//! The server `scripts/soak.sh` loads: a Slack slash command through the real adapter, answered
//! inline, on loopback. The same signed command sent again is a replay, acknowledged with an
//! empty 200 without running the handler. Not an example of how to write a bot (see the
//! `examples` crate).
//!
//! ```text
//! SLACK_SIGNING_SECRET=… cargo run --release -p chatbridge-slack --example soak -- 127.0.0.1:3900
//! ```

use chatbridge_core::host::server::Server;
use chatbridge_core::{Bot, Context, Message, Router, Secret};
use chatbridge_slack::SlackAdapter;

async fn hello(_cx: Context, msg: Message) -> String {
    format!("General Kenobi! ({})", msg.text)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3900".to_owned());
    let secret = std::env::var("SLACK_SIGNING_SECRET")?;
    let adapter = SlackAdapter::builder(Secret::new(secret)).build()?;
    let bot = Bot::builder()
        .mount("/slack/events", adapter)
        .handler(Router::new().command("hello-there", hello))
        .build();
    Server::bind(addr).await?.serve(bot).await?;
    Ok(())
}
