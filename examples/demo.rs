//! Both example bots, end to end on this machine, on every platform (and hello_there over Slack
//! Socket Mode): the README's first command.
//!
//! ```sh
//! cargo run --example demo
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use chatbridge_examples::bots::{emojibot, hello_there};
use chatbridge_examples::simulate::{Platform, Session};
use chatbridge_examples::socket_demo;

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
        socket_demo::slash_command("/hello-there", hello_there::router()).await?;
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
