#!/usr/bin/env bash
# Lipschitz-regularised particle transport (GPA): `pushforward transport`
# against the PyTorch reference (bench/reference/gpa_torch.py) on the
# published configurations, and the divergence estimator's example.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward, or set PF);
# needs python3 with torch, numpy and scikit-learn.
#
#   bench/gpa.sh                                   # the published step counts
#   MIX_STEPS=100 ROLL_STEPS=200 ROLL_LONG_STEPS=300 bench/gpa.sh   # quick check
#
# Environment:
#   PF          the pushforward binary
#   PYTHON      the Python interpreter (python3)
#   OUT         output folder (bench/out/gpa)
#   MIX_STEPS   particle steps of the 4-Gaussian mixture (500)
#   ROLL_STEPS  particle steps of the 3-D Swiss roll (5000)
#   ROLL_LONG_STEPS  particle steps of the longer Rust run of the Swiss roll
#               (7000), still within a fifth of the reference's wall time
#   ROLL_SEEDS  discriminator seeds of the Swiss roll's seed sweep (empty: none)
#
# Steps:
#   1. data (bench/reference/gpa_data.py, seeded): 200 source and 200 target
#      points per configuration, and the estimator's P and Q;
#   2. the 4-Gaussian mixture: source N(0, 0.5^2 I), KL (Donsker-Varadhan),
#      no Lipschitz constraint, 3x32 ReLU, K = 3 Adam steps at 1e-3,
#      dt = 0.5, Euler; the 3-D Swiss roll (make_swiss_roll(200, 0)): source
#      N(0, 3^2 I), KL, L = 1 (spectral normalisation), Adam 1e-3, K = 3,
#      dt = 0.5, Heun. Each runs in Rust at the full step count and at a fifth
#      of it, and in PyTorch at the full count (2 threads,
#      OMP_WAIT_POLICY=passive); the loop's wall time comes from each
#      program's own report (Rust: its summary line; PyTorch: its JSON, which
#      leaves out the interpreter start-up and the torch import);
#   3. the debiased Sinkhorn divergence of each result to the target,
#      `pushforward evaluate --metrics sinkhorn` (columns standardised by the
#      target, epsilon 0.05);
#   4. the Swiss roll again in Rust for ROLL_LONG_STEPS, and, for each seed of
#      ROLL_SEEDS, in both at ROLL_STEPS and in Rust at ROLL_LONG_STEPS: whether
#      the particles lock onto the 200 targets late in the run differs from
#      seed to seed in both implementations;
#   5. the estimator: `pushforward divergence p.csv q.csv --f kl --lipschitz 10`
#      and the exact-W1 bound beside it (`--f w1 --lipschitz 1`).
set -euo pipefail
PF=${PF:-${CARGO_TARGET_DIR:-target}/release/pushforward}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-bench/out/gpa}
MIX_STEPS=${MIX_STEPS:-500}
ROLL_STEPS=${ROLL_STEPS:-5000}
ROLL_LONG_STEPS=${ROLL_LONG_STEPS:-7000}
ROLL_SEEDS=${ROLL_SEEDS:-}
mkdir -p "$OUT"
"$PYTHON" bench/reference/gpa_data.py "$OUT"

sinkhorn() {
  "$PF" evaluate --real "$1" --synth "$2" --metrics sinkhorn --json - 2>/dev/null |
    "$PYTHON" -c 'import json, sys; print("%.4f" % json.load(sys.stdin)["joint"]["sinkhorn"])'
}

# rust NAME STEPS FLAGS...: prints "seconds sinkhorn"
rust() {
  local name=$1 steps=$2
  shift 2
  local log="$OUT/rust_${name}_${steps}.log"
  "$PF" transport "$OUT/${name}_source.csv" "$OUT/${name}_target.csv" -o "$OUT/rust_${name}_${steps}.csv" \
    --particle-steps "$steps" --critic-steps 3 --lr 1e-3 --dt 0.5 --quiet "$@" 2>"$log"
  local seconds
  seconds=$(sed -n 's/.* steps (\([0-9.]*\) s).*/\1/p' "$log")
  echo "$seconds $(sinkhorn "$OUT/${name}_target.csv" "$OUT/rust_${name}_${steps}.csv")"
}

