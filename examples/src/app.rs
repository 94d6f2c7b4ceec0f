//! Configuration and start-up shared by the example bots: mount each platform whose
//! credentials are set, then serve on a local server or on AWS Lambda, or simulate.

use std::process::ExitCode;
use std::sync::Arc;

use chatbridge_core::host::server::Server;
use chatbridge_core::store::{MemoryStore, SharedStore, SqliteStore};
use chatbridge_core::{Bot, BotError, BoxError, ConfigError, Router};
use chatbridge_discord::DiscordAdapter;
use chatbridge_discord::gateway::DiscordGateway;
use chatbridge_lex::LexAdapter;
use chatbridge_slack::SlackAdapter;
use chatbridge_slack::oauth::SlackOAuth;
use chatbridge_slack::socket::SocketMode;

use crate::{digest, simulate};

/// Where each platform is served.
pub const SLACK_PATH: &str = "/slack/events";
/// Where Discord's interactions endpoint is served.
pub const DISCORD_PATH: &str = "/discord/interactions";
/// Where Lex events are served (and where raw Lambda events go).
pub const LEX_PATH: &str = "/lex";
/// The default store: a SQLite file in the working directory.
pub const DEFAULT_STORE: &str = "chatbridge.db";
/// The default listening address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

/// What a bot needs from its configuration: a lookup of variables by name.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The Slack bot scopes an example's install link asks for when `SLACK_SCOPES` is not set:
/// what it calls and the events it listens to.
///
/// emojibot reacts (`reactions:write`), answers DMs and `/emoji` (`chat:write`, `commands`),
/// and hears messages and mentions (`channels:history`, `groups:history`, `im:history`,
/// `mpim:history`, `app_mentions:read`); the command bots (hello_there, timing_bot) answer
/// slash commands and post their follow-ups (`commands`, `chat:write`).
#[must_use]
pub fn slack_scopes(bot: &str) -> &'static [&'static str] {
    match bot {
        "emojibot" => &[
            "app_mentions:read",
            "channels:history",
            "chat:write",
            "commands",
            "groups:history",
            "im:history",
            "mpim:history",
            "reactions:write",
        ],
        _ => &["chat:write", "commands"],
    }
}

/// An example's default for a variable its configuration does not set: today only
/// `SLACK_SCOPES`, from [`slack_scopes`].
#[must_use]
pub fn default_var(bot: &str, name: &str) -> Option<String> {
    (name == "SLACK_SCOPES").then(|| slack_scopes(bot).join(","))
}

/// Runs an example bot: `simulate ...`, or serve (on Lambda when the Lambda runtime API is
/// set, otherwise on `CHATBRIDGE_ADDR`).
pub async fn main(name: &'static str, router: fn() -> Router) -> ExitCode {
    main_with_args(name, router, std::env::args().skip(1).collect()).await
}

