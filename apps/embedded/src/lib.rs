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

/// Groups keyed by text, an integer expression and a nullable column at once.
pub mod buckets {
    velo_rt::velo_sql!(
        "CREATE STREAM buckets AS SELECT region, v / 10 AS bucket, tag, COUNT(*) AS n, SUM(v) AS total
         FROM src GROUP BY region, v / 10, tag EMIT FINAL
         WITH ('src.type' = 'file_source', 'src.path' = 'x.csv', 'src.schema' = 'region STRING, v BIGINT, tag STRING')",
        module = app
    );
}

/// Ranking window functions: rows arrive in ORDER BY order; equal scores are peers.
pub mod ranking {
    velo_rt::velo_sql!(
        "CREATE STREAM ranked AS SELECT player, score,
             ROW_NUMBER() OVER (PARTITION BY game ORDER BY score) AS n,
             RANK() OVER (PARTITION BY game ORDER BY score) AS r,
             DENSE_RANK() OVER (PARTITION BY game ORDER BY score) AS d,
             LAST_VALUE(player) OVER (PARTITION BY game ORDER BY score) AS last_player
         FROM scores
         WITH ('scores.type' = 'file_source', 'scores.path' = 's.csv',
               'scores.schema' = 'game STRING, player STRING, score BIGINT')",
        module = app
    );
}

/// LEAD: a row waits for the next row of its partition, or for the end of the input.
pub mod leading {
    velo_rt::velo_sql!(
        "CREATE STREAM nexts AS SELECT player, score, LEAD(score) OVER (PARTITION BY game ORDER BY score) AS next_score
         FROM scores
         WITH ('scores.type' = 'file_source', 'scores.path' = 's.csv',
               'scores.schema' = 'game STRING, player STRING, score BIGINT')",
        module = app
    );
}

/// Whole-partition rankings come out when the input ends.
pub mod whole_partition {
    velo_rt::velo_sql!(
        "CREATE STREAM ranked AS SELECT player,
             PERCENT_RANK() OVER (PARTITION BY game ORDER BY score) AS pr,
             CUME_DIST() OVER (PARTITION BY game ORDER BY score) AS cd,
             NTILE(2) OVER (PARTITION BY game ORDER BY score) AS half
         FROM scores
         WITH ('scores.type' = 'file_source', 'scores.path' = 's.csv',
               'scores.schema' = 'game STRING, player STRING, score BIGINT')",
        module = app
    );
}

/// `EXPIRE AFTER … INACTIVITY`: a partition idle for a minute (in ORDER BY time) starts over.
pub mod expiring {
    velo_rt::velo_sql!(
        "CREATE STREAM moves AS SELECT game,
             ROW_NUMBER() OVER (PARTITION BY game ORDER BY at EXPIRE AFTER INTERVAL '1' MINUTE INACTIVITY) AS n,
             LAG(at) OVER (PARTITION BY game ORDER BY at EXPIRE AFTER INTERVAL '1' MINUTE INACTIVITY) AS previous
         FROM events
         WITH ('events.type' = 'file_source', 'events.path' = 'e.csv', 'events.schema' = 'game STRING, at TIMESTAMP')",
        module = app
    );
}

/// Time-based frames: the last 10 seconds of each symbol, by event time.
pub mod timed {
    velo_rt::velo_sql!(
        "CREATE STREAM recent AS SELECT sym, ts,
             SUM(qty) OVER (PARTITION BY sym ORDER BY ts RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW) AS qty_10s,
             MAX(qty) OVER (PARTITION BY sym ORDER BY ts RANGE INTERVAL '10' SECOND PRECEDING) AS max_10s,
             FIRST_VALUE(qty) OVER (PARTITION BY sym ORDER BY ts RANGE INTERVAL '10' SECOND PRECEDING) AS first_10s
         FROM ticks
         WITH ('ticks.type' = 'file_source', 'ticks.path' = 't.csv',
               'ticks.schema' = 'sym STRING, qty BIGINT, ts TIMESTAMP')",
        module = app
    );
}

