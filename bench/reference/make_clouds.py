#!/usr/bin/env python3
"""Deterministic Gaussian point clouds as CSV, for metric benchmarks and checks.

Writes ROWS rows of a DIM-dimensional Gaussian with mean SHIFT in every
coordinate, columns ``x0 .. x{DIM-1}``:

* the points are ``z = numpy.random.default_rng(SEED).standard_normal((ROWS, DIM))``
  (independent N(0, 1) coordinates) plus SHIFT;
* ``--correlated``: ``z @ L.T + SHIFT`` instead, ``L = cholesky(S)`` with the
  AR(1) covariance ``S[i, j] = RHO ** |i - j|`` (``--rho``, default 0.6), so
  the correlation matrix is not diagonal;
* ``--categorical``: two more columns for mixed-type checks, drawn after the
  Gaussian part from the same generator:
    ``cat``   a string column with 3 levels, ``"a"`` when x0 < -0.5, ``"b"``
              when -0.5 <= x0 < 0.5, else ``"c"`` (so it depends on x0 and on
              SHIFT);
    ``count`` an int column, Poisson(3 + SHIFT) (many ties).

Floats are written with Python's shortest round-trip ``repr``, so every reader
that parses correctly rounded decimals gets the same float64 values.  The same
(rows, dim, shift, seed, flags) always give the same file.

Other scripts import :func:`gaussian_cloud` / :func:`cloud_columns` so that
in-process benchmark inputs equal the files written here.

Example (a real/synthetic pair, 2-D, with the mixed-type columns)::

    python3 bench/reference/make_clouds.py --dim 2 --rows 300 --seed 1 \\
        --categorical -o /tmp/real.csv
    python3 bench/reference/make_clouds.py --dim 2 --rows 300 --seed 2 \\
        --shift 0.3 --categorical -o /tmp/synth.csv
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


def gaussian_cloud(rows: int, dim: int, shift: float = 0.0, seed: int = 0,
                   correlated: bool = False, rho: float = 0.6,
                   rng: np.random.Generator | None = None) -> np.ndarray:
    """``rows x dim`` float64 Gaussian sample (see the module docstring)."""
    if rng is None:
        rng = np.random.default_rng(seed)
    z = rng.standard_normal((rows, dim))
    if correlated and dim > 1:
        idx = np.arange(dim)
        cov = rho ** np.abs(idx[:, None] - idx[None, :])
        z = z @ np.linalg.cholesky(cov).T
    return z + shift


def cloud_columns(rows: int, dim: int, shift: float = 0.0, seed: int = 0,
                  correlated: bool = False, rho: float = 0.6,
                  categorical: bool = False) -> dict[str, np.ndarray]:
    """The columns of the CSV in file order: name -> array."""
    rng = np.random.default_rng(seed)
    x = gaussian_cloud(rows, dim, shift, correlated=correlated, rho=rho, rng=rng)
    cols: dict[str, np.ndarray] = {f"x{j}": x[:, j] for j in range(dim)}
    if categorical:
        labels = np.array(["a", "b", "c"])
        cols["cat"] = labels[np.searchsorted([-0.5, 0.5], x[:, 0], side="right")]
        cols["count"] = rng.poisson(3.0 + shift, rows).astype(np.int64)
    return cols


def write_csv(path: str, cols: dict[str, np.ndarray]) -> None:
    """Header plus rows; floats as shortest round-trip repr."""
    names = list(cols)
    text_cols = []
    for name in names:
        v = cols[name]
        if v.dtype.kind == "f":
            text_cols.append([repr(float(t)) for t in v])
        else:
            text_cols.append([str(t) for t in v.tolist()])
    with open(path, "w", newline="") as fh:
        fh.write(",".join(names) + "\n")
        for row in zip(*text_cols):
            fh.write(",".join(row) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dim", type=int, default=2, help="Gaussian dimensions (default 2)")
    ap.add_argument("--rows", type=int, default=1000, help="rows (default 1000)")
    ap.add_argument("--shift", type=float, default=0.0,
                    help="added to every coordinate (default 0)")
    ap.add_argument("--seed", type=int, default=0,
                    help="seed for numpy.random.default_rng (default 0)")
    ap.add_argument("--correlated", action="store_true",
                    help="AR(1) covariance rho^|i-j| instead of the identity")
    ap.add_argument("--rho", type=float, default=0.6, help="AR(1) rho (default 0.6)")
    ap.add_argument("--categorical", action="store_true",
                    help="add a 3-level string column `cat` and an int column `count`")
    ap.add_argument("-o", "--out", required=True, help="CSV file to write")
    args = ap.parse_args(argv)
    if args.dim < 1 or args.rows < 1:
        ap.error("--dim and --rows must be at least 1")
    cols = cloud_columns(args.rows, args.dim, args.shift, args.seed,
                         args.correlated, args.rho, args.categorical)
    write_csv(args.out, cols)
    print(f"wrote {args.out}: {args.rows} rows, columns {', '.join(cols)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
