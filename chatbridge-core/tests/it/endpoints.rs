//! Plain endpoints beside adapters (`BotBuilder::route`).

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::Bot;
use chatbridge_core::endpoint::Endpoint;
use http::{Method, Request, Response, StatusCode};

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
