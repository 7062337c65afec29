#!/usr/bin/env bash
# Normalizing flows: `pushforward fit --method flow` against zuko's NSF at the
# same architecture (bench/reference/flow_zuko.py): time per epoch and test
# negative log-likelihood per dimension.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward); needs
# python3 with torch, numpy, scikit-learn and zuko.
#
#   bench/nflow.sh                    # 3 runs per data set
#   RUNS=1 STEPS=300 bench/nflow.sh   # quick check
#
# Environment:
#   RUNS    training runs per implementation and data set, seeds 1..RUNS (3)
#   STEPS   training steps on moons and the mixture (3000); wine and cancer take STEPS/3
#   SETS    data sets to run (moons mixture wine cancer)
#   OUT     output folder (bench/out/nflow)
#   PYTHON  the Python interpreter (python3)
#   BIN     the pushforward binary (${CARGO_TARGET_DIR:-target}/release/pushforward)
#
# Data (written into $OUT):
#   moons:   pushforward toy moons, 2,000 training rows (seed 1), 2,000 test rows (seed 2)
#   mixture: pushforward toy twogaussians, ½N(−1, 0.5²) + ½N(1, 0.5²), 4,000
#            training rows (seed 1), 10,000 test rows (seed 2)
#   wine:    scikit-learn's wine table (178 rows, 13 columns), split 70/30 by
#            a seeded permutation (NumPy seed 0); batch 64
#   cancer:  scikit-learn's breast-cancer table (569 rows, 30 columns), split
#            and trained as wine
# On the mixture pushforward fits its monotone flow of one column (2 x 64 SiLU
# integrand, 32 Clenshaw-Curtis intervals); zuko fits both its 1-D NSF and
# its UNAF (flow_zuko.py --unaf: one UMNN transform, 2 x 64 SiLU integrand,
# 32-point Gauss-Legendre).
# Both implementations: 4 coupling layers, 8 bins on [-5, 5], conditioners
# 2 x 64 SiLU, batch 256, AdamW 2e-3 (no weight decay) with a cosine schedule,
# no parameter averaging (pushforward's --ema 0), columns standardised by the
# training rows; zuko runs with OMP_WAIT_POLICY=passive (spinning OpenMP
# threads stall on a shared machine). Time per epoch = training seconds / steps x rows / batch
# (pushforward's from the training time in its model header, zuko's from its
# training loop). Output: $OUT/results.tsv and a median summary on stdout.
set -euo pipefail

RUNS=${RUNS:-3}
STEPS=${STEPS:-3000}
OUT=${OUT:-bench/out/nflow}
PYTHON=${PYTHON:-python3}
BIN=${BIN:-"${CARGO_TARGET_DIR:-target}/release/pushforward"}
mkdir -p "$OUT"

"$BIN" toy moons -n 2000 -s 1 -o "$OUT/moons_train.csv" 2>/dev/null
"$BIN" toy moons -n 2000 -s 2 -o "$OUT/moons_test.csv" 2>/dev/null
"$BIN" toy twogaussians -n 4000 -s 1 -o "$OUT/mixture_train.csv" 2>/dev/null
"$BIN" toy twogaussians -n 10000 -s 2 -o "$OUT/mixture_test.csv" 2>/dev/null
"$PYTHON" - "$OUT" <<'EOF'
import sys
import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine
out = sys.argv[1]
for name, load in (("wine", load_wine), ("cancer", load_breast_cancer)):
    data = load()
    x = data.data
    order = np.random.default_rng(0).permutation(len(x))
    cut = int(0.7 * len(x))
    names = [n.replace("/", "_").replace(" ", "_") for n in data.feature_names]
    for part, rows in (("train", order[:cut]), ("test", order[cut:])):
        np.savetxt(f"{out}/{name}_{part}.csv", x[rows], delimiter=",", header=",".join(names), comments="", fmt="%.6g")
EOF

