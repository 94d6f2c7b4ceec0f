//! Secrets Manager and SSM Parameter Store sources against moto's server on loopback.
//!
//! Start it with `eval "$(scripts/moto-local.sh start)"`, which sets
//! `CHATBRIDGE_TEST_MOTO_ENDPOINT=http://127.0.0.1:PORT`. The tests are `#[ignore]`d; run them
//! with `cargo test -p chatbridge-core --all-features --test it -- --ignored`, where a missing
//! endpoint fails them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use chatbridge_core::clock::ManualClock;
use chatbridge_core::config::{Config, SecretsError};

/// The AWS configuration a deployment would have, pointed at moto, with fake credentials.
async fn aws(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .load()
        .await
}

/// A name no other test or run uses.
fn unique(test: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("chatbridge-{test}-{secs}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

async fn create_secret(sdk: &aws_config::SdkConfig, name: &str, value: &str) {
    aws_sdk_secretsmanager::Client::new(sdk)
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("create the secret in moto");
}

fn expose(config: &Config, name: &str) -> Option<String> {
    config.lookup(name)
}

#[ignore = "needs moto's server: eval \"$(scripts/moto-local.sh start)\""]
#[tokio::test]
async fn secrets_manager_by_configuration_alone_and_rotation() {
    let endpoint = crate::local::MOTO.endpoint();
    let sdk = aws(&endpoint).await;
    let name = unique("bot-secrets");
    let json = r#"{"SLACK_SIGNING_SECRET": "s1", "DISCORD_BOT_TOKEN": "t1", "DISCORD_APPLICATION_ID": 1234}"#;
    create_secret(&sdk, &name, json).await;

    let clock = ManualClock::at_unix(1_700_000_000);
    let config = Config::builder()
        .aws_config(sdk.clone())
        // What `CHATBRIDGE_SECRETS=secretsmanager:<name>` does in `Config::from_env`.
        .sources_from(&format!("secretsmanager:{name}"))
        .unwrap()
        .refresh_interval(Duration::from_secs(300))
        .clock(Arc::new(clock.clone()))
        .environment([("SLACK_API_URL", "http://127.0.0.1:9"), ("SLACK_SIGNING_SECRET", "env")])
        .load()
        .await
        .unwrap();
    assert_eq!(expose(&config, "SLACK_SIGNING_SECRET").as_deref(), Some("s1"), "the secret wins");
    assert_eq!(expose(&config, "DISCORD_BOT_TOKEN").as_deref(), Some("t1"));
    assert_eq!(expose(&config, "DISCORD_APPLICATION_ID").as_deref(), Some("1234"));
    assert_eq!(expose(&config, "SLACK_API_URL").as_deref(), Some("http://127.0.0.1:9"));
    let missing = config.require("DISCORD_PUBLIC_KEY").unwrap_err().to_string();
    assert!(missing.contains("DISCORD_PUBLIC_KEY") && missing.contains(&name), "{missing}");

    // Rotate: a new version of the secret.
    aws_sdk_secretsmanager::Client::new(&sdk)
        .put_secret_value()
        .secret_id(&name)
        .secret_string(r#"{"SLACK_SIGNING_SECRET": "s2", "DISCORD_BOT_TOKEN": "t2"}"#)
        .send()
        .await
        .unwrap();
    clock.advance(Duration::from_secs(299));
    assert_eq!(config.get_fresh("SLACK_SIGNING_SECRET").await.unwrap().expose_secret(), "s1");
    clock.advance(Duration::from_secs(1));
    assert_eq!(config.get_fresh("SLACK_SIGNING_SECRET").await.unwrap().expose_secret(), "s2");
    assert_eq!(expose(&config, "DISCORD_BOT_TOKEN").as_deref(), Some("t2"));
}

#[ignore = "needs moto's server: eval \"$(scripts/moto-local.sh start)\""]
#[tokio::test]
async fn a_missing_or_malformed_secret_fails_start_up_naming_it() {
    let endpoint = crate::local::MOTO.endpoint();
    let sdk = aws(&endpoint).await;
    let load = |list: String| {
        let sdk = sdk.clone();
        async move { Config::builder().aws_config(sdk).sources_from(&list)?.load().await }
    };

    let absent = unique("absent");
    let err = load(format!("secretsmanager:{absent}")).await.unwrap_err();
    assert!(matches!(err, SecretsError::Unavailable { .. }), "{err:?}");
    assert!(err.to_string().contains(&absent), "{err}");

    // JSON without the key that was asked for.
    let without_key = unique("without-key");
    create_secret(&sdk, &without_key, r#"{"OTHER": "do-not-print-me"}"#).await;
    let err = load(format!("secretsmanager:{without_key}#DISCORD_PUBLIC_KEY")).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&without_key) && text.contains("DISCORD_PUBLIC_KEY"), "{text}");
    assert!(!text.contains("do-not-print-me") && !format!("{err:?}").contains("do-not-print-me"));

    // Not JSON at all, where a JSON object of keys is expected.
    let plain = unique("plain");
    create_secret(&sdk, &plain, "do-not-print-me{").await;
    let err = load(format!("secretsmanager:{plain}")).await.unwrap_err();
    assert!(matches!(err, SecretsError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains(&plain) && !err.to_string().contains("do-not-print-me"));
    // …which is fine when one name is selected: the whole string is its value.
    let config = load(format!("secretsmanager:{plain}#SLACK_BOT_TOKEN")).await.unwrap();
    assert_eq!(expose(&config, "SLACK_BOT_TOKEN").as_deref(), Some("do-not-print-me{"));
}

#[ignore = "needs moto's server: eval \"$(scripts/moto-local.sh start)\""]
#[tokio::test]
async fn ssm_parameters_under_a_path_decrypted_and_refreshed() {
    let endpoint = crate::local::MOTO.endpoint();
    let sdk = aws(&endpoint).await;
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let path = format!("/{}/", unique("ssm"));
    let put = |name: &'static str, value: &'static str, secure: bool| {
        let ssm = ssm.clone();
        let full = format!("{path}{name}");
        async move {
            let kind = if secure {
                aws_sdk_ssm::types::ParameterType::SecureString
            } else {
                aws_sdk_ssm::types::ParameterType::String
            };
            ssm.put_parameter()
                .name(full)
                .value(value)
                .r#type(kind)
                .overwrite(true)
                .send()
                .await
                .unwrap();
        }
    };
    put("SLACK_BOT_TOKEN", "xoxb-1", true).await;
    put("SLACK_SIGNING_SECRET", "sig-1", true).await;

    let clock = ManualClock::at_unix(1_700_000_000);
    let config = Config::builder()
        .aws_config(sdk.clone())
        .sources_from(&format!("ssm:{path}"))
        .unwrap()
        .refresh_interval(Duration::from_secs(60))
        .clock(Arc::new(clock.clone()))
        .load()
        .await
        .unwrap();
    assert_eq!(expose(&config, "SLACK_BOT_TOKEN").as_deref(), Some("xoxb-1"));
    assert_eq!(expose(&config, "SLACK_SIGNING_SECRET").as_deref(), Some("sig-1"));

    put("SLACK_BOT_TOKEN", "xoxb-2", true).await;
    clock.advance(Duration::from_secs(60));
    assert_eq!(config.get_fresh("SLACK_BOT_TOKEN").await.unwrap().expose_secret(), "xoxb-2");

    // One parameter by its full name.
    let one = Config::builder()
        .aws_config(sdk.clone())
        .sources_from(&format!("ssm:{path}SLACK_SIGNING_SECRET"))
        .unwrap()
        .load()
        .await
        .unwrap();
    assert_eq!(expose(&one, "SLACK_SIGNING_SECRET").as_deref(), Some("sig-1"));
    assert_eq!(one.get("SLACK_BOT_TOKEN"), None);

    // A path with nothing under it, and a parameter that does not exist: errors name them.
    let empty = format!("/{}/", unique("empty"));
    let err = Config::builder()
        .aws_config(sdk.clone())
        .sources_from(&format!("ssm:{empty}"))
        .unwrap()
        .load()
        .await;
    assert!(err.unwrap_err().to_string().contains(&empty));
    let absent = format!("{path}DISCORD_PUBLIC_KEY");
    let err = Config::builder()
        .aws_config(sdk)
        .sources_from(&format!("ssm:{absent}"))
        .unwrap()
        .load()
        .await;
    assert!(err.unwrap_err().to_string().contains(&absent));
}

/// `Config::from_env` with nothing but environment variables, as a deployed bot has them. The
/// variables are set on a child process (this same test binary), since a test cannot change its
/// own environment safely.
#[ignore = "needs moto's server: eval \"$(scripts/moto-local.sh start)\""]
#[tokio::test]
async fn from_env_takes_credentials_from_secrets_manager_by_configuration_alone() {
    const CHILD: &str = "CHATBRIDGE_TEST_FROM_ENV_CHILD";
    if std::env::var(CHILD).is_ok() {
        let config = Config::from_env().await.expect("from_env loads the secret");
        let secret = config.require("SLACK_SIGNING_SECRET").expect("in the secret");
        assert_eq!(secret.expose_secret(), "from-the-secret");
        assert_eq!(config.lookup("SLACK_API_URL").as_deref(), Some("http://127.0.0.1:9"));
        return;
    }
    let test = "secrets::from_env_takes_credentials_from_secrets_manager_by_configuration_alone";
    let endpoint = crate::local::MOTO.endpoint();
    let name = unique("from-env");
    create_secret(&aws(&endpoint).await, &name, r#"{"SLACK_SIGNING_SECRET": "from-the-secret"}"#)
        .await;
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--include-ignored", "--test-threads=1"])
        .env(CHILD, "1")
        .env("CHATBRIDGE_SECRETS", format!("secretsmanager:{name}"))
        .env("SLACK_SIGNING_SECRET", "from-the-environment")
        .env("SLACK_API_URL", "http://127.0.0.1:9")
        // The AWS SDK's own variables: region, credentials, and the endpoint override.
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "the child test failed: {printed}");
    assert!(printed.contains("1 passed"), "the child ran no test: {printed}");
}
