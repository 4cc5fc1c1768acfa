//! Static source schemas (DIALECT.md §3): an inline column list, a schema file (`.avsc`,
//! `.schema.yaml`), or inference from the data file at build time.
//!
//! Inference reads the CSV header (or JSON keys) and up to [`SAMPLE_ROWS`] records, using the
//! same value parsers as the runtime: integers → BIGINT; numbers with a fraction → DECIMAL with
//! the largest number of fraction digits seen (never DOUBLE); exponent form → DOUBLE;
//! `true/false` → BOOLEAN; ISO dates/timestamps → DATE/TIMESTAMP; anything else → STRING.
//! Inferred columns are nullable.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::ir::types::{MAX_PRECISION, SqlType};
use velo_spec::FileFormat;
use velo_spec::time::{parse_date, parse_timestamp};

/// How many records inference samples.
pub(crate) const SAMPLE_ROWS: usize = 10_000;

/// One column of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// Name as in the data.
    pub name: String,
    /// Type.
    pub ty: SqlType,
    /// Whether NULL is allowed.
    pub nullable: bool,
}

/// The columns of a source, with where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schema {
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Where the schema came from, for `velo explain`.
    pub origin: String,
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}{}", c.name, c.ty, if c.nullable { "" } else { " NOT NULL" })?;
        }
        Ok(())
    }
}

/// Parses an inline schema `'col TYPE [NOT NULL], …'` written in a WITH value at `span`.
pub(crate) fn parse_inline(text: &str, span: &Span, diags: &mut Diagnostics) -> Option<Schema> {
    let dialect = GenericDialect {};
    let at = |line: u64, col: u64| {
        // Positions inside a one-line string literal map onto the file (+1 for the quote).
        if line <= 1 { Span::at(span.line, span.column + col, 1) } else { span.clone() }
    };
    let parsed =
        Parser::new(&dialect).try_with_sql(text).and_then(|mut p| p.parse_comma_separated(Parser::parse_column_def));
    let defs = match parsed {
        Ok(d) => d,
        Err(e) => {
            diags.push(
                Diagnostic::error("E0302", span.clone(), format!("bad inline schema: {e}"))
                    .with_help("write `'col TYPE [NOT NULL], …'`, e.g. `'id BIGINT NOT NULL, price DECIMAL(10,2)'`"),
            );
            return None;
        }
    };
    let mut columns = Vec::new();
    let mut ok = true;
    for d in defs {
        let ty_text = d.data_type.to_string();
        let Some(ty) = SqlType::parse(&ty_text) else {
            diags.push(
                Diagnostic::error(
                    "E0303",
                    at(d.name.span.start.line, d.name.span.start.column),
                    format!("unsupported column type `{ty_text}` for `{}`", d.name.value),
                )
                .with_help("use BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s), STRING, DATE or TIMESTAMP"),
            );
            ok = false;
            continue;
        };
        let not_null = d.options.iter().any(|o| o.option.to_string().eq_ignore_ascii_case("NOT NULL"));
        columns.push(Column { name: d.name.value, ty, nullable: !not_null });
    }
    ok.then(|| Schema { columns, origin: "inline schema".into() })
}

/// Loads a schema file: `.avsc` (Avro) or `.schema.yaml`/`.yaml`/`.yml` (Velostream's format).
/// `shown` is the path as the app wrote it.
pub(crate) fn load_file(path: &Path, shown: &str, span: &Span, diags: &mut Diagnostics) -> Option<Schema> {
    let text = match read_schema_file(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                Diagnostic::error("E0304", span.clone(), format!("cannot read schema file `{shown}`: {e}"))
                    .with_help("paths of schema files are relative to the folder of the .sql file"),
            );
            return None;
        }
    };
    let name = path.to_string_lossy().to_ascii_lowercase();
    let result = if name.ends_with(".avsc") {
        avro_schema(&text)
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        yaml_schema(&text)
    } else {
        Err("unknown schema file type (use .avsc or .schema.yaml)".to_string())
    };
    match result {
        Ok(columns) => Some(Schema { columns, origin: format!("schema file {shown}") }),
        Err(e) => {
            diags.push(Diagnostic::error("E0305", span.clone(), format!("bad schema file `{shown}`: {e}")));
            None
        }
    }
}

