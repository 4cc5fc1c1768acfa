//! SQL types and their Rust representations (see `velo_rt::value`).

use std::fmt;

use proc_macro2::TokenStream;
use quote::quote;

/// The largest DECIMAL precision.
pub(crate) const MAX_PRECISION: u32 = 38;

/// A SQL type known at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SqlType {
    /// BOOLEAN.
    Boolean,
    /// BIGINT (INT and INTEGER are the same 64-bit type in Velo).
    BigInt,
    /// DOUBLE (FLOAT, REAL).
    Double,
    /// DECIMAL(precision, scale), exact.
    Decimal(u32, u32),
    /// STRING (VARCHAR, TEXT).
    String,
    /// DATE.
    Date,
    /// TIMESTAMP (milliseconds, UTC).
    Timestamp,
    /// The type of a bare NULL literal; converts to anything.
    Null,
}

impl SqlType {
    /// Whether arithmetic applies.
    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, SqlType::BigInt | SqlType::Double | SqlType::Decimal(..))
    }

    /// The Rust type of a non-NULL value.
    pub(crate) fn rust(self) -> TokenStream {
        match self {
            SqlType::Boolean => quote!(bool),
            SqlType::BigInt => quote!(i64),
            SqlType::Double => quote!(f64),
            SqlType::Decimal(_, s) => quote!(rt::Decimal<#s>),
            SqlType::String | SqlType::Null => quote!(::std::string::String),
            SqlType::Date => quote!(rt::Date),
            SqlType::Timestamp => quote!(rt::Timestamp),
        }
    }

    /// Whether values are `Copy` (no clone needed to read a column).
    pub(crate) fn is_copy(self) -> bool {
        !matches!(self, SqlType::String | SqlType::Null)
    }

    /// An integer viewed as a decimal: DECIMAL(19, 0).
    pub(crate) fn as_decimal(self) -> Option<(u32, u32)> {
        match self {
            SqlType::Decimal(p, s) => Some((p, s)),
            SqlType::BigInt => Some((19, 0)),
            _ => None,
        }
    }

    /// Parses a type name as written in SQL or a schema (`DECIMAL(10,2)`, `varchar(20)`, `INT`).
    pub(crate) fn parse(text: &str) -> Option<SqlType> {
        let t = text.trim().to_ascii_uppercase();
        let (name, args) = match t.split_once('(') {
            Some((n, rest)) => (n.trim().to_string(), rest.trim_end_matches(')').to_string()),
            None => (t.clone(), String::new()),
        };
        let nums: Vec<u32> = args.split(',').filter_map(|a| a.trim().parse().ok()).collect();
        Some(match name.as_str() {
            "BOOLEAN" | "BOOL" => SqlType::Boolean,
            "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "INT64" | "INT32" | "LONG" => SqlType::BigInt,
            "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" | "REAL" | "FLOAT64" | "FLOAT8" => SqlType::Double,
            "DECIMAL" | "NUMERIC" | "DEC" => {
                let p = nums.first().copied().unwrap_or(MAX_PRECISION);
                let s = nums.get(1).copied().unwrap_or(if nums.is_empty() { 6 } else { 0 });
                if p == 0 || p > MAX_PRECISION || s > p {
                    return None;
                }
                SqlType::Decimal(p, s)
            }
            "STRING" | "VARCHAR" | "TEXT" | "CHAR" | "CHARACTER VARYING" | "CHARACTER" => SqlType::String,
            "DATE" => SqlType::Date,
            "TIMESTAMP" | "DATETIME" | "TIMESTAMP WITHOUT TIME ZONE" => SqlType::Timestamp,
            _ => return None,
        })
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Boolean => f.write_str("BOOLEAN"),
            SqlType::BigInt => f.write_str("BIGINT"),
            SqlType::Double => f.write_str("DOUBLE"),
            SqlType::Decimal(p, s) => write!(f, "DECIMAL({p}, {s})"),
            SqlType::String => f.write_str("STRING"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::Timestamp => f.write_str("TIMESTAMP"),
            SqlType::Null => f.write_str("NULL"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_type_names() {
        assert_eq!(SqlType::parse("decimal(10, 2)"), Some(SqlType::Decimal(10, 2)));
        assert_eq!(SqlType::parse("NUMERIC"), Some(SqlType::Decimal(38, 6)));
        assert_eq!(SqlType::parse("varchar(20)"), Some(SqlType::String));
        assert_eq!(SqlType::parse("INT"), Some(SqlType::BigInt));
        assert_eq!(SqlType::parse("DECIMAL(39,2)"), None);
        assert_eq!(SqlType::parse("BLOB"), None);
    }
}
