-- @app: dead_letters
-- @description: Malformed input never crashes the app: bad records go to the dead-letter file
--               with their line numbers, every good record comes out.
--
-- Run it from this folder:   velo run dead_letters.sql
-- Output:                    output/notional.csv and output/notional.csv.dlq.jsonl

CREATE STREAM notional AS
SELECT
    trade_id,
    symbol,
    price * qty AS notional,
    traded_at
FROM trades
WHERE symbol IS NOT NULL
EMIT CHANGES
WITH (
    'trades.type' = 'file_source',
    'trades.path' = './trades.csv',
    'trades.schema' = 'trade_id BIGINT NOT NULL, symbol STRING, price DECIMAL(10,2), qty BIGINT, traded_at TIMESTAMP',

    'notional.type' = 'file_sink',
    'notional.path' = './output/notional.csv'
);
