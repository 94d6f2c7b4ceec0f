//! Request verification: Slack's v0 HMAC-SHA256 signature over the raw body, a two-sided
//! five-minute window, and the unsigned `ssl_check` probe.
//!
//! See Slack's page "Verifying requests from Slack".

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use chatbridge_core::adapter::single_header;
use chatbridge_core::clock::{SharedClock, system_clock};
use chatbridge_core::host::Redelivery;
use chatbridge_core::{AdapterError, Secret};
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName, Request};
use serde::Deserialize;
use serde::de::IgnoredAny;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far, in seconds, a request's timestamp may be from now, in either direction: a signed
/// request verifies for ten minutes around its timestamp.
pub const MAX_SKEW_SECS: u64 = 300;

/// The header that carries the signature, `v0=<hex>`.
static SIGNATURE: HeaderName = HeaderName::from_static("x-slack-signature");
/// The header that carries the request's Unix timestamp in seconds.
static TIMESTAMP: HeaderName = HeaderName::from_static("x-slack-request-timestamp");
/// The longest body taken for Slack's unsigned `ssl_check` probe (`ssl_check=1&token=…` is
/// about forty bytes).
const SSL_CHECK_MAX_LEN: usize = 256;

/// Checks Slack's request signatures with a signing secret and a clock.
///
/// ```
/// use chatbridge_core::Secret;
/// use chatbridge_core::clock::ManualClock;
/// use chatbridge_slack::verify::{Verifier, sign};
/// use std::sync::Arc;
///
/// let secret = Secret::new("8f742231b10e8888abcd99yyyzzz85a5");
/// let verifier = Verifier::new(secret.clone()).with_clock(Arc::new(ManualClock::at_unix(1_000)));
/// let body = b"command=%2Fhello";
/// let mut headers = http::HeaderMap::new();
/// headers.insert("X-Slack-Request-Timestamp", "1000".parse().unwrap());
/// headers.insert("X-Slack-Signature", sign(&secret, 1_000, body).parse().unwrap());
/// assert!(verifier.verify(&headers, body).is_ok());
/// assert!(verifier.verify(&headers, b"command=%2Fother").is_err());
/// ```
#[derive(Clone)]
pub struct Verifier {
    secret: Secret,
    /// The HMAC keyed with the secret once: each verification clones it.
    keyed: Hmac<Sha256>,
    clock: SharedClock,
}

impl Verifier {
    /// A verifier for a signing secret, reading the system clock.
    #[must_use]
    pub fn new(secret: Secret) -> Self {
        let keyed = keyed(&secret);
        Self { secret, keyed, clock: system_clock() }
    }

    /// Reads the time from `clock` instead (tests, known-answer checks).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Verifies a request's signature over its raw body.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Unauthorized`] when a header is missing or malformed, the timestamp is
    /// more than [`MAX_SKEW_SECS`] away from now (either way), or the signature does not match.
    /// The error never contains the expected signature.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), AdapterError> {
        self.verify_at(headers, body, self.clock.unix_seconds())
    }

    /// Verifies a request: as of its first arrival when the durable inbox runs it again after a
    /// crash (its [`Redelivery`] extension, which only core sets), otherwise as of now.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_request(&self, request: &Request<Bytes>) -> Result<(), AdapterError> {
        let now = request
            .extensions()
            .get::<Redelivery>()
            .map_or_else(|| self.clock.unix_seconds(), Redelivery::unix_seconds);
        self.verify_at(request.headers(), request.body(), now)
    }

    /// Like [`verify`](Self::verify), with the window checked against `now` (Unix seconds)
    /// rather than the clock: a stored request run again after a crash is checked against its
    /// original arrival time.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: u64,
    ) -> Result<(), AdapterError> {
        let timestamp = header(headers, &TIMESTAMP)
            .ok_or(AdapterError::Unauthorized("missing request timestamp"))?;
        let signature =
            header(headers, &SIGNATURE).ok_or(AdapterError::Unauthorized("missing signature"))?;
        let ts = parse_timestamp(timestamp)
            .ok_or(AdapterError::Unauthorized("malformed request timestamp"))?;
        if now.abs_diff(ts) > MAX_SKEW_SECS {
            return Err(AdapterError::Unauthorized(if ts < now {
                "request timestamp too old"
            } else {
                "request timestamp in the future"
            }));
        }
        let given: &[u8; 64] = signature
            .strip_prefix(b"v0=")
            .and_then(|hex| hex.try_into().ok())
            .ok_or(AdapterError::Unauthorized("malformed signature"))?;
        let mut mac = self.keyed.clone();
        update(&mut mac, timestamp, body);
        // Compared as text, as Slack sends it (lowercase hex), as the Bolts compare it.
        let mut expected = [0u8; 64];
        hex::encode_to_slice(mac.finalize().into_bytes(), &mut expected)
            .map_err(|_| AdapterError::Unauthorized("signature mismatch"))?;
        if bool::from(expected.ct_eq(given)) {
            Ok(())
        } else {
            Err(AdapterError::Unauthorized("signature mismatch"))
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier").field("secret", &self.secret).finish_non_exhaustive()
    }
}

