use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::clock::ManualClock;

type Pairs = Vec<(&'static str, &'static str)>;

/// A source whose values the test changes; `None` makes the next load fail.
#[derive(Debug, Clone)]
struct Fake {
    name: &'static str,
    values: Arc<Mutex<Option<Pairs>>>,
    loads: Arc<Mutex<usize>>,
}

impl Fake {
    fn new(name: &'static str, values: &[(&'static str, &'static str)]) -> Self {
        Self { name, values: Arc::new(Mutex::new(Some(values.to_vec()))), loads: Arc::default() }
    }
    fn set(&self, values: Option<&[(&'static str, &'static str)]>) {
        *self.values.lock().unwrap() = values.map(<[_]>::to_vec);
    }
    fn loads(&self) -> usize {
        *self.loads.lock().unwrap()
    }
}

#[async_trait]
impl SecretSource for Fake {
    fn describe(&self) -> String {
        format!("fake {}", self.name)
    }
    async fn load(&self) -> Result<HashMap<String, Secret>, SecretsError> {
        *self.loads.lock().unwrap() += 1;
        match &*self.values.lock().unwrap() {
            Some(values) => {
                Ok(values.iter().map(|(k, v)| ((*k).to_owned(), Secret::new(*v))).collect())
            }
            None => {
                Err(SecretsError::Unavailable { origin: self.describe(), error: "down".into() })
            }
        }
    }
}

fn expose(secret: Option<Secret>) -> Option<String> {
    secret.map(|s| s.expose_secret().to_owned())
}

#[tokio::test]
async fn sources_first_in_order_then_the_environment() {
    let first = Fake::new("one", &[("A", "from-one")]);
    let second = Fake::new("two", &[("A", "from-two"), ("B", "from-two"), ("E", "")]);
    let config = Config::builder()
        .source(first)
        .source(second)
        .environment([("A", "env"), ("B", "env"), ("C", "env"), ("E", "env")])
        .load()
        .await
        .unwrap();
    assert_eq!(expose(config.get("A")).as_deref(), Some("from-one"));
    assert_eq!(expose(config.get("B")).as_deref(), Some("from-two"));
    assert_eq!(expose(config.get("C")).as_deref(), Some("env"));
    // An empty value counts as unset, and does not fall through either.
    assert_eq!(config.get("E"), None);
    let err = config.require("D").unwrap_err().to_string();
    assert_eq!(err, "D is not set (looked in fake one, then fake two, then the environment)");
}

#[tokio::test]
async fn rotated_values_are_read_again_after_the_interval() {
    let source = Fake::new("s", &[("TOKEN", "old")]);
    let clock = ManualClock::at_unix(1_000);
    let config = Config::builder()
        .source(source.clone())
        .refresh_interval(Duration::from_secs(60))
        .clock(Arc::new(clock.clone()))
        .load()
        .await
        .unwrap();
    source.set(Some(&[("TOKEN", "new")]));
    clock.advance(Duration::from_secs(59));
    assert_eq!(expose(config.get_fresh("TOKEN").await).as_deref(), Some("old"));
    assert_eq!(source.loads(), 1);
    clock.advance(Duration::from_secs(1));
    assert_eq!(expose(config.get_fresh("TOKEN").await).as_deref(), Some("new"));
    assert_eq!(source.loads(), 2);
}

#[tokio::test]
async fn the_sync_get_refreshes_in_the_background() {
    let source = Fake::new("s", &[("TOKEN", "old")]);
    let clock = ManualClock::at_unix(1_000);
    let config = Config::builder()
        .source(source.clone())
        .refresh_interval(Duration::from_secs(60))
        .clock(Arc::new(clock.clone()))
        .load()
        .await
        .unwrap();
    source.set(Some(&[("TOKEN", "new")]));
    clock.advance(Duration::from_secs(61));
    // Served from the cache at once; the refresh it started lands shortly.
    assert_eq!(expose(config.get("TOKEN")).as_deref(), Some("old"));
    for _ in 0..100 {
        if expose(config.get("TOKEN")).as_deref() == Some("new") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(expose(config.get("TOKEN")).as_deref(), Some("new"));
    assert_eq!(source.loads(), 2, "one refresh, not one per lookup");
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_cached_value_and_reports() {
    let source = Fake::new("s", &[("TOKEN", "kept")]);
    let clock = ManualClock::at_unix(1_000);
    let reports = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&reports);
    let config = Config::builder()
        .source(source.clone())
        .refresh_interval(Duration::from_secs(60))
        .clock(Arc::new(clock.clone()))
        .on_refresh_error(move |error| seen.lock().unwrap().push(error.to_string()))
        .load()
        .await
        .unwrap();
    source.set(None);
    clock.advance(Duration::from_secs(60));
    assert_eq!(expose(config.get_fresh("TOKEN").await).as_deref(), Some("kept"));
    assert_eq!(reports.lock().unwrap().as_slice(), ["fake s could not be read"]);
    // Not retried on every lookup: only after another interval.
    assert_eq!(expose(config.get_fresh("TOKEN").await).as_deref(), Some("kept"));
    assert_eq!(source.loads(), 2);
    source.set(Some(&[("TOKEN", "back")]));
    clock.advance(Duration::from_secs(60));
    assert_eq!(expose(config.get_fresh("TOKEN").await).as_deref(), Some("back"));
}

#[tokio::test]
async fn a_source_that_fails_at_start_up_fails_the_load() {
    let source = Fake::new("s", &[]);
    source.set(None);
    let err = Config::builder().source(source).load().await.unwrap_err();
    assert_eq!(err.to_string(), "fake s could not be read");
}

#[tokio::test]
async fn debug_shows_sources_not_values() {
    let config =
        Config::builder().source(Fake::new("s", &[("TOKEN", "hunter2")])).load().await.unwrap();
    let printed = format!("{config:?}");
    assert!(
        printed.contains("fake s") && !printed.contains("hunter2") && !printed.contains("TOKEN"),
        "{printed}"
    );
}

#[test]
fn config_is_send_sync_and_cheap_to_clone() {
    fn assert<T: Send + Sync + Clone>() {}
    assert::<Config>();
}

#[cfg(not(feature = "secrets-manager"))]
#[tokio::test]
async fn an_entry_without_its_feature_is_refused() {
    let builder = Config::builder().sources_from("secretsmanager:my-bot-secrets").unwrap();
    let err = builder.load().await.unwrap_err().to_string();
    assert!(err.contains("`secrets-manager` feature"), "{err}");
}
