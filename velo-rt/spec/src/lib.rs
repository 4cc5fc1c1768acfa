//! # velo-spec
//!
//! What the Velo compiler (`velo-codegen`) and the runtime (`velo-rt`) must agree on, written
//! once: the connector kinds and the WITH keys each understands, file formats and their
//! options, the files an app uses (no two objects may share one), window shapes, late-data
//! strategies, event-time formats, and the temporal text both sides read. The compiler checks an app against these tables at build time; the runtime
//! applies the same tables to the start-up overrides of a built binary.

#![deny(unreachable_pub, missing_docs)]

pub mod connector;
pub mod files;
pub mod format;
pub mod suggest;
pub mod time;
pub mod window;

pub use connector::{ConnectorKind, Key, KeyStatus};
pub use files::{AppFile, FileUse};
pub use format::{FileFormat, parse_delimiter, parse_flag};
pub use suggest::did_you_mean;
pub use window::{Hop, LateStrategy, TimeFormat, Watermarks, WindowKind};

/// The most reader threads a run may use (`@num_partitions`, `--partitions`).
pub const MAX_PARTITIONS: u64 = 256;
