//! What a run does to its output files (docs/files.md, "Output guarantees"): a reader sees the
//! previous output or the complete new one; a run that fails or is stopped leaves the previous
//! one; appending runs append their dead letters too; and no two objects may use one file.

use std::path::{Path, PathBuf};

use velo_rt::__private::Context;
use velo_rt::config::Config;
use velo_tests::dead_letters_dead_letters as app;

/// A scratch folder with the dead-letter app's input (`trades.csv`: 12 records, 6 of them bad)
/// and a previous run's output and dead letters.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("velo-outputs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let apps = Path::new(env!("CARGO_MANIFEST_DIR")).join("../apps/dead_letters/trades.csv");
    std::fs::copy(apps, dir.join("trades.csv")).expect("copy input");
    std::fs::write(dir.join("notional.csv"), "previous output\n").expect("write");
    std::fs::write(dir.join("notional.csv.dlq.jsonl"), "previous dead letters\n").expect("write");
    dir
}

fn config(dir: &Path, overrides: &[String]) -> Config {
    let mut config = Config::new(app::APP.properties, app::APP.objects);
    let paths =
        [format!("trades.path={}/trades.csv", dir.display()), format!("notional.path={}/notional.csv", dir.display())];
    for o in paths.iter().chain(overrides) {
        config.apply_override(o).expect("override");
    }
    config
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_finished_run_replaces_its_outputs_whole() {
    let dir = scratch("finished");
    let mut ctx = Context::new(config(&dir, &[]));
    app::run(&mut ctx).expect("runs");
    assert_eq!(read(dir.join("notional.csv")).lines().count(), 6, "header + 5 rows");
    assert_eq!(read(dir.join("notional.csv.dlq.jsonl")).lines().count(), 6);
    assert_eq!(files_in(&dir), ["notional.csv", "notional.csv.dlq.jsonl", "trades.csv"], "no temporary files");
}

#[test]
fn a_bounded_run_stopped_before_its_input_ended_leaves_the_previous_outputs() {
    let dir = scratch("stopped");
    let mut ctx = Context::new(config(&dir, &[]));
    ctx.stop.store(15, std::sync::atomic::Ordering::Relaxed); // SIGTERM before the first record
    app::run(&mut ctx).expect("runs");
    assert!(ctx.interrupted && !ctx.keeps_outputs());
    assert_eq!(read(dir.join("notional.csv")), "previous output\n");
    assert_eq!(read(dir.join("notional.csv.dlq.jsonl")), "previous dead letters\n");
    assert_eq!(files_in(&dir), ["notional.csv", "notional.csv.dlq.jsonl", "trades.csv"], "no temporary files");
}

#[test]
fn a_run_that_cannot_start_touches_no_output() {
    let dir = scratch("missing");
    let mut ctx = Context::new(config(&dir, &[format!("trades.path={}/missing.csv", dir.display())]));
    let e = app::run(&mut ctx).expect_err("a missing source is fatal");
    assert!(e.0.contains("missing.csv"), "{e}");
    assert_eq!(read(dir.join("notional.csv")), "previous output\n");
    assert_eq!(read(dir.join("notional.csv.dlq.jsonl")), "previous dead letters\n");
}

#[test]
fn an_appending_run_appends_its_dead_letters_too() {
    let dir = scratch("append");
    std::fs::remove_file(dir.join("notional.csv")).expect("remove");
    for _ in 0..2 {
        let mut ctx = Context::new(config(&dir, &["notional.append=true".into()]));
        app::run(&mut ctx).expect("runs");
    }
    assert_eq!(read(dir.join("notional.csv")).lines().count(), 11, "one header, 5 rows per run");
    let dlq = read(dir.join("notional.csv.dlq.jsonl"));
    assert_eq!(dlq.lines().count(), 13, "the previous line and 6 dead letters per run: {dlq}");
    assert!(dlq.starts_with("previous dead letters\n"));
}

#[test]
fn two_objects_on_one_file_are_refused_before_anything_is_opened() {
    let dir = scratch("clash");
    let input = format!("{}/trades.csv", dir.display());
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(dir.join("trades.csv"), &link).expect("symlink");
    let cases = [
        (format!("notional.path={}/./trades.csv", dir.display()), "sink `notional`"),
        (format!("notional.path={}", link.display()), "sink `notional`"),
        (format!("notional.dlq={input}"), "the dead letters of `notional`"),
        (format!("notional.dlq={}/notional.csv", dir.display()), "the dead letters of `notional`"),
    ];
    for (set, second) in cases {
        let config = config(&dir, std::slice::from_ref(&set));
        let e = velo_rt::io::check_files(&config, &app::APP).expect_err(&set);
        assert!(e.0.contains(second) && e.0.contains("one file"), "--set {set}: {e}");
    }
    assert_eq!(read(dir.join("trades.csv")).lines().count(), 13, "the input is untouched");
    velo_rt::io::check_files(&config(&dir, &[]), &app::APP).expect("distinct paths are fine");
}
