CREATE STREAM big AS SELECT trade_id, price * qty AS notional FROM 'trades.csv' WHERE qty > 10 INTO 'output/big.jsonl'
WITH ('trades.schema' = 'trade_id BIGINT, price DECIMAL(10,2), qty BIGINT');
