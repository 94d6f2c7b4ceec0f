//! One bot with every adapter mounted, fed a request two ways: over HTTP to the real local
//! server, and as a Lambda Function URL event through `LambdaHost::invoke`. Both answers are
//! returned, so that each test checks the same thing of both.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64_STANDARD;
use bytes::Bytes;
use chatbridge_core::host::lambda::LambdaHost;
use chatbridge_core::testing::Simulator;
use chatbridge_core::{Bot, Router};
use chatbridge_discord::DiscordAdapter;
use chatbridge_lex::LexAdapter;
use chatbridge_slack::SlackAdapter;
use http::{HeaderMap, Request, StatusCode};
use serde_json::{Value, json};

/// Where each adapter is mounted.
pub const SLACK: &str = "/slack/events";
pub const DISCORD: &str = "/discord/interactions";
pub const LEX: &str = "/lex";

/// The Slack signing secret the bot is configured with.
pub const SLACK_SECRET: &str = "conformance-signing-secret";
/// The seed of the Ed25519 key that stands in for Discord's.
pub const DISCORD_SEED: [u8; 32] = [7; 32];
/// The Discord application id the bot is configured with.
pub const DISCORD_APP: &str = "123456789012345678";

/// A request signed as Slack signs it.
pub fn slack_signer() -> chatbridge_slack::testing::TestSigner {
    chatbridge_slack::testing::TestSigner::new(SLACK_SECRET)
}

/// A request signed as Discord signs it.
pub fn discord_signer() -> chatbridge_discord::testing::TestSigner {
    chatbridge_discord::testing::TestSigner::from_seed(DISCORD_SEED)
}

/// A Lex event `POST`ed as JSON to `path`, as the local server takes it.
pub fn lex_post(path: &str, event: &Value) -> Request<Bytes> {
    Request::post(path)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(event.to_string()))
        .expect("a valid request")
}

/// An answer, from either host.
#[derive(Debug)]
pub struct Answer {
    /// Which host gave it: `server` or `lambda`.
    pub host: &'static str,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "{}: body is not JSON ({error}): {}",
                self.host,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// The bot on the real server and behind the Lambda host, both with `router`.
pub struct Harness {
    pub sim: Simulator,
    lambda: LambdaHost,
}

impl Harness {
    pub async fn start(router: Router) -> Self {
        Self::start_at(router, SLACK).await
    }

    /// [`start`](Self::start) with the Slack adapter mounted at `slack_path` instead of
    /// [`SLACK`] (to serve a published envelope at the path it addresses).
    pub async fn start_at(router: Router, slack_path: &str) -> Self {
        let lambda_router = router.clone();
        let sim = Simulator::start(|api| bot(api, router, slack_path)).await;
        let lambda =
            LambdaHost::new(bot(&sim.api().url(), lambda_router, slack_path)).raw_events_to(LEX);
        Self { sim, lambda }
    }

    /// The answer of the local server.
    pub async fn server(&self, request: Request<Bytes>) -> Answer {
        let exchange = self.sim.send(request).await;
        Answer {
            host: "server",
            status: exchange.status,
            headers: exchange.headers,
            body: exchange.body,
        }
    }

    /// The answer of the Lambda host to the request as a Function URL event.
    pub async fn lambda(&self, request: Request<Bytes>) -> Answer {
        lambda_answer(&self.lambda_event(function_url_event(&request)).await)
    }

    /// The Lambda host's raw answer to an HTTP event (API Gateway, Function URL, ALB), in the
    /// envelope's response shape; read it with [`lambda_answer`].
    pub async fn lambda_event(&self, event: Value) -> Value {
        self.lambda.invoke(event, context()).await.expect("an HTTP event is answered")
    }

    /// The answer of a raw (non-HTTP) Lambda event, as Lex invokes a function.
    pub async fn lambda_raw(&self, event: Value) -> Result<Value, chatbridge_core::BoxError> {
        self.lambda.invoke(event, context()).await
    }

    /// Both answers: the server's, then the Lambda host's.
    pub async fn both(&self, request: &Request<Bytes>) -> [Answer; 2] {
        [self.server(copy(request)).await, self.lambda(copy(request)).await]
    }

