#!/usr/bin/env bash
# The whole test suite: unit tests, golden generated code, diagnostics snapshots, the compile
# proof of every app, in-process end-to-end runs against DuckDB, `velo build` CLI tests, the
# replay of the fuzz corpus, and 200 mutants of the bundled apps through `velo check`.
set -euo pipefail
cd "$(dirname "$0")/.."
export VELO_CACHE_DIR="${VELO_CACHE_DIR:-$PWD/target/velo-cache}"
python3 -c "import duckdb" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check duckdb==2.0.1
cargo test --workspace
python3 scripts/mutants.py --count 200
