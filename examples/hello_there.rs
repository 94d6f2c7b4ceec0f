//! `/hello-there`: "General Kenobi!" inline, then "You _are_ a bold one." 5 seconds later as a
//! follow-up, on Slack and Discord; the HelloThere intent on Lex.
//!
//! ```sh
//! cargo run --example hello_there -- simulate discord /hello-there   # no accounts needed
//! ```

use std::process::ExitCode;

use chatbridge_examples::{app, bots::hello_there};

#[tokio::main]
async fn main() -> ExitCode {
    app::main("hello_there", hello_there::router).await
}
