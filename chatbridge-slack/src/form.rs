//! `application/x-www-form-urlencoded` bodies, decoded exactly as [`form_urlencoded::parse`]
//! decodes them, but in one pass: the body is checked as UTF-8 once, one scan finds the fields
//! and which of them hold escapes, a field without `%` or `+` is borrowed as it is, and a value
//! is decoded only when it is asked for. Slash commands are forms, and decoding
//! them was the larger part of answering one (more than checking its signature).
//!
//! Measured on the 509-byte slash command of the benchmarks: plain byte loops beat both a
//! word-at-a-time scan and `memchr`, whose calls cost more than they save on fields this short.

use std::borrow::Cow;
use std::ops::Range;

/// The name/value pairs of a form, as `form_urlencoded::parse` yields them: split on `&`
/// (empty pieces skipped), then on the first `=`, `+` as a space, `%XX` escapes decoded,
/// invalid UTF-8 replaced.
#[cfg(test)]
pub(crate) fn pairs(body: &[u8]) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    fields(body).map(|(name, value)| (name, value.decode()))
}

/// The fields of a form, in order: each name decoded, each value decoded only when asked.
pub(crate) fn fields(body: &[u8]) -> impl Iterator<Item = (Cow<'_, str>, Value<'_>)> {
    let form = Form { bytes: body, text: std::str::from_utf8(body).ok() };
    let mut start = 0;
    std::iter::from_fn(move || {
        while start < body.len() {
            let mut equals = None;
            let (mut name_plain, mut value_plain) = (true, true);
            let mut end = start;
            while let Some(&byte) = body.get(end) {
                if SPECIAL[usize::from(byte)] {
                    match byte {
                        b'&' => break,
                        b'=' if equals.is_none() => equals = Some(end),
                        b'=' => {}
                        _ if equals.is_none() => name_plain = false,
                        _ => value_plain = false,
                    }
                }
                end += 1;
            }
            let piece = start..end;
            start = end + 1;
            if !piece.is_empty() {
                let (name, value) = match equals {
                    Some(eq) => (piece.start..eq, eq + 1..piece.end),
                    None => (piece.clone(), piece.end..piece.end),
                };
                let value = Value { form, field: Field { range: value, plain: value_plain } };
                return Some((form.decode(Field { range: name, plain: name_plain }), value));
            }
        }
        None
    })
}

/// A field's value, decoded when asked for.
pub(crate) struct Value<'a> {
    form: Form<'a>,
    field: Field,
}

impl<'a> Value<'a> {
    /// The value, decoded; borrowed from the body when there is nothing to decode.
    pub(crate) fn decode(self) -> Cow<'a, str> {
        self.form.decode(self.field)
    }

    /// Appends the value, decoded, to `out`: a value of up to [`STACK_VALUE`] bytes is decoded
    /// on the stack, so keeping it takes no allocation of its own.
    pub(crate) fn decode_into(self, out: &mut String) {
        let Field { range, plain } = self.field;
        if plain && let Some(text) = self.form.text {
            out.push_str(&text[range]);
            return;
        }
        let input = &self.form.bytes[range];
        let (mut stack, mut heap) = ([0u8; STACK_VALUE], Vec::new());
        let room = match stack.get_mut(..input.len()) {
            Some(room) => room,
            None => {
                heap.resize(input.len(), 0);
                &mut heap[..]
            }
        };
        let len = decode_bytes(input, room);
        push_decoded(&room[..len], out);
    }

    /// Whether the value is exactly `text` once decoded.
    pub(crate) fn is(&self, text: &str) -> bool {
        self.form.decode(self.field.clone()) == text
    }
}

/// The bytes that split a form or need decoding.
const SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    special[b'&' as usize] = true;
    special[b'=' as usize] = true;
    special[b'%' as usize] = true;
    special[b'+' as usize] = true;
    special
};

/// A body, and the same bytes as text when they are UTF-8 (checked once for the whole body:
/// fields are split off at `&` and `=`, which never fall inside a character, so every field of
/// a UTF-8 body is UTF-8 too).
#[derive(Clone, Copy)]
struct Form<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

