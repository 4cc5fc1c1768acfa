//! Dead letters: every record that fails to decode or evaluate is written with the error, its
//! source position and its original text, as one JSON object per line, to the dead-letter file
//! of the statement (`'<statement>.dlq'`, else `'<sink>.dlq'`, else `<sink path>.dlq.jsonl`,
//! else standard error). Records of a source that do not decode go to `'<source>.dlq'` when the
//! source has one, else to the dead letters of the first statement that reads it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::app::{Context, Late};
use crate::config::Config;
use crate::dataflow::output::{SourceSpec, StatementSpec};
use crate::dataflow::{Flow, Position, Record};
use crate::error::{DecodeError, FatalError};
use crate::io::strip_file_scheme;

/// The dead-letter output of one statement or source. The file is created on the first failure.
pub struct DeadLetters {
    owner: &'static str,
    path: Option<PathBuf>,
    out: Option<BufWriter<File>>,
    count: u64,
}

#[derive(Serialize)]
struct Entry<'a> {
    statement: &'a str,
    error: &'a str,
    source: &'a str,
    file: std::borrow::Cow<'a, str>,
    line: u64,
    raw: std::borrow::Cow<'a, str>,
}

impl DeadLetters {
    /// Dead letters of `owner` written to `path`, or to standard error when there is no path.
    pub fn new(owner: &'static str, path: Option<PathBuf>) -> Self {
        Self { owner, path, out: None, count: 0 }
    }

    /// Records one failed record.
    pub fn push(&mut self, error: &dyn std::fmt::Display, rec: &Record<'_>) -> Result<(), FatalError> {
        self.count += 1;
        let error = error.to_string();
        let (file, line) = match rec.position {
            Position::Line { file, line } => (file.to_string_lossy(), line),
            Position::Derived => ("".into(), 0),
        };
        let entry = Entry {
            statement: self.owner,
            error: &error,
            source: rec.source,
            file,
            line,
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

    /// Flushes the file; a file left from an earlier run is removed when this run had no
    /// failures.
    fn close(mut self) -> Result<(), FatalError> {
        if let Some(out) = &mut self.out {
            out.flush()?;
        }
        if self.count == 0
            && let Some(p) = &self.path
        {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }
}

/// A failed record kept by a parallel reader, reported in input order once reading is done.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// Statement index, or `None` for a record that did not decode.
    statement: Option<usize>,
    error: String,
    source: String,
    file: PathBuf,
    line: u64,
    raw: Vec<u8>,
}

impl Rejected {
    /// Captures a record that statement `statement` (or, with `None`, the decoder) rejected.
    pub fn new(statement: Option<usize>, error: &dyn std::fmt::Display, rec: &Record<'_>) -> Self {
        let (file, line) = match rec.position {
            Position::Line { file, line } => (file.to_path_buf(), line),
            Position::Derived => (PathBuf::new(), 0),
        };
        Self { statement, error: error.to_string(), source: rec.source.to_string(), file, line, raw: rec.raw.to_vec() }
    }
}

/// The dead letters of every statement and source of one run.
pub struct DeadLetterQueues {
    statements: Vec<DeadLetters>,
    late: Vec<Late>,
    /// Per source: its own dead letters, if configured, and the first statement reading it.
    sources: Vec<(Option<DeadLetters>, usize)>,
}

impl DeadLetterQueues {
    /// Opens (lazily) the dead-letter outputs as configured.
    pub fn open(
        config: &Config,
        statements: &'static [StatementSpec],
        sources: &'static [SourceSpec],
    ) -> Result<Self, FatalError> {
        let path = |object: &str| config.get(object, "dlq").map(|p| PathBuf::from(strip_file_scheme(p)));
        let beside_sink = |sink: &str| {
            let kind = config.get(sink, "type").and_then(velo_spec::ConnectorKind::parse);
            let file = config.get(sink, "path").filter(|_| kind == Some(velo_spec::ConnectorKind::FileSink))?;
            let mut p = Path::new(strip_file_scheme(file)).as_os_str().to_owned();
            p.push(".dlq.jsonl");
            Some(PathBuf::from(p))
        };
        let statements: Vec<DeadLetters> = statements
            .iter()
            .map(|s| {
                let at = path(s.name).or_else(|| s.sink.and_then(|k| path(k).or_else(|| beside_sink(k))));
                DeadLetters::new(s.name, at)
            })
            .collect();
        let sources = sources.iter().map(|s| (path(s.name).map(|p| DeadLetters::new(s.name, Some(p))), s.first_reader));
        Ok(Self { late: vec![Late::default(); statements.len()], sources: sources.collect(), statements })
    }

    /// The dead letters of statement `i`.
    pub(crate) fn statement(&mut self, i: usize) -> &mut DeadLetters {
        &mut self.statements[i]
    }

    /// A record of source `source` that did not decode.
    pub fn undecodable(&mut self, source: usize, error: &DecodeError, rec: &Record<'_>) -> Result<Flow, FatalError> {
        let (own, first) = &mut self.sources[source];
        match own {
            Some(dlq) => dlq.push(error, rec)?,
            None => self.statements[*first].push(error, rec)?,
        }
        Ok(Flow::Continue)
    }

    /// Reports a record a parallel reader of source `source` kept, as if it failed now.
    pub fn replay(&mut self, source: usize, r: &Rejected) -> Result<(), FatalError> {
        let rec = Record::at_line(&r.source, &r.file, r.line, &r.raw);
        match r.statement {
            Some(stmt) => self.statements[stmt].push(&r.error, &rec),
            None => {
                self.undecodable(source, &DecodeError::new(r.error.clone()), &rec)?;
                Ok(())
            }
        }
    }

    pub(crate) fn count_late(&mut self, stmt: usize, dead_letter: bool) {
        let late = &mut self.late[stmt];
        late.count += 1;
        late.dead_lettered |= dead_letter;
    }

    /// How many records statement `i` dead-lettered, and where they went.
    pub(crate) fn summary(&self, i: usize) -> (u64, Option<PathBuf>) {
        let d = &self.statements[i];
        (d.count, d.path.clone())
    }

    /// The late records of statement `i`.
    pub(crate) fn late_records(&self, i: usize) -> Late {
        self.late[i]
    }

    /// Flushes every file, and reports sources whose own dead letters took records.
    pub fn close(self, ctx: &mut Context) -> Result<(), FatalError> {
        for (own, _) in self.sources {
            if let Some(d) = own {
                if d.count > 0 {
                    ctx.source_failed(d.owner, d.count, d.path.as_deref());
                }
                d.close()?;
            }
        }
        for d in self.statements {
            d.close()?;
        }
        Ok(())
    }
}
