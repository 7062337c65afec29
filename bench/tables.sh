#!/usr/bin/env bash
# Real mixed tables: pushforward's copula (the default method of `fit`) and
# flow matching against SDV 2.0's GaussianCopula and TVAE
# (bench/reference/sdv_tables.py), on the small real tables pip packages ship
# (penguins, cars, airquality) and on a generated 1,000,000 x 20 mixed table
# whose missingness depends on another column.
#
# Run from the repository root after `cargo build --release -p pushforward-cli`
# (the binary is ${CARGO_TARGET_DIR:-target}/release/pushforward); needs
# python3 with sdv 2.0, sdmetrics, palmerpenguins, vega_datasets, pydataset.
#
#   bench/tables.sh                 # 3 seeds, small tables and the 1M table
#   RUNS=1 LARGE=0 bench/tables.sh  # quick: one seed, small tables only
#
# Environment:
#   RUNS    seeds 1..RUNS per method and table (3); times are medians
#   LARGE   1 to run the 1M x 20 table (1); SDV_LARGE=1 also runs SDV on it
#           (about 10 minutes; without it the script quotes nothing for SDV)
#   TVAE    1 to run SDV's TVAE (300 epochs) on penguins (1)
#   OUT     output folder (bench/out/tables)
#   PYTHON  the Python interpreter (python3)
#
# Per table, method and seed: fit on every row (the copula with `--holdout 0`,
# as SDV fits),
# sample 10x the rows, then
#   - fit and sample seconds: wall clock of each pushforward command (process
#     start included); SDV's fit() and sample() calls (import not included);
#   - SDMetrics' Quality Report with SDV's detected metadata (quality, Column
#     Shapes, Column Pair Trends), from sdv_tables.py quality;
#   - `pushforward evaluate`: classifier-test AUC and mean |Pearson error|;
#   - the largest gap between the real and synthetic missing rate of a column.
# Privacy (penguins, copula): fit with `--holdout 0.2`; `sample` prints the
# distance-to-closest-record line against the held-out rows.
set -euo pipefail

RUNS=${RUNS:-3}
LARGE=${LARGE:-1}
SDV_LARGE=${SDV_LARGE:-0}
TVAE=${TVAE:-1}
OUT=${OUT:-bench/out/tables}
PYTHON=${PYTHON:-python3}
BIN="${CARGO_TARGET_DIR:-target}/release/pushforward"
REF=bench/reference

[[ -x $BIN ]] || { echo "error: $BIN not found: run cargo build --release -p pushforward-cli" >&2; exit 1; }
mkdir -p "$OUT/data"
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$@" | tee -a "$SUMMARY"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json() { "$PYTHON" -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
now() { date +%s.%N; }
missing_gap() {
    "$PYTHON" -c "
import sys, pandas as pd
r, s = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
print('%.4f' % max(abs(r[c].isna().mean() - s[c].isna().mean()) for c in r.columns))" "$1" "$2"
}

[[ -f $OUT/data/penguins.csv ]] || "$PYTHON" $REF/sdv_tables.py write "$OUT/data"

# One row of measurements: method, table, seed -> "fit sample quality shapes trends auc pearson gap".
measure() {
    local method=$1 table=$2 seed=$3 real=$OUT/data/$2.csv
    local rows synth=$OUT/$1-$2-$3.csv fit_s sample_s
    rows=$(($(wc -l <"$real") * 10 - 10))
    case $method in
        sdv-*)
            local times
            times=$("$PYTHON" $REF/sdv_tables.py fit "$real" --synthesizer "${method#sdv-}" --rows "$rows" --seed "$seed" -o "$synth" 2>/dev/null | tail -1)
            fit_s=$(echo "$times" | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['fit_s'])")
            sample_s=$(echo "$times" | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['sample_s'])")
            ;;
        *)
            local model=$OUT/$1-$2-$3.pfm t0 t1 t2 extra=()
            [[ $method == copula ]] && extra=(--holdout 0)
            t0=$(now)
            "$BIN" fit "$real" --method "$method" "${extra[@]}" --seed "$seed" --quiet -o "$model" 2>/dev/null
            t1=$(now)
            "$BIN" sample "$model" --rows "$rows" --seed "$seed" --quiet -o "$synth" 2>/dev/null
            t2=$(now)
            fit_s=$(echo "$t1 - $t0" | bc -l)
            sample_s=$(echo "$t2 - $t1" | bc -l)
            ;;
    esac
    local q report=$OUT/$1-$2-$3.json
    q=$("$PYTHON" $REF/sdv_tables.py quality "$real" "$synth" 2>/dev/null | tail -1)
    "$BIN" evaluate --real "$real" --synth "$synth" --seed "$seed" --json "$report" >/dev/null 2>&1
    echo "$fit_s $sample_s $(echo "$q" | "$PYTHON" -c "import json,sys; q=json.load(sys.stdin); print(q['quality'], q['shapes'], q['trends'])") \
$(json "$report" "r['joint']['c2st_auc']") $(json "$report" "r['dependence']['pearson_mean_abs_err']") $(missing_gap "$real" "$synth")"
}

say "table       method            fit s   sample s  quality  shapes  trends  C2ST AUC  |pearson err|  missing gap"
for table in penguins cars airquality; do
    methods="copula flow-matching sdv-gaussian-copula"
    [[ $table == penguins && $TVAE == 1 ]] && methods="$methods sdv-tvae"
    for method in $methods; do
        rows=()
        for seed in $(seq 1 "$RUNS"); do rows+=("$(measure "$method" "$table" "$seed")"); done
        col() { printf '%s\n' "${rows[@]}" | awk -v k="$1" '{ print $k }' | median; }
        say "$(printf '%-11s %-16s %7s %9s %8s %7s %7s %9s %14s %12s' "$table" "$method" \
            "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" "$(col 7)" "$(col 8)")"
    done
done

say ""
say "privacy (penguins, copula, 20% held out, seed 1):"
"$BIN" fit "$OUT/data/penguins.csv" --holdout 0.2 --seed 1 --quiet -o "$OUT/private.pfm" 2>/dev/null
"$BIN" sample "$OUT/private.pfm" --rows 3440 --seed 1 --quiet -o "$OUT/private.csv" 2>&1 | tee -a "$SUMMARY"

if [[ $LARGE == 1 ]]; then
    say ""
    say "1,000,000 x 20 mixed table (fit on every row, 1,000,000 rows sampled):"
    big=$OUT/data/mixed_1m.csv
    /usr/bin/time -f "%e %M" -o "$OUT/fit.time" "$BIN" fit "$big" --holdout 0 --seed 1 --quiet -o "$OUT/big.pfm" 2>/dev/null
    /usr/bin/time -f "%e %M" -o "$OUT/sample.time" "$BIN" sample "$OUT/big.pfm" --rows 1000000 --seed 1 --quiet -o "$OUT/big.csv" 2>/dev/null
    read -r fs fm <"$OUT/fit.time"
    read -r ss sm <"$OUT/sample.time"
    say "$(printf '  pushforward copula: fit %.1f s (peak %d MiB), sample %.1f s (peak %d MiB), missing gap %s' \
        "$fs" $((fm / 1024)) "$ss" $((sm / 1024)) "$(missing_gap "$big" "$OUT/big.csv")")"
    if [[ $SDV_LARGE == 1 ]]; then
        say "  SDV GaussianCopula: $("$PYTHON" $REF/sdv_tables.py fit "$big" --synthesizer gaussian-copula --rows 1000000 --seed 1 -o "$OUT/big_sdv.csv" 2>/dev/null | tail -1)"
    fi
fi
