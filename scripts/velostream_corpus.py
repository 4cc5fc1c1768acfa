#!/usr/bin/env python3
"""Measure how much of Velostream's public SQL corpus `velo check` accepts.

Usage:
    python3 scripts/velostream_corpus.py [--velo PATH] [--json] [--only 1,2,3]
        [--keep DIR] [--top N] CORPUS

CORPUS is a checkout of velostreamai/velostream. Nothing is written into it; rewritten
copies go to a temporary folder (kept in DIR with --keep, for re-running a case by hand).
--velo names the velo binary (default: `velo` on PATH). --json prints one JSON document
(counts, per-item results, breakdowns) instead of the tables.

The three counts (an item passes when `velo check` exits 0; warnings are allowed):

1. Files unchanged. Every `.sql` file under CORPUS (skipping `target/` and hidden folders),
   checked as `velo check -C <its folder> --format json <its name>`.

2. Kafka swapped for files. CORPUS is copied (without `target/`, hidden folders) to a temp
   folder; every WITH list of every `.sql` file is rewritten there, then checked as in 1.
   Rules, per WITH object (`'<obj>.<key>'` keys):
   - `kafka_source` -> `file_source`, format `jsonl`, path `kafka_topics/<topic>.jsonl`
     (a file that does not exist). Every other key of the object is a Kafka setting in this
     corpus and is dropped (topic, topic.name, bootstrap.servers, auto.offset.reset,
     config_file, ...), except keys Velo's file source also has (event.time.*, schema, ...).
     Its `config_file` YAML (with `extends:` chains) is read for the topic name and a
     `value.schema.file`/`avro.schema.file`. The schema is then the first of:
       a. that schema file, if it exists;
       b. `<name>.schema.yaml`, then `<name>.avsc`, in a `schemas/` folder of the .sql file's
          folder or of any parent up to CORPUS, for <name> = the object name, the topic, and
          the `schema:` that a test spec (`*.test.yaml` in the folder or in a sibling
          `tests/`) gives for `source: <obj>` (the harness's data definition, so .schema.yaml
          is tried before .avsc);
       c. a data file `data/<name>.csv|json|jsonl` in the same folders: path = that file
          (Velo infers the schema from it);
       d. none: the source stays without a schema, so `velo check` reports E0306 ("cannot
          infer") -- the corpus does not say what the topic holds.
   - A Kafka source whose name is also a statement of the same file (Velostream writes the
     topic in one statement and reads it back in the next) has its source keys dropped, so
     FROM reads that statement in-process (Velo's spelling of the same pipeline).
   - `kafka_sink` -> `file_sink`, format `jsonl`, path `kafka_topics/<topic>.out.jsonl`;
     other keys dropped as for sources.
   - A `file_source`/`file_sink` configured by `config_file` (the trading reference tables):
     the YAML's `file.path`/`data_source.path` (the first that exists, tried relative to the
     YAML, the .sql file and CORPUS), `format`, `has_headers` and `schema.fields` (written to
     a generated `velo_corpus_gen/<obj>.schema.yaml`, decimals as {precision, scale}) replace
     `config_file`. SQL keys win over YAML keys.
   Global keys (no object), unconfigured FROM names and non-Kafka objects are left as they are.

3. SQL strings from Velostream's Rust tests. String literals (normal, byte and raw
   `r#"..."#`, comments skipped, escapes decoded) in `tests/**/*.rs` whose trimmed text starts
   with SELECT, CREATE or INSERT (case-insensitive, whole word), deduplicated by exact text.
   Each is written unchanged to its own file, with source configuration added, and the files
   are checked in batches (`velo check --format json f1 f2 ...`, diagnostics mapped back by
   their `file` field). Bare SELECTs are accepted by Velo as unnamed statements (W0511). The
   configuration is found by asking Velo, up to 6 rounds, only for items that still fail:
   - E0203 (`X` is not a configured source): X becomes a file source (format jsonl, a path
     that does not exist) with an inline `'X.schema'` holding every column the test file types;
   - E0201 (unknown column `c`) and E0218 (event-time column `c` is not a column): c is added
     to every generated source of the item -- except names starting with `_`, which are
     system columns and stay errors;
   - E0503 (INTO a sink that is not configured): a `file_sink` of that name is added;
   - E0402/E0403/E0218/"GROUP BY a DOUBLE" at a span naming a column whose type is a guess
     (below): that column gets the type the message asks for (once per column);
   - sources in the string's own WITH of any type (kafka_source, memory, file_source) without
     `schema`/`schema.file` become generated sources as above (the tests' fixture files and
     brokers are not there); their keys that Velo's file source lacks are dropped. Kafka and
     `memory` sinks (a `memory` object named like a statement or an INTO target) become file
     sinks.
   Column types: `"col"..., FieldValue::T` pairs in the Rust file the string was found in
   (Integer -> BIGINT, Float -> DOUBLE, ScaledInteger(_, s) -> DECIMAL(38, s), String ->
   STRING, Boolean, Timestamp, Date; the most frequent wins) are kept as they are. Otherwise the
   type is a guess: the same pairs over all test files, else from the name (`*_id`, `count`,
   `qty`... BIGINT; `*time*`, `*date*`, `ts` TIMESTAMP; `name`, `symbol`, `status`... STRING;
   `is_*` BOOLEAN; else DOUBLE), and a guess may be corrected once as said above. Velostream
   is dynamically typed, so this is the most charitable static typing consistent with the
   query. The generated keys are merged into the string's first WITH list if it has one, else
   appended as `WITH (...)` at its end.
   Strings with Rust format placeholders (`{}`, `{name}`) are counted like the others;
   their number is reported.

Breakdown (per count, over failing items only): error codes (E....) counted by the first error
of each item and by all errors (`items` = failing items with that code at all), and the most
common messages, normalised: backticked text of 40+ characters (a quoted subquery) -> `…`,
other backticked and single-quoted words -> `_` / '_', numbers -> N (E0901/E0202/E0507/E0508
keep their short backticked word: it names the feature or function).
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# --------------------------------------------------------------------------------------------
# Running velo


def run_check(velo, cwd, paths, timeout=600):
    """Run `velo check -C cwd --format json paths...`; return (exit code, diagnostics)."""
    cmd = [velo, "check", "-C", cwd, "--format", "json"] + list(paths)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           errors="replace")
    except subprocess.TimeoutExpired:
        return 124, [{"code": "TIMEOUT", "severity": "error", "message": "velo check timed out",
                      "file": paths[0] if len(paths) == 1 else None}]
    diags = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            diags.append(json.loads(line))
        except ValueError:
            pass
    if p.returncode not in (0, 1):
        diags.append({"code": "EXIT%d" % p.returncode, "severity": "error",
                      "message": (p.stderr.strip().splitlines() or ["(no stderr)"])[-1],
                      "file": paths[0] if len(paths) == 1 else None})
    return p.returncode, diags


def errors_of(diags):
    return [d for d in diags if d.get("severity") == "error"]


# --------------------------------------------------------------------------------------------
# Breakdown of failures

KEEP_WORD = {"E0901", "E0202", "E0507", "E0508"}


def normalize(code, msg):
    msg = re.sub(r"`[^`]{40,}`", "`…`", msg)          # quoted expressions (subqueries)
    if code in KEEP_WORD:
        return re.sub(r"\b\d+\b", "N", msg)
    msg = re.sub(r"`[^`]*`", "`_`", msg)
    msg = re.sub(r"'[^']*'", "'_'", msg)
    return re.sub(r"\b\d+\b", "N", msg)


class Breakdown:
    def __init__(self):
        self.first = collections.Counter()
        self.all = collections.Counter()
        self.items = collections.Counter()
        self.example = {}
        self.msg_first = collections.Counter()
        self.msg_all = collections.Counter()
        self.msg_example = {}

    def add(self, item, errs):
        if not errs:
            return
        f = errs[0]
        self.first[f["code"]] += 1
        self.msg_first[(f["code"], normalize(f["code"], f["message"]))] += 1
        seen = set()
        for e in errs:
            c = e["code"]
            self.all[c] += 1
            self.example.setdefault(c, "%s: %s" % (item, e["message"]))
            k = (c, normalize(c, e["message"]))
            self.msg_all[k] += 1
            self.msg_example.setdefault(k, "%s: %s" % (item, e["message"]))
            if c not in seen:
                seen.add(c)
                self.items[c] += 1

    def to_json(self):
        return {
            "codes": [{"code": c, "first": self.first[c], "all": self.all[c],
                       "items": self.items[c], "example": self.example[c]}
                      for c in sorted(self.all, key=lambda c: (-self.first[c], -self.all[c], c))],
            "messages": [{"code": k[0], "message": k[1], "first": self.msg_first[k],
                          "all": n, "example": self.msg_example[k]}
                         for k, n in sorted(self.msg_all.items(),
                                            key=lambda kv: (-self.msg_first[kv[0]], -kv[1]))],
        }

    def print(self, top, out):
        j = self.to_json()
        out.write("  %-7s %6s %6s %6s  %s\n" % ("code", "first", "all", "items", "example"))
        for r in j["codes"][:top]:
            out.write("  %-7s %6d %6d %6d  %s\n" % (r["code"], r["first"], r["all"], r["items"],
                                                     clip(r["example"], 150)))
        out.write("  top messages (first / all):\n")
        for r in j["messages"][:top]:
            out.write("  %5d %5d  %-6s %s\n" % (r["first"], r["all"], r["code"],
                                                clip(r["message"], 120)))
            out.write("               e.g. %s\n" % clip(r["example"], 150))


def clip(s, n):
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 1] + "…"


# --------------------------------------------------------------------------------------------
# Corpus files


def sql_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x != "target")
        for f in sorted(files):
            if f.endswith(".sql"):
                out.append(os.path.relpath(os.path.join(d, f), root))
    return out


def count_files(velo, root, files, label):
    results = []
    bd = Breakdown()
    for rel in files:
        folder = os.path.join(root, os.path.dirname(rel))
        rc, diags = run_check(velo, folder, [os.path.basename(rel)])
        errs = errors_of(diags)
        ok = rc == 0
        results.append({"item": rel, "pass": ok, "exit": rc,
                        "errors": [{"code": e["code"], "line": e.get("line"),
                                    "message": e["message"]} for e in errs]})
        if not ok:
            bd.add(rel, errs or [{"code": "EXIT%d" % rc, "message": "no error diagnostic"}])
    return {"label": label, "passed": sum(r["pass"] for r in results), "total": len(results),
            "items": results, "breakdown": bd}


# --------------------------------------------------------------------------------------------
# A small YAML reader (block mappings, block lists, flow lists, scalars, `|`/`>` blocks):
# enough for Velostream's config and schema files. Not a general YAML parser.


def _strip_comment(s):
    q = None
    for i, ch in enumerate(s):
        if q:
            if ch == q:
                q = None
        elif ch in "'\"":
            q = ch
        elif ch == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
    return s.rstrip()


def _scalar(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    if s.startswith("[") and s.endswith("]"):
        inner = s[1:-1].strip()
        return [_scalar(x) for x in inner.split(",")] if inner else []
    if s.startswith("{") and s.endswith("}"):
        d = {}
        for part in s[1:-1].split(","):
            if ":" in part:
                k, v = part.split(":", 1)
                d[_scalar(k)] = _scalar(v)
        return d
    return s


def _split_key(s):
    """'key: value' -> (key, value) or None; the colon must be followed by space or end."""
    m = re.match(r"""^("[^"]*"|'[^']*'|[^:#'"][^:]*?)\s*:(\s+(.*)|$)""", s)
    if not m:
        return None
    return _scalar(m.group(1)), (m.group(3) or "").strip()


def yaml_load(text):
    lines = []
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        line = raw[i].rstrip("\r")
        body = _strip_comment(line)
        if body.strip() and body.strip() not in ("---", "..."):
            ind = len(body) - len(body.lstrip(" "))
            content = body.strip()
            if re.search(r":\s*[|>][-+]?$", content) or content in ("|", ">"):
                # block scalar: swallow the deeper lines as text
                j = i + 1
                block = []
                while j < len(raw) and (not raw[j].strip() or
                                        len(raw[j]) - len(raw[j].lstrip(" ")) > ind):
                    block.append(raw[j].strip())
                    j += 1
                content = re.sub(r"[|>][-+]?$", "", content).rstrip() + " " + json.dumps(
                    "\n".join(block))
                lines.append((ind, content))
                i = j
                continue
            lines.append((ind, content))
        i += 1
    val, _ = _parse_block(lines, 0, lines[0][0] if lines else 0)
    return val


def _parse_block(lines, i, ind):
    if i >= len(lines):
        return None, i
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        out = []
        while i < len(lines) and lines[i][0] == ind and (lines[i][1].startswith("- ")
                                                        or lines[i][1] == "-"):
            rest = lines[i][1][1:].strip()
            sub_ind = ind + 2
            if not rest:
                if i + 1 < len(lines) and lines[i + 1][0] > ind:
                    v, i = _parse_block(lines, i + 1, lines[i + 1][0])
                else:
                    v, i = None, i + 1
                out.append(v)
                continue
            kv = _split_key(rest)
            if kv and not rest.startswith(("'", '"', "[", "{")):
                # a mapping item: its first key is on the dash line
                sub_ind = ind + (len(lines[i][1]) - len(rest))
                lines[i] = (sub_ind, rest)
                v, i = _parse_block(lines, i, sub_ind)
                out.append(v)
            else:
                out.append(_scalar(rest))
                i += 1
        return out, i
    out = {}
    while i < len(lines) and lines[i][0] == ind:
        kv = _split_key(lines[i][1])
        if not kv:
            i += 1
            continue
        k, v = kv
        i += 1
        if v == "":
            if i < len(lines) and (lines[i][0] > ind or (lines[i][0] == ind and
                                                          lines[i][1].startswith("- "))):
                v, i = _parse_block(lines, i, lines[i][0])
            else:
                v = None
        elif v.startswith('"') and v.endswith('"') and "\n" in v:
            v = json.loads(v)
        else:
            v = _scalar(v)
        out[k] = v
    return out, i


def yaml_file(path, depth=0):
    """Load a Velostream config YAML, following `extends:` (child keys win)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            data = yaml_load(f.read())
    except OSError:
        return None
    if not isinstance(data, dict):
        return data
    ext = data.get("extends")
    if isinstance(ext, str) and depth < 10:
        base = yaml_file(os.path.join(os.path.dirname(path), ext), depth + 1)
        if isinstance(base, dict):
            data = deep_merge(base, data)
    return data


