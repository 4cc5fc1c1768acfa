//! W3 — the Velostream parity set (../shared/BENCHMARKS.md), in memory like Velostream's own
//! harness (pre-built typed records, no I/O): each scenario is a SQL app compiled by `velo_sql!`
//! and driven through its library-mode `Pipeline`, one thread. Prints one line per scenario:
//! `name records/s velostream_records/s ratio rows_out`, best of 3 passes. Like `velo build`
//! binaries, it allocates with mimalloc (`velo_rt::FastAllocator`).
//!
//! Usage: w3_parity [RECORDS [SCENARIO]]  (default 1,000,000 records, every scenario)
//!        w3_parity --csv RECORDS OUT      writes the same records as `trades.csv` for the file runs

use std::hint::black_box;
use std::time::Instant;

use velo_rt::{Decimal, Timestamp};

/// The allocator `velo build` binaries use.
#[global_allocator]
static ALLOCATOR: velo_rt::FastAllocator = velo_rt::FastAllocator;

/// One scenario app: `benches/apps/w3/<name>.sql` (also built with `velo build` by w3.sh).
macro_rules! scenario_app {
    ($module:ident, $file:literal) => {
        mod $module {
            velo_rt::velo_sql!(file = $file, module = app);
        }
    };
}

scenario_app!(select_where, "../apps/w3/select_where.sql");
scenario_app!(rows_window, "../apps/w3/rows_window.sql");
scenario_app!(group_by, "../apps/w3/group_by.sql");
scenario_app!(tumbling, "../apps/w3/tumbling.sql");
scenario_app!(emit_changes, "../apps/w3/emit_changes.sql");

/// Deterministic trades in event-time order, one per 10 ms: 50 traders × 200 symbols.
fn trades(n: usize) -> Vec<select_where::app::TradesRow> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let traders: Vec<String> = (0..50).map(|i| format!("T{i:03}")).collect();
    let symbols: Vec<String> = (0..200).map(|i| format!("SYM{i:03}")).collect();
    (0..n)
        .map(|i| select_where::app::TradesRow {
            trader_id: Some(traders[(next() % 50) as usize].clone()),
            symbol: Some(symbols[(next() % 200) as usize].clone()),
            price: Some(Decimal(i128::from(next() % 50_000 + 100))),
            qty: Some((next() % 100 + 1) as i64),
            trade_time: Some(Timestamp(1_704_067_200_000 + i as i64 * 10)),
        })
        .collect()
}

/// Best-of-3 records per second of `run`, and the rows it produced.
fn measure(records: usize, mut run: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        rows = black_box(run());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (records as f64 / best, rows)
}

macro_rules! scenario {
    ($only:expr, $name:literal, $module:ident, $input:expr, $velostream:expr) => {{
        if $only.is_some_and(|only: &str| only != $name) {
            return;
        }
        use $module::app::{Output, Pipeline, TradesRow};
        // The same records, as this app's row type (every app declares the same schema).
        let rows: Vec<TradesRow> = $input
            .iter()
            .map(|r| TradesRow {
                trader_id: r.trader_id.clone(),
                symbol: r.symbol.clone(),
                price: r.price,
                qty: r.qty,
                trade_time: r.trade_time,
            })
            .collect();
        let (rate, out) = measure(rows.len(), || {
            let mut p = Pipeline::new();
            let mut out = Output::default();
            let mut emitted = 0;
            for (i, r) in rows.iter().enumerate() {
                p.push_trades(r, &mut out);
                if i % 4096 == 0 {
                    emitted += out.out.len();
                    out.out.clear();
                }
            }
            assert!(out.errors.is_empty(), "{:?}", out.errors.first());
            emitted + out.out.len() + p.finish().out.len()
        });
        println!("{} {:.0} {} {:.1} {}", $name, rate, $velostream, rate / $velostream as f64, out);
    }};
}

/// Writes the records as CSV with the apps' schema (trade_time as ISO 8601).
fn write_csv(rows: &[select_where::app::TradesRow], path: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "trader_id,symbol,price,qty,trade_time")?;
    for r in rows {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let (price, qty, ts) = (r.price.map(|p| p.to_string()), r.qty, r.trade_time.map(|t| t.to_string()));
        writeln!(
            out,
            "{},{},{},{},{}",
            text(&r.trader_id),
            text(&r.symbol),
            price.unwrap_or_default(),
            qty.unwrap_or_default(),
            ts.unwrap_or_default()
        )?;
    }
    out.flush()
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, n, path] = args.as_slice()
        && flag == "--csv"
    {
        let rows = trades(n.parse().unwrap_or(0));
        return match write_csv(&rows, path) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("w3_parity: {path}: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let only = args.get(1).map(String::as_str);
    let input = trades(n);
    println!("scenario records_per_s velostream_records_per_s ratio rows_out");
    // Velostream's figures: docs/performance/benchmark-results-summary.md, "SQL sync" column
    // (see ../shared/reference/perf-anchors.md §4.1).
    let scenarios: [&dyn Fn(); 5] = [
        &|| scenario!(only, "select_where", select_where, input, 766_923),
        &|| scenario!(only, "rows_window_100", rows_window, input, 865_248),
        &|| scenario!(only, "group_by_5_aggregates", group_by, input, 218_470),
        &|| scenario!(only, "tumbling_1m_50x200", tumbling, input, 230_687),
        &|| scenario!(only, "emit_changes", emit_changes, input, 9_390),
    ];
    scenarios.iter().for_each(|run| run());
    std::process::ExitCode::SUCCESS
}
