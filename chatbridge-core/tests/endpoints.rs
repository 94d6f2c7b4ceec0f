//! Plain endpoints beside adapters (`BotBuilder::route`), and `Dispatch::always_prepare`.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Ack, Adapter, Delivery, Dispatch, Incoming, Prepared, ReplyMode};
use chatbridge_core::endpoint::Endpoint;
use chatbridge_core::{
    AdapterError, Bot, DeliveryError, Message, MessageKind, Platform, Reply, Router,
};
use http::{Extensions, Method, Request, Response, StatusCode};

struct Page;

#[async_trait]
impl Endpoint for Page {
    async fn call(&self, request: Request<Bytes>) -> Response<Bytes> {
        let query = request.uri().query().unwrap_or_default().to_owned();
        Response::new(Bytes::from(format!("page {query}")))
    }
}

struct Posting;

#[async_trait]
impl Endpoint for Posting {
    fn allows(&self, method: &Method) -> bool {
        method == Method::POST
    }

    async fn call(&self, request: Request<Bytes>) -> Response<Bytes> {
        Response::new(request.into_body())
    }
}

struct Panicking;

#[async_trait]
impl Endpoint for Panicking {
    async fn call(&self, _request: Request<Bytes>) -> Response<Bytes> {
        panic!("boom")
    }
}

fn get(path: &str) -> Request<Bytes> {
    Request::get(path).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn endpoints_answer_their_paths_and_methods() {
    let bot = Bot::builder()
        .route("/page", Page)
        .route("echo", Posting)
        .route("/panic", Panicking)
        .body_limit(8)
        .build();
    assert_eq!(bot.routes().collect::<Vec<_>>(), ["/page", "/echo", "/panic"]);

    let response = bot.handle(get("/page?x=1")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "page x=1");
    let post = Request::post("/page").body(Bytes::new()).unwrap();
    assert_eq!(bot.handle(post).await.status(), StatusCode::METHOD_NOT_ALLOWED);

    let post = Request::post("/echo").body(Bytes::from_static(b"hi")).unwrap();
    assert_eq!(bot.handle(post).await.body(), "hi");
    assert_eq!(bot.handle(get("/echo")).await.status(), StatusCode::METHOD_NOT_ALLOWED);
    let big = Request::post("/echo").body(Bytes::from_static(b"far too long")).unwrap();
    assert_eq!(bot.handle(big).await.status(), StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(bot.handle(get("/panic")).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(bot.handle(get("/page")).await.status(), StatusCode::OK, "still serving");
    assert_eq!(bot.handle(get("/elsewhere")).await.status(), StatusCode::NOT_FOUND);
}

#[cfg(feature = "server")]
#[tokio::test]
async fn the_server_serves_endpoints() {
    use chatbridge_core::host::server::Server;

    let server = Server::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", server.local_addr().unwrap());
    let bot = Bot::builder().route("/page", Page).build();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    let response = reqwest::get(format!("{url}/page?a=b")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "page a=b");
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}

/// Dispatches every body as an `Other("bookkeeping")` message, with `always_prepare` when the
/// body says so, and counts its `prepare` calls.
#[derive(Clone, Default)]
struct Bookkeeper {
    prepared: Arc<AtomicUsize>,
}

#[async_trait]
impl Adapter for Bookkeeper {
    fn platform(&self) -> Platform {
        Platform::new("test")
    }

    fn parse(&self, request: &Request<Bytes>) -> Result<Incoming, AdapterError> {
        let message = Message::new(self.platform(), MessageKind::Other("bookkeeping".into()));
        let dispatch = Dispatch::new(message, ReplyMode::Acknowledge, Duration::from_secs(1));
        Ok(Incoming::dispatch(if request.body() == "always" {
            dispatch.always_prepare()
        } else {
            dispatch
        }))
    }

    async fn prepare(
        &self,
        _message: &mut Message,
        _extensions: &mut Extensions,
    ) -> Result<Prepared, AdapterError> {
        self.prepared.fetch_add(1, Ordering::SeqCst);
        Ok(Prepared::Handle)
    }

    fn render(&self, _: &Message, _: Vec<Reply>) -> Result<Response<Bytes>, AdapterError> {
        Ok(Response::new(Bytes::new()))
    }

    fn acknowledge(&self, _message: &Message, _ack: Ack) -> Response<Bytes> {
        Response::new(Bytes::from_static(b"ack"))
    }

    async fn deliver(&self, _delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        Ok(())
    }
}

#[tokio::test]
async fn always_prepare_runs_prepare_for_messages_nobody_wants() {
    let adapter = Bookkeeper::default();
    let prepared = Arc::clone(&adapter.prepared);
    // An empty router wants nothing.
    let bot = Bot::builder().mount("/t", adapter).handler(Router::new()).build();
    let post = |body: &'static str| Request::post("/t").body(Bytes::from_static(body.as_bytes()));

    let response = bot.handle(post("plain").unwrap()).await;
    assert_eq!(response.body(), "ack");
    assert_eq!(prepared.load(Ordering::SeqCst), 0, "nobody wants it: no prepare");

    let response = bot.handle(post("always").unwrap()).await;
    assert_eq!(response.body(), "ack");
    assert_eq!(prepared.load(Ordering::SeqCst), 1, "always_prepare: prepared, then acknowledged");
}

#[cfg(feature = "lambda")]
#[tokio::test]
async fn the_lambda_host_serves_endpoints() {
    use chatbridge_core::host::lambda::LambdaHost;
    use serde_json::json;

    let host = LambdaHost::new(Bot::builder().route("/page", Page).build());
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/page",
        "rawQueryString": "x=1",
        "headers": {"accept": "text/html"},
        "requestContext": {
            "accountId": "anonymous", "apiId": "abcdefgh",
            "domainName": "abcdefgh.lambda-url.us-east-1.on.aws", "domainPrefix": "abcdefgh",
            "http": {"method": "GET", "path": "/page", "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "browser"},
            "requestId": "r1", "routeKey": "$default", "stage": "$default",
            "time": "22/Nov/2026:12:00:00 +0000", "timeEpoch": 0
        },
        "isBase64Encoded": false
    });
    let mut context = lambda_runtime::Context::default();
    context.request_id = "r1".to_owned();
    let response = host.invoke(event, context).await.unwrap();
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(response["body"], "page x=1", "{response}");
}
