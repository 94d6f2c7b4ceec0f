//! What `docs/hosting.md` says of credentials: `Config` reads AWS sources by configuration and
//! refreshes them, and adapters take their credentials once, when they are built, through
//! `from_lookup(|name| config.lookup(name))`: a rotated secret reaches them at the next start.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chatbridge_core::config::{Config, SecretSource, SecretsError};
use chatbridge_core::{Bot, Router, Secret};
use chatbridge_slack::SlackAdapter;
use chatbridge_slack::testing::{TestSigner, payload};

/// A secret source whose value the test rotates.
#[derive(Debug, Clone)]
struct Rotating(Arc<Mutex<&'static str>>);

#[async_trait]
impl SecretSource for Rotating {
    fn describe(&self) -> String {
        "a rotating test secret".to_owned()
    }

    async fn load(&self) -> Result<HashMap<String, Secret>, SecretsError> {
        let value = *self.0.lock().unwrap();
        Ok(HashMap::from([("SLACK_SIGNING_SECRET".to_owned(), Secret::new(value))]))
    }
}

fn bot(config: &Config) -> Bot {
    let slack = SlackAdapter::from_lookup(|name| config.lookup(name)).expect("a signing secret");
    Bot::builder().mount("/slack/events", slack).handler(Router::new()).build()
}

async fn status(bot: &Bot, secret: &str) -> u16 {
    let body = payload::slash_command("/ping", "", "https://hooks.slack.com/commands/T0/1/x");
    let request = TestSigner::new(secret).request("/slack/events", payload::FORM, body);
    bot.handle(request).await.status().as_u16()
}

#[tokio::test]
async fn adapters_keep_the_credentials_they_were_built_with_until_the_next_start() {
    let source = Rotating(Arc::new(Mutex::new("old-secret")));
    let config = Config::builder()
        .source(source.clone())
        .environment([("SLACK_SIGNING_SECRET", "from-the-environment")])
        .refresh_interval(Duration::from_secs(300))
        .load()
        .await
        .expect("the source loads");
    // The source comes before the environment.
    assert_eq!(config.lookup("SLACK_SIGNING_SECRET").as_deref(), Some("old-secret"));
    let running = bot(&config);
    assert_eq!(status(&running, "old-secret").await, 200);

    *source.0.lock().unwrap() = "new-secret";
    config.refresh().await.expect("the source loads again");
    // The configuration has the new value ...
    assert_eq!(config.lookup("SLACK_SIGNING_SECRET").as_deref(), Some("new-secret"));
    // ... the adapter built before still verifies with the old one ...
    assert_eq!(status(&running, "new-secret").await, 401);
    assert_eq!(status(&running, "old-secret").await, 200);
    // ... and an adapter built after (the next cold start) with the new one.
    let restarted = bot(&config);
    assert_eq!(status(&restarted, "new-secret").await, 200);
    assert_eq!(status(&restarted, "old-secret").await, 401);
}
