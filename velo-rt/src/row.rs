//! Typed rows: what generated record structs implement so that sources can decode them and
//! sinks can encode them, in every format Velo reads and writes.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::DecodeError;
use crate::format::csv::{FromCsv, ToCsv};

/// A row type a source decodes into (one generated struct per source schema): from CSV fields
/// ([`FromCsv`]) or JSON (serde).
pub trait SourceRow: Sized + Default + DeserializeOwned + FromCsv {
    /// Column names in schema order.
    const COLUMNS: &'static [&'static str];

    /// Checks what serde cannot (JSON): that NOT NULL columns have a value.
    fn validate(&self) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// A row type a statement emits (one generated struct per statement output): to CSV fields
/// ([`ToCsv`], which also names the columns) or JSON (serde).
pub trait SinkRow: Serialize + ToCsv {}

impl<T: Serialize + ToCsv> SinkRow for T {}
