CREATE STREAM c (sym STRING, p DECIMAL(12,4)) AS SELECT symbol, CAST(price AS DECIMAL(12, 4)) FROM t WHERE (symbol IS DISTINCT FROM 'X') AND symbol LIKE 'A%'
WITH ('t.type' = 'file_source', 't.path' = './trades.csv', 't.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP', 'c.type' = 'file_sink', 'c.path' = './output/c.csv');
