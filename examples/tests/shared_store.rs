//! emojibot as two processes on one SQLite store, as two instances behind a load balancer: a
//! Slack event sent to one and its retry to the other at the same time gets one reaction; an
//! event whose first process is killed right after acknowledging it still gets exactly one,
//! from the other. Counted at the fake platform API.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chatbridge_slack::testing::{TestSigner as SlackSigner, payload as slack_payload};
use support::{SLACK_SECRET, Setup, kill, stop};

/// A channel message emojibot reacts to, with an `event_id` no other event uses, in this run
/// or another (the store remembers event ids for an hour): the time, and a counter for events
/// made at the same instant.
fn event() -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let body = slack_payload::message("C0SHARED", "I love pizza", false);
    let mut json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    json["event_id"] = format!("Ev{nanos}x{n}").into();
    serde_json::to_vec(&json).unwrap()
}

/// The event as Slack delivers it: the first time, or as retry `retry`.
fn delivery(body: &[u8], retry: Option<u32>) -> http::Request<Bytes> {
    let signer = SlackSigner::new(SLACK_SECRET);
    let mut request = signer.request("/slack/events", slack_payload::JSON, body.to_vec());
    if let Some(n) = retry {
        let headers = request.headers_mut();
        headers.insert("x-slack-retry-num", n.into());
        headers.insert("x-slack-retry-reason", http::HeaderValue::from_static("http_timeout"));
    }
    request
}

async fn post(url: &str, request: http::Request<Bytes>) -> u16 {
    try_post(url, request).await.expect("the bot answers")
}

/// The `reactions.add` calls, as (channel, timestamp, name).
fn reaction_calls(setup: &Setup) -> Vec<(String, String, String)> {
    let calls = setup.api.requests();
    let reactions = calls.iter().filter(|c| c.path.ends_with("reactions.add"));
    let field = |json: &serde_json::Value, name: &str| json[name].as_str().unwrap_or("").to_owned();
    reactions
        .map(|c| c.json())
        .map(|j| (field(&j, "channel"), field(&j, "timestamp"), field(&j, "name")))
        .collect()
}

/// The reactions on each message, by its timestamp: Slack keeps one per message and name (a
/// repeated `reactions.add` is answered `already_reacted`), so these are distinct ones.
fn reactions_per_message(setup: &Setup) -> HashMap<String, usize> {
    let mut distinct = reaction_calls(setup);
    distinct.sort();
    distinct.dedup();
    let mut per_message = HashMap::new();
    for (_, ts, _) in distinct {
        *per_message.entry(ts).or_insert(0) += 1;
    }
    per_message
}

/// The reactions on all the messages.
fn reactions(setup: &Setup) -> usize {
    reactions_per_message(setup).values().sum()
}

