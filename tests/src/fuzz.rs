//! The bodies of the fuzz targets in `tests/fuzz/` (cargo-fuzz, libFuzzer), one function per
//! target. Each takes arbitrary bytes, must never panic, and checks a few properties that hold
//! for every input; a property that fails panics like any other bug. The same functions replay
//! the seed corpus and the kept crashing inputs in `tests/tests/fuzz_replay.rs`, so a plain
//! `cargo test` (CI) runs every input the fuzzers have found interesting, on stable Rust.
//!
//! | target | what it feeds the bytes to |
//! |---|---|
//! | [`front_end`] | the compiler's parse → bind → plan (`velo check`), diagnostics, `velo explain` |
//! | [`csv_record`] | the CSV file source, decoding into generated row types, one and several threads |
//! | [`json_record`] | the JSON file source (lines and arrays) and the JSON record decoder |
//! | [`decimal`] | the runtime's decimal parsers and printer |

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use velo_rt::dataflow::{Flow, Polled, Position, Record, Source};
use velo_rt::format::RecordDecoder;
use velo_rt::format::csv::{CsvDecoder, CsvLayout};
use velo_rt::format::json::JsonDecoder;
use velo_rt::io::file::{FileFormat, FileSource, FileSourceSpec, read_parallel};
use velo_rt::row::SourceRow;
use velo_rt::value::{Field, FromText};
use velo_rt::{Decimal, DecodeError, EvalError, FatalError};

/// The body of a fuzz target.
pub type Target = fn(&[u8]);

/// Every target: its name (the folder under `tests/fuzz/corpus/` and `tests/fuzz/regressions/`)
/// and its body.
pub const TARGETS: &[(&str, Target)] =
    &[("front_end", front_end), ("csv_record", csv_record), ("json_record", json_record), ("decimal", decimal)];

/// The folder the fuzzed apps are compiled in (`AppSource::base_dir`): small copies of the data
/// and schema files the apps in `apps/` name (`./orders.csv`, `schemas/readings.avsc`,
/// `../orders/orders.csv`, …), so seeds taken from `apps/` infer and load their schemas and get
/// past the planner's source checks, as they do in their own folders.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join("fixtures").join("app")
}

/// **front_end**: the bytes are an app's `.sql` file. Runs what `velo check` runs: reads the
/// file with [`velo_codegen::load`] (a byte-order mark skipped, text that is not UTF-8 is a
/// diagnostic) and compiles it with [`velo_codegen::compile`] — parse, bind, plan, no Rust
/// emitted — then renders every diagnostic as `velo check` prints it and, when the app plans, its
/// `velo explain` text. A file that is not UTF-8 is also compiled as the text with U+FFFD for the
/// bad bytes (a file could hold that text), so every input reaches the parser.
///
/// Properties: nothing panics, overflows the stack or hangs (a malformed app is diagnostics,
/// never a crash); there is a plan exactly when no diagnostic is an error.
pub fn front_end(data: &[u8]) {
    let file = Scratch::new("sql", data);
    let mut src = match velo_codegen::load(&file.0) {
        Ok(src) => src,
        Err(e) => {
            std::hint::black_box((e.to_string(), e.diagnostic.render(&e.source.file_name, &e.source.sql)));
            *e.source
        }
    };
    drop(file);
    src.file_name = "fuzz.sql".into();
    src.base_dir = fixtures_dir();
    src.default_name = "fuzz".into();
    let compiled = velo_codegen::compile(&src);
    for d in &compiled.diagnostics {
        std::hint::black_box(d.render(&src.file_name, &src.sql));
    }
    assert_eq!(compiled.plan.is_some(), !compiled.has_errors(), "a plan exactly when there is no error");
    if let Some(plan) = &compiled.plan {
        std::hint::black_box((plan.name(), velo_codegen::explain(plan)));
    }
}

