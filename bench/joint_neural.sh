#!/usr/bin/env bash
# The neural joint generator (`generate --engine neural`) on the joint-
# distribution seed's twelve marginals and published target, against the
# PyTorch reference of the seed's method (bench/reference/joint_neural_torch.py)
# and the copula engine, then on a feasible target.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward); the torch
# part needs python3 with torch, numpy and scipy (torchsort if it builds:
# `pip install --no-build-isolation torchsort==0.1.10`).
#
#   bench/joint_neural.sh                          # everything (the torch run takes 20-50 min)
#   IMPLS=rust WEIGHTS=1 bench/joint_neural.sh     # the default weights only
#
# Environment:
#   IMPLS    "rust torch" (default) or one of them
#   WEIGHTS  marginal loss weights of the trade-off table ("0.25 1 4 16")
#   BUDGETS  shorter --train-steps runs at the default weights ("250 500"),
#            to find the least training that beats the seed's result
#   ROWS     rows generated and measured (100000)
#   SEED     seed of training and sampling (7)
#   OUT      output folder (bench/out/joint_neural)
#   PYTHON   the Python interpreter (python3)
#
# Steps:
#   1. copula: generate SPEC --on-infeasible nearest -n ROWS -o copula.parquet;
#   2. for each weight W: the wall clock (`date +%s.%N` around the command) of
#        generate SPEC --engine neural --on-infeasible nearest -n ROWS --seed SEED
#            --loss-weights correlation=1,marginal=W --save-model neural_W.pf
#            -o neural_W.parquet
#      then the same rows with exact marginals:
#        sample neural_W.pf -n ROWS --seed SEED --match-marginals -o neural_W_matched.parquet
#   3. for each budget N: the same at the default weights with --train-steps N
#      -> neural_steps_N.parquet;
#   4. both engines on the seed's target with two categorical columns added
#      (examples/seed-target-categorical.toml) and on the same twelve marginals
#      with a feasible target (examples/demo.toml);
#   5. torch: joint_neural_torch.py with the seed's settings (640 steps of 128
#      sets of 2,000 points, Adam 0.0314), the time at which the 10-step means
#      of its losses first reach the seed's final ones (correlation 0.0131,
#      marginal 0.0439), and ROWS rows with discrete columns rounded -> torch.csv;
#   6. `evaluate --spec` (columns, dependence) of every output -> *.eval.json;
#   7. summary (stdout and $OUT/summary.txt) by bench/reference/joint_summary.py:
#      time to the seed's losses, mean/max correlation error over all entries,
#      worst KS, std and 99.9% quantile ratios, per-column KS.
set -euo pipefail

IMPLS=${IMPLS:-rust torch}
WEIGHTS=${WEIGHTS:-0.25 1 4 16}
BUDGETS=${BUDGETS:-250 500}
ROWS=${ROWS:-100000}
SEED=${SEED:-7}
OUT=${OUT:-bench/out/joint_neural}
PYTHON=${PYTHON:-python3}
BIN="${CARGO_TARGET_DIR:-target}/release/pushforward"
SPEC=examples/seed-target.toml
CATEGORICAL=examples/seed-target-categorical.toml
FEASIBLE=examples/demo.toml
REF=bench/reference

has() { [[ " $IMPLS " == *" $1 "* ]]; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
evaluate() { "$BIN" evaluate --spec "$1" --synth "$2" --metrics columns,dependence --json "${2%.*}.eval.json" >/dev/null 2>&1; }

[[ -x $BIN ]] || { echo "error: $BIN not found: run cargo build --release -p pushforward-cli" >&2; exit 1; }
mkdir -p "$OUT"
TIMES=$OUT/times.tsv
printf 'run\twall_seconds\n' >"$TIMES"

if has rust; then
  echo "== copula"
  t0=$(now)
  "$BIN" generate "$SPEC" --on-infeasible nearest -n "$ROWS" --seed "$SEED" -o "$OUT/copula.parquet" 2>/dev/null
  printf 'copula\t%s\n' "$(seconds_since "$t0")" >>"$TIMES"
  evaluate "$SPEC" "$OUT/copula.parquet"
  for w in $WEIGHTS; do
    t0=$(now)
    "$BIN" generate "$SPEC" --engine neural --on-infeasible nearest -n "$ROWS" --seed "$SEED" \
      --loss-weights "correlation=1,marginal=$w" --save-model "$OUT/neural_$w.pf" \
      -o "$OUT/neural_$w.parquet" -q 2>"$OUT/neural_$w.log"
    wall=$(seconds_since "$t0")
    printf 'neural_%s\t%s\n' "$w" "$wall" >>"$TIMES"
    echo "== neural, marginal weight $w: $wall s"
    "$BIN" sample "$OUT/neural_$w.pf" -n "$ROWS" --seed "$SEED" --match-marginals \
      -o "$OUT/neural_${w}_matched.parquet" 2>/dev/null
    evaluate "$SPEC" "$OUT/neural_$w.parquet"
    evaluate "$SPEC" "$OUT/neural_${w}_matched.parquet"
  done
  for n in $BUDGETS; do
    t0=$(now)
    "$BIN" generate "$SPEC" --engine neural --on-infeasible nearest -n "$ROWS" --seed "$SEED" \
      --train-steps "$n" -o "$OUT/neural_steps_$n.parquet" -q 2>"$OUT/neural_steps_$n.log"
    wall=$(seconds_since "$t0")
    printf 'neural_steps_%s\t%s\n' "$n" "$wall" >>"$TIMES"
    echo "== neural, $n steps: $wall s"
    evaluate "$SPEC" "$OUT/neural_steps_$n.parquet"
  done
  for example in "categorical:$CATEGORICAL" "feasible:$FEASIBLE"; do
    name=${example%%:*} spec=${example#*:}
    echo "== $name example"
    t0=$(now)
    "$BIN" generate "$spec" --engine neural --on-infeasible nearest -n "$ROWS" --seed "$SEED" \
      -o "$OUT/${name}_neural.parquet" -q 2>"$OUT/${name}_neural.log"
    printf '%s_neural\t%s\n' "$name" "$(seconds_since "$t0")" >>"$TIMES"
    t0=$(now)
    "$BIN" generate "$spec" --on-infeasible nearest -n "$ROWS" --seed "$SEED" \
      -o "$OUT/${name}_copula.parquet" 2>/dev/null
    printf '%s_copula\t%s\n' "$name" "$(seconds_since "$t0")" >>"$TIMES"
    evaluate "$spec" "$OUT/${name}_neural.parquet"
    evaluate "$spec" "$OUT/${name}_copula.parquet"
  done
fi

if has torch; then
  echo "== torch reference (the seed's 640 steps)"
  t0=$(now)
  "$PYTHON" "$REF/joint_neural_torch.py" --target "$SPEC" --target-corr 0.0131 --target-marginal 0.0439 \
    --rows "$ROWS" --out "$OUT/torch.csv" --json "$OUT/torch.json" >/dev/null 2>"$OUT/torch.log"
  printf 'torch\t%s\n' "$(seconds_since "$t0")" >>"$TIMES"
  evaluate "$SPEC" "$OUT/torch.csv"
fi

"$PYTHON" "$REF/joint_summary.py" "$OUT" | tee "$OUT/summary.txt"
