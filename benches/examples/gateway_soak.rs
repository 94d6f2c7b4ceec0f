//! Sustained Gateway load: `MESSAGE_CREATE`s from the fake Gateway on loopback at a steady rate
//! (default 10 000 a second) for a while (default 60 s), through twilight-gateway and the bot's
//! handler on a single-threaded runtime, with the process's resident memory every 5 s.
//!
//! ```sh
//! cargo run --release -p chatbridge-benches --example gateway_soak -- [SECONDS] [RATE]
//! ```
//!
//! The fake Gateway runs in the same process (on a runtime of its own) and keeps a bounded
//! backlog, so a flat RSS means neither side holds on to what it handled. The RSS rises at
//! first, while the bot's memory store fills up to its bound of de-duplication marks
//! (`MemoryStore::DEFAULT_MAX_EXPIRING`, ten seconds of this load), then stays flat. Exits with
//! an error when a dispatch is lost, or when the RSS at the end is more than 5 % above the RSS
//! halfway through the run.
#![allow(missing_docs, clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chatbridge_core::host::connection::{Connection, Readiness};
use chatbridge_core::testing::FakeApi;
use chatbridge_core::{Bot, Context, Message, Router, Secret};
use chatbridge_discord::gateway::{DiscordGateway, NAME};
use chatbridge_discord::testing::gateway::{FakeGateway, events};
use tokio_util::sync::CancellationToken;

/// Dispatches are sent in slices this often.
const TICK: Duration = Duration::from_millis(10);

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() -> Result<(), chatbridge_core::BoxError> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map_or(Ok(60), |s| s.parse())?;
    let rate: u64 = args.next().map_or(Ok(10_000), |s| s.parse())?;
    let fakes =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let (api, gateway) =
        fakes.block_on(async { (FakeApi::start().await, FakeGateway::start().await) });
    gateway.serve_gateway_bot(&api, 1);

    let handled = Arc::new(AtomicU64::new(0));
    let counting = Arc::clone(&handled);
    let router = Router::new().fallback(move |_cx: Context, msg: Message| {
        assert_eq!(msg.text, "hello");
        counting.fetch_add(1, Ordering::Relaxed);
        async {}
    });
    let bot = Bot::builder().handler(router).build();
    let connection = DiscordGateway::new(Secret::new("soak-token"), &api.url())?;
    let ready = Readiness::new(NAME);
    let stop = CancellationToken::new();
    let bot_thread = {
        let (ready, stop) = (ready.clone(), stop.clone());
        std::thread::spawn(move || -> Result<(), chatbridge_core::BoxError> {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(Box::new(connection).run(bot, ready, stop))
        })
    };
    let connected = Instant::now();
    while !ready.get() {
        if connected.elapsed() > Duration::from_secs(10) {
            return Err("the bot did not connect to the fake Gateway".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }

    println!("{:>6} {:>10} {:>10} {:>9}", "s", "sent", "handled", "rss KiB");
    let per_tick = rate * TICK.as_millis() as u64 / 1000;
    let started = Instant::now();
    let (mut sent, mut next_report, mut reference) = (0u64, Duration::ZERO, None);
    while started.elapsed() < Duration::from_secs(seconds) {
        for _ in 0..per_tick {
            gateway.dispatch("MESSAGE_CREATE", events::message("hello"));
        }
        sent += per_tick;
        let elapsed = started.elapsed();
        if elapsed >= next_report {
            let rss = rss_kib();
            println!(
                "{:>6} {sent:>10} {:>10} {rss:>9}",
                elapsed.as_secs(),
                handled.load(Ordering::Relaxed)
            );
            if reference.is_none() && elapsed.as_secs() >= seconds / 2 {
                reference = Some(rss);
            }
            next_report += Duration::from_secs(5);
        }
        let next_tick = TICK * u32::try_from(sent / per_tick.max(1)).unwrap_or(u32::MAX);
        std::thread::sleep(next_tick.saturating_sub(started.elapsed()));
    }
    let drained = Instant::now();
    while handled.load(Ordering::Relaxed) < sent && drained.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (end, handled) = (rss_kib(), handled.load(Ordering::Relaxed));
    let achieved = handled as f64 / started.elapsed().as_secs_f64();
    println!("sent {sent}, handled {handled} ({achieved:.0}/s), rss at the end {end} KiB");
    stop.cancel();
    bot_thread.join().map_err(|_| "the bot's thread panicked")??;
    if handled != sent {
        return Err(format!("{} dispatches not handled", sent - handled).into());
    }
    if let Some(reference) = reference
        && end > reference + reference / 20
    {
        return Err(format!("RSS grew from {reference} KiB to {end} KiB").into());
    }
    Ok(())
}