/// **csv_record**: the bytes are a CSV file of one or more records, read by the runtime's file
/// source ([`FileSource`]: memory-mapped, the plain fast path and the RFC 4180 path, header
/// matching) into the generated row types of several apps:
///
/// - `orders` (nullable BIGINT, STRING, DECIMAL(18,2), DECIMAL(18,3), TIMESTAMP), with a header
///   (columns found by name) and without one;
/// - `dead_letters` `trades` (a NOT NULL column, DECIMAL(10,2), TIMESTAMP), with a header;
/// - `sensors` `readings` (NOT NULL columns, `;`-separated, no header);
/// - `1brc` `measurements` (`;`-separated, with a header).
///
/// Each line is also decoded on its own by the per-message [`CsvDecoder`] (what a message
/// transport uses).
///
/// Properties: nothing panics; the source counts every record it hands on; every record is a
/// piece of the file starting on the line reported for it; reading on 2 or 3 threads
/// ([`read_parallel`], EMIT FINAL) hands on the same records — line, raw bytes, row or error — in
/// the same order as one pass; a single line without quotes is decoded the same by
/// the file source and by the [`CsvDecoder`].
pub fn csv_record(data: &[u8]) {
    let file = Scratch::new("csv", data);
    read_checked::<crate::orders_orders::OrdersRow>(data, &file, FileFormat::Csv, b',');
    let positional = read_checked::<crate::orders_orders::OrdersRow>(data, &file, FileFormat::CsvNoHeader, b',');
    read_checked::<crate::dead_letters_dead_letters::TradesRow>(data, &file, FileFormat::Csv, b',');
    read_checked::<crate::sensors_sensors::ReadingsRow>(data, &file, FileFormat::CsvNoHeader, b';');
    read_checked::<crate::_1brc_1brc::MeasurementsRow>(data, &file, FileFormat::Csv, b';');

    type Orders = crate::orders_orders::OrdersRow;
    let mut decoder = CsvDecoder::new(CsvLayout::positional(Orders::COLUMNS), Orders::COLUMNS, b',');
    let mut row = Orders::default();
    for line in data.split(|b| *b == b'\n') {
        let _ = decoder.decode(line, &mut row);
    }
    let single = !data.is_empty() && !data.iter().any(|b| matches!(b, b'\n' | b'\r' | b'"'));
    if let (true, Some(seen)) = (single, positional) {
        let mut row = Orders::default();
        let alone = decoder.decode(data, &mut row).map(|()| row).map_err(|e| e.message);
        assert_eq!(seen.len(), 1, "one line without quotes is one record");
        assert_eq!(seen[0].2, alone, "the file source and the CSV record decoder disagree");
    }
}

/// **json_record**: the bytes are a JSON file — JSON Lines, or one array of objects — read by
/// the runtime's file source into the generated row types of several apps:
///
/// - `orders` (nullable BIGINT, STRING, two DECIMAL scales, TIMESTAMP), format `json` (an array
///   when the file starts with `[`, else lines) and `jsonl`;
/// - `pipeline` `clicks` (DECIMAL(10,2) and TIMESTAMP, as strings or numbers), `jsonl`;
/// - `sensors` `devices` (a NOT NULL column, BOOLEAN, DATE, DECIMAL(8,4)), `json`;
/// - `dead_letters` `trades` (a NOT NULL column), `jsonl`.
///
/// The whole input is also decoded as one message by the [`JsonDecoder`].
///
/// Properties: nothing panics; the source counts every record it hands on; every record is a
/// piece of the file starting on the line reported for it; reading JSON Lines on 2 or 3
/// threads hands on the same records in the same order as one pass; a valid JSON array (as
/// serde_json reads it) is framed into exactly its elements.
pub fn json_record(data: &[u8]) {
    let file = Scratch::new("json", data);
    let array = read_checked::<crate::orders_orders::OrdersRow>(data, &file, FileFormat::Json, b',');
    read_checked::<crate::orders_orders::OrdersRow>(data, &file, FileFormat::JsonLines, b',');
    read_checked::<crate::pipeline_pipeline::ClicksRow>(data, &file, FileFormat::JsonLines, b',');
    read_checked::<crate::sensors_sensors::DevicesRow>(data, &file, FileFormat::Json, b',');
    read_checked::<crate::dead_letters_dead_letters::TradesRow>(data, &file, FileFormat::JsonLines, b',');

    // A valid JSON array is framed into exactly the elements serde_json sees.
    let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if let Ok(elements) = serde_json::from_slice::<Vec<&serde_json::value::RawValue>>(text) {
        let framed = array.expect("a valid array reads");
        let framed: Vec<&[u8]> = framed.iter().map(|r| r.1.as_slice()).collect();
        let elements: Vec<&[u8]> = elements.iter().map(|e| e.get().as_bytes()).collect();
        assert_eq!(framed, elements, "the array framing and serde_json disagree on the elements");
    }

    let mut orders = crate::orders_orders::OrdersRow::default();
    let _ = JsonDecoder::default().decode(data, &mut orders);
    let mut devices = crate::sensors_sensors::DevicesRow::default();
    let _ = JsonDecoder::default().decode(data, &mut devices);
}

