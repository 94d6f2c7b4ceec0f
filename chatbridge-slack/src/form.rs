//! `application/x-www-form-urlencoded` bodies, decoded exactly as [`form_urlencoded::parse`]
//! decodes them, but in one pass: the body is checked as UTF-8 once, one scan finds the fields
//! and which of them hold escapes, a field without `%` or `+` is borrowed as it is, and a value
//! is decoded only when it is asked for. Slash commands are forms, and decoding
//! them was the larger part of answering one (more than checking its signature).
//!
//! Measured on the 509-byte slash command of the benchmarks: the scan takes 64 bytes at a time
//! as a bit mask (see `Specials`), which beat a loop testing every byte; that loop had beaten a
//! word-at-a-time scan and `memchr`, whose calls cost more than they save on fields this short.

use std::borrow::Cow;
use std::ops::{ControlFlow, Range};

/// The name/value pairs of a form, as `form_urlencoded::parse` yields them: split on `&`
/// (empty pieces skipped), then on the first `=`, `+` as a space, `%XX` escapes decoded,
/// invalid UTF-8 replaced.
#[cfg(test)]
pub(crate) fn pairs(body: &[u8]) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let mut pairs = Vec::new();
    let _: ControlFlow<()> = for_each_field(body, |name, value| {
        pairs.push((name, value.decode()));
        ControlFlow::Continue(())
    });
    pairs
}

/// Calls `visit` with the fields of a form, in order, each name decoded and each value
/// decoded only when asked, until it breaks.
///
/// A visitor rather than an iterator: an iterator's item, a name and a value, went back to the
/// caller through memory, and reading it back stalled the scan (a quarter of its time).
pub(crate) fn for_each_field<'a, B>(
    body: &'a [u8],
    mut visit: impl FnMut(Cow<'a, str>, Value<'a>) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let form = Form { bytes: body, text: std::str::from_utf8(body).ok() };
    let mut specials = Specials::new(body);
    let mut start = 0;
    while start < body.len() {
        let mut equals = None;
        let (mut name_plain, mut value_plain) = (true, true);
        let mut end = body.len();
        for at in specials.by_ref() {
            match body.get(at) {
                Some(b'&') => {
                    end = at;
                    break;
                }
                Some(b'=') if equals.is_none() => equals = Some(at),
                Some(b'=') => {}
                _ if equals.is_none() => name_plain = false,
                _ => value_plain = false,
            }
        }
        let piece = start..end;
        start = end + 1;
        if piece.is_empty() {
            continue;
        }
        let (name, value) = match equals {
            Some(eq) => (piece.start..eq, eq + 1..piece.end),
            None => (piece.clone(), piece.end..piece.end),
        };
        let value = Value { form, field: Field { range: value, plain: value_plain } };
        if let ControlFlow::Break(done) =
            visit(form.decode(Field { range: name, plain: name_plain }), value)
        {
            return ControlFlow::Break(done);
        }
    }
    ControlFlow::Continue(())
}

/// Where a body's `&`, `=`, `%` and `+` are, in order, found 64 bytes at a time.
///
/// Each block of 64 bytes becomes one bit mask of its special bytes with no branch per byte
/// (the compiler turns [`block_mask`] into vector compares), and the scan then visits only the
/// set bits: a slash command has about 50 special bytes in 500. A loop that tested every byte
/// spent as long on the scan as the signature check spent on the whole body.
struct Specials<'a> {
    body: &'a [u8],
    /// Where the current block starts.
    block: usize,
    /// The current block's special bytes not yet visited, bit `i` for `body[block + i]`.
    mask: u64,
}

impl<'a> Specials<'a> {
    fn new(body: &'a [u8]) -> Self {
        Self { body, block: 0, mask: block_mask(body) }
    }
}

impl Iterator for Specials<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.block += BLOCK;
            let rest = self.body.get(self.block..).filter(|rest| !rest.is_empty())?;
            self.mask = block_mask(rest);
        }
        let at = self.block + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

const BLOCK: usize = 64;

