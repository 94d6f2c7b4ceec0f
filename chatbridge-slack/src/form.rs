//! `application/x-www-form-urlencoded` bodies, decoded exactly as [`form_urlencoded::parse`]
//! decodes them, but without its byte-at-a-time percent decoding: a value with neither `%`
//! nor `+` is borrowed after a UTF-8 check, others are decoded in one pass. Slash commands
//! are forms, and decoding them was the larger part of answering one (more than checking its
//! signature).

use std::borrow::Cow;

/// The name/value pairs of a form, as `form_urlencoded::parse` yields them: split on `&`
/// (empty pieces skipped), then on the first `=`, `+` as a space, `%XX` escapes decoded,
/// invalid UTF-8 replaced.
pub(crate) fn pairs(body: &[u8]) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    pieces(body).map(|(name, value)| (decode(name), decode(value)))
}

/// The value of the first field called `name`, decoding no other value.
pub(crate) fn find<'a>(body: &'a [u8], name: &str) -> Option<Cow<'a, str>> {
    pieces(body)
        .find(|(n, _)| if needs_decoding(n) { decode(n) == name } else { *n == name.as_bytes() })
        .map(|(_, value)| decode(value))
}

fn pieces(body: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    body.split(|&b| b == b'&').filter(|piece| !piece.is_empty()).map(|piece| {
        match piece.iter().position(|&b| b == b'=') {
            Some(at) => (&piece[..at], &piece[at + 1..]),
            None => (piece, &[][..]),
        }
    })
}

fn is_special(byte: &u8) -> bool {
    matches!(byte, b'%' | b'+')
}

fn needs_decoding(input: &[u8]) -> bool {
    input.iter().any(is_special)
}

fn decode(input: &[u8]) -> Cow<'_, str> {
    let Some(first) = input.iter().position(is_special) else {
        return text(input);
    };
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&input[..first]);
    let mut rest = &input[first..];
    while let Some((&byte, tail)) = rest.split_first() {
        match byte {
            b'+' => {
                out.push(b' ');
                rest = tail;
            }
            b'%' => match tail {
                [high, low, after @ ..] if hex(high).is_some() && hex(low).is_some() => {
                    out.push(hex(high).unwrap_or_default() << 4 | hex(low).unwrap_or_default());
                    rest = after;
                }
                // Not an escape: the `%` stands for itself.
                _ => {
                    out.push(b'%');
                    rest = tail;
                }
            },
            _ => {
                let run = rest.iter().position(is_special).unwrap_or(rest.len());
                out.extend_from_slice(&rest[..run]);
                rest = &rest[run..];
            }
        }
    }
    match String::from_utf8(out) {
        Ok(text) => Cow::Owned(text),
        Err(error) => Cow::Owned(String::from_utf8_lossy(error.as_bytes()).into_owned()),
    }
}

/// The bytes as text: borrowed when they are UTF-8 (checked the fast way), else with
/// replacement characters, as `String::from_utf8_lossy` makes them.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn hex(byte: &u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(body: &[u8]) -> Vec<(String, String)> {
        form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    fn ours(body: &[u8]) -> Vec<(String, String)> {
        pairs(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    #[test]
    fn known_cases_match_form_urlencoded() {
        for body in [
            &b""[..],
            b"&&&",
            b"a",
            b"a=",
            b"=b",
            b"a=b=c",
            b"a=1&b=2&a=3",
            b"text=there%20-%20it%27s%20over%20Anakin%2C%20I%20have%20the%20high%20ground",
            b"x=%2B+%2b",
            b"x=%zz%4%%41%e9%C3%A9",
            b"p%61yload=%7B%7D",
            b"x=\xff\xfe&y=\xc3",
            b"x=100%&y=%",
            include_bytes!("../tests/fixtures/slash_command.txt"),
        ] {
            assert_eq!(ours(body), reference(body), "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn random_bodies_match_form_urlencoded() {
        const ALPHABET: &[u8] = b"ab=&%+2Fzf0\xc3\xa9\xff ";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            let body: Vec<u8> = (0..len)
                .map(|i| ALPHABET[((state >> (i % 8 * 8)) as usize + i * 7) % ALPHABET.len()])
                .collect();
            assert_eq!(ours(&body), reference(&body), "{body:?}");
        }
    }

    #[test]
    fn find_takes_the_first_field_and_decodes_its_name() {
        assert_eq!(find(b"a=1&payload=%7B%7D&payload=2", "payload").as_deref(), Some("{}"));
        assert_eq!(find(b"p%61yload=x", "payload").as_deref(), Some("x"));
        assert_eq!(find(b"payloads=x", "payload"), None);
    }
}