/// **decimal**: the bytes, as text, are a decimal literal for columns of scale 0, 1, 2, 3, 4, 10,
/// 18, 19, 20, 37 and 38, parsed by [`Decimal::parse`] (`CAST`, rounding HALF_UP),
/// [`Decimal::parse_exact`] (columns: too many fraction digits is an error), the CSV field path
/// ([`FromText::from_field`], with its fast [`Decimal::parse_plain`]) and printed by `Display`.
///
/// Properties, for every scale `S`:
/// - printing a parsed value gives exactly `S` fraction digits and parses back to the same value,
///   exactly;
/// - what `parse_exact` accepts, `parse` reads the same; what `parse_plain` accepts (non-ASCII
///   bytes too), `parse_exact` reads the same; the CSV field path agrees with `parse_exact`;
/// - `parse` rounds like reading the text exactly at a larger scale and rescaling (HALF_UP);
/// - a value read at scale `S` and rescaled to a larger scale and back is unchanged.
pub fn decimal(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    decimal_at::<0>(data, &text);
    decimal_at::<1>(data, &text);
    decimal_at::<2>(data, &text);
    decimal_at::<3>(data, &text);
    decimal_at::<4>(data, &text);
    decimal_at::<10>(data, &text);
    decimal_at::<18>(data, &text);
    decimal_at::<19>(data, &text);
    decimal_at::<20>(data, &text);
    decimal_at::<37>(data, &text);
    decimal_at::<38>(data, &text);
}

fn decimal_at<const S: u32>(bytes: &[u8], text: &str) {
    let parsed = Decimal::<S>::parse(text);
    if let Ok(d) = parsed {
        let shown = d.to_string();
        let fraction = shown.split_once('.').map_or(0, |(_, f)| f.len());
        assert_eq!(fraction, S as usize, "`{shown}` (scale {S}) has {fraction} fraction digits");
        assert_eq!(Decimal::<S>::parse(&shown), Ok(d), "`{shown}` (scale {S}) does not read back (from {text:?})");
        assert_eq!(Decimal::<S>::parse_exact(&shown), Ok(d), "`{shown}` (scale {S}) does not read back exactly");
        if S < 20 && d.0.unsigned_abs() < 10u128.pow(18) {
            let wide = d.rescale::<20>().expect("18 digits fit scale 20");
            assert_eq!(wide.rescale::<S>(), Ok(d), "`{shown}` rescaled to scale 20 and back (scale {S})");
        }
        std::hint::black_box(d.to_f64());
    }
    let exact = Decimal::<S>::parse_exact(text);
    if let Ok(d) = exact {
        assert_eq!(parsed, Ok(d), "parse and parse_exact disagree on {text:?} (scale {S})");
    }
    if let Some(d) = Decimal::<S>::parse_plain(bytes) {
        assert_eq!(exact, Ok(d), "parse_plain and parse_exact disagree on {text:?} (scale {S})");
    }
    let field = <Decimal<S> as FromText>::from_field(Field::bytes(bytes));
    assert_eq!(field.is_ok(), std::str::from_utf8(bytes).is_ok() && exact.is_ok(), "CSV field {text:?} (scale {S})");
    if let (Ok(f), Ok(e)) = (&field, &exact) {
        assert_eq!(f, e, "the CSV field path and parse_exact disagree on {text:?} (scale {S})");
    }
    // HALF_UP on the text is HALF_UP on the exact value: compare with reading it exactly at a
    // larger scale first (when that fits), then rescaling.
    if S < 20
        && let Ok(wide) = Decimal::<20>::parse_exact(text)
    {
        assert_eq!(parsed, wide.rescale::<S>(), "rounding {text:?} to scale {S} (via scale 20)");
    }
    if S < 38
        && let Ok(wide) = Decimal::<38>::parse_exact(text)
    {
        assert_eq!(parsed, wide.rescale::<S>(), "rounding {text:?} to scale {S} (via scale 38)");
    }
    if let Err(e) = &parsed {
        assert!(matches!(e, EvalError::Overflow | EvalError::InvalidNumber(_)), "unexpected error {e:?}");
    }
}

/// One record a source handed on: its line, raw bytes, and the row or why it did not decode.
type Seen<R> = (u64, Vec<u8>, Result<R, String>);

fn seen<R: Clone>(row: Result<&R, DecodeError>, rec: &Record<'_>) -> Seen<R> {
    let line = match rec.position {
        Position::Line { line, .. } => line,
        Position::Derived => 0,
    };
    (line, rec.raw.to_vec(), row.cloned().map_err(|e| e.message))
}

