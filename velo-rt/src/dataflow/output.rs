//! The output side of a statement: DISTINCT and LIMIT ([`Gate`]), and where its rows and failed
//! records go, which depends on the [`Mode`] the dataflow runs in: a [`Run`] writes rows to the
//! statement's [`Sink`] and failed records to dead-letter files; [`Library`] mode collects both in
//! vectors for the caller.

use std::collections::HashSet;
use std::convert::Infallible;

use serde::Serialize;

use super::{Flow, Record, Sink};
use crate::app::{Context, Late, StatementSummary};
use crate::error::{EvalError, EvalResult, FatalError};
use crate::io::dlq::DeadLetterQueues;
use crate::row::SinkRow;

/// How a statement's output is shaped.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputOptions {
    /// `SELECT DISTINCT`: drop rows equal to an earlier one.
    pub distinct: bool,
    /// `LIMIT n`.
    pub limit: Option<u64>,
}

/// What the compiler knows about one statement's output.
#[derive(Debug, Clone, Copy)]
pub struct StatementSpec {
    /// The statement's name.
    pub name: &'static str,
    /// Its sink object, if its rows are written somewhere.
    pub sink: Option<&'static str>,
    /// DISTINCT and LIMIT.
    pub options: OutputOptions,
}

/// What the compiler knows about one source.
#[derive(Debug, Clone, Copy)]
pub struct SourceSpec {
    /// The source object's name.
    pub name: &'static str,
    /// The first statement that reads it: its dead letters take the records that do not decode,
    /// unless the source has a `dlq` of its own.
    pub first_reader: usize,
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

/// Where a dataflow's results go: the types behind every statement's [`Output`].
pub trait Mode: Sized {
    /// Where one statement's rows go.
    type Rows<R: SinkRow + 'static>: Rows<R>;
    /// Where every statement's failed records go.
    type Rejects: Rejects;
    /// What opening the outputs needs (the run's configuration, or nothing).
    type Env: ?Sized;
    /// Why opening them can fail.
    type Error;

    /// Opens the rows of statement `spec`.
    fn rows<R: SinkRow + 'static>(env: &Self::Env, spec: &StatementSpec) -> Result<Self::Rows<R>, Self::Error>;

    /// Opens the failed-record outputs of an app's statements and sources.
    fn rejects(
        env: &Self::Env,
        statements: &'static [StatementSpec],
        sources: &'static [SourceSpec],
    ) -> Result<Self::Rejects, Self::Error>;
}

/// Where one statement's admitted rows go.
pub trait Rows<R> {
    /// Takes one row.
    fn write(&mut self, row: R) -> Result<(), FatalError>;
    /// Whether rows go nowhere (a statement without a sink, in a run).
    fn discards(&self) -> bool;
}

/// Where failed records go.
pub trait Rejects {
    /// Statement `stmt` could not evaluate a record.
    fn record(&mut self, stmt: usize, error: EvalError, rec: &Record<'_>) -> Result<Flow, FatalError>;
    /// A record arrived after its windows fired; it is dead-lettered when `dead_letter`.
    fn late(&mut self, stmt: usize, error: EvalError, rec: &Record<'_>, dead_letter: bool) -> Result<Flow, FatalError>;
}

/// The output of one statement.
pub struct Output<R: SinkRow + 'static, M: Mode> {
    index: usize,
    spec: StatementSpec,
    gate: Gate,
    rows: M::Rows<R>,
}

impl<R: SinkRow + 'static, M: Mode> Output<R, M> {
    /// Opens the output of statement `index` of `statements`.
    pub fn open(env: &M::Env, statements: &[StatementSpec], index: usize) -> Result<Self, M::Error> {
        let spec = statements[index];
        Ok(Self { index, spec, gate: Gate::new(spec.options), rows: M::rows(env, &spec)? })
    }

    /// Whether LIMIT has been reached.
    pub fn is_done(&self) -> bool {
        self.gate.is_done()
    }

    /// Takes the statement's result for one record: an error is dead-lettered, a filtered-out
    /// record skipped, and a row that passes DISTINCT and LIMIT handed back — for the statements
    /// that read this one, then for [`Output::write`].
    #[inline]
    pub fn admit(
        &mut self,
        result: EvalResult<Option<R>>,
        rec: &Record<'_>,
        rejects: &mut M::Rejects,
    ) -> Result<Option<R>, FatalError> {
        if self.is_done() {
            return Ok(None);
        }
        let row = match result {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(None),
            Err(e) => {
                rejects.record(self.index, e, rec)?;
                return Ok(None);
            }
        };
        if !self.gate.admit(&row) {
            return Ok(None);
        }
        Ok(Some(row))
    }

    /// Writes an admitted row (to the sink, or the vector of library mode).
    #[inline]
    pub fn write(&mut self, row: R) -> Result<(), FatalError> {
        self.rows.write(row)
    }

    /// [`Output::admit`] then [`Output::write`]: the whole output of a statement no other
    /// statement reads. Written out rather than calling `admit`, so the row moves once, straight
    /// into the sink or vector (this is the per-row path of most statements).
    #[inline]
    pub fn emit(
        &mut self,
        result: EvalResult<Option<R>>,
        rec: &Record<'_>,
        rejects: &mut M::Rejects,
    ) -> Result<(), FatalError> {
        if self.is_done() {
            return Ok(());
        }
        match result {
            Ok(Some(row)) if self.gate.admit(&row) => self.rows.write(row),
            Ok(_) => Ok(()),
            Err(e) => rejects.record(self.index, e, rec).map(|_| ()),
        }
    }

