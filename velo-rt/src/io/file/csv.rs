//! CSV framing of a mapped file. A window without quote characters is split with plain SIMD
//! byte searches (records are lines); from the first window with a quote on, records go through
//! the `csv` crate, whose RFC 4180 quoting lets a field span lines. Either way each record is
//! decoded by the CSV codec's [`CsvLayout`].

use std::path::Path;

use super::mapped::{Mapped, Range};
use super::{FileSourceSpec, bom, hand_over, trim_newline};
use crate::dataflow::{Consume, Flow, Record};
use crate::error::{DecodeError, FatalError};
use crate::format::csv::{CsvFields, CsvLayout};
use crate::row::SourceRow;

/// What reading the records of one file needs: where they come from and how they are laid out.
pub(super) struct CsvFile<'a> {
    pub source: &'a str,
    pub path: &'a Path,
    pub layout: &'a CsvLayout,
    pub delimiter: u8,
    /// The longest record read past a window ([`MAX_RECORD`]; tests use less).
    pub max_record: usize,
}

/// The longest CSV record read (a quoted field may span lines): a longer one is a failed record.
pub(super) const MAX_RECORD: usize = 16 << 20;

/// Reads the header (for `csv`) and maps schema columns to record positions: the layout, the
/// offset of the first record (past a byte-order mark) and its line; `None` when the file has
/// no header row at all.
pub(super) fn layout<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
) -> Result<Option<(CsvLayout, usize, u64)>, FatalError> {
    if spec.format != velo_spec::FileFormat::Csv {
        return Ok(Some((CsvLayout::positional(R::COLUMNS), bom(data), 1)));
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
                let mut rest = Range { start: pos, end: range.end, first_line: line };
                while rest.start < rest.end {
                    let (flow, next) = self.quoted(data, rest, mapped.window(), row, count, consume)?;
                    mapped.release(rest.start, next.start);
                    if flow == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                    rest = next;
                }
                return Ok(Flow::Continue);
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
    ///
    /// The crate is given at most `max_record` bytes past the budget, so a quote that is never
    /// closed costs a bounded read, not the rest of the file. Such a record — one that leaves a
    /// quoted field open at the end of the input, or one longer than `max_record` — is a failed
    /// record of its first line, and reading resumes on the line after it.
    fn quoted<R: SourceRow>(
        &self,
        data: &[u8],
        mut range: Range,
        budget: usize,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<(Flow, Range), FatalError> {
        let origin = range.start;
        let mut record = csv::ByteRecord::new();
        let mut bounds = Vec::with_capacity(self.layout.width);
        'chunks: loop {
            let read = range.start - origin;
            if read >= budget || range.start >= range.end {
                return Ok((Flow::Continue, range));
            }
            let limit = range.end.min(range.start.saturating_add((budget - read).saturating_add(self.max_record)));
            let cut = limit < range.end;
            let chunk = &data[range.start..limit];
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(self.delimiter)
                .from_reader(chunk);
            // Where reading goes on from `at` in the chunk, on line `line` (after a `\n` the reader
            // has not consumed yet: it stops at the `\r` of CRLF).
            let resume = |mut at: usize, mut line: u64| {
                if chunk.get(at) == Some(&b'\n') {
                    at += 1;
                    line += 1;
                }
                Range { start: range.start + at.min(chunk.len()), end: range.end, first_line: line }
            };
            // Where the reader is in the chunk, and on which line of the file.
            let here = |reader: &csv::Reader<&[u8]>| {
                let p = reader.position();
                (p.byte() as usize, range.first_line + p.line() - 1)
            };
            loop {
                let (start, at_line) = here(&reader);
                if read + start >= budget {
                    return Ok((Flow::Continue, resume(start, at_line)));
                }
                // Byte records fail only on I/O errors, which an in-memory slice does not have.
                if !reader
                    .read_byte_record(&mut record)
                    .map_err(|e| FatalError(format!("`{}`: {e}", self.path.display())))?
                {
                    // The reader is past what it consumed looking for a record (blank lines, a
                    // trailing `\r`): go on from there.
                    let (at, line) = here(&reader);
                    if cut {
                        range = resume(at, line);
                        continue 'chunks;
                    }
                    return Ok((Flow::Continue, resume(at, line)));
                }
                let (end, end_line) = here(&reader);
                let end = end.min(chunk.len());
                // With CRLF line ends the reader stops at `\r` and the `\n` opens the next record.
                let (mut first, mut line) = (start.min(chunk.len()), at_line);
                while let Some(&b) = chunk[..end].get(first).filter(|b| matches!(b, b'\n' | b'\r')) {
                    line += u64::from(b == b'\n');
                    first += 1;
                }
                let raw = trim_newline(&chunk[first..end]);
                if end == chunk.len() && cut && start > 0 {
                    range = resume(start, at_line);
                    continue 'chunks; // the record may go on past the chunk: read it in the next one
                }
                if end == chunk.len() && (cut || self.leaves_quote_open(raw)) {
                    // The record's first line, which may go on past the chunk.
                    let from = range.start + first;
                    let line_end = memchr::memchr(b'\n', &data[from..range.end]).map_or(range.end, |i| from + i);
                    let next = Range { start: (line_end + 1).min(range.end), end: range.end, first_line: line + 1 };
                    *count += 1;
                    let rec = Record::at_line(self.source, self.path, line, trim_newline(&data[from..line_end]));
                    let why = if cut {
                        format!(
                            "a record longer than {} bytes: a quote opened on this line is not closed within it; reading goes on at the next line",
                            self.max_record
                        )
                    } else {
                        "a quote opened on this line is never closed; reading goes on at the next line".to_string()
                    };
                    if consume(Err(DecodeError::new(why)), &rec)? == Flow::Stop {
                        return Ok((Flow::Stop, next));
                    }
                    range = next;
                    continue 'chunks;
                }
                if record.len() == 1 && self.is_blank(raw) {
                    continue; // a blank line (a lone `""` is a record with one empty-text field)
                }
                *count += 1;
                bounds.clear();
                bounds.extend((0..record.len()).filter_map(|j| record.range(j)).map(|r| (r.start, r.end)));
                let rec = Record::at_line(self.source, self.path, line, raw);
                let fields =
                    CsvFields::new(record.as_slice(), &bounds, &self.layout.positions, R::COLUMNS, raw, self.delimiter);
                if self.deliver(row, &fields, &rec, consume)? == Flow::Stop {
                    return Ok((Flow::Stop, resume(end, end_line)));
                }
            }
        }
    }

    /// Whether a line without delimiters holds nothing but spaces and tabs: it is skipped like an
    /// empty line (with a tab delimiter, tabs split fields and such a line is a record).
    fn is_blank(&self, line: &[u8]) -> bool {
        line.iter().all(|&b| matches!(b, b' ' | b'\t') && b != self.delimiter)
    }

    /// Whether `raw`, one record the `csv` crate read up to the end of its input, leaves a quoted
    /// field open: followed by a line end, csv-core's reader still does not end a record.
    fn leaves_quote_open(&self, raw: &[u8]) -> bool {
        if !raw.contains(&b'"') {
            return false;
        }
        let mut reader = csv_core::ReaderBuilder::new().delimiter(self.delimiter).build();
        let (mut out, mut ends) = (vec![0; raw.len() + 1], vec![0; raw.len() + 2]);
        for mut part in [raw, b"\n"] {
            while !part.is_empty() {
                let (result, read, _, _) = reader.read_record(part, &mut out, &mut ends);
                if result == csv_core::ReadRecordResult::Record {
                    return false;
                }
                part = &part[read..];
                if read == 0 {
                    break;
                }
            }
        }
        true
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
            if bounds.is_empty() && self.is_blank(&chunk[start..end]) {
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