def deep_merge(base, over):
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def dig(d, *path):
    """dig(d, 'topic', 'name') reads d['topic']['name'] or d['topic.name']."""
    if not path:
        return d
    if not isinstance(d, dict):
        return None
    for n in range(len(path), 0, -1):
        k = ".".join(path[:n])
        if k in d:
            r = dig(d[k], *path[n:])
            if r is not None:
                return r
    return None


# --------------------------------------------------------------------------------------------
# SQL text: WITH lists and statement names


def _skip_ws_comments(s, i):
    n = len(s)
    while i < n:
        if s[i].isspace():
            i += 1
        elif s.startswith("--", i):
            j = s.find("\n", i)
            i = n if j < 0 else j + 1
        elif s.startswith("/*", i):
            j = s.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            break
    return i


def _read_quoted(s, i):
    """s[i] is a quote; return (text, index after the closing quote) or (None, i)."""
    q = s[i]
    j = i + 1
    out = []
    while j < len(s):
        if s[j] == q:
            if q == "'" and j + 1 < len(s) and s[j + 1] == "'":
                out.append("'")
                j += 2
                continue
            return "".join(out), j + 1
        out.append(s[j])
        j += 1
    return None, i


def code_mask(s):
    """A copy of s with comments and string contents replaced by spaces (same length)."""
    out = list(s)
    i, n = 0, len(s)
    while i < n:
        if s.startswith("--", i):
            j = s.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif s.startswith("/*", i):
            j = s.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif s[i] in "'\"":
            _, j = _read_quoted(s, i)
            if j == i:
                j = n
            for k in range(i + 1, j - 1):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        else:
            i += 1
    return "".join(out)