printf "data\timpl\tseed\tseconds_per_epoch\ttest_nll_per_dim\ttrue_nll\n" > "$OUT/results.tsv"
for set in ${SETS:-moons mixture wine cancer}; do
    steps=$STEPS batch=256 extra=""
    if [[ $set == wine || $set == cancer ]]; then steps=$((STEPS / 3)) batch=64; fi
    if [[ $set == mixture ]]; then extra="--mixture"; fi
    rows=$(($(wc -l < "$OUT/${set}_train.csv") - 1))
    for seed in $(seq 1 "$RUNS"); do
        log="$OUT/rust_${set}_${seed}.log"
        "$BIN" fit "$OUT/${set}_train.csv" --method flow --layers 4 --bins 8 --bound 5 \
            --hidden 64,64 --activation silu --batch "$batch" --steps "$steps" --lr 2e-3 \
            --weight-decay 0 --schedule cosine --ema 0 --seed "$seed" --quiet \
            -o "$OUT/rust_${set}_${seed}.pf" 2> "$log"
        "$BIN" likelihood "$OUT/rust_${set}_${seed}.pf" "$OUT/${set}_test.csv" \
            -o "$OUT/rust_${set}_${seed}_scored.csv" 2>> "$log"
        dim=$(head -1 "$OUT/${set}_train.csv" | awk -F, '{ print NF }')
        seconds=$(sed -n 's/.* steps in \([0-9.]*\) s.*/\1/p' "$log")
        mean_ll=$(sed -n 's/mean log-likelihood \([-0-9.e]*\) .*/\1/p' "$log")
        awk -v s="$seconds" -v st="$steps" -v r="$rows" -v b="$batch" -v ll="$mean_ll" -v d="$dim" \
            -v set="$set" -v seed="$seed" \
            'BEGIN { printf "%s\trust\t%s\t%.5f\t%.4f\t-\n", set, seed, s / st * r / b, -ll / d }' >> "$OUT/results.tsv"
        OMP_WAIT_POLICY=passive "$PYTHON" bench/reference/flow_zuko.py --train "$OUT/${set}_train.csv" --test "$OUT/${set}_test.csv" \
            --layers 4 --bins 8 --hidden 64,64 --steps "$steps" --batch "$batch" --lr 2e-3 --seed "$seed" $extra \
            > "$OUT/zuko_${set}_${seed}.json"
        impls="zuko"
        if [[ $set == mixture ]]; then
            OMP_WAIT_POLICY=passive "$PYTHON" bench/reference/flow_zuko.py --train "$OUT/${set}_train.csv" --test "$OUT/${set}_test.csv" \
                --hidden 64,64 --steps "$steps" --batch "$batch" --lr 2e-3 --seed "$seed" --mixture --unaf \
                > "$OUT/zuko_unaf_${set}_${seed}.json"
            impls="zuko zuko_unaf"
        fi
        for impl in $impls; do
            "$PYTHON" - "$OUT/${impl}_${set}_${seed}.json" "$set" "$seed" "$impl" >> "$OUT/results.tsv" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]}\t{sys.argv[4]}\t{sys.argv[3]}\t{r['seconds_per_epoch']:.5f}\t{r['test_nll_per_dim']:.4f}\t{r.get('true_nll', '-')}")
EOF
        done
    done
done

"$PYTHON" - "$OUT/results.tsv" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print(f"{'data':8} {'rust s/epoch':>12} {'zuko s/epoch':>12} {'ratio':>6} {'rust NLL':>9} {'zuko NLL':>9} {'true NLL':>9}")
for data in dict.fromkeys(r["data"] for r in rows):
    pick = lambda impl, key: statistics.median(float(r[key]) for r in rows if r["data"] == data and r["impl"] == impl)
    rt, zt = pick("rust", "seconds_per_epoch"), pick("zuko", "seconds_per_epoch")
    true = [r["true_nll"] for r in rows if r["data"] == data and r["true_nll"] != "-"]
    print(f"{data:8} {rt:12.5f} {zt:12.5f} {zt / rt:6.1f} {pick('rust', 'test_nll_per_dim'):9.4f} "
          f"{pick('zuko', 'test_nll_per_dim'):9.4f} {float(true[0]) if true else float('nan'):9.4f}")
    if any(r["data"] == data and r["impl"] == "zuko_unaf" for r in rows):
        ut = pick("zuko_unaf", "seconds_per_epoch")
        print(f"{'  (UNAF)':8} {rt:12.5f} {ut:12.5f} {ut / rt:6.1f} {pick('rust', 'test_nll_per_dim'):9.4f} "
              f"{pick('zuko_unaf', 'test_nll_per_dim'):9.4f}")
EOF
