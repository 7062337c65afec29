#!/usr/bin/env python3
"""Independent check of a generated data file against its pushforward spec.

Reads SPEC (TOML) and DATA (CSV with a header row, or Parquet; chosen by the
file extension; categorical columns hold their labels) and reports

per column
  * distance to the marginal:
      continuous: the Kolmogorov-Smirnov statistic
                  ``scipy.stats.kstest(x, dist.cdf).statistic``;
      discrete:   max |empirical CDF - target CDF| over the integers (evaluated
                  at every data value v and v - 1 and one past the maximum,
                  which is where the supremum over all integers lies);
      categorical: max |empirical - target| cumulative frequency, categories
                  in the listed order;
  * mean of the sample vs the family;
  * std(sample) / std(family) - 1;
  * the sample's 99.9% quantile vs the family's (``ppf(0.999)``);

correlation, over the columns the spec's ``[correlation]`` refers to
(categorical columns as their codes 0..k-1):
  * pearson:  ``numpy.corrcoef``; spearman: ``scipy.stats.spearmanr``;
    kendall: ``scipy.stats.kendalltau`` (tau-b) per pair, skipped (with a note)
    above ``--kendall-max-rows`` rows;
  * the max abs error against the target with the worst pair named, and the
    mean abs error over all d x d entries (diagonal included).

Thresholds are checked only when given.  Exit status: 0 when every given
threshold holds, 1 when one is exceeded or the data is unusable (missing
column, nulls, unknown label, non-integer value in a discrete column), 2 on a
bad spec or unreadable file.

Example::

    python3 bench/reference/check_generated.py examples/demo.toml out.parquet \\
        --max-corr-err 0.005 --max-ks 0.003 --max-std-rel 0.03
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spec import Column, Spec, SpecError, load_spec  # noqa: E402


class DataError(ValueError):
    """The data file cannot be checked against the spec."""


def read_table(path: str, spec: Spec) -> pa.Table:
    """Read the spec's columns from a CSV or Parquet file."""
    ext = os.path.splitext(path)[1].lower()
    names = spec.names
    if ext in (".csv", ".txt"):
        # Labels stay strings even when they look like numbers.
        types = {c.name: pa.string() for c in spec.columns if c.is_categorical}
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types=types, include_columns=names))
    elif ext in (".parquet", ".pq"):
        present = set(pq.read_schema(path).names)
        table = pq.read_table(path, columns=[n for n in names if n in present])
    else:
        raise DataError(f"{path}: unknown extension {ext!r} (want .csv or .parquet)")
    missing = [n for n in names if n not in table.column_names]
    if missing:
        raise DataError(f"{path}: missing columns {missing}")
    return table


def column_values(table: pa.Table, col: Column) -> np.ndarray:
    """The column as float64 (categorical: the codes of its labels)."""
    arr = table[col.name]
    if arr.null_count:
        raise DataError(f"column {col.name!r}: {arr.null_count} null values")
    if col.is_categorical:
        if pa.types.is_dictionary(arr.type):
            arr = arr.cast(pa.string())
        elif not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            arr = arr.cast(pa.string())
        codes = pc.index_in(arr, value_set=pa.array(col.dist.labels))
        if codes.null_count:
            bad = pc.unique(pc.filter(arr, pc.is_null(codes))).to_pylist()[:5]
            raise DataError(f"column {col.name!r}: {codes.null_count} values are not among "
                            f"the categories, e.g. {bad}")
        return codes.to_numpy().astype(np.float64)
    x = arr.to_numpy().astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise DataError(f"column {col.name!r}: non-finite values")
    if col.kind == "discrete" and not np.all(x == np.floor(x)):
        raise DataError(f"column {col.name!r}: non-integer values in a discrete column")
    return x


