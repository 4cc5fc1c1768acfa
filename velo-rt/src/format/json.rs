//! JSON records: one object per record, decimals exact (see `crate::value`).

use std::marker::PhantomData;

use serde::Serialize;

use super::{RecordDecoder, RecordEncoder};
use crate::error::{DecodeError, FatalError};
use crate::row::SourceRow;

/// Decodes a JSON object into a row; NOT NULL columns are checked.
#[derive(Debug)]
pub struct JsonDecoder<R>(PhantomData<fn() -> R>);

impl<R> Default for JsonDecoder<R> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<R: SourceRow> RecordDecoder<R> for JsonDecoder<R> {
    #[inline]
    fn decode(&mut self, bytes: &[u8], row: &mut R) -> Result<(), DecodeError> {
        *row = serde_json::from_slice(bytes).map_err(|e| DecodeError::new(e.to_string()))?;
        row.validate()
    }
}

/// Encodes a row as one JSON object (no terminator: the transport frames records).
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonEncoder;

impl<R: Serialize> RecordEncoder<R> for JsonEncoder {
    #[inline]
    fn encode(&mut self, row: &R, out: &mut Vec<u8>) -> Result<(), FatalError> {
        serde_json::to_writer(out, row)?;
        Ok(())
    }
}
