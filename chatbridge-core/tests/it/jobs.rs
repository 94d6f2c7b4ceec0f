//! Scheduled jobs and keep-warm: fired by EventBridge events through the Lambda entry point,
//! and run in-process by the local server on a fast test schedule.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chatbridge_core::jobs::{Job, JobContext, Schedule};
use chatbridge_core::{Bot, BotBuilder, BotError, Context, HandlerError, Message, Router};

/// Counts calls of a job or handler.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Counter {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// A job that counts its runs through the job extensions, and fails its first run.
async fn flaky(cx: JobContext) -> Result<(), HandlerError> {
    let runs = cx.extensions().get::<Counter>().ok_or("no counter")?.bump();
    cx.store().put("last-run", runs.to_string().into(), None).await?;
    if runs == 1 {
        return Err(HandlerError::msg("first run fails"));
    }
    Ok(())
}

fn bot_with(job: Job, runs: &Counter, errors: &Arc<Mutex<Vec<String>>>) -> BotBuilder {
    let errors = Arc::clone(errors);
    Bot::builder().job(job).job_extension(runs.clone()).on_error(move |error| {
        if let BotError::Job { name, error } = error {
            errors.lock().unwrap().push(format!("{name}: {error}"));
        }
    })
}

#[cfg(feature = "lambda")]
mod lambda {
    use super::*;
    use crate::common::TestAdapter;
    use chatbridge_core::host::lambda::LambdaHost;
    use serde_json::{Value, json};

    fn context(id: &str) -> lambda_runtime::Context {
        let mut context = lambda_runtime::Context::default();
        context.request_id = id.to_owned();
        context
    }

    /// EventBridge's scheduled event, as its documentation shows it, for a rule.
    fn scheduled_event(rule: &str) -> Value {
        json!({
            "version": "0",
            "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-11-22T09:00:00Z",
            "region": "us-east-1",
            "resources": [format!("arn:aws:events:us-east-1:123456789012:rule/{rule}")],
            "detail": {}
        })
    }

    fn counting_host(
        handled: &Counter,
        runs: &Counter,
        errors: &Arc<Mutex<Vec<String>>>,
    ) -> LambdaHost {
        let handled = handled.clone();
        let router = Router::new().fallback(move |_cx: Context, _msg: Message| {
            let handled = handled.clone();
            async move {
                handled.bump();
                "hi"
            }
        });
        let job =
            Job::new("daily-digest", Schedule::parse("cron(0 9 ? * MON-FRI *)").unwrap(), flaky);
        let bot =
            bot_with(job, runs, errors).mount("/test", TestAdapter::default()).handler(router);
        LambdaHost::new(bot.build()).raw_events_to("/test")
    }

    #[tokio::test]
    async fn a_scheduled_event_runs_its_job_and_a_failure_reaches_the_hook() {
        let (handled, runs, errors) = (Counter::default(), Counter::default(), Arc::default());
        let host = counting_host(&handled, &runs, &errors);

        // The rule is named after the stack and the job; the first run fails.
        let failed = host.invoke(scheduled_event("my-bot-daily-digest"), context("j1")).await;
        let failed = failed.unwrap_err().to_string();
        assert!(failed.contains("daily-digest") && failed.contains("first run fails"), "{failed}");
        assert_eq!(errors.lock().unwrap().as_slice(), ["daily-digest: first run fails"]);

        // The next run still happens, here through the template's constant input.
        let ok = host.invoke(json!({"chatbridge_job": "daily-digest"}), context("j2")).await;
        assert_eq!(ok.unwrap(), json!({"chatbridge_job": "daily-digest", "ok": true}));
        assert_eq!(runs.get(), 2);
        assert_eq!(handled.get(), 0, "a job is not a message");

        let unknown = host.invoke(json!({"chatbridge_job": "nightly"}), context("j3")).await;
        assert!(unknown.unwrap_err().to_string().contains("no job named `nightly`"));
        let unmatched = host.invoke(scheduled_event("my-bot-nightly"), context("j4")).await;
        assert!(unmatched.unwrap_err().to_string().contains("no job matches the rule"));
        assert_eq!(runs.get(), 2);
    }

    #[tokio::test]
    async fn a_keep_warm_ping_runs_no_handler_and_no_job() {
        let (handled, runs, errors) = (Counter::default(), Counter::default(), Arc::default());
        let host = counting_host(&handled, &runs, &errors);
        let pong = host.invoke(json!({"chatbridge_keep_warm": true}), context("w1")).await;
        assert_eq!(pong.unwrap(), json!({"chatbridge_keep_warm": true}));
        let zappa = scheduled_event("hello-there-prod-zappa-keep-warm-handler.keep_warm_callback");
        assert!(host.invoke(zappa, context("w2")).await.is_ok());
        assert!(host.invoke(scheduled_event("my-bot-keep-warm"), context("w3")).await.is_ok());
        assert_eq!((handled.get(), runs.get()), (0, 0));
        assert!(errors.lock().unwrap().is_empty());
    }
}

#[cfg(feature = "server")]
mod server {
    use super::*;
    use chatbridge_core::host::server::Server;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_local_server_runs_jobs_on_schedule_and_stops_them_on_shutdown() {
        let (runs, errors) = (Counter::default(), Arc::default());
        let job = Job::new("fast", Schedule::every(Duration::from_millis(50)), flaky);
        let bot = bot_with(job, &runs, &errors).handler(Router::new()).build();
        let server = Server::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve_with_shutdown(bot.clone(), async {
            let _ = stopped.await;
        }));

        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while runs.get() < 3 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(runs.get() >= 3, "runs: {}", runs.get());
        // The first run failed and was reported; later runs happened all the same.
        assert_eq!(
            errors.lock().unwrap().first().map(String::as_str),
            Some("fast: first run fails")
        );
        assert_eq!(errors.lock().unwrap().len(), 1);
        let stored = bot.store().get("last-run").await.unwrap().unwrap();
        assert!(std::str::from_utf8(&stored).unwrap().parse::<usize>().unwrap() >= 2);

        stop.send(()).unwrap();
        serving.await.unwrap().unwrap();
        let after_shutdown = runs.get();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(runs.get(), after_shutdown, "no run after shutdown");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_job_is_reported_and_the_process_goes_on() {
        let runs = Counter::default();
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let job = Job::new(
            "boom",
            Schedule::every(Duration::from_millis(30)),
            |cx: JobContext| async move {
                let runs = cx.extensions().get::<Counter>().cloned().unwrap_or_default().bump();
                assert!(runs > 1, "the first run panics");
            },
        );
        let bot = bot_with(job, &runs, &errors).build();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let schedules = tokio::spawn(chatbridge_core::jobs::run_schedules(bot.clone(), async {
            let _ = stopped.await;
        }));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while runs.get() < 2 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.send(()).unwrap();
        schedules.await.unwrap();
        assert!(bot.drain(Duration::from_secs(1)).await);
        assert!(runs.get() >= 2);
        assert_eq!(errors.lock().unwrap().first().map(String::as_str), Some("boom: job panicked"));
    }
}
