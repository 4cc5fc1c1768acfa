//! W7: `SUM(price * qty)` over N in-memory rows, three ways, in one process (ratios, not absolute
//! times, are what to read on a noisy machine):
//! - **velo**: exactly what a compiled app runs — nullable `Decimal<2>` × BIGINT cast to
//!   `Decimal<0>` through `ops::dec_mul`, folded by the `SumDecimal<2>` accumulator (checked
//!   i128 arithmetic, overflow is an error);
//! - **f64**: `price * qty` in doubles (fast, inexact);
//! - **rust_decimal**: the common Rust decimal crate (96-bit mantissa, checked ops).
//!
//! Prints one `name ns/row sum` line per variant (best of 5 passes) and the ratios; exits 1 when
//! the two exact sums differ.
//!
//! Usage: decimal_micro [ROWS]   (default 10,000,000)

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use rust_decimal::Decimal as RustDecimal;
use velo_rt::agg::{Accumulator, SumDecimal};
use velo_rt::{Decimal, cast, ops};

/// Best-of-5 nanoseconds per row of `f`, and its last result.
fn time<T>(rows: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = f();
    for _ in 0..5 {
        let t = Instant::now();
        last = black_box(f());
        best = best.min(t.elapsed().as_nanos() as f64 / rows as f64);
    }
    (best, last)
}

fn main() -> ExitCode {
    let rows: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000_000);
    // Deterministic data: prices 0.01–999.99 (cents), quantities 1–100.
    let mut seed = 42u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let cents: Vec<i64> = (0..rows).map(|_| (next() % 99_999 + 1) as i64).collect();
    let qty: Vec<i64> = (0..rows).map(|_| (next() % 100 + 1) as i64).collect();
    let velo_prices: Vec<Option<Decimal<2>>> = cents.iter().map(|&c| Some(Decimal(i128::from(c)))).collect();
    let velo_qty: Vec<Option<i64>> = qty.iter().map(|&q| Some(q)).collect();
    let f64_prices: Vec<f64> = cents.iter().map(|&c| c as f64 / 100.0).collect();
    let f64_qty: Vec<f64> = qty.iter().map(|&q| q as f64).collect();
    let rd_prices: Vec<RustDecimal> = cents.iter().map(|&c| RustDecimal::new(c, 2)).collect();
    let rd_qty: Vec<RustDecimal> = qty.iter().map(|&q| RustDecimal::from(q)).collect();

    let (velo_ns, velo_sum) = time(rows, || {
        let mut sum = SumDecimal::<2>::default();
        for (p, q) in black_box(&velo_prices).iter().zip(black_box(&velo_qty)) {
            let q = cast::cast::<_, Decimal<0>>(*q).ok().flatten();
            if let Ok(v) = ops::dec_mul::<2, 0, 2>(*p, q) {
                let _ = sum.update(v.as_ref());
            }
        }
        sum.result().ok().flatten().map(|d| d.to_string()).unwrap_or_default()
    });
    let (f64_ns, f64_sum) = time(rows, || {
        let mut sum = 0.0f64;
        for (p, q) in black_box(&f64_prices).iter().zip(black_box(&f64_qty)) {
            sum += p * q;
        }
        sum
    });
    let (rd_ns, rd_sum) = time(rows, || {
        let mut sum = RustDecimal::ZERO;
        for (p, q) in black_box(&rd_prices).iter().zip(black_box(&rd_qty)) {
            sum = p.checked_mul(*q).and_then(|v| sum.checked_add(v)).unwrap_or(sum);
        }
        sum.round_dp(2).to_string()
    });
    println!("rows {rows}");
    println!("velo_decimal {velo_ns:.2} ns/row sum {velo_sum}");
    println!(
        "f64 {f64_ns:.2} ns/row sum {f64_sum:.2} (error vs exact: {:e})",
        f64_sum - velo_sum.parse::<f64>().unwrap_or(f64::NAN)
    );
    println!("rust_decimal {rd_ns:.2} ns/row sum {rd_sum}");
    println!("ratio velo/f64 {:.2}", velo_ns / f64_ns);
    println!("ratio rust_decimal/velo {:.2}", rd_ns / velo_ns);
    if velo_sum != rd_sum {
        println!("MISMATCH: velo {velo_sum} vs rust_decimal {rd_sum}");
        return ExitCode::FAILURE;
    }
    println!("MATCH");
    ExitCode::SUCCESS
}
