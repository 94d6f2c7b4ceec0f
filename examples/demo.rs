//! The example bots, end to end on this machine, on every platform (and hello_there over
//! Slack Socket Mode, emojibot over the Discord Gateway): the README's first command.
//!
//! ```sh
//! cargo run --example demo
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use chatbridge_examples::bots::{emojibot, hello_there, poll};
use chatbridge_examples::simulate::{Platform, Session};
use chatbridge_examples::{gateway_demo, socket_demo};

/// The action ids of a posted poll's buttons: Slack blocks or Discord action rows.
fn poll_buttons(json: &serde_json::Value) -> Vec<String> {
    let rows = json["blocks"].as_array().or(json["data"]["components"].as_array());
    rows.into_iter()
        .flatten()
        .flat_map(|row| row["elements"].as_array().or(row["components"].as_array()).cloned())
        .flatten()
        .filter_map(|e| e["action_id"].as_str().or(e["custom_id"].as_str()).map(str::to_owned))
        .collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    chatbridge_examples::app::init_tracing("warn");
    let run = async {
        let emoji = Session::start("emojibot", emojibot::router()).await?;
        emoji.say(Platform::Slack, "I love pizzas").await?;
        emoji.say(Platform::Discord, "/emoji tacos for everyone").await?;
        emoji.say(Platform::Discord, "Who wants cake?").await?;
        emoji.say(Platform::Lex, "Coffee please").await?;
        emoji.finish().await;
        println!();
        let hello = Session::start("hello_there", hello_there::router()).await?;
        hello.say(Platform::Slack, "/hello-there").await?;
        hello.say(Platform::Discord, "/hello-there").await?;
        hello.say(Platform::Lex, "Hello there").await?;
        hello.finish().await;
        println!();
        let polls = Session::start("poll", poll::router()).await?;
        for platform in [Platform::Slack, Platform::Discord] {
            let posted = polls.say(platform, "/poll Lunch? | Pizza | Tacos | Salad").await?;
            let ids = poll_buttons(&posted.json());
            if let (Some(pizza), Some(tacos)) = (ids.first(), ids.get(1)) {
                polls.press(platform, pizza, "Pizza", "U0ALICE").await?;
                polls.press(platform, tacos, "Tacos", "U0BOB").await?;
                polls.press(platform, tacos, "Tacos", "U0ALICE").await?;
            }
        }
        polls.say(Platform::Lex, "Lunch? | Pizza | Tacos").await?;
        polls.finish().await;
        println!();
        socket_demo::slash_command("/hello-there", hello_there::router()).await?;
        println!();
        gateway_demo::messages("I love pizzas", emojibot::router()).await?;
        Ok::<_, chatbridge_core::BoxError>(())
    };
    match run.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo failed: {error}");
            ExitCode::FAILURE
        }
    }
}
