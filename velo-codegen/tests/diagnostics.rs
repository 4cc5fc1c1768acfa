//! Diagnostics for typical mistakes, rendered as users see them (code, file:line:col, the line
//! with a caret, a hint), snapshot-tested. Each case is a small app with one mistake.

use velo_codegen::{AppSource, compile};

const WITH: &str = "WITH ('orders.type' = 'file_source', 'orders.path' = 'orders.csv', \
'orders.schema' = 'id BIGINT, amount DECIMAL(10,2), customer STRING, placed_at TIMESTAMP', \
'out.type' = 'file_sink', 'out.path' = 'out.csv')";

fn render(sql: &str) -> String {
    let src = AppSource {
        sql: sql.to_string(),
        file_name: "app.sql".into(),
        base_dir: ".".into(),
        default_name: "app".into(),
    };
    let compiled = compile(&src);
    assert!(compiled.has_errors() || !compiled.diagnostics.is_empty(), "expected a diagnostic for:\n{sql}");
    compiled.diagnostics.iter().map(|d| d.render(&src.file_name, &src.sql)).collect::<Vec<_>>().join("\n")
}

fn app(select: &str) -> String {
    format!("CREATE STREAM out AS\n{select}\n{WITH};\n")
}

macro_rules! case {
    ($name:ident, $sql:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(render(&$sql));
        }
    };
}

case!(unknown_column_suggests_the_closest, app("SELECT id, amuont FROM orders"));
case!(unknown_function_suggests_the_closest, app("SELECT UPPR(customer) AS c FROM orders"));
case!(wrong_arity, app("SELECT SUBSTRING(customer) AS c FROM orders"));
case!(type_mismatch_in_arithmetic, app("SELECT customer + 1 AS c FROM orders"));
case!(where_must_be_boolean, app("SELECT id FROM orders WHERE amount"));
case!(unknown_source, app("SELECT id FROM ordrs"));
case!(
    unknown_with_key,
    format!("CREATE STREAM out AS SELECT id FROM orders {} ;", WITH.replace("'out.path'", "'out.pth'"))
);
case!(syntax_error_points_at_the_token, app("SELECT id,, amount FROM orders"));
case!(trailing_garbage_is_an_error, format!("{}\nthis is not sql", app("SELECT id FROM orders")));
case!(comparing_text_with_a_number, app("SELECT id FROM orders WHERE customer > 10"));
case!(bad_annotation_value, format!("-- @num_partitions: many\n{}", app("SELECT id FROM orders")));
case!(duplicate_output_column, app("SELECT id, amount AS id FROM orders"));
case!(
    all_errors_are_reported_not_just_the_first,
    app("SELECT nope, UPPR(customer) AS c, customer * 2 AS d FROM orders WHERE missing > 1")
);
case!(
    metric_condition_is_compiled_like_where,
    format!(
        "-- @metric: big_orders_total\n-- @metric_type: counter\n-- @metric_condition: amont > 100\n{}",
        app("SELECT id, amount FROM orders")
    )
);
case!(column_outside_group_by, app("SELECT customer, amount, SUM(amount) AS total FROM orders GROUP BY customer"));
case!(aggregate_in_where, app("SELECT customer, COUNT(*) AS n FROM orders WHERE SUM(amount) > 10 GROUP BY customer"));
case!(
    two_statements_one_sink,
    format!(
        "CREATE STREAM a AS SELECT id FROM orders INTO out {WITH};\nCREATE STREAM b AS SELECT id FROM orders INTO out;\n"
    )
);
case!(
    a_sink_over_its_own_source_is_refused,
    "CREATE STREAM out AS SELECT id FROM orders\nWITH ('orders.type' = 'file_source', 'orders.path' = 'data/orders.csv', \
'orders.schema' = 'id BIGINT', 'out.type' = 'file_sink', 'out.path' = './data/../data/orders.csv');\n"
);
case!(
    dead_letters_over_a_file_a_glob_reads_are_refused,
    "CREATE STREAM out AS SELECT id FROM orders\nWITH ('orders.type' = 'file_source', 'orders.path' = 'in/*.jsonl', \
'orders.schema' = 'id BIGINT', 'out.type' = 'file_sink', 'out.path' = 'out.csv', 'out.dlq' = 'in/bad.jsonl');\n"
);
case!(
    velostream_app_wide_keys_are_warnings_that_say_what_velo_does_instead,
    "CREATE STREAM out AS SELECT id FROM orders\nWITH ('orders.type' = 'file_source', 'orders.path' = 'orders.csv', \
'orders.schema' = 'id BIGINT', 'out.type' = 'file_sink', 'out.path' = 'out.csv',\n\
'circuit.breaker.failure_threshold' = '5', 'max.memory.mb' = '1024', 'delivery.guarantee' = 'at_least_once',\n\
'circuit.path' = 'x');\n"
);
case!(misspelt_sink_is_a_warning, format!("CREATE STREAM outs AS SELECT id FROM orders {WITH};\n"));
case!(select_into_before_from, app("SELECT id INTO elsewhere FROM orders"));
case!(
    window_with_a_bad_duration,
    app("SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer WINDOW TUMBLING(placed_at, 5 parsecs)")
);
case!(
    windows_that_cannot_be_honoured_are_refused,
    format!(
        "{}{}",
        app("SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer WINDOW SLIDING(placed_at, 1000d, 1ms)"),
        "CREATE STREAM b AS SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer WINDOW TUMBLING(placed_at, 9223372036854775807ms);\n"
    )
);
case!(
    window_time_column_must_be_a_time,
    app("SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer WINDOW TUMBLING(customer, 1m)")
);
case!(
    event_time_needs_a_readable_column,
    format!(
        "CREATE STREAM out AS SELECT id, _event_time AS at FROM orders {} ;",
        WITH.replace("'out.path' = 'out.csv'", "'out.path' = 'out.csv', 'event.time.field' = 'customer'")
    )
);
case!(window_needs_an_aggregation, app("SELECT id FROM orders WINDOW TUMBLING(placed_at, 1m)"));
case!(
    window_over_processing_time_is_a_warning,
    app("SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer WINDOW TUMBLING(1m)")
);
case!(
    bad_late_data_strategy,
    format!(
        "CREATE STREAM out AS SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer \
         WINDOW TUMBLING(placed_at, 1m) {} ;",
        WITH.replace("'out.path' = 'out.csv'", "'out.path' = 'out.csv', 'late.data.strategy' = 'ignore'")
    )
);
case!(
    unknown_date_unit,
    app("SELECT DATE_TRUNC('fortnight', placed_at) AS t, placed_at + INTERVAL '1.5' HOUR AS u FROM orders")
);
case!(extract_needs_a_time, app("SELECT EXTRACT(YEAR FROM customer) AS y FROM orders"));
case!(
    bad_expiry,
    app("SELECT id, LAG(amount) OVER (PARTITION BY customer ORDER BY placed_at EXPIRE AFTER soon) AS prev FROM orders")
);
case!(
    frames_cannot_reach_the_end_of_the_input,
    app(
        "SELECT id, SUM(amount) OVER (ORDER BY placed_at ROWS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING) AS s FROM orders"
    )
);
case!(
    unknown_named_window,
    app(
        "SELECT id, LAG(id) OVER by_customr AS previous FROM orders WINDOW by_customer AS (PARTITION BY customer ORDER BY placed_at)"
    )
);
case!(
    lag_needs_the_arrival_order,
    app("SELECT id, LAG(id) OVER (PARTITION BY customer ORDER BY amount DESC) AS previous FROM orders")
);
case!(
    a_quote_cannot_delimit_csv,
    format!(
        "CREATE STREAM out AS SELECT id FROM orders {} ;",
        WITH.replace("'out.path' = 'out.csv'", "'out.path' = 'out.csv', 'out.delimiter' = '\"'")
    )
);
case!(
    metric_conditions_of_a_statement_that_fails_are_not_bound_elsewhere,
    format!(
        "CREATE STREAM first AS SELECT id FROM orders;\n\
         -- @metric: big_second\n-- @metric_type: counter\n-- @metric_condition: total > 100\n\
         CREATE STREAM second AS SELECT id, amount * 2 AS total, nope FROM orders\n{WITH};\n"
    )
);
case!(
    a_watched_json_array_is_refused,
    format!(
        "CREATE STREAM out AS SELECT id FROM orders {} ;",
        WITH.replace("'orders.path' = 'orders.csv'", "'orders.path' = 'orders.json', 'orders.watch' = 'true'")
    )
);
case!(
    group_by_keys_match_by_meaning_not_spelling,
    app("SELECT CUSTOMER, amount, COUNT(*) AS n FROM orders GROUP BY customer")
);