fn avro_schema(text: &str) -> Result<Vec<Column>, String> {
    use apache_avro::Schema as A;
    let schema = A::parse_str(text).map_err(|e| e.to_string())?;
    let A::Record(record) = schema else {
        return Err("the top-level Avro schema must be a record".into());
    };
    fn map(s: &A) -> Result<(SqlType, bool), String> {
        Ok(match s {
            A::Boolean => (SqlType::Boolean, false),
            A::Int | A::Long => (SqlType::BigInt, false),
            A::Float | A::Double => (SqlType::Double, false),
            A::String | A::Uuid(_) | A::Enum(_) => (SqlType::String, false),
            A::Decimal(d) => {
                let (p, s) = (d.precision as u32, d.scale as u32);
                if p == 0 || p > MAX_PRECISION || s > p {
                    return Err(format!("decimal({p}, {s}) is outside DECIMAL(38, s)"));
                }
                (SqlType::Decimal(p, s), false)
            }
            A::Date => (SqlType::Date, false),
            A::TimestampMillis | A::TimestampMicros | A::LocalTimestampMillis | A::LocalTimestampMicros => {
                (SqlType::Timestamp, false)
            }
            A::Union(u) => {
                let non_null: Vec<&A> = u.variants().iter().filter(|v| !matches!(v, A::Null)).collect();
                match non_null.as_slice() {
                    [one] => (map(one)?.0, true),
                    _ => return Err("only unions of null and one type are supported".into()),
                }
            }
            other => return Err(format!("Avro type {other:?} is not supported yet")),
        })
    }
    record
        .fields
        .iter()
        .map(|f| {
            map(&f.schema)
                .map(|(ty, nullable)| Column { name: f.name.clone(), ty, nullable })
                .map_err(|e| format!("field `{}`: {e}", f.name))
        })
        .collect()
}

#[derive(Deserialize)]
struct YamlSchema {
    fields: Vec<YamlField>,
}

#[derive(Deserialize)]
struct YamlField {
    name: String,
    #[serde(rename = "type")]
    ty: serde_yaml_ng::Value,
    #[serde(default = "yes")]
    nullable: bool,
}

fn yes() -> bool {
    true
}

fn yaml_schema(text: &str) -> Result<Vec<Column>, String> {
    let schema: YamlSchema = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    schema
        .fields
        .into_iter()
        .map(|f| {
            let ty = match &f.ty {
                serde_yaml_ng::Value::String(s) => match s.to_ascii_lowercase().as_str() {
                    "integer" | "int" | "long" => Some(SqlType::BigInt),
                    "float" | "double" => Some(SqlType::Double),
                    "uuid" => Some(SqlType::String),
                    other => SqlType::parse(other),
                },
                serde_yaml_ng::Value::Mapping(m) => m.get("decimal").and_then(|d| {
                    let p = d.get("precision")?.as_u64()? as u32;
                    let s = d.get("scale")?.as_u64()? as u32;
                    (p > 0 && p <= MAX_PRECISION && s <= p).then_some(SqlType::Decimal(p, s))
                }),
                _ => None,
            };
            ty.map(|ty| Column { name: f.name.clone(), ty, nullable: f.nullable })
                .ok_or_else(|| format!("field `{}` has an unsupported type", f.name))
        })
        .collect()
}

/// What values of one column looked like while sampling.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    int: bool,
    decimal: bool,
    double: bool,
    boolean: bool,
    date: bool,
    timestamp: bool,
    string: bool,
    int_digits: u32,
    scale: u32,
}

impl Seen {
    fn text(&mut self, v: &str) {
        let t = v.trim();
        if t.is_empty() {
            return;
        }
        if let Some((int_digits, scale)) = plain_number(t) {
            if scale == 0 && t.parse::<i64>().is_ok() {
                self.int = true;
            } else {
                self.decimal = true;
            }
            self.int_digits = self.int_digits.max(int_digits);
            self.scale = self.scale.max(scale);
        } else if t.parse::<f64>().is_ok() && t.bytes().any(|b| b.is_ascii_digit()) {
            self.double = true;
        } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
            self.boolean = true;
        } else if parse_date(t).is_some() {
            self.date = true;
        } else if parse_timestamp(t).is_some() {
            self.timestamp = true;
        } else {
            self.string = true;
        }
    }

    fn ty(&self) -> SqlType {
        let numeric = self.int || self.decimal || self.double;
        let temporal = self.date || self.timestamp;
        let kinds = [numeric, self.boolean, temporal, self.string].iter().filter(|k| **k).count();
        if kinds != 1 || self.string {
            return SqlType::String;
        }
        if self.boolean {
            SqlType::Boolean
        } else if temporal {
            if self.timestamp { SqlType::Timestamp } else { SqlType::Date }
        } else if self.double {
            SqlType::Double
        } else if self.decimal {
            let p = (self.int_digits + self.scale).clamp(18, MAX_PRECISION);
            if self.int_digits + self.scale > MAX_PRECISION { SqlType::Double } else { SqlType::Decimal(p, self.scale) }
        } else {
            SqlType::BigInt
        }
    }
}

