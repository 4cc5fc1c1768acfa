//! Writes a 1BRC-style measurements file fast (benchmark sizes: 20 M rows in a few seconds).
//!
//! Format: header `station;temperature`, then `name;t` lines; `t` has one decimal and follows a
//! normal distribution around the station's mean (σ = 10), clamped to [-99.9, 99.9]. Station
//! names are UTF-8 syllable names, unique, 413 by default or `--stations N` (e.g. 10000); each has
//! a fixed mean in [-15, 30]. Deterministic for a given `--seed`.
//!
//! Usage: gen_measurements ROWS OUT [--stations N] [--seed S]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

/// SplitMix64: tiny, fast and good enough for benchmark data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// A pair of independent standard normal samples (Box–Muller).
    fn gauss_pair(&mut self) -> (f64, f64) {
        let u = 1.0 - self.unit();
        let v = self.unit();
        let r = (-2.0 * u.ln()).sqrt();
        let a = std::f64::consts::TAU * v;
        (r * a.cos(), r * a.sin())
    }
}

const ONSETS: &[&str] =
    &["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "ch", "š", "ž"];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "é", "ö", "å", "ü", "y"];
const CODAS: &[&str] = &["", "n", "r", "s", "l", "m", "k", "th", "ng", "x"];
const SUFFIXES: &[&str] = &["Bay", "City", "Falls", "Springs", "Point"];

/// `count` unique station names with their mean temperature in tenths of a degree.
fn stations(rng: &mut Rng, count: usize) -> Vec<(String, i64)> {
    let mut names = BTreeMap::new();
    while names.len() < count {
        let syllables = 2 + rng.below(2);
        let mut name = String::new();
        for _ in 0..syllables {
            name.push_str(ONSETS[rng.below(ONSETS.len())]);
            name.push_str(VOWELS[rng.below(VOWELS.len())]);
            name.push_str(CODAS[rng.below(CODAS.len())]);
        }
        let mut chars = name.chars();
        let mut name: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        if rng.unit() < 0.15 {
            name.push(' ');
            name.push_str(SUFFIXES[rng.below(SUFFIXES.len())]);
        }
        let mean = (rng.unit() * 450.0).round() as i64 - 150;
        names.entry(name).or_insert(mean);
    }
    names.into_iter().collect()
}

/// Appends tenths of a degree as `-12.3`.
fn push_tenths(out: &mut Vec<u8>, t: i64) {
    if t < 0 {
        out.push(b'-');
    }
    let a = t.unsigned_abs();
    let whole = a / 10;
    if whole >= 10 {
        out.push(b'0' + (whole / 10) as u8);
    }
    out.push(b'0' + (whole % 10) as u8);
    out.push(b'.');
    out.push(b'0' + (a % 10) as u8);
}

fn run(rows: u64, path: &str, count: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    let stations = stations(&mut rng, count);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all(b"station;temperature\n")?;
    let mut buf = Vec::with_capacity(1 << 20);
    let mut spare = None;
    for _ in 0..rows {
        let (name, mean) = &stations[rng.below(stations.len())];
        let z = match spare.take() {
            Some(z) => z,
            None => {
                let (a, b) = rng.gauss_pair();
                spare = Some(b);
                a
            }
        };
        let t = (*mean + (z * 100.0).round() as i64).clamp(-999, 999);
        buf.extend_from_slice(name.as_bytes());
        buf.push(b';');
        push_tenths(&mut buf, t);
        buf.push(b'\n');
        if buf.len() >= (1 << 20) - 256 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let (mut count, mut seed) = (413usize, 1u64);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = |it: &mut std::slice::Iter<String>| it.next().and_then(|v| v.parse().ok());
        match a.as_str() {
            "--stations" => match value(&mut it) {
                Some(n) if n > 0 => count = n as usize,
                _ => return usage(),
            },
            "--seed" => match value(&mut it) {
                Some(s) => seed = s,
                None => return usage(),
            },
            _ => positional.push(a.clone()),
        }
    }
    let [rows, path] = positional.as_slice() else {
        return usage();
    };
    let Ok(rows) = rows.parse() else {
        return usage();
    };
    match run(rows, path, count, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_measurements: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: gen_measurements ROWS OUT [--stations N] [--seed S]");
    ExitCode::from(2)
}
