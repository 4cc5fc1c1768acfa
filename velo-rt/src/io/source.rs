//! Bounded file sources: CSV (with or without header, any delimiter, RFC 4180 quoting), JSON Lines
//! and JSON arrays, one file or a glob. Files are memory-mapped and decoded straight into the
//! generated row type; a record that does not decode is handed on as an error with its position
//! and raw bytes, never dropped.

use std::fs::File;
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use serde_json::value::RawValue;

use crate::config::Config;
use crate::error::{DecodeError, FatalError};
use crate::io::strip_file_scheme;
use crate::record::{CsvFields, SourceRow};

/// Where a record came from, for error reports.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The source object name.
    pub source: &'a str,
    /// The file the record was read from.
    pub file: &'a Path,
    /// 1-based line of the record's first byte.
    pub line: u64,
    /// The record's original bytes (without the line terminator).
    pub raw: &'a [u8],
}

/// Whether a consumer wants more input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flow {
    /// Every consumer is satisfied (e.g. all LIMITs reached); the source may stop.
    Stop,
    /// Keep reading.
    Continue,
}

/// The file formats a file source understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// CSV with a header row.
    Csv,
    /// CSV without a header; columns are positional.
    CsvNoHeader,
    /// One JSON object per line.
    JsonLines,
    /// A JSON array of objects (one object per line is also accepted).
    Json,
}

impl FileFormat {
    /// Parses a `format` property value.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "csv_no_header" => Some(FileFormat::CsvNoHeader),
            "jsonl" | "jsonlines" | "json_lines" | "ndjson" => Some(FileFormat::JsonLines),
            "json" => Some(FileFormat::Json),
            _ => None,
        }
    }

    /// Guesses the format from a file extension.
    pub fn from_path(path: &str) -> Option<Self> {
        let ext = Path::new(path).extension()?.to_str()?;
        match ext.to_ascii_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Some(FileFormat::Csv),
            "jsonl" | "ndjson" => Some(FileFormat::JsonLines),
            "json" => Some(FileFormat::Json),
            _ => None,
        }
    }
}

/// The resolved settings of one file source.
#[derive(Debug, Clone)]
pub struct FileSourceSpec {
    /// Source object name.
    pub name: String,
    /// Path or glob.
    pub path: String,
    /// Format.
    pub format: FileFormat,
    /// CSV delimiter.
    pub delimiter: u8,
}

impl FileSourceSpec {
    /// Reads the settings of source `name` from the configuration.
    pub fn from_config(config: &Config, name: &str) -> Result<Self, FatalError> {
        let path = config.get(name, "path").ok_or_else(|| FatalError(format!("source `{name}` has no path")))?;
        let path = strip_file_scheme(path).to_string();
        let format = match config.get(name, "format") {
            Some(f) => {
                FileFormat::parse(f).ok_or_else(|| FatalError(format!("source `{name}`: unknown format `{f}`")))?
            }
            None => FileFormat::from_path(&path).unwrap_or(FileFormat::Csv),
        };
        let header = config.flag(name, "header", config.flag(name, "has_headers", true));
        let format = if format == FileFormat::Csv && !header { FileFormat::CsvNoHeader } else { format };
        let delimiter = match config.get(name, "delimiter") {
            Some("\\t") | Some("tab") => b'\t',
            Some(d) if d.len() == 1 => d.as_bytes()[0],
            Some(d) => {
                return Err(FatalError(format!("source `{name}`: delimiter `{d}` must be one character")));
            }
            None => b',',
        };
        Ok(Self { name: name.to_string(), path, format, delimiter })
    }

    /// The files this source reads, in name order (a glob may match several).
    pub fn files(&self) -> Result<Vec<PathBuf>, FatalError> {
        if !self.path.contains(['*', '?', '[']) {
            let p = PathBuf::from(&self.path);
            if !p.exists() {
                return Err(FatalError(format!("source `{}`: file `{}` does not exist", self.name, self.path)));
            }
            return Ok(vec![p]);
        }
        let mut files: Vec<PathBuf> = glob::glob(&self.path)
            .map_err(|e| FatalError(format!("source `{}`: bad glob `{}`: {e}", self.name, self.path)))?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(FatalError(format!("source `{}`: no file matches `{}`", self.name, self.path)));
        }
        Ok(files)
    }
}

