#!/usr/bin/env python3
"""Stress-test the SQL front end of `velo check` with mutated copies of the bundled apps.

The seeds are `apps/*/*.sql`. Each mutant is the bytes of a seed with 1-3 random mutations
(token/byte deletion, duplication, swaps, inserted keywords and punctuation, truncation, extreme
numbers, swapped identifiers, non-ASCII / invalid UTF-8 / BOM / NUL bytes, changed WITH values
and, rarely, 2000-deep nesting or 5000-term sums). Mutants are written next to a temporary copy
of their seed's folder, so relative paths such as `./orders.csv` still resolve, and each one is
checked with `velo check --format json MUTANT` run from that folder.

A run is fine when it is OK (exit 0) or DIAGNOSTIC (exit 1 with at least one error on stdout).
Every other outcome is a failure:
  PANIC            stderr says "panicked", or exit code 101
  SIGNAL           killed by a signal (a stack overflow aborts with SIGABRT, SIGSEGV, ...)
  HANG             still running after --timeout seconds
  OOM              ran into the --memory limit (an allocation failure, or a diagnostic that says
                   "out of memory"): without the limit it would take all of the machine's memory
  UNEXPECTED_EXIT  an exit code other than 0 and 1 (2 is a usage error, and the file exists),
                   or exit 0 although an error was reported
  BAD_JSON         a stdout line that is not a JSON object with the documented keys
  NO_POSITION      a diagnostic without line/column >= 1, with its end before its start, or
                   pointing past the end of the mutant
  SILENT_ERROR     exit 1 but no error diagnostic on stdout (the JSON consumer sees nothing)

Usage:  python3 scripts/mutants.py [--count 10000] [--seed 0] [--jobs 2] [--timeout 10]
                                   [--memory 1024] [--velo target/debug/velo]
                                   [--keep target/mutants/failures]
                                   [--reduce [--reduce-seconds 120]]
Exit code 0 when there is no failure, 1 otherwise, 2 without a velo binary. `--count 200` takes a few seconds.
"""
import argparse, concurrent.futures as cf, glob, json, os, random, re, shutil, signal, subprocess, sys, tempfile, time
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FINE = ("OK", "DIAGNOSTIC")
KEYS = {"file", "line", "column", "end_line", "end_column", "code", "severity", "message", "help"}
TOKEN = re.compile(rb"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|/\*.*?\*/|[A-Za-z_]\w*|\d+(?:\.\d+)?|\s+|.", re.S)
IDENT = re.compile(rb"[A-Za-z_]\w*")
NUMBER = re.compile(rb"(?<![\w.])\d+(?:\.\d+)?")
WITH_VALUE = re.compile(rb"(=\s*)'((?:[^']|'')*)'")
INSERTS = [b"(", b")", b",", b"'", b'"', b";", b"--", b"/*", b"*/", b".", b"*", b"=", b"||", b"::",
           b"WITH (", b"OVER (", b"CASE", b"END", b"JOIN", b"GROUP BY", b"ORDER BY", b"PARTITION BY",
           b"WINDOW TUMBLING(ts, 1m)", b"WINDOW SLIDING(ts, 1m, 2m)", b"WINDOW SESSION(ts, 0s)",
           b"SELECT", b"FROM", b"WHERE", b"HAVING", b"AS", b"INTO", b"DISTINCT", b"LIMIT -1", b"NULL",
           b"NOT", b"EMIT CHANGES", b"EMIT FINAL", b"PRIMARY KEY", b"CREATE STREAM", b"CREATE TABLE x AS",
           b"ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING", b"UNBOUNDED", b"INTERVAL '1' DAY", b"CAST(",
           b"EXPIRE AFTER", b"ROWS WINDOW BUFFER 0 ROWS", b"\n-- @app:\n", b"\n-- @num_partitions: 0\n",
           b"$1", b"?", b"@", b"\\", b"`", b"[", b"]", b"{", b"}", b"\n"]
NUMBERS = [b"0", b"-1", b"9223372036854775807", b"9223372036854775808", b"-9223372036854775808",
           b"99999999999999999999999", b"340282366920938463463374607431768211456", b"1e400", b"1e-400",
           b"0.0000000000000000000000000000000000000001", b"00", b"1.", b".5"]
ODD_BYTES = [b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", "é".encode(),
             "日本語".encode(), "\u202e".encode(), "\u200b".encode(), "🦀".encode(), "\u00a0".encode(),
             "e\u0301".encode(), "（".encode(), b"\r", b"\t", b"\x0b", b"\x1b[31m"]
