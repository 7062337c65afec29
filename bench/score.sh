#!/usr/bin/env bash
# Score models: `pushforward fit --method score` against the PyTorch reference
# (bench/reference/score_torch.py, the same equations, network, noise levels,
# batch, optimiser and steps), training time per step and sample quality, on
# the 1-D mixture 0.5 N(-1, 0.5^2) + 0.5 N(1, 0.5^2) and on two moons.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward); needs
# python3 with torch and numpy.
#
#   bench/score.sh                        # 3 runs x 5,000 steps per data set
#   RUNS=1 STEPS=500 bench/score.sh       # quick check
#
# Environment:
#   RUNS    training runs per implementation and data set, seeds 1..RUNS (3)
#   STEPS   training steps (5000)
#   OUT     output folder (bench/out/score)
#   PYTHON  the Python interpreter (python3)
#
# Steps:
#   1. data: mixture.csv (20,000 rows, seed 1) and moons.csv (20,000 rows,
#      seed 1) to train on; mixture_test.csv (10,000 rows, seed 2) and
#      moons_real.csv (2,000 rows, seed 7) to score against;
#   2. for each data set and run R: `pushforward fit DATA --method score
#      --steps STEPS --seed R --quiet` (3x128 SiLU, batch 256, AdamW 2e-3, the
#      defaults) and score_torch.py with the same settings; time per step is
#      pushforward's wall clock of the whole command over STEPS and torch's
#      training-loop time over STEPS (from its JSON, after 20 warm-up steps,
#      without the Python start-up); run 1 of torch writes 10,000
#      (mixture) or 2,000 (moons) samples by 50 midpoint steps of the
#      probability-flow ODE;
#   3. samples from run 1 of pushforward, seed 11: the probability-flow ODE
#      (the default, 50 midpoint steps) and annealed Langevin (10 levels x
#      100 steps); `pushforward evaluate` against the held-out rows: KS and
#      W1 (mixture), sliced W2, MMD^2 and coverage (moons);
#   4. mixture weights: the share of each sample below 0 (the true weight
#      of the left component is 0.5);
#   5. likelihood: `pushforward likelihood` of mixture_test.csv with 25, 50
#      and 100 RK4 steps (4 network evaluations per step) against the exact
#      mean log-density of the mixture at those rows;
#   6. summary on stdout and in $OUT/summary.txt.
set -euo pipefail

RUNS=${RUNS:-3}
STEPS=${STEPS:-5000}
OUT=${OUT:-bench/out/score}
PYTHON=${PYTHON:-python3}
BIN="${CARGO_TARGET_DIR:-target}/release/pushforward"
REF=bench/reference
SEED=11

[[ -x $BIN ]] || { echo "error: $BIN not found: run cargo build --release -p pushforward-cli" >&2; exit 1; }
mkdir -p "$OUT"
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$@" | tee -a "$SUMMARY"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json() { "$PYTHON" -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
below_zero() { awk -F, 'NR > 1 { n++; if ($1 < 0) k++ } END { printf "%.4f", k / n }' "$1"; }

"$BIN" toy twogaussians -n 20000 -s 1 -o "$OUT/mixture.csv" 2>/dev/null
"$BIN" toy twogaussians -n 10000 -s 2 -o "$OUT/mixture_test.csv" 2>/dev/null
"$BIN" toy moons -n 20000 -s 1 -o "$OUT/moons.csv" 2>/dev/null
"$BIN" toy moons -n 2000 -s 7 -o "$OUT/moons_real.csv" 2>/dev/null