    /// Whether the source should keep reading for this statement, given what the statements
    /// that read it said (`below`): not once LIMIT is reached, nor when its rows go nowhere and
    /// no reader wants more.
    pub fn flow(&self, below: Flow) -> Flow {
        if self.is_done() || (self.rows.discards() && below == Flow::Stop) { Flow::Stop } else { Flow::Continue }
    }
}

/// A run of the app's binary: rows go to each statement's sink, failed records to its
/// dead-letter file.
#[derive(Debug)]
pub enum Run {}

impl Mode for Run {
    type Rows<R: SinkRow + 'static> = Option<Box<dyn Sink<R>>>;
    type Rejects = DeadLetterQueues;
    type Env = Context;
    type Error = FatalError;

    fn rows<R: SinkRow + 'static>(ctx: &Context, spec: &StatementSpec) -> Result<Self::Rows<R>, FatalError> {
        spec.sink.map(|sink| crate::io::open_sink::<R>(&ctx.config, sink, ctx.staging())).transpose()
    }

    fn rejects(
        ctx: &Context,
        statements: &'static [StatementSpec],
        sources: &'static [SourceSpec],
    ) -> Result<DeadLetterQueues, FatalError> {
        DeadLetterQueues::open(&ctx.config, ctx.staging(), statements, sources)
    }
}

impl<R> Rows<R> for Option<Box<dyn Sink<R>>> {
    #[inline]
    fn write(&mut self, row: R) -> Result<(), FatalError> {
        match self {
            Some(sink) => sink.write(&row),
            None => Ok(()),
        }
    }

    fn discards(&self) -> bool {
        self.is_none()
    }
}

impl Rejects for DeadLetterQueues {
    fn record(&mut self, stmt: usize, error: EvalError, rec: &Record<'_>) -> Result<Flow, FatalError> {
        self.statement(stmt).push(&error, rec)?;
        Ok(Flow::Continue)
    }

    fn late(&mut self, stmt: usize, error: EvalError, rec: &Record<'_>, dead_letter: bool) -> Result<Flow, FatalError> {
        self.count_late(stmt, dead_letter);
        if dead_letter {
            self.statement(stmt).push(&error, rec)?;
        }
        Ok(Flow::Continue)
    }
}

impl<R: SinkRow + 'static> Output<R, Run> {
    /// Hands buffered rows to the sink.
    pub fn flush(&mut self) -> Result<(), FatalError> {
        match &mut self.rows {
            Some(sink) => sink.flush(),
            None => Ok(()),
        }
    }

    /// Closes the sink (or, when the run's outputs are not kept, drops it: a staged file is
    /// not replaced) and reports what the statement did.
    pub fn close(self, rejects: &DeadLetterQueues, ctx: &mut Context) -> Result<(), FatalError> {
        let sink = self.rows.as_ref().map(|s| s.location());
        if let Some(s) = self.rows.filter(|_| ctx.keeps_outputs()) {
            s.close()?;
        }
        let (dead_letters, dlq) = rejects.summary(self.index);
        let late: Late = rejects.late_records(self.index);
        let late_letters = if late.dead_lettered { late.count } else { 0 };
        ctx.statement_done(StatementSummary {
            name: self.spec.name.to_string(),
            rows: self.gate.emitted(),
            sink,
            failed: dead_letters - late_letters,
            dlq,
            late,
        });
        Ok(())
    }
}

/// Library mode (`velo_sql!`'s `Pipeline`): rows and failed records are collected in vectors.
#[derive(Debug)]
pub enum Library {}

impl Mode for Library {
    type Rows<R: SinkRow + 'static> = Vec<R>;
    type Rejects = Collected;
    type Env = ();
    type Error = Infallible;

    fn rows<R: SinkRow + 'static>(_: &(), _: &StatementSpec) -> Result<Vec<R>, Infallible> {
        Ok(Vec::new())
    }

    fn rejects(
        _: &(),
        statements: &'static [StatementSpec],
        _: &'static [SourceSpec],
    ) -> Result<Collected, Infallible> {
        Ok(Collected { statements, errors: Vec::new() })
    }
}

impl<R> Rows<R> for Vec<R> {
    #[inline]
    fn write(&mut self, row: R) -> Result<(), FatalError> {
        self.push(row);
        Ok(())
    }

    fn discards(&self) -> bool {
        false
    }
}

/// Moves `from`'s items to the end of `to` (without copying them when `to` is empty).
#[inline]
pub fn move_rows<T>(from: &mut Vec<T>, to: &mut Vec<T>) {
    if from.is_empty() {
    } else if to.is_empty() {
        std::mem::swap(from, to);
    } else {
        to.append(from);
    }
}

/// The failed records of library mode: (statement, error), in order.
#[derive(Debug)]
pub struct Collected {
    statements: &'static [StatementSpec],
    errors: Vec<(&'static str, EvalError)>,
}

impl Collected {
    /// Where errors are collected (see [`Output::rows`]).
    pub fn errors(&mut self) -> &mut Vec<(&'static str, EvalError)> {
        &mut self.errors
    }
}

impl Rejects for Collected {
    fn record(&mut self, stmt: usize, error: EvalError, _: &Record<'_>) -> Result<Flow, FatalError> {
        self.errors.push((self.statements[stmt].name, error));
        Ok(Flow::Continue)
    }

    fn late(&mut self, stmt: usize, error: EvalError, rec: &Record<'_>, dead_letter: bool) -> Result<Flow, FatalError> {
        if dead_letter {
            self.record(stmt, error, rec)?;
        }
        Ok(Flow::Continue)
    }
}

impl<R: SinkRow + 'static> Output<R, Library> {
    /// Where rows are collected (library mode moves them to the caller's vectors).
    pub fn rows(&mut self) -> &mut Vec<R> {
        &mut self.rows
    }
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
