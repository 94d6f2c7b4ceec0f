//! Signature verification: a method other than POST is a 405 before anything else, every
//! signature failure is a 401, PING is exactly `{"type":1}`, the RFC 8032 test vectors pass
//! through the verifier, and requests that arrive together each get the answer they get alone.

use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use bytes::Bytes;
use chatbridge_core::clock::ManualClock;
use chatbridge_core::{Bot, ConfigError, Router};
use chatbridge_discord::DiscordAdapter;
use chatbridge_discord::verify::Verifier;
use ed25519_dalek::{Signer, SigningKey};
use http::{Request, StatusCode};

fn bot(adapter: DiscordAdapter) -> Bot {
    Bot::builder()
        .mount("/discord", adapter)
        .handler(Router::new().fallback(|_cx, _msg| async { "hi" }))
        .build()
}

fn request(signature: Option<&str>, timestamp: Option<&str>, body: &[u8]) -> Request<Bytes> {
    let mut builder = Request::post("/discord").header("content-type", "application/json");
    if let Some(signature) = signature {
        builder = builder.header("x-signature-ed25519", signature);
    }
    if let Some(timestamp) = timestamp {
        builder = builder.header("x-signature-timestamp", timestamp);
    }
    builder.body(Bytes::copy_from_slice(body)).unwrap()
}

