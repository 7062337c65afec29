#!/usr/bin/env python3
"""Independent reference for ``pushforward evaluate`` (SciPy, NumPy, POT).

Compares a REAL and a SYNTH table (CSV with a header row, or Parquet; chosen by
the extension) and computes the same numbers as ``pushforward evaluate``,
with the standard Python tools, printing a table and optionally writing JSON
with the same key layout as the Rust command (``pushforward-metrics``'
``report.rs``)::

    {"reference":  "real",
     "settings":   {"rows_real", "rows_synth", "rows_holdout", "quantile_levels"},
     "columns":    {NAME: {...}},
     "dependence": {...},
     "joint":      {"features", "w1", "w2", "exact_rows", "sliced_w2",
                    "sliced_projections", "sinkhorn", "sinkhorn_epsilon",
                    "sinkhorn_rows", "mmd2", "mmd2_biased", "mmd_median_distance",
                    "mmd_rows", "precision", "recall", "density", "coverage",
                    "coverage_expected", "prdc_k", "prdc_rows"},
     "privacy":    {"holdout", "dcr_synth_median", "dcr_holdout_median",
                    "dcr_synth_p05", "dcr_holdout_p05", "nndr_median", "dcr_rows",
                    "exact_copies", "exact_copy_share"},
     "meta":       {sizes, settings, timings, diagnostics; not in the Rust JSON}}

A metric that is skipped, or not computed at the size given, is null.  The
``*_rows`` keys (points per sample) are written only when both samples used
as many rows.

Columns
-------
Numeric columns (``kind`` "int" when integer in every file, else "float") and
categorical columns (string or bool; a column is categorical when either file
has it as string/bool).  Rows with an
empty cell are dropped (with a note).  REAL and SYNTH must have the same
columns; REAL's order is used.

Per column (``columns.NAME``)
  numeric:     ``ks`` = ``scipy.stats.ks_2samp(real, synth).statistic``;
               ``w1`` = ``scipy.stats.wasserstein_distance(real, synth)``;
               ``w1_std`` = w1 / std_real;
               ``mean_real``, ``mean_synth``, ``std_real``, ``std_synth``
               (population std, ddof=0), ``std_ratio`` = std_synth / std_real;
               ``quantiles_real``, ``quantiles_synth`` at the levels
               ``settings.quantile_levels`` = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75,
               0.95, 0.99, 0.999] (``numpy.quantile``, default linear method).
  categorical: ``tv`` = 1/2 sum_k |p_k - q_k| over the union of labels.

Dependence (``dependence``), over the numeric columns in file order
  ``columns`` (names); ``pearson_ref``, ``pearson_synth`` (``numpy.corrcoef``),
  ``spearman_ref``, ``spearman_synth`` (``scipy.stats.spearmanr``),
  ``kendall_ref``, ``kendall_synth`` (``scipy.stats.kendalltau``, tau-b),
  all d x d; and ``X_max_abs_err``, ``X_mean_abs_err`` over the d(d-1)/2 pairs
  i < j of |R_synth - R_real| for X in pearson, spearman, kendall.

Joint feature space
  numeric columns standardised by REAL's mean and population std (columns
  constant in REAL dropped); categorical columns one-hot over the union of
  labels, each indicator times 1/sqrt(2) (rows differing in one category are
  at distance 1).  Distances are computed directly (``scipy.spatial.distance.
  cdist``, no |x|^2 + |y|^2 - 2xy expansion), in blocks.

Joint metrics (``joint``); n, m = rows used of REAL, SYNTH
  ``w1``  = ``ot.emd2(a, b, M)``, M Euclidean, a, b uniform;
  ``w2``  = sqrt(``ot.emd2(a, b, M**2)``) (``numItermax=10_000_000``; a
            non-optimal exit is an error);
  ``sliced_w2`` = ``ot.sliced_wasserstein_distance(X, Y, n_projections=L,
            p=2, seed=SEED)`` on all rows (Monte Carlo in the projections; its
            standard error is ``meta.sliced_w2_stderr``: with L = 500 on a
            shifted 12-D cloud it is ~2-3% of the value, so a 5% agreement
            check between two tools needs L >= ~2000 on both sides);
  ``sinkhorn`` = debiased Sinkhorn divergence, cost squared Euclidean,
            eps = ``--epsilon``:  S = OT(a,b) - OT(a,a)/2 - OT(b,b)/2 with
            OT(a,b) = min_pi <pi,C> + eps KL(pi | a x b).  Each OT term is the
            primal value <pi,C> + eps sum pi log(pi/(a_i b_j)) (0 log 0 = 0) of
            the plan pi returned by POT's log-domain solver ``ot.sinkhorn(...,
            method="sinkhorn_log", stopThr=1e-10)``.  At eps = 0.05 on the
            standardised scale plain Sinkhorn needs far too many iterations to
            reach 1e-10 (300 points in 2-D: marginal error still 7e-7 after
            5,000 iterations), so POT is warm-started with dual potentials
            found here by eps-scaling log-domain Sinkhorn followed by damped
            (Levenberg-Marquardt) Newton steps on the semi-dual; POT then
            confirms convergence (its marginal check passes at once) and returns
            the plan.  The dual value (a lower bound of OT) is kept in
            ``meta.sinkhorn_terms`` with the primal, as a check.
  ``mmd2`` / ``mmd2_biased``: unbiased (U) / biased (V) MMD^2 with kernel
            k(x,y) = sum_{s in 0.1,0.2,0.5,1,2} exp(-|x-y|^2 / (2 (s h)^2)),
            h = ``mmd_median_distance`` = ``numpy.median`` of the Euclidean
            distances over all pairs i<j of the pooled sample
            (``scipy.spatial.distance.pdist``);
  ``precision``, ``recall``, ``density``, ``coverage``: PRDC (Naeem et al.
            2020), k = ``--k`` (5), with <= (not the prdc package's <):
            r_i = distance from real x_i to its k-th nearest other real point,
            s_j likewise among synth; precision = mean_j 1[exists i:
            d(x_i,y_j) <= r_i]; recall = mean_i 1[exists j: d(x_i,y_j) <= s_j];
            density = 1/(k m) sum_j sum_i 1[d(x_i,y_j) <= r_i]; coverage =
            mean_i 1[min_j d(x_i,y_j) <= r_i];  ``coverage_expected`` =
            1 - prod_{i=1..k} (n-i)/(n+m-i), its mean when both samples come
            from one law (about 1 - 2^-k for n = m).

Privacy (``privacy``); train = all of REAL
  ``dcr_synth_median``  median over synth rows of the distance to the closest
                        REAL row;
  ``dcr_holdout_median`` (with ``--holdout H``) the same for the holdout rows;
  ``dcr_synth_p05``, ``dcr_holdout_p05``  5% quantiles of the same distances;
  ``nndr_median``       median over synth rows of d1/d2 (nearest / second
                        nearest REAL distance, 0/0 := 0);
  ``exact_copies``      synth rows (all of them) whose original values all equal
                        some REAL row's; ``exact_copy_share`` = that / rows.
  (``pushforward evaluate`` splits REAL into train/holdout with its seed unless
  given ``--holdout``; pass ``--holdout`` to both for agreement.)

Size caps (as in ``pushforward evaluate``): exact OT ``--max-ot`` 5000 rows per
side, Sinkhorn ``--max-sinkhorn`` 2000, MMD ``--max-mmd`` 5000, PRDC
``--max-prdc`` 10000, DCR/NNDR ``--max-dcr`` 10000 synth (and holdout) rows
against all REAL rows.  Above a cap the metric is null, or with
``--subsample`` computed on the FIRST cap rows of each side.  For an agreement
check use inputs below the caps (Rust subsamples at random).

``--threads`` (default 2) limits BLAS/OpenMP threads via ``threadpoolctl``.

Examples::

    python3 bench/reference/make_clouds.py --dim 2 --rows 300 --seed 1 --categorical -o /tmp/r.csv
    python3 bench/reference/make_clouds.py --dim 2 --rows 300 --seed 2 --shift 0.3 --categorical -o /tmp/s.csv
    python3 bench/reference/make_clouds.py --dim 2 --rows 300 --seed 3 --categorical -o /tmp/h.csv
    python3 bench/reference/metrics_reference.py /tmp/r.csv /tmp/s.csv --holdout /tmp/h.csv \\
        --json /tmp/ref.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import scipy.linalg
from scipy import stats
from scipy.spatial.distance import cdist, pdist
from scipy.special import xlogy

QUANTILE_LEVELS = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999]
MMD_SCALES = [0.1, 0.2, 0.5, 1.0, 2.0]
SKIPPABLE = ("dependence", "kendall", "w1", "w2", "sliced_w2", "sinkhorn", "mmd",
             "prdc", "privacy")
# Entries per cdist block (float64): 4M entries = 32 MB.
BLOCK_ENTRIES = 4_000_000


class DataError(ValueError):
    """The inputs cannot be compared."""


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

class Table:
    """Columns of one file: numeric as float64, categorical as str arrays."""

    def __init__(self, path: str, names: list[str], kinds: dict[str, str],
                 cols: dict[str, np.ndarray], dropped: int):
        self.path, self.names, self.kinds, self.cols = path, names, kinds, cols
        self.dropped = dropped

    @property
    def rows(self) -> int:
        return len(self.cols[self.names[0]]) if self.names else 0


def _read_arrow(path: str) -> pa.Table:
    ext = os.path.splitext(path)[1].lower()
    if ext in (".csv", ".txt"):
        return pacsv.read_csv(path)
    if ext in (".parquet", ".pq"):
        return pq.read_table(path)
    raise DataError(f"{path}: unknown extension {ext!r} (want .csv or .parquet)")


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t)


def read_tables(real: str, synth: str, holdout: str | None) -> list[Table]:
    """Read the files; decide numeric/categorical per column over all files."""
    paths = [real, synth] + ([holdout] if holdout else [])
    arrow = [_read_arrow(p) for p in paths]
    names = arrow[0].column_names
    for p, t in zip(paths[1:], arrow[1:]):
        if set(t.column_names) != set(names):
            raise DataError(f"{p}: columns {t.column_names} differ from {real}'s {names}")
    kinds = {}
    for name in names:
        types = [t.schema.field(name).type for t in arrow]
        for ty in types:
            if not (_is_numeric(ty) or pa.types.is_string(ty) or pa.types.is_large_string(ty)
                    or pa.types.is_boolean(ty) or pa.types.is_dictionary(ty)
                    or pa.types.is_null(ty)):
                raise DataError(f"column {name!r}: unsupported type {ty}")
        if not all(_is_numeric(ty) or pa.types.is_null(ty) for ty in types):
            kinds[name] = "categorical"
        elif all(pa.types.is_integer(ty) or pa.types.is_null(ty) for ty in types):
            kinds[name] = "int"
        else:
            kinds[name] = "float"
    out = []
    for p, t in zip(paths, arrow):
        t = t.select(names)
        before = t.num_rows
        t = t.drop_null()
        cols = {}
        for name in names:
            arr = t[name]
            if kinds[name] != "categorical":
                cols[name] = arr.to_numpy().astype(np.float64)
                if not np.all(np.isfinite(cols[name])):
                    raise DataError(f"{p}: column {name!r} has non-finite values")
            else:
                arr = arr.cast(pa.string())
                cols[name] = np.asarray(arr.to_pylist(), dtype=object)
        out.append(Table(p, names, kinds, cols, before - t.num_rows))
    return out


# --------------------------------------------------------------------------
# Per column and dependence
# --------------------------------------------------------------------------

def column_metrics(x: np.ndarray, y: np.ndarray, kind: str) -> dict:
    if kind != "categorical":
        w1 = float(stats.wasserstein_distance(x, y))
        sx, sy = float(np.std(x)), float(np.std(y))
        return {
            "kind": kind,
            "ks": float(stats.ks_2samp(x, y, method="asymp").statistic),
            "w1": w1, "w1_std": w1 / sx if sx > 0 else None,
            "mean_real": float(np.mean(x)), "mean_synth": float(np.mean(y)),
            "std_real": sx, "std_synth": sy, "std_ratio": sy / sx if sx > 0 else None,
            "quantiles_real": np.quantile(x, QUANTILE_LEVELS).tolist(),
            "quantiles_synth": np.quantile(y, QUANTILE_LEVELS).tolist(),
        }
    labels = sorted(set(x.tolist()) | set(y.tolist()))
    lx, cx = np.unique(x.astype(str), return_counts=True)
    ly, cy = np.unique(y.astype(str), return_counts=True)
    p = dict(zip(lx.tolist(), (cx / len(x)).tolist()))
    q = dict(zip(ly.tolist(), (cy / len(y)).tolist()))
    tv = 0.5 * math.fsum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in labels)
    return {"kind": "categorical", "tv": tv}


def _spearman(x: np.ndarray) -> np.ndarray:
    d = x.shape[1]
    r = stats.spearmanr(x).statistic
    if d == 2:
        r = np.array([[1.0, r], [r, 1.0]])
    return np.asarray(r, dtype=np.float64)


def _kendall(x: np.ndarray) -> np.ndarray:
    d = x.shape[1]
    r = np.eye(d)
    for i in range(d):
        for j in range(i + 1, d):
            r[i, j] = r[j, i] = stats.kendalltau(x[:, i], x[:, j]).statistic
    return r


def dependence(real: Table, synth: Table, kendall: bool) -> dict:
    names = [n for n in real.names if real.kinds[n] != "categorical"]
    out: dict = {"columns": names}
    d = len(names)
    if d < 2:
        for x in ("pearson", "spearman", "kendall"):
            out[f"{x}_max_abs_err"] = out[f"{x}_mean_abs_err"] = None
        return out
    xr = np.column_stack([real.cols[n] for n in names])
    xs = np.column_stack([synth.cols[n] for n in names])
    iu = np.triu_indices(d, 1)
    fns = {"pearson": lambda z: np.corrcoef(z, rowvar=False), "spearman": _spearman}
    if kendall:
        fns["kendall"] = _kendall
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # constant columns -> nan
        for x, fn in fns.items():
            rr, rs = fn(xr), fn(xs)
            err = np.abs(rs - rr)[iu]
            err = err[np.isfinite(err)]
            out[f"{x}_ref"] = rr.tolist()
            out[f"{x}_synth"] = rs.tolist()
            out[f"{x}_max_abs_err"] = float(err.max()) if err.size else None
            out[f"{x}_mean_abs_err"] = float(err.mean()) if err.size else None
    if not kendall:
        out["kendall_max_abs_err"] = out["kendall_mean_abs_err"] = None
    return out


# --------------------------------------------------------------------------
# Joint feature space
# --------------------------------------------------------------------------

def encoder(real: Table, tables: list[Table]):
    """Feature encoding fitted on REAL (numeric) and the union of labels."""
    parts = []
    for n in real.names:
        if real.kinds[n] != "categorical":
            x = real.cols[n]
            mu, sd = float(np.mean(x)), float(np.std(x))
            if sd > 0:
                parts.append(("num", n, mu, sd))
        else:
            labels = sorted(set().union(*(set(t.cols[n].tolist()) for t in tables)))
            parts.append(("cat", n, labels, None))

    def encode(t: Table) -> np.ndarray:
        cols = []
        for kind, n, p1, p2 in parts:
            if kind == "num":
                cols.append(((t.cols[n] - p1) / p2)[:, None])
            else:
                v = t.cols[n]
                cols.append(np.column_stack([(v == lab) for lab in p1]).astype(np.float64)
                            / math.sqrt(2.0))
        if not cols:
            return np.zeros((t.rows, 0))
        return np.ascontiguousarray(np.hstack(cols))

    return encode, parts


def _blocks(n_rows: int, n_cols: int):
    step = max(1, BLOCK_ENTRIES // max(1, n_cols))
    for s in range(0, n_rows, step):
        yield s, min(n_rows, s + step)


# -- exact OT ---------------------------------------------------------------

def exact_ot(x: np.ndarray, y: np.ndarray, which: set[str]) -> dict:
    import ot
    a = np.full(len(x), 1.0 / len(x))
    b = np.full(len(y), 1.0 / len(y))
    m = cdist(x, y)
    out = {}
    for name, cost, post in (("w1", m, lambda v: v), ("w2", m * m, math.sqrt)):
        if name not in which:
            continue
        val, log = ot.emd2(a, b, cost, numItermax=10_000_000, log=True)
        if log.get("warning"):
            raise RuntimeError(f"ot.emd2 ({name}): {log['warning']}")
        out[name] = post(max(float(val), 0.0))
    return out


# -- Sinkhorn ---------------------------------------------------------------

def _lse_rows(z: np.ndarray) -> np.ndarray:
    mx = z.max(axis=1)
    return mx + np.log(np.exp(z - mx[:, None]).sum(axis=1))


def entropic_potentials(a, b, c, eps, sinkhorn_iters=50, newton_max=100):
    """Dual potentials (f, g) of OT_eps(a, b) to ~machine precision.

    eps-scaling log-domain Sinkhorn (from eps0 = max C, factor 0.8, 3 sweeps a
    stage), ``sinkhorn_iters`` sweeps at eps, then Levenberg-Marquardt damped
    Newton on the semi-dual F(g) = <f(g), a> + <g, b> (f the exact c-transform),
    whose Hessian is -(diag(colsum pi) - pi^T diag(1/a) pi) / eps.
    Returns f, g, dual value F(g), L1 column-marginal error, Newton steps.
    """
    la, lb = np.log(a), np.log(b)
    ct = np.ascontiguousarray(c.T)
    f, g = np.zeros(len(a)), np.zeros(len(b))

    def sweep(g, e):
        f = -e * _lse_rows(lb[None, :] + (g[None, :] - c) / e)
        g = -e * _lse_rows(la[None, :] + (f[None, :] - ct) / e)
        return f, g

    e = max(float(c.max()), eps)
    while e > eps:
        e = max(e * 0.8, eps)
        for _ in range(3):
            f, g = sweep(g, e)
    for _ in range(sinkhorn_iters):
        f, g = sweep(g, eps)

    def semidual(g):
        f = -eps * _lse_rows(lb[None, :] + (g[None, :] - c) / eps)
        return float(f @ a + g @ b), f

    val, f = semidual(g)
    mu, steps, nb = 1e-12, 0, len(b)
    eye = np.eye(nb - 1)
    err = math.inf
    for steps in range(newton_max):
        p = np.exp(la[:, None] + lb[None, :] + (f[:, None] + g[None, :] - c) / eps)
        col = p.sum(axis=0)
        err = float(np.abs(col - b).sum())
        if err < 1e-14 or nb < 2:
            break
        h = np.diag(col) - (p / a[:, None]).T @ p
        rhs = eps * (b - col)
        improved = False
        while mu < 1e6:
            try:
                cf = scipy.linalg.cho_factor(h[:-1, :-1] + (mu / nb) * eye, check_finite=False)
            except np.linalg.LinAlgError:
                mu *= 100
                continue
            d = np.zeros(nb)
            d[:-1] = scipy.linalg.cho_solve(cf, rhs[:-1], check_finite=False)
            nv, nf = semidual(g + d)
            if nv > val:
                g, val, f = g + d, nv, nf
                mu = max(mu / 10, 1e-14)
                improved = True
                break
            mu *= 100
        if not improved:      # no ascent left at machine precision
            break
    return f, g, val, err, steps


def entropic_ot(x, y, eps, max_iter=20000) -> dict:
    """OT_eps(x, y) from POT's log-domain plan, warm-started (see module doc)."""
    import ot
    a = np.full(len(x), 1.0 / len(x))
    b = np.full(len(y), 1.0 / len(y))
    c = cdist(x, y, "sqeuclidean")
    f, g, dual, err, steps = entropic_potentials(a, b, c, eps)
    la, lb = np.log(a), np.log(b)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pi, log = ot.sinkhorn(a, b, c, reg=eps, method="sinkhorn_log",
                              numItermax=max_iter, stopThr=1e-10, log=True,
                              warmstart=(la + f / eps, lb + g / eps))
    pot_err = float(log["err"][-1])
    if pot_err >= 1e-10 or caught:
        print(f"warning: POT sinkhorn_log stopped with marginal error {pot_err:.3g} "
              f"after {log['niter']} iterations", file=sys.stderr)
    primal = (math.fsum((pi * c).ravel())
              + eps * (math.fsum(xlogy(pi, pi).ravel())
                       - math.fsum((pi * (la[:, None] + lb[None, :])).ravel())))
    return {"primal": primal, "dual": dual, "newton_marginal_l1": err,
            "newton_steps": steps, "pot_iterations": int(log["niter"]) + 1,
            "pot_marginal_l2": pot_err}


