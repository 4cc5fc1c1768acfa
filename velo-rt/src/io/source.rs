//! Bounded file sources: CSV (with or without header, any delimiter, RFC 4180 quoting), JSON Lines
//! and JSON arrays, one file or a glob. Files are memory-mapped and decoded straight into the
//! generated row type; a record that does not decode is handed on as an error with its position
//! and raw bytes, never dropped.

mod csv_reader;
mod json_reader;
mod mapped;

use std::path::{Path, PathBuf};

use self::csv_reader::csv_layout;
use self::mapped::{Mapped, Range, scan, split_lines};
use crate::config::Config;
use crate::error::{DecodeError, FatalError};
use crate::io::strip_file_scheme;
use crate::record::SourceRow;
pub use velo_spec::FileFormat;

/// Where a record came from, for error reports.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The source object name.
    pub source: &'a str,
    /// The file the record was read from.
    pub file: &'a Path,
    /// 1-based line of the record's first byte.
    pub line: u64,
    /// The record's original bytes (without the line terminator).
    pub raw: &'a [u8],
}

/// What a reader hands every record to: the decoded row (or why it did not decode) and where it
/// came from; the answer says whether to keep reading.
pub trait Consume<R>: FnMut(Result<&R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError> {}

impl<R, F> Consume<R> for F where F: FnMut(Result<&R, DecodeError>, &Record<'_>) -> Result<Flow, FatalError> {}

/// Whether a consumer wants more input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flow {
    /// Every consumer is satisfied (e.g. all LIMITs reached); the source may stop.
    Stop,
    /// Keep reading.
    Continue,
}

/// The resolved settings of one file source.
#[derive(Debug, Clone)]
pub struct FileSourceSpec {
    /// Source object name.
    pub name: String,
    /// Path or glob.
    pub path: String,
    /// Format.
    pub format: FileFormat,
    /// CSV delimiter.
    pub delimiter: u8,
}

impl FileSourceSpec {
    /// Reads the settings of source `name` from the configuration.
    pub fn from_config(config: &Config, name: &str) -> Result<Self, FatalError> {
        let path = config.get(name, "path").ok_or_else(|| FatalError(format!("source `{name}` has no path")))?;
        let path = strip_file_scheme(path).to_string();
        let format = FileFormat::configured(config.get(name, "format"), &path, config.header(name)?)
            .map_err(|e| FatalError(format!("source `{name}`: {e}")))?;
        let delimiter = match config.get(name, "delimiter") {
            Some(d) => velo_spec::parse_delimiter(d).map_err(|e| FatalError(format!("source `{name}`: {e}")))?,
            None => b',',
        };
        Ok(Self { name: name.to_string(), path, format, delimiter })
    }

    /// The files this source reads, in name order (a glob may match several).
    pub fn files(&self) -> Result<Vec<PathBuf>, FatalError> {
        if !self.path.contains(['*', '?', '[']) {
            let p = PathBuf::from(&self.path);
            if !p.exists() {
                return Err(FatalError(format!("source `{}`: file `{}` does not exist", self.name, self.path)));
            }
            return Ok(vec![p]);
        }
        let mut files: Vec<PathBuf> = glob::glob(&self.path)
            .map_err(|e| FatalError(format!("source `{}`: bad glob `{}`: {e}", self.name, self.path)))?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(FatalError(format!("source `{}`: no file matches `{}`", self.name, self.path)));
        }
        Ok(files)
    }
}

/// Reads every record of a file source and hands each one, decoded or not, to `consume`.
pub fn read_file_source<R: SourceRow>(spec: &FileSourceSpec, mut consume: impl Consume<R>) -> Result<u64, FatalError> {
    let mut count = 0;
    for file in spec.files()? {
        let Some(mapped) = Mapped::open(&file)? else {
            continue;
        };
        if read_mapped(spec, &file, &mapped, &mut count, &mut consume)? == Flow::Stop {
            break;
        }
    }
    Ok(count)
}

/// Reads all records of one mapped file in order.
fn read_mapped<R: SourceRow>(
    spec: &FileSourceSpec,
    file: &Path,
    mapped: &Mapped,
    count: &mut u64,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    let len = mapped.data().len();
    match spec.format {
        FileFormat::Csv | FileFormat::CsvNoHeader => {
            let Some(layout) = csv_layout::<R>(spec, file, mapped.data())? else {
                return Ok(Flow::Continue);
            };
            let range = Range { start: layout.body, end: len, first_line: layout.body_line };
            csv_reader::read_csv_range(spec, file, mapped, &layout, range, count, consume)
        }
        FileFormat::JsonLines => {
            let range = Range { start: 0, end: len, first_line: 1 };
            json_reader::read_json_lines_range(spec, file, mapped, range, count, consume)
        }
        FileFormat::Json => json_reader::read_json(spec, file, mapped, count, consume),
    }
}

