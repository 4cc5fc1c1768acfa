//! JSON framing of a mapped file: one object per line (JSON Lines), or the elements of one
//! array. Each record is decoded by the JSON codec.

use std::path::Path;

use serde_json::value::RawValue;

use super::mapped::{Mapped, Range};
use super::{hand_over, trim_newline};
use crate::dataflow::{Consume, Flow, Record};
use crate::error::{DecodeError, FatalError};
use crate::format::RecordDecoder;
use crate::format::json::JsonDecoder;
use crate::row::SourceRow;

/// What reading the records of one JSON file needs.
pub(super) struct JsonFile<'a> {
    pub source: &'a str,
    pub path: &'a Path,
}

/// The elements of a JSON array file: byte range and line of each, found once when the file is
/// opened (an array is one value), then delivered window by window.
pub(super) struct Elements {
    items: Vec<(usize, usize, u64)>,
    next: usize,
}

/// How a JSON file is framed: lines, or the elements of an array (with a whole-file error when
/// it is not a valid array).
pub(super) enum Framing {
    Lines,
    Array(Elements),
    Invalid(String),
}

impl JsonFile<'_> {
    /// Reads the lines of `range`, window by window, releasing each window's pages once read.
    /// Blank lines are skipped. Returns the flow and the line after the last one read.
    pub(super) fn read_lines<R: SourceRow>(
        &self,
        mapped: &Mapped,
        range: Range,
        windows: usize,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<(Flow, Range), FatalError> {
        let data = mapped.data();
        let mut line = range.first_line;
        let mut at = range.start;
        for (pos, end) in mapped.windows(range.start, range.end).take(windows) {
            if self.lines(&data[pos..end], &mut line, row, count, consume)? == Flow::Stop {
                return Ok((Flow::Stop, Range { start: end, end: range.end, first_line: line }));
            }
            mapped.release(pos, end);
            at = end;
        }
        Ok((Flow::Continue, Range { start: at, end: range.end, first_line: line }))
    }

    /// Reads the JSON Lines of `chunk` (whole lines), the first numbered `*line`.
    pub(super) fn lines<R: SourceRow>(
        &self,
        chunk: &[u8],
        line: &mut u64,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<Flow, FatalError> {
        let mut decoder = JsonDecoder::default();
        let mut rest = chunk;
        while !rest.is_empty() {
            let (text, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            rest = next;
            *line += 1;
            let raw = trim_newline(text);
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            *count += 1;
            let rec = Record::at_line(self.source, self.path, *line - 1, raw);
            if hand_over(decoder.decode(raw, row), row, &rec, consume)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// How the file is framed: an array when it starts with `[`, else JSON Lines.
    pub(super) fn framing(data: &[u8]) -> Framing {
        let first = data.iter().position(|b| !b.is_ascii_whitespace());
        if first.is_none_or(|i| data[i] != b'[') {
            return Framing::Lines;
        }
        let items: Vec<&RawValue> = match serde_json::from_slice(data) {
            Ok(items) => items,
            Err(e) => return Framing::Invalid(format!("not a JSON array: {e}")),
        };
        let (mut line, mut counted) = (1u64, 0usize);
        let items = items
            .into_iter()
            .map(|item| {
                let raw = item.get().as_bytes();
                let offset = (raw.as_ptr() as usize).saturating_sub(data.as_ptr() as usize).min(data.len());
                line += data[counted.min(offset)..offset].iter().filter(|b| **b == b'\n').count() as u64;
                counted = counted.max(offset);
                (offset, offset + raw.len(), line)
            })
            .collect();
        Framing::Array(Elements { items, next: 0 })
    }

    /// Delivers the next elements of an array, about `budget` bytes of them; `Ok(None)` once
    /// every element was delivered.
    pub(super) fn read_elements<R: SourceRow>(
        &self,
        data: &[u8],
        elements: &mut Elements,
        budget: usize,
        row: &mut R,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<Option<Flow>, FatalError> {
        if elements.next >= elements.items.len() {
            return Ok(None);
        }
        let mut decoder = JsonDecoder::default();
        let mut read = 0;
        while let Some(&(start, end, line)) = elements.items.get(elements.next) {
            if read >= budget {
                break;
            }
            elements.next += 1;
            read += end - start;
            *count += 1;
            let raw = &data[start..end];
            let rec = Record::at_line(self.source, self.path, line, raw);
            if hand_over(decoder.decode(raw, row), row, &rec, consume)? == Flow::Stop {
                return Ok(Some(Flow::Stop));
            }
        }
        Ok(Some(Flow::Continue))
    }

    /// Reports a file that is not a valid array as one failed record.
    pub(super) fn invalid<R>(
        &self,
        data: &[u8],
        why: &str,
        count: &mut u64,
        consume: &mut impl Consume<R>,
    ) -> Result<Flow, FatalError> {
        *count += 1;
        let rec = Record::at_line(self.source, self.path, 1, trim_newline(data));
        consume(Err(DecodeError::new(why)), &rec)
    }
}
