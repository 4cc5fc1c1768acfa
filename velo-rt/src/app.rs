//! The `main` of every generated binary: command-line flags, configuration overrides, the run
//! summary and the documented exit codes.
//!
//! | exit code | meaning |
//! |---|---|
//! | 0 | finished (failed records, if any, are in the dead-letter output) |
//! | 1 | a fatal error stopped the app (missing input file, unwritable sink, two objects on one file, an input truncated by another process while read, …) |
//! | 2 | bad command-line usage |
//! | 3 | finished, but records failed and `--fail-on-error` was given |
//! | 130, 143 | a bounded run stopped by SIGINT or SIGTERM before its input ended |
//!
//! SIGTERM and SIGINT stop a run cleanly: no more records are read and the summary says the run
//! was stopped. A run over an unbounded input (a watched file) ends this way: its sinks are
//! flushed and closed, and the exit code is 0. A bounded (file) run stopped before its input
//! ended has only partial results: it leaves every output file as it was before the run (see
//! [`crate::io::file::staged`]) and exits with 128 + the signal number, as a shell does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::config::Config;
use crate::dataflow::driver::Timers;
use crate::dataflow::output::{SourceSpec, StatementSpec};
use crate::error::FatalError;
use crate::io::file::staged::Staging;

/// What the compiler knows about an app, embedded in its binary.
#[derive(Debug)]
pub struct AppSpec {
    /// App name (`-- @app:` or the file name).
    pub name: &'static str,
    /// App version (`-- @version:`), may be empty.
    pub version: &'static str,
    /// The WITH properties of all statements, `object.key` → value.
    pub properties: &'static [(&'static str, &'static str)],
    /// The source and sink objects and the statements, whose settings can be overridden.
    pub objects: &'static [&'static str],
    /// The statements, in file order.
    pub statements: &'static [StatementSpec],
    /// The sources, in order of first use.
    pub sources: &'static [SourceSpec],
}

/// Exit code: records failed and `--fail-on-error` was given.
pub const EXIT_RECORDS_FAILED: u8 = 3;

/// The state of one run: configuration and the counters for the summary.
pub struct Context {
    /// The effective configuration.
    pub config: Config,
    /// Reader threads requested with `--partitions` (overrides `@num_partitions`).
    pub partitions: Option<usize>,
    /// Set (to the number of the signal, SIGTERM or SIGINT) to ask the run to stop.
    pub stop: Arc<AtomicUsize>,
    /// Whether the run was stopped before its inputs ended.
    pub interrupted: bool,
    /// Whether every input ends (files read to their end): then outputs are replaced whole
    /// when the run finishes, and left alone when it does not.
    pub bounded: bool,
    /// How often the driver's timers fire.
    pub timers: Timers,
    lines: Vec<String>,
    failed: u64,
}

impl Context {
    /// A context over the given configuration.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            partitions: None,
            stop: Arc::default(),
            interrupted: false,
            bounded: true,
            timers: Timers::default(),
            lines: Vec::new(),
            failed: 0,
        }
    }

    /// Whether a stop was asked for.
    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed) != 0
    }

    /// How output files are written: staged and renamed in a bounded run, as they go otherwise.
    pub fn staging(&self) -> Staging {
        if self.bounded { Staging::Replace } else { Staging::Live }
    }

    /// Whether the outputs of this run replace the previous ones: not when a bounded run was
    /// stopped before its input ended.
    pub fn keeps_outputs(&self) -> bool {
        !(self.bounded && self.interrupted)
    }

    /// Records that source `name` produced `records` records.
    pub fn source_done(&mut self, name: &str, location: &str, records: u64) {
        self.lines.push(format!("  source {name}: {records} records read from {location}"));
    }

    /// Records that `count` records of source `name` did not decode and went to its own dead
    /// letters.
    pub fn source_failed(&mut self, name: &str, count: u64, dlq: Option<&Path>) {
        let at = dlq.map(shown).unwrap_or_else(|| "stderr".into());
        self.lines.push(format!("  source {name}: {count} records failed to decode (dead letters: {at})"));
        self.failed += count;
    }

    /// Records a statement's outcome.
    pub fn statement_done(&mut self, done: StatementSummary) {
        let StatementSummary { name, rows, sink, failed, dlq, late } = done;
        let to = sink.map(|s| format!(" to {s}")).unwrap_or_default();
        let mut line = format!("  {name}: {rows} rows written{to}");
        let at = dlq.as_deref().map(shown).unwrap_or_else(|| "stderr".into());
        if failed > 0 {
            line.push_str(&format!(", {failed} records failed (dead letters: {at})"));
        }
        match late {
            Late { count: 0, .. } => {}
            Late { count, dead_lettered: true } => {
                line.push_str(&format!(", {count} late records (dead letters: {at})"))
            }
            Late { count, dead_lettered: false } => line.push_str(&format!(", {count} late records dropped")),
        }
        self.failed += failed;
        self.lines.push(line);
    }

    /// How many reader threads to use: `--partitions`, else the app's `@num_partitions`, else the
    /// number of cores.
    pub fn partitions(&self, declared: Option<usize>) -> usize {
        self.partitions
            .or(declared)
            .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
            .clamp(1, velo_spec::MAX_PARTITIONS as usize)
    }

    /// Total records that failed in this run.
    pub fn failed(&self) -> u64 {
        self.failed
    }
}

