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
        let path = config
            .get(name, "path")
            .ok_or_else(|| FatalError(format!("source `{name}` has no path")))?;
        let path = strip_file_scheme(path).to_string();
        let format = match config.get(name, "format") {
            Some(f) => FileFormat::parse(f)
                .ok_or_else(|| FatalError(format!("source `{name}`: unknown format `{f}`")))?,
            None => FileFormat::from_path(&path).unwrap_or(FileFormat::Csv),
        };
        let header = config.flag(name, "header", config.flag(name, "has_headers", true));
        let format = if format == FileFormat::Csv && !header {
            FileFormat::CsvNoHeader
        } else {
            format
        };
        let delimiter = match config.get(name, "delimiter") {
            Some("\\t") | Some("tab") => b'\t',
            Some(d) if d.len() == 1 => d.as_bytes()[0],
            Some(d) => {
                return Err(FatalError(format!(
                    "source `{name}`: delimiter `{d}` must be one character"
                )));
            }
            None => b',',
        };
        Ok(Self {
            name: name.to_string(),
            path,
            format,
            delimiter,
        })
    }

    /// The files this source reads, in name order (a glob may match several).
    pub fn files(&self) -> Result<Vec<PathBuf>, FatalError> {
        if !self.path.contains(['*', '?', '[']) {
            let p = PathBuf::from(&self.path);
            if !p.exists() {
                return Err(FatalError(format!(
                    "source `{}`: file `{}` does not exist",
                    self.name, self.path
                )));
            }
            return Ok(vec![p]);
        }
        let mut files: Vec<PathBuf> = glob::glob(&self.path)
            .map_err(|e| {
                FatalError(format!(
                    "source `{}`: bad glob `{}`: {e}",
                    self.name, self.path
                ))
            })?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(FatalError(format!(
                "source `{}`: no file matches `{}`",
                self.name, self.path
            )));
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
        let f = File::open(&file)
            .map_err(|e| FatalError(format!("cannot open `{}`: {e}", file.display())))?;
        let len = f.metadata()?.len();
        if len == 0 {
            continue;
        }
        // SAFETY: the file is opened read-only; a concurrent truncation by another process is
        // outside what a file source supports (documented), as with every mmap reader.
        let map = unsafe { Mmap::map(&f) }
            .map_err(|e| FatalError(format!("cannot map `{}`: {e}", file.display())))?;
        let flow = match spec.format {
            FileFormat::Csv | FileFormat::CsvNoHeader => {
                read_csv(spec, &file, &map, &mut count, &mut consume)?
            }
            FileFormat::JsonLines => read_json_lines(spec, &file, &map, &mut count, &mut consume)?,
            FileFormat::Json => read_json(spec, &file, &map, &mut count, &mut consume)?,
        };
        if flow == Flow::Stop {
            break;
        }
    }
    Ok(count)
}

fn trim_newline(mut raw: &[u8]) -> &[u8] {
    while let Some((b'\n' | b'\r', rest)) = raw.split_last() {
        raw = rest;
    }
    raw
}

fn read_csv<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
    count: &mut u64,
    consume: &mut impl FnMut(Result<R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError>,
) -> Result<Flow, FatalError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(spec.delimiter)
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    let mut positions: Vec<usize> = (0..R::COLUMNS.len()).collect();
    let mut width = R::COLUMNS.len();
    if spec.format == FileFormat::Csv {
        if !reader.read_byte_record(&mut record)? {
            return Ok(Flow::Continue);
        }
        let header: Vec<String> = record
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        width = header.len();
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
    }
    loop {
        let start = reader.position().byte() as usize;
        let line = reader.position().line();
        let more = match reader.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                // Only I/O or UTF-8 problems reach here for byte records; report and stop the file.
                return Err(FatalError(format!("`{}`: {e}", file.display())));
            }
        };
        if !more {
            return Ok(Flow::Continue);
        }
        let end = reader.position().byte() as usize;
        let raw = trim_newline(&data[start.min(data.len())..end.min(data.len())]);
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
        }
        *count += 1;
        let rec = Record {
            source: &spec.name,
            file,
            line,
            raw,
        };
        let row = if record.len() != width {
            Err(DecodeError::new(format!(
                "expected {width} fields, found {}",
                record.len()
            )))
        } else {
            R::decode_csv(&CsvFields::new(
                &record,
                &positions,
                R::COLUMNS,
                raw,
                spec.delimiter,
            ))
        };
        if consume(row, &rec)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
}

fn read_json_lines<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    data: &[u8],
    count: &mut u64,
    consume: &mut impl FnMut(Result<R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError>,
) -> Result<Flow, FatalError> {
    for (i, line) in data.split(|b| *b == b'\n').enumerate() {
        let raw = trim_newline(line);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        *count += 1;
        let rec = Record {
            source: &spec.name,
            file,
            line: i as u64 + 1,
            raw,
        };
        let row = serde_json::from_slice::<R>(raw).map_err(|e| DecodeError::new(e.to_string()));
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
        return read_json_lines(spec, file, data, count, consume);
    }
    let items: Vec<&RawValue> = match serde_json::from_slice(data) {
        Ok(items) => items,
        Err(e) => {
            // The file is not a valid array: report the whole file as one failed record.
            *count += 1;
            let rec = Record {
                source: &spec.name,
                file,
                line: 1,
                raw: trim_newline(data),
            };
            return consume(
                Err(DecodeError::new(format!("not a JSON array: {e}"))),
                &rec,
            );
        }
    };
    for item in items {
        let raw = item.get().as_bytes();
        let offset = (raw.as_ptr() as usize)
            .saturating_sub(data.as_ptr() as usize)
            .min(data.len());
        let line = data[..offset].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        *count += 1;
        let rec = Record {
            source: &spec.name,
            file,
            line,
            raw,
        };
        let row =
            serde_json::from_str::<R>(item.get()).map_err(|e| DecodeError::new(e.to_string()));
        if consume(row, &rec)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}
