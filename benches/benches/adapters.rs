//! Per-request cost in process, one group per platform, each beside the bare cost of its crypto
//! measured in the same run:
//!
//! - `slack_command`: the harness's 509-byte `/hello` form;
//! - `slack_event`: a channel message (acknowledged at once, handled after; a fresh `event_id`
//!   per request so de-duplication lets each through);
//! - `discord_command`: the harness's 1084-byte `/hello` interaction;
//! - `lex_v2`: a V2 dialog code hook (Lex signs nothing: the baseline is parsing the same JSON
//!   into a `serde_json::Value`).
//!
//! In each group: `bare_*` (the crypto alone, as the harness's hyper floor does it; for the
//! Slack command also `bare_form`, `form_urlencoded` decoding every field of the form),
//! `verify` (the adapter's verifier), `accept` (`Adapter::accept`: verify + read + the message
//! and its responder), `handle` (`Bot::handle`: the whole path to the HTTP response, handler
//! included). Replay protection is off, as the same signed request is sent again and again.
//!
//! `cargo bench -p chatbridge-benches --bench adapters`

#![allow(missing_docs)]

mod common;

use std::hint::black_box;

use chatbridge_core::adapter::Adapter;
use chatbridge_lex::LexAdapter;
use common::*;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

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
    g.bench_function("bare_form", |b| {
        b.iter(|| form_urlencoded::parse(black_box(request.body())).count())
    });
    g.bench_function("verify", |b| {
        b.iter(|| verifier.verify(request.headers(), black_box(request.body())).is_ok())
    });
    g.bench_function("accept", |b| {
        b.to_async(&rt).iter_batched(
            || copy(&request),
            |r| async { adapter.accept(r).await.is_ok() },
            BatchSize::SmallInput,
        )
    });
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
    g.bench_function("accept", |b| {
        b.to_async(&rt).iter_batched(
            || copy(&request),
            |r| async { adapter.accept(r).await.is_ok() },
            BatchSize::SmallInput,
        )
    });
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
        b.iter(|| adapter.verifier().verify_request(black_box(&request)).is_ok())
    });
    g.bench_function("accept", |b| {
        b.to_async(&rt).iter_batched(
            || copy(&request),
            |r| async { adapter.accept(r).await.is_ok() },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(|| copy(&request), |r| bot.handle(r), BatchSize::SmallInput)
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
    g.bench_function("accept", |b| {
        b.to_async(&rt).iter_batched(
            || copy(&request),
            |r| async { adapter.accept(r).await.is_ok() },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(|| copy(&request), |r| bot.handle(r), BatchSize::SmallInput)
    });
    g.finish();
}

criterion_group!(benches, slack_command, slack_event, discord_command, lex_v2);
criterion_main!(benches);