def marginal_distance(col: Column, x: np.ndarray) -> float:
    """KS statistic (continuous) or max CDF gap over the integers (discrete)."""
    d = col.dist
    n = x.size
    if col.kind == "continuous":
        return float(stats.kstest(x, d.cdf).statistic)
    if col.is_categorical:
        freq = np.bincount(x.astype(np.int64), minlength=d.k) / n
        return float(np.max(np.abs(np.cumsum(freq) - d.cum)))
    xs = np.sort(x)
    v = np.unique(xs)
    # The empirical CDF is flat between data values and the target CDF only
    # rises, so sup_k |ecdf(k) - F(k)| is attained at some v or v - 1 (or past
    # the maximum): equal to checking every integer from min - 1 to max + 1.
    pts = np.unique(np.concatenate([v - 1, v, [v[-1] + 1]]))
    ecdf = np.searchsorted(xs, pts, side="right") / n
    return float(np.max(np.abs(ecdf - d.cdf(pts))))


def column_report(col: Column, x: np.ndarray) -> dict:
    d = col.dist
    fam_std = float(d.std())
    std = float(x.std(ddof=1)) if x.size > 1 else float("nan")
    method = "linear" if col.kind == "continuous" else "inverted_cdf"
    return {
        "name": col.name,
        "family": col.family,
        "dist": marginal_distance(col, x),
        "dist_label": {"continuous": "KS", "discrete": "CDF", "categorical": "cum"}[col.kind],
        "mean": float(x.mean()),
        "fam_mean": float(d.mean()),
        "std_rel": std / fam_std - 1 if math.isfinite(fam_std) and fam_std > 0 else float("nan"),
        "q999": float(np.quantile(x, 0.999, method=method)),
        "fam_q999": float(d.ppf(0.999)),
    }


def sample_correlation(kind: str, X: np.ndarray, kendall_max_rows: int):
    """Sample correlation matrix of the columns of X, or (None, note)."""
    m = X.shape[1]
    if kind == "pearson":
        return np.corrcoef(X, rowvar=False), None
    if kind == "spearman":
        r = stats.spearmanr(X).statistic
        if m == 2:
            r = np.array([[1.0, r], [r, 1.0]])
        return np.asarray(r), None
    if X.shape[0] > kendall_max_rows:
        return None, (f"kendall: skipped, {X.shape[0]} rows > --kendall-max-rows "
                      f"{kendall_max_rows}")
    r = np.eye(m)
    for i in range(m):
        for j in range(i + 1, m):
            r[i, j] = r[j, i] = stats.kendalltau(X[:, i], X[:, j]).statistic
    return r, "kendall: tau-b (ties adjusted)"