for set in mixture moons; do
  rows=10000; [[ $set == moons ]] && rows=2000
  : >"$OUT/${set}_rust_ms" ; : >"$OUT/${set}_torch_ms"
  for r in $(seq 1 "$RUNS"); do
    start=$(date +%s.%N)
    "$BIN" fit "$OUT/$set.csv" --method score --steps "$STEPS" --seed "$r" --quiet -o "$OUT/rust_${set}_$r.pf" 2>"$OUT/rust_${set}_$r.log"
    # The whole command's wall clock (reading, fitting, writing) per step.
    awk -v a="$start" -v b="$(date +%s.%N)" -v n="$STEPS" 'BEGIN { printf "%.4f\n", 1000 * (b - a) / n }' >>"$OUT/${set}_rust_ms"
    out=(); [[ $r == 1 ]] && out=(--out "$OUT/torch_${set}.csv" --samples "$rows")
    OMP_WAIT_POLICY=passive "$PYTHON" "$REF/score_torch.py" --data "$OUT/$set.csv" --steps "$STEPS" --seed "$r" "${out[@]}" \
      >"$OUT/torch_${set}_$r.json"
    json "$OUT/torch_${set}_$r.json" 'r["ms_per_step"]' >>"$OUT/${set}_torch_ms"
  done
  rust_ms=$(median <"$OUT/${set}_rust_ms"); torch_ms=$(median <"$OUT/${set}_torch_ms")
  say "$set: ms per training step (median of $RUNS runs, $STEPS steps): pushforward $rust_ms ($(paste -sd' ' "$OUT/${set}_rust_ms")), torch $torch_ms ($(paste -sd' ' "$OUT/${set}_torch_ms")), ratio $(awk -v a="$torch_ms" -v b="$rust_ms" 'BEGIN { printf "%.2f", a / b }')"
  model=$OUT/rust_${set}_1.pf
  "$BIN" sample "$model" -n "$rows" --seed "$SEED" -q -o "$OUT/rust_${set}_ode.csv" 2>/dev/null
  start=$(date +%s.%N)
  "$BIN" sample "$model" -n "$rows" --seed "$SEED" -q --sampler langevin -o "$OUT/rust_${set}_langevin.csv" 2>/dev/null
  say "$set: annealed Langevin sampling of $rows rows took $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
  real=$OUT/mixture_test.csv; [[ $set == moons ]] && real=$OUT/moons_real.csv
  for s in rust_${set}_ode rust_${set}_langevin torch_${set}; do
    if [[ $set == mixture ]]; then
      "$BIN" evaluate --real "$real" --synth "$OUT/$s.csv" --metrics columns --json "$OUT/$s.json" >/dev/null 2>&1
      say "$s: KS $(json "$OUT/$s.json" 'round(r["columns"]["x"]["ks"], 4)'), W1 $(json "$OUT/$s.json" 'round(r["columns"]["x"]["w1"], 4)'), weight below 0 $(below_zero "$OUT/$s.csv") (true 0.5)"
    else
      "$BIN" evaluate --real "$real" --synth "$OUT/$s.csv" --metrics sliced,mmd,prdc --json "$OUT/$s.json" >/dev/null 2>&1
      say "$s: sliced W2 $(json "$OUT/$s.json" 'round(r["joint"]["sliced_w2"], 4)'), MMD2 $(json "$OUT/$s.json" 'round(r["joint"]["mmd2"], 5)'), coverage $(json "$OUT/$s.json" 'round(r["joint"]["coverage"], 3)')"
    fi
  done
done

exact=$("$PYTHON" - "$OUT/mixture_test.csv" <<'PY'
import sys
import numpy as np
x = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
p = 0.5 * np.exp(-0.5 * ((x + 1) / 0.5) ** 2) + 0.5 * np.exp(-0.5 * ((x - 1) / 0.5) ** 2)
print(f"{np.mean(np.log(p / (0.5 * np.sqrt(2 * np.pi)))):.4f}")
PY
)
say "mixture: exact mean log-density of mixture_test.csv $exact"
for k in 25 50 100; do
  ll=$("$BIN" likelihood "$OUT/rust_mixture_1.pf" "$OUT/mixture_test.csv" --solver-steps "$k" -o "$OUT/ll_$k.csv" 2>&1 | awk '/mean log-likelihood/ { print $3 }')
  say "mixture: probability-flow mean log-likelihood, $k RK4 steps ($((4 * k)) evaluations): $ll (gap $(awk -v a="$ll" -v b="$exact" 'BEGIN { printf "%+.4f", a - b }') nats)"
done
