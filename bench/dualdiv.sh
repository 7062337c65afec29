#!/usr/bin/env bash
# Dual-divergence sampling against flow matching, the copula on flattened rows
# and generative particles (GPA), each trained on the same few hundred samples.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward, or set PF);
# needs python3 with numpy and statsmodels (`pip install statsmodels`).
#
#   bench/dualdiv.sh
#
# Environment:
#   PF      the pushforward binary
#   PYTHON  the Python interpreter (python3)
#   OUT     output folder (bench/out/dualdiv)
#   SEED    the seed of every fit and sample (0)
#   METHODS the methods to run (all five; the summary shows whatever OUT holds)
#
# Steps:
#   1. data (bench/reference/dualdiv_data.py, seeded): 300 samples of a
#      4-channel x 32-step VAR(1) process (--shape 4,32), 300 points of a 2-D
#      mixture of 8 Gaussians, and statsmodels' US quarterly macro data
#      (5 channels) cut into 195 overlapping windows of 8 quarters
#      (--shape 5,8; `--window 8 --stride 1` on the long table cuts the same);
#   2. each method at its defaults fits the set and samples as many rows as
#      it has (fit and sample timed separately, wall clock):
#      dual-divergence, its localised variant (--local 30: a network per
#      run of 30 rows neighbouring in dual value), flow-matching, copula
#      (--split none --holdout 0, on the flattened rows) and gpa (the
#      sample is a fresh transport);
#   3. `pushforward evaluate --real train --synth sample [--shape C,T]`
#      (discriminative and correlational scores for series, C2ST, sliced W2)
#      and `pushforward divergence sample --f kl-marginals` beside the
#      training rows' own;
#   4. bench/reference/dualdiv_summary.py prints the table (with the share of
#      generated rows closer to a training row than the 5th percentile of
#      the training rows' nearest-neighbour distances).
set -euo pipefail
PF=${PF:-${CARGO_TARGET_DIR:-target}/release/pushforward}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-bench/out/dualdiv}
SEED=${SEED:-0}
METHODS=${METHODS:-dual-divergence dual-divergence-local flow-matching copula gpa}

"$PYTHON" bench/reference/dualdiv_data.py "$OUT/data"

now() { date +%s.%N; }

run_set() {
    local name=$1 file=$2 shape=$3
    local dir="$OUT/$name"
    mkdir -p "$dir"
    cp "$OUT/data/$file" "$dir/train.csv"
    local rows
    rows=$(($(wc -l < "$dir/train.csv") - 1))
    local series=()
    if [[ -n $shape ]]; then series=(--shape "$shape"); fi
    "$PF" divergence "$dir/train.csv" --f kl-marginals "${series[@]}" -q -s "$SEED" > "$dir/real_tc.txt"
    for method in $METHODS; do
        local m="$dir/$method"
        mkdir -p "$m"
        local extra=()
        case $method in
            dual-divergence) extra=("${series[@]}") ;;
            dual-divergence-local) extra=("${series[@]}" --local 30) ;;
            copula) extra=(--split none --holdout 0) ;;
        esac
        local t0 t1 t2
        t0=$(now)
        "$PF" fit "$dir/train.csv" --method "${method%-local}" "${extra[@]}" -s "$SEED" -q -o "$m/model.pf" 2> "$m/fit.log"
        t1=$(now)
        "$PF" sample "$m/model.pf" --rows "$rows" -s "$SEED" -q -o "$m/synth.csv"
        t2=$(now)
        echo "$(echo "$t1 - $t0" | bc) $(echo "$t2 - $t1" | bc)" > "$m/seconds.txt"
        "$PF" evaluate --real "$dir/train.csv" --synth "$m/synth.csv" "${series[@]}" -q --json "$m/eval.json" > /dev/null
        "$PF" divergence "$m/synth.csv" --f kl-marginals "${series[@]}" -q -s "$SEED" > "$m/tc.txt"
        echo "$name $method: fit+sample $(cat "$m/seconds.txt") s" >&2
    done
}

uptime >&2
run_set var var.csv 4,32
run_set mixture mixture.csv ""
run_set macro macro_windows.csv 5,8
"$PYTHON" bench/reference/dualdiv_summary.py "$OUT"