def sinkhorn_divergence(x, y, eps) -> tuple[float, dict]:
    terms = {"xy": entropic_ot(x, y, eps), "xx": entropic_ot(x, x, eps),
             "yy": entropic_ot(y, y, eps)}
    s = terms["xy"]["primal"] - 0.5 * terms["xx"]["primal"] - 0.5 * terms["yy"]["primal"]
    return s, terms


# -- MMD --------------------------------------------------------------------

def _kernel_sum(x, y, h, same: bool) -> float:
    """sum_{i,j} k(x_i, y_j) (all pairs, diagonal included when same)."""
    inv = [1.0 / (2.0 * (s * h) ** 2) for s in MMD_SCALES]
    total = []
    for s0, s1 in _blocks(len(x), len(y)):
        d2 = cdist(x[s0:s1], y, "sqeuclidean")
        k = np.zeros_like(d2)
        for w in inv:
            k += np.exp(-d2 * w)
        total.append(k.sum())
    return math.fsum(total)


def mmd(x, y) -> tuple[float, float, float]:
    n, m = len(x), len(y)
    h = float(np.median(pdist(np.vstack([x, y]))))
    if h <= 0:
        raise RuntimeError("MMD bandwidth: median pairwise distance is 0")
    kxx, kyy, kxy = _kernel_sum(x, x, h, True), _kernel_sum(y, y, h, True), _kernel_sum(x, y, h, False)
    diag = float(len(MMD_SCALES))          # k(x, x)
    unbiased = (kxx - n * diag) / (n * (n - 1)) + (kyy - m * diag) / (m * (m - 1)) - 2 * kxy / (n * m)
    biased = kxx / n**2 + kyy / m**2 - 2 * kxy / (n * m)
    return unbiased, biased, h