async fn wait_for_a_reaction(setup: &Setup) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while reactions(setup) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no reaction came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_and_its_retry_at_two_processes_at_once_get_one_reaction() {
    retry_at_two_processes_at_once(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_whose_process_is_killed_after_acknowledging_gets_one_reaction_from_the_other() {
    killed_after_acknowledging(None).await;
}

/// Both scenarios on PostgreSQL, one after the other: the bots on a shared database sweep
/// every request in it, so two scenarios at once would recover each other's.
#[cfg(feature = "postgres")]
#[ignore = "needs PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_event_and_its_retry_or_a_kill_after_acknowledging_get_one_reaction() {
    let url = std::env::var("CHATBRIDGE_TEST_POSTGRES_URL").expect(
        "CHATBRIDGE_TEST_POSTGRES_URL is not set: run `eval \"$(scripts/postgres-local.sh start)\"`",
    );
    retry_at_two_processes_at_once(Some(url.clone())).await;
    killed_after_acknowledging(Some(url)).await;
}

/// An event sent to one process and its retry to another at the same time: one reaction.
async fn retry_at_two_processes_at_once(postgres: Option<String>) {
    let setup = Setup::new(postgres).await;
    let (a, b) = (setup.start("emojibot", 1).await, setup.start("emojibot", 2).await);
    let body = event();
    let (first, retry) =
        tokio::join!(post(&a.url, delivery(&body, None)), post(&b.url, delivery(&body, Some(1))));
    assert_eq!((first, retry), (200, 200));
    wait_for_a_reaction(&setup).await;
    // Stopped gracefully, both deliver whatever they still had; after that nothing can come.
    stop(a);
    stop(b);
    assert_eq!(reactions(&setup), 1, "{}\n{}", setup.log(1), setup.log(2));
    assert_eq!(reaction_calls(&setup).len(), 1, "the retry was not handled at all");
    let call = setup.api.requests().into_iter().find(|c| c.path.ends_with("reactions.add"));
    assert_eq!(call.map(|c| c.json()["name"].clone()), Some("pizza".into()));
}

/// The process that acknowledged an event is killed at once: the other reacts, once.
async fn killed_after_acknowledging(postgres: Option<String>) {
    let setup = Setup::new(postgres).await;
    let (a, b) = (setup.start("emojibot", 1).await, setup.start("emojibot", 2).await);
    assert_eq!(post(&a.url, delivery(&event(), None)).await, 200);
    kill(a);
    // Either the first process reacted before it died and the journal has it, or the other
    // process recovers the event once its lease expires and reacts; when the kill came while
    // the first `reactions.add` was in flight, the rerun repeats it and Slack answers
    // `already_reacted`: still one reaction.
    wait_for_a_reaction(&setup).await;
    setup.wait_for_empty_inbox("slack").await;
    stop(b);
    assert_eq!(reactions(&setup), 1, "{}\n{}", setup.log(1), setup.log(2));
}

/// A stream of events over three processes; at a random event, the process that just
/// acknowledged it is killed (and started again later): every event gets exactly one reaction. A delivery that fails
/// because its process died is retried at the next one, as Slack retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_killed_during_a_stream_of_events_leaves_exactly_one_reaction_per_event() {
    use rand::Rng;

    const EVENTS: usize = 24;
    let setup = Setup::new(None).await;
    let mut bots = setup.start_many("emojibot", 3).await;
    let mut rng = rand::rng();
    let kill_after = rng.random_range(2..EVENTS - 2);
    println!("killing the instance that acknowledges event {kill_after}");
    let mut victim = None;
    let mut timestamps = Vec::new();
    for n in 0..EVENTS {
        let body = event();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        timestamps.push(json["event"]["ts"].as_str().unwrap().to_owned());
        let mut acknowledged_by = None;
        for attempt in 0..3 {
            let Some(bot) = &bots[(n + attempt) % 3] else { continue };
            let retry = (attempt > 0).then_some(u32::try_from(attempt).unwrap());
            if try_post(&bot.url, delivery(&body, retry)).await == Some(200) {
                acknowledged_by = Some((n + attempt) % 3);
                break;
            }
        }
        let acknowledged_by = acknowledged_by.expect("some instance acknowledged the event");
        if n == kill_after {
            kill(bots[acknowledged_by].take().expect("alive"));
            victim = Some(acknowledged_by);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bots[victim.expect("one was killed")] = Some(setup.start("emojibot", 4).await);
    setup.wait_for_empty_inbox("slack").await;
    for bot in bots.into_iter().flatten() {
        stop(bot);
    }
    let (per_message, calls) = (reactions_per_message(&setup), reaction_calls(&setup));
    for ts in &timestamps {
        let count = per_message.get(ts).copied().unwrap_or(0);
        assert_eq!(count, 1, "message {ts}: {count} reactions (kill after {kill_after})");
    }
    assert_eq!(per_message.values().sum::<usize>(), EVENTS);
    // Only a call in flight at the kill may have gone out twice.
    assert!(calls.len() <= EVENTS + 1, "{} calls for {EVENTS} events", calls.len());
}

/// Sends a request and gives the response's status; `None` when the connection is refused or
/// reset (a dead process).
async fn try_post(url: &str, request: http::Request<Bytes>) -> Option<u16> {
    let (parts, body) = request.into_parts();
    let response = reqwest::Client::new()
        .post(format!("{url}{}", parts.uri.path()))
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .ok()?;
    Some(response.status().as_u16())
}

/// Delivers `body` as Slack does until one instance answers 200: the first delivery to
/// instance `first`, each retry to the next live one (with `x-slack-retry-num`), after a dead
/// process, a 503 or a refused connection. Bounded: about 40 s in all.
async fn deliver_until_acknowledged(
    bots: &std::sync::Mutex<Vec<Option<String>>>,
    first: usize,
    body: &[u8],
) {
    for attempt in 0..400 {
        let url = bots.lock().unwrap()[(first + attempt) % 3].clone();
        if let Some(url) = url {
            let retry = (attempt > 0).then(|| u32::try_from(attempt).unwrap());
            if try_post(&url, delivery(body, retry)).await == Some(200) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no instance acknowledged an event in 40 s");
}

/// A 60 s load of events over three instances on one SQLite file, four deliveries in flight
/// at a time; at a random moment one instance is killed (SIGKILL, whatever it was doing) and
/// started again 2 s later. Every event gets exactly one reaction at the fake Slack API.
#[ignore = "a 60 s load: .ci/run runs it with --ignored"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_seconds_of_events_with_one_instance_killed_at_random_lose_and_double_nothing() {
    use rand::Rng;

    const LOAD: Duration = Duration::from_secs(60);
    const LANES: usize = 4;
    let setup = Setup::new(None).await;
    let mut processes = setup.start_many("emojibot", 3).await;
    let urls: Vec<Option<String>> =
        processes.iter().map(|p| p.as_ref().map(|p| p.url.clone())).collect();
    let urls = std::sync::Arc::new(std::sync::Mutex::new(urls));
    let started = tokio::time::Instant::now();
    let mut lanes = tokio::task::JoinSet::new();
    for lane in 0..LANES {
        let urls = std::sync::Arc::clone(&urls);
        lanes.spawn(async move {
            let mut timestamps = Vec::new();
            let mut n = lane;
            while started.elapsed() < LOAD {
                let body = event();
                let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let ts = json["event"]["ts"].as_str().unwrap().to_owned();
                timestamps.push((ts, json["event_id"].as_str().unwrap().to_owned()));
                deliver_until_acknowledged(&urls, n % 3, &body).await;
                n += LANES;
            }
            timestamps
        });
    }

    let (kill_at, victim) = {
        let mut rng = rand::rng();
        (Duration::from_millis(rng.random_range(10_000..50_000)), rng.random_range(0..3))
    };
    println!("killing instance {victim} after {kill_at:?}");
    tokio::time::sleep_until(started + kill_at).await;
    urls.lock().unwrap()[victim] = None;
    kill(processes[victim].take().expect("alive"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let restarted = setup.start("emojibot", 4).await;
    urls.lock().unwrap()[victim] = Some(restarted.url.clone());
    processes[victim] = Some(restarted);

    let mut timestamps = Vec::new();
    while let Some(sent) = lanes.join_next().await {
        timestamps.extend(sent.expect("a sending lane"));
    }
    setup.wait_for_empty_inbox("slack").await;
    for process in processes.into_iter().flatten() {
        stop(process);
    }
    let (per_message, calls) = (reactions_per_message(&setup), reaction_calls(&setup));
    for (ts, event_id) in &timestamps {
        let count = per_message.get(ts).copied().unwrap_or(0);
        if count != 1 {
            let logs: Vec<String> = (1..=4)
                .flat_map(|run| {
                    let log = setup.log(run);
                    let lines = log.lines().filter(|line| {
                        line.contains(event_id.as_str())
                            || line.contains("WARN")
                            || line.contains("ERROR")
                    });
                    lines.map(|line| format!("run {run}: {line}")).collect::<Vec<_>>()
                })
                .collect();
            panic!(
                "message {ts} ({event_id}): {count} reactions (instance {victim} killed after \
                 {kill_at:?})\n{}",
                logs.join("\n")
            );
        }
    }
    assert_eq!(per_message.values().sum::<usize>(), timestamps.len());
    // Only calls in flight at the kill may have gone out twice.
    assert!(
        calls.len() <= timestamps.len() + LANES,
        "{} calls for {} events",
        calls.len(),
        timestamps.len()
    );
    println!("{} events, {} reactions.add calls", timestamps.len(), calls.len());
}
