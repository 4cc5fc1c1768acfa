//! How column values are read from text (CSV fields), written as text (CSV sinks) and mapped to
//! JSON. Every SQL type has one Rust type: BOOLEAN `bool`, BIGINT/INT `i64`, DOUBLE `f64`,
//! DECIMAL(p,s) [`Decimal<s>`], STRING `String`, DATE [`Date`], TIMESTAMP [`Timestamp`]; a
//! nullable column is an `Option` of it.

use std::fmt::Write as _;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::decimal::Decimal;
use crate::time::{Date, Timestamp};

/// A value that can be parsed from one text field (CSV, `CAST(string AS …)`).
pub trait FromText: Sized {
    /// Parses the text of a non-empty field.
    fn from_text(text: &str) -> Result<Self, String>;

    /// Parses one non-empty CSV field (the hot path: numbers read the bytes directly).
    #[inline]
    fn from_field(field: Field<'_>) -> Result<Self, String> {
        Self::from_text(field.text()?)
    }

    /// Stores the value of a non-empty CSV field in `slot`, reusing the allocation already
    /// there (text columns keep their buffer from one record to the next).
    #[inline]
    fn decode_into(field: Field<'_>, slot: &mut Option<Self>) -> Result<(), String> {
        *slot = Some(Self::from_field(field)?);
        Ok(())
    }
}

/// The bytes of one CSV field, with their text when the reader has already checked that the
/// whole chunk is UTF-8 (so the check is not repeated per field).
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Field<'a> {
    /// A field of unchecked bytes.
    #[inline]
    pub fn bytes(bytes: &'a [u8]) -> Self {
        Self { bytes, text: None }
    }

    /// A field already known to be text.
    #[inline]
    pub fn text_of(text: &'a str) -> Self {
        Self { bytes: text.as_bytes(), text: Some(text) }
    }

    /// The raw bytes.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The field as text; an error when it is not UTF-8.
    #[inline]
    pub fn text(&self) -> Result<&'a str, String> {
        match self.text {
            Some(t) => Ok(t),
            None => std::str::from_utf8(self.bytes).map_err(|_| "not valid UTF-8".to_string()),
        }
    }
}

/// A value that can be written as one text field (CSV, `CAST(… AS STRING)`).
pub trait ToText {
    /// Appends the canonical text of the value to `buf`.
    fn write_text(&self, buf: &mut String);

    /// The canonical text of the value.
    fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }
}

impl FromText for i64 {
    fn from_text(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| format!("`{text}` is not a BIGINT"))
    }
}

impl FromText for f64 {
    fn from_text(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| format!("`{text}` is not a DOUBLE"))
    }
}

impl FromText for bool {
    fn from_text(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" => Ok(true),
            "false" | "f" | "0" | "no" => Ok(false),
            _ => Err(format!("`{text}` is not a BOOLEAN")),
        }
    }
}

impl FromText for String {
    fn from_text(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }

    #[inline]
    fn decode_into(field: Field<'_>, slot: &mut Option<Self>) -> Result<(), String> {
        let text = field.text()?;
        match slot {
            Some(s) => {
                s.clear();
                s.push_str(text);
            }
            None => *slot = Some(text.to_string()),
        }
        Ok(())
    }
}

impl<const S: u32> FromText for Decimal<S> {
    #[inline]
    fn from_field(field: Field<'_>) -> Result<Self, String> {
        match Decimal::parse_plain(field.as_bytes()) {
            Some(d) => Ok(d),
            None => Self::from_text(field.text()?),
        }
    }

    fn from_text(text: &str) -> Result<Self, String> {
        Decimal::parse_exact(text).map_err(|e| match e {
            crate::EvalError::Overflow => format!("`{text}` does not fit DECIMAL(38, {S})"),
            crate::EvalError::InvalidNumber(why) if why.contains("fraction") => {
                format!("`{text}` has more than {S} fraction digits")
            }
            _ => format!("`{text}` is not a DECIMAL"),
        })
    }
}