PATHS = [b"/dev/zero", b"/dev/urandom", b"/dev/null", b"/**/*.x", b"./**", b"./*", b"/", b".", b"",
         b"./missing.csv", b"../../../../../etc/passwd", b"x" * 5000, b"./\xc3\xa9.csv", b"file:///tmp"]


def tokens(data):
    return TOKEN.findall(data)


def span(rng, data):
    """A random (start, end) span: a run of 1-4 tokens, or of 1-30 bytes."""
    if rng.random() < 0.6:
        toks = tokens(data)
        i = rng.randrange(len(toks))
        start = sum(map(len, toks[:i]))
        return start, start + sum(map(len, toks[i:i + rng.randint(1, 4)]))
    start = rng.randrange(len(data))
    return start, min(len(data), start + rng.randint(1, 30))


def boundary(rng, data):
    toks = tokens(data)
    return sum(map(len, toks[:rng.randint(0, len(toks))]))


def swap(rng, data):
    toks = tokens(data)
    solid = [i for i, t in enumerate(toks) if not t.isspace()]
    i, j = rng.choice(solid), rng.choice(solid)
    toks[i], toks[j] = toks[j], toks[i]
    return b"".join(toks)


def replace_match(rng, data, pattern, choices, group=0):
    found = list(pattern.finditer(data))
    if not found:
        return data
    m = rng.choice(found)
    return data[:m.start(group)] + rng.choice(choices) + data[m.end(group):]


def replace_word(rng, data, choices):
    """Replace a random word token (outside comments and strings) with one of CHOICES."""
    toks = tokens(data)
    words = [i for i, t in enumerate(toks) if IDENT.fullmatch(t)]
    if words:
        toks[rng.choice(words)] = rng.choice(choices)
    return b"".join(toks)


def deep(rng, data):
    n = rng.choice([2000, 5000])
    expr = rng.choice([b"(" * 2000 + b"1" + b")" * 2000, b"+".join([b"1"] * n),
                       b"NOT " * 2000 + b"TRUE", b"- " * 2000 + b"1", b"UPPER(" * 1000 + b"'a'" + b")" * 1000,
                       b"CASE WHEN TRUE THEN " * 500 + b"1" + b" END" * 500, b" AND ".join([b"TRUE"] * n)])
    if rng.random() < 0.7:
        return replace_word(rng, data, [expr])
    return insert(rng, data, expr)


def with_value(rng, data):
    others = [m.group(2) for m in WITH_VALUE.finditer(data)]   # e.g. the path of another object
    return replace_match(rng, data, WITH_VALUE, PATHS + others, group=2)


def insert(rng, data, what):
    p = boundary(rng, data)
    return data[:p] + b" " + what + b" " + data[p:]


def odd_bytes(rng, data):
    b = rng.choice(ODD_BYTES)
    p = 0 if b == b"\xef\xbb\xbf" and rng.random() < 0.5 else rng.randrange(len(data) + 1)
    return data[:p] + b + data[p:]


OPERATORS = [  # (weight, mutation)
    (10, lambda r, d: (lambda s, e: d[:s] + d[e:])(*span(r, d))),
    (6, lambda r, d: (lambda s, e: d[:e] + d[s:e] + d[e:])(*span(r, d))),
    (6, swap),
    (12, lambda r, d: insert(r, d, r.choice(INSERTS))),
    (4, lambda r, d: d[:r.randrange(len(d))]),
    (6, lambda r, d: replace_match(r, d, NUMBER, NUMBERS)),
    (8, lambda r, d: replace_word(r, d, sorted(set(IDENT.findall(d))))),
    (5, odd_bytes),
    (6, with_value),
    (1, deep),
]


def mutate(rng, data):
    weights = [w for w, _ in OPERATORS]
    for _ in range(rng.randint(1, 3)):
        if data:
            data = rng.choices(OPERATORS, weights)[0][1](rng, data)
    return data


def run_check(velo, folder, name, timeout, memory_mb):
    """Run `velo check --format json NAME` in FOLDER: (returncode or None on timeout, stdout, stderr).

    The address space is limited (`ulimit -v`), so a check that allocates without bound fails
    (OOM) instead of taking the machine's memory."""
    env = dict(os.environ, NO_COLOR="1")
    limit = f"ulimit -v {memory_mb * 1024}; " if memory_mb else ""
    cmd = ["sh", "-c", limit + 'exec "$0" "$@"', velo, "check", "--format", "json", name]
    try:
        p = subprocess.run(cmd, cwd=folder, env=env, timeout=timeout,
                           stdin=subprocess.DEVNULL, capture_output=True)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", e.stderr or b""


