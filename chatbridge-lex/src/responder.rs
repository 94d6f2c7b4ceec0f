//! [`LexResponder`]: one Lex event's answer. Lex takes exactly one response and has no
//! follow-up channel and no reactions: every reply goes into the response.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Ack, Responder, json_response};
use chatbridge_core::{AdapterError, DeliveryError, Emoji, Platform, Reply};
use http::{Response, StatusCode};

use crate::model::LexEvent;
use crate::reply::render::{Plan, render};

/// Answers one Lex event.
pub(crate) struct LexResponder {
    pub(crate) event: Arc<LexEvent>,
    /// The message of the `Failed` close sent when the handler runs past the budget.
    pub(crate) timeout_message: Arc<str>,
}

impl LexResponder {
    fn answer(&self, plan: &Plan) -> Result<Response<Bytes>, AdapterError> {
        let body = render(&self.event, plan).map_err(|error| {
            tracing::warn!(platform = %Platform::LEX, %error, "reply cannot be rendered");
            AdapterError::Internal(Box::new(error))
        })?;
        let bytes = serde_json::to_vec(&body).map_err(|e| AdapterError::Internal(Box::new(e)))?;
        Ok(json_response(bytes))
    }
}

#[async_trait]
impl Responder for LexResponder {
    fn respond(&self, replies: Vec<Reply>) -> Result<Response<Bytes>, AdapterError> {
        self.answer(&Plan::from_replies(replies))
    }

    fn acknowledge(&self, ack: Ack) -> Response<Bytes> {
        let plan = match ack {
            Ack::Deferred(_) => {
                tracing::warn!(platform = %Platform::LEX, "handler ran past the budget: failed close");
                Plan::failed(&self.timeout_message)
            }
            _ => Plan::default(),
        };
        self.answer(&plan).unwrap_or_else(|_| {
            let mut response = Response::new(Bytes::from_static(b"internal error"));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        })
    }

    async fn follow_up(&self, _reply: Reply) -> Result<(), DeliveryError> {
        Err(DeliveryError::Unsupported {
            platform: Platform::LEX,
            reason: "Lex has no follow-up channel",
        })
    }

    async fn react(&self, _emoji: Emoji) -> Result<(), DeliveryError> {
        Err(DeliveryError::Unsupported { platform: Platform::LEX, reason: "Lex has no reactions" })
    }
}
