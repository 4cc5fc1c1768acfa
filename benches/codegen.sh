#!/usr/bin/env bash
# Generated-code size and build latency (W6), written to benches/RESULTS.md.
#
#   bash benches/codegen.sh            sizes + warm/no-op builds
#   SIZES_ONLY=1 bash benches/codegen.sh   sizes only (no cargo builds of apps)
#
# What it measures, with the `velo` of this checkout:
#   chain N   N windowed EMIT CHANGES statements, each reading the one before (N = 1, 2, 4, 8):
#             generated lines (`velo expand | wc -l`) and lines added per statement
#   sum N     one statement selecting `a + a + … + a` with N terms (N = 100, 500, 2000): bytes
#   apps      apps/trading and generated apps of 1, 10 and 50 statements (a mix of filters,
#             running GROUP BYs and tumbling windows, each with its own file sink): lines, and
#             W6 build latency — warm (one literal changed, only the app crate recompiles) and
#             no-op (cache hit), seconds of `velo build`
#
# Working files go to benches/work/codegen/ (git-ignored). Only the section between the
# codegen.sh markers in RESULTS.md is rewritten.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/benches
WORK=$BENCH/work/codegen
RESULTS=$BENCH/RESULTS.md
VELO=$ROOT/target/release/velo
export VELO_CACHE_DIR=${VELO_CACHE_DIR:-$ROOT/target/velo-cache}
mkdir -p "$WORK"
source "$BENCH/lib.sh"


say "building velo (cargo build --release --bin velo)"
(cd "$ROOT" && cargo build --release --bin velo --quiet)

SCHEMA="sym STRING, px DECIMAL(10,2), qty BIGINT, ts TIMESTAMP"

# chain_app N: N windowed EMIT CHANGES statements, statement i reading statement i-1.
chain_app() {
    local n=$1 i from
    echo "-- @app: chain_$n"
    for ((i = 1; i <= n; i++)); do
        from=$([[ $i == 1 ]] && echo trades || echo "s$((i - 1))")
        echo "CREATE STREAM s$i AS SELECT sym, MAX(ts) AS ts, SUM(qty) AS qty, COUNT(*) AS n"
        echo "FROM $from GROUP BY sym WINDOW TUMBLING(ts, 1m) EMIT CHANGES;"
    done
    echo "CREATE STREAM out AS SELECT * FROM s$n"
    echo "WITH ('trades.type' = 'file_source', 'trades.path' = 'trades.csv', 'trades.schema' = '$SCHEMA',"
    echo "      'out.type' = 'file_sink', 'out.path' = 'out.csv');"
}

# sum_app N: one statement summing N copies of a column.
sum_app() {
    local n=$1
    echo "-- @app: sum_$n"
    printf 'CREATE STREAM total AS SELECT a'
    for ((i = 1; i < n; i++)); do printf ' + a'; done
    echo " AS total FROM nums"
    echo "WITH ('nums.type' = 'file_source', 'nums.path' = 'n.csv', 'nums.schema' = 'a BIGINT',"
    echo "      'total.type' = 'file_sink', 'total.path' = 'total.csv');"
}

# mixed_app N [LITERAL]: N statements over one source, each with its own sink: filters, running
# GROUP BYs and tumbling windows in turn.
mixed_app() {
    local n=$1 lit=${2:-X} i props=""
    echo "-- @app: mixed_$n"
    for ((i = 1; i <= n; i++)); do
        case $((i % 3)) in
            1) echo "CREATE STREAM m$i AS SELECT sym, px * qty AS notional, UPPER(sym) AS up FROM trades WHERE sym <> '$lit$i' AND qty > $i;" ;;
            2) echo "CREATE STREAM m$i AS SELECT sym, COUNT(*) AS n, SUM(px * qty) AS total FROM trades WHERE qty > $i GROUP BY sym;" ;;
            0) echo "CREATE STREAM m$i AS SELECT sym, _window_start AS t, AVG(px) AS avg_px, MAX(qty) AS top FROM trades WHERE qty > $i GROUP BY sym WINDOW TUMBLING(ts, 1m);" ;;
        esac
        props+="'m$i.type' = 'file_sink', 'm$i.path' = 'out/m$i.csv', "
    done
    echo "CREATE STREAM last AS SELECT * FROM trades"
    echo "WITH ($props'trades.type' = 'file_source', 'trades.path' = 'trades.csv', 'trades.schema' = '$SCHEMA',"
    echo "      'last.type' = 'file_sink', 'last.path' = 'out/last.csv');"
}

lines() { "$VELO" expand "$1" 2>/dev/null | wc -l; }
bytes() { "$VELO" expand "$1" 2>/dev/null | wc -c; }

say "generated code size"
declare -A CHAIN
for n in 1 2 4 8; do
    chain_app "$n" > "$WORK/chain_$n.sql"
    CHAIN[$n]=$(lines "$WORK/chain_$n.sql")
    echo "    chain $n: ${CHAIN[$n]} lines" >&2
