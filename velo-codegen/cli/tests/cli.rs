//! The `velo` command end to end: `check` exit codes and JSON output, and `build` producing a
//! real native binary whose flags, overrides, dead-letter output and exit codes are checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn velo() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_velo"));
    // One build cache for the whole test suite (velo-rt is compiled once).
    let cache = std::env::var_os("VELO_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/velo-cache"));
    c.env("VELO_CACHE_DIR", cache).env("NO_COLOR", "1");
    c
}

fn apps() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../apps")
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("velo-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn check_passes_every_bundled_app() {
    let out = velo().arg("check").arg(apps()).output().expect("run velo");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(": ok, 0 problems"));
}

#[test]
fn explain_shows_keys_aggregates_windows_and_over_calls() {
    let out = velo().arg("-C").arg(apps().join("trading")).args(["explain", "trading.sql"]).output().expect("run velo");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&out);
    for line in [
        "  group    k0 = symbol",
        "  agg      a0 = FIRST_VALUE(price)",
        "  window   TUMBLING 60000 ms on ts (watermark −5000 ms, allowed lateness 0 ms, late records: DeadLetter)",
        "  window   SLIDING 300000 ms every 60000 ms on ts",
        "  over     w3 = SUM(qty) OVER (PARTITION BY symbol ORDER BY ts ROWS 4 PRECEDING)",
        "  change                   DECIMAL(11, 2)   = (price - w2)",
    ] {
        assert!(shown.contains(line), "missing `{line}` in:\n{shown}");
    }
}

#[test]
fn check_reports_all_problems_as_json_lines_and_exits_1() {
    let dir = temp("check");
    let app = dir.join("bad.sql");
    std::fs::write(
        &app,
        "CREATE STREAM s AS\nSELECT amuont, UPPR(name) AS n FROM src\nWITH ('src.type' = 'file_source', 'src.path' = 'x.csv', 'src.schema' = 'amount DECIMAL(10,2), name STRING');\n",
    )
    .expect("write");
    let out = velo().args(["check", "--format", "json"]).arg(&app).output().expect("run velo");
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 2, "both mistakes are reported");
    assert_eq!((lines[0]["line"].as_u64(), lines[0]["column"].as_u64()), (Some(2), Some(8)));
    assert_eq!(lines[0]["code"], "E0201");
    assert_eq!(lines[0]["help"], "did you mean `amount`?");
    assert_eq!(lines[1]["code"], "E0202");
    let usage = velo().args(["check", "--format", "xml"]).arg(&app).output().expect("run velo");
    assert_eq!(usage.status.code(), Some(2), "a usage error");
}

/// `velo build apps/dead_letters/dead_letters.sql -o bin`.
fn build_dead_letters(bin: &Path) -> Output {
    velo().arg("build").arg(apps().join("dead_letters/dead_letters.sql")).arg("-o").arg(bin).output().expect("run velo")
}

#[test]
fn build_makes_a_binary_that_dead_letters_bad_records_and_honours_flags() {
    let dir = temp("build");
    std::fs::copy(apps().join("dead_letters/trades.csv"), dir.join("trades.csv")).expect("copy data");
    let bin = dir.join("dead_letters");
    let out = build_dead_letters(&bin);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Relative paths in WITH resolve against the working directory of the binary.
    let run = Command::new(&bin).current_dir(&dir).output().expect("run app");
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let summary = text(&run);
    assert!(summary.contains("12 records read"), "{summary}");
    assert!(summary.contains("5 rows written"), "{summary}");
    assert!(summary.contains("6 records failed"), "{summary}");
    assert_eq!(std::fs::read_to_string(dir.join("output/notional.csv.dlq.jsonl")).expect("dlq").lines().count(), 6);

    // --fail-on-error turns failed records into exit code 3.
    let strict = Command::new(&bin).current_dir(&dir).arg("--fail-on-error").output().expect("run app");
    assert_eq!(strict.status.code(), Some(3));

    // Paths can be overridden at start-up by flag or environment.
    let other = dir.join("elsewhere.csv");
    let moved = Command::new(&bin)
        .current_dir(&dir)
        .args(["--set", &format!("notional.path={}", other.display())])
        .output()
        .expect("run app");
    assert_eq!(moved.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&other).expect("moved output").lines().count(), 6);
    let env = Command::new(&bin).current_dir(&dir).env("VELO_TRADES_PATH", "missing.csv").output().expect("run app");
    assert_eq!(env.status.code(), Some(1), "a missing input is a fatal error: {}", text(&env));
    assert!(text(&env).contains("missing.csv"));

    let usage = Command::new(&bin).arg("--bogus").output().expect("run app");
    assert_eq!(usage.status.code(), Some(2));

    // An unchanged app is a cache hit.
    let again = build_dead_letters(&bin);
    assert!(text(&again).contains("cache hit"), "{}", text(&again));
}

#[test]
fn build_refuses_an_app_with_errors() {
    let dir = temp("refuse");
    let app = dir.join("bad.sql");
    std::fs::write(&app, "CREATE STREAM s AS SELECT * FROM nowhere;").expect("write");
    let out = velo().arg("build").arg(&app).output().expect("run velo");
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("bad.sql:1:34"), "{t}");
    assert!(t.contains("could not compile"), "{t}");
}
