#!/usr/bin/env python3
"""The seed paper's four sample-quality metrics (NumPy, SciPy, POT).

Compares one REAL set with one or more SYNTH sets (CSV with a header row and
numeric columns; SYNTH columns are matched to REAL's by name) and computes,
exactly as the seed paper defines them:

``w``
    Exact Wasserstein-1 distance after standardising *both* sets with the
    REAL set's per-column mean and population std (ddof = 0) plus 1e-8:
    cost = Euclidean distance (not squared), uniform weights,
    ``ot.emd2(a, b, M, numItermax=10_000_000)``.  A POT warning (e.g. the
    iteration limit reached) is printed to stderr.
``mmd``
    Biased (V-statistic) squared MMD with the RBF kernel
    ``k(x, y) = exp(-gamma |x - y|^2)``, gamma = 1.0, on the raw coordinates:
    ``mean K_XX + mean K_YY - 2 mean K_XY`` (diagonals included).
``coverage``, ``density``
    Naeem et al. (2020), k = 5, raw coordinates.  ``rho_i`` = distance from
    real ``x_i`` to its 5th nearest real neighbour, itself excluded (by index,
    so a duplicate of ``x_i`` counts as a neighbour at distance 0);
    coverage = share of real i with ``min_j |x_i - g_j| <= rho_i``;
    density = ``(1/k) * mean_j #{i : |g_j - x_i| <= rho_i}``.

All distances are computed with ``scipy.spatial.distance.cdist`` as full
matrices (memory ~ 8 * n_real * n_synth bytes; meant for a few thousand rows).

Prints one row per SYNTH file; ``--json OUT`` writes
``{SYNTH path as given: {"w", "mmd", "coverage", "density", "rows_real",
"rows_synth"}}``.

Example::

    python3 bench/reference/seed_metrics.py real.csv synth_a.csv synth_b.csv \\
        --json metrics.json
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

import numpy as np
import ot
from scipy.spatial.distance import cdist

STD_EPS = 1e-8
MMD_GAMMA = 1.0
PRDC_K = 5
EMD_MAX_ITER = 10_000_000


def read_csv(path: str, columns: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Header and float64 values of a numeric CSV; ``columns`` reorders by name."""
    with open(path, encoding="utf-8") as f:
        header = [name.strip() for name in f.readline().strip().split(",")]
    values = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    if values.shape[1] != len(header):
        raise ValueError(f"{path}: {len(header)} header names, {values.shape[1]} columns")
    if columns is not None:
        if sorted(header) != sorted(columns):
            raise ValueError(f"{path}: columns {header}, expected {columns}")
        values = values[:, [header.index(c) for c in columns]]
        header = list(columns)
    return header, values


def wasserstein(real: np.ndarray, synth: np.ndarray) -> float:
    """Exact W1 on data standardised by REAL's mean and std (+1e-8)."""
    mean = real.mean(axis=0)
    std = real.std(axis=0) + STD_EPS
    cost = cdist((real - mean) / std, (synth - mean) / std, "euclidean")
    a = np.full(len(real), 1.0 / len(real))
    b = np.full(len(synth), 1.0 / len(synth))
    value, log = ot.emd2(a, b, cost, numItermax=EMD_MAX_ITER, log=True)
    if log.get("warning"):
        print(f"warning: ot.emd2: {log['warning']}", file=sys.stderr)
    return float(value)


def mmd_rbf_biased(x: np.ndarray, y: np.ndarray, gamma: float = MMD_GAMMA) -> float:
    """Biased squared MMD, RBF kernel exp(-gamma |x - y|^2), diagonals included."""
    kxx = np.exp(-gamma * cdist(x, x, "sqeuclidean")).mean()
    kyy = np.exp(-gamma * cdist(y, y, "sqeuclidean")).mean()
    kxy = np.exp(-gamma * cdist(x, y, "sqeuclidean")).mean()
    return float(kxx + kyy - 2.0 * kxy)


def coverage_density(real: np.ndarray, synth: np.ndarray, k: int = PRDC_K) -> tuple[float, float]:
    """Naeem et al. (2020) coverage and density with k nearest neighbours."""
    d_rr = cdist(real, real, "euclidean")
    np.fill_diagonal(d_rr, np.inf)
    rho = np.partition(d_rr, k - 1, axis=1)[:, k - 1]
    d_rs = cdist(real, synth, "euclidean")
    within = d_rs <= rho[:, None]
    coverage = float(within.any(axis=1).mean())
    density = float(within.sum(axis=0).mean() / k)
    return coverage, density


def seed_metrics(real: np.ndarray, synth: np.ndarray) -> dict:
    """The four metrics of SYNTH against REAL, plus the row counts."""
    coverage, density = coverage_density(real, synth)
    return {
        "w": wasserstein(real, synth),
        "mmd": mmd_rbf_biased(real, synth),
        "coverage": coverage,
        "density": density,
        "rows_real": len(real),
        "rows_synth": len(synth),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("real", metavar="REAL.csv")
    ap.add_argument("synth", metavar="SYNTH.csv", nargs="+")
    ap.add_argument("--json", metavar="OUT", help="write {SYNTH: metrics} here")
    args = ap.parse_args(argv)

    columns, real = read_csv(args.real)
    results = {}
    width = max(len("file"), *(len(p) for p in args.synth))
    print(f"{'file':<{width}}  {'w':>9}  {'mmd':>11}  {'coverage':>8}  {'density':>8}")
    for path in args.synth:
        _, synth = read_csv(path, columns)
        with warnings.catch_warnings():
            # POT's own warning is reported (once, to stderr) by wasserstein().
            warnings.simplefilter("ignore", UserWarning)
            m = seed_metrics(real, synth)
        results[path] = m
        print(f"{path:<{width}}  {m['w']:9.5f}  {m['mmd']:11.3e}  "
              f"{m['coverage']:8.4f}  {m['density']:8.4f}", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
