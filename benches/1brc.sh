#!/usr/bin/env bash
# W1 (1BRC) and W7 (decimal micro) of ../shared/BENCHMARKS.md, side by side with DuckDB and a
# hand-written Rust loop; results written to benches/RESULTS.md.
#
#   bash benches/1brc.sh [ROWS...] [--quick]     ROWS default: 20000000 100000000
#   REPEAT=3 (default): rounds of every engine once; each engine's median (by wall time) is reported.
#   WAIT_IDLE=600: wait up to 600 s for a quiet machine (1-min load average < 0.3) first.
#
# W1  apps/1brc/1brc.sql (the challenge's query, the shape of Velostream's demo) built with `velo build`, run with
#     --partitions 1 and 2, against DuckDB (same file, same query, SET threads=1 and 2) and
#     benches/raw/src/bin/raw_1brc.rs (one thread, no error handling: the practical ceiling).
#     Data: benches/raw/src/bin/gen_measurements.rs, 413 stations at every size, plus 10,000 and
#     1,000,000 stations at the first size (skip both with --quick); the 1 M-key run gives velo's
#     memory per group key.
#     Correctness, per dataset: velo's outputs with 1 and 2 threads are byte-identical; velo and
#     the raw loop agree exactly; against DuckDB min/max are identical and AVG within 1e-6
#     (DuckDB's AVG of a DECIMAL is a DOUBLE). Any difference makes the script exit 1.
# W7  benches/raw/src/bin/decimal_micro.rs: SUM(price × qty) over 10 M in-memory rows with
#     velo's runtime decimal vs f64 vs rust_decimal; the exact sums must match.
#
# Requirements: cargo, python3 with duckdb, GNU time at /usr/bin/time for CPU and peak RSS.
# Data goes to benches/data/, binaries and outputs to benches/work/1brc/ (both git-ignored).
# Only the section between the 1brc.sh markers in RESULTS.md is rewritten.

set -euo pipefail

SIZES=()
MANY_KEYS=1
for a in "$@"; do
    case "$a" in
        --quick) MANY_KEYS=0 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *[!0-9]*|'') echo "usage: $0 [ROWS...] [--quick]" >&2; exit 2 ;;
        *) SIZES+=("$a") ;;
    esac