/// Where one name or value lies, and whether it holds anything to decode.
#[derive(Clone)]
struct Field {
    range: Range<usize>,
    plain: bool,
}

impl<'a> Form<'a> {
    fn decode(self, field: Field) -> Cow<'a, str> {
        let input = &self.bytes[field.range.clone()];
        if field.plain {
            return match self.text {
                Some(text) => Cow::Borrowed(&text[field.range]),
                None => String::from_utf8_lossy(input),
            };
        }
        match decode_vec(input) {
            Ok(text) => Cow::Owned(text),
            Err(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }
}

/// Values up to this length are decoded on the stack by [`Value::decode_into`]; a slash
/// command's longest, its `response_url`, is about 100.
const STACK_VALUE: usize = 256;

/// `input` decoded into a buffer of its own: the text, or the bytes when they are not UTF-8.
fn decode_vec(input: &[u8]) -> Result<String, Vec<u8>> {
    // Decoding never lengthens: one allocation, no growth.
    let mut out = vec![0; input.len()];
    let len = decode_bytes(input, &mut out);
    out.truncate(len);
    String::from_utf8(out).map_err(|error| error.into_bytes())
}

/// Decodes `input` into `out` (at least as long) with `+` as a space and `%XX` escapes
/// decoded, and says how many bytes it wrote.
fn decode_bytes(input: &[u8], out: &mut [u8]) -> usize {
    let (mut at, mut len) = (0, 0);
    while let (Some(&byte), Some(slot)) = (input.get(at), out.get_mut(len)) {
        at += 1;
        len += 1;
        *slot = match byte {
            b'+' => b' ',
            b'%' => match (input.get(at).and_then(hex), input.get(at + 1).and_then(hex)) {
                (Some(high), Some(low)) => {
                    at += 2;
                    high << 4 | low
                }
                // Not an escape: the `%` stands for itself.
                _ => b'%',
            },
            other => other,
        };
    }
    len
}

/// Appends decoded bytes as text, invalid UTF-8 replaced (checked first: it seldom is).
fn push_decoded(bytes: &[u8], out: &mut String) {
    match std::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
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
        let decoded: Vec<_> = pairs(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let appended: Vec<_> = fields(body)
            .map(|(k, v)| {
                let mut out = String::from("kept");
                v.decode_into(&mut out);
                (k.into_owned(), out.split_off(4))
            })
            .collect();
        assert_eq!(decoded, appended, "decode and decode_into disagree");
        decoded
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
            let len = (state % 40) as usize;
            let body: Vec<u8> = (0..len)
                .map(|i| ALPHABET[((state >> (i % 8 * 8)) as usize + i * 7) % ALPHABET.len()])
                .collect();
            assert_eq!(ours(&body), reference(&body), "{body:?}");
        }
    }

    #[test]
    fn long_escaped_values_match_form_urlencoded() {
        // Values on both sides of the stack buffer's size, through valid and broken characters
        // of every width.
        const BYTES: &[u8] = &[0xE3, 0x81, 0x82, 0xF0, 0x9F, 0x98, 0x80, 0xC3, 0xA9, 0xFF, 0x41];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for round in 0..4_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = round % (STACK_VALUE / 2);
            let mut body = b"x=a".to_vec();
            for i in 0..len {
                let byte = BYTES[((state >> (i % 16 * 4)) as usize + i) % BYTES.len()];
                body.extend_from_slice(format!("%{byte:02X}").as_bytes());
            }
            body.extend_from_slice("+é%".as_bytes());
            assert_eq!(ours(&body), reference(&body), "{body:?}");
        }
        let japanese = "こんにちは、世界".repeat(20);
        let escaped: String = form_urlencoded::byte_serialize(japanese.as_bytes()).collect();
        assert_eq!(ours(format!("text={escaped}").as_bytes()), [("text".into(), japanese)]);
    }
}
