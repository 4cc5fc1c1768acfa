//! A watched file (`'<source>.watch' = 'true'`): read to its end, then followed as it grows,
//! like `tail -f`. Only whole lines are read (a line still being written waits), so CSV and
//! JSON Lines can be watched; a JSON array cannot. The source never ends: a stop request
//! (SIGTERM/SIGINT) ends the run. A file that shrinks (truncated or replaced) stops the run
//! with an error rather than silently re-reading or skipping records.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use super::csv::{CsvFile, MAX_RECORD, layout};
use super::json::JsonFile;
use super::mapped::WINDOW;
use super::{FileFormat, FileSourceSpec, bom};
use crate::dataflow::{Consume, Flow, Polled, Source};
use crate::error::FatalError;
use crate::format::csv::CsvLayout;
use crate::row::SourceRow;

/// A file followed as it grows.
pub struct WatchedFile<R> {
    spec: FileSourceSpec,
    path: PathBuf,
    file: File,
    /// Bytes read and handed on (whole lines).
    read: u64,
    /// Line number of the next line.
    line: u64,
    /// Bytes read after the last complete line.
    partial: Vec<u8>,
    /// Where CSV columns are (from the header, once it is complete).
    layout: Option<CsvLayout>,
    row: R,
    records: u64,
    done: bool,
}

impl<R: SourceRow> WatchedFile<R> {
    /// Opens the watched source described by `spec`: one file (not a glob), CSV or JSON Lines.
    pub fn open(spec: FileSourceSpec) -> Result<Self, FatalError> {
        let fail = |why: &str| FatalError(format!("source `{}`: {why}", spec.name));
        if spec.path.contains(['*', '?', '[']) {
            return Err(fail("`watch` follows one file, not a glob"));
        }
        if spec.format == FileFormat::Json {
            return Err(fail("a JSON array cannot be watched (it is one value); write JSON Lines"));
        }
        let path = PathBuf::from(&spec.path);
        let file = File::open(&path).map_err(|e| fail(&format!("cannot open `{}`: {e}", path.display())))?;
        let layout = (spec.format != FileFormat::Csv).then(|| CsvLayout::positional(R::COLUMNS));
        Ok(Self {
            spec,
            path,
            file,
            read: 0,
            line: 1,
            partial: Vec::new(),
            layout,
            row: R::default(),
            records: 0,
            done: false,
        })
    }

    /// Reads what the file gained since the last poll (at most one window), keeping a last line
    /// that is not complete yet; `false` when nothing new came.
    fn grow(&mut self) -> Result<bool, FatalError> {
        let len = self.file.metadata()?.len();
        let seen = self.read + self.partial.len() as u64;
        if len < seen {
            return Err(FatalError(format!(
                "source `{}`: `{}` shrank while it was watched (truncated or replaced)",
                self.spec.name,
                self.path.display()
            )));
        }
        if len == seen {
            return Ok(false);
        }
        let want = (len - seen).min(WINDOW as u64) as usize;
        self.file.seek(SeekFrom::Start(seen))?;
        let at = self.partial.len();
        self.partial.resize(at + want, 0);
        let got = self.file.read(&mut self.partial[at..])?;
        self.partial.truncate(at + got);
        Ok(got > 0)
    }
}

impl<R: SourceRow> Source for WatchedFile<R> {
    type Row = R;

    fn poll<C: Consume<R>>(&mut self, consume: &mut C) -> Result<Polled, FatalError> {
        if self.done {
            return Ok(Polled::Done);
        }
        if !self.grow()? {
            return Ok(Polled::Idle);
        }
        let Some(last) = memchr::memrchr(b'\n', &self.partial) else { return Ok(Polled::Idle) };
        let lines: Vec<u8> = self.partial.drain(..=last).collect();
        // The file's first lines may start with a byte-order mark.
        let mut start = if self.read == 0 { bom(&lines) } else { 0 };
        self.read += lines.len() as u64;
        if self.layout.is_none() {
            // The header is the first complete line.
            let Some((layout, body, line)) = layout::<R>(&self.spec, &self.path, &lines)? else {
                return Ok(Polled::Idle);
            };
            self.layout = Some(layout);
            start = body.min(lines.len());
            self.line = line;
        }
        let (row, count, name) = (&mut self.row, &mut self.records, self.spec.name.as_str());
        let chunk = &lines[start..];
        let flow = match &self.layout {
            Some(layout) if self.spec.format.is_csv() => {
                let reader = CsvFile {
                    source: name,
                    path: &self.path,
                    layout,
                    delimiter: self.spec.delimiter,
                    max_record: MAX_RECORD,
                };
                reader.lines(chunk, &mut self.line, row, count, consume)?
            }
            _ => JsonFile { source: name, path: &self.path }.lines(chunk, &mut self.line, row, count, consume)?,
        };
        if flow == Flow::Stop {
            self.done = true;
            return Ok(Polled::Done);
        }
        Ok(Polled::Ready)
    }