#[tokio::test]
async fn ping_is_answered_with_exactly_type_1() {
    let response = bot(adapter()).handle(signed("/discord", fixture("ping.json"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(&response.body()[..], br#"{"type":1}"#);
}

#[tokio::test]
async fn every_signature_failure_is_a_401() {
    let body = fixture("ping.json");
    let good = sign(TIMESTAMP, &body);
    let mut flipped = good.clone().into_bytes();
    flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let other_key = SigningKey::from_bytes(&[9; 32]);
    let mut message = TIMESTAMP.as_bytes().to_vec();
    message.extend_from_slice(&body);
    let by_other_key = hex::encode(other_key.sign(&message).to_bytes());
    let mut tampered = body.clone();
    tampered.push(b' ');
    let cases: Vec<(&str, Request<Bytes>)> = vec![
        ("no headers", request(None, None, &body)),
        ("no signature", request(None, Some(TIMESTAMP), &body)),
        ("no timestamp", request(Some(&good), None, &body)),
        ("empty signature", request(Some(""), Some(TIMESTAMP), &body)),
        ("not hex", request(Some(&"zz".repeat(64)), Some(TIMESTAMP), &body)),
        ("too short", request(Some(&good[..126]), Some(TIMESTAMP), &body)),
        ("too long", request(Some(&format!("{good}00")), Some(TIMESTAMP), &body)),
        ("odd length", request(Some(&good[..127]), Some(TIMESTAMP), &body)),
        ("one bit off", request(Some(&flipped), Some(TIMESTAMP), &body)),
        ("other key", request(Some(&by_other_key), Some(TIMESTAMP), &body)),
        ("other timestamp", request(Some(&good), Some("1714824001"), &body)),
        ("tampered body", request(Some(&good), Some(TIMESTAMP), &tampered)),
        ("empty body", request(Some(&good), Some(TIMESTAMP), b"")),
        ("all zero", request(Some(&"0".repeat(128)), Some(TIMESTAMP), &body)),
    ];
    let bot = bot(adapter());
    for (name, request) in cases {
        let response = bot.handle(request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(&response.body()[..], b"invalid request signature", "{name}");
    }
    // And the good one passes.
    let response = bot.handle(request(Some(&good), Some(TIMESTAMP), &body)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_method_other_than_post_is_a_405_signed_or_not() {
    let body = fixture("ping.json");
    let bot = bot(adapter());
    for method in [http::Method::GET, http::Method::PUT, http::Method::DELETE] {
        let mut unsigned = request(None, None, &body);
        *unsigned.method_mut() = method.clone();
        let mut signed = signed("/discord", body.clone());
        *signed.method_mut() = method.clone();
        for request in [unsigned, signed] {
            let response = bot.handle(request).await;
            assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        }
    }
}

/// Good requests with bad ones between them, all at once: each gets the answer it gets alone.
#[tokio::test]
async fn requests_that_arrive_together_each_get_their_own_answer() {
    let bot = bot(adapter());
    let good = |n: usize| {
        let body = format!(
            r#"{{"type":2,"id":"{n}","application_id":"{APP_ID}","token":"t","version":1,"data":{{"id":"1","name":"hi","type":1}}}}"#
        );
        signed("/discord", body.into_bytes())
    };
    let ping = fixture("ping.json");
    let signature = sign(TIMESTAMP, &ping);
    let mut tampered = ping.clone();
    tampered.push(b' ');
    let other_key = SigningKey::from_bytes(&[9; 32]);
    let by_other_key =
        hex::encode(other_key.sign(&[TIMESTAMP.as_bytes(), &ping].concat()).to_bytes());
    let mut requests = vec![];
    for n in 0..4 {
        requests.push((good(n), StatusCode::OK));
    }
    requests
        .push((request(Some(&signature), Some(TIMESTAMP), &tampered), StatusCode::UNAUTHORIZED));
    requests.push((request(Some(&signature), Some("1714824001"), &ping), StatusCode::UNAUTHORIZED));
    requests.push((request(Some(&by_other_key), Some(TIMESTAMP), &ping), StatusCode::UNAUTHORIZED));
    requests.push((request(None, Some(TIMESTAMP), &ping), StatusCode::UNAUTHORIZED));
    requests.push((request(Some(&signature), Some(TIMESTAMP), &ping), StatusCode::OK));
    for n in 4..16 {
        requests.push((good(n), StatusCode::OK));
    }
    let (requests, expected): (Vec<_>, Vec<_>) = requests.into_iter().unzip();
    let answers = futures_util::future::join_all(requests.into_iter().map(|r| bot.handle(r))).await;
    let statuses: Vec<StatusCode> = answers.iter().map(http::Response::status).collect();
    assert_eq!(statuses, expected);
}

/// Regression (issue 10): a second signature or timestamp header was ignored, so a request
/// carrying a valid pair plus a second, different value passed. Now any repeat is a 401.
#[tokio::test]
async fn repeated_signature_or_timestamp_headers_are_a_401() {
    let body = fixture("ping.json");
    let good = sign(TIMESTAMP, &body);
    let bot = bot(adapter());
    let mut twice_signed = request(Some(&good), Some(TIMESTAMP), &body);
    twice_signed.headers_mut().append("x-signature-ed25519", "00".repeat(64).parse().unwrap());
    let mut same_twice = request(Some(&good), Some(TIMESTAMP), &body);
    same_twice.headers_mut().append("x-signature-ed25519", good.parse().unwrap());
    let mut two_timestamps = request(Some(&good), Some(TIMESTAMP), &body);
    two_timestamps.headers_mut().append("x-signature-timestamp", "1714824001".parse().unwrap());
    for (name, request) in
        [("signature", twice_signed), ("same", same_twice), ("timestamp", two_timestamps)]
    {
        let response = bot.handle(request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[tokio::test]
async fn the_freshness_window_is_off_by_default_and_checks_both_directions_when_on() {
    let body = fixture("ping.json");
    // Off: a timestamp from 2024 passes today.
    assert_eq!(
        bot(adapter()).handle(signed("/discord", body.clone())).await.status(),
        StatusCode::OK
    );

    let clock = ManualClock::at_unix(TIMESTAMP.parse().unwrap());
    let adapter = builder()
        .freshness_window(Duration::from_secs(300), Some(Arc::new(clock.clone())))
        .build()
        .unwrap();
    let bot = bot(adapter);
    assert_eq!(bot.handle(signed("/discord", body.clone())).await.status(), StatusCode::OK);
    clock.advance(Duration::from_secs(301));
    assert_eq!(
        bot.handle(signed("/discord", body.clone())).await.status(),
        StatusCode::UNAUTHORIZED
    );
    clock.set_unix(TIMESTAMP.parse::<u64>().unwrap() - 301);
    assert_eq!(
        bot.handle(signed("/discord", body.clone())).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A signed but non-numeric timestamp fails the window too.
    let request = Request::post("/discord")
        .header("x-signature-ed25519", sign("soon", &body))
        .header("x-signature-timestamp", "soon")
        .body(Bytes::from(body))
        .unwrap();
    assert_eq!(bot.handle(request).await.status(), StatusCode::UNAUTHORIZED);
}

/// A request the durable inbox runs again after a crash is checked against the window as of its
/// first arrival, not as of the rerun.
#[tokio::test]
async fn a_redelivered_request_is_checked_against_the_window_as_of_its_arrival() {
    let arrived: u64 = TIMESTAMP.parse().unwrap();
    let clock = ManualClock::at_unix(arrived + 3600);
    let adapter = builder()
        .freshness_window(Duration::from_secs(300), Some(Arc::new(clock.clone())))
        .build()
        .unwrap();
    let bot = bot(adapter);
    let stored = || signed("/discord", fixture("ping.json"));
    assert_eq!(bot.handle(stored()).await.status(), StatusCode::UNAUTHORIZED);
    let mut redelivered = stored();
    let received = std::time::UNIX_EPOCH + Duration::from_secs(arrived + 1);
    redelivered.extensions_mut().insert(chatbridge_core::host::Redelivery { received });
    assert_eq!(bot.handle(redelivered).await.status(), StatusCode::OK);
}

/// RFC 8032 section 7.1, tests 1, 2, 3 and SHA(abc): (secret, public, message, signature).
const RFC8032: &[(&str, &str, &str, &str)] = &[
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
];

#[test]
fn rfc8032_vectors_pass_through_the_verifier_at_every_split() {
    for (secret, public, message, signature) in RFC8032 {
        // The vector is consistent: the secret key derives the public key and signs to it.
        let mut seed = [0u8; 32];
        hex::decode_to_slice(secret, &mut seed).unwrap();
        let key = SigningKey::from_bytes(&seed);
        assert_eq!(hex::encode(key.verifying_key().as_bytes()), *public);
        let message = hex::decode(message).unwrap();
        assert_eq!(hex::encode(key.sign(&message).to_bytes()), *signature);

        let verifier = Verifier::new(public).unwrap();
        // Discord's message is timestamp || body: every way of splitting must verify.
        for split in 0..=message.len() {
            let (timestamp, body) = message.split_at(split);
            verifier.verify(signature.as_bytes(), timestamp, body).unwrap();
        }
        let mut wrong = message.clone();
        wrong.push(0);
        assert!(verifier.verify(signature.as_bytes(), &wrong, b"").is_err());
        assert!(verifier.verify(signature.to_uppercase().as_bytes(), &message, b"").is_ok());
    }
}

#[test]
fn a_bad_public_key_fails_construction() {
    for bad in ["", "abc", &"zz".repeat(32), &"00".repeat(31), &"00".repeat(33)] {
        let error = DiscordAdapter::builder(bad, APP_ID).build().unwrap_err();
        assert!(
            matches!(error, ConfigError::Invalid { name: "discord public key", .. }),
            "{bad}: {error:?}"
        );
    }
    // The identity point is a weak key: refused.
    let weak = format!("01{}", "00".repeat(31));
    let error = Verifier::new(&weak).unwrap_err();
    assert_eq!(error.to_string(), "discord public key is invalid: a weak Ed25519 key");
}

#[test]
fn from_env_names_the_variable_never_the_value() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    };
    let error = DiscordAdapter::from_lookup(vars(&[])).unwrap_err();
    assert!(error.to_string().contains("DISCORD_PUBLIC_KEY"), "{error}");
    let error = DiscordAdapter::from_lookup(vars(&[("DISCORD_PUBLIC_KEY", "secret-looking-junk")]))
        .unwrap_err();
    assert!(error.to_string().contains("DISCORD_APPLICATION_ID"), "{error}");
    let error = DiscordAdapter::from_lookup(vars(&[
        ("DISCORD_PUBLIC_KEY", "secret-looking-junk"),
        ("DISCORD_APPLICATION_ID", "1"),
    ]))
    .unwrap_err();
    assert!(error.to_string().contains("DISCORD_PUBLIC_KEY"), "{error}");
    assert!(matches!(error, ConfigError::Invalid { name: "DISCORD_PUBLIC_KEY", .. }), "{error:?}");
    assert!(!error.to_string().contains("secret-looking-junk"), "{error}");
    // The API URL is the client's: checked when there is one.
    #[cfg(feature = "client")]
    {
        let error = DiscordAdapter::from_lookup(vars(&[
            (
                "DISCORD_PUBLIC_KEY",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            ),
            ("DISCORD_APPLICATION_ID", "1"),
            ("DISCORD_API_URL", "not a url"),
        ]))
        .unwrap_err();
        assert!(matches!(error, ConfigError::Invalid { name: "DISCORD_API_URL", .. }), "{error:?}");
    }
    let adapter = DiscordAdapter::from_lookup(vars(&[
        ("DISCORD_PUBLIC_KEY", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
        ("DISCORD_APPLICATION_ID", "1"),
        ("DISCORD_BOT_TOKEN", "very-secret-bot-token"),
    ]))
    .unwrap();
    assert_eq!(adapter.application_id(), "1");
    assert!(!format!("{adapter:?}").contains("very-secret"));
    // Without DISCORD_API_URL, the client calls Discord's v10 API.
    #[cfg(feature = "client")]
    assert!(format!("{:?}", adapter.client()).contains("\"https://discord.com/api/v10\""));
}