/// Reads `file` as a source of `R` in one pass and on 2 or 3 threads, checks that they agree,
/// and returns what one pass handed on (`None` when the file cannot be read as this source at
/// all, e.g. its header lacks a column).
fn read_checked<R>(data: &[u8], file: &Scratch, format: FileFormat, delimiter: u8) -> Option<Vec<Seen<R>>>
where
    R: SourceRow + Clone + PartialEq + std::fmt::Debug + Send + 'static,
{
    let spec = FileSourceSpec { name: "fuzz".into(), path: file.path_text(), format, delimiter };
    let serial = read_serial::<R>(&spec);
    // 2 or 3 threads, by input (both would halve the executions per second).
    let partitions = 2 + data.len() % 2;
    let parallel = read_in_parallel::<R>(&spec, partitions);
    match (&serial, &parallel) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{format:?} on {partitions} threads differs from one pass"),
        (Err(a), Err(b)) => assert_eq!(a, b, "{format:?} on {partitions} threads fails differently"),
        _ => panic!("{format:?}: one pass gives {serial:?}, {partitions} threads give {parallel:?}"),
    }
    if let Ok(records) = &serial {
        check_positions(data, records, format);
    }
    serial.ok()
}

/// Every record (but an empty one, such as the empty element of `[1,,2]`) is a piece of the file
/// that starts on the line reported for it (what dead letters show), after the record before it.
fn check_positions<R>(data: &[u8], records: &[Seen<R>], format: FileFormat) {
    let mut line_starts = vec![0];
    line_starts.extend(data.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
    let line_of = |at: usize| line_starts.partition_point(|&s| s <= at) as u64;
    let mut from = 0;
    for (line, raw, _) in records.iter().filter(|r| !r.1.is_empty()) {
        let found = (from..=data.len().saturating_sub(raw.len()))
            .filter(|&at| data[at..].starts_with(raw))
            .find(|&at| line_of(at) == *line);
        let Some(at) = found else {
            panic!(
                "{format:?}: record {:?} does not start on line {line}, the line reported for it (looked after byte {from})",
                String::from_utf8_lossy(raw)
            );
        };
        from = at + raw.len();
    }
}

fn read_serial<R: SourceRow + Clone>(spec: &FileSourceSpec) -> Result<Vec<Seen<R>>, String> {
    let mut source = FileSource::<R>::from_spec(spec.clone()).map_err(|e| e.0)?;
    let mut all = Vec::new();
    let mut consume = |row: Result<&R, DecodeError>, rec: &Record<'_>| {
        all.push(seen(row, rec));
        Ok(Flow::Continue)
    };
    while source.poll(&mut consume).map_err(|e| e.0)? != Polled::Done {}
    assert_eq!(source.records(), all.len() as u64, "records counted and handed on");
    Ok(all)
}

fn read_in_parallel<R>(spec: &FileSourceSpec, partitions: usize) -> Result<Vec<Seen<R>>, String>
where
    R: SourceRow + Clone + Send + 'static,
{
    fn step<R: Clone>(state: &mut Vec<Seen<R>>, row: Result<&R, DecodeError>, rec: &Record<'_>) {
        state.push(seen(row, rec));
    }
    fn merge<R>(all: &mut Vec<Seen<R>>, part: Vec<Seen<R>>) -> Result<(), FatalError> {
        all.extend(part);
        Ok(())
    }
    let mut input = read_parallel::<Vec<Seen<R>>, R, Vec<Seen<R>>>(spec.clone(), partitions, Vec::new, step, merge);
    let mut all = Vec::new();
    while input.poll(&mut all).map_err(|e| e.0)? != Polled::Done {}
    Ok(all)
}

/// A file holding one input, removed when dropped (in `/dev/shm` where there is one: the
/// sources memory-map real files). A crash aborts before the drop, so each process first removes
/// what processes that no longer run left behind.
struct Scratch(PathBuf);

impl Scratch {
    fn new(ext: &str, data: &[u8]) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        static CLEAN: std::sync::Once = std::sync::Once::new();
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        CLEAN.call_once(|| remove_stale(&dir));
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("velo-fuzz-{}-{n}.{ext}", std::process::id()));
        std::fs::write(&path, data).expect("write the scratch input");
        Self(path)
    }

    fn path_text(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Removes the scratch files (`velo-fuzz-<pid>-…`) of processes that have ended (Linux: where
/// `/proc/<pid>` tells).
fn remove_stale(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(pid) = name.strip_prefix("velo-fuzz-").and_then(|r| r.split('-').next()) else { continue };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
