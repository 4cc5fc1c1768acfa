//! The output side of one statement: its sink, its dead-letter queue, DISTINCT and LIMIT.
//! Generated code evaluates a row and hands the result here.

use std::collections::HashSet;
use std::fmt::Display;
use std::path::PathBuf;

use serde::Serialize;

use crate::app::{Context, Late, StatementSummary};
use crate::error::{EvalResult, FatalError};
use crate::io::dlq::DeadLetters;
use crate::io::sink::FileSink;
use crate::io::source::{Flow, Record};
use crate::record::SinkRow;

/// How a statement's output is shaped.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputOptions {
    /// `SELECT DISTINCT`: drop rows equal to an earlier one.
    pub distinct: bool,
    /// `LIMIT n`.
    pub limit: Option<u64>,
}

/// DISTINCT and LIMIT of one statement: decides whether an evaluated row is emitted.
#[derive(Debug, Default)]
pub struct Gate {
    seen: Option<HashSet<Vec<u8>>>,
    limit: Option<u64>,
    emitted: u64,
}

impl Gate {
    /// A gate with the statement's options.
    pub fn new(options: OutputOptions) -> Self {
        Self { seen: options.distinct.then(HashSet::new), limit: options.limit, emitted: 0 }
    }

    /// Whether LIMIT has been reached.
    pub fn is_done(&self) -> bool {
        self.limit.is_some_and(|l| self.emitted >= l)
    }

    /// Whether `row` is emitted: not past LIMIT and, under DISTINCT, not seen before (rows are
    /// compared by their JSON encoding, so decimals compare by value at their fixed scale).
    pub fn admit<R: Serialize>(&mut self, row: &R) -> bool {
        if self.is_done() {
            return false;
        }
        if let Some(seen) = &mut self.seen
            && let Ok(key) = serde_json::to_vec(row)
            && !seen.insert(key)
        {
            return false;
        }
        self.emitted += 1;
        true
    }

    /// How many rows were emitted.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }
}

/// The output of one statement in a file run.
pub struct Statement<R: SinkRow> {
    name: String,
    sink: Option<FileSink<R>>,
    dlq: DeadLetters,
    gate: Gate,
    late: Late,
}

impl<R: SinkRow> Statement<R> {
    /// Opens the statement's file sink (object `sink`, if any) and its dead-letter queue
    /// (`<name>.dlq`, else `<sink path>.dlq.jsonl`, else standard error).
    pub fn open(ctx: &Context, name: &str, sink: Option<&str>, options: OutputOptions) -> Result<Self, FatalError> {
        let sink = sink.map(|s| FileSink::open(&ctx.config, s)).transpose()?;
        let dlq_path =
            ctx.config.get(name, "dlq").map(|p| PathBuf::from(crate::io::strip_file_scheme(p))).or_else(|| {
                sink.as_ref().map(|s| {
                    let mut p = s.path().as_os_str().to_owned();
                    p.push(".dlq.jsonl");
                    PathBuf::from(p)
                })
            });
        Ok(Self {
            name: name.to_string(),
            sink,
            dlq: DeadLetters::new(name, dlq_path),
            gate: Gate::new(options),
            late: Late::default(),
        })
    }

    /// Whether LIMIT has been reached.
    pub fn is_done(&self) -> bool {
        self.gate.is_done()
    }

    /// Takes the evaluation result of one input record: emits the row (to the sink and to
    /// `downstream` statements), skips a filtered-out record, or dead-letters an error.
    #[inline]
    pub fn push(
        &mut self,
        result: EvalResult<Option<R>>,
        rec: &Record<'_>,
        downstream: impl FnOnce(&R, &Record<'_>) -> Result<Flow, FatalError>,
    ) -> Result<Flow, FatalError> {
        if self.is_done() {
            return Ok(Flow::Stop);
        }
        let row = match result {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(Flow::Continue),
            Err(e) => return self.reject(&e, rec),
        };
        if !self.gate.admit(&row) {
            return Ok(if self.is_done() { Flow::Stop } else { Flow::Continue });
        }
        if let Some(sink) = &mut self.sink {
            sink.write(&row)?;
        }
        let below = downstream(&row, rec)?;
        Ok(if self.is_done() || (self.sink.is_none() && below == Flow::Stop) { Flow::Stop } else { Flow::Continue })
    }

    /// Emits a result that belongs to no single input record (EMIT FINAL at end of input), or
    /// dead-letters its evaluation error.
    pub fn push_final(
        &mut self,
        result: EvalResult<Option<R>>,
        downstream: impl FnOnce(&R, &Record<'_>) -> Result<Flow, FatalError>,
    ) -> Result<Flow, FatalError> {
        let rec = Record { source: &self.name.clone(), file: std::path::Path::new(""), line: 0, raw: b"" };
        self.push(result, &rec, downstream)
    }

    /// Dead-letters a record that failed earlier on a parallel reader.
    pub fn reject_later(&mut self, rejected: &crate::io::dlq::Rejected) -> Result<(), FatalError> {
        rejected.report(&mut self.dlq)
    }

    /// Dead-letters a record that failed before or during evaluation.
    pub fn reject(&mut self, error: &dyn Display, rec: &Record<'_>) -> Result<Flow, FatalError> {
        self.dlq.push(error, rec)?;
        Ok(Flow::Continue)
    }

    /// Counts a record that arrived after its window fired, and dead-letters it when the
    /// statement's late-data strategy says so.
    pub fn late(&mut self, error: &dyn Display, rec: &Record<'_>, dead_letter: bool) -> Result<Flow, FatalError> {
        self.late.count += 1;
        if dead_letter {
            self.late.dead_lettered = true;
            self.dlq.push(error, rec)?;
        }
        Ok(Flow::Continue)
    }

    /// Flushes the sink and the dead-letter queue and reports the counts.
    pub fn finish(self, ctx: &mut Context) -> Result<(), FatalError> {
        let sink = self.sink.as_ref().map(|s| s.path().to_path_buf());
        if let Some(sink) = self.sink {
            sink.close()?;
        }
        let (dead_letters, dlq) = self.dlq.close()?;
        let late_letters = if self.late.dead_lettered { self.late.count } else { 0 };
        ctx.statement_done(StatementSummary {
            name: self.name,
            rows: self.gate.emitted(),
            sink,
            failed: dead_letters - late_letters,
            dlq,
            late: self.late,
        });
        Ok(())
    }
}

/// Does nothing downstream (a statement no other statement reads). It never asks the source to
/// stop: only a LIMIT does.
#[inline]
pub fn no_downstream<R>(_: &R, _: &Record<'_>) -> Result<Flow, FatalError> {
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_applies_distinct_then_limit() {
        let mut g = Gate::new(OutputOptions { distinct: true, limit: Some(2) });
        assert!(g.admit(&"a"));
        assert!(!g.admit(&"a"), "a duplicate is dropped and does not count");
        assert!(g.admit(&"b"));
        assert!(g.is_done());
        assert!(!g.admit(&"c"));
        assert_eq!(g.emitted(), 2);
    }
}