# -- PRDC -------------------------------------------------------------------

def kth_nn_self(x, k) -> np.ndarray:
    """Distance from each row to its k-th nearest OTHER row."""
    n = len(x)
    r = np.empty(n)
    for s0, s1 in _blocks(n, n):
        d = cdist(x[s0:s1], x)
        d[np.arange(s1 - s0), np.arange(s0, s1)] = np.inf
        r[s0:s1] = np.partition(d, k - 1, axis=1)[:, k - 1]
    return r


def expected_coverage(n: int, m: int, k: int) -> float:
    """E[coverage] when both samples come from one law (Naeem et al. 2020):
    1 - prod_{i=1..k} (n - i) / (n + m - i)."""
    return 1.0 - math.prod((n - i) / (n + m - i) for i in range(1, k + 1))


def prdc(x, y, k) -> dict:
    n, m = len(x), len(y)
    r, s = kth_nn_self(x, k), kth_nn_self(y, k)
    prec_any = np.zeros(m, dtype=bool)
    dens = np.zeros(m, dtype=np.int64)
    rec_any = np.zeros(n, dtype=bool)
    cov = np.zeros(n, dtype=bool)
    for s0, s1 in _blocks(n, m):
        d = cdist(x[s0:s1], y)
        inside = d <= r[s0:s1, None]
        prec_any |= inside.any(axis=0)
        dens += inside.sum(axis=0)
        cov[s0:s1] = d.min(axis=1) <= r[s0:s1]
        rec_any[s0:s1] = (d <= s[None, :]).any(axis=1)
    return {"precision": float(prec_any.mean()), "recall": float(rec_any.mean()),
            "density": float(dens.sum()) / (k * m), "coverage": float(cov.mean())}