done
((${#SIZES[@]})) || SIZES=(20000000 100000000)
REPEAT=${REPEAT:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/benches
DATA=$BENCH/data
WORK=$BENCH/work/1brc
LOG=$WORK/log
OUT=$WORK/out
RESULTS=$BENCH/RESULTS.md
export VELO_CACHE_DIR=${VELO_CACHE_DIR:-$ROOT/target/velo-cache}
TOOLS=$ROOT/target/bench-raw/release
VELO=$ROOT/target/release/velo
APP=$WORK/velo_1brc
mkdir -p "$DATA" "$LOG" "$OUT"
rm -f "$OUT"/*.csv "$LOG"/*

source "$BENCH/lib.sh"

say "building velo and the benchmark tools"
(cd "$ROOT" && cargo build --release --bin velo --quiet)
CARGO_TARGET_DIR=$ROOT/target/bench-raw cargo build --release --quiet --manifest-path "$BENCH/raw/Cargo.toml"
say "velo build apps/1brc/1brc.sql"
"$VELO" build "$ROOT/apps/1brc/1brc.sql" -o "$APP" -q

# Datasets: "rows stations".
DATASETS=()
for n in "${SIZES[@]}"; do DATASETS+=("$n 413"); done
((MANY_KEYS)) && DATASETS+=("${SIZES[0]} 10000" "${SIZES[0]} 1000000")

dataset_file() { echo "$DATA/measurements_$1$([[ $2 == 413 ]] || echo "_$2st").txt"; }
for d in "${DATASETS[@]}"; do
    read -r n st <<< "$d"
    f=$(dataset_file "$n" "$st")
    if [[ -f $f ]] && [[ $(wc -l < "$f") -eq $((n + 1)) ]]; then
        say "reusing $f"
    else
        say "generating $n rows, $st stations into $f"
        t0=$(now)
        "$TOOLS/gen_measurements" "$n" "$f" --stations "$st"
        echo "    $(fsub "$(now)" "$t0") s" >&2
    fi
done

CHECK_PY=$(cat <<'PY'
import csv, sys
from decimal import Decimal
def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {r["station"]: r for r in csv.DictReader(f)}
velo, duck = load(sys.argv[1]), load(sys.argv[2])
bad = []
if velo.keys() != duck.keys():
    bad.append(f"stations differ: {len(velo)} vs {len(duck)}")
worst = 0.0
for s in velo.keys() & duck.keys():
    v, d = velo[s], duck[s]
    if Decimal(v["min_temp"]) != Decimal(d["min_temp"]) or Decimal(v["max_temp"]) != Decimal(d["max_temp"]):
        bad.append(f"{s}: min/max {v['min_temp']}/{v['max_temp']} vs {d['min_temp']}/{d['max_temp']}")
    diff = abs(float(Decimal(v["avg_temp"])) - float(d["avg_temp"]))
    worst = max(worst, diff)
    if diff > 1e-6:
        bad.append(f"{s}: avg {v['avg_temp']} vs {d['avg_temp']}")
print(("MATCH" if not bad else "MISMATCH"), f"{len(velo)} stations; min/max identical: {not any('min/max' in b for b in bad)}; largest |avg difference| {worst:.2e}")
for b in bad[:10]:
    print("   ", b)
sys.exit(1 if bad else 0)
PY
)

wait_idle
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A CHECKS GROUPS_SEEN
for d in "${DATASETS[@]}"; do
    read -r n st <<< "$d"
    f=$(dataset_file "$n" "$st")
    k="${n}_$st"
    cat "$f" > /dev/null   # into the page cache, so that no engine pays the first disk read
    say "W1: $n rows, $st stations, median of $REPEAT"
    sql="COPY (SELECT station, MIN(temperature) AS min_temp, AVG(temperature) AS avg_temp, MAX(temperature) AS max_temp
          FROM read_csv('$f', delim = ';', header = true, columns = {'station': 'VARCHAR', 'temperature': 'DECIMAL(3,1)'})
          GROUP BY station) TO '$OUT/duck_$k.csv' (HEADER)"
    # Rounds: every engine once per round, so a slow phase of a shared machine hits all of them.
    for l in velo1 velo2 duck1 duck2 raw; do : > "$LOG/${l}_$k.samples"; done
    for ((i = 1; i <= REPEAT; i++)); do
        sample "velo1_$k" "$APP" --quiet --partitions 1 --set "measurements.path=$f" --set "station_stats.path=$OUT/velo1_$k.csv"
        sample "velo2_$k" "$APP" --quiet --partitions 2 --set "measurements.path=$f" --set "station_stats.path=$OUT/velo2_$k.csv"
        sample "duck1_$k" python3 -c "$DUCK_PY" 1 "$sql"
        sample "duck2_$k" python3 -c "$DUCK_PY" 2 "$sql"
        sample "raw_$k" "$TOOLS/raw_1brc" "$f" "$OUT/raw_$k.csv"
    done
    for l in velo1 velo2 duck1 duck2 raw; do summarize "${l}_$k"; done
    check="1 vs 2 threads: $(cmp -s "$OUT/velo1_$k.csv" "$OUT/velo2_$k.csv" && echo IDENTICAL || echo DIFFERENT)"
    check+="; vs raw loop: $(cmp -s "$OUT/velo1_$k.csv" "$OUT/raw_$k.csv" && echo IDENTICAL || echo DIFFERENT)"
    set +e
    duck=$(python3 -c "$CHECK_PY" "$OUT/velo1_$k.csv" "$OUT/duck_$k.csv")
    set -e
    CHECKS[$k]="$check; vs DuckDB: $duck"
    GROUPS_SEEN[$k]=$(($(wc -l < "$OUT/velo1_$k.csv") - 1))
    echo "    ${CHECKS[$k]}" >&2
    rm -f "$OUT"/*_"$k".csv
done
measure duckdb_startup python3 -c 'import duckdb; duckdb.connect().execute("SELECT 1")'
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

say "W7: decimal micro (10 M rows)"
W7_OUT=$("$TOOLS/decimal_micro" 10000000) || { echo "$W7_OUT" >&2; echo "W7 MISMATCH" >&2; exit 1; }
echo "$W7_OUT" >&2

GIT_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(cd "$ROOT" && { git diff --quiet HEAD -- velo-rt velo-codegen velo-macros templates 2>/dev/null && echo "" || echo " (with uncommitted changes in the compiler/runtime)"; })
SECTION=$(mktemp)
{
    echo "<!-- 1brc.sh:begin -->"
    echo "## W1 (1BRC) and W7 (decimal micro) — latest run of \`benches/1brc.sh\`"
    echo
    echo "- **Date**: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); **command**: \`bash benches/1brc.sh ${SIZES[*]}$( ((MANY_KEYS)) || echo ' --quick')\` (median of $REPEAT interleaved rounds by wall time)"
    echo "- **Machine**: \`nproc\` = $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(uname -sr)"
    echo "- **Versions**: $("$VELO" --version) at git $GIT_REV$GIT_DIRTY; $(rustc --version); DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)')"
    echo "- **Load average** before: $LOAD_BEFORE; after: $LOAD_AFTER (above ~0.2 means the 2 cores were shared: noisy)."
    echo "- velo runs \`apps/1brc/1brc.sql\` unchanged (exact DECIMAL min/avg/max; \`--partitions\` sets the threads)." \
         "DuckDB runs the same query through its Python module (its start-up, ${M_WALL[duckdb_startup]} s wall, is included)." \
         "The raw loop is a hand-written single-threaded Rust program with no error handling."
    echo
    echo "| rows | stations | engine | threads | wall s | user+sys s | peak RSS MiB | rows/s | rows per CPU-s | speed vs DuckDB, same threads | all runs, wall s |"
    echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for d in "${DATASETS[@]}"; do
        read -r n st <<< "$d"
        k="${n}_$st"
        for e in "velo1 velo 1 duck1" "velo2 velo 2 duck2" "duck1 DuckDB 1 duck1" "duck2 DuckDB 2 duck2" "raw1 raw_loop 1 duck1"; do
            read -r id name t ref <<< "$e"
            l="${id}_$k"; [[ $id == raw1 ]] && l="raw_$k"
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$st" "$name" "$t" "${M_WALL[$l]}" "${M_CPU[$l]}" \
                "$(mb "${M_RSS[$l]}")" "$(per "$n" "${M_WALL[$l]}")" "$(per "$n" "${M_CPU[$l]}")" \
                "$(rat "${M_WALL[${ref}_$k]}" "${M_WALL[$l]}")" "${M_RUNS[$l]}"
        done
    done
    if ((MANY_KEYS)); then
        s=${SIZES[0]}
        extra=$((GROUPS_SEEN[${s}_1000000] - GROUPS_SEEN[${s}_413]))
        per_key() { awk -v a="$1" -v b="$2" -v n="$extra" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }'; }
        echo
        echo "Memory per group key (velo): the 1 M-station file has ${GROUPS_SEEN[${s}_1000000]} distinct stations;" \
             "(peak RSS with them − with 413) ÷ $extra extra groups = **$(per_key "${M_RSS[velo1_${s}_1000000]}" "${M_RSS[velo1_${s}_413]}") bytes per key** on one thread" \
             "(key text, accumulators, index slot, allocator and growth slack);" \
             "$(per_key "${M_RSS[velo2_${s}_1000000]}" "${M_RSS[velo2_${s}_413]}") bytes on two (partial tables, then the merged one)."
    fi
    echo
    echo "Correctness:"
    echo
    for d in "${DATASETS[@]}"; do
        read -r n st <<< "$d"
        echo "- $n rows, $st stations — velo ${CHECKS[${n}_$st]}"
    done
    echo
    echo "W7 (\`target/bench-raw/release/decimal_micro 10000000\`, best of 5 passes; targets: velo within 1.5× of f64, ≥ 3× faster than rust_decimal):"
    echo
    echo '```text'
    echo "$W7_OUT"
    echo '```'
    echo "<!-- 1brc.sh:end -->"
} > "$SECTION"
replace_section "$RESULTS" "$SECTION" 1brc.sh
rm -f "$SECTION"
say "wrote $RESULTS"
sed -n '/1brc.sh:begin/,/1brc.sh:end/p' "$RESULTS" >&2
if [[ ${CHECKS[*]} == *DIFFERENT* || ${CHECKS[*]} == *MISMATCH* ]]; then
    echo "MISMATCH" >&2
    exit 1
fi
echo "MATCH" >&2
