#!/usr/bin/env python3
"""NumPy/SciPy reference for pushforward's Gaussian copula (NORTA), with timings.

Given a pushforward TOML spec this script

1. gets the latent (normal-scale) correlation matrix: read from ``--latent``
   (JSON ``{"latent": [[...]]}``, e.g. the one the Rust tool solved, so both do
   exactly the same sampling work), or solved here pair by pair (NORTA): for
   each correlated pair find r in [-1, 1] with
   corr(h_i(Z1), h_j(Z2)) = target, (Z1, Z2) standard bivariate normal with
   correlation r, h_j = F_j^-1 o Phi, using ``scipy.optimize.brentq``;
2. generates the columns: ``L = cholesky(latent)``,
   ``z = default_rng(seed).standard_normal((N, d)) @ L.T``,
   ``u = scipy.stats.norm.cdf(z)``, ``x_j = dist_j.ppf(u_j)`` (categorical:
   ``searchsorted`` on the cumulative weights), discrete columns as int64,
   categorical as a pyarrow dictionary array of the labels, all assembled into a
   ``pyarrow.Table`` (no pandas);
3. writes the table with ``pyarrow.parquet.write_table`` (default snappy), or with
   ``pyarrow.csv.write_csv`` under ``--format csv``.

Steps 2 and 3 are each timed over ``--repeats`` runs (the same seed every run,
so every run produces the same data); the script prints every run, the
medians, and as its last line a JSON object such as
``{"generate_s_median": ..., "write_s_median": ..., "solve_s": ...}``.
``solve_s`` is the time of step 1 when it is solved here (null when read from
``--latent``).

How the pair correlation is evaluated
-------------------------------------
* continuous-continuous pairs: 2-D Gauss-Hermite quadrature
  (``numpy.polynomial.hermite_e.hermegauss``, ``--nodes``, default 64) of
  E[h_i(X) h_j(rX + sqrt(1-r^2) Y)], X, Y independent N(0,1).
* pairs with a discrete or categorical column: a discrete marginal's h is a
  step function, and Gauss-Hermite quadrature of a step function is poor (with
  64 nodes the mass of a Bernoulli(0.42) comes out 0.07 off).  These pairs use
  the exact identity (Price's theorem, with rho = sin(theta))
      cov(r) = int_0^asin(r) dcov/dtheta dtheta,
  where for a step h_i = v0 + sum_k d_k 1{z > t_k}:
      discrete-continuous: dcov/dtheta = sum_k d_k phi(t_k)
                               E[Y h_j(sin(theta) t_k + cos(theta) Y)]
                           (Gauss-Hermite in Y, Gauss-Legendre in theta);
      discrete-discrete:   dcov/dtheta = 1/(2 pi) sum_kl d_k e_l
                               exp(-(t_k^2 + s_l^2 - 2 t_k s_l sin theta)
                                   / (2 cos^2 theta))
                           (adaptive ``scipy.integrate.quad``).
  Both integrands are smooth, so these pairs are accurate to ~1e-9.
* ``kind = "spearman"`` targets use the same machinery on the grades
  (mid-rank transform (F(x) + F(x-))/2, which is Phi(z) for continuous
  columns); ``kind = "kendall"`` uses r = sin(pi tau / 2), exact only for
  continuous pairs (a warning is printed for pairs with a discrete column).

Machine caveat (BLAS)
---------------------
On this machine ``OPENBLAS_CORETYPE`` and/or ``OPENBLAS_L2_SIZE`` may be set in
the environment; they change which OpenBLAS kernels the ``z @ L.T`` product
uses.  Run benchmarks as::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python3 bench/reference/copula_numpy.py examples/demo.toml --rows 1000000

The script prints numpy's BLAS configuration (via ``threadpoolctl`` when it is
installed) and any OPENBLAS_* variables it sees, so the log records them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import scipy
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss
from scipy import integrate, optimize, stats
from scipy.interpolate import CubicSpline

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spec import Categorical, Column, Spec, SpecError, load_spec  # noqa: E402

TAIL = 1e-17          # probability mass dropped from each end of a discrete support
MAX_SUPPORT = 2_000_000  # support points a discrete column may have after trimming
THETA_NODES = 48      # Gauss-Legendre nodes in theta for discrete-continuous pairs
TABLE_STEP = 1.0 / 256  # spacing of the cubic-spline table of h for those pairs
Z_CLIP = 20.0         # normal scores are clipped to +-Z_CLIP when evaluating h


# --------------------------------------------------------------------------
# Environment report
# --------------------------------------------------------------------------

def print_environment() -> None:
    """Print library versions, BLAS configuration and OPENBLAS_* variables."""
    print(f"python {platform.python_version()}  numpy {np.__version__}  "
          f"scipy {scipy.__version__}  pyarrow {pa.__version__}  "
          f"cpus {os.cpu_count()}")
    env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}
    if env:
        print(f"environment: {env}  (benchmarks should run with "
              f"`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`)")
    else:
        print("environment: no OPENBLAS_* variables set")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("blas: threadpoolctl not installed, skipping BLAS info")
        return
    for lib in threadpool_info():
        keys = ("user_api", "internal_api", "version", "num_threads",
                "threading_layer", "architecture")
        info = "  ".join(f"{k}={lib[k]}" for k in keys if lib.get(k) is not None)
        print(f"blas: {info}  ({os.path.basename(lib.get('filepath', ''))})")


# --------------------------------------------------------------------------
# NORTA: the latent correlation of each pair
# --------------------------------------------------------------------------

class Transform:
    """How one column enters the correlation: as Y = h(Z), Z ~ N(0, 1).

    ``smooth``: h is a vectorised callable (continuous marginal).
    ``step``:   h(z) = base + sum_k jumps[k] * 1{z > thresholds[k]}
                (discrete or categorical marginal, support trimmed to
                probability 1 - 2e-17).
    ``std`` is the standard deviation of Y.
    """

    def __init__(self, name: str, kind: str, std: float, h=None,
                 thresholds=None, jumps=None):
        self.name, self.kind, self.std = name, kind, std
        self.h = h
        self.thresholds = thresholds
        self.jumps = jumps
        self._table = None

    @property
    def is_step(self) -> bool:
        return self.kind == "step"

    def table(self, zmax: float):
        """A cubic spline of h on [-zmax, zmax] (smooth transforms only)."""
        if self._table is None or self._table[0] < zmax:
            n = int(math.ceil(2 * zmax / TABLE_STEP)) + 1
            z = np.linspace(-zmax, zmax, n)
            self._table = (zmax, CubicSpline(z, self.h(z)))
        return self._table[1]


def _quantile_of_normal(dist):
    """h(z) = F^-1(Phi(z)), evaluated through the upper tail for z > 0 so that
    far tails stay finite and accurate.  z is clipped to [-Z_CLIP, Z_CLIP]
    (Phi(-20) ~ 3e-89), beyond which some scipy quantiles (beta) fail; the
    quadrature weight out there is negligible."""
    def h(z):
        z = np.clip(np.asarray(z, dtype=float), -Z_CLIP, Z_CLIP)
        out = np.empty_like(z)
        lo = z <= 0
        out[lo] = dist.ppf(stats.norm.cdf(z[lo]))
        out[~lo] = dist.isf(stats.norm.sf(z[~lo]))
        return out
    return h


def _normal_thresholds(cdf: np.ndarray, sf: np.ndarray) -> np.ndarray:
    """Phi^-1(F), through whichever tail is more accurate."""
    return np.where(cdf < 0.5, stats.norm.ppf(cdf), stats.norm.isf(sf))


def _support(col: Column):
    """Support points, pmf, cdf and sf of a discrete/categorical column,
    trimmed to drop at most TAIL mass at each end."""
    d = col.dist
    if isinstance(d, Categorical):
        return d.codes.astype(float), d.probs, d.cum, d._sf
    s_lo, s_hi = (float(v) for v in d.support())
    lo = float(d.ppf(TAIL))
    lo = max(s_lo, lo) if math.isfinite(lo) else s_lo
    # scipy's isf is unreliable this deep in the tail: find the smallest hi
    # with sf(hi) <= TAIL by doubling then bisection.
    hi = min(s_hi, max(lo, float(d.ppf(0.5))))
    step = 1.0
    while hi < s_hi and d.sf(hi) > TAIL and hi - lo < MAX_SUPPORT:
        hi = min(s_hi, hi + step)
        step *= 2
    if hi < s_hi and d.sf(hi) <= TAIL:
        a, b = lo, hi  # sf(b) <= TAIL; shrink b
        while b - a > 1:
            mid = math.floor((a + b) / 2)
            a, b = (a, mid) if d.sf(mid) <= TAIL else (mid, b)
        hi = b
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo + 1 > MAX_SUPPORT:
        raise SpecError(f"column {col.name!r}: support [{lo}, {hi}] too large to enumerate")
    x = np.arange(lo, hi + 1)
    return x, d.pmf(x), d.cdf(x), d.sf(x)


def make_transform(col: Column, kind: str) -> Transform:
    """The transform of one column for a pearson or spearman target."""
    if not col.is_discrete:
        if kind == "spearman":  # grade of a continuous column is Phi(Z)
            return Transform(col.name, "smooth", math.sqrt(1 / 12), h=stats.norm.cdf)
        std = float(col.dist.std())
        if not (math.isfinite(std) and std > 0):
            raise SpecError(f"column {col.name!r}: Pearson correlation needs a finite, "
                            f"positive variance (std = {std})")
        return Transform(col.name, "smooth", std, h=_quantile_of_normal(col.dist))
    x, pmf, cdf, sf = _support(col)
    if kind == "spearman":  # mid-rank grades (F(x) + F(x-)) / 2
        values = cdf - pmf / 2
    else:
        values = x
    p = pmf / pmf.sum()
    std = math.sqrt(max(float(p @ (values - p @ values) ** 2), 0.0))
    if not std > 0:
        raise SpecError(f"column {col.name!r}: degenerate (constant) column cannot be correlated")
    thresholds = _normal_thresholds(cdf[:-1], sf[:-1])
    jumps = np.diff(values)
    keep = (jumps != 0) & np.isfinite(thresholds)
    return Transform(col.name, "step", std, thresholds=thresholds[keep], jumps=jumps[keep])


class PairCorrelation:
    """c(r) = corr(h_i(Z1), h_j(Z2)) for latent correlation r, with exactly
    the same quadrature used everywhere (so brentq sees a smooth function)."""

    def __init__(self, a: Transform, b: Transform, nodes: int):
        if a.is_step and not b.is_step:
            a, b = b, a  # order: smooth first, then step
        self.a, self.b = a, b
        x, w = hermegauss(nodes)
        self.x, self.w = x, w / w.sum()
        if not a.is_step and not b.is_step:
            self.ha = a.h(x)
            self.mean_ab = (self.w @ self.ha) * (self.w @ b.h(x))
            self.cov = self._cov_smooth_smooth
        elif not a.is_step:
            gl, glw = leggauss(THETA_NODES)
            self.gl, self.glw = (gl + 1) / 2, glw / 2  # nodes/weights on [0, 1]
            t = b.thresholds
            self.coef = b.jumps * stats.norm.pdf(t)
            keep = np.abs(self.coef) > 1e-18 * np.abs(self.coef).max()
            self.t, self.coef = t[keep], self.coef[keep]
            zmax = min(math.hypot(np.abs(self.t).max(), np.abs(x).max()), Z_CLIP) + 0.1
            self.zmax = zmax
            self.spline = a.table(zmax)
            self.cov = self._cov_smooth_step
        else:
            self.cov = self._cov_step_step
        self.scale = a.std * b.std

    def _cov_smooth_smooth(self, r: float) -> float:
        s = math.sqrt(max(0.0, 1 - r * r))
        hb = self.b.h(r * self.x[:, None] + s * self.x[None, :])
        return float(self.w @ (self.ha * (hb @ self.w))) - self.mean_ab

    def _cov_smooth_step(self, r: float) -> float:
        theta_r = math.asin(r)
        theta = theta_r * self.gl
        sn, cs = np.sin(theta), np.cos(theta)
        args = (sn[:, None, None] * self.t[None, :, None]
                + cs[:, None, None] * self.x[None, None, :])
        np.clip(args, -self.zmax, self.zmax, out=args)
        inner = self.spline(args) @ (self.w * self.x)     # E[Y h(sin t + cos Y)]
        return float(theta_r * (self.glw @ (inner @ self.coef)))

    def _cov_step_step(self, r: float) -> float:
        a, b = self.a.thresholds[:, None], self.b.thresholds[None, :]
        c = self.a.jumps[:, None] * self.b.jumps[None, :]
        diff2, sum2, ab = (a - b) ** 2, (a + b) ** 2, a * b

        def integrand(theta: float) -> float:
            sn, c2 = math.sin(theta), math.cos(theta) ** 2
            with np.errstate(divide="ignore", invalid="ignore"):
                if sn >= 0:  # a^2+b^2-2ab sin = (a-b)^2 + 2ab(1-sin)
                    q = np.where(diff2 == 0, 0.0, diff2 / c2) + 2 * ab / (1 + sn)
                else:        # = (a+b)^2 - 2ab(1+sin)
                    q = np.where(sum2 == 0, 0.0, sum2 / c2) - 2 * ab / (1 - sn)
            return float(np.sum(c * np.exp(-q / 2))) / (2 * math.pi)

        val, _ = integrate.quad(integrand, 0.0, math.asin(r),
                                epsabs=1e-14, epsrel=1e-12, limit=500)
        return val

    def __call__(self, r: float) -> float:
        return self.cov(r) / self.scale


def solve_latent(spec: Spec, nodes: int, verbose: bool = False) -> np.ndarray:
    """Per-pair NORTA matching: the latent correlation over all columns."""
    d = len(spec.columns)
    latent = np.eye(d)
    idx = spec.corr_indices
    kind = spec.corr_kind
    infeasible = []
    if kind == "kendall":
        approx = []
        for p, i in enumerate(idx):
            for q in range(p + 1, len(idx)):
                j = idx[q]
                if spec.target[p, q] != 0 and (spec.columns[i].is_discrete
                                               or spec.columns[j].is_discrete):
                    approx.append(f"({spec.names[i]}, {spec.names[j]})")
                latent[i, j] = latent[j, i] = math.sin(math.pi * spec.target[p, q] / 2)
        if approx:
            print(f"warning: kendall: r = sin(pi tau / 2) is exact only for continuous pairs; "
                  f"approximate for {len(approx)} pairs with a discrete column: "
                  f"{', '.join(approx)}", file=sys.stderr)
        return latent

    transforms = {i: make_transform(spec.columns[i], kind) for i in idx}
    for p, i in enumerate(idx):
        for q in range(p + 1, len(idx)):
            j = idx[q]
            target = float(spec.target[p, q])
            if target == 0.0:
                continue
            c = PairCorrelation(transforms[i], transforms[j], nodes)
            lo, hi = c(-1.0), c(1.0)
            if abs(hi - target) < 1e-12:
                r = 1.0
            elif abs(lo - target) < 1e-12:
                r = -1.0
            elif not lo < target < hi:
                infeasible.append(f"  ({spec.names[i]}, {spec.names[j]}): target {target:+.4f}, "
                                  f"attainable [{lo:+.4f}, {hi:+.4f}]")
                continue
            else:
                r = optimize.brentq(lambda v: c(v) - target, -1.0, 1.0, xtol=1e-13)
            latent[i, j] = latent[j, i] = r
            if verbose:
                print(f"  {spec.names[i]:>14} ~ {spec.names[j]:<14} target {target:+.4f}"
                      f" -> latent {r:+.6f}")
    if infeasible:
        raise SpecError("infeasible pairs (outside what the marginals allow):\n"
                        + "\n".join(infeasible))
    return latent


def read_latent(path: str, spec: Spec) -> np.ndarray:
    """Read ``{"latent": [[...]]}`` (optionally with ``"columns": [...]``).

    The matrix may cover all spec columns (spec order), the correlation's
    ``columns`` (their order), or the columns named in the JSON."""
    with open(path) as fh:
        data = json.load(fh)
    m = np.asarray(data["latent"], dtype=float)
    d = len(spec.columns)
    if "columns" in data:
        names = list(data["columns"])
    elif m.shape == (d, d):
        names = spec.names
    else:
        names = spec.corr_columns
    if m.shape != (len(names), len(names)):
        raise SpecError(f"--latent: matrix is {m.shape}, expected {len(names)}x{len(names)}")
    unknown = [n for n in names if n not in spec.names]
    if unknown:
        raise SpecError(f"--latent: unknown columns {unknown}")
    if not np.allclose(m, m.T, atol=1e-12) or not np.allclose(np.diag(m), 1, atol=1e-12):
        raise SpecError("--latent: matrix must be symmetric with unit diagonal")
    full = np.eye(d)
    ix = [spec.index(n) for n in names]
    full[np.ix_(ix, ix)] = m
    return full


# --------------------------------------------------------------------------
# Generation and writing
# --------------------------------------------------------------------------

def generate(spec: Spec, latent: np.ndarray, rows: int, seed: int) -> pa.Table:
    """Normal draws -> correlated normals -> uniforms -> marginals -> Table."""
    L = np.linalg.cholesky(latent)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((rows, len(spec.columns))) @ L.T
    u = stats.norm.cdf(z)
    del z
    arrays = []
    for j, col in enumerate(spec.columns):
        uj = u[:, j]
        if col.is_categorical:
            codes = col.dist.ppf(uj).astype(np.int32)
            arrays.append(pa.DictionaryArray.from_arrays(codes, pa.array(col.dist.labels)))
        elif col.is_discrete:
            arrays.append(pa.array(col.dist.ppf(uj).astype(np.int64)))
        else:
            arrays.append(pa.array(col.dist.ppf(uj)))
    return pa.table(arrays, names=spec.names)


def _fmt_runs(runs) -> str:
    return ", ".join(f"{v:.4f}" for v in runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Run benchmarks as: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "
               "python3 bench/reference/copula_numpy.py SPEC --rows N",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spec", help="pushforward TOML spec")
    ap.add_argument("--rows", type=int, default=None,
                    help="rows to generate (default: the spec's `rows`)")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed for numpy.random.default_rng (default: the spec's `seed`, else 0)")
    ap.add_argument("--repeats", type=int, default=5,
                    help="timed runs of generation and of writing (default 5)")
    ap.add_argument("--out", default=None,
                    help="file to write (default: a temporary file, removed at the end)")
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                    help="parquet: pyarrow.parquet.write_table (snappy); csv: pyarrow.csv.write_csv "
                         "(multithreaded); default parquet")
    ap.add_argument("--latent", default=None,
                    help='JSON {"latent": [[...]]} latent correlation to use instead of solving')
    ap.add_argument("--save-latent", default=None,
                    help="write the latent matrix used to this JSON file")
    ap.add_argument("--nodes", type=int, default=64,
                    help="Gauss-Hermite nodes per dimension for the NORTA solve (default 64)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every solved pair")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")

    try:
        spec = load_spec(args.spec)
    except (OSError, SpecError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rows = args.rows if args.rows is not None else spec.rows
    if not rows or rows < 1:
        ap.error("--rows not given and the spec has no `rows`")
    seed = args.seed if args.seed is not None else (spec.seed if spec.seed is not None else 0)

    print_environment()
    print(f"spec {args.spec}: {len(spec.columns)} columns, {spec.corr_kind} target over "
          f"{len(spec.corr_columns)} columns; rows {rows}, seed {seed}, repeats {args.repeats}")

    try:
        if args.latent:
            latent = read_latent(args.latent, spec)
            solve_s = None
            print(f"latent: read from {args.latent}")
        else:
            t0 = time.perf_counter()
            latent = solve_latent(spec, args.nodes, args.verbose)
            solve_s = time.perf_counter() - t0
            how = ("closed form sin(pi tau/2)" if spec.corr_kind == "kendall"
                   else f"{args.nodes} Gauss-Hermite nodes")
            print(f"latent: solved {spec.corr_kind} NORTA pairs in {solve_s:.3f} s ({how})")
        eig = np.linalg.eigvalsh(latent).min()
        if eig <= 0:
            raise SpecError(f"latent matrix is not positive definite (min eigenvalue {eig:.3g}); "
                            "the per-pair solution is not a valid correlation matrix")
    except SpecError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"latent: min eigenvalue {eig:.4g}")
    if args.save_latent:
        with open(args.save_latent, "w") as fh:
            json.dump({"columns": spec.names, "latent": latent.tolist()}, fh)
        print(f"latent: saved to {args.save_latent}")

    tmpdir = None
    out = args.out
    if out is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="copula_numpy_")
        out = os.path.join(tmpdir.name, f"out.{args.format}")
    write = pq.write_table if args.format == "parquet" else pa_csv.write_csv

    gen_runs, write_runs = [], []
    for rep in range(args.repeats):
        t0 = time.perf_counter()
        table = generate(spec, latent, rows, seed)
        t1 = time.perf_counter()
        write(table, out)
        t2 = time.perf_counter()
        gen_runs.append(t1 - t0)
        write_runs.append(t2 - t1)
        print(f"run {rep + 1}/{args.repeats}: generate {t1 - t0:.4f} s, write {t2 - t1:.4f} s")
        del table
    size = os.path.getsize(out)
    gen_med, write_med = statistics.median(gen_runs), statistics.median(write_runs)
    print(f"generate: median {gen_med:.4f} s  runs [{_fmt_runs(gen_runs)}]  "
          f"({rows * len(spec.columns) / gen_med / 1e6:.1f} M values/s)")
    print(f"write:    median {write_med:.4f} s  runs [{_fmt_runs(write_runs)}]  "
          f"({size / 1e6:.1f} MB {'snappy parquet' if args.format == 'parquet' else 'csv'}"
          f"{'' if tmpdir else ' at ' + out})")
    if tmpdir is not None:
        tmpdir.cleanup()
    print(json.dumps({
        "rows": rows, "columns": len(spec.columns), "repeats": args.repeats,
        "generate_s_median": round(gen_med, 6), "write_s_median": round(write_med, 6),
        "solve_s": None if solve_s is None else round(solve_s, 6),
        "generate_s_runs": [round(v, 6) for v in gen_runs],
        "write_s_runs": [round(v, 6) for v in write_runs],
        "latent": "file" if args.latent else "solved", "format": args.format, "bytes": size,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