/// Reads every record of a file source and hands each one, decoded or not, to `consume`.
pub fn read_file_source<R: SourceRow>(
    spec: &FileSourceSpec,
    mut consume: impl FnMut(Result<R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError>,
) -> Result<u64, FatalError> {
    let mut count = 0;
    for file in spec.files()? {
        let Some(map) = map_file(&file)? else {
            continue;
        };
        let flow = match spec.format {
            FileFormat::Csv | FileFormat::CsvNoHeader => {
                let Some(layout) = csv_layout::<R>(spec, &file, &map)? else {
                    continue;
                };
                let range = Range { start: layout.body, end: map.len(), first_line: layout.body_line };
                read_csv_range(spec, &file, &map, &layout, range, &mut count, &mut consume)?
            }
            FileFormat::JsonLines => {
                let range = Range { start: 0, end: map.len(), first_line: 1 };
                read_json_lines_range(spec, &file, &map, range, &mut count, &mut consume)?
            }
            FileFormat::Json => read_json(spec, &file, &map, &mut count, &mut consume)?,
        };
        if flow == Flow::Stop {
            break;
        }
    }
    Ok(count)
}

/// Reads a file source on `partitions` threads: each file is split at line boundaries into
/// chunks, each chunk is read into its own state from `init`, and the states come back in file
/// order (so merging them in order gives the same result as one pass). Files whose records could
/// span lines (CSV with quotes, JSON arrays) are read as one chunk. Returns the states and the
/// number of records read.
pub fn read_file_source_parallel<R, S>(
    spec: &FileSourceSpec,
    partitions: usize,
    init: impl Fn() -> S + Sync,
    step: impl Fn(&mut S, Result<R, DecodeError>, &Record<'_>) -> Result<(), FatalError> + Sync,
) -> Result<(Vec<S>, u64), FatalError>
where
    R: SourceRow,
    S: Send,
{
    let mut states = Vec::new();
    let mut total = 0;
    for file in spec.files()? {
        let Some(map) = map_file(&file)? else {
            continue;
        };
        let data: &[u8] = &map;
        let layout = match spec.format {
            FileFormat::Csv | FileFormat::CsvNoHeader => match csv_layout::<R>(spec, &file, data)? {
                Some(l) => Some(l),
                None => continue,
            },
            _ => None,
        };
        let splittable = match spec.format {
            FileFormat::Csv | FileFormat::CsvNoHeader => !data.contains(&b'"'),
            FileFormat::JsonLines => true,
            FileFormat::Json => false,
        };
        if !splittable || partitions <= 1 {
            let mut state = init();
            let n = read_file_source::<R>(
                &FileSourceSpec { path: file.display().to_string(), ..spec.clone() },
                |row, rec| {
                    step(&mut state, row, rec)?;
                    Ok(Flow::Continue)
                },
            )?;
            states.push(state);
            total += n;
            continue;
        }
        let start = layout.as_ref().map_or(0, |l| l.body);
        let first = layout.as_ref().map_or(1, |l| l.body_line);
        let ranges = split_lines(data, start, first, partitions);
        let results: Vec<Result<(S, u64), FatalError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = ranges
                .into_iter()
                .map(|range| {
                    let (init, step, file, layout) = (&init, &step, &file, &layout);
                    scope.spawn(move || {
                        let mut state = init();
                        let mut count = 0;
                        let mut consume = |row: Result<R, DecodeError>, rec: &Record<'_>| {
                            step(&mut state, row, rec)?;
                            Ok(Flow::Continue)
                        };
                        match layout {
                            Some(l) => read_csv_range(spec, file, data, l, range, &mut count, &mut consume)?,
                            None => read_json_lines_range(spec, file, data, range, &mut count, &mut consume)?,
                        };
                        Ok((state, count))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(FatalError("a reader thread panicked".into()))))
                .collect()
        });
        for r in results {
            let (state, n) = r?;
            states.push(state);
            total += n;
        }
    }
    Ok((states, total))
}

/// Maps a file into memory; `None` for an empty file.
fn map_file(file: &Path) -> Result<Option<Mmap>, FatalError> {
    let f = File::open(file).map_err(|e| FatalError(format!("cannot open `{}`: {e}", file.display())))?;
    if f.metadata()?.len() == 0 {
        return Ok(None);
    }
    // SAFETY: the file is opened read-only; a concurrent truncation by another process is
    // outside what a file source supports (documented), as with every mmap reader.
    let map = unsafe { Mmap::map(&f) }.map_err(|e| FatalError(format!("cannot map `{}`: {e}", file.display())))?;
    Ok(Some(map))
}

/// A byte range of a file that starts at a record boundary, with the line number of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    start: usize,
    end: usize,
    first_line: u64,
}