done
declare -A SUM_B SUM_S
for n in 100 500 2000; do
    sum_app "$n" > "$WORK/sum_$n.sql"
    t0=$(now)
    SUM_B[$n]=$(bytes "$WORK/sum_$n.sql")
    SUM_S[$n]=$(fsub "$(now)" "$t0")
    echo "    sum $n: ${SUM_B[$n]} bytes (${SUM_S[$n]} s)" >&2
done
mkdir -p "$WORK/trading"
cp "$ROOT/apps/trading/trading.sql" "$ROOT/apps/trading/trades.csv" "$WORK/trading/"
declare -A APP_LINES APP_SQL
APP_SQL[trading]=$WORK/trading/trading.sql
for n in 1 10 50; do
    mixed_app "$n" > "$WORK/mixed_$n.sql"
    APP_SQL[mixed_$n]=$WORK/mixed_$n.sql
done
for app in trading mixed_1 mixed_10 mixed_50; do
    APP_LINES[$app]=$(cd "$(dirname "${APP_SQL[$app]}")" && lines "${APP_SQL[$app]}")
    echo "    $app: ${APP_LINES[$app]} lines" >&2
done

declare -A WARM NOOP
if [[ -z ${SIZES_ONLY:-} ]]; then
    say "W6 build latency (warm: one literal changed; no-op: unchanged)"
    build() { # SQL LOG: seconds of one `velo build`
        local t0
        t0=$(now)
        (cd "$(dirname "$1")" && "$VELO" build "$1" -o "$WORK/app.bin") > "$2" 2>&1 || { cat "$2" >&2; exit 1; }
        fsub "$(now)" "$t0"
    }
    for app in trading mixed_1 mixed_10 mixed_50; do
        sql=${APP_SQL[$app]}
        warm_sql=$(dirname "$sql")/warm_$(basename "$sql")
        # Prime with the original text, then change one literal to a value never built before.
        build "$sql" "$WORK/prime.log" > /dev/null
        stamp=$(( $(date +%s%N) / 1000 % 100000000 ))
        if [[ $app == trading ]]; then
            sed "s/INTERVAL '90' SECOND/INTERVAL '$stamp' SECOND/" "$sql" > "$warm_sql"
        else
            mixed_app "${app#mixed_}" "Z$stamp" > "$warm_sql"
        fi
        cmp -s "$sql" "$warm_sql" && { echo "error: the warm build of $app changed nothing" >&2; exit 1; }
        build "$warm_sql" "$WORK/warm.log" > /dev/null  # the first build of the new name primes its crate
        if [[ $app == trading ]]; then
            sed -i "s/INTERVAL '$stamp' SECOND/INTERVAL '$((stamp + 1))' SECOND/" "$warm_sql"
        else
            mixed_app "${app#mixed_}" "Y$stamp" > "$warm_sql"
        fi
        WARM[$app]=$(build "$warm_sql" "$WORK/warm.log")
        grep -q "(compiled)" "$WORK/warm.log" || WARM[$app]+=" (not compiled?)"
        NOOP[$app]=$(build "$warm_sql" "$WORK/noop.log")
        grep -q "(cache hit)" "$WORK/noop.log" || NOOP[$app]+=" (not a cache hit)"
        echo "    $app: warm ${WARM[$app]} s, no-op ${NOOP[$app]} s" >&2
    done
fi

GIT_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(cd "$ROOT" && { git diff --quiet HEAD -- velo-rt velo-codegen templates 2>/dev/null && echo "" || echo " with uncommitted changes"; })
per_stmt() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.0f", (b - a) / n }'; }
SECTION=$(mktemp)
{
    echo "<!-- codegen.sh:begin -->"
    echo "## Generated code and build latency (written by \`benches/codegen.sh\`)"
    echo
    echo "- **Date**: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), git $GIT_REV$GIT_DIRTY, $(nproc) cores"
    echo
    echo "| app | generated lines | lines per added statement |"
    echo "|---|---:|---:|"
    echo "| chain 1 | ${CHAIN[1]} | – |"
    echo "| chain 2 | ${CHAIN[2]} | $(per_stmt "${CHAIN[1]}" "${CHAIN[2]}" 1) |"
    echo "| chain 4 | ${CHAIN[4]} | $(per_stmt "${CHAIN[2]}" "${CHAIN[4]}" 2) |"
    echo "| chain 8 | ${CHAIN[8]} | $(per_stmt "${CHAIN[4]}" "${CHAIN[8]}" 4) |"
    echo
    echo "| expression | generated bytes | \`velo expand\` s |"
    echo "|---|---:|---:|"
    for n in 100 500 2000; do echo "| sum of $n terms | ${SUM_B[$n]} | ${SUM_S[$n]} |"; done
    echo
    echo "| app | generated lines | warm build s | no-op build s |"
    echo "|---|---:|---:|---:|"
    for app in trading mixed_1 mixed_10 mixed_50; do
        echo "| $app | ${APP_LINES[$app]} | ${WARM[$app]:-–} | ${NOOP[$app]:-–} |"
    done
    echo "<!-- codegen.sh:end -->"
} > "$SECTION"
replace_section "$RESULTS" "$SECTION" codegen.sh
rm -f "$SECTION"
say "wrote the codegen.sh section of $RESULTS"