/// Bit `i` set where `bytes[i]` is `&`, `=`, `%` or `+`, for the first [`BLOCK`] bytes
/// (fewer at the end of a body: the rest count as plain).
fn block_mask(bytes: &[u8]) -> u64 {
    let mut padded = [0u8; BLOCK];
    let block = match bytes.first_chunk::<BLOCK>() {
        Some(block) => block,
        None => {
            padded[..bytes.len()].copy_from_slice(bytes);
            &padded
        }
    };
    // One flag byte per input byte (0x80 or 0), then each 8 flags gathered into one mask
    // byte by a multiply: written so, the flags are computed 16 at a time.
    let mut flags = [0u8; BLOCK];
    for (flag, &byte) in flags.iter_mut().zip(block) {
        *flag = if matches!(byte, b'&' | b'=' | b'%' | b'+') { 0x80 } else { 0 };
    }
    flags.chunks_exact(8).rev().fold(0, |mask, word| {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // The high bit of byte k lands on bit 56 + k.
        mask << 8 | (word & 0x8080_8080_8080_8080).wrapping_mul(0x0002_0408_1020_4081) >> 56
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

    /// The value as it stands in the body, still encoded, when the body is text; and whether
    /// it holds anything to decode (`%` or `+`): [`decode_str`] decodes it later.
    pub(crate) fn encoded(&self) -> Option<(&'a str, bool)> {
        let Field { range, plain } = self.field.clone();
        Some((self.form.text?.get(range)?, !plain))
    }

    /// Whether the value is exactly `text` once decoded.
    pub(crate) fn is(&self, text: &str) -> bool {
        self.form.decode(self.field.clone()) == text
    }
}

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
    /// The field decoded, borrowed when it is plain text: that common case is inlined into the
    /// scan, the copying one is not.
    #[inline]
    fn decode(self, field: Field) -> Cow<'a, str> {
        match self.text {
            Some(text) if field.plain => Cow::Borrowed(&text[field.range]),
            _ => self.decode_copy(field),
        }
    }

    /// [`decode`](Self::decode) of a field with escapes, or of a body that is not UTF-8.
    fn decode_copy(self, field: Field) -> Cow<'a, str> {
        let input = &self.bytes[field.range];
        if field.plain {
            return String::from_utf8_lossy(input);
        }
        match decode_vec(input) {
            Ok(text) => Cow::Owned(text),
            Err(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }
}

/// A value kept encoded (see [`Value::encoded`]), decoded as the form's fields are.
pub(crate) fn decode_str(encoded: &str) -> Cow<'_, str> {
    let form = Form { bytes: encoded.as_bytes(), text: Some(encoded) };
    form.decode(Field { range: 0..encoded.len(), plain: false })
}

/// Values up to this length are decoded on the stack by [`Value::decode_into`]; a slash
/// command's decoded values (its command and text) are seldom longer.
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
        let decoded: Vec<_> =
            pairs(body).into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let mut appended = Vec::new();
        let _: ControlFlow<()> = for_each_field(body, |k, v| {
            let mut out = String::from("kept");
            v.decode_into(&mut out);
            appended.push((k.into_owned(), out.split_off(4)));
            ControlFlow::Continue(())
        });
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
    fn specials_are_every_separator_and_escape_in_order() {
        // Every length around the block size, specials at the block's first and last bytes.
        for len in [0, 1, 2, 63, 64, 65, 127, 128, 129, 200] {
            for phase in 0..4 {
                const ALPHABET: &[u8] = b"&=%+xy\xff\x80a\0";
                let body: Vec<u8> = (0..len)
                    .map(|i| ALPHABET[(i * (phase + 3) + phase) % ALPHABET.len()])
                    .collect();
                let naive: Vec<usize> =
                    (0..len).filter(|&i| matches!(body[i], b'&' | b'=' | b'%' | b'+')).collect();
                assert_eq!(Specials::new(&body).collect::<Vec<_>>(), naive, "{body:?}");
            }
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
            // Up to three blocks of the scanner, so fields cross block ends.
            let len = (state % 200) as usize;
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
