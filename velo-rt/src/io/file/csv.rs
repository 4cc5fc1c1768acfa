//! CSV framing of a mapped file. A window without quote characters is split with plain SIMD
//! byte searches (records are lines); from the first window with a quote on, records go through
//! the `csv` crate, whose RFC 4180 quoting lets a field span lines. Either way each record is
//! decoded by the CSV codec's [`CsvLayout`].

use std::path::Path;

use super::mapped::{Mapped, Range};
use super::{FileSourceSpec, hand_over, trim_newline};
use crate::dataflow::{Consume, Flow, Record};
use crate::error::FatalError;
use crate::format::csv::{CsvFields, CsvLayout};
use crate::row::SourceRow;

/// What reading the records of one file needs: where they come from and how they are laid out.
pub(super) struct CsvFile<'a> {
    pub source: &'a str,
    pub path: &'a Path,
    pub layout: &'a CsvLayout,
    pub delimiter: u8,
}

/// Reads the header (for `csv`) and maps schema columns to record positions: the layout, the
/// offset of the first record and its line; `None` when the file has no header row at all.
pub(super) fn layout<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
) -> Result<Option<(CsvLayout, usize, u64)>, FatalError> {
    if spec.format != velo_spec::FileFormat::Csv {
        return Ok(Some((CsvLayout::positional(R::COLUMNS), 0, 1)));
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(spec.delimiter).from_reader(data);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record)? {
        return Ok(None);
    }
    let header: Vec<String> =
        record.iter().map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_string()).collect();
    let layout = CsvLayout::from_header(R::COLUMNS, &header)
        .map_err(|e| FatalError(format!("source `{}`: `{}` has {e}", spec.name, file.display())))?;
    Ok(Some((layout, reader.position().byte() as usize, reader.position().line())))
}

