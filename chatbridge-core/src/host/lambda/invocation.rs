//! What a Lambda invocation is, read once from its event: a scheduled invocation (keep-warm or
//! a job), an HTTP request (API Gateway REST or HTTP API, a Function URL, ALB), or a raw event
//! for the adapter at the raw-events path (Amazon Lex).

use lambda_http::request::LambdaRequest;
use serde_json::Value;

use super::http_event;
use super::scheduled::{self, Scheduled};

/// One invocation's event, typed.
pub(super) enum Invocation {
    /// A keep-warm ping or a job run.
    Scheduled(Scheduled),
    /// An HTTP request.
    Http(Http),
    /// Anything else: the raw-events adapter reads it.
    Raw(Value),
}

/// An HTTP event, as `lambda_http` takes it.
pub(super) struct Http {
    pub(super) request: Box<LambdaRequest>,
    /// Payload format 2.0 (HTTP APIs, Function URLs), whose responses have no
    /// `multiValueHeaders`.
    pub(super) payload_v2: bool,
    /// Why the body cannot be read, when it cannot: the answer is then a 400.
    pub(super) refusal: Option<&'static str>,
}

impl Invocation {
    /// Reads an event.
    ///
    /// # Errors
    ///
    /// An event shaped as an HTTP request that `lambda_http` cannot read.
    pub(super) fn read(event: Value) -> Result<Self, serde_json::Error> {
        if let Some(scheduled) = scheduled::recognise(&event) {
            return Ok(Self::Scheduled(scheduled));
        }
        if !http_event::is_http_event(&event) {
            return Ok(Self::Raw(event));
        }
        let mut event = event;
        let refusal = http_event::take_unreadable_body(&mut event);
        http_event::make_uri_buildable(&mut event);
        let request: LambdaRequest = serde_json::from_value(event)?;
        let payload_v2 = matches!(request, LambdaRequest::ApiGatewayV2(_));
        Ok(Self::Http(Http { request: Box::new(request), payload_v2, refusal }))
    }
}
