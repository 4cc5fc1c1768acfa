#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (corpus/<target>/) from the apps in apps/.

    python3 tests/fuzz/make_seeds.py     # from anywhere; rewrites the seed files it owns

front_end:   a few small apps for dialect features the bundled apps do not use (committed), and
             every app's .sql file, trading.sql also split into smaller apps (larger than
             -max_len), comments dropped: these go to grown/front_end/ (not committed, as they
             are the apps themselves; the replay test reads apps/ directly).
csv_record:  the header and a few records of each CSV data file, records with quoted fields,
             CRLF line ends, header-less records.
json_record: JSON Lines and arrays from clicks.jsonl and devices.json, and orders.csv and
             dead_letters/trades.csv as JSON (decimals as numbers and as strings, NULLs).
decimal:     tricky literals, one per file.

Seeds are named `seed-…`; inputs the fuzzers add to corpus/ are not committed (.gitignore).
Run this before fuzzing front_end, so its run starts from the apps.
"""

import csv
import io
import json
import re
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent.parent
APPS = ROOT / "apps"
CORPUS = FUZZ / "corpus"
GROWN = FUZZ / "grown"


def write(target, name, data, folder=CORPUS):
    d = folder / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / f"seed-{name}").write_bytes(data)


def clear():
    for f in CORPUS.glob("*/seed-*"):
        f.unlink()


def strip_comments(sql):
    return "\n".join(l for l in sql.splitlines() if not l.lstrip().startswith("--") and l.strip()) + "\n"


def front_end():
    for f in sorted(APPS.rglob("*.sql")):
        if "output" in f.parts or "target" in f.parts:
            continue
        write("front_end", f"{f.parent.name}-{f.stem}.sql", f.read_text(), GROWN)
    # trading.sql as smaller apps: its statements in groups, each with the WITH properties of
    # the source, the watermark and its own sinks.
    text = strip_comments((APPS / "trading" / "trading.sql").read_text())
    with_at = text.index("WITH (")
    body, props = text[:with_at], text[with_at + len("WITH (") : text.rindex(")")]
    props = [p.strip().rstrip(",") for p in props.splitlines() if p.strip()]
    stmts = [s.strip().rstrip(";") for s in re.split(r"(?=^CREATE STREAM )", body, flags=re.M) if s.strip()]
    names = [re.match(r"CREATE STREAM (\w+)", s).group(1) for s in stmts]
    shared = [p for p in props if not any(p.startswith(f"'{n}.") for n in names)]
    for i in range(0, len(stmts), 2):
        group = list(zip(names[i : i + 2], stmts[i : i + 2]))
        own = [p for p in props if any(p.startswith(f"'{n}.") for n, _ in group)]
        sql = ";\n\n".join(s for _, s in group)
        sql += "\nWITH (\n    " + ",\n    ".join(shared + own) + "\n);\n"
        write("front_end", f"trading-part{i // 2 + 1}.sql", sql, GROWN)
    src = "'t.type' = 'file_source', 't.path' = './trades.csv', 't.schema' = 'trade_id BIGINT, symbol STRING, price DECIMAL(10,2), qty BIGINT, ts TIMESTAMP'"
    small = {
        "uri-source-and-sink": "CREATE STREAM big AS SELECT trade_id, price * qty AS notional FROM 'trades.csv' WHERE qty > 10 INTO 'output/big.jsonl'\nWITH ('trades.schema' = 'trade_id BIGINT, price DECIMAL(10,2), qty BIGINT');\n",
        "table-primary-key": f"CREATE TABLE totals AS SELECT symbol PRIMARY KEY, SUM(qty) AS volume, COUNT(*) AS n FROM t GROUP BY symbol HAVING COUNT(*) > 1 EMIT CHANGES\nWITH ({src}, 'totals.type' = 'file_sink', 'totals.path' = './output/totals.csv');\n",
        "session-window": f"CREATE STREAM s AS SELECT symbol, _window_start AS a, _window_end AS b, COUNT(*) AS n, STRING_AGG(CAST(trade_id AS STRING), ',') AS ids FROM t GROUP BY symbol WINDOW SESSION(ts, 30s) EMIT FINAL\nWITH ({src}, 'watermark.max_out_of_orderness' = '5s', 's.type' = 'file_sink', 's.path' = './output/s.jsonl', 's.format' = 'jsonl');\n",
        "chain-into": f"CREATE STREAM a AS SELECT symbol, price, qty FROM t WHERE price BETWEEN 1 AND 500 LIMIT 100;\nCREATE STREAM b AS SELECT DISTINCT symbol, NULLIF(qty, 0) AS q FROM a INTO out\nWITH ({src}, 'out.type' = 'file_sink', 'out.path' = './output/out.csv', 'out.delimiter' = ';');\n",
        "column-list": f"CREATE STREAM c (sym STRING, p DECIMAL(12,4)) AS SELECT symbol, CAST(price AS DECIMAL(12, 4)) FROM t WHERE (symbol IS DISTINCT FROM 'X') AND symbol LIKE 'A%'\nWITH ({src}, 'c.type' = 'file_sink', 'c.path' = './output/c.csv');\n",
        "annotations-metric": "-- @app: m\n-- @version: 2.0\n-- @metric: big_total\n-- @metric_type: counter\n-- @metric_condition: price > 100\n" + f"CREATE STREAM m AS SELECT trade_id, price FROM t\nWITH ({src}, 'm.type' = 'file_sink', 'm.path' = './output/m.csv');\n",
    }
    for name, sql in small.items():
        write("front_end", f"{name}.sql", sql)


def lines_of(path):
    return path.read_bytes().decode().splitlines(keepends=True)


def csv_record():
    files = [
        APPS / "orders" / "orders.csv",
        APPS / "trading" / "trades.csv",
        APPS / "dead_letters" / "trades.csv",
        APPS / "clickstream" / "clicks.csv",
        APPS / "analytics" / "readings.csv",
        APPS / "1brc" / "measurements.txt",
        APPS / "quickstart" / "readings.csv",
        APPS / "quickstart" / "purchases.csv",
    ]
    for f in files:
        lines = lines_of(f)
        name = f"{f.parent.name}-{f.stem}"
        for n, start in enumerate([1, len(lines) // 2]):
            write("csv_record", f"{name}-{n}.csv", "".join([lines[0]] + lines[start : start + 5]))
    orders = lines_of(APPS / "orders" / "orders.csv")
    quoted = [l for l in orders[1:] if '"' in l]
    write("csv_record", "orders-quoted.csv", "".join([orders[0]] + quoted[:6]))
    write("csv_record", "orders-crlf.csv", "".join(l.rstrip("\n") + "\r\n" for l in orders[:6]))
    write("csv_record", "orders-blank-lines.csv", orders[0] + "\n" + orders[1] + "\n\n" + orders[2])
    write("csv_record", "orders-no-header.csv", "".join(orders[10:15]))
    write("csv_record", "orders-reordered-header.csv", "note,created_at,order_id,customer,region,price,qty,discount,status\n,2024-01-01T00:00:00,1,a,EU,1.50,2,0.125,open\n\"x\ny\",2024-01-01 10:00:00.5,2,\"\",,-0.01,-3,,\n")
    for n, line in enumerate(orders[40:46]):
        write("csv_record", f"orders-line-{n}.csv", line.rstrip("\n"))
    for f in sorted((APPS / "sensors" / "data").glob("*.csv")):
        lines = lines_of(f)
        write("csv_record", f"sensors-{f.stem}.csv", "".join(lines[:6]))


def json_record():
    clicks = lines_of(APPS / "pipeline" / "clicks.jsonl")
    for n, start in enumerate([0, 10, 30, len(clicks) - 4]):
        write("json_record", f"clicks-{n}.jsonl", "".join(clicks[start : start + 4]))
    devices = json.loads((APPS / "sensors" / "devices.json").read_text())
    write("json_record", "devices.json", (APPS / "sensors" / "devices.json").read_bytes())
    write("json_record", "devices-lines.jsonl", "".join(json.dumps(d) + "\n" for d in devices))
    write("json_record", "devices-one.json", json.dumps(devices[0]))

    def records(path):
        return list(csv.DictReader(io.StringIO((APPS / path).read_text())))

    def typed(row, ints, decimals, as_number):
        out = {}
        for k, v in row.items():
            if k is None:  # fields past the header
                continue
            if v is None or v == "":
                out[k] = None
            elif k in ints:
                out[k] = int(v) if re.fullmatch(r"-?\d+", v) else v
            elif k in decimals and as_number and re.fullmatch(r"-?\d+(\.\d+)?", v):
                out[k] = json.loads(v) if "." not in v else RawNumber(v)
            else:
                out[k] = v
        return out

    class RawNumber(str):
        pass

    def dumps(obj):
        # Decimals as numbers keep their exact digits (json.dumps would go through float).
        parts = []
        for k, v in obj.items():
            text = v if isinstance(v, RawNumber) else json.dumps(v, ensure_ascii=False)
            parts.append(f"{json.dumps(k)}: {text}")
        return "{" + ", ".join(parts) + "}"

    orders = records("orders/orders.csv")
    ints, decs = {"order_id", "qty"}, {"price", "discount"}
    for n, start in enumerate([0, 15, 100, 250]):
        rows = orders[start : start + 4]
        lines = [dumps(typed(r, ints, decs, as_number=n % 2 == 0)) for r in rows]
        write("json_record", f"orders-{n}.jsonl", "".join(l + "\n" for l in lines))
    rows = [dumps(typed(r, ints, decs, as_number=True)) for r in orders[20:24]]
    write("json_record", "orders-array.json", "[\n  " + ",\n  ".join(rows) + "\n]\n")
    write("json_record", "orders-one.json", dumps(typed(orders[3], ints, decs, True)))
    write("json_record", "orders-epoch-millis.jsonl", '{"order_id": 1, "price": 1.5, "created_at": 1704103200000}\n{"order_id": 2, "price": "-0.01", "discount": 0.125, "created_at": "2024-01-01T12:00:00+02:00", "extra": [1, {"a": null}]}\n')
    trades = records("dead_letters/trades.csv")
    lines = [dumps(typed(r, {"trade_id", "qty"}, {"price"}, True)) for r in trades]
    write("json_record", "dead-letters-trades.jsonl", "".join(l + "\n" for l in lines))


def decimal():
    literals = [
        "0", "-0", "+0", "0.00", "-0.00", "1", "-1", "+7", "12.5", "-12.50", ".5", "-.5", "5.", "1.", ".",
        "-", "+", "", " 1.25 ", "\t-3.5\n", "1e3", "1E-2", "1.2.3", "1,5", "--1", "+-1", "0x10", "NaN", "inf",
        "0.125", "0.005", "-0.005", "0.0049999", "0.995", "-0.995", "9.995", "99999999999999999.995",
        "123456789012345678", "1234567890123456789", "-999999999999999999", "9999999999999999999",
        "12345678901234567890.5", "9" * 38, "-" + "9" * 38, "9" * 39, "1" + "0" * 38,
        "0." + "9" * 38, "0." + "0" * 37 + "5", "0." + "0" * 38 + "5", "0." + "4" * 40,
        "1.2300", "1.234000000000000000000000000000000000000000", "0" * 50 + "1.5", "1." + "0" * 60 + "1",
        "١٢٣", "1.5€", "１２", "1_000", "170141183460469231731687303715884105727",
        "-170141183460469231731687303715884105728", "99999999999999999999.99999999999999999999",
    ]
    for n, text in enumerate(literals):
        write("decimal", f"{n:02}", text)


if __name__ == "__main__":
    clear()
    front_end()
    csv_record()
    json_record()
    decimal()
    total = sum(f.stat().st_size for f in CORPUS.rglob("seed-*"))
    print(f"{len(list(CORPUS.rglob('seed-*')))} seed files, {total} bytes")
