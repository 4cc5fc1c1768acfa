//! File sinks: CSV (header in select-list order, RFC 4180 quoting), JSON Lines and JSON arrays.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::config::Config;
use crate::error::FatalError;
use crate::io::source::FileFormat;
use crate::io::strip_file_scheme;
use crate::record::{CsvOut, SinkRow};

/// A file sink writing rows of type `R`.
pub struct FileSink<R> {
    path: PathBuf,
    format: FileFormat,
    csv: Option<csv::Writer<BufWriter<File>>>,
    json: Option<BufWriter<File>>,
    encoder: CsvOut,
    rows: u64,
    _row: std::marker::PhantomData<fn(&R)>,
}

impl<R: SinkRow> FileSink<R> {
    /// Opens sink `name` as configured (creating parent folders; truncating unless `append`).
    pub fn open(config: &Config, name: &str) -> Result<Self, FatalError> {
        let path = config.get(name, "path").ok_or_else(|| FatalError(format!("sink `{name}` has no path")))?;
        let path = PathBuf::from(strip_file_scheme(path));
        let header = config.header(name)?;
        let format = FileFormat::configured(config.get(name, "format"), &path.to_string_lossy(), header)
            .map_err(|e| FatalError(format!("sink `{name}`: {e}")))?;
        let append = config.flag(name, "append", false)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| FatalError(format!("sink `{name}`: cannot create `{}`: {e}", dir.display())))?;
        }
        let existing = append && path.metadata().map(|m| m.len() > 0).unwrap_or(false);
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&path)
            .map_err(|e| FatalError(format!("sink `{name}`: cannot open `{}`: {e}", path.display())))?;
        let out = BufWriter::with_capacity(1 << 16, file);
        let mut sink = Self {
            path,
            format,
            csv: None,
            json: None,
            encoder: CsvOut::default(),
            rows: 0,
            _row: std::marker::PhantomData,
        };
        match format {
            FileFormat::Csv | FileFormat::CsvNoHeader => {
                let delimiter = match config.get(name, "delimiter") {
                    Some(d) => velo_spec::parse_delimiter(d).map_err(|e| FatalError(format!("sink `{name}`: {e}")))?,
                    None => b',',
                };
                let mut w = csv::WriterBuilder::new().has_headers(false).delimiter(delimiter).from_writer(out);
                if format == FileFormat::Csv && header && !existing {
                    w.write_record(R::COLUMNS)?;
                }
                sink.csv = Some(w);
            }
            FileFormat::JsonLines => sink.json = Some(out),
            FileFormat::Json => {
                let mut out = out;
                out.write_all(b"[")?;
                sink.json = Some(out);
            }
        }
        Ok(sink)
    }

    /// Writes one row.
    #[inline]
    pub fn write(&mut self, row: &R) -> Result<(), FatalError> {
        if let Some(w) = &mut self.csv {
            self.encoder.clear();
            row.encode_csv(&mut self.encoder);
            w.write_byte_record(self.encoder.record())?;
        } else if let Some(w) = &mut self.json {
            if self.format == FileFormat::Json {
                w.write_all(if self.rows == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *w, row)?;
            } else {
                serde_json::to_writer(&mut *w, row)?;
                w.write_all(b"\n")?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Flushes everything and closes the file; returns the number of rows written.
    pub fn close(mut self) -> Result<u64, FatalError> {
        if let Some(mut w) = self.csv.take() {
            w.flush()?;
        }
        if let Some(mut w) = self.json.take() {
            if self.format == FileFormat::Json {
                w.write_all(b"\n]\n")?;
            }
            w.flush()?;
        }
        Ok(self.rows)
    }

    /// The file this sink writes.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}
