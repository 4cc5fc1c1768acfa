//! The compiler infers types with its own copy of the format names and temporal parsers (it cannot
//! depend on the runtime). These tests pin that both sides agree, so an inferred schema always
//! decodes the file it was inferred from.

use velo_codegen::formats::{self, FileFormat as Compiled};
use velo_rt::io::source::FileFormat as Runtime;
use velo_rt::{Date, Timestamp};

const TEXTS: &[&str] = &[
    "2024-01-01",
    "2024-13-01",
    "2024-01-01T10:00:00",
    "2024-01-01 10:00:00",
    "2024-01-01T10:00:00.123",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00+02:00",
    "2024-01-01T10:00",
    "2024-01-01 10:00",
    "10:00:00",
    "yesterday",
    "2024/01/01",
    "",
];

#[test]
fn temporal_text_is_classified_alike() {
    for t in TEXTS {
        assert_eq!(formats::is_date(t), Date::parse(t).is_some(), "DATE `{t}`");
        if formats::is_timestamp(t) {
            assert!(Timestamp::parse(t).is_some(), "an inferred TIMESTAMP `{t}` must decode");
        }
    }
}

#[test]
fn format_names_mean_the_same() {
    let pairs = [
        ("csv", Compiled::Csv, Runtime::Csv),
        ("csv_no_header", Compiled::CsvNoHeader, Runtime::CsvNoHeader),
        ("jsonl", Compiled::JsonLines, Runtime::JsonLines),
        ("jsonlines", Compiled::JsonLines, Runtime::JsonLines),
        ("json_lines", Compiled::JsonLines, Runtime::JsonLines),
        ("ndjson", Compiled::JsonLines, Runtime::JsonLines),
        ("json", Compiled::Json, Runtime::Json),
    ];
    for (name, c, r) in pairs {
        assert_eq!(Compiled::from_name(name), Some(c), "{name}");
        assert_eq!(Runtime::parse(name), Some(r), "{name}");
    }
    for bad in ["parquet", "avro", "xml"] {
        assert_eq!(Compiled::from_name(bad), None);
        assert_eq!(Runtime::parse(bad), None);
    }
}
