//! CSV records (RFC 4180): [`CsvFields`], one record split into fields and read through the
//! source schema; the [`FromCsv`]/[`ToCsv`] traits generated rows implement; [`CsvDecoder`] and
//! [`CsvEncoder`], the per-record codecs; and [`CsvOut`], which writes fields with the quoting
//! the `csv` crate uses (quotes only where needed, `""` for a lone empty field).

use super::{RecordDecoder, RecordEncoder};
use crate::error::{DecodeError, FatalError};
use crate::value::{Field, FromText, ToText};

/// A row type that decodes from CSV fields (generated for every source).
pub trait FromCsv {
    /// Decodes one CSV record into `self`, overwriting every column (a reader keeps one row and
    /// decodes each record into it, so text columns reuse their buffers).
    fn decode_csv(&mut self, fields: &CsvFields<'_>) -> Result<(), DecodeError>;
}

/// A row type that encodes as CSV fields (generated for every statement).
pub trait ToCsv {
    /// Column names in select-list order (the header).
    const COLUMNS: &'static [&'static str];
    /// Writes each column, in order, to `out`.
    fn encode_csv(&self, out: &mut CsvOut<'_>);
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

/// Writes the fields of one CSV record into a byte buffer.
pub struct CsvOut<'a> {
    out: &'a mut Vec<u8>,
    core: &'a csv_core::Writer,
    text: &'a mut String,
    fields: usize,
    start: usize,
}

impl CsvOut<'_> {
    /// Appends one column value (NULL is the empty field).
    #[inline]
    pub fn field<T: ToText>(&mut self, v: &T) {
        self.text.clear();
        v.write_text(self.text);
        let text = std::mem::take(self.text);
        self.raw(text.as_bytes());
        *self.text = text;
    }

    /// Appends one field of bytes, quoted where needed.
    fn raw(&mut self, field: &[u8]) {
        if self.fields > 0 {
            self.out.push(self.core.get_delimiter());
        }
        self.fields += 1;
        if !self.core.should_quote(field) {
            self.out.extend_from_slice(field);
            return;
        }
        let quote = self.core.get_quote();
        self.out.push(quote);
        let at = self.out.len();
        self.out.resize(at + 2 * field.len(), 0);
        let (_, _, n) = csv_core::quote(field, &mut self.out[at..], quote, self.core.get_escape(), true);
        self.out.truncate(at + n);
        self.out.push(quote);
    }

    /// Ends the record: a record of one empty field is written `""` (else it would read back as
    /// a blank line), then the terminator.
    fn end(self) {
        if self.fields == 1 && self.out.len() == self.start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.push(b'\n');
    }
}

/// The CSV codec of one object: delimiter and quoting.
#[derive(Debug, Clone)]
pub struct Csv {
    core: csv_core::Writer,
    text: String,
}

impl Csv {
    /// CSV with `delimiter`.
    pub fn new(delimiter: u8) -> Self {
        Self { core: csv_core::WriterBuilder::new().delimiter(delimiter).build(), text: String::new() }
    }

    /// The delimiter.
    pub fn delimiter(&self) -> u8 {
        self.core.get_delimiter()
    }

    /// Appends one record, its fields written by `fields`.
    pub fn record(&mut self, out: &mut Vec<u8>, fields: impl FnOnce(&mut CsvOut<'_>)) {
        let start = out.len();
        let mut w = CsvOut { out, core: &self.core, text: &mut self.text, fields: 0, start };
        fields(&mut w);
        w.end();
    }

    /// Appends a header record of `names`.
    pub fn header(&mut self, out: &mut Vec<u8>, names: &[&str]) {
        self.record(out, |w| names.iter().for_each(|n| w.raw(n.as_bytes())));
    }
}

/// Encodes rows as CSV records.
#[derive(Debug, Clone)]
pub struct CsvEncoder(pub Csv);

impl<R: ToCsv> RecordEncoder<R> for CsvEncoder {
    #[inline]
    fn encode(&mut self, row: &R, out: &mut Vec<u8>) -> Result<(), FatalError> {
        self.0.record(out, |w| row.encode_csv(w));
        Ok(())
    }
}

/// Where each schema column sits in a record, and how many fields a record has.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    /// For each schema column, its position in the record.
    pub positions: Vec<usize>,
    /// Fields per record.
    pub width: usize,
}

impl CsvLayout {
    /// Columns in schema order (no header, or a header equal to the schema).
    pub fn positional(columns: &[&str]) -> Self {
        Self { positions: (0..columns.len()).collect(), width: columns.len() }
    }

