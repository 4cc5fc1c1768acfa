//! # velo-rt
//!
//! The runtime that Velo-generated streaming SQL apps link against: exact decimals, SQL operators
//! and functions over nullable values, the state of aggregates, windows and window functions,
//! record formats, sources and sinks, the dead-letter queues, the driver that runs a dataflow,
//! and the `main` of every generated binary. Everything here is plain Rust and testable without
//! the compiler; generated code reaches it through [`__private`].
//!
//! | module | job |
//! |---|---|
//! | [`dataflow`] | the seams: `Record`, `Source`, `Sink`, statement outputs in a run or in library mode, the driver |
//! | [`format`] | record codecs (CSV, JSON), apart from transport |
//! | [`io`] | connectors (files) and dead letters |
//! | [`agg`], [`window`], [`over`] | operator state: accumulators and group tables, event-time windows, window functions |
//! | [`decimal`], [`time`], [`value`], [`ops`], [`cast`], [`func`], [`temporal`] | values and what SQL does with them |
//! | [`app`], [`config`] | the generated binary's `main`, flags and configuration |

pub mod agg;
pub mod app;
pub mod cast;
pub mod config;
pub mod dataflow;
pub mod decimal;
pub mod error;
pub mod format;
pub mod func;
pub mod io;
pub mod ops;
pub mod over;
pub mod row;
pub mod temporal;
pub mod time;
pub mod value;
pub mod window;

pub use decimal::Decimal;
pub use error::{DecodeError, EvalError, EvalResult, FatalError};
pub use time::{Date, Timestamp};

/// The global allocator of `velo build` binaries: mimalloc, which allocates and frees the small
/// strings of records, keys and output rows about a fifth faster than the system allocator
/// (benches/RESULTS.md, W3).
#[cfg(feature = "mimalloc")]
pub use mimalloc::MiMalloc as FastAllocator;

#[cfg(feature = "macros")]
pub use velo_macros::velo_sql;

/// Items used by generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::agg::{self, Accumulator, Groups, KeyF64};
    pub use crate::app::{self, AppSpec, Context};
    pub use crate::cast::{cast, cast_decimal};
    pub use crate::dataflow::driver::{Dataflow, Input, drive, read};
    pub use crate::dataflow::output::{
        Library, Mode, Output, OutputOptions, Rejects, Run, SourceSpec, StatementSpec, move_rows,
    };
    pub use crate::dataflow::{Flow, Record};
    pub use crate::decimal::Decimal;
    pub use crate::error::{DecodeError, EvalError, EvalResult, FatalError};
    pub use crate::format::csv::{CsvFields, CsvOut, FromCsv, ToCsv};
    pub use crate::io::dlq::Rejected;
    pub use crate::io::file::{FileSourceSpec, read_parallel};
    pub use crate::io::open_source;
    pub use crate::row::{SourceRow, check_digits};
    pub use crate::time::{Date, Timestamp};
    pub use crate::value::{decimal_as_number, json_double};
    pub use crate::window::{self, EventTime, Fate, Sessions, WindowBounds, Windows};
    pub use crate::{func, ops, over};
    pub use serde;
}