def classify(rc, out, err, name, data):
    """(class, detail); the detail is independent of the file name, so that reductions can keep it."""
    first = err.decode(errors="replace").replace(name, "FILE").strip().split("\n")[0][:120]
    if rc is None:
        return "HANG", ""
    if b"memory allocation of" in err or b"out of memory" in out + err:
        return "OOM", "allocation failed" if b"memory allocation of" in err else "diagnostic: out of memory"
    if rc < 0:
        return "SIGNAL", signal.Signals(-rc).name if -rc in signal.valid_signals() else str(rc)
    if b"panicked" in err or rc == 101:
        m = re.search(rb"panicked at ([^\n]*?):?\n", err)
        return "PANIC", m.group(1).decode(errors="replace") if m else first
    if rc not in (0, 1):
        return "UNEXPECTED_EXIT", f"exit {rc}: {first}"
    diags = []
    for line in out.splitlines():
        try:
            d = json.loads(line)
            assert isinstance(d, dict) and KEYS <= d.keys()
            diags.append(d)
        except (ValueError, AssertionError):
            return "BAD_JSON", line[:80].decode(errors="replace")
    lines = data.split(b"\n")
    for d in diags:
        ln, col, eln, ecol = (d.get(k) for k in ("line", "column", "end_line", "end_column"))
        if not all(isinstance(v, int) and v >= 1 for v in (ln, col, eln, ecol)):
            return "NO_POSITION", f"{d['code']}: line {ln} column {col}"
        if (eln, ecol) < (ln, col):
            return "NO_POSITION", f"{d['code']}: ends before it starts"
        if d["file"] == name and (ln > len(lines) or col > len(lines[ln - 1]) + 1):
            return "NO_POSITION", f"{d['code']}: past the end of its line or file"
    errors = [d for d in diags if d["severity"] == "error"]
    if rc == 1 and not errors:
        return "SILENT_ERROR", first
    if rc == 0 and errors:
        return "UNEXPECTED_EXIT", f"exit 0 with {errors[0]['code']}"
    return ("DIAGNOSTIC" if errors else "OK"), ""


