//! File sinks: CSV (header in select-list order, RFC 4180 quoting), JSON Lines and JSON arrays,
//! each row encoded by its format's [`RecordEncoder`] and written through one buffer.
//!
//! The file is staged ([`StagedFile`]): replaced whole when the run finishes. With `append`, rows
//! are added to an existing file: a CSV file must have the same header (it is not written
//! again), a missing final newline is added first, and a JSON array is continued (its closing
//! `]` is moved to the new end).

use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::PathBuf;

use crate::config::Config;
use crate::dataflow::Sink;
use crate::error::FatalError;
use crate::format::RecordEncoder;
use crate::format::csv::{Csv, CsvEncoder};
use crate::format::json::JsonEncoder;
use crate::io::file::staged::{StagedFile, Staging};
use crate::row::SinkRow;
use velo_spec::FileFormat;
use velo_spec::files::strip_file_scheme;

/// A file sink writing rows of type `R`.
pub struct FileSink<R> {
    name: String,
    path: PathBuf,
    out: BufWriter<StagedFile>,
    encoding: Encoding,
    buf: Vec<u8>,
    /// Rows in the file's JSON array so far (separators), counting appended-to ones.
    elements: u64,
    _row: PhantomData<fn(&R)>,
}

enum Encoding {
    Csv(Box<CsvEncoder>),
    JsonLines,
    JsonArray,
}

impl<R: SinkRow> FileSink<R> {
    /// Opens sink `name` as configured, creating parent folders; `staging` says how the file
    /// is replaced (`append` makes it [`Staging::Append`]).
    pub fn open(config: &Config, name: &str, staging: Staging) -> Result<Self, FatalError> {
        let path = config.get(name, "path").ok_or_else(|| FatalError(format!("sink `{name}` has no path")))?;
        let path = PathBuf::from(strip_file_scheme(path));
        let header = config.header(name)?;
        let format = FileFormat::configured(config.get(name, "format"), &path.to_string_lossy(), header)
            .map_err(|e| FatalError(format!("sink `{name}`: {e}")))?;
        let staging = if config.flag(name, "append", false)? { Staging::Append } else { staging };
        let delimiter = match config.get(name, "delimiter") {
            Some(d) => velo_spec::parse_delimiter(d).map_err(|e| FatalError(format!("sink `{name}`: {e}")))?,
            None => b',',
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| FatalError(format!("sink `{name}`: cannot create `{}`: {e}", dir.display())))?;
        }
        let cannot = |e: std::io::Error| FatalError(format!("sink `{name}`: cannot open `{}`: {e}", path.display()));
        let mut existing = Vec::new();
        let file = StagedFile::create(&path, staging, &mut existing).map_err(cannot)?;
        let encoding = match format {
            FileFormat::Csv | FileFormat::CsvNoHeader => Encoding::Csv(Box::new(CsvEncoder(Csv::new(delimiter)))),
            FileFormat::JsonLines => Encoding::JsonLines,
            FileFormat::Json => Encoding::JsonArray,
        };
        let mut sink = Self {
            name: name.to_string(),
            path,
            out: BufWriter::with_capacity(1 << 16, file),
            encoding,
            buf: Vec::new(),
            elements: 0,
            _row: PhantomData,
        };
        sink.start(format, &existing)?;
        Ok(sink)
    }

    /// Writes what comes before the first row: a header or `[`, or continues `existing`.
    fn start(&mut self, format: FileFormat, existing: &[u8]) -> Result<(), FatalError> {
        let body = existing.trim_ascii_end();
        match &mut self.encoding {
            Encoding::Csv(csv) => {
                let mut header = Vec::new();
                csv.0.header(&mut header, R::COLUMNS);
                if body.is_empty() {
                    if format == FileFormat::Csv {
                        self.buf = header;
                    }
                } else if format == FileFormat::Csv && !existing.starts_with(&header) {
                    return Err(FatalError(format!(
                        "sink `{}`: cannot append to `{}`: its header is not `{}`",
                        self.name,
                        self.path.display(),
                        String::from_utf8_lossy(header.trim_ascii_end())
                    )));
                }
            }
            Encoding::JsonLines | Encoding::JsonArray if body.is_empty() => {}
            Encoding::JsonLines => {}
            Encoding::JsonArray => {
                let Some(inner) = body.strip_suffix(b"]").filter(|_| body.trim_ascii_start().starts_with(b"[")) else {
                    return Err(FatalError(format!(
                        "sink `{}`: cannot append to `{}`: it is not a JSON array",
                        self.name,
                        self.path.display()
                    )));
                };
                // Continue the array: drop its `]`, which `close` writes again after the new rows.
                let keep = inner.trim_ascii_end().len();
                self.elements = u64::from(inner.trim_ascii().len() > 1);
                self.out.get_mut().cut(keep as u64)?;
                return Ok(());
            }
        }
        if !existing.is_empty() && !existing.ends_with(b"\n") {
            self.buf.push(b'\n');
        }
        if matches!(self.encoding, Encoding::JsonArray) {
            self.buf.push(b'[');
        }
        let buf = std::mem::take(&mut self.buf);
        self.out.write_all(&buf)?;
        Ok(())
    }
}

