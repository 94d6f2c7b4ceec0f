//! In-process cost ratios that hold on a noisy machine: each path is timed against its bare
//! crypto in alternating short slices, and the ratio is taken per slice pair.
//!
//! ```sh
//! cargo run --release -p chatbridge-examples --example bench_ratio            # every pair
//! cargo run --release -p chatbridge-examples --example bench_ratio -- slack   # names containing "slack"
//! ```
//!
//! Criterion (`cargo bench --bench adapters`) times one function for seconds, then the next;
//! on a shared VM whose speed drifts by a third from one second to the next, the ratio of two
//! such figures says more about the drift than about the code. Here a slice of the baseline
//! (a few hundred microseconds of it) and a slice of the path run back to back, in alternating
//! order, 1001 times; each pair gives a ratio, and the median of those ratios is reported with
//! the medians of the per-call times. The requests, keys, bot and baselines are the criterion
//! benches' (`benches/common`), so both measure the same thing.
#![allow(clippy::print_stdout)]

#[path = "benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Instant;

use bytes::Bytes;
use chatbridge_core::adapter::Adapter;
use http::Request;

/// Slice pairs per comparison (odd, so the median is one of them).
const ROUNDS: usize = 1001;

/// One comparison: a baseline and a path, each a batch of calls on prepared requests.
struct Pair {
    name: &'static str,
    baseline: &'static str,
    /// Calls per slice: enough for a few hundred microseconds.
    batch: usize,
    /// Whether the requests are valid (every call accepts them) or forged (every call refuses).
    valid: bool,
    make: fn() -> Request<Bytes>,
    run_baseline: fn(&Env, &[Request<Bytes>]) -> usize,
    run_path: fn(&Env, Vec<Request<Bytes>>) -> usize,
}

/// What the runs share.
struct Env {
    rt: tokio::runtime::Runtime,
    bot: chatbridge_core::Bot,
    slack: chatbridge_slack::SlackAdapter,
    discord: chatbridge_discord::DiscordAdapter,
    key: ed25519_dalek::VerifyingKey,
}

fn handle(env: &Env, requests: Vec<Request<Bytes>>) -> usize {
    env.rt.block_on(async {
        let mut ok = 0;
        for request in requests {
            ok += usize::from(black_box(env.bot.handle(request).await).status() == 200);
        }
        ok
    })
}

/// `Bot::handle` for all of a slice's requests at once, as a server under load has them (the
/// Discord adapter checks their signatures in one batch).
fn handle_together(env: &Env, requests: Vec<Request<Bytes>>) -> usize {
    env.rt.block_on(async {
        let answers =
            futures_util::future::join_all(requests.into_iter().map(|r| env.bot.handle(r)));
        answers.await.iter().filter(|response| response.status() == 200).count()
    })
}

fn bare_hmac(_env: &Env, requests: &[Request<Bytes>]) -> usize {
    let secret = common::SLACK_SECRET.as_bytes();
    requests.iter().filter(|r| common::raw_slack_hmac(black_box(secret), r)).count()
}

fn bare_ed25519(env: &Env, requests: &[Request<Bytes>]) -> usize {
    requests.iter().filter(|r| common::raw_ed25519(&env.key, r)).count()
}

fn slack_parse(env: &Env, requests: Vec<Request<Bytes>>) -> usize {
    requests.iter().filter(|r| env.slack.parse(black_box(r)).is_ok()).count()
}

fn discord_parse(env: &Env, requests: Vec<Request<Bytes>>) -> usize {
    requests.iter().filter(|r| env.discord.parse(black_box(r)).is_ok()).count()
}

const PAIRS: &[Pair] = &[
    Pair {
        name: "slack_command/parse",
        baseline: "bare_hmac",
        batch: 200,
        valid: true,
        make: common::slack_command_request,
        run_baseline: bare_hmac,
        run_path: slack_parse,
    },
    Pair {
        name: "slack_command/handle",
        baseline: "bare_hmac",
        batch: 200,
        valid: true,
        make: common::slack_command_request,
        run_baseline: bare_hmac,
        run_path: handle,
    },
    Pair {
        name: "discord_command/parse",
        baseline: "bare_ed25519",
        batch: 10,
        valid: true,
        make: common::discord_command_request,
        run_baseline: bare_ed25519,
        run_path: discord_parse,
    },
    Pair {
        name: "discord_command/handle",
        baseline: "bare_ed25519",
        batch: 10,
        valid: true,
        make: common::discord_command_request,
        run_baseline: bare_ed25519,
        run_path: handle,
    },
    Pair {
        name: "discord_command/handle_16_together",
        baseline: "bare_ed25519",
        batch: 16,
        valid: true,
        make: common::discord_command_request,
        run_baseline: bare_ed25519,
        run_path: handle_together,
    },
    Pair {
        name: "discord_forged/handle_16_together",
        baseline: "bare_ed25519",
        batch: 16,
        valid: false,
        make: common::discord_forged_request,
        run_baseline: bare_ed25519,
        run_path: handle_together,
    },
];

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn measure(env: &Env, pair: &Pair) {
    let first = (pair.make)();
    let batch = |n| (0..n).map(|_| common::copy(&first)).collect::<Vec<_>>();
    // Warm up both, and check that both give every request the answer it should get.
    let warm = batch(pair.batch);
    let accepted = if pair.valid { pair.batch } else { 0 };
    assert_eq!((pair.run_baseline)(env, &warm), accepted, "{}: baseline's answers", pair.name);
    assert_eq!((pair.run_path)(env, warm), accepted, "{}: path's answers", pair.name);
    let (mut base_ns, mut path_ns, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (for_base, for_path) = (batch(pair.batch), batch(pair.batch));
        let time_base = || {
            let start = Instant::now();
            black_box((pair.run_baseline)(env, &for_base));
            start.elapsed().as_nanos() as f64 / pair.batch as f64
        };
        let time_path = |requests| {
            let start = Instant::now();
            black_box((pair.run_path)(env, requests));
            start.elapsed().as_nanos() as f64 / pair.batch as f64
        };
        let (base, path) = if round % 2 == 0 {
            let base = time_base();
            (base, time_path(for_path))
        } else {
            let path = time_path(for_path);
            (time_base(), path)
        };
        base_ns.push(base);
        path_ns.push(path);
        ratios.push(path / base);
    }
    let (base, path) = (median(&mut base_ns), median(&mut path_ns));
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let (q1, q3) = (sorted[ROUNDS / 4], sorted[ROUNDS * 3 / 4]);
    println!(
        "| {} | {:.2} µs | {} {:.2} µs | {:.2}× ({:.2}–{:.2}) |",
        pair.name,
        path / 1000.0,
        pair.baseline,
        base / 1000.0,
        median(&mut ratios),
        q1,
        q3
    );
}

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let env = Env {
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime"),
        bot: common::bot(),
        slack: common::slack_adapter(),
        discord: common::discord_adapter(),
        key: common::verifying_key(),
    };
    println!("{ROUNDS} alternating slice pairs per row; ratio: median (interquartile range)\n");
    println!("| path | per call | baseline per call | ratio to the baseline |");
    println!("| --- | ---: | ---: | ---: |");
    for pair in PAIRS.iter().filter(|p| p.name.contains(filter.as_str())) {
        measure(&env, pair);
    }
}
