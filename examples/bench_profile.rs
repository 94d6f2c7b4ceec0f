//! A fixed number of requests through one path, for instruction counts that do not depend on
//! how busy the machine is:
//!
//! ```sh
//! cargo build --profile bench -p chatbridge-examples --example bench_profile
//! valgrind --tool=callgrind target/release/examples/bench_profile slack_command 10000
//! ```
//!
//! Paths: `bare_hmac`, `slack_verify`, `slack_command`, `slack_event`, `bare_ed25519`,
//! `discord_command`, `lex_v2`. Every request is built before the first is handled;
//! `PATH:setup` only builds them, so that its count can be subtracted
//! (`scripts/bench-callgrind.sh` does).
#![allow(clippy::print_stdout)]

#[path = "benches/common/mod.rs"]
mod common;

use std::hint::black_box;

use bytes::Bytes;
use http::Request;

#[inline(never)]
fn run_bare_hmac(requests: &[Request<Bytes>]) -> usize {
    requests.iter().filter(|r| common::raw_slack_hmac(common::SLACK_SECRET.as_bytes(), r)).count()
}

#[inline(never)]
fn run_slack_verify(requests: &[Request<Bytes>]) -> usize {
    let verifier = chatbridge_slack::verify::Verifier::new(common::SLACK_SECRET.into());
    requests.iter().filter(|r| verifier.verify(r.headers(), r.body()).is_ok()).count()
}

#[inline(never)]
fn run_bare_ed25519(requests: &[Request<Bytes>]) -> usize {
    let key = common::verifying_key();
    requests.iter().filter(|r| common::raw_ed25519(&key, r)).count()
}

#[inline(never)]
fn run_handle(rt: &tokio::runtime::Runtime, requests: Vec<Request<Bytes>>) -> usize {
    let bot = common::bot();
    rt.block_on(async {
        let mut ok = 0;
        for request in requests {
            ok += usize::from(black_box(bot.handle(request).await).status() == 200);
        }
        ok
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let arg = args.next().unwrap_or_else(|| "slack_command".to_owned());
    // `PATH:setup` builds the requests and stops: its count is the set-up to subtract.
    let (path, setup_only) = match arg.strip_suffix(":setup") {
        Some(path) => (path.to_owned(), true),
        None => (arg.clone(), false),
    };
    let n: usize = args.next().map_or(10_000, |n| n.parse().expect("a number of requests"));
    let rt = common::runtime();
    let make: fn() -> Request<Bytes> = match path.as_str() {
        "bare_hmac" | "slack_verify" | "slack_command" => common::slack_command_request,
        "slack_event" => common::slack_event_request,
        "bare_ed25519" | "discord_command" => common::discord_command_request,
        "lex_v2" => common::lex_request,
        other => panic!("unknown path {other}"),
    };
    let first = make();
    let requests: Vec<Request<Bytes>> =
        (0..n).map(|_| if path == "slack_event" { make() } else { common::copy(&first) }).collect();
    if setup_only {
        println!("{path}: {} requests built", black_box(requests).len());
        return;
    }
    let ok = match path.as_str() {
        "bare_hmac" => run_bare_hmac(&requests),
        "slack_verify" => run_slack_verify(&requests),
        "bare_ed25519" => run_bare_ed25519(&requests),
        _ => run_handle(&rt, requests),
    };
    println!("{path}: {ok}/{n} ok");
}
