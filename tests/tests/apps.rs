//! End-to-end runs of the apps in `apps/`, in-process: each generated app reads its bundled data
//! and its output is compared with an independent oracle (DuckDB, Python's decimal module) or
//! with a result that follows from the input by reasoning.

use std::path::{Path, PathBuf};
use std::process::Command;

use velo_rt::__private::{AppSpec, Context, FatalError};
use velo_rt::config::Config;

fn apps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("apps")
}

/// Runs an app with its sources read from `apps/<dir>` and its sinks written to a fresh
/// temporary folder; returns the outcome, the context and that folder.
fn run_app(
    spec: &AppSpec,
    run: fn(&mut Context) -> Result<(), FatalError>,
    dir: &str,
) -> (Result<(), FatalError>, Context, PathBuf) {
    let out = std::env::temp_dir().join(format!("velo-e2e-{}-{}", spec.name, std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("temp dir");
    let mut config = Config::new(spec.properties, spec.objects);
    for object in spec.objects {
        let (Some(kind), Some(path)) = (config.get(object, "type"), config.get(object, "path")) else {
            continue;
        };
        let base = if kind.contains("_source") { apps_dir().join(dir) } else { out.clone() };
        let full = base.join(path);
        config.apply_override(&format!("{object}.path={}", full.display())).expect("override");
    }
    let mut ctx = Context::new(config);
    let result = run(&mut ctx);
    (result, ctx, out)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn oracle(script: &str, args: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("oracle").join(script);
    let out = Command::new("python3").arg(&path).args(args).output().expect("python3 is needed for the oracle tests");
    assert!(out.status.success(), "oracle {script} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn duckdb(sql: &str) -> String {
    oracle("duckdb_csv.py", &[sql])
}

fn input(dir: &str, file: &str) -> String {
    apps_dir().join(dir).join(file).display().to_string()
}

#[test]
fn lesson_1_copies_every_record_unchanged() {
    use velo_tests::quickstart_01_copy as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "quickstart");
    result.expect("runs");
    assert_eq!(ctx.failed(), 0);
    // Select-list order is the input's column order, and every value prints as it was read.
    assert_eq!(read(&out.join("output/copied_readings.csv")), read(&apps_dir().join("quickstart/readings.csv")));
}

#[test]
fn lesson_2_filter_matches_duckdb() {
    use velo_tests::quickstart_02_filter as app;
    let (result, _, out) = run_app(&app::APP, app::run, "quickstart");
    result.expect("runs");
    let expected = duckdb(&format!(
        "SELECT * FROM read_csv('{}', header = true,
            columns = {{'id': 'BIGINT', 'room': 'VARCHAR', 'celsius': 'DECIMAL(3,1)', 'taken_at': 'TIMESTAMP'}})
         WHERE celsius > 21.5",
        input("quickstart", "readings.csv")
    ));
    assert_eq!(read(&out.join("output/warm_readings.csv")), expected);
    assert_eq!(expected.lines().count(), 3, "readings 3 and 4; 21.5 is not above 21.5");
}

#[test]
fn lesson_3_compute_matches_duckdb() {
    use velo_tests::quickstart_03_compute as app;
    let (result, _, out) = run_app(&app::APP, app::run, "quickstart");
    result.expect("runs");
    let expected = duckdb(&format!(
        "SELECT id, room, celsius * 1.8 + 32 AS fahrenheit, UPPER(room) AS room_label
         FROM read_csv('{}', header = true,
            columns = {{'id': 'BIGINT', 'room': 'VARCHAR', 'celsius': 'DECIMAL(3,1)', 'taken_at': 'TIMESTAMP'}})",
        input("quickstart", "readings.csv")
    ));
    assert_eq!(read(&out.join("output/fahrenheit.csv")), expected);
    assert!(expected.contains("1,kitchen,70.52,KITCHEN"), "exact decimal arithmetic");
}

#[test]
fn order_pricing_matches_duckdb_and_python_decimal_digit_for_digit() {
    use velo_tests::orders_orders as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "orders");
    result.expect("runs");
    assert_eq!(ctx.failed(), 0);
    let expected = oracle("orders_oracle.py", &[&input("orders", "orders.csv")]);
    let actual = read(&out.join("output/priced_orders.csv"));
    assert!(expected.lines().count() > 50, "the oracle keeps a meaningful number of rows");
    for (i, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, e, "line {}", i + 1);
    }
    assert_eq!(actual.lines().count(), expected.lines().count());
}

