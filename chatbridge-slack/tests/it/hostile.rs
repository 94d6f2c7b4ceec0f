//! Hostile HTTP against the real server on loopback, with short timeouts: every kind of bad
//! input gets the right 4xx and the server keeps serving. Raw `TcpStream`s where a well-behaved
//! client cannot misbehave enough.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::*;
use chatbridge_core::host::server::Server;
use chatbridge_core::{Bot, Context, Message, Router};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

const LIMIT: usize = 16 * 1024;
const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
const BODY_TIMEOUT: Duration = Duration::from_millis(300);

struct Running {
    addr: SocketAddr,
    http: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Running {
    async fn hello(_cx: Context, msg: Message) -> String {
        format!("hello {}", msg.text)
    }
    let bot = Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(Router::new().command("hello-there", hello))
        .body_limit(LIMIT)
        .build();
    let server = Server::bind("127.0.0.1:0")
        .await
        .unwrap()
        .header_read_timeout(HEADER_TIMEOUT)
        .body_read_timeout(BODY_TIMEOUT)
        .max_header_bytes(8192);
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    Running { addr, http: reqwest::Client::new(), _stop: stop }
}

fn command_body(text: &str) -> Vec<u8> {
    let body = fixture_with_url("slash_command.txt", "https://hooks.slack.com/x", true);
    let body = String::from_utf8(body).unwrap();
    body.replace("text=", &format!("text={text}&x=")).into_bytes()
}

impl Running {
    fn url(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }

    /// A signed request through reqwest.
    async fn send(&self, request: http::Request<bytes::Bytes>) -> reqwest::Response {
        let (parts, body) = request.into_parts();
        self.http.post(self.url()).headers(parts.headers).body(body).send().await.unwrap()
    }

    /// The server still answers a good request. Each check sends a new command: the same
    /// signed one again would be a replay.
    async fn still_serves(&self) {
        static CHECKS: AtomicUsize = AtomicUsize::new(0);
        let text = format!("still{}", CHECKS.fetch_add(1, Ordering::Relaxed));
        let response = self.send(signed(FORM, command_body(&text))).await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["text"], format!("hello {text}"), "answered inline");
    }

    /// Opens a connection, writes `head`, then trickles `trickle` one byte every 50 ms while
    /// the server's answer is read. Returns the answer's status (0 for a plain close) and
    /// how many trickled bytes went out before it came.
    fn trickle(&self, head: Vec<u8>, trickle: &'static [u8]) -> JoinHandle<(u16, usize)> {
        let addr = self.addr;
        tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await.unwrap();
            let (mut reader, mut writer) = stream.into_split();
            writer.write_all(&head).await.unwrap();
            let sent = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&sent);
            let writing = tokio::spawn(async move {
                for byte in trickle {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if writer.write_all(&[*byte]).await.is_err() {
                        break;
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            });
            let (status, _) = read_response(&mut reader).await;
            let sent_before_the_answer = sent.load(Ordering::SeqCst);
            writing.abort();
            (status, sent_before_the_answer)
        })
    }

    /// Writes `head` (and `body`) on a fresh connection; returns the status line's code and the
    /// whole response.
    async fn raw(&self, head: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        let _ = stream.write_all(body).await;
        read_response(&mut stream).await
    }
}

/// Reads one response, until the server closes or 3 s pass (a bounded wait).
async fn read_response(stream: &mut (impl AsyncRead + Unpin)) -> (u16, String) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
        // One response is enough: stop once the head and a short body are in.
        if out.windows(4).any(|w| w == b"\r\n\r\n") && response_complete(&out) {
            break;
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

fn response_complete(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else { return false };
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(str::to_owned))
        .and_then(|v| v.trim().parse::<usize>().ok());
    length.is_some_and(|n| body.len() >= n)
}