/// A window over a text event time read with a pattern (`'event.time.format'`).
pub mod formatted_time {
    velo_rt::velo_sql!(
        "CREATE STREAM per_minute AS SELECT _window_start AS minute, COUNT(*) AS n FROM logs
         WINDOW TUMBLING(1m)
         WITH ('logs.type' = 'file_source', 'logs.path' = 'l.csv', 'logs.schema' = 'at STRING, msg STRING',
               'logs.event.time.field' = 'at', 'logs.event.time.format' = '%d/%m/%Y %H:%M:%S')",
        module = app
    );
}

/// The system columns `_event_time` (from `'event.time.field'`) and `_timestamp` (read time).
pub mod system_times {
    velo_rt::velo_sql!(
        "CREATE STREAM stamped AS SELECT id, _event_time AS event_time, _timestamp AS read_at FROM logs;
         CREATE STREAM per_minute AS SELECT _window_start AS minute, COUNT(*) AS n, MAX(_event_time) AS last
         FROM logs WINDOW TUMBLING(_event_time, 1m)
         WITH ('logs.type' = 'file_source', 'logs.path' = 'l.csv', 'logs.schema' = 'id BIGINT, at STRING',
               'logs.event.time.field' = 'at', 'logs.event.time.format' = 'iso8601')",
        module = app
    );
}

/// Sessions corrected by late clicks (`update_previous_window` within `'allowed.lateness'`).
pub mod amended_sessions {
    velo_rt::velo_sql!(
        "CREATE STREAM visits AS SELECT user_id, _window_start AS started, _window_end AS ended, COUNT(*) AS clicks
         FROM clicks GROUP BY user_id WINDOW SESSION(at, 10s)
         WITH ('clicks.type' = 'file_source', 'clicks.path' = 'c.csv', 'clicks.schema' = 'user_id STRING, at BIGINT',
               'late.data.strategy' = 'update_previous_window', 'allowed.lateness' = '30s')",
        module = app
    );
}

/// Named windows: `WINDOW w AS (…)`, used as `OVER w` and refined as `OVER (w ROWS …)`.
pub mod named_windows {
    velo_rt::velo_sql!(
        "CREATE STREAM moves AS SELECT sym, qty,
             LAG(qty) OVER w AS previous, ROW_NUMBER() OVER w AS n, SUM(qty) OVER (w ROWS 1 PRECEDING) AS last_two
         FROM ticks
         WINDOW w AS (PARTITION BY sym ORDER BY ts)
         WITH ('ticks.type' = 'file_source', 'ticks.path' = 't.csv',
               'ticks.schema' = 'sym STRING, qty BIGINT, ts TIMESTAMP')",
        module = app
    );
}

/// Window functions over an aggregate's final rows: a second statement reads the first.
pub mod ranked_totals {
    velo_rt::velo_sql!(
        "CREATE STREAM totals AS SELECT game, SUM(score) AS total FROM scores GROUP BY game EMIT FINAL;
         CREATE STREAM podium AS SELECT game, total, RANK() OVER (ORDER BY total DESC) AS place FROM totals
         WITH ('scores.type' = 'file_source', 'scores.path' = 's.csv',
               'scores.schema' = 'game STRING, player STRING, score BIGINT')",
        module = app
    );
}

/// SQL semantics checked from Rust: three-valued logic and NULL-typed expressions.
pub mod checks {
    velo_rt::velo_sql!(
        "CREATE STREAM checked AS SELECT x,
             (x > 5) IS TRUE AS big, (x > 5) IS NOT TRUE AS not_big,
             (x > 5) IS FALSE AS small, (x > 5) IS NOT FALSE AS not_small,
             CAST(NULL AS VARCHAR) || 'x' AS null_text, -NULL AS neg_null,
             COALESCE(CASE WHEN x > 100 THEN NULL END, 'none') AS fallback
         FROM nums
         WITH ('nums.type' = 'file_source', 'nums.path' = 'n.csv', 'nums.schema' = 'x BIGINT')",
        module = app
    );
}

