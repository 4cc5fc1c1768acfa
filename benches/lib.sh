# Shared helpers of the benchmark scripts (sourced by run.sh and 1brc.sh; not run on its own).
# Expects LOG (a log directory) and REPEAT (runs per measurement) to be set by the caller.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
now() { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e' true 2>/dev/null; then
    HAVE_GNU_TIME=1
else
    HAVE_GNU_TIME=0
    echo "warning: GNU time not found at /usr/bin/time (apt-get install -y time); peak RSS will be n/a" >&2
fi
python3 -c 'import duckdb' || { echo "error: python3 module duckdb is missing (pip install duckdb)" >&2; exit 1; }

# sample LABEL CMD...: runs CMD once in $WORK and appends "wall user sys rss" to LABEL's samples.
declare -A M_WALL M_CPU M_RSS M_RUNS
sample() {
    local label=$1; shift
    local tf=$LOG/$label.time
    if ((HAVE_GNU_TIME)); then
        (cd "$WORK" && /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@") \
            > "$LOG/$label.stdout" 2> "$LOG/$label.stderr" \
            || { echo "error: $label failed, see $LOG/$label.stderr" >&2; cat "$LOG/$label.stderr" >&2; exit 1; }
    else
        # bash's `time` keyword: wall, user and sys; no peak RSS.
        local TIMEFORMAT='%R %U %S'
        { time (cd "$WORK" && "$@" > "$LOG/$label.stdout" 2> "$LOG/$label.stderr"); } 2> "$tf" \
            || { echo "error: $label failed, see $LOG/$label.stderr" >&2; cat "$LOG/$label.stderr" >&2; exit 1; }
        echo "$(tail -n 1 "$tf") n/a" > "$tf"
    fi
    tail -n 1 "$tf" >> "$LOG/$label.samples"
}

# summarize LABEL: keeps LABEL's median sample by wall time in M_WALL[LABEL], M_CPU[LABEL]
# (user+sys) and M_RSS[LABEL] (KiB, or n/a), and every wall time in M_RUNS[LABEL].
summarize() {
    local label=$1 samples=$LOG/$1.samples n med
    n=$(wc -l < "$samples")
    med=$(sort -n -k1,1 "$samples" | sed -n "$(((n + 1) / 2))p")
    read -r w u s m <<< "$med"
    M_WALL[$label]=$w
    M_CPU[$label]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    M_RSS[$label]=$m
    M_RUNS[$label]=$(awk '{ printf "%s%s", sep, $1; sep = ", " }' "$samples")
    printf '    %-22s wall %6ss  cpu %6ss  rss %s KiB   (samples: %s)\n' "$label" "$w" "${M_CPU[$label]}" "$m" \
        "$(awk '{ printf "%s%s", sep, $1; sep = " " }' "$samples")" >&2
}

# measure LABEL CMD...: runs CMD REPEAT times in a row, then summarizes.
measure() {
    local label=$1; shift
    : > "$LOG/$label.samples"
    for ((i = 1; i <= REPEAT; i++)); do sample "$label" "$@"; done
    summarize "$label"
}

# DuckDB through its Python module: `python3 -c "$DUCK_PY" THREADS SQL` (no progress bar,
# in-memory database).
DUCK_PY='import duckdb, sys
c = duckdb.connect()
c.execute("SET enable_progress_bar = false")
c.execute("SET threads = " + sys.argv[1])
c.execute(sys.argv[2])'

# WAIT_IDLE=SECONDS: wait (up to that long) until the 1-minute load average drops below 0.3, so
# that other processes (e.g. a cargo build elsewhere) do not share the cores.
wait_idle() {
    ((${WAIT_IDLE:-0} > 0)) || return 0
    say "waiting up to ${WAIT_IDLE} s for the machine to be idle (load average now: $(cut -d' ' -f1 /proc/loadavg))"
    local waited=0
    while awk '{ exit !($1 >= 0.3) }' /proc/loadavg && ((waited < WAIT_IDLE)); do
        sleep 5; waited=$((waited + 5))
    done
}

mb() { [[ $1 == n/a ]] && echo n/a || awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# per ROWS SECONDS: rows per second, with thousands separators.
per() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }' | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta'; }
# rat REFERENCE THIS: ratio of throughputs this/reference = reference seconds / this seconds.
rat() { awk -v r="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.2f×", r / s; else print "n/a" }'; }

# replace_section RESULTS SECTION-FILE NAME: replaces the part of RESULTS between
# `<!-- NAME:begin -->` and `<!-- NAME:end -->` with the file's text (or appends it).
replace_section() {
    python3 - "$1" "$2" "$3" <<'PY'
import os, sys
path, section, name = sys.argv[1], open(sys.argv[2]).read().rstrip("\n") + "\n", sys.argv[3]
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
text = open(path).read() if os.path.exists(path) else "# Velo benchmarks\n\n"
b, e = text.find(begin), text.find(end)
if b != -1 and e != -1 and e > b:
    text = text[:b] + section.rstrip("\n") + text[e + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + section
open(path + ".tmp", "w").write(text)
os.replace(path + ".tmp", path)
PY
}
