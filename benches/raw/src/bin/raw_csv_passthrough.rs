//! `raw_csv_passthrough IN.csv OUT.csv`: reads every record as a `csv::ByteRecord` and writes it
//! back with `csv::Writer` (header included). The hand-written lower bound for what a CSV
//! `SELECT *` has to do: split fields and re-quote them, with no type decoding at all.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: raw_csv_passthrough IN.csv OUT.csv");
        return ExitCode::from(2);
    }
    match run(&args[1], &args[2]) {
        Ok(n) => {
            eprintln!("raw_csv_passthrough: {n} records");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("raw_csv_passthrough: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &str, output: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).buffer_capacity(1 << 20).from_reader(File::open(input)?);
    let out = BufWriter::with_capacity(1 << 20, File::create(output)?);
    let mut wtr = csv::WriterBuilder::new().buffer_capacity(1 << 20).from_writer(out);
    wtr.write_byte_record(rdr.byte_headers()?)?;
    let mut rec = csv::ByteRecord::new();
    let mut n = 0u64;
    while rdr.read_byte_record(&mut rec)? {
        wtr.write_byte_record(&rec)?;
        n += 1;
    }
    wtr.flush()?;
    Ok(n)
}