    fn name(&self) -> &str {
        &self.spec.name
    }

    fn records(&self) -> u64 {
        self.records
    }

    fn location(&self) -> String {
        format!("{} (watched)", self.spec.path)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::super::test_row::{Row, line_of};
    use super::*;
    use crate::dataflow::Record;
    use crate::error::DecodeError;

    #[test]
    fn a_growing_file_is_followed_line_by_line() {
        let dir = std::env::temp_dir().join(format!("velo-rt-watch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("in.csv");
        let mut out = std::fs::File::create(&path).unwrap();
        let spec = FileSourceSpec {
            name: "w".into(),
            path: path.display().to_string(),
            format: FileFormat::Csv,
            delimiter: b',',
        };
        let mut source = WatchedFile::<Row>::open(spec).unwrap();
        let mut seen: Vec<(u64, Result<Row, String>)> = Vec::new();
        let poll = |source: &mut WatchedFile<Row>, seen: &mut Vec<_>| {
            let mut consume = |row: Result<&Row, DecodeError>, rec: &Record<'_>| {
                seen.push((line_of(rec), row.cloned().map_err(|e| e.message)));
                Ok(Flow::Continue)
            };
            source.poll(&mut consume).unwrap()
        };
        assert_eq!(poll(&mut source, &mut seen), Polled::Idle, "an empty file has nothing yet");
        out.write_all(b"name,n\na,1\nb,").unwrap();
        assert_eq!(poll(&mut source, &mut seen), Polled::Ready);
        assert_eq!(seen, vec![(2, Ok(Row { name: Some("a".into()), n: Some(1) }))], "`b,` is not a whole line yet");
        assert_eq!(poll(&mut source, &mut seen), Polled::Idle);
        out.write_all(b"2\nc,x\n").unwrap();
        assert_eq!(poll(&mut source, &mut seen), Polled::Ready);
        assert_eq!(seen[1], (3, Ok(Row { name: Some("b".into()), n: Some(2) })));
        assert_eq!(seen[2].0, 4);
        assert!(seen[2].1.is_err(), "a bad record is handed on as an error with its line");
        assert_eq!(source.records(), 3);
        drop(out);
        std::fs::write(&path, b"name,n\n").unwrap();
        let err = source.poll(&mut |_: Result<&Row, DecodeError>, _: &Record<'_>| Ok(Flow::Continue)).unwrap_err();
        assert!(err.0.contains("shrank"), "{}", err.0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_in_watched_json_lines_and_headerless_csv() {
        let dir = std::env::temp_dir().join(format!("velo-rt-watch-bom-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, format, text) in [
            (
                "in.jsonl",
                FileFormat::JsonLines,
                &b"\xEF\xBB\xBF{\"name\": \"a\", \"n\": 1}\n{\"name\": \"b\", \"n\": 2}\n"[..],
            ),
            ("in.csv", FileFormat::CsvNoHeader, b"\xEF\xBB\xBFa,1\nb,2\n"),
        ] {
            let path = dir.join(file);
            std::fs::write(&path, text).unwrap();
            let spec = FileSourceSpec { name: "w".into(), path: path.display().to_string(), format, delimiter: b',' };
            let mut source = WatchedFile::<Row>::open(spec).unwrap();
            let mut seen = Vec::new();
            let mut consume = |row: Result<&Row, DecodeError>, rec: &Record<'_>| {
                seen.push((line_of(rec), row.cloned().map_err(|e| e.message)));
                Ok(Flow::Continue)
            };
            assert_eq!(source.poll(&mut consume).unwrap(), Polled::Ready);
            let a = Row { name: Some("a".into()), n: Some(1) };
            let b = Row { name: Some("b".into()), n: Some(2) };
            assert_eq!(seen, [(1, Ok(a)), (2, Ok(b))], "{format:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
