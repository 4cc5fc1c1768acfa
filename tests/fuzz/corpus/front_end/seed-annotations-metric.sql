-- @app: m
-- @version: 2.0
-- @metric: big_total
-- @metric_type: counter
-- @metric_condition: price > 100
CREATE STREAM m AS SELECT trade_id, price FROM t
WITH ('t.type' = 'file_source', 't.path' = './trades.csv', 't.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP', 'm.type' = 'file_sink', 'm.path' = './output/m.csv');
