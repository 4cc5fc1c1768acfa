//! Dead letters: every record that fails to decode or evaluate is written with the error, its
//! source position and its original text, as one JSON object per line, to the dead-letter file
//! of the statement (`'<statement>.dlq'`, else `'<sink>.dlq'`, else `<sink path>.dlq.jsonl`,
//! else standard error). Records of a source that do not decode go to `'<source>.dlq'` when the
//! source has one, else to the dead letters of the first statement that reads it.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::app::{Context, Late};
use crate::config::Config;
use crate::dataflow::output::{SourceSpec, StatementSpec};
use crate::dataflow::{Flow, Position, Record};
use crate::error::{DecodeError, FatalError};
use crate::io::file::staged::{StagedFile, Staging};

/// The dead-letter output of one statement or source. The file is created on the first failure
/// and staged like a sink's ([`StagedFile`]).
pub struct DeadLetters {
    owner: &'static str,
    path: Option<PathBuf>,
    staging: Staging,
    out: Option<BufWriter<StagedFile>>,
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
    /// Dead letters of `owner` written to `path` as `staging` says, or to standard error when
    /// there is no path.
    pub fn new(owner: &'static str, path: Option<PathBuf>, staging: Staging) -> Self {
        Self { owner, path, staging, out: None, count: 0 }
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
            let f = StagedFile::create(path, self.staging, &mut Vec::new())
                .map_err(|e| FatalError(format!("cannot create dead-letter file `{}`: {e}", path.display())))?;
            self.out = Some(BufWriter::new(f));
        }
        if let Some(out) = &mut self.out {
            serde_json::to_writer(&mut *out, &entry)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Commits the file (unless `keep` is false: then the previous one stays); a file left
    /// from an earlier run is removed when this run had no failures and does not append.
    fn close(self, keep: bool) -> Result<(), FatalError> {
        let cannot =
            |e: std::io::Error, p: &Path| FatalError(format!("cannot write dead-letter file `{}`: {e}", p.display()));
        match (self.out, &self.path) {
            (Some(out), Some(p)) if keep => {
                out.into_inner().map_err(|e| cannot(e.into_error(), p))?.commit().map_err(|e| cannot(e, p))?
            }
            (None, Some(p)) if keep && self.staging != Staging::Append => {
                let _ = std::fs::remove_file(p);
            }
            _ => {}
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
    /// Opens (lazily) the dead-letter outputs as configured, staged as `staging` says; those of
    /// a statement whose sink appends are appended to.
    pub fn open(
        config: &Config,
        staging: Staging,
        statements: &'static [StatementSpec],
        sources: &'static [SourceSpec],
    ) -> Result<Self, FatalError> {
        let get = |object: &str, key: &str| config.get(object, key);
        let mut letters = Vec::with_capacity(statements.len());
        for s in statements {
            let appends = match s.sink {
                Some(sink) => config.flag(sink, "append", false)?,
                None => false,
            };
            let at = velo_spec::files::dead_letter_file(&get, s.name, s.sink).map(PathBuf::from);
            letters.push(DeadLetters::new(s.name, at, if appends { Staging::Append } else { staging }));
        }
        let statements = letters;
        let own = |s: &SourceSpec| {
            let at = config.get(s.name, "dlq").map(|p| PathBuf::from(velo_spec::files::strip_file_scheme(p)));
            (at.map(|p| DeadLetters::new(s.name, Some(p), staging)), s.first_reader)
        };
        let sources = sources.iter().map(own);
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

    /// Commits every file (when the run's outputs are kept), and reports sources whose own
    /// dead letters took records.
    pub fn close(self, ctx: &mut Context) -> Result<(), FatalError> {
        let keep = ctx.keeps_outputs();
        for (own, _) in self.sources {
            if let Some(d) = own {
                if d.count > 0 {
                    ctx.source_failed(d.owner, d.count, d.path.as_deref());
                }
                d.close(keep)?;
            }
        }
        for d in self.statements {
            d.close(keep)?;
        }
        Ok(())
    }
}
