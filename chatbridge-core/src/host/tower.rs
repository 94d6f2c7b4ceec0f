//! `Bot` as a [`tower::Service`]: any tower host (axum, hyper, `lambda_http`) drives it
//! unchanged.
//!
//! ```
//! use bytes::Bytes;
//! use chatbridge_core::{Bot, Router};
//! use http_body_util::Full;
//! use tower::ServiceExt;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let bot = Bot::builder().handler(Router::new()).build();
//! let request = http::Request::post("/nowhere").body(Full::new(Bytes::new())).unwrap();
//! let response = bot.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), http::StatusCode::NOT_FOUND);
//! # });
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body::Body;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};

use crate::host::ReceivedAt;
use crate::plain;
use crate::{Bot, BoxError};

impl<B> tower::Service<Request<B>> for Bot
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let bot = self.clone();
        Box::pin(async move {
            let response = match collect(request, bot.body_limit()).await {
                Ok(request) => bot.handle(request).await,
                Err(response) => response,
            };
            Ok(response.map(Full::new))
        })
    }
}

/// Reads a request's body into memory, refusing more than `limit` bytes without buffering them.
///
/// A `Content-Length` over the limit is refused before a byte of the body is read. Sets
/// [`ReceivedAt`] unless the host already did.
///
/// # Errors
///
/// The response to send instead: 413 over the limit, 400 for a body that failed to arrive.
pub async fn collect<B>(
    request: Request<B>,
    limit: usize,
) -> Result<Request<Bytes>, Response<Bytes>>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let (mut parts, body) = request.into_parts();
    if parts.extensions.get::<ReceivedAt>().is_none() {
        parts.extensions.insert(ReceivedAt(Instant::now()));
    }
    collect_body(Request::from_parts(parts, body), limit).await
}

/// [`collect`] without setting [`ReceivedAt`].
pub(crate) async fn collect_body<B>(
    request: Request<B>,
    limit: usize,
) -> Result<Request<Bytes>, Response<Bytes>>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(plain(StatusCode::PAYLOAD_TOO_LARGE, "payload too large"));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, collected.to_bytes())),
        Err(error) if error.is::<LengthLimitError>() => {
            Err(plain(StatusCode::PAYLOAD_TOO_LARGE, "payload too large"))
        }
        Err(error) => {
            tracing::debug!(%error, "request body failed to arrive");
            Err(plain(StatusCode::BAD_REQUEST, "malformed request: body could not be read"))
        }
    }
}