def shrink(data, still_fails, deadline):
    """Greedy delta debugging: drop chunks of lines, then tokens, then bytes, while the failure stays."""
    for split in (lambda d: d.splitlines(keepends=True), tokens, lambda d: [bytes([b]) for b in d]):
        units = split(data)
        n = max(1, len(units) // 2)
        while n >= 1 and time.time() < deadline:
            i = 0
            while i < len(units) and time.time() < deadline:
                cand = units[:i] + units[i + n:]
                if cand and still_fails(b"".join(cand)):
                    units = cand
                else:
                    i += n
            n //= 2
        data = b"".join(units)
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=10000, help="number of mutants (default 10000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel checks (default 2)")
    ap.add_argument("--timeout", type=float, default=10, help="seconds per check (default 10)")
    ap.add_argument("--memory", type=int, default=1024, help="MiB of address space per check, 0: no limit")
    ap.add_argument("--velo", default="target/debug/velo", help="velo binary, relative to the repo root")
    ap.add_argument("--keep", default="target/mutants/failures", help="where failing examples are copied")
    ap.add_argument("--reduce", action="store_true", help="shrink the smallest example of each failure")
    ap.add_argument("--reduce-seconds", type=float, default=120, help="time limit per reduction")
    args = ap.parse_args()
    velo, keep = (os.path.join(ROOT, p) for p in (args.velo, args.keep))
    if not os.access(velo, os.X_OK):
        print(f"mutants: no velo binary at {velo} (cargo build --bin velo)", file=sys.stderr)
        return 2
    seeds = sorted(set(glob.glob(os.path.join(ROOT, "apps/*/*.sql"))
                       + glob.glob(os.path.join(ROOT, "apps/embedded/*.sql"))))
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="velo-mutants-")
    try:
        folders = {}
        for s in seeds:   # one copy of each app folder, the mutants are written into it
            app = os.path.dirname(s)
            if app not in folders:
                folders[app] = shutil.copytree(app, os.path.join(tmp, os.path.basename(app)), symlinks=True,
                                               ignore=shutil.ignore_patterns("output", "target"))
        jobs = []
        for i in range(args.count):
            seed = rng.choice(seeds)
            with open(seed, "rb") as f:
                data = mutate(rng, f.read())
            folder, name = folders[os.path.dirname(seed)], f"m{i:05d}.sql"
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
            jobs.append((seed, folder, name, data))

        def check(job):
            seed, folder, name, data = job
            rc, out, err = run_check(velo, folder, name, args.timeout, args.memory)
            return job, classify(rc, out, err, name, data), rc, err

        results, started = [], time.time()
        with cf.ThreadPoolExecutor(args.jobs) as pool:
            for n, r in enumerate(pool.map(check, jobs), 1):
                results.append(r)
                if n % max(1, args.count // 10) == 0:
                    print(f"  {n}/{args.count} checked, {time.time() - started:.0f} s", file=sys.stderr)
        report(results, keep, args, velo)
        return 0 if all(cls in FINE for _, (cls, _), _, _ in results) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def show(path):
    """PATH relative to the repo root when it is inside it."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def rerun(velo, app, path):
    """The command that repeats one check from the repo root (the app folder holds its data)."""
    return f"{show(velo)} -C {app} check --format json {os.path.abspath(path)}"


def report(results, keep, args, velo):
    by_class = defaultdict(list)
    for r in results:
        by_class[r[1][0]].append(r)
    print(f"\n{len(results)} mutants of {len({r[0][0] for r in results})} seeds (--seed {args.seed}):")
    print(f"  {'class':<16} {'count':>6}  distinct details")
    for cls in sorted(by_class, key=lambda c: (c not in FINE, c)):
        print(f"  {cls:<16} {len(by_class[cls]):>6}  {len({d for _, (_, d), _, _ in by_class[cls]})}")
    os.makedirs(keep, exist_ok=True)
    for old in glob.glob(os.path.join(keep, "*-[0-9]*.*")) + glob.glob(os.path.join(keep, "*-min[0-9]*.sql")):
        os.remove(old)
    for cls, rs in sorted(by_class.items()):
        if cls in FINE:
            continue
        details = Counter(d for _, (_, d), _, _ in rs)
        print(f"\n{cls}: {len(rs)} mutants; " + "; ".join(f"{n}x {d or '-'}" for d, n in details.most_common(8)))
        rs.sort(key=lambda r: len(r[0][3]))
        firsts = sorted({r[1][1]: r for r in reversed(rs)}.values(), key=lambda r: len(r[0][3]))
        picked = firsts[:5] + [r for r in rs if r not in firsts[:5]][:max(0, 5 - len(firsts))]
        for k, ((seed, folder, name, data), (_, detail), rc, err) in enumerate(picked, 1):
            dest = os.path.join(keep, f"{cls}-{k}")
            shutil.copy(os.path.join(folder, name), dest + ".sql")
            app = os.path.relpath(os.path.dirname(seed), ROOT)
            with open(dest + ".txt", "w") as f:
                f.write(f"seed: {os.path.relpath(seed, ROOT)}\nexit: {rc}\ndetail: {detail}\n"
                        f"rerun: {rerun(velo, app, dest + '.sql')}\n\n"
                        + err.decode(errors="replace"))
            print(f"  {show(dest)}.sql ({len(data)} bytes, seed {app}, exit {rc})")
            for line in err.decode(errors="replace").strip().splitlines()[:4]:
                print(f"      {line[:160]}")
        for k, ((seed, folder, name, data), sig, _, _) in enumerate(firsts[:3] if args.reduce else [], 1):
            reduce(velo, args, seed, folder, data, sig, os.path.join(keep, f"{cls}-min{k}.sql"))


def reduce(velo, args, seed, folder, data, sig, dest):
    """Shrink one failing mutant while it keeps failing the same way; write and print the result."""
    def still_fails(cand):
        with open(os.path.join(folder, "reduce.sql"), "wb") as f:
            f.write(cand)
        rc, out, err = run_check(velo, folder, "reduce.sql", args.timeout, args.memory)
        return classify(rc, out, err, "reduce.sql", cand) == sig

    small = shrink(data, still_fails, time.time() + args.reduce_seconds)
    if not still_fails(small):   # e.g. the binary was rebuilt meanwhile
        print(f"  {sig[1] or sig[0]}: does not fail the same way any more, not reduced")
        return
    rc, out, err = run_check(velo, folder, "reduce.sql", args.timeout, args.memory)
    with open(dest, "wb") as f:
        f.write(small)
    print(f"  {sig[1] or sig[0]}: reduced {len(data)} -> {len(small)} bytes: {small[:300]!r}\n"
          f"    rerun: {rerun(velo, os.path.relpath(os.path.dirname(seed), ROOT), dest)}")
    for line in err.decode(errors="replace").strip().splitlines()[:6]:
        print(f"      {line[:160]}")


if __name__ == "__main__":
    sys.exit(main())