impl CsvFile<'_> {
    /// Reads the records of `range`, window by window, releasing each window's pages once read
    /// (the parallel reader's unit of work).
    pub(super) fn read_range<R: SourceRow>(
        &self,
        mapped: &Mapped,
        range: Range,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<Flow, FatalError> {
        let data = mapped.data();
        let mut line = range.first_line;
        for (pos, end) in mapped.windows(range.start, range.end) {
            if !is_plain(&data[pos..end]) {
                let rest = Range { start: pos, end: range.end, first_line: line };
                return Ok(self.quoted(data, rest, usize::MAX, row, count, consume)?.0);
            }
            let flow = self.plain(&data[pos..end], &mut line, row, count, consume)?;
            mapped.release(pos, end);
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// Reads about one window from `at` (records are never split): plain windows while there are
    /// no quotes, RFC 4180 records from the first quote on (`*quoted` stays set). Returns the
    /// flow and where the next window starts.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn next_window<R: SourceRow>(
        &self,
        mapped: &Mapped,
        at: Range,
        quoted: &mut bool,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<(Flow, Range), FatalError> {
        let data = mapped.data();
        if !*quoted {
            let (pos, end) = mapped.windows(at.start, at.end).next().unwrap_or((at.start, at.end));
            if is_plain(&data[pos..end]) {
                let mut line = at.first_line;
                let flow = self.plain(&data[pos..end], &mut line, row, count, consume)?;
                mapped.release(pos, end);
                return Ok((flow, Range { start: end, end: at.end, first_line: line }));
            }
            *quoted = true;
        }
        let (flow, next) = self.quoted(data, at, mapped.window(), row, count, consume)?;
        mapped.release(at.start, next.start);
        Ok((flow, next))
    }

    /// Reads the CSV records of `chunk` (whole lines), the first on line `*line`.
    pub(super) fn lines<R: SourceRow>(
        &self,
        chunk: &[u8],
        line: &mut u64,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<Flow, FatalError> {
        if is_plain(chunk) {
            return self.plain(chunk, line, row, count, consume);
        }
        let (flow, rest) = self.quoted(
            chunk,
            Range { start: 0, end: chunk.len(), first_line: *line },
            usize::MAX,
            row,
            count,
            consume,
        )?;
        *line = rest.first_line;
        Ok(flow)
    }

    /// The general path: RFC 4180 records (quoted fields may span lines) through the `csv` crate,
    /// from `range.start` until at least `budget` bytes are read (at a record boundary) or the
    /// range ends. Returns the flow and the rest of the range.
    fn quoted<R: SourceRow>(
        &self,
        data: &[u8],
        range: Range,
        budget: usize,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<(Flow, Range), FatalError> {
        let chunk = &data[range.start..range.end];
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(self.delimiter).from_reader(chunk);
        let mut record = csv::ByteRecord::new();
        let mut bounds = Vec::with_capacity(self.layout.width);
        let rest = |reader: &csv::Reader<&[u8]>| {
            let mut start = reader.position().byte() as usize;
            let mut line = range.first_line + reader.position().line() - 1;
            // Resume after a `\n` the reader has not consumed yet (it stops at the `\r` of CRLF).
            if chunk.get(start) == Some(&b'\n') {
                start += 1;
                line += 1;
            }
            Range { start: range.start + start.min(chunk.len()), end: range.end, first_line: line }
        };
        loop {
            let start = reader.position().byte() as usize;
            if start >= budget {
                return Ok((Flow::Continue, rest(&reader)));
            }
            let line = range.first_line + reader.position().line() - 1;
            // Byte records fail only on I/O errors, which an in-memory slice does not have.
            if !reader
                .read_byte_record(&mut record)
                .map_err(|e| FatalError(format!("`{}`: {e}", self.path.display())))?
            {
                return Ok((Flow::Continue, rest(&reader)));
            }
            let end = reader.position().byte() as usize;
            let mut raw = trim_newline(&chunk[start.min(chunk.len())..end.min(chunk.len())]);
            // With CRLF line ends the reader stops at `\r` and the `\n` opens the next record.
            let mut line = line;
            while let Some((&b, tail)) = raw.split_first().filter(|(b, _)| matches!(b, b'\n' | b'\r')) {
                line += u64::from(b == b'\n');
                raw = tail;
            }
            if record.len() == 1 && record[0].is_empty() && raw.is_empty() {
                continue; // a blank line (a lone `""` is a record with one empty-text field)
            }
            *count += 1;
            bounds.clear();
            bounds.extend((0..record.len()).filter_map(|j| record.range(j)).map(|r| (r.start, r.end)));
            let rec = Record::at_line(self.source, self.path, line, raw);
            let fields =
                CsvFields::new(record.as_slice(), &bounds, &self.layout.positions, R::COLUMNS, raw, self.delimiter);
            if self.deliver(row, &fields, &rec, consume)? == Flow::Stop {
                return Ok((Flow::Stop, rest(&reader)));
            }
        }
    }

    /// The fast path for a chunk without quotes: records are lines, fields are split at the
    /// delimiter, both found in one SIMD scan of the chunk; the chunk's UTF-8 is checked once,
    /// not per field.
    fn plain<R: SourceRow>(
        &self,
        chunk: &[u8],
        line: &mut u64,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<Flow, FatalError> {
        let text = simdutf8::basic::from_utf8(chunk).ok();
        let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(self.layout.width);
        // One line `chunk[start..end]` (without `\n`) whose delimiters are already in `bounds`.
        let mut record = |start: usize, end: usize, bounds: &mut Vec<(usize, usize)>, row: &mut R| {
            let end = if end > start && chunk[end - 1] == b'\r' { end - 1 } else { end };
            *line += 1;
            if start == end {
                return Ok(Flow::Continue); // a blank line
            }
            *count += 1;
            let from = bounds.last().map_or(0, |b| b.1 + 1);
            bounds.push((from, end - start));
            let raw = &chunk[start..end];
            let rec = Record::at_line(self.source, self.path, *line - 1, raw);
            let fields = CsvFields::new(raw, bounds, &self.layout.positions, R::COLUMNS, raw, self.delimiter);
            let fields = match text.and_then(|t| t.get(start..end)) {
                Some(t) => fields.with_text(t),
                None => fields,
            };
            self.deliver(row, &fields, &rec, consume)
        };
        let mut start = 0;
        for i in memchr::memchr2_iter(self.delimiter, b'\n', chunk) {
            if chunk[i] == self.delimiter {
                let from = bounds.last().map_or(0, |b| b.1 + 1);
                bounds.push((from, i - start));
                continue;
            }
            if record(start, i, &mut bounds, row)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
            bounds.clear();
            start = i + 1;
        }
        if start < chunk.len() {
            return record(start, chunk.len(), &mut bounds, row);
        }
        Ok(Flow::Continue)
    }

    /// Decodes one split record into `row` and hands the row (or the error) to `consume`.
    #[inline]
    fn deliver<R: SourceRow>(
        &self,
        row: &mut R,
        fields: &CsvFields<'_>,
        rec: &Record<'_>,
        consume: &mut impl Consume<R>,
    ) -> Result<Flow, FatalError> {
        hand_over(self.layout.decode(fields, row), row, rec, consume)
    }
}

/// Whether a CSV chunk splits with plain byte searches: no quotes, and `\r` only in `\r\n`.
fn is_plain(chunk: &[u8]) -> bool {
    memchr::memchr2_iter(b'"', b'\r', chunk).all(|i| chunk[i] == b'\r' && chunk.get(i + 1) == Some(&b'\n'))
}
