//! File sources and sinks. A [`FileSource`] reads CSV (with or without header, any delimiter,
//! RFC 4180 quoting), JSON Lines or JSON arrays from one file or a glob, memory-mapped, one
//! window (8 MiB) per poll, decoding straight into the generated row type; a record that does
//! not decode is handed on as an error with its position and raw bytes, never dropped. A
//! [`FileSink`] writes CSV, JSON Lines or a JSON array. [`read_parallel`] reads a file on several
//! threads into mergeable partial states (EMIT FINAL aggregations).

mod csv;
mod json;
mod mapped;
mod sink;
pub mod staged;
mod watch;

use std::path::PathBuf;

use self::csv::CsvFile;
use self::json::{Framing, JsonFile};
pub(crate) use self::mapped::report_truncated_inputs;
use self::mapped::{Mapped, Range, scan, split_lines};
pub use self::sink::FileSink;
pub use self::watch::WatchedFile;
use crate::config::Config;
use crate::dataflow::driver::Input;
use crate::dataflow::{Consume, Flow, Polled, Record, Source};
use crate::error::{DecodeError, FatalError};
use crate::format::csv::CsvLayout;
use crate::row::SourceRow;
pub use velo_spec::FileFormat;
use velo_spec::files::strip_file_scheme;

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

    /// The files this source reads, in name order (a glob may match several). Each must be a
    /// regular file: a folder, a pipe, a device or a broken link among them is an error (a
    /// file source reads files to their end; a pipe has no end to read to).
    pub fn files(&self) -> Result<Vec<PathBuf>, FatalError> {
        if !velo_spec::files::is_glob(&self.path) {
            let p = PathBuf::from(&self.path);
            if !p.exists() {
                return Err(FatalError(format!("source `{}`: file `{}` does not exist", self.name, self.path)));
            }
            self.regular(&p)?;
            return Ok(vec![p]);
        }
        let matches = glob::glob(&self.path)
            .map_err(|e| FatalError(format!("source `{}`: bad glob `{}`: {e}", self.name, self.path)))?;
        let mut files = Vec::new();
        for m in matches {
            let p = m.map_err(|e| {
                FatalError(format!("source `{}`: cannot read `{}`: {e}", self.name, e.path().display()))
            })?;
            self.regular(&p)?;
            files.push(p);
        }
        files.sort();
        if files.is_empty() {
            return Err(FatalError(format!("source `{}`: no file matches `{}`", self.name, self.path)));
        }
        Ok(files)
    }

    /// An error unless `path` is a regular file (following links).
    fn regular(&self, path: &std::path::Path) -> Result<(), FatalError> {
        let what = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => return Ok(()),
            Ok(m) if m.is_dir() => "a folder",
            Ok(_) => "not a regular file (a pipe, socket or device)",
            Err(e) if path.is_symlink() => {
                return Err(FatalError(format!("source `{}`: `{}` is a broken link: {e}", self.name, path.display())));
            }
            Err(e) => return Err(FatalError(format!("source `{}`: cannot read `{}`: {e}", self.name, path.display()))),
        };
        Err(FatalError(format!(
            "source `{}`: `{}` is {what}; a file source reads regular files",
            self.name,
            path.display()
        )))
    }
}

/// A bounded file source: every file of the spec in turn, one window per poll.
pub struct FileSource<R> {
    spec: FileSourceSpec,
    files: std::vec::IntoIter<PathBuf>,
    open: Option<OpenFile>,
    row: R,
    records: u64,
    /// Bytes per window (tests use tiny windows to cross many boundaries).
    window: usize,
    /// The longest CSV record ([`csv::MAX_RECORD`]; tests use less).
    max_record: usize,
}

/// The file being read and where.
struct OpenFile {
    path: PathBuf,
    mapped: Mapped,
    at: Range,
    reading: Reading,
}

enum Reading {
    Csv { layout: CsvLayout, quoted: bool },
    JsonLines,
    Json(Framing),
}

impl<R: SourceRow> FileSource<R> {
    /// Opens the source `name` as configured: its files must exist (a glob must match).
    pub fn open(config: &Config, name: &str) -> Result<Self, FatalError> {
        Self::from_spec(FileSourceSpec::from_config(config, name)?)
    }

    /// The source described by `spec`.
    pub fn from_spec(spec: FileSourceSpec) -> Result<Self, FatalError> {
        let files = spec.files()?;
        Ok(Self::of_files(spec, files))
    }

