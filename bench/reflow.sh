#!/usr/bin/env bash
# Rectified flow on two moons: `pushforward reflow` of an OT flow-matching
# model, sampled with 1, 2 and 5 Euler steps, against the teacher at 50
# Euler steps (and at 1 and 2), with the seed's metrics.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward); needs
# python3 with numpy, scipy and pot (bench/reference/requirements.txt).
#
#   bench/reflow.sh                                   # teacher + default reflow
#   VARIANTS="default pairs long second" bench/reflow.sh
#   TEACHER=bench/out/flow_moons/rust_ot_1.pf bench/reflow.sh   # reuse a teacher
#
# Environment:
#   OUT       output folder (bench/out/reflow)
#   TEACHER   an existing teacher model; else one is fitted as in
#             bench/flow_moons.sh (OT coupling, 10,000 steps, seed 1)
#   VARIANTS  reflows to run, from:
#               default  pushforward reflow teacher.pf (library defaults)
#               pairs    --pairs 60000
#               long     --steps 12000
#               both     --pairs 60000 --steps 12000
#               fresh    --fresh --steps 12000 (not from the teacher's weights)
#               cosine   --steps 12000 --schedule cosine
#               cosine_long  --pairs 60000 --steps 24000 --schedule cosine
#               euler_times  cosine_long with --euler-times
#               target   --pairs 60000 --steps 48000 --schedule cosine --euler-times
#               second   a reflow of the default reflow (run default first)
#   PYTHON    the Python interpreter (python3)
#
# Steps:
#   1. data as bench/flow_moons.sh: $OUT/moons.csv (20,000 rows, seed 1) to
#      train on, $OUT/real.csv (2,000 rows, seed 7) to score against,
#      $OUT/noise_floor.csv (2,000 rows, seed 8), a second real sample;
#   2. the teacher (timed):
#        pushforward fit moons.csv --method flow-matching --coupling ot --steps 10000 --batch 256
#            --lr 2e-3 --weight-decay 0.01 --hidden 128,128,128
#            --activation silu --seed 1 -o teacher.pf
#   3. each variant V (timed, the whole command: drawing the pairs and
#      training): pushforward reflow teacher.pf ARGS --seed 1 -o reflow_V.pf
#   4. 2,000 samples (noise seed 11) of the teacher with Euler 1, 2, 50 and
#      of each reflow with Euler 1, 2, 5:
#        pushforward sample M --rows 2000 --solver euler --solver-steps K --seed 11
#   5. seed_metrics.py (W1, MMD, coverage, density) of every sample and of
#      noise_floor.csv against real.csv -> $OUT/metrics.txt, metrics.json;
#      the times are in $OUT/times.tsv; both go to $OUT/summary.txt.
set -euo pipefail

OUT=${OUT:-bench/out/reflow}
VARIANTS=${VARIANTS:-default}
PYTHON=${PYTHON:-python3}
BIN="${CARGO_TARGET_DIR:-target}/release/pushforward"
ROWS=2000
SEED=11

now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
variant_args() {
  case $1 in
    default | second) ;;
    pairs) echo "--pairs 60000" ;;
    long) echo "--steps 12000" ;;
    both) echo "--pairs 60000 --steps 12000" ;;
    fresh) echo "--fresh --steps 12000" ;;
    cosine) echo "--steps 12000 --schedule cosine" ;;
    cosine_long) echo "--pairs 60000 --steps 24000 --schedule cosine" ;;
    euler_times) echo "--pairs 60000 --steps 24000 --schedule cosine --euler-times" ;;
    target) echo "--pairs 60000 --steps 48000 --schedule cosine --euler-times" ;;
    *) echo "error: unknown variant '$1'" >&2; exit 1 ;;
  esac
}

[[ -x $BIN ]] || { echo "error: $BIN not found: run cargo build --release -p pushforward-cli" >&2; exit 1; }
for v in $VARIANTS; do variant_args "$v" >/dev/null; done

mkdir -p "$OUT"
TIMES=$OUT/times.tsv
printf 'what\tseconds\n' >"$TIMES"

echo "== data"
"$BIN" toy moons -n 20000 -s 1 -o "$OUT/moons.csv"
"$BIN" toy moons -n "$ROWS" -s 7 -o "$OUT/real.csv"
"$BIN" toy moons -n "$ROWS" -s 8 -o "$OUT/noise_floor.csv"

if [[ -n ${TEACHER:-} ]]; then
  cp "$TEACHER" "$OUT/teacher.pf"
else
  t0=$(now)
  "$BIN" fit "$OUT/moons.csv" --method flow-matching --coupling ot --steps 10000 --batch 256 --lr 2e-3 \
    --weight-decay 0.01 --hidden 128,128,128 --activation silu --seed 1 --quiet \
    -o "$OUT/teacher.pf"
  wall=$(seconds_since "$t0")
  printf 'teacher fit\t%s\n' "$wall" >>"$TIMES"
  echo "== teacher: ${wall} s"
fi

samples=()
draw() { # model, label, euler steps...
  local model=$1 label=$2
  shift 2
  for k in "$@"; do
    "$BIN" sample "$model" --rows "$ROWS" --solver euler --solver-steps "$k" --seed "$SEED" \
      -o "$OUT/${label}_euler${k}.csv"
    samples+=("$OUT/${label}_euler${k}.csv")
  done
}
draw "$OUT/teacher.pf" teacher 1 2 50

for v in $VARIANTS; do
  from=$OUT/teacher.pf
  [[ $v == second ]] && from=$OUT/reflow_default.pf
  [[ -f $from ]] || { echo "error: $from missing (run the default variant first)" >&2; exit 1; }
  t0=$(now)
  # shellcheck disable=SC2046
  "$BIN" reflow "$from" $(variant_args "$v") --seed 1 --quiet -o "$OUT/reflow_${v}.pf"
  wall=$(seconds_since "$t0")
  printf 'reflow %s\t%s\n' "$v" "$wall" >>"$TIMES"
  echo "== reflow $v: ${wall} s"
  draw "$OUT/reflow_${v}.pf" "reflow_${v}" 1 2 5
done

echo "== metrics"
"$PYTHON" bench/reference/seed_metrics.py "$OUT/real.csv" "$OUT/noise_floor.csv" "${samples[@]}" \
  --json "$OUT/metrics.json" >"$OUT/metrics.txt"

{
  echo "rectified flow on two moons: teacher OT flow matching (10,000 steps, 3x128 SiLU),"
  echo "reflows: $VARIANTS; $ROWS samples (seed $SEED) against real.csv (seed 7);"
  echo "noise_floor.csv = a second real sample (seed 8)"
  echo
  cat "$TIMES"
  echo
  cat "$OUT/metrics.txt"
} | tee "$OUT/summary.txt"
