#!/usr/bin/env bash
# The copula fit of a table larger than one wants in memory: the generated
# 1,000,000 x 20 mixed table of bench/reference/sdv_tables.py (12 numeric
# columns, 5 categorical, 2 booleans, a date, `income` missing by region),
# fitted from Parquet and from CSV (each read chunk by chunk, once per pass
# of the fit in passes; CSV after a first read for its columns' types),
# then 1,000,000
# rows sampled from the Parquet fit. Wall time and peak resident memory by
# /usr/bin/time, median of RUNS runs each.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward); needs
# python3 with numpy, pandas and pyarrow to write the table once.
#
#   bench/stream_fit.sh             # 3 runs
#   RUNS=1 bench/stream_fit.sh
#
# Environment: RUNS (3), OUT (bench/out/stream), PYTHON (python3).
set -euo pipefail

RUNS=${RUNS:-3}
OUT=${OUT:-bench/out/stream}
PYTHON=${PYTHON:-python3}
BIN="${CARGO_TARGET_DIR:-target}/release/pushforward"

[[ -x $BIN ]] || { echo "error: $BIN not found: run cargo build --release -p pushforward-cli" >&2; exit 1; }
mkdir -p "$OUT"
if [[ ! -f $OUT/mixed_1m.parquet ]]; then
    "$PYTHON" - "$OUT" <<'EOF'
import sys
sys.path.insert(0, "bench/reference")
from sdv_tables import mixed_table

out = sys.argv[1]
table = mixed_table(1_000_000, 7)
table.to_parquet(f"{out}/mixed_1m.parquet", row_group_size=131_072, index=False)
table.to_csv(f"{out}/mixed_1m.csv", index=False)
EOF
fi

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# label, then the command: "label: median seconds, median peak MiB".
measure() {
    local label=$1
    shift
    : >"$OUT/runs"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" 2>/dev/null >/dev/null
        cat "$OUT/time" >>"$OUT/runs"
    done
    printf '%-40s %6.2f s  %5d MiB\n' "$label:" "$(cut -d' ' -f1 "$OUT/runs" | median)" \
        "$(($(cut -d' ' -f2 "$OUT/runs" | median | cut -d. -f1) / 1024))"
}

echo "load: $(uptime)"
measure "fit, Parquet in passes" "$BIN" fit "$OUT/mixed_1m.parquet" --holdout 0 --seed 1 --quiet -o "$OUT/parquet.pfm"
measure "fit, CSV in passes" "$BIN" fit "$OUT/mixed_1m.csv" --holdout 0 --seed 1 --quiet -o "$OUT/csv.pfm"
measure "sample 1,000,000 rows to Parquet" "$BIN" sample "$OUT/parquet.pfm" --rows 1000000 --seed 1 --quiet -o "$OUT/synth.parquet"
echo "load: $(uptime)"
