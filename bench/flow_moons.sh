#!/usr/bin/env bash
# Flow matching on two moons: `pushforward fit` against the PyTorch reference
# (bench/reference/flow_matching_torch.py), training time and sample quality.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward); needs
# python3 with torch, numpy, scipy and pot (bench/reference/requirements.txt).
#
#   bench/flow_moons.sh                      # 3 runs x 10,000 steps per coupling
#   RUNS=1 STEPS=500 bench/flow_moons.sh     # quick check
#
# Environment:
#   RUNS    training runs per implementation and coupling, seeds 1..RUNS (3)
#   STEPS   training steps (10000)
#   OUT     output folder (bench/out/flow_moons)
#   IMPLS   implementations to run, "rust torch" (default) or one of them
#   PYTHON  the Python interpreter (python3)
#
# Steps:
#   1. data: $OUT/moons.csv (20,000 rows, seed 1) to train on, $OUT/real.csv
#      (2,000 rows, seed 7) to score against, $OUT/noise_floor.csv (2,000
#      rows, seed 8), a second real sample, for the metrics' noise floor;
#   2. for coupling in independent, ot and run R in 1..RUNS: the wall clock
#      (`date +%s.%N` around the command) of
#        pushforward fit moons.csv --method flow-matching --coupling C --steps STEPS --batch 256
#            --lr 2e-3 --weight-decay 0.01 --hidden 128,128,128
#            --activation silu --seed R --quiet -o rust_C_R.pf
#      and of flow_matching_torch.py with the same settings and seed (its
#      wall clock includes the Python start-up and the torch import; its own
#      training-loop time and OT-assignment time come from its JSON,
#      torch_C_R.json); run 1 of the torch script also writes its samples,
#      2,000 rows for each Euler step count K in 1 2 5 10 50 (noise seed 11),
#      which adds well under a second to that run's wall clock;
#   3. samples from run 1 of the Rust model:
#        pushforward sample rust_C_1.pf --rows 2000 --solver euler --solver-steps K
#            --seed 11 -o rust_C_eulerK.csv
#   4. seed_metrics.py (W, MMD, coverage, density) of every sample file and of
#      noise_floor.csv against real.csv -> metrics.txt, metrics.json;
#   5. summary (stdout and $OUT/summary.txt): median seconds per coupling for
#      each implementation, the ratio torch / rust, and the metrics table.
#      All timings are also in $OUT/times.tsv.
set -euo pipefail

RUNS=${RUNS:-3}
STEPS=${STEPS:-10000}
OUT=${OUT:-bench/out/flow_moons}
IMPLS=${IMPLS:-rust torch}
PYTHON=${PYTHON:-python3}
BIN="${CARGO_TARGET_DIR:-target}/release/pushforward"
REF=bench/reference
COUPLINGS=(independent ot)
EULER=(1 2 5 10 50)
SAMPLE_ROWS=2000
SAMPLE_SEED=11