/// [`main`] with the arguments given rather than read.
pub async fn main_with_args(
    name: &'static str,
    router: fn() -> Router,
    args: Vec<String>,
) -> ExitCode {
    // The simulator prints the conversation; logs go to stderr, and only warnings by default.
    init_tracing(if args.first().is_some_and(|a| a == "simulate") { "warn" } else { "info" });
    let result = match args.first().map(String::as_str) {
        Some("simulate") => simulate::run(name, router, &args[1..]).await,
        Some("serve") | None => serve(name, router()).await,
        Some(_) => Err(format!(
            "usage: cargo run --example {name} [-- serve | -- simulate <slack|discord|lex> \"<text>\"]"
        )
        .into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{name}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the bot from configuration: each platform with credentials is mounted; one line
/// says which are not, and why. The store comes from `CHATBRIDGE_STORE`: see [`open_store`].
///
/// # Errors
///
/// A credential that is set but unusable (a malformed Discord public key, say), or a store
/// that cannot be opened.
pub async fn build_bot(router: Router, lookup: Lookup<'_>) -> Result<Bot, BoxError> {
    let store = open_store(lookup).await?;
    let mut builder = Bot::builder()
        .handler(router)
        .store(Arc::clone(&store))
        .on_error(log_error)
        .job(digest::job());
    let oauth = match SlackOAuth::from_lookup(Arc::clone(&store), lookup) {
        Ok(oauth) => Some(oauth),
        Err(ConfigError::Missing(var)) => {
            tracing::info!("Slack install flow is not mounted: {var} is not set");
            None
        }
        Err(error) => return Err(error.into()),
    };
    match SlackAdapter::builder_from_lookup(lookup) {
        Ok(mut adapter) => {
            if let Some(oauth) = &oauth {
                adapter = adapter.oauth(oauth);
                builder = oauth.routes(builder);
            }
            let adapter = adapter.build()?;
            if let Some(channel) =
                lookup("SLACK_DIGEST_CHANNEL").filter(|_| adapter.client().has_token())
            {
                builder = builder
                    .job_extension(digest::Digest { client: adapter.client().clone(), channel });
            }
            builder = builder.mount(SLACK_PATH, adapter);
        }
        Err(ConfigError::Missing(var)) => {
            tracing::info!("Slack is not mounted: {var} is not set");
        }
        Err(error) => return Err(error.into()),
    }
    match DiscordAdapter::from_lookup(lookup) {
        Ok(adapter) => builder = builder.mount(DISCORD_PATH, adapter),
        Err(ConfigError::Missing(var)) => {
            tracing::info!("Discord is not mounted: {var} is not set");
        }
        Err(error) => return Err(error.into()),
    }
    Ok(builder.mount(LEX_PATH, LexAdapter::new()).build())
}

/// The store `CHATBRIDGE_STORE` names:
///
/// - `:memory:`: a [`MemoryStore`] (lost on exit);
/// - `dynamodb:TABLE`: a DynamoDB table (feature `aws`; `CHATBRIDGE_DYNAMODB_ENDPOINT` points
///   at a local server);
/// - `postgres://user:password@host:port/db` (or `postgresql://`; `?sslmode=require` and the
///   rest as libpq reads them): a PostgreSQL database (feature `postgres`);
/// - anything else: the path of a SQLite file (default [`DEFAULT_STORE`]).
///
/// # Errors
///
/// The store cannot be opened, or its backend is not compiled in (the message names the
/// feature to enable). A PostgreSQL URL is never repeated in a message or a log line.
pub async fn open_store(lookup: Lookup<'_>) -> Result<SharedStore, BoxError> {
    let spec = lookup("CHATBRIDGE_STORE").unwrap_or_else(|| DEFAULT_STORE.to_owned());
    let store: SharedStore = if spec == ":memory:" {
        Arc::new(MemoryStore::new())
    } else if let Some(table) = spec.strip_prefix("dynamodb:") {
        dynamodb(table, lookup).await?
    } else if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        postgres(&spec).await?
    } else {
        tracing::info!(path = spec, "store: SQLite");
        Arc::new(SqliteStore::open(&spec)?)
    };
    Ok(store)
}

#[cfg(feature = "aws")]
async fn dynamodb(table: &str, lookup: Lookup<'_>) -> Result<SharedStore, BoxError> {
    let mut builder = chatbridge_core::store::DynamoStore::builder().table(table);
    if let Some(url) = lookup("CHATBRIDGE_DYNAMODB_ENDPOINT") {
        builder = builder.endpoint_url(url);
    }
    tracing::info!(table, "store: DynamoDB");
    Ok(Arc::new(builder.build().await?))
}

#[cfg(not(feature = "aws"))]
async fn dynamodb(_table: &str, _lookup: Lookup<'_>) -> Result<SharedStore, BoxError> {
    Err("a DynamoDB store needs the examples' `aws` feature (cargo run --features aws ...)".into())
}

#[cfg(feature = "postgres")]
async fn postgres(url: &str) -> Result<SharedStore, BoxError> {
    let store = chatbridge_core::store::PostgresStore::connect(url).await?;
    // The store's `Debug` names the host and database, never the password.
    tracing::info!(?store, "store: PostgreSQL");
    Ok(Arc::new(store))
}

#[cfg(not(feature = "postgres"))]
async fn postgres(_url: &str) -> Result<SharedStore, BoxError> {
    Err("a PostgreSQL store (CHATBRIDGE_STORE=postgres://...) needs the examples' `postgres` \
         feature (cargo run --features postgres ...)"
        .into())
}

#[cfg(feature = "aws")]
async fn serve(bot: &str, router: Router) -> Result<(), BoxError> {
    // The environment, or AWS Secrets Manager / Parameter Store first when CHATBRIDGE_SECRETS
    // names a source: read once here (once per cold start on Lambda), no code change needed.
    let config = chatbridge_core::config::Config::from_env().await?;
    let lookup = |name: &str| config.lookup(name).or_else(|| default_var(bot, name));
    let bot = build_bot(router, &lookup).await?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        if lookup("SLACK_APP_TOKEN").is_some() {
            tracing::warn!(
                "SLACK_APP_TOKEN is ignored on Lambda: Socket Mode needs a long-lived host"
            );
        }
        return chatbridge_core::host::lambda::LambdaHost::new(bot)
            .raw_events_to(LEX_PATH)
            .run()
            .await;
    }
    serve_locally(bot, &lookup).await
}

#[cfg(not(feature = "aws"))]
async fn serve(bot: &str, router: Router) -> Result<(), BoxError> {
    let lookup = |name: &str| std::env::var(name).ok().or_else(|| default_var(bot, name));
    let bot = build_bot(router, &lookup).await?;
    serve_locally(bot, &lookup).await
}

async fn serve_locally(bot: Bot, lookup: Lookup<'_>) -> Result<(), BoxError> {
    local_server(lookup).await?.serve(bot).await?;
    Ok(())
}

/// The local server on `CHATBRIDGE_ADDR`, with the long-lived connections the configuration
/// turns on (see [`with_connections`]).
///
/// # Errors
///
/// The address cannot be bound, or a connection's configuration is set but unusable.
pub async fn local_server(lookup: Lookup<'_>) -> Result<Server, BoxError> {
    let addr = lookup("CHATBRIDGE_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    with_connections(Server::bind(addr.as_str()).await?, lookup)
}

/// Adds to `server` the long-lived connections the configuration turns on: Slack Socket Mode
/// when `SLACK_APP_TOKEN` is set (`apps.connections.open` at `SLACK_API_URL`, replies with
/// `SLACK_BOT_TOKEN`; no signing secret or public URL needed), and the Discord Gateway when
/// `DISCORD_GATEWAY=1` (with `DISCORD_BOT_TOKEN`).
///
/// # Errors
///
/// A connection's configuration is set but unusable.
pub fn with_connections(mut server: Server, lookup: Lookup<'_>) -> Result<Server, BoxError> {
    match SocketMode::from_lookup(lookup) {
        Ok(socket) => {
            tracing::info!("Slack Socket Mode is on: SLACK_APP_TOKEN is set");
            server = server.connection(socket);
        }
        Err(ConfigError::Missing(_)) => {}
        Err(error) => return Err(error.into()),
    }
    if let Some(gateway) = DiscordGateway::from_lookup(lookup)? {
        tracing::info!("Discord Gateway: on");
        server = server.connection(gateway);
    }
    Ok(server)
}

fn log_error(error: &BotError) {
    match std::error::Error::source(error) {
        Some(source) => tracing::warn!("{error}: {source}"),
        None => tracing::warn!("{error}"),
    }
}

/// Logs to stderr at the levels `RUST_LOG` gives (`info`, or `target=level` pairs such as
/// `warn,chatbridge_core=debug`), or else at `default`.
pub fn init_tracing(default: &str) {
    use tracing_subscriber::prelude::*;
    let fmt = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = tracing_subscriber::registry().with(fmt).with(log_filter(default)).try_init();
}

/// `RUST_LOG` as a per-target filter (`tracing_subscriber`'s `Targets`: the common
/// `EnvFilter` syntax without span and field matching, so without a regex engine to build),
/// or `default` when it is unset or does not parse.
#[allow(clippy::print_stderr)] // logging is not set up yet: this is its own error
pub fn log_filter(default: &str) -> tracing_subscriber::filter::Targets {
    let given = std::env::var("RUST_LOG").ok().filter(|v| !v.trim().is_empty());
    match given.as_deref().map(str::parse) {
        Some(Ok(filter)) => filter,
        Some(Err(error)) => {
            eprintln!("RUST_LOG not understood ({error}); logging at {default}");
            default.parse().unwrap_or_default()
        }
        None => default.parse().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    /// The `scope` parameter of the install page's "Add to Slack" link.
    async fn install_link_scope(bot: &str, scopes: Option<&str>) -> String {
        let lookup = |name: &str| {
            let set = match name {
                "CHATBRIDGE_STORE" => Some(":memory:"),
                "SLACK_SIGNING_SECRET" => Some("signing-secret"),
                "SLACK_CLIENT_ID" => Some("123.456"),
                "SLACK_CLIENT_SECRET" => Some("client-secret"),
                "SLACK_SCOPES" => scopes,
                _ => None,
            };
            set.map(str::to_owned).or_else(|| default_var(bot, name))
        };
        let built = build_bot(Router::new(), &lookup).await.expect("the bot builds");
        let request = http::Request::get("/slack/install").body(Bytes::new()).expect("a request");
        let page = built.handle(request).await;
        assert_eq!(page.status(), 200);
        let html = String::from_utf8_lossy(page.body()).replace("&amp;", "&");
        let query = html.split("?client_id=").nth(1).expect("the link").split('"').next();
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(name, _)| name == "scope")
            .map(|(_, value)| value.into_owned())
            .expect("a scope parameter")
    }

    #[tokio::test]
    async fn each_example_asks_for_the_scopes_it_uses_unless_slack_scopes_says_otherwise() {
        assert_eq!(
            install_link_scope("emojibot", None).await,
            "app_mentions:read,channels:history,chat:write,commands,groups:history,im:history,\
             mpim:history,reactions:write"
        );
        assert_eq!(install_link_scope("hello_there", None).await, "chat:write,commands");
        assert_eq!(install_link_scope("timing_bot", None).await, "chat:write,commands");
        assert_eq!(install_link_scope("emojibot", Some("chat:write")).await, "chat:write");
    }

    /// `open_store` with `CHATBRIDGE_STORE` set to `spec`.
    async fn open(spec: &str) -> Result<SharedStore, BoxError> {
        let spec = spec.to_owned();
        open_store(&move |name: &str| (name == "CHATBRIDGE_STORE").then(|| spec.clone())).await
    }

    #[cfg(not(feature = "postgres"))]
    #[tokio::test]
    async fn a_postgres_url_without_the_feature_names_the_feature_and_hides_the_password() {
        for url in ["postgres://bot:s3cret@127.0.0.1:5432/db", "postgresql://bot:s3cret@db/x"] {
            let error = open(url).await.map(drop).expect_err("no postgres feature");
            let shown = error.to_string();
            assert!(shown.contains("`postgres` feature"), "{shown}");
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }

    #[cfg(feature = "postgres")]
    #[tokio::test]
    async fn a_postgres_url_selects_postgres_and_its_errors_hide_the_password() {
        // Port 1 on loopback: nothing listens there, so only the Postgres store can fail here
        // (SQLite would create a file named after the URL).
        let error = open("postgres://bot:s3cret@127.0.0.1:1/chatbridge?connect_timeout=5")
            .await
            .map(drop)
            .expect_err("nothing listens on port 1");
        let mut shown = format!("{error} {error:?}");
        let mut source = error.source();
        while let Some(cause) = source {
            shown.push_str(&format!(" / {cause}"));
            source = cause.source();
        }
        assert!(shown.contains("store backend failed"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        let error = open("postgres://bot:s3cret@127.0.0.1:1/db?sslmode=sometimes")
            .await
            .map(drop)
            .expect_err("an invalid sslmode");
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[cfg(feature = "postgres")]
    #[ignore = "needs PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn chatbridge_store_postgres_opens_one_database_for_every_process() {
        let url = match std::env::var("CHATBRIDGE_TEST_POSTGRES_URL") {
            Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => panic!(
                "CHATBRIDGE_TEST_POSTGRES_URL is not set: run \
                 `eval \"$(scripts/postgres-local.sh start)\"` first"
            ),
        };
        // Two opens, as two processes of a bot would do: one shared store.
        let (first, second) = (open(&url).await.expect("open"), open(&url).await.expect("open"));
        let key = format!("examples/postgres/{}", std::process::id());
        assert!(first.put_if_absent(&key, Bytes::from_static(b"one"), None).await.unwrap());
        assert!(!second.put_if_absent(&key, Bytes::from_static(b"two"), None).await.unwrap());
        assert_eq!(second.get(&key).await.unwrap().as_deref(), Some(&b"one"[..]));
        second.delete(&key).await.unwrap();
        assert_eq!(first.get(&key).await.unwrap(), None);

        // A bot built from the same configuration runs on it.
        let lookup = |name: &str| (name == "CHATBRIDGE_STORE").then(|| url.clone());
        build_bot(Router::new(), &lookup).await.expect("the bot builds on PostgreSQL");
    }
}
