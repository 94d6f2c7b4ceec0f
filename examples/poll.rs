//! `/poll Lunch? | Pizza | Tacos`: a poll with a button per option; presses count one vote per
//! user and update the poll, on Slack and Discord; a response card on Lex (intent `Poll`).
//!
//! ```sh
//! cargo run --example poll -- simulate slack "/poll Lunch? | Pizza | Tacos"   # no accounts needed
//! ```

use std::process::ExitCode;

use chatbridge_examples::{app, bots::poll};

#[tokio::main]
async fn main() -> ExitCode {
    app::main("poll", poll::router).await
}