    /// The source reading `files` (already resolved: a name is never read as a glob again).
    fn of_files(spec: FileSourceSpec, files: Vec<PathBuf>) -> Self {
        let (window, max_record) = (mapped::WINDOW, csv::MAX_RECORD);
        Self { spec, files: files.into_iter(), open: None, row: R::default(), records: 0, window, max_record }
    }

    /// The same source read in windows of `window` bytes.
    #[cfg(test)]
    fn with_window(self, window: usize) -> Self {
        Self { window, ..self }
    }

    /// The same source with CSV records of at most `max_record` bytes.
    #[cfg(test)]
    fn with_max_record(self, max_record: usize) -> Self {
        Self { max_record, ..self }
    }

    /// Opens the next non-empty file; `false` when there is none.
    fn open_next(&mut self) -> Result<bool, FatalError> {
        for path in self.files.by_ref() {
            let Some(mapped) = Mapped::open(&path)? else { continue };
            let mapped = mapped.with_window(self.window);
            let len = mapped.data().len();
            let (reading, at) = match self.spec.format {
                FileFormat::Csv | FileFormat::CsvNoHeader => {
                    let Some((layout, body, line)) = csv::layout::<R>(&self.spec, &path, mapped.data())? else {
                        continue;
                    };
                    (Reading::Csv { layout, quoted: false }, Range { start: body, end: len, first_line: line })
                }
                FileFormat::JsonLines => {
                    (Reading::JsonLines, Range { start: bom(mapped.data()), end: len, first_line: 1 })
                }
                FileFormat::Json => {
                    let at = Range { start: bom(mapped.data()), end: len, first_line: 1 };
                    (Reading::Json(JsonFile::framing(mapped.data())), at)
                }
            };
            self.open = Some(OpenFile { path, mapped, at, reading });
            return Ok(true);
        }
        Ok(false)
    }
}

impl<R: SourceRow> Source for FileSource<R> {
    type Row = R;