# -- privacy ----------------------------------------------------------------

def two_nearest(q, x) -> np.ndarray:
    """(len(q), 2): distances from each row of q to its two nearest rows of x."""
    out = np.empty((len(q), 2))
    for s0, s1 in _blocks(len(q), len(x)):
        d = cdist(q[s0:s1], x)
        if d.shape[1] >= 2:
            out[s0:s1] = np.sort(np.partition(d, 1, axis=1)[:, :2], axis=1)
        else:
            out[s0:s1, 0], out[s0:s1, 1] = d[:, 0], np.nan
    return out


def exact_copies(real: Table, synth: Table) -> int:
    names = real.names

    def rows(t: Table):
        return zip(*(t.cols[n].tolist() for n in names))
    seen = set(rows(real))
    return sum(1 for r in rows(synth) if r in seen)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def _cap(x: np.ndarray, cap: int, subsample: bool):
    """First ``cap`` rows, or None when over the cap and not subsampling."""
    if len(x) <= cap:
        return x
    return x[:cap] if subsample else None


def evaluate(real_path: str, synth_path: str, holdout_path: str | None = None, *,
             projections: int = 500, epsilon: float = 0.05, k: int = 5, seed: int = 0,
             skip: frozenset = frozenset(), subsample: bool = False,
             max_ot: int = 5000, max_sinkhorn: int = 2000, max_mmd: int = 5000,
             max_prdc: int = 10000, max_dcr: int = 10000, max_sliced: int = 20000,
             verbose: bool = False) -> dict:
    """All metrics as a JSON-ready dict (see the module docstring)."""
    timings: dict[str, float] = {}
    t_all = time.perf_counter()

    def timed(name):
        class _T:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                timings[name] = time.perf_counter() - self.t
                if verbose:
                    print(f"  [{name}: {timings[name]:.2f} s]", file=sys.stderr)
        return _T()

    with timed("read"):
        tables = read_tables(real_path, synth_path, holdout_path)
    real, synth = tables[0], tables[1]
    holdout = tables[2] if holdout_path else None
    if real.rows < 2 or synth.rows < 2:
        raise DataError("need at least 2 rows in REAL and SYNTH")
    meta: dict = {"real": real_path, "synth": synth_path, "holdout": holdout_path,
                  "n_real": real.rows, "n_synth": synth.rows,
                  "n_holdout": holdout.rows if holdout else None,
                  "rows_dropped_missing": [t.dropped for t in tables],
                  "epsilon": epsilon, "projections": projections, "k": k, "seed": seed,
                  "subsample": subsample, "skip": sorted(skip), "used_rows": {}}

    with timed("columns"):
        columns = {n: column_metrics(real.cols[n], synth.cols[n], real.kinds[n])
                   for n in real.names}

    dep: dict = {}
    if "dependence" not in skip:
        with timed("dependence"):
            dep = dependence(real, synth, kendall="kendall" not in skip)

    encode, parts = encoder(real, tables)
    x, y = encode(real), encode(synth)
    meta["features"] = int(x.shape[1])
    meta["dropped_constant_columns"] = [n for n in real.names if real.kinds[n] != "categorical"
                                        and not any(p[1] == n for p in parts)]
    joint: dict = dict.fromkeys(("w1", "w2", "sliced_w2", "sinkhorn", "mmd2", "mmd2_biased",
                                 "precision", "recall", "density", "coverage"))
    joint["features"] = [n if kind == "num" else f"{n}={lab}"
                         for kind, n, labs, _ in parts for lab in (labs if kind == "cat" else [0])]

    def rows_key(key, xa, ya):        # points per sample, when both sides have as many
        if len(xa) == len(ya):
            joint[key] = len(xa)

    def both(cap, name):
        xa, ya = _cap(x, cap, subsample), _cap(y, cap, subsample)
        if xa is None or ya is None:
            meta["used_rows"][name] = None
            print(f"note: {name}: over the cap of {cap} rows (null; --subsample to use "
                  f"the first {cap})", file=sys.stderr)
            return None, None
        meta["used_rows"][name] = [len(xa), len(ya)]
        return xa, ya

    which = {"w1", "w2"} - set(skip)
    if which:
        xa, ya = both(max_ot, "exact_ot")
        if xa is not None:
            with timed("exact_ot"):
                joint.update(exact_ot(xa, ya, which))
            rows_key("exact_rows", xa, ya)
    if "sliced_w2" not in skip:
        import ot
        xs, ys = both(max_sliced, "sliced_w2")
        if xs is not None:
            with timed("sliced_w2"):
                sw, slog = ot.sliced_wasserstein_distance(
                    xs, ys, n_projections=projections, p=2, seed=seed, log=True)
                joint["sliced_w2"] = float(sw)
                joint["sliced_projections"] = projections
                # Monte Carlo standard error (delta method from the per-projection W2^2)
                per = np.asarray(slog["projected_emds"], dtype=np.float64)
                se2 = float(per.std(ddof=1) / math.sqrt(len(per))) if len(per) > 1 else math.nan
                meta["sliced_w2_stderr"] = se2 / (2 * sw) if sw > 0 else 0.0
    if "sinkhorn" not in skip:
        xa, ya = both(max_sinkhorn, "sinkhorn")
        if xa is not None:
            with timed("sinkhorn"):
                joint["sinkhorn"], meta["sinkhorn_terms"] = sinkhorn_divergence(xa, ya, epsilon)
            joint["sinkhorn_epsilon"] = epsilon
            rows_key("sinkhorn_rows", xa, ya)
    if "mmd" not in skip:
        xa, ya = both(max_mmd, "mmd")
        if xa is not None:
            with timed("mmd"):
                joint["mmd2"], joint["mmd2_biased"], joint["mmd_median_distance"] = mmd(xa, ya)
            rows_key("mmd_rows", xa, ya)
    if "prdc" not in skip:
        xa, ya = both(max_prdc, "prdc")
        if xa is not None and len(xa) > k and len(ya) > k:
            with timed("prdc"):
                joint.update(prdc(xa, ya, k))
            joint["coverage_expected"] = expected_coverage(len(xa), len(ya), k)
            joint["prdc_k"] = k
            rows_key("prdc_rows", xa, ya)

    privacy: dict = dict.fromkeys(("dcr_synth_median", "dcr_holdout_median",
                                   "exact_copies", "nndr_median"))
    privacy["holdout"] = "holdout file" if holdout is not None else None
    if "privacy" not in skip:
        with timed("privacy"):
            ys = y[:max_dcr] if (subsample or len(y) <= max_dcr) else None
            meta["used_rows"]["dcr_synth"] = None if ys is None else len(ys)
            if ys is not None:
                nn = two_nearest(ys, x)
                privacy["dcr_synth_median"] = float(np.median(nn[:, 0]))
                privacy["dcr_synth_p05"] = float(np.quantile(nn[:, 0], 0.05))
                privacy["dcr_rows"] = len(ys)
                with np.errstate(invalid="ignore", divide="ignore"):
                    ratio = np.where(nn[:, 1] > 0, nn[:, 0] / nn[:, 1], 0.0)
                privacy["nndr_median"] = float(np.median(ratio)) if len(x) >= 2 else None
            if holdout is not None:
                h = encode(holdout)
                hs = h[:max_dcr] if (subsample or len(h) <= max_dcr) else None
                meta["used_rows"]["dcr_holdout"] = None if hs is None else len(hs)
                if hs is not None:
                    dh = two_nearest(hs, x)[:, 0]
                    privacy["dcr_holdout_median"] = float(np.median(dh))
                    privacy["dcr_holdout_p05"] = float(np.quantile(dh, 0.05))
            privacy["exact_copies"] = exact_copies(real, synth)
            privacy["exact_copy_share"] = privacy["exact_copies"] / synth.rows

    timings["total"] = time.perf_counter() - t_all
    meta["timings_s"] = timings
    settings = {"rows_real": real.rows, "rows_synth": synth.rows,
                "rows_holdout": holdout.rows if holdout else None,
                "quantile_levels": QUANTILE_LEVELS}
    return {"reference": "real", "settings": settings, "columns": columns,
            "dependence": dep, "joint": joint, "privacy": privacy, "meta": meta}


