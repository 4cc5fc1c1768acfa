//! Streaming SQL inside a Rust crate. `velo_sql!` compiles `pricing.sql` at build time (an error
//! in the SQL is a compile error pointing at its line and column) into a module with one typed
//! struct per source and statement and a `Pipeline` to drive from Rust:
//!
//! ```
//! use velo_embedded_example::pricing::{OrdersRow, Pipeline};
//! use velo_rt::Decimal;
//!
//! let mut pipeline = Pipeline::new();
//! let out = pipeline.process_orders([
//!     OrdersRow { sku: Some("pen".into()), price: Some(Decimal(250)), qty: Some(40) },
//!     OrdersRow { sku: Some("ink".into()), price: Some(Decimal(1999)), qty: Some(1) },
//! ]);
//! assert_eq!(out.quotes.len(), 2);
//! assert_eq!(out.quotes[0].total, Some(Decimal(10000))); // 2.50 × 40 = 100.00, exactly
//! assert_eq!(out.big_quotes.len(), 1);
//! ```

velo_rt::velo_sql!(file = "pricing.sql");

/// A second app, written inline.
pub mod inline {
    velo_rt::velo_sql!(
        "CREATE STREAM shouted AS SELECT UPPER(word) AS word, LENGTH(word) AS len FROM words
         WITH ('words.type' = 'file_source', 'words.path' = 'words.csv', 'words.schema' = 'word STRING')",
        module = app
    );
}

/// Two exact sums per group, emitted once the input ends.
pub mod totals {
    velo_rt::velo_sql!(
        "CREATE STREAM totals AS SELECT k, COUNT(*) AS n, SUM(v) AS sv, SUM(w) AS sw FROM src GROUP BY k EMIT FINAL
         WITH ('src.type' = 'file_source', 'src.path' = 'x.csv', 'src.schema' = 'k STRING, v BIGINT, w BIGINT')",
        module = app
    );
}

#[cfg(test)]
mod tests {
    use super::pricing::{OrdersRow, Pipeline};
    use velo_rt::{Decimal, EvalError};

    fn order(sku: &str, price: i128, qty: i64) -> OrdersRow {
        OrdersRow { sku: Some(sku.into()), price: Some(Decimal(price)), qty: Some(qty) }
    }

    #[test]
    fn rows_flow_through_both_statements() {
        let mut p = Pipeline::new();
        let out = p.process_orders([order("a", 1050, 10), order("b", 999, 0), order("c", 1000, 2)]);
        let totals: Vec<_> = out.quotes.iter().map(|q| (q.sku.clone(), q.total, q.tier.clone())).collect();
        assert_eq!(
            totals,
            vec![
                (Some("a".into()), Some(Decimal(10500)), Some("bulk".into())),
                (Some("c".into()), Some(Decimal(2000)), Some("retail".into())),
            ],
            "qty 0 is filtered out; 10.50 × 10 = 105.00"
        );
        assert_eq!(out.big_quotes.len(), 1);
        assert_eq!(out.big_quotes[0].total, Some(Decimal(10500)));
        assert!(out.errors.is_empty());
    }

    #[test]
    fn an_overflowing_record_is_reported_not_panicking() {
        let mut p = Pipeline::new();
        let big = i128::MAX / 10;
        let out = p.process_orders([order("x", big, 1000), order("ok", 100, 1)]);
        assert_eq!(out.errors, vec![("quotes", EvalError::Overflow)]);
        assert_eq!(out.quotes.len(), 1, "the next record is processed");
    }

    #[test]
    fn a_record_whose_sum_overflows_leaves_its_group_untouched() {
        use super::totals::app::{Pipeline, SrcRow};
        let row = |v: i64, w: i64| SrcRow { k: Some("a".into()), v: Some(v), w: Some(w) };
        let mut p = Pipeline::new();
        // The second record overflows `sw` after `sv` could already have been added.
        let out = p.process_src([row(1, i64::MAX), row(10, 1), row(100, -5)]);
        assert_eq!(out.errors, vec![("totals", EvalError::Overflow)]);
        let done = p.finish();
        let t = &done.totals[0];
        assert_eq!((t.n, t.sv, t.sw), (Some(2), Some(101), Some(i64::MAX - 5)), "the failed record counts nowhere");
    }

    #[test]
    fn inline_sql_compiles_too() {
        let mut p = super::inline::app::Pipeline::new();
        let out = p.process_words([super::inline::app::WordsRow { word: Some("héllo".into()) }]);
        assert_eq!(out.shouted[0].word.as_deref(), Some("HÉLLO"));
        assert_eq!(out.shouted[0].len, Some(5));
    }
}