/// Signs a body as Slack does: `v0=` and the hex HMAC-SHA256 of `v0:{timestamp}:{body}`.
///
/// For tests and tools that play Slack; the adapter only ever compares.
///
/// ```
/// use chatbridge_core::Secret;
/// use chatbridge_slack::verify::sign;
///
/// let signature = sign(&Secret::new("s3cret"), 1_531_420_618, b"token=x");
/// assert!(signature.starts_with("v0=") && signature.len() == 67);
/// ```
#[must_use]
pub fn sign(secret: &Secret, timestamp: u64, body: &[u8]) -> String {
    format!("v0={}", hex::encode(mac(secret, &timestamp.to_string(), body)))
}

/// Whether a body is Slack's bare certificate probe: a form with `ssl_check=1` and at most a
/// `token`, nothing else, each field once, in at most 256 bytes. Only such a body is answered
/// without a signature; `ssl_check=true`, a repeated field, any other field or a longer body
/// makes it an ordinary request that must verify.
#[must_use]
pub fn is_bare_ssl_check(body: &[u8]) -> bool {
    // Every request meets this check before its signature is checked: a probe is a few dozen
    // bytes, so a longer body is refused without being read.
    if body.len() > SSL_CHECK_MAX_LEN || body.first() == Some(&b'{') {
        return false;
    }
    serde_urlencoded::from_bytes::<SslCheck<'_>>(body).is_ok_and(|probe| probe.ssl_check == "1")
}

/// The certificate probe's form: `ssl_check` and an optional `token`, nothing else, once each.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SslCheck<'a> {
    #[serde(borrow)]
    ssl_check: Cow<'a, str>,
    #[serde(rename = "token")]
    _token: Option<IgnoredAny>,
}

fn mac(secret: &Secret, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = keyed(secret);
    update(&mut mac, timestamp.as_bytes(), body);
    mac.finalize().into_bytes().to_vec()
}

fn keyed(secret: &Secret) -> Hmac<Sha256> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC accepts keys of any length")
}

/// Feeds Slack's base string, `v0:{timestamp}:{body}`, without assembling it.
fn update(mac: &mut Hmac<Sha256>, timestamp: &[u8], body: &[u8]) {
    mac.update(b"v0:");
    mac.update(timestamp);
    mac.update(b":");
    mac.update(body);
}

/// A header's only value, as bytes, trimmed: what it must hold (digits, `v0=` and hex) is
/// checked where it is read, so it is not first checked as text too.
fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a [u8]> {
    single_header(headers, name).map(<[u8]>::trim_ascii)
}

