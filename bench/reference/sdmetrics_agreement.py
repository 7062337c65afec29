"""Checks `pushforward evaluate`'s SDMetrics scores against the `sdmetrics` package.

    pushforward evaluate --real REAL.csv --synth SYNTH.csv --json REPORT.json
    python3 sdmetrics_agreement.py REAL.csv SYNTH.csv REPORT.json [--tolerance 1e-9]

Runs SDMetrics' single-table QualityReport on the same two tables, with the
column kinds pushforward reported (KSComplement columns as `numerical`, or
`datetime` when they hold ISO dates, TVComplement columns as `categorical`),
so both sides see the same types, and
compares, each within the tolerance (default 1e-9: every definition is
deterministic, and both sides compute in float64):

- the overall score, Column Shapes and Column Pair Trends;
- every column's score;
- every pair's score (from a second report with both trend thresholds at 0,
  which scores every pair), its real and synthetic Pearson correlation, its
  real Cramer's V, and whether it counts towards Column Pair Trends.

Both reports run with `num_rows_subsample = None`: by default SDMetrics scores
contingency pairs of tables over 50,000 rows on an unseeded random subsample,
which pushforward does not do. Prints the largest difference of each group as
JSON and exits 1 when one exceeds the tolerance.

Requirements: sdmetrics 0.32, pandas (pyarrow for Parquet).
"""
import argparse
import json
import math
import sys
import warnings

warnings.filterwarnings("ignore")

KIND = {"KSComplement": "numerical", "TVComplement": "categorical"}


def read(path):
    import pandas as pd

    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def number(v):
    """A float, NaN for None or a missing value."""
    if v is None:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def diff(a, b):
    """|a - b|, 0 when both are NaN, inf when only one is."""
    a, b = number(a), number(b)
    if math.isnan(a) and math.isnan(b):
        return 0.0
    if math.isnan(a) or math.isnan(b):
        return math.inf
    return abs(a - b)


def sdtype(column, metric):
    """SDMetrics' column metadata for the kind pushforward scored: a text
    column scored as numerical holds ISO dates (`YYYY-MM-DD`, optionally
    `T` or a space, `HH:MM[:SS]` and `Z`), which pushforward compares as
    times, as SDMetrics does a datetime column of that format."""
    kind = KIND[metric]
    if kind != "numerical" or column.dtype != object:
        return {"sdtype": kind}
    text = str(column.dropna().iloc[0])
    layout = "%Y-%m-%d"
    if len(text) > 10:
        clock = text[11:].rstrip("Z")
        layout += text[10] + ("%H:%M:%S" if len(clock) == 8 else "%H:%M") + ("Z" if text.endswith("Z") else "")
    return {"sdtype": "datetime", "datetime_format": layout}


def report(real, synth, metadata, thresholds):
    from sdmetrics.reports.single_table import QualityReport

    r = QualityReport()
    r.num_rows_subsample = None
    if not thresholds:
        r.real_correlation_threshold = 0
        r.real_association_threshold = 0
    r.generate(real, synth, metadata, verbose=False)
    return r


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("real")
    p.add_argument("synth")
    p.add_argument("report", help="the JSON report of `pushforward evaluate --json`")
    p.add_argument("--tolerance", type=float, default=1e-9)
    a = p.parse_args()
    import pandas as pd

    with open(a.report) as f:
        ours = json.load(f)["quality"]
    if ours.get("score") is None:
        sys.exit("the report has no quality scores: run evaluate with the quality group")
    real, synth = read(a.real), read(a.synth)
    metadata = {"columns": {c["column"]: sdtype(real[c["column"]], c["metric"]) for c in ours["columns"]}}
    columns = list(metadata["columns"])
    real, synth = real[columns], synth[columns]

    default = report(real, synth, metadata, thresholds=True)
    every = report(real, synth, metadata, thresholds=False)
    props = dict(zip(default.get_properties()["Property"], default.get_properties()["Score"]))

    worst = {}

    def record(group, d, what):
        if d > worst.get(group, (-1.0, ""))[0]:
            worst[group] = (d, what)

    record("overall", diff(default.get_score(), ours["score"]), "overall")
    record("column_shapes", diff(props["Column Shapes"], ours["column_shapes"]), "Column Shapes")
    record(
        "column_pair_trends",
        diff(props["Column Pair Trends"], ours["column_pair_trends"]),
        "Column Pair Trends",
    )
    shapes = default.get_details("Column Shapes").set_index("Column")
    for c in ours["columns"]:
        record("column", diff(shapes.loc[c["column"], "Score"], c["score"]), c["column"])

    def by_pair(details):
        return {(r["Column 1"], r["Column 2"]): r for _, r in details.iterrows()}

    with_thresholds = by_pair(default.get_details("Column Pair Trends"))
    without = by_pair(every.get_details("Column Pair Trends"))
    mismatched = []
    for q in ours["pairs"]:
        key = (q["column_1"], q["column_2"])
        name = f"{key[0]} ~ {key[1]}"
        t, u = with_thresholds[key], without[key]
        record("pair", diff(u["Score"], q["score"]), name)
        if q["metric"] == "CorrelationSimilarity":
            record("real_correlation", diff(t["Real Correlation"], q["real_correlation"]), name)
            record("synthetic_correlation", diff(u["Synthetic Correlation"], q["synthetic_correlation"]), name)
        else:
            record("real_association", diff(t["Real Association"], q["real_association"]), name)
        meets = t["Meets Threshold?"]
        counts = False if pd.isna(meets) else bool(meets)
        if counts != q["contributes"] or t["Metric"] != q["metric"]:
            mismatched.append(name)

    failed = [g for g, (d, _) in worst.items() if not d <= a.tolerance] + (["contributes"] if mismatched else [])
    out = {
        "tolerance": a.tolerance,
        "sdmetrics": {"overall": default.get_score(), **props},
        "max_abs_diff": {g: {"value": d, "at": w} for g, (d, w) in worst.items()},
        "pairs": len(ours["pairs"]),
        "pairs_counted": sum(q["contributes"] for q in ours["pairs"]),
        "pairs_disagreeing_on_metric_or_count": mismatched,
        "agree": not failed,
    }
    print(json.dumps(out, indent=2, default=float))
    if failed:
        sys.exit(f"disagreement beyond {a.tolerance}: {', '.join(failed)}")


if __name__ == "__main__":
    main()