def with_blocks(sql):
    """Find `WITH ( 'k' = 'v', ... )` lists. Returns [(start, end, [(key, value)])] where
    sql[start:end] is the whole `WITH (...)` text. Lists that do not parse are skipped."""
    mask = code_mask(sql)
    blocks = []
    for m in re.finditer(r"\bWITH\b", mask, re.I):
        i = _skip_ws_comments(sql, m.end())
        if i >= len(sql) or sql[i] != "(":
            continue
        i += 1
        entries = []
        ok = False
        while True:
            i = _skip_ws_comments(sql, i)
            if i < len(sql) and sql[i] == ")":
                ok = True
                i += 1
                break
            if i >= len(sql) or sql[i] not in "'\"":
                break
            k, i = _read_quoted(sql, i)
            if k is None:
                break
            i = _skip_ws_comments(sql, i)
            if i >= len(sql) or sql[i] != "=":
                break
            i = _skip_ws_comments(sql, i + 1)
            if i >= len(sql) or sql[i] not in "'\"":
                break
            v, i = _read_quoted(sql, i)
            if v is None:
                break
            entries.append((k, v))
            i = _skip_ws_comments(sql, i)
            if i < len(sql) and sql[i] == ",":
                i += 1
        if ok:
            blocks.append((m.start(), i, entries))
    return blocks


