//! Typed rows: what generated record structs implement so that sources can decode them and
//! sinks can encode them, in every format Velo reads and writes.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::decimal::Decimal;
use crate::error::DecodeError;
use crate::format::csv::{FromCsv, ToCsv};

/// A row type a source decodes into (one generated struct per source schema): from CSV fields
/// ([`FromCsv`]) or JSON (serde).
pub trait SourceRow: Sized + Default + DeserializeOwned + FromCsv {
    /// Column names in schema order.
    const COLUMNS: &'static [&'static str];

    /// Checks what the decoders leave to the schema, after every format's decode: that NOT NULL
    /// columns have a value and that DECIMAL values fit their declared precision.
    fn validate(&self) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// Checks that a decoded value of a `DECIMAL(P, S)` column has at most `P` digits, so at most
/// `P − S` before the point (the scale is already exact). The bound is a constant: one compare
/// per value on the hot path.
#[inline]
pub fn check_digits<const S: u32, const P: u32>(value: &Option<Decimal<S>>, column: &str) -> Result<(), DecodeError> {
    match value {
        Some(d) if d.0.unsigned_abs() >= const { crate::decimal::pow10(P) as u128 } => Err(DecodeError::column(
            column,
            format_args!(
                "{d} has more than {} digits before the decimal point (DECIMAL({P}, {S}))",
                P.saturating_sub(S)
            ),
        )),
        _ => Ok(()),
    }
}

/// A row type a statement emits (one generated struct per statement output): to CSV fields
/// ([`ToCsv`], which also names the columns) or JSON (serde).
pub trait SinkRow: Serialize + ToCsv {}

impl<T: Serialize + ToCsv> SinkRow for T {}
