//! Event time and windows of a statement, as planned.

use crate::ir::expr::TExpr;

pub(crate) use velo_spec::window::{LateStrategy, TimeFormat, WindowKind};

/// Where a record's event time comes from: a column (TIMESTAMP or BIGINT epoch milliseconds, or
/// a STRING or BIGINT read with `format`), or, without one, the time the record is read.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct EventTime {
    /// The event-time column; `None` means processing time.
    pub column: Option<TExpr>,
    /// `'event.time.format'`, when given.
    pub format: Option<TimeFormat>,
}

/// Why a record's event time cannot be read: a message and a hint.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unreadable {
    /// What is wrong.
    pub why: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// The system column holding a record's event time.
pub(crate) const EVENT_TIME_COLUMN: &str = "_event_time";
/// The system column holding the time a record was read (its source timestamp).
pub(crate) const TIMESTAMP_COLUMN: &str = "_timestamp";

/// A window of one aggregating statement, ready for emission.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WindowPlan {
    /// Window shape.
    pub kind: WindowKind,
    /// The event time of an input row.
    pub time: EventTime,
    /// Watermark lag behind the largest event time, in milliseconds.
    pub out_of_orderness: i64,
    /// How long a fired window accepts late records (`update_previous_window`), in milliseconds.
    pub allowed_lateness: i64,
    /// Late-record handling.
    pub late: LateStrategy,
}

/// Names of the window bound columns, as written in SQL (any case).
pub(crate) const WINDOW_START_NAMES: &[&str] = &["_window_start", "window_start"];
/// See [`WINDOW_START_NAMES`].
pub(crate) const WINDOW_END_NAMES: &[&str] = &["_window_end", "window_end"];
/// Functions that return the window bounds (their arguments are ignored, as in Velostream).
pub(crate) const WINDOW_START_FUNCTIONS: &[&str] = &["TUMBLE_START", "HOP_START", "WINDOW_START"];
/// See [`WINDOW_START_FUNCTIONS`].
pub(crate) const WINDOW_END_FUNCTIONS: &[&str] = &["TUMBLE_END", "HOP_END", "WINDOW_END"];