def render_with(entries, min_lines=1):
    if not entries:
        return "WITH ()"
    body = ",\n    ".join("'%s' = '%s'" % (k, v.replace("'", "''")) for k, v in entries)
    text = "WITH (\n    " + body + "\n)"
    pad = min_lines - text.count("\n") - 1
    return text + "\n" * max(0, pad)


def replace_blocks(sql, blocks, new_entries):
    """Replace each WITH block by its new entries, keeping the block's line count when the
    new one is not longer (so later line numbers still match the original file)."""
    out = []
    pos = 0
    for (start, end, _), entries in zip(blocks, new_entries):
        out.append(sql[pos:start])
        out.append(render_with(entries, sql[start:end].count("\n") + 1))
        pos = end
    out.append(sql[pos:])
    return "".join(out)


def statement_names(sql):
    mask = code_mask(sql)
    return set(m.group(1).lower() for m in re.finditer(
        r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:STREAM|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)",
        mask, re.I))


def split_key(k):
    if "." not in k:
        return None, k
    o, sub = k.split(".", 1)
    return o, sub


# --------------------------------------------------------------------------------------------
# Count 2: Kafka swapped for files

FILE_SOURCE_KEYS = {"path", "format", "delimiter", "header", "has_headers", "schema",
                    "schema.file", "dlq", "event.time.field", "event.time.format", "watch"}
FILE_SINK_KEYS = {"path", "format", "delimiter", "header", "has_headers", "append",
                  "decimal.format", "dlq"}


