#!/usr/bin/env bash
# W3 (the Velostream parity set of ../shared/BENCHMARKS.md) and the bounded-memory check for
# windows; results written to benches/RESULTS.md.
#
#   bash benches/w3.sh [RECORDS]      RECORDS default: 1000000 (in-memory scenarios)
#   ROUNDS=5 bash benches/w3.sh        runs of each scenario (default 3)
#
# In memory (as Velostream measured itself: pre-built records, no I/O), one thread: the five apps
# in benches/apps/w3/*.sql, compiled by velo_sql! into benches/raw/src/bin/w3_parity.rs and driven
# through their library-mode Pipeline, each scenario in its own process ROUNDS times (a run is the
# best of 3 passes; median and best run reported), against Velostream's recorded rates
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
# Each scenario runs in its own process (no heap left behind by another scenario), ROUNDS times,
# round-robin, so a slow minute of the shared machine hits every scenario alike.
ROUNDS=${ROUNDS:-3}
SCENARIOS="select_where rows_window_100 group_by_5_aggregates tumbling_1m_50x200 emit_changes"
W3_RUNS=$(for _ in $(seq "$ROUNDS"); do
    for s in $SCENARIOS; do "$TOOLS/w3_parity" "$RECORDS" "$s" | tail -n +2; done
done)
echo "$W3_RUNS" >&2
# scenario median best velostream median_ratio best_ratio rows, in scenario order.
W3_OUT=$(echo "$W3_RUNS" | awk -v order="$SCENARIOS" '
    { rates[$1] = rates[$1] " " $2; vs[$1] = $3; rows[$1] = $5 }
    END {
        n = split(order, names, " ")
        for (i = 1; i <= n; i++) {
            s = names[i]; k = split(substr(rates[s], 2), r, " ")
            for (a = 1; a <= k; a++) for (b = a + 1; b <= k; b++) if (r[b] < r[a]) { t = r[a]; r[a] = r[b]; r[b] = t }
            med = (k % 2) ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2
            printf "%s %.0f %.0f %s %.1f %.1f %s\n", s, med, r[k], vs[s], med / vs[s], r[k] / vs[s], rows[s]
        }
    }')

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
    echo "- In memory, one thread: the apps of \`benches/apps/w3/\` through \`velo_sql!\` library mode over $RECORDS pre-built records (50 traders × 200 symbols, one trade per 10 ms), allocating with mimalloc as \`velo build\` binaries do. Each scenario runs in its own process $ROUNDS times (round-robin); a run is the best of 3 passes; the table gives the median and the best run. Velostream's figures are its own in-memory \"SQL sync\" results. Target ≥ 10×."
    echo
    echo "| scenario | records/s (median) | records/s (best) | Velostream records/s | ratio (median) | ratio (best) | rows out |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    echo "$W3_OUT" | while read -r name median best vs ratio best_ratio rows; do
        printf '| %s | %s | %s | %s | %s× | %s× | %s |\n' "$name" "$(per "$median" 1)" "$(per "$best" 1)" "$(per "$vs" 1)" "$ratio" "$best_ratio" "$rows"
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
