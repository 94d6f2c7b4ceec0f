//! Per-request cost in process, one group per platform, each beside the bare cost of its crypto
//! measured in the same run:
//!
//! - `slack_command`: the harness's 509-byte `/hello` form;
//! - `slack_event`: a channel message (acknowledged at once, handled after; a fresh `event_id`
//!   per request so de-duplication lets each through);
//! - `discord_command`: the harness's 1084-byte `/hello` interaction;
//! - `discord_command_x16`: sixteen of them at once, as a server under load has them, where the
//!   adapter checks their signatures in one batch (per-request figures: throughput is set to
//!   16 elements);
//! - `lex_v2`: a V2 dialog code hook (Lex signs nothing: the baseline is parsing the same JSON
//!   into a `serde_json::Value`).
//!
//! In each group: `bare_*` (the crypto alone, as the harness's hyper floor does it),
//! `verify` (the adapter's verifier), `parse` (`Adapter::parse`: verify + parse), `handle`
//! (`Bot::handle`: the whole path to the HTTP response, handler included).
//!
//! `cargo bench -p chatbridge-examples --bench adapters`

#![allow(missing_docs)]

mod common;

use std::hint::black_box;

use chatbridge_core::adapter::Adapter;
use chatbridge_lex::LexAdapter;
use common::*;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

fn slack_command(c: &mut Criterion) {
    let rt = runtime();
    let bot = bot();
    let adapter = slack_adapter();
    let verifier = chatbridge_slack::verify::Verifier::new(SLACK_SECRET.into());
    let request = slack_command_request();
    assert!(raw_slack_hmac(SLACK_SECRET.as_bytes(), &request));
    let response = rt.block_on(bot.handle(copy(&request)));
    assert_eq!(response.status(), 200);
    assert!(std::str::from_utf8(response.body()).expect("utf-8").contains("General Kenobi!"));

    let mut g = c.benchmark_group("slack_command");
    g.bench_function("bare_hmac", |b| {
        b.iter(|| raw_slack_hmac(black_box(SLACK_SECRET.as_bytes()), black_box(&request)))
    });
    g.bench_function("verify", |b| {
        b.iter(|| verifier.verify(request.headers(), black_box(request.body())).is_ok())
    });
    g.bench_function("parse", |b| b.iter(|| adapter.parse(black_box(&request)).is_ok()));
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(|| copy(&request), |r| bot.handle(r), BatchSize::SmallInput)
    });
    g.finish();
}

fn slack_event(c: &mut Criterion) {
    let rt = runtime();
    let bot = bot();
    let adapter = slack_adapter();
    let verifier = chatbridge_slack::verify::Verifier::new(SLACK_SECRET.into());
    let request = slack_event_request();
    assert!(raw_slack_hmac(SLACK_SECRET.as_bytes(), &request));
    assert_eq!(rt.block_on(bot.handle(slack_event_request())).status(), 200);

    let mut g = c.benchmark_group("slack_event");
    g.bench_function("bare_hmac", |b| {
        b.iter(|| raw_slack_hmac(black_box(SLACK_SECRET.as_bytes()), black_box(&request)))
    });
    g.bench_function("verify", |b| {
        b.iter(|| verifier.verify(request.headers(), black_box(request.body())).is_ok())
    });
    g.bench_function("parse", |b| b.iter(|| adapter.parse(black_box(&request)).is_ok()));
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(slack_event_request, |r| bot.handle(r), BatchSize::SmallInput)
    });
    g.finish();
}

fn discord_command(c: &mut Criterion) {
    let rt = runtime();
    let bot = bot();
    let adapter = discord_adapter();
    let key = verifying_key();
    let request = discord_command_request();
    assert!(raw_ed25519(&key, &request));
    let response = rt.block_on(bot.handle(copy(&request)));
    assert_eq!(response.status(), 200);
    assert!(std::str::from_utf8(response.body()).expect("utf-8").contains("General Kenobi!"));

    let mut g = c.benchmark_group("discord_command");
    g.bench_function("bare_ed25519", |b| b.iter(|| raw_ed25519(&key, black_box(&request))));
    g.bench_function("verify", |b| {
        b.iter(|| {
            adapter.verifier().verify_request(request.headers(), black_box(request.body())).is_ok()
        })
    });
    g.bench_function("parse", |b| b.iter(|| adapter.parse(black_box(&request)).is_ok()));
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(|| copy(&request), |r| bot.handle(r), BatchSize::SmallInput)
    });
    g.finish();
}

fn discord_command_x16(c: &mut Criterion) {
    const N: usize = 16;
    let rt = runtime();
    let bot = bot();
    let key = verifying_key();
    let request = discord_command_request();
    let together = |requests: Vec<_>| {
        futures_util::future::join_all(requests.into_iter().map(|r| bot.handle(r)))
    };
    let answers = rt.block_on(together((0..N).map(|_| copy(&request)).collect()));
    assert!(answers.iter().all(|response| response.status() == 200));

    let mut g = c.benchmark_group("discord_command_x16");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("bare_ed25519", |b| {
        b.iter(|| (0..N).filter(|_| raw_ed25519(&key, black_box(&request))).count())
    });
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(
            || (0..N).map(|_| copy(&request)).collect(),
            together,
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn lex_v2(c: &mut Criterion) {
    let rt = runtime();
    let bot = bot();
    let adapter = LexAdapter::new();
    let request = lex_request();
    let response = rt.block_on(bot.handle(copy(&request)));
    assert_eq!(response.status(), 200);
    assert!(std::str::from_utf8(response.body()).expect("utf-8").contains("Which flowers"));

    let mut g = c.benchmark_group("lex_v2");
    g.bench_function("bare_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(request.body())).is_ok())
    });
    g.bench_function("parse", |b| b.iter(|| adapter.parse(black_box(&request)).is_ok()));
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(|| copy(&request), |r| bot.handle(r), BatchSize::SmallInput)
    });
    g.finish();
}

criterion_group!(benches, slack_command, slack_event, discord_command, discord_command_x16, lex_v2);
criterion_main!(benches);