fn head(extra: &str) -> String {
    format!("POST {PATH} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n{extra}\r\n")
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_before_it_is_sent() {
    let s = start().await;
    // A gigabyte announced, not a byte sent: the 413 cannot have waited for the body.
    let (status, _) = s.raw(&head("content-length: 1000000000\r\n"), b"").await;
    assert_eq!(status, 413);
    s.still_serves().await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_while_it_is_still_coming() {
    let s = start().await;
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    stream.write_all(head("transfer-encoding: chunked\r\n").as_bytes()).await.unwrap();
    let chunk = format!("400\r\n{}\r\n", "a".repeat(1024));
    // Twice the limit, and no final chunk: the server answers without waiting for the end.
    for _ in 0..(2 * LIMIT / 1024) {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let (status, _) = read_response(&mut stream).await;
    assert_eq!(status, 413);
    s.still_serves().await;
}

#[tokio::test]
async fn a_signed_chunked_body_within_the_limit_is_served() {
    let s = start().await;
    let request = signed(FORM, command_body("chunks"));
    let mut extra = String::from("transfer-encoding: chunked\r\n");
    for (name, value) in request.headers() {
        extra.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    let mut body = Vec::new();
    for piece in request.body().chunks(100) {
        body.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        body.extend_from_slice(piece);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let (status, text) = s.raw(&head(&extra), &body).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("hello chunks"), "{text}");
}

#[tokio::test]
async fn oversized_headers_get_431() {
    let s = start().await;
    let big = format!("x-padding: {}\r\n", "p".repeat(16 * 1024));
    let (status, _) = s.raw(&head(&big), b"").await;
    assert_eq!(status, 431);
    s.still_serves().await;
}

/// Cut off at the head deadline: the answer (a 408 or a close) comes while the trickle, 62
/// bytes at 50 ms each, is far from done.
#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off_and_others_are_served_meanwhile() {
    const HEADER: &[u8] = b"x-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let s = start().await;
    let trickle = s.trickle(b"POST /slack/events HTTP/1.1\r\n".to_vec(), HEADER);
    // Meanwhile the server answers others.
    for _ in 0..3 {
        s.still_serves().await;
    }
    let (status, sent) = trickle.await.unwrap();
    assert!(status == 0 || status == 408, "{status}");
    assert!(sent < HEADER.len(), "cut off before the trickle was done ({sent} bytes sent)");
    s.still_serves().await;
}

/// Cut off at the body deadline with a 408 while the trickle, 100 bytes at 50 ms each, is far
/// from done.
#[tokio::test]
async fn a_client_trickling_its_body_gets_408_and_others_are_served_meanwhile() {
    const BODY: &[u8] = &[b'a'; 100];
    let s = start().await;
    let trickle = s.trickle(head("content-length: 100\r\n").into_bytes(), BODY);
    for _ in 0..3 {
        s.still_serves().await;
    }
    let (status, sent) = trickle.await.unwrap();
    assert_eq!(status, 408);
    assert!(sent < BODY.len(), "cut off before the trickle was done ({sent} bytes sent)");
    s.still_serves().await;
}

#[tokio::test]
async fn content_types_malformed_or_foreign_are_415_and_parameters_are_fine() {
    let s = start().await;
    let cases: [(&[u8], u16); 6] = [
        (b"application/x-www-form-urlencoded; charset=utf-8", 200),
        (b"APPLICATION/X-WWW-FORM-URLENCODED", 200),
        (b"text/plain", 415),
        (b"multipart/form-data; boundary=x", 415),
        (b"application/x-www-form-urlencoded\xff", 415),
        (b"application/json", 400),
    ];
    for (content_type, expected) in cases {
        let mut request = signed(FORM, command_body("ct"));
        request
            .headers_mut()
            .insert("content-type", http::HeaderValue::from_bytes(content_type).unwrap());
        let status = s.send(request).await.status();
        assert_eq!(status, expected, "{}", String::from_utf8_lossy(content_type));
    }
    // Two content types: refused rather than guessed.
    let mut request = signed(FORM, command_body("ct"));
    request.headers_mut().append("content-type", JSON.parse().unwrap());
    assert_eq!(s.send(request).await.status(), 415);
    s.still_serves().await;
}

#[tokio::test]
async fn duplicated_signature_headers_are_401() {
    let s = start().await;
    let good = signed(FORM, command_body("dup"));
    let signature = good.headers()["x-slack-signature"].clone();
    let mut twice = signed(FORM, command_body("dup"));
    twice.headers_mut().append("x-slack-signature", signature);
    assert_eq!(s.send(twice).await.status(), 401);
    let mut two_timestamps = signed(FORM, command_body("dup"));
    two_timestamps
        .headers_mut()
        .append("x-slack-request-timestamp", NOW.to_string().parse().unwrap());
    assert_eq!(s.send(two_timestamps).await.status(), 401);
    s.still_serves().await;
}

#[tokio::test]
async fn non_utf8_bytes_anywhere_get_a_4xx() {
    let s = start().await;
    // In the JSON body, signed: 400.
    let mut json = fixture("message_channel.json");
    json.splice(20..20, [0xff, 0xfe, 0xc3]);
    assert_eq!(s.send(signed(JSON, json)).await.status(), 400);
    // In an interaction payload, raw or percent-encoded, signed: forms decode lossily (U+FFFD,
    // as the WHATWG form rules say), so it is an unknown interaction type, acknowledged.
    let raw = [&b"payload={\"type\":\""[..], &[0xff, 0xfe], &b"\"}"[..]].concat();
    assert_eq!(s.send(signed(FORM, raw)).await.status(), 200);
    let lossy = s.send(signed(FORM, b"payload=%7B%22type%22%3A%22%FF%22%7D".to_vec())).await;
    assert_eq!(lossy.status(), 200);
    // In a slash command's text, signed: decoded lossily, still a command.
    let response = s.send(signed(FORM, command_body("%FF%FE"))).await;
    assert_eq!(response.status(), 200);
    // Raw bytes in the signature header, and an unsigned binary body: 401.
    let mut request = signed(FORM, command_body("x"));
    request
        .headers_mut()
        .insert("x-slack-signature", http::HeaderValue::from_bytes(b"v0=\xff\xfe").unwrap());
    assert_eq!(s.send(request).await.status(), 401);
    assert_eq!(s.send(unsigned(FORM, vec![0xff; 64])).await.status(), 401);
    s.still_serves().await;
}

#[tokio::test]
async fn json_nested_deep_enough_to_hurt_is_400_without_a_stack_overflow() {
    let s = start().await;
    let depth = LIMIT / 2 - 64;
    let deep_array = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let deep_event = format!(
        r#"{{"type":"event_callback","event_id":"Ev1","event":{{"type":"message","x":{}}}}}"#,
        "[".repeat(depth - 100)
    );
    for body in [deep_array.clone(), deep_event] {
        assert_eq!(s.send(signed(JSON, body.into_bytes())).await.status(), 400);
    }
    // The same inside an interaction payload (form-encoded, so fewer levels fit the limit).
    let payload = format!(r#"{{"type":"block_actions","x":{}}}"#, "[".repeat(depth / 3 - 50));
    assert_eq!(s.send(signed(FORM, payload_form(payload.as_bytes()))).await.status(), 400);
    s.still_serves().await;
}