    fn poll<C: Consume<R>>(&mut self, consume: &mut C) -> Result<Polled, FatalError> {
        if self.open.is_none() && !self.open_next()? {
            return Ok(Polled::Done);
        }
        let Some(file) = &mut self.open else { return Ok(Polled::Done) };
        let (row, count, name) = (&mut self.row, &mut self.records, self.spec.name.as_str());
        let (flow, finished) = match &mut file.reading {
            Reading::Csv { layout, quoted } => {
                let reader = CsvFile {
                    source: name,
                    path: &file.path,
                    layout,
                    delimiter: self.spec.delimiter,
                    max_record: self.max_record,
                };
                let (flow, next) = reader.next_window(&file.mapped, file.at, quoted, row, count, consume)?;
                file.at = next;
                (flow, next.start >= next.end)
            }
            Reading::JsonLines => {
                let reader = JsonFile { source: name, path: &file.path };
                let (flow, next) = reader.read_lines(&file.mapped, file.at, 1, row, count, consume)?;
                file.at = next;
                (flow, next.start >= next.end)
            }
            Reading::Json(Framing::Lines) => {
                file.reading = Reading::JsonLines;
                return Ok(Polled::Ready);
            }
            Reading::Json(Framing::Array(elements)) => {
                let reader = JsonFile { source: name, path: &file.path };
                match reader.read_elements(file.mapped.data(), elements, self.window, row, count, consume)? {
                    Some(flow) => (flow, false),
                    None => (Flow::Continue, true),
                }
            }
        };
        if flow == Flow::Stop {
            self.open = None;
            return Ok(Polled::Done);
        }
        if finished {
            self.open = None;
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
        self.spec.path.clone()
    }
}

/// The input that reads a file source on `partitions` threads, each range into its own state
/// from `init` (`step` folds one record into it), then hands the states to `merge` in file
/// order, so merging gives the same result as one pass. A parallel pre-scan counts lines (for
/// line numbers in error reports) and looks for quotes: files whose records could span lines
/// (CSV with quotes, JSON arrays) are read by one thread. The whole source is read in one poll.
pub fn read_parallel<D, R, S>(
    spec: FileSourceSpec,
    partitions: usize,
    init: fn() -> S,
    step: fn(&mut S, Result<&R, DecodeError>, &Record<'_>),
    merge: fn(&mut D, S) -> Result<(), FatalError>,
) -> Box<dyn Input<D>>
where
    R: SourceRow + 'static,
    S: Send + 'static,
    D: 'static,
{
    Box::new(Parallel { spec, partitions, init, step, merge, records: 0 })
}

struct Parallel<D, R, S> {
    spec: FileSourceSpec,
    partitions: usize,
    init: fn() -> S,
    step: fn(&mut S, Result<&R, DecodeError>, &Record<'_>),
    merge: fn(&mut D, S) -> Result<(), FatalError>,
    records: u64,
}

impl<D, R: SourceRow, S: Send> Input<D> for Parallel<D, R, S> {
    fn poll(&mut self, dataflow: &mut D) -> Result<Polled, FatalError> {
        let (states, records) = read_file_parallel(&self.spec, self.partitions, self.init, self.step)?;
        self.records = records;
        for state in states {
            (self.merge)(dataflow, state)?;
        }
        Ok(Polled::Done)
    }

    fn watermark(&self) -> Option<i64> {
        None
    }

    fn report(&self, ctx: &mut crate::app::Context) {
        ctx.source_done(&self.spec.name, &self.spec.path, self.records);
    }
}

/// Reads every file of `spec` into states, in file order (see [`read_parallel`]).
fn read_file_parallel<R: SourceRow, S: Send>(
    spec: &FileSourceSpec,
    partitions: usize,
    init: fn() -> S,
    step: fn(&mut S, Result<&R, DecodeError>, &Record<'_>),
) -> Result<(Vec<S>, u64), FatalError> {
    let mut states = Vec::new();
    let mut total = 0;
    for file in spec.files()? {
        let Some(mapped) = Mapped::open(&file)? else {
            continue;
        };
        let data = mapped.data();
        let (start, first_line, layout) = match spec.format {
            FileFormat::Csv | FileFormat::CsvNoHeader => match csv::layout::<R>(spec, &file, data)? {
                Some((layout, body, line)) => (body, line, Some(layout)),
                None => continue,
            },
            FileFormat::JsonLines | FileFormat::Json => (bom(data), 1, None),
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
            // One thread: the whole file through the serial source.
            let mut source = FileSource::<R>::of_files(spec.clone(), vec![file.clone()]);
            let mut state = init();
            while source.poll(&mut |row: Result<&R, DecodeError>, rec: &Record<'_>| {
                step(&mut state, row, rec);
                Ok(Flow::Continue)
            })? != Polled::Done
            {}
            states.push(state);
            total += source.records;
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
            let (mut count, mut row) = (0, R::default());
            let mut consume = |row: Result<&R, DecodeError>, rec: &Record<'_>| {
                step(&mut state, row, rec);
                Ok(Flow::Continue)
            };
            match &layout {
                Some(layout) => {
                    let reader = CsvFile {
                        source: &spec.name,
                        path: &file,
                        layout,
                        delimiter: spec.delimiter,
                        max_record: csv::MAX_RECORD,
                    };
                    reader.read_range(&mapped, range, &mut row, &mut count, &mut consume)?;
                }
                None => {
                    let reader = JsonFile { source: &spec.name, path: &file };
                    reader.read_lines(&mapped, range, usize::MAX, &mut row, &mut count, &mut consume)?;
                }
            }
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

/// Hands a decoded row — or why it did not decode — to `consume`.
#[inline]
fn hand_over<R>(
    decoded: Result<(), DecodeError>,
    row: &R,
    rec: &Record<'_>,
    consume: &mut impl Consume<R>,
) -> Result<Flow, FatalError> {
    match decoded {
        Ok(()) => consume(Ok(row), rec),
        Err(e) => consume(Err(e), rec),
    }
}

/// The length of the UTF-8 byte-order mark `data` starts with (0 or 3): skipped in every format.
fn bom(data: &[u8]) -> usize {
    if data.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 }
}

fn trim_newline(mut raw: &[u8]) -> &[u8] {
    while let Some((b'\n' | b'\r', rest)) = raw.split_last() {
        raw = rest;
    }
    raw
}

/// A two-column row, as the compiler would generate it, for the readers' tests.
#[cfg(test)]
mod test_row {
    use crate::error::DecodeError;
    use crate::format::csv::{CsvFields, FromCsv};
    use crate::row::SourceRow;

    #[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
    pub(super) struct Row {
        pub(super) name: Option<String>,
        pub(super) n: Option<i64>,
    }

    impl SourceRow for Row {
        const COLUMNS: &'static [&'static str] = &["name", "n"];
    }

    impl FromCsv for Row {
        fn decode_csv(&mut self, f: &CsvFields<'_>) -> Result<(), DecodeError> {
            f.read(0, &mut self.name)?;
            f.read(1, &mut self.n)
        }
    }

    /// The line of a record.
    pub(super) fn line_of(rec: &crate::dataflow::Record<'_>) -> u64 {
        match rec.position {
            crate::dataflow::Position::Line { line, .. } => line,
            crate::dataflow::Position::Derived => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_row::{Row, line_of};
    use super::*;

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
        read_bounded(spec, window, csv::MAX_RECORD)
    }

    /// Reads the file of `spec` with windows of `window` bytes and CSV records of at most
    /// `max_record` bytes.
    fn read_bounded(spec: &FileSourceSpec, window: usize, max_record: usize) -> Seen {
        let mut source =
            FileSource::<Row>::from_spec(spec.clone()).unwrap().with_window(window).with_max_record(max_record);
        let mut seen = Vec::new();
        let mut consume = |row: Result<&Row, DecodeError>, rec: &Record<'_>| {
            seen.push((line_of(rec), row.cloned().map_err(|e| e.message)));
            Ok(Flow::Continue)
        };
        while source.poll(&mut consume).unwrap() != Polled::Done {}
        assert_eq!(source.records() as usize, seen.len());
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
    fn lone_carriage_returns_end_records_and_the_file() {
        // Found by the csv_record fuzzer: trailing `\r`s made the RFC 4180 path stand still.
        let (_dir, spec) = write("lone-cr", b"name;n\na;1\r\r\rb;2\r\r\r");
        for window in [1, 4, 1 << 20] {
            let seen: Vec<_> = read(&spec, window).into_iter().map(|s| s.1).collect();
            assert_eq!(seen, [ok(0, "a", 1).1, ok(0, "b", 2).1], "window {window}");
        }
    }

    #[test]
    fn lines_of_spaces_and_tabs_are_blank_unless_tabs_split_fields() {
        for (name, text) in
            [("ws-plain", &b"name;n\na;1\n   \n\t \nb;2\n"[..]), ("ws-quoted", b"name;n\n\"a\";1\n   \n\t \nb;2\n")]
        {
            let (_dir, spec) = write(name, text);
            for window in [1, 1 << 20] {
                assert_eq!(read(&spec, window), [ok(2, "a", 1), ok(5, "b", 2)], "{name}, window {window}");
            }
        }
        let (_dir, mut spec) = write("ws-tabs", b"name\tn\na\t1\n\t\nb\t2\n");
        spec.delimiter = b'\t';
        let nulls = (3, Ok(Row { name: None, n: None }));
        assert_eq!(read(&spec, 1 << 20), [ok(2, "a", 1), nulls, ok(4, "b", 2)]);
    }

    #[test]
    fn an_unclosed_quote_fails_its_line_and_reading_goes_on_at_the_next() {
        let mut text = b"name;n\na;1\nb;\"2\n".to_vec();
        for i in 0..40 {
            text.extend_from_slice(format!("k{i};{i}\n").as_bytes());
        }
        let (_dir, spec) = write("unclosed", &text);
        for (window, max_record, says) in [
            (1 << 20, csv::MAX_RECORD, "never closed"),
            (3, csv::MAX_RECORD, "never closed"),
            (1, 16, "longer than 16 bytes"),
        ] {
            let seen = read_bounded(&spec, window, max_record);
            let case = format!("window {window}, records up to {max_record} bytes");
            assert_eq!(seen.len(), 42, "{case}: {seen:?}");
            assert_eq!(seen[0], ok(2, "a", 1), "{case}");
            assert_eq!(seen[1].0, 3, "{case}");
            assert!(seen[1].1.as_ref().is_err_and(|e| e.contains(says)), "{case}: {:?}", seen[1]);
            assert_eq!(seen[2], ok(4, "k0", 0), "{case}");
            assert_eq!(seen[41], ok(43, "k39", 39), "{case}");
        }
        // A quoted field that spans lines and is closed is still one record.
        let (_dir, spec) = write("closed", b"name;n\n\"x\ny\";1\n\"z\";2\n");
        assert_eq!(read_bounded(&spec, 1, 16), [ok(2, "x\ny", 1), ok(4, "z", 2)]);
        // The last line opening a quote without a line end.
        let (_dir, spec) = write("unclosed-last", b"name;n\na;1\nb;\"2");
        let seen = read(&spec, 1 << 20);
        assert!(seen.len() == 2 && seen[1].0 == 3 && seen[1].1.is_err(), "{seen:?}");
    }

    #[test]
    fn folders_pipes_devices_and_broken_links_are_errors_not_empty_input() {
        let (dir, mut spec) = write("special", b"name;n\na;1\n");
        std::fs::create_dir(dir.0.join("sub.csv")).unwrap();
        std::os::unix::fs::symlink(dir.0.join("gone.csv"), dir.0.join("link.csv")).unwrap();
        let fifo = dir.0.join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        for (path, says) in [
            (format!("{}/s*.csv", dir.0.display()), "is a folder"),
            (dir.0.join("link.csv").display().to_string(), "does not exist"),
            (format!("{}/l*.csv", dir.0.display()), "is a broken link"),
            (fifo.display().to_string(), "not a regular file"),
            ("/dev/stdin".to_string(), "not a regular file"),
        ] {
            spec.path = path.clone();
            let e = FileSource::<Row>::from_spec(spec.clone()).err().unwrap_or_else(|| panic!("{path} was read"));
            assert!(e.0.contains(says), "{path}: {e}");
        }
    }

    #[test]
    fn a_defect_in_one_json_element_fails_only_that_element_and_a_bom_is_skipped() {
        let array = b"\xEF\xBB\xBF[\n{\"name\": \"a\", \"n\": 1},\n{\"name\": \"b\\q\", \"n\": 2},\n{\"name\": \"c\xff\", \"n\": 3},\n,\n{\"name\": \"[}\", \"n\": 4},\n{\"name\": \"e\", \"n\": 5},\n] x\n";
        let (_dir, mut spec) = write("json-defects", array);
        spec.format = FileFormat::Json;
        let seen = read(&spec, 1 << 20);
        let lines: Vec<u64> = seen.iter().map(|s| s.0).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8], "{seen:?}");
        assert_eq!(seen[0], ok(2, "a", 1));
        assert!(seen[1].1.is_err() && seen[2].1.is_err() && seen[3].1.is_err(), "{seen:?}");
        assert_eq!(seen[4], ok(6, "[}", 4), "brackets inside strings do not frame");
        assert_eq!(seen[5], ok(7, "e", 5));
        assert!(seen[6].1.is_err(), "text after the array is reported: {seen:?}");
        let (_dir, mut spec) = write("json-trailing", b"[{\"name\": \"a\", \"n\": 1},]");
        spec.format = FileFormat::Json;
        assert_eq!(read(&spec, 1 << 20), [ok(1, "a", 1)], "a trailing comma loses nothing");
        // A raw newline after a backslash (invalid JSON) still counts as a line for later elements.
        let (_dir, mut spec) = write("json-escaped-newline", b"[\"\\\n\",\n{\"name\": \"b\", \"n\": 2}]");
        spec.format = FileFormat::Json;
        let lines: Vec<u64> = read(&spec, 1 << 20).iter().map(|s| s.0).collect();
        assert_eq!(lines, [1, 3], "the element after the broken string is on line 3");
        let (_dir, mut spec) =
            write("jsonl-bom", b"\xEF\xBB\xBF{\"name\": \"a\", \"n\": 1}\n{\"name\": \"b\", \"n\": 2}\n");
        spec.format = FileFormat::JsonLines;
        assert_eq!(read(&spec, 1 << 20), [ok(1, "a", 1), ok(2, "b", 2)]);
        let (_dir, mut spec) = write("csv-no-header-bom", b"\xEF\xBB\xBFa;1\nb;2\n");
        spec.format = FileFormat::CsvNoHeader;
        assert_eq!(read(&spec, 1 << 20), [ok(1, "a", 1), ok(2, "b", 2)], "the mark is not part of the first field");
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
                let (states, total) = read_file_parallel::<Row, Seen>(&spec, partitions, Vec::new, |st, row, rec| {
                    st.push((line_of(rec), row.cloned().map_err(|e| e.message)));
                })
                .unwrap();
                let merged: Seen = states.into_iter().flatten().collect();
                assert_eq!(total as usize, merged.len());
                assert_eq!(merged, serial, "{name} with {partitions} partitions");
            }
        }
    }
}
