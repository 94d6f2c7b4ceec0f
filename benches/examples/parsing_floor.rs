//! The parsing floors: a bare hyper server that checks a request's signature, as the peer
//! harness's floor rows do, and then reads its body into a typed value with the crates that a
//! server built on well-kept parsers would use, and answers with `serde_json`. Nothing of
//! chatbridge is in it.
//!
//! ```sh
//! SLACK_SIGNING_SECRET=… DISCORD_PUBLIC_KEY=… \
//!   cargo run --release -p chatbridge-benches --example parsing_floor -- --port 3000 slack
//! ```
//!
//! - `slack`: HMAC-SHA256 (hmac, sha2), then `serde_urlencoded` into a slash command's fields;
//!   answers `/hello` with the `in_channel` JSON.
//! - `discord`: Ed25519 (ed25519-dalek), then `serde_json` into twilight-model's
//!   `Interaction`; answers a `hello` command with a type-4 response.
//!
//! `scripts/bench-peers.sh` measures it beside the bare floors, so that the share of the floor
//! that parsing alone takes is known: no server that reads its requests with these crates can
//! run faster than this one. Any path is served; a bad signature gets 401, a body that does not
//! parse 400.
#![allow(missing_docs, clippy::print_stderr)]

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use chatbridge_benches::{ed25519, slack_hmac};
use ed25519_dalek::VerifyingKey;
use http::HeaderMap;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use twilight_model::application::interaction::{Interaction, InteractionData};

/// The fields Slack posts for a slash command.
#[derive(Deserialize)]
#[allow(dead_code)]
struct SlashCommand {
    command: String,
    text: String,
    user_id: String,
    user_name: Option<String>,
    channel_id: String,
    channel_name: Option<String>,
    team_id: Option<String>,
    team_domain: Option<String>,
    enterprise_id: Option<String>,
    api_app_id: Option<String>,
    response_url: Option<String>,
    trigger_id: Option<String>,
    is_enterprise_install: Option<String>,
}

#[derive(Serialize)]
struct SlackAnswer<'a> {
    response_type: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct DiscordAnswer<'a> {
    #[serde(rename = "type")]
    kind: u8,
    data: DiscordData<'a>,
}

#[derive(Serialize)]
struct DiscordData<'a> {
    content: &'a str,
}

enum Platform {
    Slack(Vec<u8>),
    Discord(VerifyingKey),
}

/// Whether the Slack timestamp is within five minutes of now, as the harness's floor checks.
fn fresh(headers: &HeaderMap) -> bool {
    let at = headers.get("x-slack-request-timestamp").and_then(|v| v.to_str().ok()?.parse().ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    at.is_some_and(|at: u64| now.abs_diff(at) <= 300)
}

fn answer(platform: &Platform, headers: &HeaderMap, body: &[u8]) -> Response<Full<Bytes>> {
    let json = match platform {
        Platform::Slack(secret) => {
            if !(fresh(headers) && slack_hmac(secret, headers, body)) {
                return status(StatusCode::UNAUTHORIZED);
            }
            let Ok(command) = serde_urlencoded::from_bytes::<SlashCommand>(body) else {
                return status(StatusCode::BAD_REQUEST);
            };
            if command.command != "/hello" {
                return status(StatusCode::NOT_FOUND);
            }
            serde_json::to_vec(&SlackAnswer {
                response_type: "in_channel",
                text: "General Kenobi!",
            })
        }
        Platform::Discord(key) => {
            if !ed25519(key, headers, body) {
                return status(StatusCode::UNAUTHORIZED);
            }
            let Ok(interaction) = serde_json::from_slice::<Interaction>(body) else {
                return status(StatusCode::BAD_REQUEST);
            };
            match interaction.data {
                Some(InteractionData::ApplicationCommand(command)) if command.name == "hello" => {}
                _ => return status(StatusCode::NOT_FOUND),
            }
            serde_json::to_vec(&DiscordAnswer {
                kind: 4,
                data: DiscordData { content: "General Kenobi!" },
            })
        }
    };
    match json {
        Ok(json) => {
            let mut response = Response::new(Full::new(Bytes::from(json)));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(_) => status(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn status(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

async fn handle(
    platform: Arc<Platform>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return Ok(status(StatusCode::BAD_REQUEST));
    };
    Ok(answer(&platform, &parts.headers, &body))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 3000u16;
    let mut platform = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            "slack" => {
                let secret = std::env::var("SLACK_SIGNING_SECRET")
                    .map_err(|_| "SLACK_SIGNING_SECRET is unset")?;
                platform = Some(Platform::Slack(secret.into_bytes()));
            }
            "discord" => {
                let hex_key = std::env::var("DISCORD_PUBLIC_KEY")
                    .map_err(|_| "DISCORD_PUBLIC_KEY is unset")?;
                let mut key = [0u8; 32];
                hex::decode_to_slice(hex_key, &mut key)?;
                platform = Some(Platform::Discord(VerifyingKey::from_bytes(&key)?));
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let Some(platform) = platform else {
        eprintln!("usage: parsing_floor [--port N] slack|discord");
        return Err("no platform given".into());
    };
    let platform = Arc::new(platform);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let platform = Arc::clone(&platform);
        let service = service_fn(move |request| handle(Arc::clone(&platform), request));
        tokio::spawn(async move {
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
