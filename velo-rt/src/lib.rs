//! # velo-rt
//!
//! The runtime that Velo-generated streaming SQL apps link against: exact decimals, SQL operators
//! and functions over nullable values, file sources and sinks, the dead-letter queue, and the
//! `main` of every generated binary. Everything here is plain Rust and testable without the
//! compiler; generated code reaches it through [`__private`].

pub mod agg;
pub mod app;
pub mod cast;
pub mod config;
pub mod decimal;
pub mod error;
pub mod func;
pub mod io;
pub mod ops;
pub mod over;
pub mod record;
pub mod statement;
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
    pub use crate::decimal::Decimal;
    pub use crate::error::{DecodeError, EvalError, EvalResult, FatalError};
    pub use crate::io::dlq::Rejected;
    pub use crate::io::source::{FileSourceSpec, Flow, Record, read_file_source, read_file_source_parallel};
    pub use crate::record::{CsvFields, CsvOut, SinkRow, SourceRow};
    pub use crate::statement::{Gate, OutputOptions, Statement, no_downstream};
    pub use crate::time::{Date, Timestamp};
    pub use crate::value::decimal_as_number;
    pub use crate::window::{self, EventTime, Fate, Sessions, WindowBounds, Windows};
    pub use crate::{func, ops, over};
    pub use serde;
}
