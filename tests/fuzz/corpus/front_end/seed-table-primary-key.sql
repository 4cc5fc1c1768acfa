CREATE TABLE totals AS SELECT symbol PRIMARY KEY, SUM(qty) AS volume, COUNT(*) AS n FROM t GROUP BY symbol HAVING COUNT(*) > 1 EMIT CHANGES
WITH ('t.type' = 'file_source', 't.path' = './trades.csv', 't.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP', 'totals.type' = 'file_sink', 'totals.path' = './output/totals.csv');