/// Compiles `sql` as `app.sql`: its diagnostics, and the generated `main.rs` when it has none.
fn compile_and_emit(sql: String) -> (Vec<velo_codegen::Diagnostic>, Option<String>) {
    let src = AppSource { sql, file_name: "app.sql".into(), base_dir: ".".into(), default_name: "app".into() };
    let compiled = compile(&src);
    let main = compiled.plan.as_ref().map(|p| velo_codegen::generate_main(p).expect("formats"));
    (compiled.diagnostics, main)
}

#[test]
fn very_deep_or_very_long_apps_are_checked_and_emitted_without_exhausting_the_stack() {
    let sum = |n: usize| app(&format!("SELECT {} AS total FROM orders", vec!["id"; n].join(" + ")));
    let (diags, main) = compile_and_emit(sum(2400));
    assert!(diags.is_empty() && main.is_some(), "{diags:?}");
    for sql in [sum(3000), app(&format!("SELECT id FROM orders WHERE {}", vec!["id > 1"; 100_000].join(" AND ")))] {
        let (diags, _) = compile_and_emit(sql);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, "E0001");
        assert!(diags[0].message.contains("nests more than"), "{}", diags[0].message);
        assert!(diags[0].span.line >= 1 && diags[0].span.column >= 1);
    }
    let mut chain = String::from("CREATE STREAM s0 AS SELECT id FROM orders;\n");
    for i in 1..1000 {
        chain.push_str(&format!("CREATE STREAM s{i} AS SELECT id FROM s{} WHERE id > {i};\n", i - 1));
    }
    chain.push_str(&format!("CREATE STREAM out AS SELECT * FROM s999\n{WITH};\n"));
    let (diags, main) = compile_and_emit(chain);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(main.is_some_and(|m| m.contains("fn push_s999")));
}

#[test]
fn a_bare_select_into_is_reported_where_it_starts() {
    let (diags, _) = compile_and_emit(format!("\n  SELECT id FROM orders {WITH};\n"));
    let nowhere = diags.iter().find(|d| d.code == "W0511").expect("its rows go nowhere");
    assert_eq!((nowhere.span.line, nowhere.span.column), (2, 3), "{diags:?}");
}

#[test]
fn having_may_name_a_select_alias_after_the_input_columns() {
    let sql = "SELECT customer, COUNT(*) AS n, n * 10 AS tens FROM orders GROUP BY customer HAVING n > 1 AND tens < 30";
    let (diags, main) = compile_and_emit(app(sql));
    assert!(diags.is_empty(), "{diags:?}");
    assert!(main.is_some());
    let (diags, _) =
        compile_and_emit(app("SELECT customer, COUNT(*) AS trades FROM orders GROUP BY customer HAVING trade > 1"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "E0201");
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `trades`?"));
}