def _clean(v):
    """NaN/inf -> None, numpy scalars -> Python, recursively."""
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return v if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _fmt(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    return f"{v:.6g}"


def print_report(res: dict) -> None:
    meta = res["meta"]
    print(f"real {meta['real']}: {meta['n_real']} rows; synth {meta['synth']}: "
          f"{meta['n_synth']} rows" + (f"; holdout {meta['holdout']}: {meta['n_holdout']} rows"
                                       if meta["holdout"] else ""))
    print(f"\n{'column':<16} {'kind':<11} {'ks':>9} {'w1':>10} {'tv':>9} {'mean r':>10} "
          f"{'mean s':>10} {'std r':>9} {'std s':>9}")
    for name, c in res["columns"].items():
        print(f"{name:<16} {c['kind']:<11} {_fmt(c.get('ks')):>9} {_fmt(c.get('w1')):>10} "
              f"{_fmt(c.get('tv')):>9} {_fmt(c.get('mean_real')):>10} "
              f"{_fmt(c.get('mean_synth')):>10} {_fmt(c.get('std_real')):>9} "
              f"{_fmt(c.get('std_synth')):>9}")
    dep = res["dependence"]
    if dep:
        print(f"\ndependence over {len(dep['columns'])} numeric columns (pairs i<j):")
        for x in ("pearson", "spearman", "kendall"):
            print(f"  {x:<9} max abs err {_fmt(dep.get(x + '_max_abs_err')):>10}   "
                  f"mean abs err {_fmt(dep.get(x + '_mean_abs_err')):>10}")
    print(f"\njoint ({meta['features']} features: {', '.join(res['joint']['features'])}):")
    for key, v in res["joint"].items():
        if key != "features":
            print(f"  {key:<19} {_fmt(v)}")
    print("privacy:")
    for key, v in res["privacy"].items():
        print(f"  {key:<19} {v if isinstance(v, str) else _fmt(v)}")
    if "sinkhorn_terms" in meta:
        print("sinkhorn terms (primal from POT's plan / dual lower bound / Newton marginal L1):")
        for t, d in meta["sinkhorn_terms"].items():
            print(f"  OT_eps({t}) {d['primal']:.15g} / {d['dual']:.15g} / "
                  f"{d['newton_marginal_l1']:.1e}")
    if "sliced_w2_stderr" in meta:
        print(f"sliced_w2 Monte Carlo standard error {meta['sliced_w2_stderr']:.3g}")
    print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in meta["timings_s"].items()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("real", help="real data: .csv (with header) or .parquet")
    ap.add_argument("synth", help="synthetic data, same columns")
    ap.add_argument("--holdout", default=None,
                    help="real holdout rows (then train = all of REAL); gives dcr_holdout_median")
    ap.add_argument("--projections", type=int, default=500,
                    help="sliced W2 projections L (default 500)")
    ap.add_argument("--epsilon", type=float, default=0.05,
                    help="Sinkhorn epsilon on the standardised scale (default 0.05)")
    ap.add_argument("--k", type=int, default=5, help="PRDC k (default 5)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the sliced projections")
    ap.add_argument("--json", default=None, help="write the results to this JSON file")
    ap.add_argument("--skip", default="",
                    help=f"comma-separated metrics to skip: {','.join(SKIPPABLE)}")
    ap.add_argument("--subsample", action="store_true",
                    help="above a cap use the first CAP rows of each side (default: null)")
    ap.add_argument("--max-ot", type=int, default=5000, help="exact OT cap (default 5000)")
    ap.add_argument("--max-sinkhorn", type=int, default=2000, help="Sinkhorn cap (default 2000)")
    ap.add_argument("--max-mmd", type=int, default=5000, help="MMD cap (default 5000)")
    ap.add_argument("--max-prdc", type=int, default=10000, help="PRDC cap (default 10000)")
    ap.add_argument("--max-dcr", type=int, default=10000,
                    help="DCR/NNDR cap on synth and holdout rows (default 10000)")
    ap.add_argument("--threads", type=int, default=2,
                    help="BLAS/OpenMP threads via threadpoolctl (default 2)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print timings as it goes")
    args = ap.parse_args(argv)
    skip = frozenset(s.strip() for s in args.skip.split(",") if s.strip())
    bad = skip - set(SKIPPABLE)
    if bad:
        ap.error(f"--skip: unknown {sorted(bad)} (known: {', '.join(SKIPPABLE)})")

    try:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=args.threads)
    except ImportError:
        limiter = None
        print("note: threadpoolctl not installed; threads not limited", file=sys.stderr)
    try:
        res = evaluate(args.real, args.synth, args.holdout, projections=args.projections,
                       epsilon=args.epsilon, k=args.k, seed=args.seed, skip=skip,
                       subsample=args.subsample, max_ot=args.max_ot,
                       max_sinkhorn=args.max_sinkhorn, max_mmd=args.max_mmd,
                       max_prdc=args.max_prdc, max_dcr=args.max_dcr, verbose=args.verbose)
    except (OSError, DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    res = _clean(res)
    print_report(res)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