def _g(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else "n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spec", help="pushforward TOML spec the data was generated from")
    ap.add_argument("data", help="generated data: .csv (with header) or .parquet")
    ap.add_argument("--max-corr-err", type=float, default=None,
                    help="fail if the max abs correlation error exceeds this")
    ap.add_argument("--mean-abs-corr-max", type=float, default=None,
                    help="fail if the mean abs correlation error (all d x d entries) exceeds this")
    ap.add_argument("--max-ks", type=float, default=None,
                    help="fail if any column's KS / CDF distance exceeds this")
    ap.add_argument("--max-std-rel", type=float, default=None,
                    help="fail if any |std(sample)/std(family) - 1| exceeds this")
    ap.add_argument("--kendall-max-rows", type=int, default=200_000,
                    help="largest row count for which a kendall target is checked (default 200000)")
    args = ap.parse_args(argv)

    try:
        spec = load_spec(args.spec)
    except (OSError, SpecError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        table = read_table(args.data, spec)
    except (OSError, pa.ArrowException) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except DataError as e:
        print(f"FAIL: {e}")
        return 1

    n = table.num_rows
    print(f"spec {args.spec}; data {args.data}: {n} rows, {len(spec.columns)} columns")
    if spec.rows is not None and spec.rows != n:
        print(f"note: spec says rows = {spec.rows}, the file has {n}")
    failures: list[str] = []
    values: dict[str, np.ndarray] = {}
    reports = []
    for col in spec.columns:
        try:
            x = column_values(table, col)
        except DataError as e:
            failures.append(str(e))
            continue
        values[col.name] = x
        reports.append(column_report(col, x))
    del table

    head = (f"{'column':<16} {'family':<17} {'dist':>12} {'mean':>11} {'target':>11} "
            f"{'std rel':>9} {'q99.9':>11} {'target':>11}")
    print()
    print(head)
    print("-" * len(head))
    for r in reports:
        print(f"{r['name']:<16} {r['family']:<17} {r['dist_label']:>4} {r['dist']:7.5f} "
              f"{_g(r['mean']):>11} {_g(r['fam_mean']):>11} {r['std_rel']:+9.5f} "
              f"{_g(r['q999']):>11} {_g(r['fam_q999']):>11}")
        if args.max_ks is not None and not r["dist"] <= args.max_ks:
            failures.append(f"column {r['name']!r}: {r['dist_label']} distance "
                            f"{r['dist']:.5f} > --max-ks {args.max_ks}")
        if (args.max_std_rel is not None and math.isfinite(r["std_rel"])
                and not abs(r["std_rel"]) <= args.max_std_rel):
            failures.append(f"column {r['name']!r}: std rel error {r['std_rel']:+.5f} "
                            f"exceeds --max-std-rel {args.max_std_rel}")
    print("(dist: KS = Kolmogorov-Smirnov statistic, CDF = max |ecdf - F| over the integers, "
          "cum = max cumulative-frequency gap)")

    cols = spec.corr_columns
    print()
    if len(cols) < 2:
        print("correlation: fewer than two correlated columns, nothing to check")
    elif any(c not in values for c in cols):
        print("correlation: not checked (unusable columns above)")
    else:
        X = np.column_stack([values[c] for c in cols])
        r, note = sample_correlation(spec.corr_kind, X, args.kendall_max_rows)
        if note:
            print(note)
        if r is not None:
            err = np.abs(r - spec.target)
            err_nan = np.where(np.isnan(err), np.inf, err)
            m = len(cols)
            iu = np.triu_indices(m, 1)
            order = np.argsort(-err_nan[iu])
            max_err = float(err_nan[iu].max())
            mean_err = float(np.mean(err_nan))
            i, j = iu[0][order[0]], iu[1][order[0]]
            print(f"correlation ({spec.corr_kind}, {m} columns, {len(iu[0])} pairs):")
            print(f"  max abs error  {max_err:.5f}  worst pair ({cols[i]}, {cols[j]}): "
                  f"sample {r[i, j]:+.5f} target {spec.target[i, j]:+.5f}")
            print(f"  mean abs error {mean_err:.5f}  (over all {m}x{m} entries, diagonal included)")
            print("  worst pairs:")
            for k in order[:5]:
                a, b = iu[0][k], iu[1][k]
                print(f"    {cols[a]:>16} ~ {cols[b]:<16} sample {r[a, b]:+.5f}  "
                      f"target {spec.target[a, b]:+.5f}  error {r[a, b] - spec.target[a, b]:+.5f}")
            if args.max_corr_err is not None and not max_err <= args.max_corr_err:
                failures.append(f"correlation: max abs error {max_err:.5f} "
                                f"({cols[i]}, {cols[j]}) > --max-corr-err {args.max_corr_err}")
            if args.mean_abs_corr_max is not None and not mean_err <= args.mean_abs_corr_max:
                failures.append(f"correlation: mean abs error {mean_err:.5f} > "
                                f"--mean-abs-corr-max {args.mean_abs_corr_max}")
        elif args.max_corr_err is not None or args.mean_abs_corr_max is not None:
            print("note: correlation thresholds given but not checked")

    print()
    if failures:
        for f in failures:
            print(f"FAIL: {f}")
        return 1
    given = [k for k in ("max_corr_err", "mean_abs_corr_max", "max_ks", "max_std_rel")
             if getattr(args, k) is not None]
    print("PASS" + (f" ({', '.join('--' + k.replace('_', '-') for k in given)})" if given
                    else " (no thresholds given)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
