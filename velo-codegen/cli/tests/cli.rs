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

#[test]
fn files_that_are_not_utf8_get_a_positioned_diagnostic_and_a_bom_is_skipped() {
    let dir = temp("encoding");
    let ok = "CREATE STREAM s AS SELECT * FROM 'in.csv' INTO 'out.csv' WITH ('in.schema' = 'id BIGINT');\n";
    // (file, bytes, the expected E0007's line, column and words; None: no problem)
    type Case = (&'static str, Vec<u8>, Option<(u64, u64, &'static str)>);
    let cases: [Case; 3] = [
        ("bom.sql", [b"\xEF\xBB\xBF".as_slice(), ok.as_bytes()].concat(), None),
        ("latin1.sql", b"-- caf\xE9\nCREATE STREAM s AS SELECT 1 AS x FROM t;".to_vec(), Some((1, 7, "byte 0xE9"))),
        ("utf16.sql", b"\xFF\xFEC\x00R\x00".to_vec(), Some((1, 1, "UTF-16"))),
    ];
    for (name, bytes, expected) in cases {
        let app = dir.join(name);
        std::fs::write(&app, bytes).expect("write");
        let out = velo().args(["check", "--format", "json"]).arg(&app).output().expect("run velo");
        let lines: Vec<serde_json::Value> =
            String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
        match expected {
            None => assert_eq!((out.status.code(), lines.len()), (Some(0), 0), "{name}: {}", text(&out)),
            Some((line, column, says)) => {
                assert_eq!(out.status.code(), Some(1), "{name}");
                assert_eq!(lines.len(), 1, "{name}: {}", text(&out));
                assert_eq!(lines[0]["code"], "E0007");
                assert_eq!((lines[0]["line"].as_u64(), lines[0]["column"].as_u64()), (Some(line), Some(column)));
                assert!(lines[0]["message"].as_str().is_some_and(|m| m.contains(says)), "{name}: {}", lines[0]);
            }
        }
    }
    let missing = velo().args(["check", "--format", "json"]).arg(dir.join("nowhere/none.sql")).output().expect("run");
    assert_eq!(missing.status.code(), Some(2), "a missing file is a usage error: {}", text(&missing));
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

/// Builds the app `sql` (written to `dir/app.sql`) into `dir/app`. Apps built by tests that run
/// at the same time need distinct `@app` names (they share the build cache).
fn build_in(dir: &Path, sql: &str) -> PathBuf {
    std::fs::write(dir.join("app.sql"), sql).expect("write app");
    let bin = dir.join("app");
    let out = velo().arg("-C").arg(dir).args(["build", "app.sql", "-o"]).arg(&bin).output().expect("run velo");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    bin
}

/// Waits (up to 20 s) until `ready` holds.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "timed out waiting until {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).map(|t| t.lines().map(str::to_string).collect()).unwrap_or_default()
}

#[test]
fn a_watched_file_is_followed_windows_fire_on_the_clock_and_sigterm_stops_cleanly() {
    let dir = temp("watch");
    std::fs::write(dir.join("events.csv"), "id,name\n1,a\n2,b\n3,c\n").expect("write data");
    let bin = build_in(
        &dir,
        "-- @app: watch_demo
CREATE STREAM copied AS SELECT id, UPPER(name) AS name FROM events;
CREATE STREAM per_second AS SELECT COUNT(*) AS n FROM events WINDOW TUMBLING(1s)
WITH ('events.type' = 'file_source', 'events.path' = 'events.csv', 'events.watch' = 'true',
      'events.schema' = 'id BIGINT, name STRING',
      'copied.type' = 'file_sink', 'copied.path' = 'copied.csv',
      'per_second.type' = 'file_sink', 'per_second.path' = 'per_second.csv');",
    );
    let app = Command::new(&bin).current_dir(&dir).stderr(std::process::Stdio::piped()).spawn().expect("start the app");
    // Rows reach the sink while the run goes on (sinks flush every second) ...
    wait_until("the first rows are flushed", || lines_of(&dir.join("copied.csv")).len() == 4);
    assert_eq!(lines_of(&dir.join("copied.csv"))[1..], ["1,A", "2,B", "3,C"]);
    // ... and windows over processing time fire without a new record.
    let counted =
        || lines_of(&dir.join("per_second.csv")).iter().skip(1).map(|n| n.parse::<i64>().unwrap_or(0)).sum::<i64>();
    wait_until("the processing-time window fires", || counted() == 3);
    // Appended lines are read as they arrive; a partial line waits for its end.
    use std::io::Write;
    let mut events = std::fs::OpenOptions::new().append(true).open(dir.join("events.csv")).expect("open");
    events.write_all(b"4,d\n5,").expect("append");
    wait_until("the appended row arrives", || lines_of(&dir.join("copied.csv")).len() == 5);
    events.write_all(b"e\n").expect("append");
    wait_until("the completed row arrives", || lines_of(&dir.join("copied.csv")).len() == 6);
    let status = Command::new("kill").arg("-TERM").arg(app.id().to_string()).status().expect("kill");
    assert!(status.success());
    let out = app.wait_with_output().expect("wait");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{summary}");
    assert!(summary.contains("stopped by a signal"), "{summary}");
    assert!(summary.contains("source events: 5 records read"), "{summary}");
    assert!(summary.contains("copied: 5 rows written"), "{summary}");
    assert_eq!(lines_of(&dir.join("copied.csv")).last().map(String::as_str), Some("5,E"));
}