impl FromText for Timestamp {
    fn from_text(text: &str) -> Result<Self, String> {
        Timestamp::parse(text).ok_or_else(|| format!("`{text}` is not a TIMESTAMP"))
    }
}

impl FromText for Date {
    fn from_text(text: &str) -> Result<Self, String> {
        Date::parse(text).ok_or_else(|| format!("`{text}` is not a DATE"))
    }
}

macro_rules! to_text_via_display {
    ($($t:ty),*) => {$(
        impl ToText for $t {
            fn write_text(&self, buf: &mut String) {
                let _ = write!(buf, "{self}");
            }
        }
    )*};
}
to_text_via_display!(i64, f64, bool, Timestamp, Date);

impl<const S: u32> ToText for Decimal<S> {
    fn write_text(&self, buf: &mut String) {
        let _ = write!(buf, "{self}");
    }
}

impl ToText for String {
    fn write_text(&self, buf: &mut String) {
        buf.push_str(self);
    }
}

impl<T: ToText> ToText for Option<T> {
    /// NULL is the empty field.
    fn write_text(&self, buf: &mut String) {
        if let Some(v) = self {
            v.write_text(buf);
        }
    }
}

impl<const S: u32> Serialize for Decimal<S> {
    /// JSON: a string with the full scale (`"12.50"`), so no consumer loses precision.
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.collect_str(self)
    }
}

impl<'de, const S: u32> Deserialize<'de> for Decimal<S> {
    /// JSON: a string (`"12.50"`) or a number (`12.50`), both read from their exact digits.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&RawValue>::deserialize(d)?;
        let text = raw.get();
        let digits = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        Decimal::parse_exact(digits).map_err(|_| de::Error::custom(format!("{text} is not a DECIMAL with scale {S}")))
    }
}

/// Serializes a nullable decimal as a JSON number with its exact digits
/// (`'<sink>.decimal.format' = 'number'`).
pub fn decimal_as_number<const S: u32, Z: Serializer>(v: &Option<Decimal<S>>, s: Z) -> Result<Z::Ok, Z::Error> {
    match v {
        None => s.serialize_none(),
        Some(d) => RawValue::from_string(d.to_string()).map_err(serde::ser::Error::custom)?.serialize(s),
    }
}

/// DOUBLE in JSON, which has no NaN or infinity: they are written as the strings `"NaN"`,
/// `"Infinity"` and `"-Infinity"` (as Jackson, so Flink, writes them) and read back from them; a
/// DOUBLE column also reads a number written as a string (`"1.5"`), as DECIMAL columns do.
pub mod json_double {
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::Serializer;

    /// Writes a nullable DOUBLE.
    pub fn serialize<Z: Serializer>(v: &Option<f64>, s: Z) -> Result<Z::Ok, Z::Error> {
        match v {
            None => s.serialize_none(),
            Some(x) if x.is_nan() => s.serialize_str("NaN"),
            Some(x) if x.is_infinite() => s.serialize_str(if *x > 0.0 { "Infinity" } else { "-Infinity" }),
            Some(x) => s.serialize_f64(*x),
        }
    }

    /// Reads a nullable DOUBLE: a number, one of the strings above, or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(DoubleVisitor)
    }

    struct DoubleVisitor;

    impl Visitor<'_> for DoubleVisitor {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            v.trim().parse().map(Some).map_err(|_| E::custom(format!("`{v}` is not a DOUBLE")))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.collect_str(self)
    }
}

impl Serialize for Date {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.collect_str(self)
    }
}

struct TimeVisitor;

