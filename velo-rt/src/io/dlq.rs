//! The dead-letter queue: every record that fails to decode or evaluate is written here with the
//! error, its source position and its original text, as one JSON object per line.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::error::FatalError;
use crate::io::source::Record;

/// A failed record kept for later reporting (parallel readers report in input order at the end).
#[derive(Debug, Clone)]
pub struct Rejected {
    error: String,
    source: String,
    file: PathBuf,
    line: u64,
    raw: Vec<u8>,
}

impl Rejected {
    /// Captures the error and the record's position and bytes.
    pub fn new(error: &dyn std::fmt::Display, rec: &Record<'_>) -> Self {
        Self {
            error: error.to_string(),
            source: rec.source.to_string(),
            file: rec.file.to_path_buf(),
            line: rec.line,
            raw: rec.raw.to_vec(),
        }
    }

    /// Reports it as if it failed now.
    pub fn report(&self, dlq: &mut DeadLetters) -> Result<(), FatalError> {
        let rec = Record { source: &self.source, file: &self.file, line: self.line, raw: &self.raw };
        dlq.push(&self.error, &rec)
    }
}

/// The dead-letter output of one statement. The file is created on the first failure only.
pub struct DeadLetters {
    statement: String,
    path: Option<PathBuf>,
    out: Option<BufWriter<File>>,
    count: u64,
}

#[derive(Serialize)]
struct Entry<'a> {
    statement: &'a str,
    error: String,
    source: &'a str,
    file: String,
    line: u64,
    raw: std::borrow::Cow<'a, str>,
}

impl DeadLetters {
    /// A DLQ writing to `path`, or to standard error when there is no path.
    pub fn new(statement: &str, path: Option<PathBuf>) -> Self {
        Self { statement: statement.to_string(), path, out: None, count: 0 }
    }

    /// Records one failed record.
    pub fn push(&mut self, error: &dyn std::fmt::Display, rec: &Record<'_>) -> Result<(), FatalError> {
        self.count += 1;
        let entry = Entry {
            statement: &self.statement,
            error: error.to_string(),
            source: rec.source,
            file: rec.file.display().to_string(),
            line: rec.line,
            raw: String::from_utf8_lossy(rec.raw),
        };
        let Some(path) = &self.path else {
            eprintln!("velo: dead letter: {}", serde_json::to_string(&entry)?);
            return Ok(());
        };
        if self.out.is_none() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let f = File::create(path)
                .map_err(|e| FatalError(format!("cannot create dead-letter file `{}`: {e}", path.display())))?;
            self.out = Some(BufWriter::new(f));
        }
        if let Some(out) = &mut self.out {
            serde_json::to_writer(&mut *out, &entry)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Flushes the file; returns how many records failed and where they went.
    pub fn close(mut self) -> Result<(u64, Option<PathBuf>), FatalError> {
        if let Some(out) = &mut self.out {
            out.flush()?;
        }
        // Remove a stale DLQ file from an earlier run when this run had no failures.
        if self.count == 0
            && let Some(p) = &self.path
        {
            let _ = std::fs::remove_file(p);
        }
        Ok((self.count, self.path.take()))
    }
}