#[test]
fn uri_sources_and_sinks_are_objects_of_their_own() {
    let dir = temp("uris");
    for sub in ["a", "b"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    std::fs::write(dir.join("trades.csv"), "id,qty\n1,10\n2,20\n").expect("write");
    std::fs::write(dir.join("a/trades.csv"), "id,qty\n3,30\n").expect("write");
    std::fs::write(dir.join("b/trades.csv"), "id,qty\n4,40\n5,50\n").expect("write");
    // The source and the sink share a file name; two sources share one too.
    let bin = build_in(
        &dir,
        "-- @app: uri_objects
SELECT id, qty * 2 AS double FROM 'trades.csv' INTO 'out/trades.csv';
CREATE STREAM from_a AS SELECT id FROM 'a/trades.csv' INTO 'out/a.csv';
CREATE STREAM from_b AS SELECT id FROM 'b/trades.csv' INTO 'out/b.csv';",
    );
    let run = Command::new(&bin).current_dir(&dir).output().expect("run app");
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert_eq!(lines_of(&dir.join("out/trades.csv")), ["id,double", "1,20", "2,40"]);
    assert_eq!(lines_of(&dir.join("out/a.csv")), ["id", "3"]);
    assert_eq!(lines_of(&dir.join("out/b.csv")), ["id", "4", "5"]);
}

#[test]
fn sources_and_sinks_take_their_own_dead_letter_files() {
    let dir = temp("dlqs");
    std::fs::write(dir.join("in.csv"), "id,qty\n1,10\nx,20\n3,0\n").expect("write");
    let bin = build_in(
        &dir,
        "-- @app: own_dead_letters
CREATE STREAM ratios AS SELECT id, 100 / qty AS r FROM nums INTO out
WITH ('nums.type' = 'file_source', 'nums.path' = 'in.csv', 'nums.schema' = 'id BIGINT, qty BIGINT',
      'nums.dlq' = 'bad_input.jsonl',
      'out.type' = 'file_sink', 'out.path' = 'out.csv', 'out.dlq' = 'bad_rows.jsonl');",
    );
    let run = Command::new(&bin).current_dir(&dir).output().expect("run app");
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    // `x` does not decode: the source's dead letters; 100 / 0 fails: the sink's statement's.
    let undecodable = lines_of(&dir.join("bad_input.jsonl"));
    assert_eq!(undecodable.len(), 1, "{undecodable:?}");
    assert!(undecodable[0].contains("\"line\":3") && undecodable[0].contains("x,20"), "{undecodable:?}");
    let failed = lines_of(&dir.join("bad_rows.jsonl"));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].contains("division by zero") && failed[0].contains("\"line\":4"), "{failed:?}");
    assert_eq!(lines_of(&dir.join("out.csv")), ["id,r", "1,10"]);
    let summary = text(&run);
    assert!(summary.contains("source nums: 1 records failed to decode"), "{summary}");
    assert!(summary.contains("ratios: 1 rows written"), "{summary}");
    // --set checks the object and the key.
    let typo = Command::new(&bin).current_dir(&dir).args(["--set", "nums.pth=x.csv"]).output().expect("run app");
    assert_eq!(typo.status.code(), Some(2));
    assert!(text(&typo).contains("did you mean `nums.path`?"), "{}", text(&typo));
}

#[test]
fn build_never_writes_the_binary_over_its_sql_file() {
    let dir = temp("over-sql");
    let sql = dir.join("app.sql");
    let app = "CREATE STREAM s AS SELECT * FROM 'in.csv' INTO 'out.csv';";
    std::fs::write(&sql, app).expect("write");
    for out in [sql.clone(), dir.join("./APP.SQL")] {
        let run = velo().arg("build").arg(&sql).arg("-o").arg(&out).output().expect("run velo");
        assert_eq!(run.status.code(), Some(2), "{}", text(&run));
        assert!(text(&run).contains("refusing to write the binary over"), "{}", text(&run));
    }
    assert_eq!(std::fs::read_to_string(&sql).expect("read"), app);
}

/// Files in `dir` whose name starts with `.` (temporary outputs).
fn hidden_files(dir: &Path) -> Vec<String> {
    let names = std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry").file_name());
    names.map(|n| n.to_string_lossy().into_owned()).filter(|n| n.starts_with('.')).collect()
}

