#!/usr/bin/env bash
# The WGAN with the R1 + R2 penalty on the 25-Gaussian grid of the WGAN-GP
# paper: `pushforward fit --method wgan` against the PyTorch reference
# (bench/reference/wgan_torch.py), mode coverage by one script for both
# (bench/reference/grid_modes.py).
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward, or set PF);
# needs python3 with torch and numpy.
#
#   bench/wgan.sh                          # seeds 1-5, the defaults
#   SEEDS="1" GP_STEPS=500 bench/wgan.sh   # quick check
#
# Environment:
#   PF         the pushforward binary
#   PYTHON     the Python interpreter (python3)
#   OUT        output folder (bench/out/wgan)
#   SEEDS      seeds of the data, the fits and the samples (1 2 3 4 5)
#   STEPS      generator steps of pushforward and of the R1 + R2 reference (10000)
#   GP_STEPS   generator steps of WGAN-GP, 5 critic steps each (2000)
#   TIME_STEPS generator steps of the timed R1 + R2 reference run (300)
#
# Per seed:
#   1. 20,000 rows of `pushforward toy 25gaussians` (centres {-4,-2,0,2,4}^2,
#      sd 0.05);
#   2. `pushforward fit --method wgan` with its defaults (3x128 LeakyReLU
#      generator and critic, 8-D noise, batch 256, R1 + R2 weight 5, one
#      critic step per generator step, Adam 1e-3 / 2e-3, betas 0.5, 0.9,
#      EMA 0.999) and 2,500 samples;
#   3. the reference WGAN-GP (lambda 10 at interpolates, 5 critic steps,
#      Adam 1e-4, betas 0.5, 0.9; same networks, noise and batch) for
#      GP_STEPS generator steps and 2,500 samples;
#   4. the same algorithm as pushforward's in PyTorch (--penalty-kind r1r2)
#      for TIME_STEPS steps: its time per generator step beside ours;
#   5. coverage of each sample: a mode is covered when at least a fifth of
#      its fair share (100 of 2,500) lies within 3 sd of it.
# PyTorch runs with 2 threads and OMP_WAIT_POLICY=passive (without it, its
# worker threads spin and a loaded machine slows it tenfold); the loop's
# wall time comes from each program's own report.
set -euo pipefail
PF=${PF:-${CARGO_TARGET_DIR:-target}/release/pushforward}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-bench/out/wgan}
SEEDS=${SEEDS:-1 2 3 4 5}
STEPS=${STEPS:-10000}
GP_STEPS=${GP_STEPS:-2000}
TIME_STEPS=${TIME_STEPS:-300}
export OMP_WAIT_POLICY=passive
mkdir -p "$OUT"

modes() { "$PYTHON" bench/reference/grid_modes.py "$1"; }
seconds_of() { "$PYTHON" -c 'import json, sys; print("%.1f" % json.loads(sys.stdin.read())["seconds"])'; }

echo "seed | pushforward R1+R2 ($STEPS steps) | PyTorch WGAN-GP ($GP_STEPS steps x 5 critic) | ms per step: pushforward, PyTorch R1+R2"
for seed in $SEEDS; do
  data="$OUT/grid_$seed.csv"
  "$PF" toy 25gaussians -n 20000 --seed "$seed" -o "$data" 2>/dev/null
  log="$OUT/fit_$seed.log"
  "$PF" fit "$data" --method wgan --steps "$STEPS" --seed "$seed" -o "$OUT/wgan_$seed.pf" --quiet 2>"$log"
  rust_s=$(sed -n 's/.* steps in \([0-9.]*\) s.*/\1/p' "$log")
  "$PF" sample "$OUT/wgan_$seed.pf" -n 2500 --seed "$seed" -o "$OUT/rust_$seed.csv" --quiet 2>/dev/null
  gp_s=$("$PYTHON" bench/reference/wgan_torch.py --data "$data" --out "$OUT/torch_gp_$seed.csv" \
    --steps "$GP_STEPS" --seed "$seed" | seconds_of)
  r1_ms=$("$PYTHON" bench/reference/wgan_torch.py --data "$data" --out "$OUT/torch_r1r2_$seed.csv" \
    --penalty-kind r1r2 --steps "$TIME_STEPS" --seed "$seed" |
    "$PYTHON" -c 'import json, sys; print("%.1f" % json.loads(sys.stdin.read())["ms_per_step"])')
  rust_ms=$("$PYTHON" -c "print('%.1f' % (1000 * $rust_s / $STEPS))")
  echo "$seed | $(modes "$OUT/rust_$seed.csv") in $rust_s s | $(modes "$OUT/torch_gp_$seed.csv") in $gp_s s | $rust_ms, $r1_ms"
done
