//! Typed rows: what generated record structs implement so that sources can decode them and
//! sinks can encode them.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::DecodeError;
use crate::value::{FromText, ToText};

/// A row type a source decodes into (one generated struct per source schema).
pub trait SourceRow: Sized + DeserializeOwned {
    /// Column names in schema order.
    const COLUMNS: &'static [&'static str];

    /// Decodes one CSV record.
    fn decode_csv(fields: &CsvFields<'_>) -> Result<Self, DecodeError>;

    /// Checks what serde cannot (JSON): that NOT NULL columns have a value.
    fn validate(&self) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// A row type a statement emits (one generated struct per statement output).
pub trait SinkRow: Serialize {
    /// Column names in select-list order (the CSV header).
    const COLUMNS: &'static [&'static str];

    /// Writes each column, in order, to `out`.
    fn encode_csv(&self, out: &mut CsvOut);
}

/// One CSV record seen through the source schema.
pub struct CsvFields<'a> {
    record: &'a csv::ByteRecord,
    /// For each schema column, its position in the record.
    positions: &'a [usize],
    columns: &'static [&'static str],
    /// The record's raw bytes (to tell `""` from an empty field).
    raw: &'a [u8],
    delimiter: u8,
}

impl<'a> CsvFields<'a> {
    /// Wraps a record; `positions[i]` is where schema column `i` sits in the record.
    pub fn new(
        record: &'a csv::ByteRecord,
        positions: &'a [usize],
        columns: &'static [&'static str],
        raw: &'a [u8],
        delimiter: u8,
    ) -> Self {
        Self { record, positions, columns, raw, delimiter }
    }

    /// Schema column `i`, parsed; an empty field is NULL (but `""` is the empty string).
    #[inline]
    pub fn get<T: FromText>(&self, i: usize) -> Result<Option<T>, DecodeError> {
        let name = self.columns[i];
        let pos = self.positions[i];
        let bytes = self.record.get(pos).ok_or_else(|| DecodeError::column(name, "missing field"))?;
        if bytes.is_empty() {
            if self.quoted_empty(pos) {
                return T::from_text("").map(Some).map_err(|e| DecodeError::column(name, e));
            }
            return Ok(None);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::column(name, "not valid UTF-8"))?;
        T::from_text(text).map(Some).map_err(|e| DecodeError::column(name, e))
    }

    /// Schema column `i` of a `NOT NULL` column: an empty field is an error.
    #[inline]
    pub fn get_not_null<T: FromText>(&self, i: usize) -> Result<Option<T>, DecodeError> {
        match self.get(i)? {
            None => Err(DecodeError::column(self.columns[i], "NULL in a NOT NULL column")),
            v => Ok(v),
        }
    }

    /// Whether field `pos` of the raw record is written as `""` (rare, so scanned on demand).
    fn quoted_empty(&self, pos: usize) -> bool {
        if !self.raw.contains(&b'"') {
            return false;
        }
        let mut field = 0;
        let mut start = true;
        let mut in_quotes = false;
        let mut i = 0;
        while i < self.raw.len() {
            let b = self.raw[i];
            if in_quotes {
                if b == b'"' {
                    if self.raw.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else {
                        in_quotes = false;
                    }
                }
            } else if b == b'"' && start {
                if field == pos && self.raw.get(i + 1) == Some(&b'"') {
                    return true;
                }
                in_quotes = true;
            } else if b == self.delimiter {
                field += 1;
                start = true;
                i += 1;
                continue;
            }
            start = false;
            i += 1;
        }
        false
    }
}

/// Encodes one output row as CSV fields.
pub struct CsvOut {
    buf: String,
    record: csv::ByteRecord,
}

impl Default for CsvOut {
    fn default() -> Self {
        Self { buf: String::new(), record: csv::ByteRecord::new() }
    }
}

impl CsvOut {
    /// Appends one column value (NULL is the empty field).
    #[inline]
    pub fn field<T: ToText>(&mut self, v: &T) {
        self.buf.clear();
        v.write_text(&mut self.buf);
        self.record.push_field(self.buf.as_bytes());
    }

    /// Takes the finished record, leaving the encoder empty.
    pub fn record(&mut self) -> &csv::ByteRecord {
        &self.record
    }

    /// Clears the current record.
    pub fn clear(&mut self) {
        self.record.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_field_is_null_but_quoted_empty_is_text() {
        let raw = b"1,,\"\",x";
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(&raw[..]);
        let rec = rdr.byte_records().next().unwrap().unwrap();
        const COLS: &[&str] = &["a", "b", "c", "d"];
        let f = CsvFields::new(&rec, &[0, 1, 2, 3], COLS, raw, b',');
        assert_eq!(f.get::<i64>(0).unwrap(), Some(1));
        assert_eq!(f.get::<String>(1).unwrap(), None);
        assert_eq!(f.get::<String>(2).unwrap(), Some(String::new()));
        assert!(f.get::<i64>(3).unwrap_err().message.contains("column `d`"));
        let short = CsvFields::new(&rec, &[0, 1, 2, 7], COLS, raw, b',');
        assert!(short.get::<String>(3).unwrap_err().message.contains("missing"));
    }
}