#[test]
fn a_bounded_run_killed_or_stopped_midway_leaves_the_previous_output() {
    let dir = temp("atomic");
    let bin = build_in(
        &dir,
        "-- @app: atomic_outputs
CREATE STREAM copied AS SELECT id, UPPER(name) AS name FROM events
WITH ('events.type' = 'file_source', 'events.path' = 'events.csv', 'events.schema' = 'id BIGINT, name STRING',
      'copied.type' = 'file_sink', 'copied.path' = 'out/copied.csv');",
    );
    // Enough rows that a run takes a while: the signal arrives while it writes.
    let mut data = String::from("id,name\n");
    for i in 0..3_000_000 {
        data.push_str(&format!("{i},name{}\n", i % 1000));
    }
    std::fs::write(dir.join("events.csv"), &data).expect("write data");
    std::fs::create_dir_all(dir.join("out")).expect("mkdir");
    let output = dir.join("out/copied.csv");
    std::fs::write(&output, "previous output\n").expect("write");
    for (signal, code) in [("-TERM", Some(143)), ("-INT", Some(130)), ("-KILL", None)] {
        let app = Command::new(&bin).current_dir(&dir).stderr(std::process::Stdio::piped()).spawn().expect("start");
        wait_until("the run starts writing", || !hidden_files(&dir.join("out")).is_empty());
        let status = Command::new("kill").arg(signal).arg(app.id().to_string()).status().expect("kill");
        assert!(status.success());
        let out = app.wait_with_output().expect("wait");
        let summary = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), code, "{signal}: {summary}");
        assert_eq!(std::fs::read_to_string(&output).expect("read"), "previous output\n", "{signal}: {summary}");
        if code.is_some() {
            assert!(summary.contains("outputs left as they were"), "{summary}");
            assert!(hidden_files(&dir.join("out")).is_empty(), "a stopped run removes its temporary file");
        }
    }
    // Another process truncating the input midway: a clear error and exit 1, not SIGBUS.
    for stale in hidden_files(&dir.join("out")) {
        std::fs::remove_file(dir.join("out").join(stale)).expect("remove what SIGKILL left");
    }
    let app = Command::new(&bin).current_dir(&dir).stderr(std::process::Stdio::piped()).spawn().expect("start");
    let maps = format!("/proc/{}/maps", app.id());
    wait_until("the run maps its input", || std::fs::read_to_string(&maps).is_ok_and(|m| m.contains("events.csv")));
    std::fs::File::options().write(true).open(dir.join("events.csv")).and_then(|f| f.set_len(8)).expect("truncate");
    let out = app.wait_with_output().expect("wait");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{summary}");
    assert!(summary.contains("an input file became shorter while it was read"), "{summary}");
    assert_eq!(std::fs::read_to_string(&output).expect("read"), "previous output\n", "{summary}");
    std::fs::write(dir.join("events.csv"), &data).expect("write data");

    // A complete run replaces the output whole.
    let run = Command::new(&bin).current_dir(&dir).output().expect("run");
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert_eq!(lines_of(&output).len(), 3_000_001);
    assert_eq!(lines_of(&output)[3_000_000], "2999999,NAME999");

    // A sink over the source is refused at start-up, naming both, and nothing is touched.
    let before = std::fs::metadata(dir.join("events.csv")).expect("stat").len();
    let clash = Command::new(&bin).current_dir(&dir).args(["--set", "copied.path=./events.csv"]).output().expect("run");
    assert_eq!(clash.status.code(), Some(1), "{}", text(&clash));
    assert!(text(&clash).contains("source `events` (`events.csv`) and sink `copied` (`./events.csv`) are one file"));
    assert_eq!(std::fs::metadata(dir.join("events.csv")).expect("stat").len(), before);
}

#[test]
fn apps_that_share_a_name_built_at_once_each_get_their_own_binary() {
    let (a, b) = (temp("same-name-a"), temp("same-name-b"));
    let sql = |word: &str| {
        format!(
            "-- @app: same_name_twice
CREATE STREAM s AS SELECT '{word}' AS word FROM 'in.csv' INTO 'out.csv' WITH ('in.schema' = 'id BIGINT');"
        )
    };
    let builds: Vec<_> = [(&a, "alpha"), (&b, "beta")]
        .into_iter()
        .map(|(dir, word)| {
            std::fs::write(dir.join("app.sql"), sql(word)).expect("write app");
            std::fs::write(dir.join("in.csv"), "id\n1\n").expect("write data");
            velo().arg("-C").arg(dir).args(["build", "app.sql", "-o", "app"]).spawn().expect("start velo")
        })
        .collect();
    for b in builds {
        assert!(b.wait_with_output().expect("wait").status.success());
    }
    for (dir, word) in [(&a, "alpha"), (&b, "beta")] {
        let run = Command::new(dir.join("app")).current_dir(dir).output().expect("run");
        assert_eq!(run.status.code(), Some(0), "{}", text(&run));
        assert_eq!(lines_of(&dir.join("out.csv")), ["word", word], "the binary of {word}'s app");
    }
}