/// `(integer digits, fraction digits)` of a plain decimal number (`-12.50`), or None.
fn plain_number(t: &str) -> Option<(u32, u32)> {
    let d = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (i, f) = d.split_once('.').unwrap_or((d, ""));
    if (i.is_empty() && f.is_empty()) || !i.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((i.trim_start_matches('0').len() as u32, f.len() as u32))
}

/// The largest schema file read (schemas are a few KiB; a device or a huge file is refused).
const MAX_SCHEMA_FILE: u64 = 16 << 20;

/// The text of a schema file: a regular file of at most [`MAX_SCHEMA_FILE`] bytes.
fn read_schema_file(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    if meta.len() > MAX_SCHEMA_FILE {
        return Err(std::io::Error::other(format!("it is larger than {} MiB", MAX_SCHEMA_FILE >> 20)));
    }
    std::fs::read_to_string(path)
}

/// Infers the schema of a data file; `shown` is the path as the app wrote it.
/// Only the sampled records are read (a JSON array is parsed whole).
pub(crate) fn infer_file(path: &Path, shown: &str, format: FileFormat, delimiter: u8) -> Result<Schema, String> {
    use std::io::{BufRead, BufReader, Read};
    let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", path.display());
    let file = BufReader::new(std::fs::File::open(path).map_err(cannot)?);
    let (names, seen, rows) = match format {
        FileFormat::Csv | FileFormat::CsvNoHeader => infer_csv(file, delimiter, format == FileFormat::Csv)?,
        FileFormat::JsonLines | FileFormat::Json => {
            let mut file = file;
            let array = file.fill_buf().map_err(cannot)?.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
            let mut text = String::new();
            if array {
                file.read_to_string(&mut text).map_err(cannot)?;
            } else {
                for line in file.lines().take(SAMPLE_ROWS) {
                    text.push_str(&line.map_err(cannot)?);
                    text.push('\n');
                }
            }
            infer_json(text.as_bytes())?
        }
    };
    if names.is_empty() {
        return Err(format!("`{}` has no columns to infer a schema from", path.display()));
    }
    let columns = names.into_iter().zip(seen).map(|(name, s)| Column { name, ty: s.ty(), nullable: true }).collect();
    Ok(Schema { columns, origin: format!("inferred from {shown} ({rows} records sampled)") })
}

type Inferred = (Vec<String>, Vec<Seen>, usize);

fn infer_csv(data: impl std::io::Read, delimiter: u8, header: bool) -> Result<Inferred, String> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(data);
    let mut records = rdr.records();
    let mut names: Vec<String> = Vec::new();
    if header {
        match records.next() {
            Some(Ok(h)) => names = h.iter().map(|s| s.trim_start_matches('\u{feff}').trim().to_string()).collect(),
            Some(Err(e)) => return Err(format!("bad CSV header: {e}")),
            None => return Err("the file is empty; it needs a header row to infer a schema".into()),
        }
    }
    let mut seen: Vec<Seen> = vec![Seen::default(); names.len()];
    let mut rows = 0;
    for rec in records.take(SAMPLE_ROWS) {
        let Ok(rec) = rec else { continue };
        if !header && rec.len() > names.len() {
            names.extend((names.len()..rec.len()).map(|i| format!("column{}", i + 1)));
            seen.resize(names.len(), Seen::default());
        }
        for (i, v) in rec.iter().enumerate().take(names.len()) {
            seen[i].text(v);
        }
        rows += 1;
    }
    Ok((names, seen, rows))
}

/// A JSON object's members in file order.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Members<'a>, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