/// What one statement did in a run, for the summary.
#[derive(Debug, Clone, Default)]
pub struct StatementSummary {
    /// The statement.
    pub name: String,
    /// Rows emitted.
    pub rows: u64,
    /// Where its rows went, if anywhere.
    pub sink: Option<String>,
    /// Records that failed (dead-lettered), late records not included.
    pub failed: u64,
    /// Its dead-letter file (else standard error).
    pub dlq: Option<PathBuf>,
    /// Records that arrived after their window fired.
    pub late: Late,
}

/// Late records of a windowed statement: counted always, dead-lettered on request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Late {
    /// How many.
    pub count: u64,
    /// Whether they went to the dead-letter output (else they were dropped).
    pub dead_lettered: bool,
}

/// A path as shown in summaries: canonical when it exists.
fn shown(p: &Path) -> String {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf()).display().to_string()
}

struct Args {
    overrides: Vec<String>,
    fail_on_error: bool,
    quiet: bool,
    partitions: Option<usize>,
}

const USAGE: &str = "usage: APP [--set object.key=value]... [--fail-on-error] [--quiet]\n\
\n\
  --set object.key=value   override a WITH property at start-up (path, format, delimiter,\n\
                           header, dlq, append); also VELO_<OBJECT>_<KEY>=value in the environment\n\
  --fail-on-error          exit with code 3 when any record failed (default: 0)\n\
  --partitions N           reader threads for EMIT FINAL aggregations, 1 to 256 (default:\n\
                           @num_partitions, else the number of cores)\n\
  --quiet                  do not print the run summary\n\
  --print-config           print the effective configuration and exit\n\
  --version, --help\n\
\n\
exit codes: 0 done, 1 fatal error, 2 usage error, 3 records failed with --fail-on-error";

/// Runs a generated app: parses flags, builds the configuration, calls `run`, prints the summary
/// and maps the outcome to the documented exit code.
pub fn main(spec: &AppSpec, run: impl FnOnce(&mut Context) -> Result<(), FatalError>) -> ExitCode {
    let mut config = Config::new(spec.properties, spec.objects);
    config.apply_env(|k| std::env::var(k).ok());
    let mut args = Args { overrides: Vec::new(), fail_on_error: false, quiet: false, partitions: None };
    let mut it = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--set" => match it.next() {
                Some(v) => args.overrides.push(v),
                None => return usage_error("--set needs object.key=value"),
            },
            s if s.starts_with("--set=") => args.overrides.push(s["--set=".len()..].to_string()),
            "--fail-on-error" => args.fail_on_error = true,
            "--partitions" => match it.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(n @ 1..=velo_spec::MAX_PARTITIONS) => args.partitions = Some(n as usize),
                _ => {
                    return usage_error(&format!(
                        "--partitions needs a whole number from 1 to {}",
                        velo_spec::MAX_PARTITIONS
                    ));
                }
            },
            "--quiet" | "-q" => args.quiet = true,
            "--version" | "-V" => {
                println!("{} {} (built by velo {})", spec.name, spec.version, env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!("{} — a streaming SQL app compiled by Velo\n\n{USAGE}", spec.name);
                return ExitCode::SUCCESS;
            }
            "--print-config" => {
                for o in &args.overrides {
                    if let Err(e) = config.apply_override(o) {
                        return usage_error(&e.0);
                    }
                }
                println!("{config:#?}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument `{other}`")),
        }
    }
    for o in &args.overrides {
        if let Err(e) = config.apply_override(o) {
            return usage_error(&e.0);
        }
    }
    let started = Instant::now();
    let mut ctx = Context::new(config);
    ctx.partitions = args.partitions;
    ctx.bounded = spec.sources.iter().all(|s| crate::io::is_bounded(&ctx.config, s.name));
    if let Err(e) = crate::io::check_files(&ctx.config, spec) {
        eprintln!("velo: error: {e}");
        return ExitCode::FAILURE;
    }
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        if let Err(e) = signal_hook::flag::register_usize(signal, Arc::clone(&ctx.stop), signal as usize) {
            eprintln!("velo: warning: cannot handle signal {signal}: {e}");
        }
    }
    if let Err(e) = crate::io::file::report_truncated_inputs() {
        eprintln!("velo: warning: cannot handle SIGBUS (an input truncated while read): {e}");
    }
    let outcome = run(&mut ctx);
    if !args.quiet || outcome.is_err() {
        let status = match (&outcome, ctx.interrupted, ctx.keeps_outputs()) {
            (Err(_), _, _) => "stopped by an error (outputs left as they were)",
            (Ok(()), true, false) => "stopped by a signal before the input ended (outputs left as they were)",
            (Ok(()), true, true) => "stopped by a signal",
            (Ok(()), false, _) => "finished",
        };
        eprintln!("velo app {}: {status} in {:.3} s", spec.name, started.elapsed().as_secs_f64());
        for line in &ctx.lines {
            eprintln!("{line}");
        }
    }
    match outcome {
        Err(e) => {
            eprintln!("velo: error: {e}");
            ExitCode::FAILURE
        }
        Ok(()) if !ctx.keeps_outputs() => ExitCode::from(128 + ctx.stop.load(Ordering::Relaxed).min(127) as u8),
        Ok(()) if args.fail_on_error && ctx.failed > 0 => ExitCode::from(EXIT_RECORDS_FAILED),
        Ok(()) => ExitCode::SUCCESS,
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("velo: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}