/// Reads a file source on `partitions` threads: each file is split at line boundaries into
/// ranges, each range is read into its own state from `init`, and the states come back in file
/// order (so merging them in order gives the same result as one pass). A parallel pre-scan
/// counts lines (for line numbers in error reports) and looks for quotes: files whose records
/// could span lines (CSV with quotes, JSON arrays) are read by one thread. Returns the states and
/// the number of records read.
pub fn read_file_source_parallel<R, S>(
    spec: &FileSourceSpec,
    partitions: usize,
    init: impl Fn() -> S + Sync,
    step: impl Fn(&mut S, Result<&R, DecodeError>, &Record<'_>) -> Result<(), FatalError> + Sync,
) -> Result<(Vec<S>, u64), FatalError>
where
    R: SourceRow,
    S: Send,
{
    let mut states = Vec::new();
    let mut total = 0;
    for file in spec.files()? {
        let Some(mapped) = Mapped::open(&file)? else {
            continue;
        };
        let data = mapped.data();
        let (start, first_line, layout) = match spec.format {
            FileFormat::Csv | FileFormat::CsvNoHeader => match csv_layout::<R>(spec, &file, data)? {
                Some(l) => (l.body, l.body_line, Some(l)),
                None => continue,
            },
            FileFormat::JsonLines | FileFormat::Json => (0, 1, None),
        };
        let pieces = if partitions > 1 && spec.format != FileFormat::Json {
            split_lines(data, start, partitions)
        } else {
            Vec::new()
        };
        let scans = if pieces.len() > 1 {
            in_parallel(pieces.clone(), |(from, to)| Ok(scan(&mapped, from, to)))?
        } else {
            Vec::new()
        };
        let quoted = layout.is_some() && scans.iter().any(|s| s.quotes);
        if scans.is_empty() || quoted {
            let mut state = init();
            let mut count = 0;
            read_mapped(spec, &file, &mapped, &mut count, &mut |row, rec| {
                step(&mut state, row, rec)?;
                Ok(Flow::Continue)
            })?;
            states.push(state);
            total += count;
            continue;
        }
        let mut line = first_line;
        let ranges: Vec<Range> = pieces
            .iter()
            .zip(&scans)
            .map(|(&(start, end), s)| {
                let range = Range { start, end, first_line: line };
                line += s.newlines;
                range
            })
            .collect();
        let results = in_parallel(ranges, |range| {
            let mut state = init();
            let mut count = 0;
            let mut consume = |row: Result<&R, DecodeError>, rec: &Record<'_>| {
                step(&mut state, row, rec)?;
                Ok(Flow::Continue)
            };
            match &layout {
                Some(l) => csv_reader::read_csv_range(spec, &file, &mapped, l, range, &mut count, &mut consume)?,
                None => json_reader::read_json_lines_range(spec, &file, &mapped, range, &mut count, &mut consume)?,
            };
            Ok((state, count))
        })?;
        for (state, count) in results {
            states.push(state);
            total += count;
        }
    }
    Ok((states, total))
}

/// Runs `f` on every item, one scoped thread per item; results in item order.
fn in_parallel<T: Send, U: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> Result<U, FatalError> + Sync,
) -> Result<Vec<U>, FatalError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.into_iter().map(|item| scope.spawn(|| f(item))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(FatalError("a reader thread panicked".into()))))
            .collect()
    })
}