impl Visitor<'_> for TimeVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an ISO 8601 timestamp string or epoch milliseconds")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
        Timestamp::from_millis(v).ok_or_else(|| E::custom(format!("{v} ms is outside the calendar of a TIMESTAMP")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        Timestamp::parse(v).ok_or_else(|| E::custom(format!("`{v}` is not a TIMESTAMP")))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimeVisitor)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Date::parse(&text).ok_or_else(|| de::Error::custom(format!("`{text}` is not a DATE")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    struct Row {
        #[serde(default)]
        price: Option<Decimal<2>>,
        #[serde(default)]
        at: Option<Timestamp>,
    }

    #[test]
    fn json_decimals_keep_their_digits() {
        let r: Row = serde_json::from_str(r#"{"price": 0.1, "at": 0}"#).unwrap();
        assert_eq!(r.price, Some(Decimal(10)));
        let r: Row = serde_json::from_str(r#"{"price": "12.340"}"#).unwrap();
        assert_eq!(r.price, Some(Decimal(1234)));
        assert!(serde_json::from_str::<Row>(r#"{"price": "12.345"}"#).is_err());
        assert_eq!(r.at, None);
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"price":"12.34","at":null}"#);
        assert!(serde_json::from_str::<Row>(r#"{"price": "x"}"#).is_err());
    }

    #[test]
    fn json_doubles_write_and_read_nan_and_infinities_as_strings() {
        #[derive(Deserialize, Serialize, Debug, PartialEq)]
        struct Doubles {
            #[serde(default, with = "json_double")]
            x: Option<f64>,
        }
        for (x, json) in [
            (Some(f64::INFINITY), r#"{"x":"Infinity"}"#),
            (Some(f64::NEG_INFINITY), r#"{"x":"-Infinity"}"#),
            (Some(1.5), r#"{"x":1.5}"#),
            (None, r#"{"x":null}"#),
        ] {
            assert_eq!(serde_json::to_string(&Doubles { x }).unwrap(), json);
            assert_eq!(serde_json::from_str::<Doubles>(json).unwrap().x, x, "{json} reads back");
        }
        assert_eq!(serde_json::to_string(&Doubles { x: Some(f64::NAN) }).unwrap(), r#"{"x":"NaN"}"#);
        assert!(serde_json::from_str::<Doubles>(r#"{"x":"NaN"}"#).unwrap().x.is_some_and(f64::is_nan));
        assert_eq!(serde_json::from_str::<Doubles>(r#"{"x":"2"}"#).unwrap().x, Some(2.0));
        assert_eq!(serde_json::from_str::<Doubles>(r#"{"x":3}"#).unwrap().x, Some(3.0));
        assert_eq!(serde_json::from_str::<Doubles>(r#"{}"#).unwrap().x, None);
        assert!(serde_json::from_str::<Doubles>(r#"{"x":"abc"}"#).is_err());
        assert!(serde_json::from_str::<Doubles>(r#"{"x":true}"#).is_err());
    }

    #[test]
    fn json_timestamps_accept_text_and_millis() {
        let r: Row = serde_json::from_str(r#"{"at": "2024-01-01T10:00:00"}"#).unwrap();
        assert_eq!(r.at, Some(Timestamp(1_704_103_200_000)));
        let r: Row = serde_json::from_str(r#"{"at": 1704103200000}"#).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"price":null,"at":"2024-01-01T10:00:00"}"#);
        assert!(serde_json::from_str::<Row>(r#"{"at": 9223372036854775807}"#).is_err(), "outside the calendar");
        assert!(serde_json::from_str::<Row>(r#"{"at": 18446744073709551615}"#).is_err());
        // Years past 9999 are written with a sign and read back.
        let r: Row = serde_json::from_str(r#"{"at": 400000000000000}"#).unwrap();
        let text = serde_json::to_string(&r).unwrap();
        assert!(text.contains("+14645-06-30T15:06:40"), "{text}");
        assert_eq!(serde_json::from_str::<Row>(&text).unwrap(), r);
        assert_eq!(Timestamp::from_text("+14645-06-30T15:06:40").unwrap(), r.at.unwrap());
    }

    #[test]
    fn text_round_trips() {
        assert_eq!(Decimal::<2>::from_text("-0.5").unwrap().to_text(), "-0.50");
        assert_eq!(Some(0.1f64 + 0.2).to_text(), "0.30000000000000004");
        assert_eq!(None::<i64>.to_text(), "");
        assert_eq!(f64::from_text("1e3").unwrap().to_text(), "1000");
        assert!(i64::from_text("12.5").is_err());
        assert!(bool::from_text("maybe").is_err());
    }
}