/// A declared column list types each item before later items read its alias.
pub mod declared_columns {
    velo_rt::velo_sql!(
        "CREATE STREAM s (a DECIMAL(10,2), b DECIMAL(10,2)) AS SELECT qty AS a, a * 2 AS b FROM src
         WITH ('src.type' = 'file_source', 'src.path' = 'x.csv', 'src.schema' = 'qty BIGINT')",
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
    fn bigint_sums_fail_only_when_the_total_does_not_fit() {
        use super::totals::app::{Pipeline, SrcRow};
        let row = |v: i64, w: i64| SrcRow { k: Some("a".into()), v: Some(v), w: Some(w) };
        // Passing i64::MAX on the way is fine: the running sum is exact, only the total must fit.
        let mut p = Pipeline::new();
        assert!(p.process_src([row(1, i64::MAX), row(10, 1), row(100, -5)]).errors.is_empty());
        let t = &p.finish().totals[0];
        assert_eq!((t.n, t.sv, t.sw), (Some(3), Some(111), Some(i64::MAX - 4)));
        // A total outside BIGINT fails that group's row, not a record.
        let mut p = Pipeline::new();
        p.process_src([row(1, i64::MAX), row(1, 1)]);
        let done = p.finish();
        assert!(done.totals.is_empty());
        assert_eq!(done.errors, vec![("totals", EvalError::Overflow)]);
    }

    #[test]
    fn multi_column_keys_group_text_numbers_and_nulls() {
        use super::buckets::app::{BucketsRow, Pipeline, SrcRow};
        let row =
            |r: &str, v: i64, t: Option<&str>| SrcRow { region: Some(r.into()), v: Some(v), tag: t.map(Into::into) };
        let mut p = Pipeline::new();
        // (eu, 1, a) ×2, (eu, 1, NULL) ×2, (eu, 2, a), (us, 1, a): first-appearance order.
        p.process_src([
            row("eu", 12, Some("a")),
            row("eu", 15, None),
            row("eu", 21, Some("a")),
            row("us", 12, Some("a")),
            row("eu", 19, Some("a")),
            row("eu", 10, None),
        ]);
        let got: Vec<_> =
            p.finish().buckets.into_iter().map(|b: BucketsRow| (b.region, b.bucket, b.tag, b.n, b.total)).collect();
        let key = |r: &str, b: i64, t: Option<&str>, n: i64, total: i64| {
            (Some(r.to_string()), Some(b), t.map(str::to_string), Some(n), Some(total))
        };
        assert_eq!(
            got,
            vec![
                key("eu", 1, Some("a"), 2, 31),
                key("eu", 1, None, 2, 25),
                key("eu", 2, Some("a"), 1, 21),
                key("us", 1, Some("a"), 1, 12),
            ]
        );
    }

    #[test]
    fn ranks_share_peers_per_partition() {
        use super::ranking::app::{Pipeline, ScoresRow};
        let row = |g: &str, p: &str, s: i64| ScoresRow { game: Some(g.into()), player: Some(p.into()), score: Some(s) };
        let out = Pipeline::new().process_scores([
            row("chess", "ann", 10),
            row("go", "bob", 5),
            row("chess", "cid", 20),
            row("chess", "dee", 20),
            row("chess", "eve", 30),
            row("go", "fay", 5),
        ]);
        let got: Vec<_> = out.ranked.iter().map(|r| (r.n, r.r, r.d, r.last_player.clone())).collect();
        let rank = |n: i64, r: i64, d: i64, p: &str| (Some(n), Some(r), Some(d), Some(p.to_string()));
        assert_eq!(
            got,
            vec![
                rank(1, 1, 1, "ann"),
                rank(1, 1, 1, "bob"),
                rank(2, 2, 2, "cid"),
                rank(3, 2, 2, "dee"),
                rank(4, 4, 3, "eve"),
                rank(2, 1, 1, "fay"),
            ]
        );
    }

    #[test]
    fn lead_rows_come_out_when_their_next_row_arrives() {
        use super::leading::app::{Pipeline, ScoresRow};
        let row = |g: &str, p: &str, s: i64| ScoresRow { game: Some(g.into()), player: Some(p.into()), score: Some(s) };
        let mut p = Pipeline::new();
        let seen = |o: &[super::leading::app::NextsRow]| {
            o.iter().map(|r| (r.player.clone().unwrap_or_default(), r.next_score)).collect::<Vec<_>>()
        };
        let out = p.process_scores([row("chess", "ann", 10), row("go", "bob", 5)]);
        assert!(out.nexts.is_empty(), "both rows wait for their successor");
        let out = p.process_scores([row("chess", "cid", 20)]);
        assert_eq!(seen(&out.nexts), vec![("ann".to_string(), Some(20))]);
        assert_eq!(
            seen(&p.finish().nexts),
            vec![("bob".to_string(), None), ("cid".to_string(), None)],
            "arrival order"
        );
    }

    #[test]
    fn whole_partition_rankings_wait_for_the_end_of_the_input() {
        use super::whole_partition::app::{Pipeline, ScoresRow};
        let row = |g: &str, p: &str, s: i64| ScoresRow { game: Some(g.into()), player: Some(p.into()), score: Some(s) };
        let mut p = Pipeline::new();
        let out = p.process_scores([
            row("chess", "ann", 10),
            row("go", "bob", 5),
            row("chess", "cid", 20),
            row("chess", "dee", 20),
        ]);
        assert!(out.ranked.is_empty());
        let got: Vec<_> =
            p.finish().ranked.iter().map(|r| (r.player.clone().unwrap_or_default(), r.pr, r.cd, r.half)).collect();
        let r = |p: &str, pr: f64, cd: f64, h: i64| (p.to_string(), Some(pr), Some(cd), Some(h));
        assert_eq!(
            got,
            vec![r("ann", 0.0, 1.0 / 3.0, 1), r("bob", 0.0, 1.0, 1), r("cid", 0.5, 1.0, 1), r("dee", 0.5, 1.0, 2)]
        );
    }

    #[test]
    fn idle_partitions_expire_and_start_over() {
        use super::expiring::app::{EventsRow, Pipeline};
        use velo_rt::Timestamp;
        let ev = |g: &str, secs: i64| EventsRow { game: Some(g.into()), at: Some(Timestamp(secs * 1000)) };
        let out = Pipeline::new().process_events([ev("chess", 0), ev("chess", 10), ev("go", 100), ev("chess", 110)]);
        let got: Vec<_> = out.moves.iter().map(|r| (r.n, r.previous.map(|t| t.0 / 1000))).collect();
        // At 100 s the sweep drops chess (idle since 10 s, more than a minute): at 110 s it is new.
        assert_eq!(got, vec![(Some(1), None), (Some(2), Some(0)), (Some(1), None), (Some(1), None)]);
    }

    #[test]
    fn range_frames_keep_the_last_ten_seconds() {
        use super::timed::app::{Pipeline, TicksRow};
        use velo_rt::Timestamp;
        let tick = |sym: &str, qty: i64, secs: i64| TicksRow {
            sym: Some(sym.into()),
            qty: Some(qty),
            ts: Some(Timestamp(secs * 1000)),
        };
        let out = Pipeline::new().process_ticks([
            tick("a", 1, 0),
            tick("a", 2, 5),
            tick("b", 50, 6),
            tick("a", 4, 10), // 0..10 s: all three a-ticks (10 s back is still in the frame)
            tick("a", 8, 16), // 6..16 s: the ticks at 10 and 16
            tick("a", 3, 40), // alone
        ]);
        let got: Vec<_> = out.recent.iter().map(|r| (r.qty_10s, r.max_10s, r.first_10s)).collect();
        let w = |s: i64, m: i64, f: i64| (Some(s), Some(m), Some(f));
        assert_eq!(got, vec![w(1, 1, 1), w(3, 2, 1), w(50, 50, 50), w(7, 4, 1), w(12, 8, 4), w(3, 3, 3)]);
    }

    #[test]
    fn text_event_times_are_read_with_their_pattern() {
        use super::formatted_time::app::{LogsRow, Pipeline};
        let log = |at: &str| LogsRow { at: Some(at.into()), msg: None };
        let mut p = Pipeline::new();
        let out = p.process_logs([
            log("01/03/2024 10:00:05"),
            log("01/03/2024 10:00:59"),
            log("not a time"),
            log("01/03/2024 10:01:00"),
        ]);
        assert_eq!(out.errors.len(), 1, "the unreadable time is a record error");
        let first: Vec<_> = out.per_minute.iter().map(|r| (r.minute.map(|t| t.to_string()), r.n)).collect();
        assert_eq!(first, vec![(Some("2024-03-01T10:00:00".to_string()), Some(2))], "10:01:00 closes 10:00");
        let rest: Vec<_> = p.finish().per_minute.iter().map(|r| (r.minute.map(|t| t.to_string()), r.n)).collect();
        assert_eq!(rest, vec![(Some("2024-03-01T10:01:00".to_string()), Some(1))]);
    }

    #[test]
    fn system_columns_read_the_event_time_and_the_read_time() {
        use super::system_times::app::{LogsRow, Pipeline};
        use velo_rt::Timestamp;
        let log = |id: i64, at: Option<&str>| LogsRow { id: Some(id), at: at.map(Into::into) };
        let now = || Timestamp(velo_rt::window::processing_time());
        let before = now();
        let mut p = Pipeline::new();
        let out = p.process_logs([
            log(1, Some("2024-03-01T10:00:05Z")),
            log(2, None),
            log(3, Some("yesterday")),
            log(4, Some("2024-03-01T10:00:59.250Z")),
        ]);
        let after = now();
        let times: Vec<_> = out.stamped.iter().map(|r| (r.id, r.event_time.map(|t| t.to_string()))).collect();
        let at = |s: &str| Some(s.to_string());
        assert_eq!(
            times,
            vec![(Some(1), at("2024-03-01T10:00:05")), (Some(2), None), (Some(4), at("2024-03-01T10:00:59.250"))],
            "a NULL event time is NULL; an unreadable one is a record error"
        );
        assert!(out.stamped.iter().all(|r| r.read_at.is_some_and(|t| before <= t && t <= after)));
        let errors: Vec<_> = out.errors.iter().map(|(stmt, _)| *stmt).collect();
        let want = vec!["per_minute", "stamped", "per_minute"];
        assert_eq!(errors, want, "row 2: a NULL time has no window; row 3: unreadable in both statements");
        let bars: Vec<_> = p.finish().per_minute.iter().map(|r| (r.n, r.last.map(|t| t.to_string()))).collect();
        assert_eq!(bars, vec![(Some(2), at("2024-03-01T10:00:59.250"))]);
    }

    #[test]
    fn late_clicks_correct_their_fired_session() {
        use super::amended_sessions::app::{ClicksRow, Pipeline};
        let click = |at: i64| ClicksRow { user_id: Some("u".into()), at: Some(at) };
        let mut p = Pipeline::new();
        // 20 s fires [0, 10 s); the click at 5 s is late but within 30 s of lateness: the session
        // becomes [0, 15 s) with 2 clicks and is emitted again; 100 s fires [20, 30 s) and ends
        // the lateness of both, so the click at 50 s is dropped.
        let out = p.process_clicks([0, 20_000, 5_000, 100_000, 50_000].map(click));
        let secs = |t: Option<velo_rt::Timestamp>| t.map(|t| t.0 / 1000);
        let rows = |rows: &[super::amended_sessions::app::VisitsRow]| {
            rows.iter().map(|r| (secs(r.started), secs(r.ended), r.clicks)).collect::<Vec<_>>()
        };
        let s = |a: i64, b: i64, n: i64| (Some(a), Some(b), Some(n));
        assert_eq!(rows(&out.visits), vec![s(0, 10, 1), s(0, 15, 2), s(20, 30, 1)]);
        assert!(out.errors.is_empty(), "a dropped late click is counted, not an error");
        assert_eq!(rows(&p.finish().visits), vec![s(100, 110, 1)]);
    }

    #[test]
    fn named_windows_share_their_partition_and_order() {
        use super::named_windows::app::{Pipeline, TicksRow};
        let tick = |sym: &str, qty: i64, s: i64| TicksRow {
            sym: Some(sym.into()),
            qty: Some(qty),
            ts: Some(velo_rt::Timestamp(s * 1000)),
        };
        let out = Pipeline::new().process_ticks([tick("a", 1, 0), tick("b", 10, 1), tick("a", 2, 2), tick("a", 4, 3)]);
        let got: Vec<_> = out.moves.iter().map(|r| (r.previous, r.n, r.last_two)).collect();
        assert_eq!(
            got,
            vec![
                (None, Some(1), Some(1)),
                (None, Some(1), Some(10)),
                (Some(1), Some(2), Some(3)),
                (Some(2), Some(3), Some(6))
            ]
        );
    }

    #[test]
    fn final_rows_reach_the_statements_that_rank_them() {
        use super::ranked_totals::app::{Pipeline, ScoresRow};
        let row = |g: &str, s: i64| ScoresRow { game: Some(g.into()), player: None, score: Some(s) };
        let mut p = Pipeline::new();
        let out = p.process_scores([row("chess", 10), row("go", 50), row("chess", 30), row("poker", 40)]);
        assert!(out.podium.is_empty() && out.totals.is_empty(), "both wait for the end of the input");
        let end = p.finish();
        let got: Vec<_> = end.podium.iter().map(|r| (r.game.clone().unwrap_or_default(), r.total, r.place)).collect();
        let place = |g: &str, t: i64, r: i64| (g.to_string(), Some(t), Some(r));
        assert_eq!(got, vec![place("chess", 40, 2), place("go", 50, 1), place("poker", 40, 2)], "in arrival order");
    }

    #[test]
    fn is_true_and_is_false_never_return_null() {
        use super::checks::app::{NumsRow, Pipeline};
        let out = Pipeline::new().process_nums([Some(10), Some(1), None].map(|x| NumsRow { x }));
        let got: Vec<_> = out.checked.iter().map(|r| (r.big, r.not_big, r.small, r.not_small)).collect();
        let (t, f) = (Some(true), Some(false));
        assert_eq!(got, vec![(t, f, f, t), (f, t, t, f), (f, t, f, t)], "x = 10, 1, NULL");
        assert!(out.checked.iter().all(|r| r.null_text.is_none() && r.neg_null.is_none()));
        assert_eq!(out.checked[0].fallback.as_deref(), Some("none"));
    }

    #[test]
    fn inline_sql_compiles_too() {
        let mut p = super::inline::app::Pipeline::new();
        let out = p.process_words([super::inline::app::WordsRow { word: Some("héllo".into()) }]);
        assert_eq!(out.shouted[0].word.as_deref(), Some("HÉLLO"));
        assert_eq!(out.shouted[0].len, Some(5));
    }

    #[test]
    fn a_declared_column_list_casts_before_later_items_read_the_alias() {
        use super::declared_columns::app::{Pipeline, SrcRow};
        let out = Pipeline::new().process_src([SrcRow { qty: Some(3) }]);
        assert_eq!(out.s.len(), 1);
        assert_eq!(out.s[0].a, Some(Decimal(300)), "3 as DECIMAL(10,2)");
        assert_eq!(out.s[0].b, Some(Decimal(600)), "a * 2 reads the DECIMAL(10,2) a");
    }
}
