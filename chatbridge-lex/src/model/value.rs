//! Tolerant values: Lex sends slot values and attributes as strings, but AWS's own sample
//! generators (and some channels) send numbers and booleans too. Everything here accepts a
//! string, a number or a boolean and always exposes (and writes back) a string.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Session or request attributes: names to string values, in a stable order.
pub type Attributes = BTreeMap<String, String>;

/// V1 slot values: a slot Lex has not filled yet is `None` (JSON `null`).
pub type Slots = BTreeMap<String, Option<String>>;

/// Fields a model does not know, as Lex sent them (the `extra` of events and their parts).
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// A string that also accepts a JSON number or boolean (and writes a string back).
///
/// ```
/// use chatbridge_lex::LexString;
///
/// let n: LexString = serde_json::from_str("42").unwrap();
/// let b: LexString = serde_json::from_str("true").unwrap();
/// let s: LexString = serde_json::from_str(r#""large""#).unwrap();
/// assert_eq!((n.as_str(), b.as_str(), s.as_str()), ("42", "true", "large"));
/// assert_eq!(serde_json::to_string(&n).unwrap(), r#""42""#);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct LexString(pub String);

impl LexString {
    /// The value as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as an owned `String`.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for LexString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for LexString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor).map(Self)
    }
}

/// Accepts a string, a number or a boolean as a `String`.
struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a boolean")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// A scalar that may also be `null`.
struct OptionalScalarVisitor;

impl<'de> Visitor<'de> for OptionalScalarVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number, a boolean or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(Self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        ScalarVisitor.visit_bool(v).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_i64(v).map(Some)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_u64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_f64(v).map(Some)
    }
}

/// Reads `null` as the type's default (an empty list or map), for fields Lex sometimes sends
/// as `null`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// `Option<String>` fields that accept scalars (serde `with` module).
pub(crate) mod opt_string {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_option(OptionalScalarVisitor)
    }

    pub(crate) fn serialize<S: serde::Serializer>(
        value: &Option<String>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}

/// `String` fields that accept scalars, `null` reading as empty.
pub(crate) mod string {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_option(OptionalScalarVisitor).map(Option::unwrap_or_default)
    }

    pub(crate) fn serialize<S: serde::Serializer>(value: &str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value)
    }
}

/// Attribute maps: `null` reads as empty, values may be scalars; a `null` value is dropped
/// (responses never carry `null` attributes), and a nested object or array is kept as its JSON
/// text rather than failing the whole request.
pub(crate) mod attributes {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Attributes, D::Error> {
        d.deserialize_option(MapVisitor { keep_null: false })
            .map(|m| m.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect::<Attributes>())
    }

    pub(crate) fn serialize<S: serde::Serializer>(
        value: &Attributes,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}

/// V1 slot maps: `null` reads as empty, values may be scalars or `null` (an empty slot).
pub(crate) mod slots {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Slots, D::Error> {
        d.deserialize_option(MapVisitor { keep_null: true })
    }

    pub(crate) fn serialize<S: serde::Serializer>(value: &Slots, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}

/// A map of tolerant values; `null` for the whole map reads as empty.
struct MapVisitor {
    keep_null: bool,
}

impl<'de> Visitor<'de> for MapVisitor {
    type Value = BTreeMap<String, Option<String>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of strings, numbers or booleans, or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
            let value = match value {
                serde_json::Value::Null if self.keep_null => None,
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                nested => Some(nested.to_string()),
            };
            out.insert(key, value);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize, PartialEq, Debug)]
    struct Holder {
        #[serde(default, with = "attributes")]
        attrs: Attributes,
        #[serde(default, with = "slots")]
        slots: Slots,
        #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
        maybe: Option<String>,
    }

    #[test]
    fn scalars_become_strings() {
        let h: Holder = serde_json::from_str(
            r#"{"attrs":{"a":1,"b":true,"c":"x","d":null,"e":1.5,"f":{"g":1}},
                "slots":{"n":7,"e":null},"maybe":false}"#,
        )
        .unwrap();
        assert_eq!(h.attrs["a"], "1");
        assert_eq!(h.attrs["b"], "true");
        assert_eq!(h.attrs["e"], "1.5");
        assert_eq!(h.attrs["f"], r#"{"g":1}"#);
        assert!(!h.attrs.contains_key("d"));
        assert_eq!(h.slots["n"].as_deref(), Some("7"));
        assert_eq!(h.slots["e"], None);
        assert_eq!(h.maybe.as_deref(), Some("false"));
        let out = serde_json::to_value(&h).unwrap();
        assert_eq!(out["attrs"]["a"], "1");
        assert_eq!(out["slots"]["e"], serde_json::Value::Null);
    }

    #[test]
    fn null_maps_read_as_empty() {
        let h: Holder =
            serde_json::from_str(r#"{"attrs":null,"slots":null,"maybe":null}"#).unwrap();
        assert!(h.attrs.is_empty() && h.slots.is_empty() && h.maybe.is_none());
    }
}
