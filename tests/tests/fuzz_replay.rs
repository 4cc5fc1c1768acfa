//! Replays every input of the fuzz targets (`tests/fuzz/`) on stable Rust, so CI runs them with
//! plain `cargo test`: the seed corpus (`tests/fuzz/corpus/<target>/`) and the crashing inputs
//! kept as regression tests (`tests/fuzz/regressions/<target>/`), each fed to the target's body
//! in `velo_tests::fuzz`.
//!
//! The inputs of one target and folder run in a child process (this test binary again, test
//! `replay_child`), one after the other on a thread with libFuzzer's 8 MiB of stack, so an
//! input that overflows the stack, aborts or hangs is reported by name like one that panics;
//! the inputs after it still run, in a fresh child.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use velo_tests::fuzz::TARGETS;

/// Tells a child which inputs to replay: `<folder>/<target>/<first index>`.
const ENV: &str = "VELO_FUZZ_REPLAY";
/// The marker a child prints before each input: `fuzz-replay: <index> <path>`.
const MARKER: &str = "fuzz-replay: ";
/// The stack of libFuzzer's main thread (the default 8 MiB of Linux), where the targets run.
const STACK: usize = 8 << 20;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The inputs of `target` in `folder` (`corpus` or `regressions`), by name (hidden files and
/// READMEs are not inputs). The corpus of `front_end` also holds every app's `.sql` file in
/// `apps/`, read from there (they are not copied into the corpus).
fn inputs(folder: &str, target: &str) -> Vec<PathBuf> {
    let mut files = files_in(&fuzz_dir().join(folder).join(target));
    if (folder, target) == ("corpus", "front_end") {
        // apps/*.sql and apps/<app>/*.sql
        let apps = fuzz_dir().join("../../apps");
        let mut dirs: Vec<PathBuf> =
            std::fs::read_dir(&apps).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        dirs.insert(0, apps);
        let sql = dirs.iter().flat_map(|dir| files_in(dir)).filter(|p| p.extension().is_some_and(|x| x == "sql"));
        files.extend(sql);
    }
    files
}

/// The files directly in `dir`, by name, but hidden ones and READMEs.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| p.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.') && n != "README.md"))
        .collect();
    files.sort();
    files
}

/// Every sub-folder of `folder` must be a target's: a misspelt one would silently not replay.
fn check_folders(folder: &str) {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(folder)) else { return };
    for e in entries.flatten().filter(|e| e.path().is_dir()) {
        let name = e.file_name().to_string_lossy().to_string();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "tests/fuzz/{folder}/{name} is not a fuzz target's folder (targets: {:?})",
            TARGETS.iter().map(|(t, _)| *t).collect::<Vec<_>>()
        );
    }
}

/// Replays the inputs of every target in `folder`; returns how many ran and the failures, each
/// naming its file.
fn replay(folder: &str) -> (usize, Vec<String>) {
    check_folders(folder);
    let exe = std::env::current_exe().expect("the test binary");
    let scratch = std::env::temp_dir().join(format!("velo-fuzz-replay-{folder}-{}", std::process::id()));
    let mut failures = Vec::new();
    let mut total = 0;
    for (target, _) in TARGETS {
        let files = inputs(folder, target);
        total += files.len();
        let mut first = 0;
        while first < files.len() {
            let (stdout, stderr) = (scratch.with_extension("out"), scratch.with_extension("err"));
            let mut child = Command::new(&exe)
                .args(["replay_child", "--exact", "--nocapture", "--test-threads=1", "-q"])
                .env(ENV, format!("{folder}/{target}/{first}"))
                .env("RUST_BACKTRACE", "0")
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(&stdout).expect("child stdout file"))
                .stderr(std::fs::File::create(&stderr).expect("child stderr file"))
                .spawn()
                .expect("start the replaying child");
            // Generous for unoptimised builds: each input takes milliseconds.
            let limit = Duration::from_secs(20 + 2 * (files.len() - first) as u64);
            let started = Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait().expect("wait for the child") {
                    break Some(status);
                }
                if started.elapsed() > limit {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(5));
            };
            let err = std::fs::read_to_string(&stderr).unwrap_or_default();
            let out = std::fs::read_to_string(&stdout).unwrap_or_default();
            let _ = (std::fs::remove_file(&stdout), std::fs::remove_file(&stderr));
            if status.is_some_and(|s| s.success()) {
                break;
            }
            // The input that failed is the last one the child announced.
            let last = err.rmatch_indices(MARKER).next().map(|(at, _)| &err[at + MARKER.len()..]);
            let Some((index, rest)) =
                last.and_then(|l| l.split_once(' ')).and_then(|(i, r)| Some((i.parse().ok()?, r)))
            else {
                failures.push(format!("{folder}/{target}: the replaying child failed before any input\n{err}{out}"));
                break;
            };
            let index: usize = index;
            let (path, output) = rest.split_once('\n').unwrap_or((rest, ""));
            let why = match status {
                None => format!("timed out after {} s", limit.as_secs()),
                Some(s) => format!("{s}"),
            };
            let tail: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).take(12).collect();
            failures.push(format!("{path}: {why}\n    {}", tail.join("\n    ")));
            first = index + 1;
        }
    }
    (total, failures)
}

/// Every seed (and any committed corpus input) of every target runs without a crash.
#[test]
fn corpus_replays() {
    for (target, _) in TARGETS {
        assert!(!inputs("corpus", target).is_empty(), "tests/fuzz/corpus/{target}/ has no seeds");
    }
    let apps = inputs("corpus", "front_end").into_iter().filter(|p| p.ends_with("trading/trading.sql")).count();
    assert_eq!(apps, 1, "the apps' .sql files are front_end seeds");
    let (total, failures) = replay("corpus");
    assert!(failures.is_empty(), "{} of {total} corpus inputs crash:\n{}", failures.len(), failures.join("\n"));
}

/// Every crashing input found by fuzzing no longer crashes (each file is a bug until fixed).
#[test]
fn regressions_replay() {
    let (total, failures) = replay("regressions");
    assert!(failures.is_empty(), "{} of {total} regression inputs crash:\n{}", failures.len(), failures.join("\n"));
}

/// The child side of [`replay`]: a no-op unless `VELO_FUZZ_REPLAY` names inputs to replay.
#[test]
fn replay_child() {
    let Ok(what) = std::env::var(ENV) else { return };
    let mut parts = what.splitn(3, '/');
    let (folder, target, first) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let first: usize = first.parse().expect("first index");
    let run = TARGETS.iter().find(|(t, _)| *t == target).expect("a known target").1;
    for (index, path) in inputs(folder, target).into_iter().enumerate().skip(first) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new("/"));
        let shown = path.strip_prefix(root).unwrap_or(&path);
        eprintln!("{MARKER}{index} {}", shown.display());
        let data = std::fs::read(&path).expect("read the input");
        let replayed = std::thread::Builder::new().stack_size(STACK).spawn(move || run(&data)).expect("thread").join();
        if replayed.is_err() {
            // The panic message is already on stderr; the parent names the file.
            std::process::exit(101);
        }
    }
}