#[test]
fn malformed_records_go_to_the_dead_letter_file_with_line_numbers() {
    use velo_tests::dead_letters_dead_letters as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "dead_letters");
    result.expect("bad records never stop the app");
    let good = read(&out.join("output/notional.csv"));
    let ids: Vec<&str> = good.lines().skip(1).map(|l| l.split(',').next().unwrap_or("")).collect();
    // Rows 1, 3, 8, 10, 12 are well-formed (10 has a NULL price, so a NULL notional);
    // row 11 is well-formed but has no symbol, so WHERE filters it out.
    assert_eq!(ids, ["1", "3", "8", "10", "12"]);
    assert!(good.contains("8,META,2767011611056432742100.00,"), "300.00 × i64::MAX is exact");
    assert!(good.contains("10,IBM,,"), "NULL price gives a NULL notional");
    let dlq: Vec<serde_json::Value> = read(&out.join("output/notional.csv.dlq.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let lines: Vec<i64> = dlq.iter().map(|d| d["line"].as_i64().unwrap_or(0)).collect();
    assert_eq!(lines, [3, 5, 6, 7, 8, 10], "header is line 1, trade N is line N + 1");
    assert_eq!(dlq[0]["raw"], "2,MSFT,abc,5,2024-01-01T10:00:01");
    assert!(dlq[0]["error"].as_str().unwrap_or("").contains("`price`"));
    assert!(dlq[1]["error"].as_str().unwrap_or("").contains("expected 5 fields, found 3"));
    assert!(dlq[3]["error"].as_str().unwrap_or("").contains("more than 2 fraction digits"), "never rounded silently");
    assert_eq!(ctx.failed(), 6);
    assert_eq!(ids.len() + dlq.len() + 1, 12, "every record is accounted for");
}

#[test]
fn statements_chain_in_process_with_jsonl_distinct_and_limit() {
    use velo_tests::pipeline_pipeline as app;
    let (result, _, out) = run_app(&app::APP, app::run, "pipeline");
    result.expect("runs");
    let clicks = input("pipeline", "clicks.jsonl");
    let src = format!(
        "read_json('{clicks}', columns = {{'event_id': 'BIGINT', 'user': 'VARCHAR', 'page': 'VARCHAR', 'amount': 'DECIMAL(10,2)', 'ts': 'TIMESTAMP'}})"
    );
    let checkout = format!(
        "SELECT event_id, \"user\" AS user_id, page, amount, amount * 1.2 AS amount_with_tax, ts FROM {src} \
         WHERE page IN ('/checkout', '/cart') AND amount IS NOT NULL"
    );
    // JSON Lines: compare field by field against DuckDB's rows.
    let expected = duckdb(&checkout);
    let actual: Vec<serde_json::Value> = read(&out.join("output/checkout_clicks.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let mut rdr = csv::Reader::from_reader(expected.as_bytes());
    let header = rdr.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(actual.len(), rows.len());
    for (a, e) in actual.iter().zip(&rows) {
        for (name, value) in header.iter().zip(e.iter()) {
            let got = match &a[name] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(got, value, "column {name}: decimals are JSON strings with their full scale");
        }
    }
    let big = duckdb(&format!(
        "SELECT user_id, amount_with_tax FROM ({checkout}) WHERE amount_with_tax > 300 ORDER BY event_id LIMIT 5"
    ));
    assert_eq!(read(&out.join("output/big_spenders.csv")), big);
    let pages = duckdb(&format!(
        "SELECT page FROM (SELECT page, min(rowid) AS first FROM (SELECT page, row_number() OVER () AS rowid FROM {src}) GROUP BY page) ORDER BY first"
    ));
    assert_eq!(read(&out.join("output/pages.csv")), pages);
    let totals = duckdb(&format!(
        "SELECT user_id, COUNT(*) AS clicks, SUM(amount) AS total, MAX(amount) AS biggest FROM ({checkout}) \
         GROUP BY user_id HAVING COUNT(*) >= 2 ORDER BY MIN(event_id)"
    ));
    assert_eq!(
        read(&out.join("output/user_totals.csv")),
        totals,
        "an aggregate downstream of a statement, with HAVING"
    );
}

#[test]
fn schema_files_globs_headerless_csv_and_json_arrays_match_duckdb() {
    use velo_tests::sensors_sensors as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "sensors");
    result.expect("runs");
    assert_eq!(ctx.failed(), 0);
    // reading * 9 / 5 is exact here (DECIMAL(38, 14)); DuckDB gets it as reading * 1.8.
    let glob = input("sensors", "data/readings-*.csv");
    let expected = duckdb(&format!(
        "SELECT sensor_id, reading, CAST(reading * 1.8 + 32 AS DECIMAL(38, 14)) AS fahrenheit, taken_at \
         FROM read_csv('{glob}', header = false, delim = ';', filename = true, \
              columns = {{'sensor_id': 'VARCHAR', 'reading': 'DECIMAL(6,2)', 'unit': 'VARCHAR', 'taken_at': 'TIMESTAMP'}}) \
         WHERE unit = 'C' AND reading >= 30"
    ));
    assert_eq!(read(&out.join("output/hot_readings.csv")), expected);

    let devices = duckdb(&format!(
        "SELECT id, UPPER(name) AS name, installed, calibration, ROUND(calibration, 2) AS calibration_2dp \
         FROM read_json('{}', columns = {{'id': 'VARCHAR', 'name': 'VARCHAR', 'active': 'BOOLEAN', 'installed': 'DATE', 'calibration': 'DECIMAL(6,4)'}}) \
         WHERE active",
        input("sensors", "devices.json")
    ));
    let mut rdr = csv::Reader::from_reader(devices.as_bytes());
    let lines: Vec<String> = rdr
        .records()
        .map(|r| {
            let r = r.expect("row");
            let s = |v: &str| serde_json::to_string(v).expect("json string");
            format!(
                "{{\"id\":{},\"name\":{},\"installed\":{},\"calibration\":{},\"calibration_2dp\":{}}}",
                s(&r[0]),
                s(&r[1]),
                s(&r[2]),
                &r[3],
                &r[4]
            )
        })
        .collect();
    // A JSON array, one object per line, decimals as numbers with their exact digits.
    assert_eq!(read(&out.join("output/active_devices.json")), format!("[\n{}\n]\n", lines.join(",\n")));
}

#[test]
fn lesson_4_emits_a_running_row_per_record() {
    use velo_tests::quickstart_04_running_totals as app;
    let (result, _, out) = run_app(&app::APP, app::run, "quickstart");
    result.expect("runs");
    let expected = oracle("aggregates_oracle.py", &["running", &input("quickstart", "purchases.csv")]);
    assert_eq!(read(&out.join("output/shop_totals.csv")), expected);
    assert_eq!(expected.lines().count(), 8, "7 purchases, 7 running rows");
    assert!(expected.contains("bakery,3,13.15,4.383333\n"), "AVG is exact, HALF_UP at scale 6");
}

#[test]
fn one_billion_row_challenge_app_matches_duckdb_per_station() {
    use velo_tests::_1brc_1brc as app;
    let (result, _, out) = run_app(&app::APP, app::run, "1brc");
    result.expect("runs");
    let expected = oracle("aggregates_oracle.py", &["final", &input("1brc", "measurements.txt")]);
    assert_eq!(expected.lines().count(), 414, "413 stations and a header");
    let actual = read(&out.join("station_stats.csv"));
    for (i, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, e, "line {}", i + 1);
    }
    assert_eq!(actual.lines().count(), expected.lines().count());
}

#[test]
fn library_mode_final_aggregates_and_running_changes() {
    use velo_rt::Decimal;
    use velo_tests::_1brc_1brc as brc;
    use velo_tests::quickstart_04_running_totals as agg;
    let mut p = brc::Pipeline::new();
    let rows = [("a", 15), ("b", -30), ("a", 25), ("a", -5)]
        .map(|(s, t)| brc::MeasurementsRow { station: Some(s.into()), temperature: Some(Decimal(t)) });
    let during = p.process_measurements(rows);
    assert!(during.station_stats.is_empty(), "EMIT FINAL waits for the end of input");
    let done = p.finish();
    let a = &done.station_stats[0];
    assert_eq!((a.station.as_deref(), a.min_temp, a.max_temp), (Some("a"), Some(Decimal(-5)), Some(Decimal(25))));
    assert_eq!(a.avg_temp.map(|d| d.to_string()), Some("1.166667".into()), "(1.5 + 2.5 - 0.5) / 3, HALF_UP");
    assert_eq!(done.station_stats.len(), 2);

    let mut q = agg::Pipeline::new();
    let buy = |shop: &str, amount: i128| agg::PurchasesRow {
        id: Some(1),
        shop: Some(shop.into()),
        amount: Some(Decimal(amount)),
        bought_at: None,
    };
    let out = q.process_purchases([buy("x", 100), buy("x", 250), buy("y", 1)]);
    let counts: Vec<_> = out.shop_totals.iter().map(|r| r.purchases).collect();
    assert_eq!(counts, [Some(1), Some(2), Some(1)], "EMIT CHANGES: a running row per record");
    assert_eq!(out.shop_totals[1].revenue, Some(Decimal(350)));
}

#[test]
fn parallel_final_aggregation_equals_the_serial_run_including_dead_letters() {
    use velo_tests::_1brc_1brc as app;
    // The bundled measurements plus malformed lines scattered through the file.
    let dir = std::env::temp_dir().join(format!("velo-parallel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut text = read(&apps_dir().join("1brc/measurements.txt"));
    for (i, bad) in ["Oslo;12.34", "Lima;warm", "no separator here", "Rome;1e3"].iter().enumerate() {
        let at = text.len() * (i + 1) / 5;
        let at = at + text[at..].find('\n').expect("a line break") + 1;
        text.insert_str(at, &format!("{bad}\n"));
    }
    let data = dir.join("measurements.txt");
    std::fs::write(&data, &text).expect("write data");
    let mut outputs = Vec::new();
    for partitions in [1, 2, 5] {
        let mut config = Config::new(app::APP.properties, app::APP.objects);
        config.apply_override(&format!("measurements.path={}", data.display())).expect("override");
        let out = dir.join(format!("out-{partitions}.csv"));
        config.apply_override(&format!("station_stats.path={}", out.display())).expect("override");
        let mut ctx = Context::new(config);
        ctx.partitions = Some(partitions);
        app::run(&mut ctx).expect("runs");
        assert_eq!(ctx.failed(), 4, "{partitions} partitions");
        let dlq = read(&dir.join(format!("out-{partitions}.csv.dlq.jsonl")));
        let lines: Vec<u64> = dlq
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["line"].as_u64().unwrap_or(0))
            .collect();
        outputs.push((read(&out), lines));
    }
    assert_eq!(outputs[0], outputs[1], "2 threads = 1 thread, rows and dead letters in input order");
    assert_eq!(outputs[0], outputs[2], "5 threads = 1 thread");
    let lines = &outputs[0].1;
    for (k, line) in lines.iter().enumerate() {
        let nth = text.lines().nth(*line as usize - 1).expect("line exists");
        assert_eq!(
            nth,
            ["Oslo;12.34", "Lima;warm", "no separator here", "Rome;1e3"][k],
            "line numbers point at the bad records"
        );
    }
}

#[test]
fn every_aggregate_matches_duckdb() {
    use velo_tests::statistics_statistics as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "statistics");
    result.expect("runs");
    assert_eq!(ctx.failed(), 0);
    let expected = oracle("aggregates_oracle.py", &["stats", &input("orders", "orders.csv")]);
    let actual = read(&out.join("output/region_stats.csv"));
    let parse = |text: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(text.as_bytes()).records().map(|r| r.expect("row")).collect()
    };
    let (got, want) = (parse(&actual), parse(&expected));
    let header = csv::Reader::from_reader(expected.as_bytes()).headers().expect("header").clone();
    assert_eq!(got.len(), 4, "four regions (one of them NULL) pass HAVING");
    assert_eq!(got.len(), want.len());
    // DOUBLE statistics agree to 1e-9 relative; everything else (exact decimals, counts, text) to the digit.
    const DOUBLES: &[&str] = &[
        "sd",
        "sd_pop",
        "var_samp",
        "var_pop",
        "median_price",
        "p90",
        "corr_price_qty",
        "covar_pop",
        "covar_samp",
        "slope",
        "intercept",
        "r2",
    ];
    for (g, w) in got.iter().zip(&want) {
        for ((name, a), e) in header.iter().zip(g.iter()).zip(w.iter()) {
            if DOUBLES.contains(&name) {
                let (a, e): (f64, f64) = (a.parse().expect("number"), e.parse().expect("number"));
                assert!((a - e).abs() <= 1e-9 * e.abs().max(1.0), "{name}: {a} vs {e}");
            } else {
                assert_eq!(a, e, "{name} of region `{}`", &g[0]);
            }
        }
    }
}