/// Splits `data[start..]` into about `n` ranges that begin and end at line boundaries.
fn split_lines(data: &[u8], start: usize, first_line: u64, n: usize) -> Vec<Range> {
    let len = data.len();
    let step = (len - start.min(len)) / n.max(1);
    let mut ranges = Vec::new();
    let (mut from, mut line) = (start.min(len), first_line);
    while from < len {
        let target = if ranges.len() + 1 >= n || step == 0 { len } else { (from + step).min(len) };
        let to = match data[target.saturating_sub(1).max(from)..].iter().position(|b| *b == b'\n') {
            Some(i) if target < len => target.saturating_sub(1).max(from) + i + 1,
            _ => len,
        };
        ranges.push(Range { start: from, end: to, first_line: line });
        line += data[from..to].iter().filter(|b| **b == b'\n').count() as u64;
        from = to;
    }
    ranges
}

fn trim_newline(mut raw: &[u8]) -> &[u8] {
    while let Some((b'\n' | b'\r', rest)) = raw.split_last() {
        raw = rest;
    }
    raw
}

/// Where each schema column sits in a CSV file's records, and where the records start.
struct CsvLayout {
    positions: Vec<usize>,
    width: usize,
    body: usize,
    body_line: u64,
}

/// Reads the header (for `csv`) and maps schema columns to record positions; `None` when the
/// file has no header row at all.
fn csv_layout<R: SourceRow>(spec: &FileSourceSpec, file: &Path, data: &[u8]) -> Result<Option<CsvLayout>, FatalError> {
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

fn read_csv_range<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
    layout: &CsvLayout,
    range: Range,
    count: &mut u64,
    consume: &mut impl FnMut(Result<R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError>,
) -> Result<Flow, FatalError> {
    let chunk = &data[range.start..range.end];
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(spec.delimiter).from_reader(chunk);
    let mut record = csv::ByteRecord::new();
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
        let rec = Record { source: &spec.name, file, line, raw };
        let row = if record.len() != layout.width {
            Err(DecodeError::new(format!("expected {} fields, found {}", layout.width, record.len())))
        } else {
            R::decode_csv(&CsvFields::new(&record, &layout.positions, R::COLUMNS, raw, spec.delimiter))
        };
        if consume(row, &rec)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
}

fn read_json_lines_range<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
    range: Range,
    count: &mut u64,
    consume: &mut impl FnMut(Result<R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError>,
) -> Result<Flow, FatalError> {
    for (i, line) in data[range.start..range.end].split(|b| *b == b'\n').enumerate() {
        let raw = trim_newline(line);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        *count += 1;
        let rec = Record { source: &spec.name, file, line: range.first_line + i as u64, raw };
        let row = serde_json::from_slice::<R>(raw)
            .map_err(|e| DecodeError::new(e.to_string()))
            .and_then(|r| r.validate().map(|_| r));
        if consume(row, &rec)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

fn read_json<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
    count: &mut u64,
    consume: &mut impl FnMut(Result<R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError>,
) -> Result<Flow, FatalError> {
    let first = data.iter().position(|b| !b.is_ascii_whitespace());
    if first.is_none_or(|i| data[i] != b'[') {
        let range = Range { start: 0, end: data.len(), first_line: 1 };
        return read_json_lines_range(spec, file, data, range, count, consume);
    }
    let items: Vec<&RawValue> = match serde_json::from_slice(data) {
        Ok(items) => items,
        Err(e) => {
            // The file is not a valid array: report the whole file as one failed record.
            *count += 1;
            let rec = Record { source: &spec.name, file, line: 1, raw: trim_newline(data) };
            return consume(Err(DecodeError::new(format!("not a JSON array: {e}"))), &rec);
        }
    };
    let (mut line, mut counted) = (1u64, 0usize);
    for item in items {
        let raw = item.get().as_bytes();
        let offset = (raw.as_ptr() as usize).saturating_sub(data.as_ptr() as usize).min(data.len());
        line += data[counted.min(offset)..offset].iter().filter(|b| **b == b'\n').count() as u64;
        counted = counted.max(offset);
        *count += 1;
        let rec = Record { source: &spec.name, file, line, raw };
        let row = serde_json::from_str::<R>(item.get())
            .map_err(|e| DecodeError::new(e.to_string()))
            .and_then(|r| r.validate().map(|_| r));
        if consume(row, &rec)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ranges_cover_everything_once_and_count_lines() {
        let data = b"h\na\nbb\nccc\ndddd\ne\n";
        for n in 1..8 {
            let ranges = split_lines(data, 2, 2, n);
            assert_eq!(ranges.first().map(|r| r.start), Some(2));
            assert_eq!(ranges.last().map(|r| r.end), Some(data.len()));
            for w in ranges.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_eq!(data[w[0].end - 1], b'\n', "ranges end at line boundaries");
            }
            for r in &ranges {
                let before = data[..r.start].iter().filter(|b| **b == b'\n').count() as u64;
                assert_eq!(r.first_line, before + 1);
            }
            assert!(ranges.len() <= n);
        }
        assert!(split_lines(b"h\n", 2, 2, 4).is_empty());
    }
}