# torch NAME STEPS FLAGS...: prints "seconds sinkhorn"
torch() {
  local name=$1 steps=$2
  shift 2
  local seconds
  seconds=$(OMP_WAIT_POLICY=passive "$PYTHON" bench/reference/gpa_torch.py \
    --source "$OUT/${name}_source.csv" --target "$OUT/${name}_target.csv" --out "$OUT/torch_${name}.csv" \
    --particle-steps "$steps" --critic-steps 3 --lr 1e-3 --dt 0.5 --threads 2 "$@" |
    "$PYTHON" -c 'import json, sys; print("%.2f" % json.load(sys.stdin)["seconds"])')
  echo "$seconds $(sinkhorn "$OUT/${name}_target.csv" "$OUT/torch_${name}.csv")"
}

{
  echo "configuration | steps | implementation | loop seconds | ms per step | Sinkhorn to target"
  for spec in "mixture $MIX_STEPS euler" "roll $ROLL_STEPS heun"; do
    read -r name steps scheme <<<"$spec"
    if [ "$name" = mixture ]; then rflags=(--no-lipschitz); tflags=(); else rflags=(--lipschitz 1); tflags=(--lipschitz 1); fi
    fifth=$((steps / 5))
    read -r ts tk < <(torch "$name" "$steps" --scheme "$scheme" "${tflags[@]}")
    read -r rs rk < <(rust "$name" "$steps" --scheme "$scheme" "${rflags[@]}")
    read -r fs fk < <(rust "$name" "$fifth" --scheme "$scheme" "${rflags[@]}")
    ms() { "$PYTHON" -c "print('%.2f' % (1e3 * $1 / $2))"; }
    echo "$name | $steps | pytorch | $ts | $(ms "$ts" "$steps") | $tk"
    echo "$name | $steps | pushforward | $rs | $(ms "$rs" "$steps") | $rk"
    echo "$name | $fifth | pushforward | $fs | $(ms "$fs" "$fifth") | $fk"
  done
  read -r ls lk < <(rust roll "$ROLL_LONG_STEPS" --scheme heun --lipschitz 1)
  echo "roll | $ROLL_LONG_STEPS | pushforward | $ls | $(ms "$ls" "$ROLL_LONG_STEPS") | $lk"
  for seed in $ROLL_SEEDS; do
    read -r ts tk < <(torch roll "$ROLL_STEPS" --scheme heun --lipschitz 1 --seed "$seed")
    read -r rs rk < <(rust roll "$ROLL_STEPS" --scheme heun --lipschitz 1 --seed "$seed")
    read -r ls lk < <(rust roll "$ROLL_LONG_STEPS" --scheme heun --lipschitz 1 --seed "$seed")
    echo "roll, seed $seed | $ROLL_STEPS | pytorch | $ts | $(ms "$ts" "$ROLL_STEPS") | $tk"
    echo "roll, seed $seed | $ROLL_STEPS | pushforward | $rs | $(ms "$rs" "$ROLL_STEPS") | $rk"
    echo "roll, seed $seed | $ROLL_LONG_STEPS | pushforward | $ls | $(ms "$ls" "$ROLL_LONG_STEPS") | $lk"
  done
  echo
  echo "divergence estimator, P = N(0, I) x 500, Q = N(10, 4I) x 300:"
  echo "KL, L = 10: $("$PF" divergence "$OUT/p.csv" "$OUT/q.csv" --f kl --lipschitz 10 --quiet 2>/dev/null)"
  echo "W1 (L = 1): $("$PF" divergence "$OUT/p.csv" "$OUT/q.csv" --f w1 --lipschitz 1 --quiet 2>/dev/null)"
} | tee "$OUT/summary.txt"