/// Runs the dead-letter app on `data` (written to a temporary file) with extra overrides.
fn run_dead_letters(name: &str, data: &str, overrides: &[&str]) -> (Context, String, Vec<serde_json::Value>) {
    use velo_tests::dead_letters_dead_letters as app;
    let dir = std::env::temp_dir().join(format!("velo-dl-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("trades");
    std::fs::write(&input, data).expect("write");
    let out = dir.join("notional.csv");
    let mut config = Config::new(app::APP.properties, app::APP.objects);
    for o in [format!("trades.path={}", input.display()), format!("notional.path={}", out.display())] {
        config.apply_override(&o).expect("override");
    }
    for o in overrides {
        config.apply_override(o).expect("override");
    }
    let mut ctx = Context::new(config);
    app::run(&mut ctx).expect("runs");
    let dlq = std::fs::read_to_string(dir.join("notional.csv.dlq.jsonl")).unwrap_or_default();
    let dead = dlq.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    (ctx, read(&out), dead)
}

#[test]
fn windows_line_endings_keep_line_numbers_and_raw_text() {
    let unix = read(&apps_dir().join("dead_letters/trades.csv"));
    let (_, out_lf, dead_lf) = run_dead_letters("lf", &unix, &[]);
    let (_, out_crlf, dead_crlf) = run_dead_letters("crlf", &unix.replace('\n', "\r\n"), &[]);
    assert_eq!(out_crlf, out_lf, "CRLF input gives the same rows");
    let without_file = |d: Vec<serde_json::Value>| {
        d.into_iter()
            .map(|mut v| {
                v.as_object_mut().map(|o| o.remove("file"));
                v
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(dead_lf.len(), 6);
    assert_eq!(
        without_file(dead_crlf),
        without_file(dead_lf),
        "… and the same dead letters: lines, raw text without line ends"
    );
}

#[test]
fn json_sources_enforce_not_null_columns() {
    let jsonl = "{\"trade_id\": 1, \"symbol\": \"A\", \"price\": \"1.50\", \"qty\": 2}\n{\"trade_id\": null, \"symbol\": \"B\", \"price\": 2, \"qty\": 1}\n{\"symbol\": \"C\", \"price\": 3, \"qty\": 1}\n";
    let (ctx, out, dead) = run_dead_letters("json", jsonl, &["trades.format=jsonl"]);
    assert_eq!(out.lines().count(), 2, "header and trade 1");
    assert_eq!(ctx.failed(), 2);
    let lines: Vec<u64> = dead.iter().map(|d| d["line"].as_u64().unwrap_or(0)).collect();
    assert_eq!(lines, [2, 3]);
    assert!(dead.iter().all(|d| d["error"].as_str().unwrap_or("").contains("NOT NULL")), "{dead:?}");
}

#[test]
fn decimals_with_more_integer_digits_than_declared_are_dead_letters() {
    // `price DECIMAL(10,2)` holds 8 digits before the point.
    let csv = "trade_id,symbol,price,qty,traded_at\n1,A,99999999.99,1,\n2,B,123456789.00,1,\n3,C,-99999999999999999999999999999999999.99,1,\n";
    let jsonl = "{\"trade_id\": 1, \"symbol\": \"A\", \"price\": \"-99999999.99\"}\n{\"trade_id\": 2, \"symbol\": \"B\", \"price\": 123456789}\n";
    for (name, data, overrides, good) in
        [("digits-csv", csv, &[][..], 1), ("digits-json", jsonl, &["trades.format=jsonl"][..], 1)]
    {
        let (ctx, out, dead) = run_dead_letters(name, data, overrides);
        assert_eq!(out.lines().count(), 1 + good, "{name}: {out}");
        assert_eq!(ctx.failed() as usize, dead.len(), "{name}");
        assert!(!dead.is_empty(), "{name}");
        for d in &dead {
            let e = d["error"].as_str().unwrap_or_default();
            assert!(e.contains("`price`") && e.contains("more than 8 digits before the decimal point"), "{name}: {e}");
        }
    }
}

#[test]
fn an_unclosed_quote_is_one_dead_letter_and_the_rest_of_the_file_is_read() {
    let mut csv = String::from("trade_id,symbol,price,qty,traded_at\n");
    for i in 1..=20_000 {
        let symbol = if i == 11 { "\"ACME".to_string() } else { format!("S{}", i % 7) };
        csv.push_str(&format!("{i},{symbol},1.00,1,2024-01-01T10:00:00\n"));
    }
    let (ctx, out, dead) = run_dead_letters("unclosed", &csv, &[]);
    assert_eq!(out.lines().count(), 1 + 19_999, "every other trade is read");
    assert_eq!(ctx.failed(), 1);
    assert_eq!(dead[0]["line"], 12, "trade 11 is on line 12");
    assert_eq!(dead[0]["raw"], "11,\"ACME,1.00,1,2024-01-01T10:00:00");
    assert!(dead[0]["error"].as_str().unwrap_or_default().contains("never closed"), "{dead:?}");
}

/// Trade id (first CSV field) of each dead letter whose error matches `what`.
fn dead_letter_ids(dlq: &str, what: &str) -> Vec<String> {
    dlq.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON line"))
        .filter(|v| v["error"].as_str().is_some_and(|e| e.contains(what)))
        .map(|v| v["raw"].as_str().unwrap_or_default().split(',').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn trading_windows_match_a_watermark_simulation_and_duckdb() {
    use velo_tests::trading_trading as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "trading");
    result.expect("runs");
    let trades = input("trading", "trades.csv");
    for (mode, file, at_least) in [
        ("ohlc", "output/ohlc_1m.csv", 30),
        ("amend", "output/bars_corrected.csv", 30),
        ("avg", "output/avg_5m.csv", 40),
        ("running", "output/running_volume.csv", 300),
        ("over", "output/trade_stats.csv", 300),
        ("lead", "output/next_trades.csv", 300),
        ("smooth", "output/trade_smooth.csv", 300),
        ("ranks", "output/price_ranks.csv", 300),
        ("leaders", "output/price_leaders.csv", 300),
    ] {
        let expected = oracle("windows_oracle.py", &[mode, &trades]);
        assert!(expected.lines().count() > at_least, "{mode}: the oracle keeps a meaningful number of rows");
        assert_eq!(read(&out.join(file)), expected, "{file}");
    }
    // Date/time functions per trade, against DuckDB's own calendar functions (DuckDB reads the
    // price as text and skips the record whose price is malformed, which Velo dead-letters).
    let calendar = duckdb(&format!(
        "SELECT trade_id, year(ts) AS year, quarter(ts) AS quarter, weekofyear(ts) AS iso_week,
            dayofweek(ts) AS day_of_week, dayofyear(ts) AS day_of_year, hour(ts) AS hour, minute(ts) AS minute,
            second(ts) AS second, millisecond(ts) AS millisecond, floor(epoch(ts))::BIGINT AS epoch_seconds,
            date_trunc('minute', ts) AS minute_start, date_trunc('week', ts) AS week_start,
            date_trunc('month', ts) AS month_start, ts + INTERVAL 90 SECOND AS settles_at,
            ts - INTERVAL 1 MONTH AS month_before, date_sub('millisecond', date_trunc('hour', ts), ts) AS ms_into_hour,
            date_sub('day', TIMESTAMP '2023-12-25 00:00:00', ts) AS days_since_christmas,
            strftime(ts, '%Y/%m/%d %H:%M') AS label, floor(epoch(ts))::BIGINT AS unix_seconds,
            make_timestamp(floor(epoch(ts))::BIGINT * 1000000) AS whole_second
         FROM read_csv('{trades}', header = true, columns = {{'trade_id': 'BIGINT', 'symbol': 'VARCHAR',
            'price': 'VARCHAR', 'qty': 'BIGINT', 'ts': 'TIMESTAMP'}})
         WHERE TRY_CAST(price AS DECIMAL(10,2)) IS NOT NULL"
    ));
    assert_eq!(calendar.lines().count(), 363, "362 trades and a header");
    assert_eq!(read(&out.join("output/trade_calendar.csv")), calendar);
    // The trades that arrive minutes late are dead-lettered (late.data.strategy = dead_letter) by
    // both tumbling statements; the 5-minute sliding windows still have room for them.
    let late: Vec<String> = oracle("windows_oracle.py", &["late", &trades]).lines().map(str::to_string).collect();
    assert_eq!(late, ["361", "362", "363"]);
    assert_eq!(dead_letter_ids(&read(&out.join("output/ohlc_1m.csv.dlq.jsonl")), "late record"), late);
    assert_eq!(dead_letter_ids(&read(&out.join("output/running_volume.csv.dlq.jsonl")), "late record"), late);
    assert!(dead_letter_ids(&read(&out.join("output/avg_5m.csv.dlq.jsonl")), "late record").is_empty());
    // With update_previous_window, 363 (95 s behind the watermark) corrects its bar, which is
    // emitted twice; 361 and 362 (more than 100 s behind) are dropped, not dead-lettered.
    let corrected = read(&out.join("output/bars_corrected.csv"));
    let msft_0938: Vec<&str> = corrected.lines().filter(|l| l.starts_with("MSFT,2024-01-02T09:38:00,")).collect();
    assert_eq!(msft_0938.len(), 2, "the bar, then the bar with trade 363: {msft_0938:?}");
    assert!(dead_letter_ids(&read(&out.join("output/bars_corrected.csv.dlq.jsonl")), "late record").is_empty());
    // Bad records are failures; late ones are counted apart.
    assert_eq!(ctx.failed(), 5, "ohlc_1m: bad price + NULL time; the other windows: NULL time");
}

#[test]
fn library_mode_windows_fire_on_the_watermark_and_at_finish() {
    use velo_rt::{Decimal, EvalError, Timestamp};
    use velo_tests::trading_trading::{Ohlc1mRow, Pipeline, TradesRow};
    let minute = 60_000;
    let trade = |id: i64, price: i128, ts: i64| TradesRow {
        trade_id: Some(id),
        symbol: Some("X".into()),
        price: Some(Decimal(price)),
        qty: Some(1),
        ts: Some(Timestamp(ts)),
    };
    let mut p = Pipeline::new();
    let bar = |r: &Ohlc1mRow| (r.bar_start.map(|t| t.0), r.open.map(|d| d.0), r.close.map(|d| d.0), r.trades);
    // Within the 5 s out-of-orderness nothing fires; at 1:05 the first minute closes.
    let out = p.process_trades([trade(1, 100, 10), trade(2, 105, 30_000), trade(3, 99, minute + 4_999)]);
    assert!(out.ohlc_1m.is_empty());
    let out = p.process_trades([trade(4, 101, minute + 5_000)]);
    assert_eq!(out.ohlc_1m.iter().map(bar).collect::<Vec<_>>(), [(Some(0), Some(100), Some(105), Some(2))]);
    // A trade for the closed minute is late: dead-lettered, not counted in any bar.
    let out = p.process_trades([trade(5, 1, 20_000)]);
    assert!(matches!(out.errors.as_slice(), [("ohlc_1m", EvalError::Late { event_time: 20_000, .. }), ..]));
    let done = p.finish();
    assert_eq!(done.ohlc_1m.iter().map(bar).collect::<Vec<_>>(), [(Some(minute), Some(99), Some(101), Some(2))]);
}

#[test]
fn lesson_5_lag_matches_duckdb() {
    use velo_tests::quickstart_05_previous_row as app;
    let (result, _, out) = run_app(&app::APP, app::run, "quickstart");
    result.expect("runs");
    let expected = duckdb(&format!(
        "SELECT ticker, price, quoted_at,
            lag(price, 1) OVER (PARTITION BY ticker ORDER BY quoted_at) AS previous_price,
            price - lag(price, 1) OVER (PARTITION BY ticker ORDER BY quoted_at) AS change
         FROM read_csv('{}', header = true,
            columns = {{'ticker': 'VARCHAR', 'price': 'DECIMAL(5,2)', 'quoted_at': 'TIMESTAMP'}})
         ORDER BY quoted_at, ticker",
        input("quickstart", "quotes.csv")
    ));
    assert_eq!(read(&out.join("output/price_moves.csv")), expected);
    assert!(expected.contains("ACME,41.35,2026-03-02T09:30:02,41.20,0.15"), "LAG within the ticker");
}

#[test]
fn click_sessions_match_a_batch_gaps_and_islands_oracle() {
    use velo_tests::clickstream_clickstream as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "clickstream");
    result.expect("runs");
    let expected = oracle("sessions_oracle.py", &[&input("clickstream", "clicks.csv")]);
    assert!(expected.lines().count() > 100, "the oracle finds a meaningful number of sessions");
    assert_eq!(read(&out.join("output/sessions.csv")), expected);
    let late = dead_letter_ids(&read(&out.join("output/sessions.csv.dlq.jsonl")), "late record");
    assert_eq!(late, ["user05", "user10", "user05"], "the three very late clicks, in arrival order");
    assert_eq!(ctx.failed(), 0, "late clicks are not failures");
}

#[test]
fn analytics_window_functions_match_duckdb() {
    use velo_tests::analytics_analytics as app;
    let (result, ctx, out) = run_app(&app::APP, app::run, "analytics");
    result.expect("runs");
    assert_eq!(ctx.failed(), 0);
    let readings = input("analytics", "readings.csv");
    for mode in ["smoothed", "rankings"] {
        let expected = oracle("over_oracle.py", &[mode, &readings]);
        assert_eq!(expected.lines().count(), 2001, "{mode}: every reading and a header");
        assert_eq!(read(&out.join(format!("output/{mode}.csv"))), expected, "{mode}");
    }
}
