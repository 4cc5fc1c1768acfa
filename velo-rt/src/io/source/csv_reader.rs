//! CSV records of a mapped file. A window without quote characters is split with plain SIMD
//! byte searches (records are lines); from the first window with a quote on, records go through
//! the `csv` crate, whose RFC 4180 quoting lets a field span lines.

use std::path::Path;

use super::mapped::{Mapped, Range};
use super::{Consume, FileFormat, FileSourceSpec, Flow, Record, trim_newline};
use crate::error::{DecodeError, FatalError};
use crate::record::{CsvFields, SourceRow};

/// Where each schema column sits in a CSV file's records, and where the records start.
pub(super) struct CsvLayout {
    positions: Vec<usize>,
    width: usize,
    /// Byte offset of the first record.
    pub body: usize,
    /// Line number of the first record.
    pub body_line: u64,
}

/// Reads the header (for `csv`) and maps schema columns to record positions; `None` when the
/// file has no header row at all.
pub(super) fn csv_layout<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
) -> Result<Option<CsvLayout>, FatalError> {
    let positions: Vec<usize> = (0..R::COLUMNS.len()).collect();
    if spec.format != FileFormat::Csv {
        return Ok(Some(CsvLayout { width: positions.len(), positions, body: 0, body_line: 1 }));
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(spec.delimiter).from_reader(data);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record)? {
        return Ok(None);
    }
    let header: Vec<String> =
        record.iter().map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_string()).collect();
    let mut positions = positions;
    for (i, col) in R::COLUMNS.iter().enumerate() {
        positions[i] = header.iter().position(|h| h == col).ok_or_else(|| {
            FatalError(format!(
                "source `{}`: `{}` has no column `{col}` (header: {})",
                spec.name,
                file.display(),
                header.join(",")
            ))
        })?;
    }
    let body = reader.position().byte() as usize;
    Ok(Some(CsvLayout { positions, width: header.len(), body, body_line: reader.position().line() }))
}

/// Reads the CSV records of `range`, window by window, releasing each window's pages once read.
pub(super) fn read_csv_range<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    mapped: &Mapped,
    layout: &CsvLayout,
    range: Range,
    count: &mut u64,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    let data = mapped.data();
    let mut line = range.first_line;
    for (pos, end) in mapped.windows(range.start, range.end) {
        if !is_plain(&data[pos..end]) {
            let rest = Range { start: pos, end: range.end, first_line: line };
            return read_quoted_csv(spec, file, data, layout, rest, count, consume);
        }
        let flow = read_plain_csv(spec, file, &data[pos..end], layout, &mut line, count, consume)?;
        mapped.release(pos, end);
        if flow == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

/// The general path: RFC 4180 records (quoted fields may span lines) through the `csv` crate.
fn read_quoted_csv<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
    layout: &CsvLayout,
    range: Range,
    count: &mut u64,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    let chunk = &data[range.start..range.end];
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(spec.delimiter).from_reader(chunk);
    let mut record = csv::ByteRecord::new();
    let mut row = R::default();
    let mut bounds = Vec::with_capacity(layout.width);
    loop {
        let start = reader.position().byte() as usize;
        let line = range.first_line + reader.position().line() - 1;
        // Byte records fail only on I/O errors, which an in-memory slice does not have.
        if !reader.read_byte_record(&mut record).map_err(|e| FatalError(format!("`{}`: {e}", file.display())))? {
            return Ok(Flow::Continue);
        }
        let end = reader.position().byte() as usize;
        let mut raw = trim_newline(&chunk[start.min(chunk.len())..end.min(chunk.len())]);
        // With CRLF line ends the reader stops at `\r` and the `\n` opens the next record.
        let mut line = line;
        while let Some((&b, rest)) = raw.split_first().filter(|(b, _)| matches!(b, b'\n' | b'\r')) {
            line += u64::from(b == b'\n');
            raw = rest;
        }
        if record.len() == 1 && record[0].is_empty() && raw.is_empty() {
            continue; // a blank line (a lone `""` is a record with one empty-text field)
        }
        *count += 1;
        bounds.clear();
        bounds.extend((0..record.len()).filter_map(|j| record.range(j)).map(|r| (r.start, r.end)));
        let rec = Record { source: &spec.name, file, line, raw };
        let fields = CsvFields::new(record.as_slice(), &bounds, &layout.positions, R::COLUMNS, raw, spec.delimiter);
        if deliver(&mut row, layout, &fields, &rec, consume)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
}

/// Whether a CSV chunk splits with plain byte searches: no quotes, and `\r` only in `\r\n`.
fn is_plain(chunk: &[u8]) -> bool {
    memchr::memchr2_iter(b'"', b'\r', chunk).all(|i| chunk[i] == b'\r' && chunk.get(i + 1) == Some(&b'\n'))
}

/// The fast path of [`read_csv_range`] for a chunk without quotes: records are lines, fields
/// are split at the delimiter, both found in one SIMD scan of the chunk; the chunk's UTF-8 is
/// checked once, not per field.
fn read_plain_csv<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    chunk: &[u8],
    layout: &CsvLayout,
    line: &mut u64,
    count: &mut u64,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    let text = simdutf8::basic::from_utf8(chunk).ok();
    let mut row = R::default();
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(layout.width);
    // One line `chunk[start..end]` (without `\n`) whose delimiters are already in `bounds`.
    let mut record = |start: usize, end: usize, bounds: &mut Vec<(usize, usize)>| {
        let end = if end > start && chunk[end - 1] == b'\r' { end - 1 } else { end };
        *line += 1;
        if start == end {
            return Ok(Flow::Continue); // a blank line
        }
        *count += 1;
        let from = bounds.last().map_or(0, |b| b.1 + 1);
        bounds.push((from, end - start));
        let raw = &chunk[start..end];
        let rec = Record { source: &spec.name, file, line: *line - 1, raw };
        let fields = CsvFields::new(raw, bounds, &layout.positions, R::COLUMNS, raw, spec.delimiter);
        let fields = match text.and_then(|t| t.get(start..end)) {
            Some(t) => fields.with_text(t),
            None => fields,
        };
        deliver(&mut row, layout, &fields, &rec, consume)
    };
    let mut start = 0;
    for i in memchr::memchr2_iter(spec.delimiter, b'\n', chunk) {
        if chunk[i] == spec.delimiter {
            let from = bounds.last().map_or(0, |b| b.1 + 1);
            bounds.push((from, i - start));
            continue;
        }
        if record(start, i, &mut bounds)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        bounds.clear();
        start = i + 1;
    }
    if start < chunk.len() {
        return record(start, chunk.len(), &mut bounds);
    }
    Ok(Flow::Continue)
}

/// Decodes one split CSV record into `row` and hands the row (or the error) to `consume`.
#[inline]
fn deliver<R: SourceRow>(
    row: &mut R,
    layout: &CsvLayout,
    fields: &CsvFields<'_>,
    rec: &Record<'_>,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    let decoded = if fields.len() != layout.width {
        Err(DecodeError::new(format!("expected {} fields, found {}", layout.width, fields.len())))
    } else {
        row.decode_csv(fields)
    };
    match decoded {
        Ok(()) => consume(Ok(row), rec),
        Err(e) => consume(Err(e), rec),
    }
}