fn trim_newline(mut raw: &[u8]) -> &[u8] {
    while let Some((b'\n' | b'\r', rest)) = raw.split_last() {
        raw = rest;
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::CsvFields;

    /// A two-column row, as the compiler would generate it.
    #[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
    struct Row {
        name: Option<String>,
        n: Option<i64>,
    }

    impl SourceRow for Row {
        const COLUMNS: &'static [&'static str] = &["name", "n"];
        fn decode_csv(&mut self, f: &CsvFields<'_>) -> Result<(), DecodeError> {
            f.read(0, &mut self.name)?;
            f.read(1, &mut self.n)
        }
    }

    /// (line, decoded row or error message) of every record.
    type Seen = Vec<(u64, Result<Row, String>)>;

    /// A scratch directory, removed when dropped.
    struct Dir(PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn write(name: &str, bytes: &[u8]) -> (Dir, FileSourceSpec) {
        let dir = Dir(std::env::temp_dir().join(format!("velo-rt-source-{name}-{}", std::process::id())));
        std::fs::create_dir_all(&dir.0).unwrap();
        let path = dir.0.join("in.csv");
        std::fs::write(&path, bytes).unwrap();
        let spec = FileSourceSpec {
            name: "src".into(),
            path: path.display().to_string(),
            format: FileFormat::Csv,
            delimiter: b';',
        };
        (dir, spec)
    }

    /// Reads the file of `spec` with windows of `window` bytes.
    fn read(spec: &FileSourceSpec, window: usize) -> Seen {
        let file = PathBuf::from(&spec.path);
        let mapped = Mapped::open(&file).unwrap().unwrap().with_window(window);
        let mut seen = Vec::new();
        let mut count = 0;
        read_mapped::<Row>(spec, &file, &mapped, &mut count, &mut |row, rec| {
            seen.push((rec.line, row.cloned().map_err(|e| e.message)));
            Ok(Flow::Continue)
        })
        .unwrap();
        assert_eq!(count as usize, seen.len());
        seen
    }

    fn ok(line: u64, name: &str, n: i64) -> (u64, Result<Row, String>) {
        (line, Ok(Row { name: Some(name.into()), n: Some(n) }))
    }

    #[test]
    fn plain_windows_split_lines_fields_crlf_and_blank_lines() {
        let (_dir, spec) = write("plain", b"name;n\r\nab;1\r\n\r\ncd;2\n\nx\xffy;3\n;4\nef;5");
        let expected = vec![
            ok(2, "ab", 1),
            ok(4, "cd", 2),
            (6, Err("column `name`: not valid UTF-8".to_string())),
            (7, Ok(Row { name: None, n: Some(4) })),
            ok(8, "ef", 5),
        ];
        for window in [1, 3, 7, 1 << 20] {
            assert_eq!(read(&spec, window), expected, "window {window}");
        }
    }

    #[test]
    fn a_quote_switches_the_rest_to_the_rfc_4180_reader() {
        // The quoted field spans two lines; windows before it are plain, the rest goes through
        // the csv crate, and line numbers stay right on both sides.
        let (_dir, spec) = write("quoted", b"name;n\na;1\nb;2\n\"c\nd\";3\ne;4\n");
        let expected = vec![ok(2, "a", 1), ok(3, "b", 2), ok(4, "c\nd", 3), ok(6, "e", 4)];
        for window in [1, 4, 1 << 20] {
            assert_eq!(read(&spec, window), expected, "window {window}");
        }
    }

    #[test]
    fn wrong_field_counts_are_record_errors() {
        let (_dir, spec) = write("width", b"name;n\na;1;extra\nb\nc;2\n");
        let seen = read(&spec, 1 << 20);
        assert_eq!(seen[0].1, Err("expected 2 fields, found 3".into()));
        assert_eq!(seen[1].1, Err("expected 2 fields, found 1".into()));
        assert_eq!(seen[2], ok(4, "c", 2));
    }

    #[test]
    fn parallel_reading_matches_one_pass_and_falls_back_when_quoted() {
        let mut plain = b"name;n\n".to_vec();
        for i in 0..500 {
            plain.extend_from_slice(
                format!("k{};{}\n", i % 7, if i % 97 == 0 { "bad".into() } else { i.to_string() }).as_bytes(),
            );
        }
        let mut quoted = plain.clone();
        quoted.extend_from_slice(b"\"q\nq\";9\n");
        for (name, bytes) in [("par-plain", plain), ("par-quoted", quoted)] {
            let (_dir, spec) = write(name, &bytes);
            let serial = read(&spec, 1 << 20);
            for partitions in [1, 2, 3, 8] {
                let (states, total) =
                    read_file_source_parallel::<Row, Seen>(&spec, partitions, Vec::new, |st, row, rec| {
                        st.push((rec.line, row.cloned().map_err(|e| e.message)));
                        Ok(())
                    })
                    .unwrap();
                let merged: Seen = states.into_iter().flatten().collect();
                assert_eq!(total as usize, merged.len());
                assert_eq!(merged, serial, "{name} with {partitions} partitions");
            }
        }
    }
}