fn infer_json(data: &[u8]) -> Result<Inferred, String> {
    let text = std::str::from_utf8(data).map_err(|_| "the file is not UTF-8".to_string())?;
    let objects: Vec<Members> = if text.trim_start().starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| format!("not a JSON array: {e}"))?;
        items.into_iter().take(SAMPLE_ROWS).filter_map(|v| serde_json::from_str(v.get()).ok()).collect()
    } else {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .take(SAMPLE_ROWS)
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let mut names: Vec<String> = Vec::new();
    let mut seen: Vec<Seen> = Vec::new();
    for obj in &objects {
        for (k, v) in &obj.0 {
            let i = match names.iter().position(|n| n == k) {
                Some(i) => i,
                None => {
                    names.push(k.clone());
                    seen.push(Seen::default());
                    names.len() - 1
                }
            };
            let raw = v.get();
            match raw.as_bytes().first() {
                Some(b'"') => {
                    let s: String = serde_json::from_str(raw).unwrap_or_default();
                    // Text stays text unless it is a date or timestamp.
                    if parse_date(&s).is_some() {
                        seen[i].date = true;
                    } else if parse_timestamp(&s).is_some() {
                        seen[i].timestamp = true;
                    } else {
                        seen[i].string = true;
                    }
                }
                Some(b'{') | Some(b'[') => seen[i].string = true,
                Some(b'n') => {}
                _ => seen[i].text(raw),
            }
        }
    }
    let rows = objects.len();
    Ok((names, seen, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer_csv_text(text: &str) -> Vec<(String, SqlType)> {
        let (names, seen, _) = infer_csv(text.as_bytes(), b',', true).unwrap();
        names.into_iter().zip(seen.iter().map(Seen::ty)).collect()
    }

    #[test]
    fn csv_inference_follows_the_dialect() {
        let cols = infer_csv_text(
            "id,price,ratio,ok,day,at,name,mixed\n1,10.5,1e3,true,2024-01-01,2024-01-01T10:00:00,a,1\n2,3.25,2.5E-1,false,2024-01-02,2024-01-01 10:00:01,b,x\n3,,,,,,,\n",
        );
        let tys: Vec<SqlType> = cols.iter().map(|c| c.1).collect();
        assert_eq!(
            tys,
            vec![
                SqlType::BigInt,
                SqlType::Decimal(18, 2),
                SqlType::Double,
                SqlType::Boolean,
                SqlType::Date,
                SqlType::Timestamp,
                SqlType::String,
                SqlType::String
            ]
        );
    }

    #[test]
    fn json_inference_keeps_key_order_and_digits() {
        let (names, seen, rows) =
            infer_json(b"{\"b\": 1.50, \"a\": \"x\"}\n{\"a\": null, \"c\": \"2024-01-01\"}\n").unwrap();
        assert_eq!(rows, 2);
        assert_eq!(names, vec!["b", "a", "c"]);
        let tys: Vec<SqlType> = seen.iter().map(Seen::ty).collect();
        assert_eq!(tys, vec![SqlType::Decimal(18, 2), SqlType::String, SqlType::Date]);
    }

    #[test]
    fn inline_schema_and_errors() {
        let mut d = Diagnostics::default();
        let s = parse_inline("id BIGINT NOT NULL, price DECIMAL(10,2)", &Span::at(3, 10, 5), &mut d).unwrap();
        assert_eq!(s.to_string(), "id BIGINT NOT NULL, price DECIMAL(10, 2)");
        assert!(parse_inline("id BLOB", &Span::at(3, 10, 5), &mut d).is_none());
        let e = d.into_sorted();
        assert_eq!((e[0].code, e[0].span.column), ("E0303", 11));
    }

    #[test]
    fn yaml_and_avro_schemas() {
        let y = "name: t\nfields:\n  - name: id\n    type: integer\n    nullable: false\n  - name: px\n    type:\n      decimal: {precision: 10, scale: 2}\n";
        let cols = yaml_schema(y).unwrap();
        assert_eq!(cols[0], Column { name: "id".into(), ty: SqlType::BigInt, nullable: false });
        assert_eq!(cols[1].ty, SqlType::Decimal(10, 2));
        let a = r#"{"type":"record","name":"r","fields":[{"name":"px","type":["null",{"type":"bytes","logicalType":"decimal","precision":12,"scale":4}]},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#;
        let cols = avro_schema(a).unwrap();
        assert_eq!(cols[0], Column { name: "px".into(), ty: SqlType::Decimal(12, 4), nullable: true });
        assert_eq!(cols[1].ty, SqlType::Timestamp);
    }
}
