-- @app: lesson_5_previous_row
-- @description: Lesson 5 of the quickstart: look back at the previous record of the same key.
--
-- A window function reads other records without grouping them away: every quote
-- stays in the output, next to the quote before it for the same ticker.
--
-- * PARTITION BY ticker: each ticker has its own history.
-- * ORDER BY quoted_at: "previous" means the quote just before in time. The file is
--   in time order, so each output row leaves as soon as its quote is read.
-- * ROWS WINDOW BUFFER 10 ROWS (Velostream's spelling) bounds the history kept per
--   ticker; LAG(price, 1) needs one row of it. The first quote of a ticker has no
--   previous one: its LAG is NULL, and so is the change.
--
-- Try it:   velo -C apps/quickstart run 05_previous_row.sql
-- Result:   output/price_moves.csv, nine rows; ACME at 09:30:02 moved by 0.15.

CREATE STREAM price_moves AS
SELECT
    ticker,
    price,
    quoted_at,
    LAG(price, 1) OVER (
        ROWS WINDOW BUFFER 10 ROWS
        PARTITION BY ticker
        ORDER BY quoted_at
    ) AS previous_price,
    price - LAG(price, 1) OVER (
        ROWS WINDOW BUFFER 10 ROWS
        PARTITION BY ticker
        ORDER BY quoted_at
    ) AS change
FROM quotes
EMIT CHANGES
WITH (
    'quotes.type' = 'file_source',
    'quotes.path' = './quotes.csv',
    'quotes.format' = 'csv',

    'price_moves.type' = 'file_sink',
    'price_moves.path' = './output/price_moves.csv',
    'price_moves.format' = 'csv'
);
