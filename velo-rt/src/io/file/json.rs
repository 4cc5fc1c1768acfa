//! JSON framing of a mapped file: one object per line (JSON Lines), or the elements of one
//! array. Each record is decoded by the JSON codec.

use std::path::Path;

use super::mapped::{Mapped, Range};
use super::{bom, hand_over, trim_newline};
use crate::dataflow::{Consume, Flow, Record};
use crate::error::FatalError;
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

/// How a JSON file is framed: lines, or the elements of an array.
pub(super) enum Framing {
    Lines,
    Array(Elements),
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

    /// How the file is framed: an array when it starts with `[` (after a byte-order mark and
    /// white space), else JSON Lines.
    pub(super) fn framing(data: &[u8]) -> Framing {
        let first = data.iter().skip(bom(data)).position(|b| !b.is_ascii_whitespace()).map(|i| i + bom(data));
        if first.is_none_or(|i| data[i] != b'[') {
            return Framing::Lines;
        }
        Framing::Array(Elements { items: split_array(data), next: 0 })
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
}

/// The elements of the JSON array in `data` as (start, end, line): found by their framing alone
/// — strings, escapes and nesting — so that a defect in one element (a bad escape, invalid
/// UTF-8, a stray character) fails only that element when it is decoded. An empty element
/// (`[1,,2]`) and text after the closing `]` are elements too (they fail to decode); a trailing
/// comma before `]` is not.
fn split_array(data: &[u8]) -> Vec<(usize, usize, u64)> {
    let skip_space = |mut i: usize, line: &mut u64| {
        while let Some(&b) = data.get(i).filter(|b| b.is_ascii_whitespace()) {
            *line += u64::from(b == b'\n');
            i += 1;
        }
        i
    };
    let mut line = 1;
    let mut i = skip_space(bom(data), &mut line) + 1; // past `[`
    let mut items = Vec::new();
    loop {
        i = skip_space(i, &mut line);
        let (start, first_line) = (i, line);
        let (mut depth, mut in_string) = (0usize, false);
        while let Some(&b) = data.get(i) {
            match b {
                b'\\' if in_string => {
                    // The escaped byte is skipped, but a raw newline after it still ends a line.
                    i += 1;
                    line += u64::from(data.get(i) == Some(&b'\n'));
                }
                b'"' => in_string = !in_string,
                b'\n' => line += 1,
                _ if in_string => {}
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b']' | b',' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let end = start + data[start..i.min(data.len())].trim_ascii_end().len();
        let last = data.get(i) != Some(&b',');
        if end > start || !last {
            items.push((start, end, first_line));
        }
        if last {
            break;
        }
        i += 1;
    }
    // Anything but white space after the closing `]` is one more (failing) element.
    let after = skip_space(i + 1, &mut line);
    if after < data.len() {
        items.push((after, after + data[after..].trim_ascii_end().len(), line));
    }
    items
}
