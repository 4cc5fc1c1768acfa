#!/usr/bin/env bash
# W3 (the Velostream parity set of ../shared/BENCHMARKS.md) and the bounded-memory check for
# windows; results written to benches/RESULTS.md.
#
#   bash benches/w3.sh [RECORDS]      RECORDS default: 1000000 (in-memory scenarios)
#
# In memory (as Velostream measured itself: pre-built records, no I/O), one thread: the five apps
# in benches/apps/w3/*.sql, compiled by velo_sql! into benches/raw/src/bin/w3_parity.rs and driven
# through their library-mode Pipeline; best of 3 passes, against Velostream's recorded rates
# (docs/performance/benchmark-results-summary.md, "SQL sync"). Target: ≥ 10× each.
# From files: benches/apps/w3/tumbling.sql and rows_window.sql built with `velo build` and run on
# ordered trade files of 1 M and 10 M rows: peak RSS must not grow with the input (windows and
# partitions are evicted or bounded).

set -euo pipefail
RECORDS=${1:-1000000}
REPEAT=${REPEAT:-1}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/benches
DATA=$BENCH/data
WORK=$BENCH/work/w3
LOG=$WORK/log
RESULTS=$BENCH/RESULTS.md
export VELO_CACHE_DIR=${VELO_CACHE_DIR:-$ROOT/target/velo-cache}
TOOLS=$ROOT/target/bench-raw/release
VELO=$ROOT/target/release/velo
mkdir -p "$DATA" "$LOG"
rm -f "$LOG"/* "$WORK"/*.csv

source "$BENCH/lib.sh"

say "building velo and the benchmark tools"
(cd "$ROOT" && cargo build --release --bin velo --quiet)
CARGO_TARGET_DIR=$ROOT/target/bench-raw cargo build --release --quiet --manifest-path "$BENCH/raw/Cargo.toml"
for app in tumbling rows_window; do
    "$VELO" build "$BENCH/apps/w3/$app.sql" -o "$WORK/$app" -q
done

wait_idle
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "W3 in memory: $RECORDS records per scenario"
W3_OUT=$("$TOOLS/w3_parity" "$RECORDS")
echo "$W3_OUT" >&2

say "bounded memory: ordered trade files"
for n in 1000000 10000000; do
    f=$DATA/w3_trades_$n.csv
    [[ -f $f ]] && [[ $(wc -l < "$f") -eq $((n + 1)) ]] || "$TOOLS/w3_parity" --csv "$n" "$f"
    cat "$f" > /dev/null
    for app in tumbling rows_window; do
        : > "$LOG/${app}_$n.samples"
        sample "${app}_$n" "$WORK/$app" --quiet --set "trades.path=$f" --set "out.path=$WORK/out_${app}_$n.csv"
        summarize "${app}_$n"
        rm -f "$WORK/out_${app}_$n.csv"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

GIT_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
SECTION=$(mktemp)
{
    echo "<!-- w3.sh:begin -->"
    echo "## W3 (Velostream parity set) and bounded window memory — latest run of \`benches/w3.sh\`"
    echo
    echo "- **Date**: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); **command**: \`bash benches/w3.sh $RECORDS\`; git $GIT_REV; load average before $LOAD_BEFORE, after $LOAD_AFTER"
    echo "- In memory, one thread, best of 3 passes: the apps of \`benches/apps/w3/\` through \`velo_sql!\` library mode over $RECORDS pre-built records (50 traders × 200 symbols, one trade per 10 ms). Velostream's figures are its own in-memory \"SQL sync\" results. Target ≥ 10×."
    echo
    echo "| scenario | records/s | Velostream records/s | ratio | rows out |"
    echo "|---|---:|---:|---:|---:|"
    echo "$W3_OUT" | tail -n +2 | while read -r name rate vs ratio rows; do
        printf '| %s | %s | %s | %s× | %s |\n' "$name" "$(per "$rate" 1)" "$(per "$vs" 1)" "$ratio" "$rows"
    done
    echo
    echo "From files (\`velo build\` of the same SQL, CSV in and out, one thread): peak RSS must not grow with the input."
    echo
    echo "| app | rows | wall s | user+sys s | rows/s | peak RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    for app in tumbling rows_window; do
        for n in 1000000 10000000; do
            l="${app}_$n"
            printf '| %s | %s | %s | %s | %s | %s |\n' "$app" "$n" "${M_WALL[$l]}" "${M_CPU[$l]}" "$(per "$n" "${M_WALL[$l]}")" "$(mb "${M_RSS[$l]}")"
        done
    done
    echo "<!-- w3.sh:end -->"
} > "$SECTION"
replace_section "$RESULTS" "$SECTION" w3.sh
rm -f "$SECTION"
say "wrote $RESULTS"
sed -n '/w3.sh:begin/,/w3.sh:end/p' "$RESULTS" >&2