impl<R: SinkRow> Sink<R> for FileSink<R> {
    #[inline]
    fn write(&mut self, row: &R) -> Result<(), FatalError> {
        self.buf.clear();
        match &mut self.encoding {
            Encoding::Csv(csv) => csv.encode(row, &mut self.buf)?,
            Encoding::JsonLines => {
                JsonEncoder.encode(row, &mut self.buf)?;
                self.buf.push(b'\n');
            }
            Encoding::JsonArray => {
                self.buf.extend_from_slice(if self.elements == 0 { b"\n" } else { b",\n" });
                JsonEncoder.encode(row, &mut self.buf)?;
                self.elements += 1;
            }
        }
        self.out.write_all(&self.buf)?;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), FatalError> {
        self.out.flush()?;
        Ok(())
    }

    fn acknowledge(&mut self) -> Result<(), FatalError> {
        self.out.flush()?;
        self.out.get_ref().sync()?;
        Ok(())
    }

    fn close(mut self: Box<Self>) -> Result<(), FatalError> {
        if matches!(self.encoding, Encoding::JsonArray) {
            self.out.write_all(b"\n]\n")?;
        }
        let FileSink { name, path, out, .. } = *self;
        let cannot = |e: std::io::Error| FatalError(format!("sink `{name}`: cannot write `{}`: {e}", path.display()));
        out.into_inner().map_err(|e| cannot(e.into_error()))?.commit().map_err(cannot)
    }

    fn location(&self) -> String {
        self.path.canonicalize().unwrap_or_else(|_| self.path.clone()).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::csv::{CsvOut, ToCsv};

    #[derive(serde::Serialize)]
    struct Row {
        id: Option<i64>,
    }

    impl ToCsv for Row {
        const COLUMNS: &'static [&'static str] = &["id"];
        fn encode_csv(&self, out: &mut CsvOut<'_>) {
            out.field(&self.id);
        }
    }

    /// Writes `ids` to `path` as configured by `props` (sink `out`), `append` as given.
    fn write(path: &std::path::Path, format: &str, append: bool, ids: &[i64]) -> Result<(), FatalError> {
        let path = path.display().to_string();
        let append = append.to_string();
        let props = [
            ("out.type", "file_sink"),
            ("out.path", path.as_str()),
            ("out.format", format),
            ("out.append", append.as_str()),
        ];
        let config = Config::new(&props, &["out"]);
        let mut sink: Box<dyn Sink<Row>> = Box::new(FileSink::<Row>::open(&config, "out", Staging::Replace)?);
        for &id in ids {
            sink.write(&Row { id: Some(id) })?;
        }
        sink.close()
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("velo-rt-sink-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn appending_continues_a_json_array() {
        let path = scratch("json").join("out.json");
        write(&path, "json", false, &[1, 2]).unwrap();
        write(&path, "json", true, &[3]).unwrap();
        write(&path, "json", true, &[]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(rows.iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
        let empty = path.with_file_name("empty.json");
        write(&empty, "json", false, &[]).unwrap();
        write(&empty, "json", true, &[7]).unwrap();
        let rows: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&empty).unwrap()).unwrap();
        assert_eq!(rows.len(), 1, "an empty array takes its first row");
        std::fs::write(&empty, "{\"id\": 1}\n").unwrap();
        assert!(write(&empty, "json", true, &[8]).unwrap_err().0.contains("not a JSON array"));
    }

    #[test]
    fn appending_to_csv_keeps_one_header_and_whole_lines() {
        let dir = scratch("csv");
        let path = dir.join("out.csv");
        std::fs::write(&path, "id\n1").unwrap(); // no final newline
        write(&path, "csv", true, &[2]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id\n1\n2\n");
        std::fs::write(&path, "other\n1\n").unwrap();
        let e = write(&path, "csv", true, &[3]).unwrap_err().0;
        assert!(e.contains("its header is not `id`"), "{e}");
        let jsonl = dir.join("out.jsonl");
        std::fs::write(&jsonl, "{\"id\":1}").unwrap();
        write(&jsonl, "jsonl", true, &[2]).unwrap();
        assert_eq!(std::fs::read_to_string(&jsonl).unwrap(), "{\"id\":1}\n{\"id\":2}\n");
    }
}