class Rewriter:
    def __init__(self, root, tmp_root, rel):
        self.root = root            # the original corpus (read only)
        self.tmp = tmp_root         # the copy being rewritten
        self.rel = rel
        self.dir_rel = os.path.dirname(rel)
        self.notes = []

    # folders from the .sql file's folder up to the corpus root (in the original corpus)
    def ancestors(self):
        d = os.path.join(self.root, self.dir_rel)
        out = []
        while True:
            out.append(d)
            if os.path.abspath(d) == os.path.abspath(self.root):
                break
            d = os.path.dirname(d)
        return out

    def relpath(self, abs_in_root):
        """A path relative to the .sql folder, for a file of the original corpus; the copy
        has the same tree, so the relative path is valid there too."""
        return os.path.relpath(abs_in_root, os.path.join(self.root, self.dir_rel))

    def spec_schemas(self):
        """source name -> schema name, from test specs beside the file or in ../tests."""
        out = {}
        d = os.path.join(self.root, self.dir_rel)
        cands = [d, os.path.join(os.path.dirname(d), "tests")]
        for c in cands:
            if not os.path.isdir(c):
                continue
            for f in sorted(os.listdir(c)):
                if not f.endswith((".test.yaml", "test_spec.yaml")):
                    continue
                y = yaml_file(os.path.join(c, f))
                for q in (y or {}).get("queries") or []:
                    for inp in (q or {}).get("inputs") or [] if isinstance(q, dict) else []:
                        if isinstance(inp, dict) and inp.get("source") and inp.get("schema"):
                            out.setdefault(str(inp["source"]).lower(), str(inp["schema"]))
        return out

    def find_schema(self, names):
        for n in names:
            for a in self.ancestors():
                for ext in (".schema.yaml", ".avsc"):
                    p = os.path.join(a, "schemas", n + ext)
                    if os.path.isfile(p):
                        return "schema.file", self.relpath(p)
        for n in names:
            for a in self.ancestors():
                for ext, fmt in ((".csv", "csv"), (".jsonl", "jsonl"), (".json", "json")):
                    p = os.path.join(a, "data", n + ext)
                    if os.path.isfile(p):
                        return "data", (self.relpath(p), fmt)
        return None, None

    def resolve_config(self, value):
        """Path of a config_file value in the original corpus, or None."""
        for base in (os.path.join(self.root, self.dir_rel), self.root):
            p = os.path.normpath(os.path.join(base, value))
            if os.path.isfile(p):
                return p
        return None

    def existing(self, value, yaml_path):
        for base in (os.path.dirname(yaml_path), os.path.join(self.root, self.dir_rel),
                     self.root):
            p = os.path.normpath(os.path.join(base, value))
            if os.path.isfile(p):
                return p
        return None

    def gen_schema(self, obj, fields):
        """Write a table YAML's schema.fields as a Velo .schema.yaml in the copy."""
        lines = ["fields:"]
        for f in fields:
            if not isinstance(f, dict) or "name" not in f:
                continue
            t = f.get("type", "string")
            lines.append("  - name: %s" % f["name"])
            if t == "decimal" or isinstance(t, dict):
                dec = t.get("decimal", {}) if isinstance(t, dict) else f
                p = dec.get("precision", f.get("precision", 38))
                s = dec.get("scale", f.get("scale", 6))
                lines.append("    type:\n      decimal:\n        precision: %s\n"
                             "        scale: %s" % (p, s))
            else:
                lines.append("    type: %s" % t)
            if "nullable" in f:
                lines.append("    nullable: %s" % f["nullable"])
        gen = os.path.join(self.tmp, self.dir_rel, "velo_corpus_gen")
        os.makedirs(gen, exist_ok=True)
        path = os.path.join(gen, obj + ".schema.yaml")
        with open(path, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        return os.path.join("velo_corpus_gen", obj + ".schema.yaml")

    def rewrite(self, sql):
        blocks = with_blocks(sql)
        if not blocks:
            return sql
        stmts = statement_names(sql)
        specs = self.spec_schemas()
        # file-wide view: the type of each object and all its keys
        types = {}
        keys = collections.defaultdict(dict)
        for _, _, entries in blocks:
            for k, v in entries:
                o, sub = split_key(k)
                if o is None:
                    continue
                if sub == "type":
                    types.setdefault(o, v)
                keys[o].setdefault(sub, v)
        new_entries = []
        for _, _, entries in blocks:
            local_type = {}
            for k, v in entries:
                o, sub = split_key(k)
                if o is not None and sub == "type":
                    local_type[o] = v
            out = []
            added = set()
            for k, v in entries:
                o, sub = split_key(k)
                if o is None:
                    out.append((k, v))
                    continue
                t = local_type.get(o, types.get(o))
                if t == "kafka_source":
                    if o.lower() in stmts:
                        if o not in added:
                            added.add(o)
                            self.notes.append("%s: Kafka source read in-process from the "
                                              "statement of that name" % o)
                        continue
                    if sub == "type":
                        out.extend(self.kafka_source(o, keys[o], specs))
                    elif sub in FILE_SOURCE_KEYS:
                        out.append((k, v))
                    continue
                if t == "kafka_sink":
                    if sub == "type":
                        out.extend(self.kafka_sink(o, keys[o]))
                    elif sub in FILE_SINK_KEYS:
                        out.append((k, v))
                    continue
                if t in ("file_source", "file_source_mmap", "file_sink") and sub == "config_file":
                    out.extend(self.file_config(o, v, t, keys[o]))
                    continue
                out.append((k, v))
            new_entries.append(dedupe(out))
        return replace_blocks(sql, blocks, new_entries)

    def kafka_yaml(self, okeys):
        cf = okeys.get("config_file")
        if not cf:
            return {}
        p = self.resolve_config(cf)
        if not p:
            self.notes.append("config_file %s not found" % cf)
            return {}
        y = yaml_file(p)
        y = y if isinstance(y, dict) else {}
        y["__path__"] = p
        return y

    def topic(self, o, okeys, y):
        for k in ("topic.name", "topic"):
            if okeys.get(k):
                return okeys[k]
        t = dig(y, "topic", "name")
        if isinstance(t, str) and t:
            return t
        t = y.get("topic") if isinstance(y.get("topic"), str) else None
        return t or o

    def file_object(self, o, okeys, kind, suffix):
        """The YAML behind a Kafka object, its topic, and the keys of the file object replacing it."""
        y = self.kafka_yaml(okeys)
        topic = self.topic(o, okeys, y)
        out = [(o + ".type", kind)]
        if "path" not in okeys:
            out.append((o + ".path", "kafka_topics/%s%s" % (topic, suffix)))
        if "format" not in okeys:
            out.append((o + ".format", "jsonl"))
        return y, topic, out

    def kafka_source(self, o, okeys, specs):
        y, topic, out = self.file_object(o, okeys, "file_source", ".jsonl")
        if "schema" in okeys or "schema.file" in okeys:
            return out
        # a. a schema file named by the YAML
        for path in (("datasource", "schema", "value.schema.file"),
                     ("schema", "value.schema.file"), ("datasource", "schema", "avro.schema.file"),
                     ("schema", "avro.schema.file")):
            v = dig(y, *path)
            if isinstance(v, str) and y.get("__path__"):
                p = self.existing(v, y["__path__"])
                if p:
                    out.append((o + ".schema.file", self.relpath(p)))
                    return out
        names = []
        for n in (o, topic, specs.get(o.lower())):
            if n and n not in names:
                names.append(n)
        kind, val = self.find_schema(names)
        if kind == "schema.file":
            out.append((o + ".schema.file", val))
        elif kind == "data":
            out = [(o + ".type", "file_source"), (o + ".path", val[0]),
                   (o + ".format", val[1])]
        else:
            self.notes.append("%s: no schema in the corpus for topic %s" % (o, topic))
        return out

    def kafka_sink(self, o, okeys):
        return self.file_object(o, okeys, "file_sink", ".out.jsonl")[2]

    def file_config(self, o, cf, t, okeys):
        p = self.resolve_config(cf)
        if not p:
            self.notes.append("config_file %s not found" % cf)
            return [(o + ".config_file", cf)]
        y = yaml_file(p)
        y = y if isinstance(y, dict) else {}
        out = []
        if "path" not in okeys:
            for path in (("file", "path"), ("data_source", "path"), ("datasource", "path"),
                         ("source", "path"), ("path",)):
                v = dig(y, *path)
                if isinstance(v, str):
                    found = self.existing(v, p)
                    if found or t == "file_sink":
                        out.append((o + ".path", self.relpath(found) if found else v))
                        break
        if "format" not in okeys:
            f = dig(y, "data_source", "format") or dig(y, "file", "format") or dig(y, "format")
            if isinstance(f, str):
                out.append((o + ".format", f))
        hh = dig(y, "data_source", "has_headers") or dig(y, "file", "has_headers")
        if isinstance(hh, str) and "has_headers" not in okeys and "header" not in okeys:
            out.append((o + ".has_headers", hh))
        fields = dig(y, "schema", "fields")
        if (t != "file_sink" and isinstance(fields, list) and "schema" not in okeys
                and "schema.file" not in okeys):
            out.append((o + ".schema.file", self.gen_schema(o, fields)))
        return out


def dedupe(entries):
    seen = set()
    out = []
    for k, v in entries:
        if (k, v) in seen:
            continue
        seen.add((k, v))
        out.append((k, v))
    return out


def copy_corpus(root, dst):
    def ignore(d, names):
        return [n for n in names if n.startswith(".") or n == "target"]
    shutil.copytree(root, dst, ignore=ignore, symlinks=True)


def count_swapped(velo, root, files, tmp):
    dst = os.path.join(tmp, "swapped")
    copy_corpus(root, dst)
    notes = {}
    for rel in files:
        path = os.path.join(dst, rel)
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            sql = f.read()
        rw = Rewriter(root, dst, rel)
        new = rw.rewrite(sql)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(new)
        notes[rel] = rw.notes
    res = count_files(velo, dst, files, "Kafka swapped for files")
    for r in res["items"]:
        r["notes"] = notes.get(r["item"], [])
    res["copy"] = dst
    return res


# --------------------------------------------------------------------------------------------
# Count 3: SQL strings in the Rust tests


def rust_strings(src):
    """Yield the decoded string literals of Rust source text."""
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c in "rb" and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            m = re.match(r'(?:br|r|b)(#*)"', src[i:i + 300])
            if m and (m.group(0).startswith(("r", "br"))):
                hashes = m.group(1)
                start = i + len(m.group(0))
                end = src.find('"' + hashes, start)
                if end < 0:
                    return
                yield src[start:end]
                i = end + 1 + len(hashes)
            elif m:  # b"..."
                s, i = _rust_normal(src, i + 1)
                yield s
            else:
                m = re.match(r"\w+", src[i:])
                i += len(m.group(0))
        elif c == '"':
            s, i = _rust_normal(src, i)
            yield s
        elif c == "'":
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\x[0-9a-fA-F]{2}|\\.|[^\\'\n])'", src[i:i + 12])
            i += len(m.group(0)) if m else 1
        elif c.isalpha() or c == "_":
            m = re.match(r"\w+", src[i:])
            i += len(m.group(0))
        else:
            i += 1


ESC = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def _rust_normal(src, i):
    """src[i] == '"'; return (decoded text, index after the closing quote)."""
    out = []
    j, n = i + 1, len(src)
    while j < n:
        c = src[j]
        if c == '"':
            return "".join(out), j + 1
        if c == "\\" and j + 1 < n:
            e = src[j + 1]
            if e in ESC:
                out.append(ESC[e])
                j += 2
            elif e == "\n" or (e == "\r" and src[j + 2:j + 3] == "\n"):
                j += 2
                while j < n and src[j] in " \t\r\n":
                    j += 1
            elif e == "x":
                out.append(chr(int(src[j + 2:j + 4], 16)))
                j += 4
            elif e == "u":
                k = src.find("}", j)
                out.append(chr(int(src[j + 3:k], 16)))
                j = k + 1
            else:
                out.append(e)
                j += 2
        else:
            out.append(c)
            j += 1
    return "".join(out), n


RUST_TYPES = {"Integer": "BIGINT", "Float": "DOUBLE", "String": "STRING", "Boolean": "BOOLEAN",
              "Timestamp": "TIMESTAMP", "Date": "DATE", "Decimal": "DECIMAL(38, 6)"}

FIELD_RE = re.compile(
    r'"([A-Za-z_]\w*)"\s*(?:\.to_string\(\)|\.to_owned\(\)|\.into\(\)|\.to_string\(\)\.into\(\))?'
    r'\s*,\s*FieldValue::(\w+)(?:\(\s*([^()]*?)\s*\))?')


def field_types(src):
    c = collections.defaultdict(collections.Counter)
    for name, kind, args in FIELD_RE.findall(src):
        if kind == "ScaledInteger":
            m = re.search(r",\s*(\d+)\s*$", args or "")
            t = "DECIMAL(38, %s)" % (m.group(1) if m else 4)
        else:
            t = RUST_TYPES.get(kind)
        if t:
            c[name][t] += 1
    return c


SQL_START = re.compile(r"(SELECT|CREATE|INSERT)\b", re.I)


def collect_strings(root):
    items = collections.OrderedDict()     # sql text -> first test file
    per_file = {}
    global_types = collections.defaultdict(collections.Counter)
    tests = os.path.join(root, "tests")
    for d, dirs, files in os.walk(tests):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x != "target")
        for f in sorted(files):
            if not f.endswith(".rs"):
                continue
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            with open(p, encoding="utf-8", errors="replace") as fh:
                src = fh.read()
            ft = field_types(src)
            per_file[rel] = ft
            for k, cnt in ft.items():
                global_types[k].update(cnt)
            for s in rust_strings(src):
                if SQL_START.match(s.strip()):
                    items.setdefault(s, rel)
    return items, per_file, global_types


def pick_type(name, ft, gt):
    for table in (ft, gt):
        if name in table and table[name]:
            return table[name].most_common(1)[0][0]
    return None


def guess_type(name):
    """A type for a column the Rust test file does not type, from its name."""
    n = name.lower()
    if re.search(r"(^|_)(id|count|cnt|qty|quantity|num|size|volume|seq|offset|partition|"
                 r"age|year|rank|level|priority|len|length)($|_)|_ms$|^n_", n):
        return "BIGINT"
    if re.search(r"time|timestamp|(^|_)ts($|_)|date|_at$", n):
        return "TIMESTAMP"
    if re.search(r"name|symbol|status|type|category|region|text|desc|code|key|label|user|"
                 r"msg|message|str|city|country|email|tier|kind|mode|tag|side|currency|"
                 r"exchange|sector|department|url|host|path|source|state|action|event", n):
        return "STRING"
    if re.search(r"^(is|has)_|flag|active|enabled", n):
        return "BOOLEAN"
    return "DOUBLE"


def span_text(text, d):
    """The text a diagnostic points at (1-based line/column, end exclusive)."""
    try:
        lines = text.split("\n")
        start = sum(len(x) + 1 for x in lines[:d["line"] - 1]) + d["column"] - 1
        el = d.get("end_line") or d["line"]
        end = sum(len(x) + 1 for x in lines[:el - 1]) + (d.get("end_column") or 10**6) - 1
        return text[start:max(start, end)]
    except (KeyError, TypeError):
        return None


TYPE_WORDS = {"TIMESTAMP": "TIMESTAMP", "STRING": "STRING", "BOOLEAN": "BOOLEAN",
              "BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "DATE": "DATE", "DECIMAL": "DECIMAL(38, 6)"}


class StrItem:
    def __init__(self, idx, sql, src_file, ft, gt):
        self.idx = idx
        self.name = "q%05d.sql" % idx
        self.sql = sql
        self.src_file = src_file
        self.ft, self.gt = ft, gt
        self.sources = collections.OrderedDict()   # name -> OrderedDict(col -> type)
        self.sinks = []
        self.guessed = set()                       # columns whose type is a name guess
        self.retyped = set()
        self.result = None
        self.errs = []

    def default_cols(self):
        cols = collections.OrderedDict()
        for name in self.ft:
            if not name.startswith("_"):
                cols[name] = self.pick(name)
        if not cols:
            cols["id"] = "BIGINT"
        return cols

    def pick(self, name):
        """The type from this string's own test file (kept), else from all test files or
        from the name (both guesses: a type error at the column may change them once)."""
        t = pick_type(name, self.ft, {})
        if t is None:
            t = pick_type(name, {}, self.gt) or guess_type(name)
            self.guessed.add(name)
        return t

    def add_source(self, name):
        if name in self.sources:
            return False
        self.sources[name] = self.default_cols()
        return True

    def add_column(self, col):
        changed = False
        for cols in self.sources.values():
            if col not in cols:
                cols[col] = self.pick(col)
                changed = True
        return changed

    def schema_text(self, cols):
        return ", ".join('"%s" %s' % (c, t) if not re.match(r"^[a-z_][a-z0-9_]*$", c)
                         else "%s %s" % (c, t) for c, t in cols.items())

    def render(self):
        sql = self.sql
        blocks = with_blocks(sql)
        # the string's own WITH first: it can register own sources that need a schema
        own = [self.swap_own(entries) for _, _, entries in blocks]
        extra = []
        for name, cols in self.sources.items():
            extra += [(name + ".type", "file_source"), (name + ".path", name + ".jsonl"),
                      (name + ".format", "jsonl"), (name + ".schema", self.schema_text(cols))]
        for name in self.sinks:
            extra += [(name + ".type", "file_sink"), (name + ".path", name + ".out.jsonl"),
                      (name + ".format", "jsonl")]
        if blocks:
            new = [entries + (extra if bi == 0 else []) for bi, entries in enumerate(own)]
            return replace_blocks(sql, blocks, new)
        if not extra:
            return sql
        body = sql.rstrip()
        semi = body.endswith(";")
        if semi:
            body = body[:-1].rstrip()
        return body + "\n" + render_with(extra) + (";" if semi else "") + "\n"

    def swap_own(self, entries):
        """The string's own WITH: a source of any type (kafka_source, memory, file_source)
        without `schema`/`schema.file` becomes a generated source (configured by render());
        its other keys are kept only if Velo's file source has them. Kafka sinks become file
        sinks."""
        types, okeys = {}, collections.defaultdict(set)
        for k, v in entries:
            o, sub = split_key(k)
            if o is not None:
                okeys[o].add(sub)
                if sub == "type":
                    types[o] = v
        mask = code_mask(self.sql)
        sinks = statement_names(self.sql) | set(
            m.group(1).lower() for m in re.finditer(r"\bINTO\s+(\w+)", mask, re.I))
        for o, t in types.items():     # a `memory` object written by a statement is a sink
            if t == "memory" and o.lower() in sinks:
                types[o] = "memory_sink"
        out = []
        for k, v in entries:
            o, sub = split_key(k)
            t = types.get(o) if o is not None else None
            if t is not None and t != "file_sink" and not t.endswith("_sink"):
                if "schema" in okeys[o] or "schema.file" in okeys[o]:
                    if sub == "type" and t != "file_source":
                        out.append((k, "file_source"))
                    elif sub in FILE_SOURCE_KEYS or sub == "type":
                        out.append((k, v))
                    continue
                if sub == "type" and o not in self.sources:
                    self.sources[o] = self.default_cols()
                if sub in FILE_SOURCE_KEYS and sub not in ("path", "format"):
                    out.append((k, v))
            elif t is not None and t != "file_sink":
                if sub == "type":
                    out.append((k, "file_sink"))
                    if "path" not in okeys[o]:
                        out.append((o + ".path", o + ".out.jsonl"))
                    if "format" not in okeys[o]:
                        out.append((o + ".format", "jsonl"))
                elif sub in FILE_SINK_KEYS:
                    out.append((k, v))
            else:
                out.append((k, v))
        return out

    def learn(self, errs, text):
        """Update the configuration from Velo's diagnostics; True when anything changed."""
        changed = False
        for e in errs:
            m = re.search(r"`([^`]+)`", e.get("message", ""))
            word = m.group(1) if m else None
            if e["code"] == "E0203" and word:
                changed |= self.add_source(word)
            elif e["code"] == "E0201" and word and self.sources and not word.startswith("_"):
                changed |= self.add_column(word)
            elif (e["code"] == "E0218" and word and self.sources and "not a column" in
                  e.get("message", "") and not word.startswith("_")):
                changed |= self.add_column(word)
            elif e["code"] == "E0503" and word and word not in self.sinks:
                self.sinks.append(word)
                changed = True
            elif self.guessed and (e["code"] in ("E0402", "E0403", "E0218")
                                   or "GROUP BY a DOUBLE" in e.get("message", "")):
                changed |= self.retype(e, text)
        return changed

    def retype(self, e, text):
        """A type error at a span that names a column whose type was guessed: give that
        column the type the error asks for (once per column)."""
        msg = e.get("message", "")
        want = None
        m = re.search(r"needs? an? (\w+)", msg)
        if m and m.group(1).upper() in TYPE_WORDS:
            want = TYPE_WORDS[m.group(1).upper()]
        m = re.search(r"compare (\w+) with (\w+)", msg)
        if m:
            a, b = m.group(1).upper(), m.group(2).upper()
            want = TYPE_WORDS.get(b if a == "DOUBLE" else a)
        if "GROUP BY a DOUBLE" in msg:
            want = "STRING"
        if e["code"] == "E0218":
            want = "TIMESTAMP"
        if e["code"] == "E0403":
            want = "BOOLEAN"
        if not want:
            return False
        span = span_text(text, e)
        if span is None:
            return False
        changed = False
        for col in sorted(self.guessed - self.retyped):
            if re.search(r"\b%s\b" % re.escape(col), span, re.I):
                for cols in self.sources.values():
                    if col in cols and cols[col] != want:
                        cols[col] = want
                        changed = True
                self.retyped.add(col)
        return changed


def count_strings(velo, root, tmp, batch=250, rounds=6):
    texts, per_file, gt = collect_strings(root)
    items = [StrItem(i + 1, s, f, per_file[f], gt) for i, (s, f) in enumerate(texts.items())]
    d = os.path.join(tmp, "strings")
    os.makedirs(d, exist_ok=True)
    pending = list(items)
    for rnd in range(rounds):
        for it in pending:
            text = it.text = it.render()
            with open(os.path.join(d, it.name), "w", encoding="utf-8",
                      errors="surrogateescape") as fh:
                fh.write(text)
        by_file = collections.defaultdict(list)
        for k in range(0, len(pending), batch):
            chunk = pending[k:k + batch]
            rc, diags = run_check(velo, d, [it.name for it in chunk])
            if rc not in (0, 1):   # a crash: fall back to one file at a time for this chunk
                for it in chunk:
                    rc1, dg = run_check(velo, d, [it.name])
                    by_file[it.name] = dg + ([] if rc1 in (0, 1) else
                                             [{"code": "EXIT%d" % rc1, "severity": "error",
                                               "message": "velo check exited %d" % rc1}])
                continue
            for dg in diags:
                by_file[os.path.basename(dg.get("file") or "")].append(dg)
        nxt = []
        for it in pending:
            it.errs = errors_of(by_file.get(it.name, []))
            it.result = not it.errs
            if it.errs and rnd + 1 < rounds and it.learn(it.errs, it.text):
                nxt.append(it)
        pending = nxt
        if not pending:
            break
    bd = Breakdown()
    placeholders = 0
    results = []
    for it in items:
        ph = bool(re.search(r"\{[A-Za-z_0-9:?.]*\}", it.sql))
        placeholders += ph
        results.append({"item": it.name, "test_file": it.src_file, "pass": it.result,
                        "placeholder": ph, "sql": it.sql,
                        "errors": [{"code": e["code"], "message": e["message"]}
                                   for e in it.errs]})
        if not it.result:
            bd.add("%s (%s)" % (it.name, it.src_file), it.errs)
    return {"label": "SQL strings in tests/**/*.rs", "passed": sum(r["pass"] for r in results),
            "total": len(results), "items": results, "breakdown": bd,
            "placeholders": placeholders,
            "placeholders_passed": sum(1 for r in results if r["placeholder"] and r["pass"]),
            "folder": d}


# --------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", help="a checkout of velostreamai/velostream")
    ap.add_argument("--velo", default="velo", help="the velo binary (default: velo on PATH)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--only", default="1,2,3", help="which counts to run, e.g. 1,3")
    ap.add_argument("--keep", help="keep the rewritten files in this (new) folder")
    ap.add_argument("--top", type=int, default=15, help="rows per breakdown table")
    a = ap.parse_args()
    velo = shutil.which(a.velo) or a.velo
    if not os.path.exists(velo):
        sys.exit("velo binary not found: %s" % a.velo)
    velo = os.path.abspath(velo)
    root = os.path.abspath(a.corpus)
    if not os.path.isdir(root):
        sys.exit("not a folder: %s" % root)
    only = set(a.only.split(","))
    if a.keep:
        os.makedirs(a.keep)
        tmp = os.path.abspath(a.keep)
    else:
        tmp = tempfile.mkdtemp(prefix="velostream-corpus-")
    try:
        files = sql_files(root)
        counts = []
        if "1" in only:
            counts.append(count_files(velo, root, files, "Files unchanged"))
        if "2" in only:
            counts.append(count_swapped(velo, root, files, tmp))
        if "3" in only:
            counts.append(count_strings(velo, root, tmp))
        out = sys.stdout
        if a.json:
            for c in counts:
                c["breakdown"] = c["breakdown"].to_json()
            json.dump({"corpus": root, "velo": velo, "counts": counts}, out, indent=1)
            out.write("\n")
            return
        out.write("%-34s %8s %6s %6s\n" % ("count", "passed", "of", "%"))
        for c in counts:
            out.write("%-34s %8d %6d %5.1f%%\n" % (c["label"], c["passed"], c["total"],
                                                  100.0 * c["passed"] / max(1, c["total"])))
        for c in counts:
            out.write("\n== %s: %d of %d pass\n" % (c["label"], c["passed"], c["total"]))
            if "placeholders" in c:
                out.write("  (%d strings contain Rust format placeholders; %d of them pass)\n"
                          % (c["placeholders"], c["placeholders_passed"]))
            if c["total"] <= 100:
                for r in c["items"]:
                    first = r["errors"][0] if r["errors"] else None
                    out.write("  %s %-58s %s\n" % (
                        "PASS" if r["pass"] else "fail", r["item"],
                        "" if not first else "%s %s" % (first["code"],
                                                        clip(first["message"], 70))))
            c["breakdown"].print(a.top, out)
        if a.keep:
            out.write("\nrewritten files kept in %s\n" % tmp)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
