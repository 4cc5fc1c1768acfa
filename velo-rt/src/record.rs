//! Typed rows: what generated record structs implement so that sources can decode them and
//! sinks can encode them.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::DecodeError;
use crate::value::{Field, FromText, ToText};

/// A row type a source decodes into (one generated struct per source schema).
pub trait SourceRow: Sized + Default + DeserializeOwned {
    /// Column names in schema order.
    const COLUMNS: &'static [&'static str];

    /// Decodes one CSV record into `self`, overwriting every column (a reader keeps one row and
    /// decodes each record into it, so text columns reuse their buffers).
    fn decode_csv(&mut self, fields: &CsvFields<'_>) -> Result<(), DecodeError>;

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

/// One CSV record seen through the source schema: field `j` of the record is
/// `data[bounds[j].0..bounds[j].1]`.
pub struct CsvFields<'a> {
    data: &'a [u8],
    /// `data` as text, when the reader has checked it is UTF-8.
    text: Option<&'a str>,
    bounds: &'a [(usize, usize)],
    /// For each schema column, its position in the record.
    positions: &'a [usize],
    columns: &'static [&'static str],
    /// The record's raw bytes (to tell `""` from an empty field).
    raw: &'a [u8],
    delimiter: u8,
}

impl<'a> CsvFields<'a> {
    /// Wraps a record; `positions[i]` is where schema column `i` sits in the record.
    #[inline]
    pub fn new(
        data: &'a [u8],
        bounds: &'a [(usize, usize)],
        positions: &'a [usize],
        columns: &'static [&'static str],
        raw: &'a [u8],
        delimiter: u8,
    ) -> Self {
        Self { data, text: None, bounds, positions, columns, raw, delimiter }
    }

    /// The same record whose bytes are known to be the UTF-8 `text`.
    #[inline]
    pub fn with_text(mut self, text: &'a str) -> Self {
        debug_assert_eq!(text.as_bytes(), self.data);
        self.text = Some(text);
        self
    }

    /// Number of fields in the record.
    #[inline]
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Decodes schema column `i` into `slot`; an empty field is NULL (but `""` is the empty
    /// string).
    #[inline]
    pub fn read<T: FromText>(&self, i: usize, slot: &mut Option<T>) -> Result<(), DecodeError> {
        let pos = self.positions[i];
        let Some(&(from, to)) = self.bounds.get(pos) else {
            return Err(DecodeError::column(self.columns[i], "missing field"));
        };
        if from == to {
            if self.quoted_empty(pos) {
                return T::decode_into(Field::text_of(""), slot).map_err(|e| DecodeError::column(self.columns[i], e));
            }
            *slot = None;
            return Ok(());
        }
        // Fields end at ASCII delimiters, so slicing checked text stays on character boundaries.
        let field = match self.text.and_then(|t| t.get(from..to)) {
            Some(text) => Field::text_of(text),
            None => Field::bytes(&self.data[from..to]),
        };
        T::decode_into(field, slot).map_err(|e| DecodeError::column(self.columns[i], e))
    }

    /// Decodes schema column `i` of a `NOT NULL` column: an empty field is an error.
    #[inline]
    pub fn read_not_null<T: FromText>(&self, i: usize, slot: &mut Option<T>) -> Result<(), DecodeError> {
        self.read(i, slot)?;
        match slot {
            None => Err(DecodeError::column(self.columns[i], "NULL in a NOT NULL column")),
            Some(_) => Ok(()),
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
        let bounds: Vec<(usize, usize)> =
            (0..rec.len()).filter_map(|j| rec.range(j)).map(|r| (r.start, r.end)).collect();
        const COLS: &[&str] = &["a", "b", "c", "d"];
        let f = CsvFields::new(rec.as_slice(), &bounds, &[0, 1, 2, 3], COLS, raw, b',');
        let (mut int, mut text) = (None::<i64>, Some("old".to_string()));
        f.read(0, &mut int).unwrap();
        assert_eq!(int, Some(1));
        f.read(1, &mut text).unwrap();
        assert_eq!(text, None);
        f.read(2, &mut text).unwrap();
        assert_eq!(text.as_deref(), Some(""));
        assert!(f.read(3, &mut int).unwrap_err().message.contains("column `d`"));
        assert!(f.read_not_null(1, &mut text).unwrap_err().message.contains("NOT NULL"));
        let short = CsvFields::new(rec.as_slice(), &bounds, &[0, 1, 2, 7], COLS, raw, b',');
        assert!(short.read(3, &mut text).unwrap_err().message.contains("missing"));
    }

    #[test]
    fn text_columns_reuse_their_buffer() {
        let bounds = [(0, 5)];
        let f = CsvFields::new(b"hello", &bounds, &[0], &["a"], b"hello", b',').with_text("hello");
        let mut slot = Some(String::with_capacity(64));
        let before = slot.as_ref().map(|s| s.as_ptr());
        f.read(0, &mut slot).unwrap();
        assert_eq!(slot.as_deref(), Some("hello"));
        assert_eq!(slot.as_ref().map(|s| s.as_ptr()), before, "no new allocation");
    }
}
