//! Routing by id: actions, submissions, suggestion requests and shortcuts reach the route for
//! their id, captures are readable in the handler, and an id no route wants runs nothing.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Ack, Adapter, Incoming, Responder, Timing};
use chatbridge_core::{
    Action, AdapterError, Bot, Context, DeliveryError, Emoji, Handler, Message, MessageKind,
    Platform, Reply, Router,
};
use http::{Request, Response};

/// An adapter whose request body is `kind id`: an action of that kind with that id; the first
/// reply's text is the response body.
struct Actions;

struct Answer;

#[async_trait]
impl Adapter for Actions {
    fn platform(&self) -> Platform {
        Platform::new("actions")
    }

    async fn accept(&self, request: Request<Bytes>) -> Result<Accepted, AdapterError> {
        let body = String::from_utf8_lossy(request.body()).into_owned();
        let (kind, id) = body.split_once(' ').unwrap_or((&body, ""));
        let kind = match kind {
            "action" => MessageKind::Action,
            "submission" => MessageKind::Submission,
            "autocomplete" => MessageKind::Autocomplete,
            "shortcut" => MessageKind::Shortcut,
            other => return Err(AdapterError::bad_request(format!("kind {other}"))),
        };
        let msg = Message::new(self.platform(), kind);
        let msg = if id.is_empty() { msg } else { msg.with_action(Action::new(id)) };
        Ok(Accepted::Incoming(Incoming::new(msg, Answer, Timing::Inline(Duration::from_secs(5)))))
    }
}

#[async_trait]
impl Responder for Answer {
    fn respond(&self, replies: Vec<Reply>) -> Result<Response<Bytes>, AdapterError> {
        let text = replies.into_iter().next().and_then(|r| r.text).unwrap_or_default();
        Ok(Response::new(Bytes::from(text)))
    }

    fn acknowledge(&self, _ack: Ack) -> Response<Bytes> {
        Response::new(Bytes::from_static(b"(not wanted)"))
    }

    async fn follow_up(&self, _reply: Reply) -> Result<(), DeliveryError> {
        Ok(())
    }

    async fn react(&self, _emoji: Emoji) -> Result<(), DeliveryError> {
        Ok(())
    }
}

fn answer(name: &'static str) -> impl Handler {
    move |_cx: Context, msg: Message| async move {
        let captures = ["poll", "option", "rest"]
            .iter()
            .filter_map(|n| msg.param(n).map(|v| format!("{n}={v}")))
            .collect::<Vec<_>>()
            .join(",");
        format!("{name}({captures})")
    }
}

fn router() -> Router {
    Router::new()
        .action("help", answer("help"))
        .action("vote:{poll}:{option}", answer("vote"))
        .action("{rest}", answer("any-action"))
        .submission("order", answer("order-form"))
        .options("pizza:{option}", answer("suggest"))
        .shortcut("new-poll", answer("shortcut"))
        .command("poll", answer("command"))
}

/// What a bot with `router` answers to `body` (`kind id`).
async fn routed(router: &Router, body: &str) -> String {
    let bot = Bot::builder().handler(router.clone()).mount("/a", Actions).build();
    let request = Request::post("/a").body(Bytes::from(body.to_owned())).unwrap();
    let response = bot.handle(request).await;
    assert_eq!(response.status(), 200, "{body}");
    String::from_utf8_lossy(response.body()).into_owned()
}

#[tokio::test]
async fn ids_route_by_kind_exact_first_then_patterns_in_order() {
    let r = router();
    assert_eq!(routed(&r, "action help").await, "help()");
    assert_eq!(routed(&r, "action vote:p1:2").await, "vote(poll=p1,option=2)");
    assert_eq!(
        routed(&r, "action vote:p1").await,
        "any-action(rest=vote:p1)",
        "a pattern that does not match falls through to the next"
    );
    assert_eq!(routed(&r, "submission order").await, "order-form()");
    assert_eq!(routed(&r, "autocomplete pizza:size").await, "suggest(option=size)");
    assert_eq!(routed(&r, "shortcut new-poll").await, "shortcut()");
}

#[tokio::test]
async fn an_id_of_another_kind_or_no_route_is_not_wanted() {
    let r = Router::new().action("vote:{poll}", answer("vote")).command("poll", answer("command"));
    assert_eq!(routed(&r, "submission vote:p1").await, "(not wanted)");
    assert_eq!(routed(&r, "action other").await, "(not wanted)");
    assert_eq!(routed(&r, "action").await, "(not wanted)");
}