has() { [[ " $IMPLS " == *" $1 "* ]]; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# median of the numbers on stdin ("-" when there are none)
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# median of column $3 of times.tsv over the rows of implementation $1, coupling $2
median_of() { awk -F'\t' -v i="$1" -v c="$2" -v k="$3" '$1 == i && $2 == c { print $k }' "$TIMES" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

[[ -x $BIN ]] || { echo "error: $BIN not found: run cargo build --release -p pushforward-cli" >&2; exit 1; }
for impl in $IMPLS; do
  [[ $impl == rust || $impl == torch ]] || { echo "error: IMPLS: unknown '$impl'" >&2; exit 1; }
done

mkdir -p "$OUT"
TIMES=$OUT/times.tsv
printf 'impl\tcoupling\trun\twall_seconds\tloop_seconds\tassignment_seconds\n' >"$TIMES"

echo "== data"
"$BIN" toy moons -n 20000 -s 1 -o "$OUT/moons.csv"
"$BIN" toy moons -n "$SAMPLE_ROWS" -s 7 -o "$OUT/real.csv"
"$BIN" toy moons -n "$SAMPLE_ROWS" -s 8 -o "$OUT/noise_floor.csv"

euler_list=$(IFS=,; echo "${EULER[*]}")
for c in "${COUPLINGS[@]}"; do
  for r in $(seq 1 "$RUNS"); do
    if has rust; then
      t0=$(now)
      "$BIN" fit "$OUT/moons.csv" --method flow-matching --coupling "$c" --steps "$STEPS" --batch 256 \
        --lr 2e-3 --weight-decay 0.01 --hidden 128,128,128 --activation silu \
        --seed "$r" --quiet -o "$OUT/rust_${c}_${r}.pf"
      wall=$(seconds_since "$t0")
      printf 'rust\t%s\t%s\t%s\t-\t-\n' "$c" "$r" "$wall" >>"$TIMES"
      echo "== rust  $c run $r: ${wall} s"
    fi
    if has torch; then
      sample_args=()
      if [[ $r == 1 ]]; then
        sample_args=(--out-prefix "$OUT/torch_${c}" --sample-rows "$SAMPLE_ROWS"
                     --euler-steps "$euler_list" --sample-seed "$SAMPLE_SEED")
      fi
      t0=$(now)
      "$PYTHON" "$REF/flow_matching_torch.py" --data "$OUT/moons.csv" --coupling "$c" \
        --steps "$STEPS" --batch 256 --lr 2e-3 --weight-decay 0.01 --hidden 128,128,128 \
        --seed "$r" --json "$OUT/torch_${c}_${r}.json" "${sample_args[@]}" >/dev/null
      wall=$(seconds_since "$t0")
      vals=$("$PYTHON" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print("%.3f %.3f" % (j["train_seconds"], j["assignment_seconds"]))' "$OUT/torch_${c}_${r}.json")
      read -r loop assign <<<"$vals"
      printf 'torch\t%s\t%s\t%s\t%s\t%s\n' "$c" "$r" "$wall" "$loop" "$assign" >>"$TIMES"
      echo "== torch $c run $r: ${wall} s (training loop ${loop} s, assignment ${assign} s)"
    fi
  done
done

samples=()
for c in "${COUPLINGS[@]}"; do
  if has rust; then
    for k in "${EULER[@]}"; do
      "$BIN" sample "$OUT/rust_${c}_1.pf" --rows "$SAMPLE_ROWS" --solver euler --solver-steps "$k" \
        --seed "$SAMPLE_SEED" -o "$OUT/rust_${c}_euler${k}.csv"
      samples+=("$OUT/rust_${c}_euler${k}.csv")
    done
  fi
  if has torch; then
    for k in "${EULER[@]}"; do samples+=("$OUT/torch_${c}_euler${k}.csv"); done
  fi
done

echo "== metrics"
"$PYTHON" "$REF/seed_metrics.py" "$OUT/real.csv" "$OUT/noise_floor.csv" "${samples[@]}" \
  --json "$OUT/metrics.json" >"$OUT/metrics.txt"

{
  echo "flow matching on two moons: 20,000 training rows, $STEPS steps, batch 256,"
  echo "MLP 128,128,128 SiLU, AdamW lr 2e-3 wd 0.01; $RUNS run(s) per coupling (seeds 1..$RUNS)"
  echo "rust: $BIN; torch: $("$PYTHON" -c 'import torch; print(torch.__version__)'), 2 threads"
  echo
  echo "training, median seconds (wall = whole command; torch loop = its training loop only)"
  printf '%-12s %10s %11s %11s %11s %12s %16s\n' coupling rust_wall torch_wall torch/rust \
    torch_loop torch_assign torch_loop/rust
  for c in "${COUPLINGS[@]}"; do
    rw=$(median_of rust "$c" 4)
    tw=$(median_of torch "$c" 4)
    tl=$(median_of torch "$c" 5)
    ta=$(median_of torch "$c" 6)
    printf '%-12s %10s %11s %11s %11s %12s %16s\n' "$c" "$rw" "$tw" "$(ratio "$tw" "$rw")" \
      "$tl" "$ta" "$(ratio "$tl" "$rw")"
  done
  echo
  echo "sample quality against real.csv ($SAMPLE_ROWS rows, seed 7), run 1's model, Euler K steps;"
  echo "noise_floor.csv = a second real sample (seed 8)"
  cat "$OUT/metrics.txt"
} | tee "$OUT/summary.txt"
