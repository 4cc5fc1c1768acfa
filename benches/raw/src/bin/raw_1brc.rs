//! `raw_1brc IN OUT`: the hand-written 1BRC loop that W1 compares velo with — the practical
//! ceiling for one thread. Memory-maps `station;temperature` data (header line skipped), keeps
//! exact tenths per station (min, max, sum, count) in a hashbrown map keyed by the borrowed name,
//! and writes `station,min_temp,avg_temp,max_temp` with the average rounded HALF_UP to 6 places
//! (velo's AVG of a DECIMAL(_,1)), stations in first-appearance order like velo.
//! It assumes well-formed input (`-?d+.d`); unlike velo it has no error handling at all.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(Clone, Copy)]
struct Stats {
    min: i64,
    max: i64,
    sum: i64,
    count: i64,
    order: usize,
}

/// Parses `-12.3` into tenths.
fn tenths(t: &[u8]) -> i64 {
    let (neg, digits) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        _ => (false, t),
    };
    let v = digits.iter().filter(|b| b.is_ascii_digit()).fold(0i64, |v, b| v * 10 + i64::from(b - b'0'));
    if neg { -v } else { v }
}

/// `sum / count` tenths as a decimal with 6 places, rounded HALF_UP (ties away from zero).
fn average(sum: i64, count: i64) -> String {
    let n = i128::from(sum) * 100_000; // tenths → millionths
    let d = i128::from(count);
    let (q, r) = (n / d, n % d);
    let q = if 2 * r.abs() >= d { q + n.signum() } else { q };
    let sign = if q < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", q.abs() / 1_000_000, q.abs() % 1_000_000)
}

fn run(input: &str, output: &str) -> std::io::Result<()> {
    let file = File::open(input)?;
    // SAFETY: read-only map of a file nobody modifies during the benchmark.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let data: &[u8] = &map;
    let body = memchr::memchr(b'\n', data).map_or(data.len(), |i| i + 1);
    let mut stations: hashbrown::HashMap<&[u8], Stats> = hashbrown::HashMap::with_capacity(1 << 14);
    for line in data[body..].split(|b| *b == b'\n') {
        let Some(semi) = memchr::memchr(b';', line) else { continue };
        let (name, t) = (&line[..semi], tenths(&line[semi + 1..]));
        let next = stations.len();
        let s = stations.entry(name).or_insert(Stats { min: t, max: t, sum: 0, count: 0, order: next });
        s.min = s.min.min(t);
        s.max = s.max.max(t);
        s.sum += t;
        s.count += 1;
    }
    let mut rows: Vec<(&[u8], Stats)> = stations.into_iter().collect();
    rows.sort_by_key(|(_, s)| s.order);
    let mut out = BufWriter::new(File::create(output)?);
    writeln!(out, "station,min_temp,avg_temp,max_temp")?;
    let tenth = |v: i64| format!("{}{}.{}", if v < 0 { "-" } else { "" }, v.abs() / 10, v.abs() % 10);
    for (name, s) in rows {
        out.write_all(name)?;
        writeln!(out, ",{},{},{}", tenth(s.min), average(s.sum, s.count), tenth(s.max))?;
    }
    out.flush()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        eprintln!("usage: raw_1brc IN OUT");
        return ExitCode::from(2);
    };
    match run(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("raw_1brc: {e}");
            ExitCode::FAILURE
        }
    }
}
