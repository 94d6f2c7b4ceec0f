//! Field readers that never fail an interaction: a field of the wrong shape reads as absent, so
//! that one odd field cannot turn a signed interaction into a 400.

use std::fmt;

use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Reads a snowflake or other text: a string as it is, a number written out; anything else
/// (null, a boolean, an object, an array) as `None`.
pub(crate) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(TextVisitor)
}

/// Like [`text`], with an empty string for `None`.
pub(crate) fn text_or_empty<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    text(deserializer).map(Option::unwrap_or_default)
}

/// Reads `T`, or `None` when the value does not have `T`'s shape.
pub(crate) fn or_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    // Buffered as raw JSON first, so that a failure inside `T` leaves the outer parse intact.
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    Ok(serde_json::from_str(raw.get()).ok())
}

/// Reads `T`, or `T::default()` when the value does not have `T`'s shape.
pub(crate) fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    or_none(deserializer).map(Option::unwrap_or_default)
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Default, Debug, PartialEq)]
    struct Probe {
        #[serde(default, deserialize_with = "super::text")]
        id: Option<String>,
        #[serde(default, deserialize_with = "super::or_none")]
        count: Option<u8>,
    }

    #[test]
    fn odd_shapes_read_as_absent_and_the_rest_still_parses() {
        let read = |json: &str| serde_json::from_str::<Probe>(json).unwrap();
        assert_eq!(read(r#"{"id":"7","count":3}"#), Probe { id: Some("7".into()), count: Some(3) });
        assert_eq!(read(r#"{"id":7,"count":"3"}"#), Probe { id: Some("7".into()), count: None });
        assert_eq!(read(r#"{"id":{"a":[1]},"count":300}"#), Probe::default());
        assert_eq!(read(r#"{"id":null,"count":null}"#), Probe::default());
        assert_eq!(read("{}"), Probe::default());
        // Broken JSON is still an error: leniency is about shapes, not syntax.
        assert!(serde_json::from_str::<Probe>(r#"{"id":[1,}"#).is_err());
    }
}
