//! `/quick` (answered inline) and `/slow` (10 s: acknowledged on time, then a follow-up), plus
//! `/hello-there`: deferral at work, on a local server or on AWS Lambda.
//!
//! ```sh
//! cargo run --example timing_bot -- simulate slack /slow
//! ```

use std::process::ExitCode;

use chatbridge_examples::{app, bots::timing};

#[tokio::main]
async fn main() -> ExitCode {
    app::main("timing_bot", timing::router).await
}
