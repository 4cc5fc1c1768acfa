//! Record formats, apart from the transport that carries the bytes: a [`RecordDecoder`] turns
//! one record's bytes into a typed row, a [`RecordEncoder`] one row into bytes. File sources
//! and sinks frame records (lines, CSV quoting, JSON arrays) and use these for each record; a
//! message-based transport (Kafka) uses them per message.

pub mod csv;
pub mod json;

use crate::error::{DecodeError, FatalError};

/// Decodes one record into a typed row.
pub trait RecordDecoder<R> {
    /// Decodes `bytes` (one record, without its terminator) into `row`, overwriting every
    /// column; a record that does not fit the row's schema is an error naming the column.
    fn decode(&mut self, bytes: &[u8], row: &mut R) -> Result<(), DecodeError>;
}

/// Encodes one typed row as a record.
pub trait RecordEncoder<R> {
    /// Appends `row`, encoded, to `out` (with the format's record terminator, if it has one).
    fn encode(&mut self, row: &R, out: &mut Vec<u8>) -> Result<(), FatalError>;
}