    pub async fn stop(self) {
        self.sim.stop().await;
    }
}

fn bot(api: &str, router: Router, slack_path: &str) -> Bot {
    let slack = SlackAdapter::builder(chatbridge_core::Secret::new(SLACK_SECRET))
        .api_url(format!("{api}/api/"))
        .build()
        .expect("slack adapter");
    let discord = DiscordAdapter::builder(discord_signer().public_key_hex(), DISCORD_APP)
        .api_url(format!("{api}/api/v10"))
        .build()
        .expect("discord adapter");
    Bot::builder()
        .mount(slack_path, slack)
        .mount(DISCORD, discord)
        .mount(LEX, LexAdapter::new())
        .handler(router)
        .build()
}

fn copy(request: &Request<Bytes>) -> Request<Bytes> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

fn context() -> lambda_runtime::Context {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "conformance".to_owned();
    context
}

/// The request as a Lambda Function URL (payload 2.0) event, the body as text when it is
/// UTF-8 and in base64 otherwise, as the Function URL service does.
pub fn function_url_event(request: &Request<Bytes>) -> Value {
    let mut headers = serde_json::Map::new();
    for (name, value) in request.headers() {
        headers.insert(name.as_str().to_owned(), json!(value.to_str().unwrap_or_default()));
    }
    let path = request.uri().path();
    let query = request.uri().query().unwrap_or_default();
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let (body, base64) = match std::str::from_utf8(request.body()) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (BASE64_STANDARD.encode(request.body()), true),
    };
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "conformance",
            "domainName": "conformance.lambda-url.us-east-1.on.aws",
            "domainPrefix": "conformance",
            "http": {
                "method": request.method().as_str(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "conformance"
            },
            "requestId": "conformance",
            "routeKey": "$default",
            "stage": "$default",
            "time": "07/Dec/2026:00:00:00 +0000",
            "timeEpoch": now_ms
        },
        "body": body,
        "isBase64Encoded": base64
    })
}

/// The answer in a Lambda HTTP response, whatever its shape: API Gateway REST (headers in
/// `multiValueHeaders`), HTTP API and Function URL (`headers`), ALB (both).
pub fn lambda_answer(value: &Value) -> Answer {
    let status = value["statusCode"].as_u64().and_then(|code| u16::try_from(code).ok());
    let status = StatusCode::from_u16(status.unwrap_or(0)).expect("a status code");
    let mut headers = HeaderMap::new();
    let single = value["headers"].as_object().into_iter().flatten();
    let multi =
        value["multiValueHeaders"].as_object().into_iter().flatten().flat_map(|(name, values)| {
            values.as_array().into_iter().flatten().map(move |value| (name, value))
        });
    for (name, value) in single.chain(multi) {
        if let (Ok(name), Some(Ok(value))) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            value.as_str().map(http::HeaderValue::from_str),
        ) {
            headers.insert(name, value);
        }
    }
    let text = value["body"].as_str().unwrap_or_default();
    let body = if value["isBase64Encoded"].as_bool() == Some(true) {
        Bytes::from(BASE64_STANDARD.decode(text).expect("the host's base64 decodes"))
    } else {
        Bytes::copy_from_slice(text.as_bytes())
    };
    Answer { host: "lambda", status, headers, body }
}

/// A published HTTP event with `request` placed in it: its method, its headers (replacing
/// those of the same name, in `headers` and in `multiValueHeaders`, whichever the envelope
/// has) and its body (in base64 where the envelope says `isBase64Encoded`). Everything else,
/// the path included, stays as published.
pub fn place_in_envelope(envelope: &Value, request: &Request<Bytes>) -> Value {
    let mut event = envelope.clone();
    let method = json!(request.method().as_str());
    if event.get("httpMethod").is_some() {
        event["httpMethod"] = method.clone();
    }
    if event["requestContext"].get("httpMethod").is_some() {
        event["requestContext"]["httpMethod"] = method.clone();
    }
    if event["requestContext"]["http"].get("method").is_some() {
        event["requestContext"]["http"]["method"] = method;
    }
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned())
        })
        .collect();
    headers.push(("content-length".to_owned(), request.body().len().to_string()));
    for (key, multi) in [("headers", false), ("multiValueHeaders", true)] {
        let Some(map) = event.get_mut(key).and_then(Value::as_object_mut) else { continue };
        let had_length = map.keys().any(|name| name.eq_ignore_ascii_case("content-length"));
        for (name, value) in &headers {
            if name == "content-length" && !had_length {
                continue;
            }
            map.retain(|existing, _| !existing.eq_ignore_ascii_case(name));
            map.insert(name.clone(), if multi { json!([value]) } else { json!(value) });
        }
    }
    let base64 = event["isBase64Encoded"].as_bool() == Some(true);
    event["body"] = match std::str::from_utf8(request.body()) {
        Ok(text) if !base64 => json!(text),
        _ => {
            event["isBase64Encoded"] = json!(true);
            json!(BASE64_STANDARD.encode(request.body()))
        }
    };
    event
}