    /// Columns found by name in `header` (surrounding spaces and a byte-order mark ignored); an
    /// error names the first missing column.
    pub fn from_header(columns: &[&str], header: &[String]) -> Result<Self, String> {
        let positions = columns
            .iter()
            .map(|col| {
                header
                    .iter()
                    .position(|h| h == col)
                    .ok_or_else(|| format!("no column `{col}` (header: {})", header.join(",")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { positions, width: header.len() })
    }

    /// Decodes one split record into `row`: a record of the wrong width is an error.
    #[inline]
    pub fn decode<R: FromCsv>(&self, fields: &CsvFields<'_>, row: &mut R) -> Result<(), DecodeError> {
        if fields.len() != self.width {
            return Err(DecodeError::new(format!("expected {} fields, found {}", self.width, fields.len())));
        }
        row.decode_csv(fields)
    }
}

/// Decodes one CSV record (a message, a line) into a row.
#[derive(Debug, Clone)]
pub struct CsvDecoder {
    layout: CsvLayout,
    columns: &'static [&'static str],
    delimiter: u8,
    reader: csv_core::Reader,
    buf: Vec<u8>,
    ends: Vec<usize>,
    bounds: Vec<(usize, usize)>,
}

impl CsvDecoder {
    /// A decoder for records laid out as `layout`.
    pub fn new(layout: CsvLayout, columns: &'static [&'static str], delimiter: u8) -> Self {
        let reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        Self { layout, columns, delimiter, reader, buf: Vec::new(), ends: Vec::new(), bounds: Vec::new() }
    }
}

impl<R: FromCsv> RecordDecoder<R> for CsvDecoder {
    fn decode(&mut self, bytes: &[u8], row: &mut R) -> Result<(), DecodeError> {
        self.reader.reset();
        self.buf.resize(bytes.len().max(1), 0);
        self.ends.resize(bytes.len() + 1, 0);
        let (res, _, nout, nend) = self.reader.read_record(bytes, &mut self.buf, &mut self.ends);
        let (res, nout, nend) = match res {
            // Without a terminator the record ends at the end of the input.
            csv_core::ReadRecordResult::InputEmpty => {
                let (res, _, o, e) = self.reader.read_record(&[], &mut self.buf[nout..], &mut self.ends[nend..]);
                (res, nout + o, nend + e)
            }
            other => (other, nout, nend),
        };
        if !matches!(res, csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End) {
            return Err(DecodeError::new("not one CSV record"));
        }
        self.bounds.clear();
        let mut from = 0;
        for &end in &self.ends[..nend] {
            self.bounds.push((from, end));
            from = end;
        }
        let text = std::str::from_utf8(&self.buf[..nout]).ok();
        let fields = CsvFields::new(
            &self.buf[..nout],
            &self.bounds,
            &self.layout.positions,
            self.columns,
            bytes,
            self.delimiter,
        );
        let fields = match text {
            Some(t) => fields.with_text(t),
            None => fields,
        };
        self.layout.decode(&fields, row)
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

    /// A two-column row, as the compiler would generate it.
    #[derive(Debug, Default, PartialEq)]
    struct Pair {
        name: Option<String>,
        n: Option<i64>,
    }

    impl FromCsv for Pair {
        fn decode_csv(&mut self, f: &CsvFields<'_>) -> Result<(), DecodeError> {
            f.read(0, &mut self.name)?;
            f.read(1, &mut self.n)
        }
    }

    impl ToCsv for Pair {
        const COLUMNS: &'static [&'static str] = &["name", "n"];
        fn encode_csv(&self, out: &mut CsvOut<'_>) {
            out.field(&self.name);
            out.field(&self.n);
        }
    }

    #[test]
    fn records_round_trip_with_the_csv_crates_quoting() {
        let rows = [
            Pair { name: Some("plain".into()), n: Some(1) },
            Pair { name: Some("a;b \"q\"\nline".into()), n: None },
            Pair { name: Some(String::new()), n: Some(-3) },
            Pair { name: None, n: None },
        ];
        let mut encoder = CsvEncoder(Csv::new(b';'));
        let mut ours = Vec::new();
        encoder.0.header(&mut ours, Pair::COLUMNS);
        let mut theirs = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
        theirs.write_record(Pair::COLUMNS).unwrap();
        for r in &rows {
            encoder.encode(r, &mut ours).unwrap();
            theirs.write_record([r.name.to_text(), r.n.to_text()]).unwrap();
        }
        assert_eq!(String::from_utf8(ours.clone()).unwrap(), String::from_utf8(theirs.into_inner().unwrap()).unwrap());
        let mut decoder = CsvDecoder::new(CsvLayout::positional(Pair::COLUMNS), Pair::COLUMNS, b';');
        let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(&ours[..]);
        for (r, rec) in rows.iter().zip(reader.byte_records()) {
            let rec = rec.unwrap();
            let bytes = &ours[rec.position().unwrap().byte() as usize..][..];
            let end = reader_end(bytes);
            let mut back = Pair::default();
            decoder.decode(&bytes[..end], &mut back).unwrap();
            // An empty text writes an empty field, which reads back as NULL.
            let expected = Pair { name: r.name.clone().filter(|n| !n.is_empty()), n: r.n };
            assert_eq!(back, expected);
        }
        let mut back = Pair::default();
        assert!(decoder.decode(b"x;1;2", &mut back).unwrap_err().message.contains("expected 2 fields"));
    }

    /// The length of the first CSV record of `bytes` (quoted newlines included).
    fn reader_end(bytes: &[u8]) -> usize {
        let mut r = csv::ReaderBuilder::new().has_headers(false).delimiter(b';').from_reader(bytes);
        let mut rec = csv::ByteRecord::new();
        r.read_byte_record(&mut rec).unwrap();
        r.position().byte() as usize - 1
    }

    #[test]
    fn a_lone_empty_field_is_quoted() {
        struct One(Option<String>);
        impl ToCsv for One {
            const COLUMNS: &'static [&'static str] = &["x"];
            fn encode_csv(&self, out: &mut CsvOut<'_>) {
                out.field(&self.0);
            }
        }
        let mut out = Vec::new();
        let mut e = CsvEncoder(Csv::new(b','));
        e.encode(&One(None), &mut out).unwrap();
        e.encode(&One(Some("a".into())), &mut out).unwrap();
        assert_eq!(out, b"\"\"\na\n");
    }
}
