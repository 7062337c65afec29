#!/usr/bin/env bash
# Augmenting scikit-learn's wine table (178 rows x 13 columns, standardised):
# the particle generator (`pushforward augment --method gpa`, in the columns
# and in a 5-D PCA latent space) against the copula and flow-matching
# engines (`fit` + `sample`), judged against held-out real rows.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward, or set PF);
# needs python3 with numpy and scikit-learn.
#
#   bench/augment_wine.sh                  # seeds 1-3
#   SEEDS=1 bench/augment_wine.sh          # quick check
#
# Environment:
#   PF      the pushforward binary
#   PYTHON  the Python interpreter (python3)
#   OUT     output folder (bench/out/augment_wine)
#   SEEDS   seeds of the fits and the new rows (1 2 3)
#
# Steps:
#   1. wine, each column standardised over all 178 rows, split 70/30 by
#      numpy's default_rng(0) permutation (as bench/nflow.sh): 124 training
#      rows, 54 held-out rows;
#   2. per seed and method, 124 new rows from the training rows alone, each
#      method with its defaults: gpa (`augment --method gpa --rows 124`: KL,
#      L = 1, 3x32 ReLU, 500 Euler steps of 0.5, the new rows are the
#      output's last 124), gpa with `--latent pca:5`, the copula
#      (`fit --holdout 0`) and flow matching (`fit --method flow-matching`);
#   3. C2ST AUC of the new rows against the held-out rows
#      (`evaluate --real held --metrics c2st`: 0.5 is indistinguishable);
#      DCR, the median distance of a new row to its closest training row
#      beside the held-out rows' own (`evaluate --real train --holdout held
#      --metrics privacy`, standardised units): a ratio well below 1 means
#      the new rows sit closer to the training rows than fresh real rows do
#      (copies); exact copies; and the wall time of fit + sample.
# Medians over the seeds.
set -euo pipefail
PF=${PF:-${CARGO_TARGET_DIR:-target}/release/pushforward}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-bench/out/augment_wine}
SEEDS=${SEEDS:-1 2 3}
mkdir -p "$OUT"

"$PYTHON" - "$OUT" <<'EOF'
import sys
import numpy as np
from sklearn.datasets import load_wine
out = sys.argv[1]
data = load_wine()
x = (data.data - data.data.mean(0)) / data.data.std(0)
order = np.random.default_rng(0).permutation(len(x))
cut = int(0.7 * len(x))
names = [n.replace("/", "_") for n in data.feature_names]
for part, rows in (("train", order[:cut]), ("held", order[cut:])):
    np.savetxt(f"{out}/wine_{part}.csv", x[rows], delimiter=",", header=",".join(names), comments="", fmt="%.6g")
EOF
train=$OUT/wine_train.csv
held=$OUT/wine_held.csv

# new METHOD SEED FILE: writes 124 new rows of METHOD to FILE
new() {
  local method=$1 seed=$2 file=$3
  case $method in
    gpa) "$PF" augment "$train" --method gpa --rows 124 --seed "$seed" --quiet -o "$file.all.csv" 2>/dev/null ;;
    gpa-pca5) "$PF" augment "$train" --method gpa --latent pca:5 --rows 124 --seed "$seed" --quiet -o "$file.all.csv" 2>/dev/null ;;
    copula | flow-matching)
      local extra=()
      if [[ $method == copula ]]; then extra=(--holdout 0); fi
      "$PF" fit "$train" --method "$method" "${extra[@]}" --seed "$seed" --quiet -o "$file.pfm" 2>/dev/null
      "$PF" sample "$file.pfm" --rows 124 --seed "$seed" --quiet -o "$file" 2>/dev/null
      return ;;
  esac
  { head -1 "$file.all.csv"; tail -124 "$file.all.csv"; } >"$file"
}

# score FILE: prints "auc dcr_new dcr_held copies"
score() {
  local auc privacy
  auc=$("$PF" evaluate --real "$held" --synth "$1" --metrics c2st --json - 2>/dev/null |
    "$PYTHON" -c 'import json, sys; print("%.3f" % json.load(sys.stdin)["joint"]["c2st_auc"])')
  privacy=$("$PF" evaluate --real "$train" --holdout "$held" --synth "$1" --metrics privacy --json - 2>/dev/null |
    "$PYTHON" -c 'import json, sys; p = json.load(sys.stdin)["privacy"]; print("%.3f %.3f %d" % (p["dcr_synth_median"], p["dcr_holdout_median"], p["exact_copies"]))')
  echo "$auc $privacy"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

{
  echo "method | C2ST AUC vs held-out | DCR new rows | DCR held-out rows | ratio | exact copies | fit + sample s (medians over seeds: $SEEDS)"
  for method in gpa gpa-pca5 copula flow-matching; do
    rows=()
    for seed in $SEEDS; do
      file=$OUT/${method}_$seed.csv
      start=$(date +%s.%N)
      new "$method" "$seed" "$file"
      seconds=$("$PYTHON" -c "import time; print('%.1f' % (time.time() - $start))")
      read -r auc dn dh copies < <(score "$file")
      rows+=("$auc $dn $dh $("$PYTHON" -c "print('%.2f' % ($dn / $dh))") $copies $seconds")
      echo "  $method seed $seed: ${rows[-1]}" >&2
    done
    col() { printf '%s\n' "${rows[@]}" | awk -v k="$1" '{ print $k }' | median; }
    echo "$method | $(col 1) | $(col 2) | $(col 3) | $(col 4) | $(col 5) | $(col 6)"
  done
} | tee "$OUT/summary.txt"
