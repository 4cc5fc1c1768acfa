CREATE STREAM a AS SELECT symbol, price, qty FROM t WHERE price BETWEEN 1 AND 500 LIMIT 100;
CREATE STREAM b AS SELECT DISTINCT symbol, NULLIF(qty, 0) AS q FROM a INTO out
WITH ('t.type' = 'file_source', 't.path' = './trades.csv', 't.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP', 'out.type' = 'file_sink', 'out.path' = './output/out.csv', 'out.delimiter' = ';');
