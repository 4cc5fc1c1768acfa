//! The seams between generated code and the world. Generated code is the dataflow only: typed
//! rows, one `push_<statement>` function per statement, operator state in runtime types. Around
//! it the runtime puts:
//!
//! - [`Source`]: decoded rows with their [`Record`] position, polled a batch at a time, bounded
//!   (files) or unbounded, with an optional watermark hint;
//! - [`Sink`]: where a statement's rows go, with `flush` and an acknowledgement point
//!   (`acknowledge`) that delivery guarantees wait on;
//! - [`Mode`]: a run (sinks and dead-letter files) or library mode (rows collected in vectors),
//!   so the binary and `velo_sql!` share one dataflow;
//! - the [`driver`]: one loop that polls every source of the app in turn, fires processing-time
//!   timers, flushes sinks periodically and stops cleanly on SIGTERM/SIGINT.

pub mod driver;
pub mod output;

use std::path::Path;

use crate::error::{DecodeError, FatalError};

/// Where a record came from, for error reports.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The source object (or, for a row an operator emitted on its own, the statement).
    pub source: &'a str,
    /// Where in the source.
    pub position: Position<'a>,
    /// The record's original bytes (without the line terminator).
    pub raw: &'a [u8],
}

/// A record's place in its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position<'a> {
    /// The record starts on 1-based line `line` of `file`.
    Line {
        /// The file.
        file: &'a Path,
        /// Its line.
        line: u64,
    },
    /// Not read from a source: a row an operator emitted when a window fired or the input ended.
    Derived,
}

impl<'a> Record<'a> {
    /// The record of a row statement `statement` emitted on its own (a fired window, the end of
    /// the input).
    pub fn derived(statement: &'a str) -> Self {
        Record { source: statement, position: Position::Derived, raw: b"" }
    }

    /// The record at `line` of `file`.
    pub fn at_line(source: &'a str, file: &'a Path, line: u64, raw: &'a [u8]) -> Self {
        Record { source, position: Position::Line { file, line }, raw }
    }
}

/// Whether a consumer wants more input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flow {
    /// Every consumer is satisfied (e.g. all LIMITs reached); the source may stop.
    Stop,
    /// Keep reading.
    Continue,
}

/// What a source hands every record to: the decoded row (or why it did not decode) and where it
/// came from; the answer says whether to keep reading.
pub trait Consume<R>: FnMut(Result<&R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError> {}

impl<R, F> Consume<R> for F where F: FnMut(Result<&R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError> {}

/// What one poll of a source found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    /// Records were delivered; more may be ready at once.
    Ready,
    /// Nothing is ready now (an unbounded source waiting for data); poll again later.
    Idle,
    /// The source has ended (or its consumers need no more).
    Done,
}

/// A source of typed rows: a file, a glob of files, a topic.
pub trait Source {
    /// The row type its records decode into.
    type Row;

    /// Hands the next batch of records (decoded, or the reason they did not decode) to
    /// `consume`, in order.
    fn poll<C: Consume<Self::Row>>(&mut self, consume: &mut C) -> Result<Polled, FatalError>;

    /// Event times below this will not come any more (`None`: no promise). The driver polls the
    /// source furthest behind first, so inputs of one statement interleave by event time.
    fn watermark(&self) -> Option<i64> {
        None
    }

    /// The source object's name.
    fn name(&self) -> &str;

    /// Records read so far.
    fn records(&self) -> u64;

    /// Where it reads from, for the run summary.
    fn location(&self) -> String;
}

/// Where one statement's rows go.
pub trait Sink<R> {
    /// Writes one row (buffered).
    fn write(&mut self, row: &R) -> Result<(), FatalError>;

    /// Hands buffered rows to the destination (the driver calls this periodically).
    fn flush(&mut self) -> Result<(), FatalError>;

    /// Returns once every row written so far is durable (a file synced, a broker's delivery
    /// reports received): the point a checkpoint commits at.
    fn acknowledge(&mut self) -> Result<(), FatalError>;

    /// Ends the output of a finished run (acknowledged, then completed: a JSON array closed).
    fn close(self: Box<Self>) -> Result<(), FatalError>;

    /// Where the rows go, for the run summary.
    fn location(&self) -> String;
}
