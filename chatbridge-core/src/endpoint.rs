//! [`Endpoint`]: a plain HTTP endpoint served beside the adapters (an OAuth install page, a
//! redirect target), through the same path matching on every host.
//!
//! Adapters are for chat platforms: they verify, parse and dispatch to the handler. Some pages
//! are not chat at all, such as Slack's "Add to Slack" install page: an endpoint takes the
//! request and answers it, nothing more. Register one with
//! [`BotBuilder::route`](crate::BotBuilder::route); [`Bot::handle`](crate::Bot::handle) (and so
//! the tower, server and Lambda hosts) serves it.

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, Request, Response};

/// A plain HTTP endpoint: a request in, a response out.
///
/// [`Bot::handle`](crate::Bot::handle) answers a method the endpoint does not
/// [`allow`](Self::allows) with 405, a body over the bot's limit with 413, and a panic with 500.
///
/// ```
/// use async_trait::async_trait;
/// use bytes::Bytes;
/// use chatbridge_core::{Bot, endpoint::Endpoint};
/// use http::{Request, Response};
///
/// struct Hello;
///
/// #[async_trait]
/// impl Endpoint for Hello {
///     async fn call(&self, _request: Request<Bytes>) -> Response<Bytes> {
///         Response::new(Bytes::from_static(b"hello"))
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let bot = Bot::builder().route("/hello", Hello).build();
/// let response = bot.handle(Request::get("/hello").body(Bytes::new()).unwrap()).await;
/// assert_eq!(response.body(), "hello");
/// let response = bot.handle(Request::post("/hello").body(Bytes::new()).unwrap()).await;
/// assert_eq!(response.status(), http::StatusCode::METHOD_NOT_ALLOWED);
/// # });
/// ```
#[async_trait]
pub trait Endpoint: Send + Sync + 'static {
    /// Whether the endpoint takes requests with this method. The default takes `GET` and `HEAD`.
    fn allows(&self, method: &Method) -> bool {
        method == Method::GET || method == Method::HEAD
    }

    /// Answers a request. It should never fail: errors are responses too.
    async fn call(&self, request: Request<Bytes>) -> Response<Bytes>;
}