/// Unix seconds: 1 to 12 decimal digits, nothing else.
fn parse_timestamp(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 12 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0, |seconds, digit| seconds * 10 + u64::from(digit - b'0')))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chatbridge_core::clock::ManualClock;
    use http::HeaderValue;

    use super::SIGNATURE as SIGNATURE_NAME;
    use super::*;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: u64 = 1_531_420_618;
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn verifier(now: u64) -> Verifier {
        Verifier::new(Secret::new(SECRET)).with_clock(Arc::new(ManualClock::at_unix(now)))
    }

    fn headers(ts: &str, sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(&TIMESTAMP, ts.parse().unwrap());
        h.insert(&SIGNATURE_NAME, sig.parse().unwrap());
        h
    }

    #[test]
    fn a_difference_anywhere_in_the_signature_is_refused() {
        let v = verifier(TS);
        for at in 3..SIGNATURE.len() {
            for bit in 0..8 {
                let mut given = SIGNATURE.as_bytes().to_vec();
                given[at] ^= 1 << bit;
                let Ok(value) = HeaderValue::from_bytes(&given) else { continue };
                let mut h = headers("1531420618", SIGNATURE);
                h.insert(&SIGNATURE_NAME, value);
                assert!(v.verify(&h, BODY.as_bytes()).is_err(), "byte {at} bit {bit}");
            }
        }
    }

    #[test]
    fn published_example_verifies_at_its_own_time() {
        assert_eq!(sign(&Secret::new(SECRET), TS, BODY.as_bytes()), SIGNATURE);
        let h = headers("1531420618", SIGNATURE);
        verifier(TS).verify(&h, BODY.as_bytes()).unwrap();
        verifier(TS + 300).verify(&h, BODY.as_bytes()).unwrap();
        verifier(TS - 300).verify(&h, BODY.as_bytes()).unwrap();
    }

    #[test]
    fn window_is_two_sided() {
        let h = headers("1531420618", SIGNATURE);
        assert!(verifier(TS + 301).verify(&h, BODY.as_bytes()).is_err());
        assert!(verifier(TS - 301).verify(&h, BODY.as_bytes()).is_err());
    }

    #[test]
    fn malformed_inputs_are_refused_without_the_expected_signature() {
        let v = verifier(TS);
        for (ts, sig) in [
            ("+1531420618", SIGNATURE),
            ("1531420618", "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
            ("1531420618", "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
            ("1531420618", "v0=zz"),
            ("1531420618", "v0=b2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
            // Slack signs in lowercase hex; like Bolt, the comparison is of the text.
            ("1531420618", "v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503"),
            ("1531420618", "v0=g2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
        ] {
            let err = v.verify(&headers(ts, sig), BODY.as_bytes()).unwrap_err();
            assert!(matches!(err, AdapterError::Unauthorized(_)));
            assert!(!err.to_string().contains("a2114d57"), "{err}");
        }
        assert!(v.verify(&HeaderMap::new(), BODY.as_bytes()).is_err());
        // Bytes that are not text, where digits or hex digits belong.
        let mut h = headers("1531420618", SIGNATURE);
        h.insert(&TIMESTAMP, HeaderValue::from_bytes(b"15314206\xe918").unwrap());
        assert!(v.verify(&h, BODY.as_bytes()).is_err());
        let mut odd = SIGNATURE.as_bytes().to_vec();
        *odd.last_mut().unwrap() = 0xe9;
        let mut h = headers("1531420618", SIGNATURE);
        h.insert(&SIGNATURE_NAME, HeaderValue::from_bytes(&odd).unwrap());
        assert!(v.verify(&h, BODY.as_bytes()).is_err());
        assert_eq!(parse_timestamp(b"999999999999"), Some(999_999_999_999));
        assert_eq!(parse_timestamp(b"1000000000000"), None, "more than 12 digits");
        assert_eq!(parse_timestamp(b""), None);
    }

    #[test]
    fn bare_ssl_check_only() {
        assert!(is_bare_ssl_check(b"ssl_check=1&token=abc"));
        assert!(is_bare_ssl_check(b"ssl_check=1"));
        assert!(!is_bare_ssl_check(b"ssl_check=true"));
        assert!(!is_bare_ssl_check(b"ssl_check=1&ssl_check=1"));
        assert!(!is_bare_ssl_check(b"ssl_check=1&command=%2Fx"));
        assert!(!is_bare_ssl_check(b"payload=%7B%7D&ssl_check=1"));
        assert!(!is_bare_ssl_check(br#"{"ssl_check":"1"}"#));
        assert!(!is_bare_ssl_check(b"token=abc"));
        assert!(!is_bare_ssl_check(b""));
    }

    #[test]
    fn debug_redacts_the_secret() {
        assert!(!format!("{:?}", verifier(TS)).contains(SECRET));
    }
}
