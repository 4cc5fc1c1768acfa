//! JSON Lines and JSON array records of a mapped file.

use std::path::Path;

use serde_json::value::RawValue;

use super::mapped::{Mapped, Range};
use super::{Consume, FileSourceSpec, Flow, Record, trim_newline};
use crate::error::{DecodeError, FatalError};
use crate::record::SourceRow;

/// Reads one JSON object per line from `range`, window by window, releasing each window's pages
/// once read. Blank lines are skipped.
pub(super) fn read_json_lines_range<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    mapped: &Mapped,
    range: Range,
    count: &mut u64,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    let data = mapped.data();
    let mut line = range.first_line;
    for (pos, end) in mapped.windows(range.start, range.end) {
        let mut rest = &data[pos..end];
        while !rest.is_empty() {
            let (text, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            rest = next;
            line += 1;
            let raw = trim_newline(text);
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            *count += 1;
            let rec = Record { source: &spec.name, file, line: line - 1, raw };
            let row = serde_json::from_slice::<R>(raw)
                .map_err(|e| DecodeError::new(e.to_string()))
                .and_then(|r| r.validate().map(|_| r));
            if consume(row.as_ref().map_err(Clone::clone), &rec)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        mapped.release(pos, end);
    }
    Ok(Flow::Continue)
}

/// Reads a JSON array of objects (the whole file is parsed at once: an array is one value); a
/// file that does not start with `[` is read as JSON Lines.
pub(super) fn read_json<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    mapped: &Mapped,
    count: &mut u64,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    let data = mapped.data();
    let first = data.iter().position(|b| !b.is_ascii_whitespace());
    if first.is_none_or(|i| data[i] != b'[') {
        let range = Range { start: 0, end: data.len(), first_line: 1 };
        return read_json_lines_range(spec, file, mapped, range, count, consume);
    }
    let items: Vec<&RawValue> = match serde_json::from_slice(data) {
        Ok(items) => items,
        Err(e) => {
            // The file is not a valid array: report the whole file as one failed record.
            *count += 1;
            let rec = Record { source: &spec.name, file, line: 1, raw: trim_newline(data) };
            return consume(Err(DecodeError::new(format!("not a JSON array: {e}"))), &rec);
        }
    };
    let (mut line, mut counted) = (1u64, 0usize);
    for item in items {
        let raw = item.get().as_bytes();
        let offset = (raw.as_ptr() as usize).saturating_sub(data.as_ptr() as usize).min(data.len());
        line += data[counted.min(offset)..offset].iter().filter(|b| **b == b'\n').count() as u64;
        counted = counted.max(offset);
        *count += 1;
        let rec = Record { source: &spec.name, file, line, raw };
        let row = serde_json::from_str::<R>(item.get())
            .map_err(|e| DecodeError::new(e.to_string()))
            .and_then(|r| r.validate().map(|_| r));
        if consume(row.as_ref().map_err(Clone::clone), &rec)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}
