#!/usr/bin/env python3
"""Timings of the Python metric tools (POT, NumPy, SciPy) for BENCHMARKS.md.

Each case runs in a fresh child process (so its peak RSS is its own) with
BLAS/OpenMP limited to ``--threads`` (default 2) threads: OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS, MKL_NUM_THREADS, VECLIB_MAXIMUM_THREADS and
NUMEXPR_NUM_THREADS are set before numpy is imported, and
``threadpoolctl.threadpool_limits`` is applied as well.  Each case is timed
``--repeats`` times (default 3) in that process and the median is printed,
one line per case:

  a  exact W2, 2,000 vs 2,000 points in 2-D: ``ot.dist`` (squared Euclidean)
     + ``ot.emd2(a, b, M, numItermax=10_000_000)``, sqrt of the result;
  b  Sinkhorn, 10,000 vs 10,000 in 10-D, eps = 0.05:
     ``ot.sinkhorn2(a, b, M, 0.05, method="sinkhorn_log", stopThr=0)``
     timed with numItermax = 1 and 1 + ``--sinkhorn-iters`` (default 10); the
     time per iteration is the difference over the extra iterations (cost
     matrix built once, outside the timing, and reported separately).  This is
     NOT a converged solve: run to convergence it went over 20 minutes without
     converging (see the measurement notes); the marginal error reached is
     printed;
  c  PRDC, 10,000 vs 10,000 in 10-D, k = 5, NumPy with full distance matrices
     as the ``prdc`` package does (real-real, synth-synth, real-synth, via the
     |x|^2 + |y|^2 - 2xy expansion like sklearn's ``euclidean_distances``),
     with <= as in pushforward's definition (checked against
     ``metrics_reference.prdc``, outside the timing);
  d  unbiased MMD^2, 5,000 vs 5,000 in 10-D, NumPy full matrices: pooled
     squared distances, median-heuristic bandwidth over the pairs i<j, kernel
     sum over the scales 0.1, 0.2, 0.5, 1, 2 (the value is checked against
     ``metrics_reference.mmd``, outside the timing);
  e  the whole reference evaluation (``metrics_reference.evaluate``) on REAL
     and SYNTH CSVs (``--real``/``--synth``; default: generated once by
     make_clouds into ``--workdir``: 100,000 rows x 12 correlated columns,
     seeds 1 and 2, synth shifted by 0.3), with pushforward's caps and the
     FIRST rows taken: exact OT 2,000 per side, sliced W2 20,000, Sinkhorn
     2,000, MMD 5,000, PRDC 10,000, DCR/NNDR 5,000 synth rows against all
     real rows (the defaults of ``pushforward evaluate``).

Inputs for a-d are generated in the child with ``make_clouds.gaussian_cloud``
(real: seed 1, synth: seed 2 with shift 0.3).  Peak RSS is the child's
``ru_maxrss`` (includes the inputs and the Python/NumPy baseline, also
printed).  The machine may be shared: timings are medians, and the log
records the load average.

Example::

    python3 bench/reference/bench_metrics.py --repeats 3
    python3 bench/reference/bench_metrics.py --cases a,d --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
CASES = "abcde"


def _maxrss_mib() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # KiB on Linux


def _time(fn, repeats):
    runs, val = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        val = fn()
        runs.append(time.perf_counter() - t0)
    return runs, val


def _clouds(n, d):
    from make_clouds import gaussian_cloud
    return gaussian_cloud(n, d, 0.0, seed=1), gaussian_cloud(n, d, 0.3, seed=2)


# --------------------------------------------------------------------------
# Cases (run in the child)
# --------------------------------------------------------------------------

def case_a(args) -> dict:
    import numpy as np
    import ot
    x, y = _clouds(2000, 2)
    a = np.full(len(x), 1.0 / len(x))

    def run():
        m = ot.dist(x, y)
        val, log = ot.emd2(a, a, m, numItermax=10_000_000, log=True)
        if log.get("warning"):
            raise RuntimeError(log["warning"])
        return float(np.sqrt(val))
    runs, w2 = _time(run, args.repeats)
    return {"runs": runs, "value": w2, "what": "exact W2 (ot.dist + ot.emd2), 2000 vs 2000, 2-D"}


def case_b(args) -> dict:
    import numpy as np
    import ot
    x, y = _clouds(10000, 10)
    a = np.full(len(x), 1.0 / len(x))
    t0 = time.perf_counter()
    m = ot.dist(x, y)
    t_cost = time.perf_counter() - t0
    extra = args.sinkhorn_iters

    def run(iters):
        return ot.sinkhorn2(a, a, m, 0.05, method="sinkhorn_log", numItermax=iters,
                            stopThr=0.0, warn=False, log=True)
    per_iter, err = [], None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        run(1)
        t1 = time.perf_counter()
        _, log = run(1 + extra)
        t2 = time.perf_counter()
        per_iter.append(((t2 - t1) - (t1 - t0)) / extra)
        err = float(log["err"][-1])
    return {"runs": per_iter, "value": err, "cost_matrix_s": t_cost,
            "what": f"Sinkhorn log-domain ot.sinkhorn2, 10000 vs 10000, 10-D, eps 0.05: "
                    f"time PER ITERATION (not converged; marginal L2 error after "
                    f"{1 + extra} iterations printed as value)"}


def _sq_dists(x, y, same=False):
    import numpy as np
    d = x @ y.T
    d *= -2.0
    d += np.einsum("ij,ij->i", x, x)[:, None]
    d += np.einsum("ij,ij->i", y, y)[None, :]
    np.maximum(d, 0.0, out=d)
    if same:
        np.fill_diagonal(d, 0.0)
    return d


def case_c(args) -> dict:
    import numpy as np
    x, y = _clouds(10000, 10)
    k = 5

    def kth(d):          # k-th nearest other point (self at distance 0 included)
        return np.partition(d, k, axis=1)[:, k]

    def run():
        drr = np.sqrt(_sq_dists(x, x, True))
        r = kth(drr)
        del drr
        dss = np.sqrt(_sq_dists(y, y, True))
        s = kth(dss)
        del dss
        drs = np.sqrt(_sq_dists(x, y))
        inside = drs <= r[:, None]
        precision = inside.any(axis=0).mean()
        density = inside.sum(axis=0).mean() / k
        recall = (drs <= s[None, :]).any(axis=1).mean()
        coverage = (drs.min(axis=1) <= r).mean()
        return [float(precision), float(recall), float(density), float(coverage)]
    runs, val = _time(run, args.repeats)
    import metrics_reference as mr
    ref = mr.prdc(x, y, k)
    ref = [ref[key] for key in ("precision", "recall", "density", "coverage")]
    return {"runs": runs, "value": val, "reference_value": ref,
            "what": "PRDC k=5 NumPy full distance matrices, 10000 vs 10000, 10-D "
                    "(value: precision, recall, density, coverage)"}


def case_d(args) -> dict:
    import numpy as np
    x, y = _clouds(5000, 10)
    n, m = len(x), len(y)
    scales = (0.1, 0.2, 0.5, 1.0, 2.0)

    def run():
        z = np.vstack([x, y])
        d2 = _sq_dists(z, z, True)
        idx = np.arange(n + m)
        h = float(np.median(np.sqrt(d2[idx[:, None] < idx[None, :]])))
        kern = np.zeros_like(d2)
        for s in scales:
            kern += np.exp(d2 * (-1.0 / (2.0 * (s * h) ** 2)))
        kxx, kyy, kxy = kern[:n, :n].sum(), kern[n:, n:].sum(), kern[:n, n:].sum()
        diag = float(len(scales))
        return float((kxx - n * diag) / (n * (n - 1)) + (kyy - m * diag) / (m * (m - 1))
                     - 2.0 * kxy / (n * m))
    runs, val = _time(run, args.repeats)
    import metrics_reference as mr
    ref = mr.mmd(x, y)[0]
    return {"runs": runs, "value": val, "reference_value": ref,
            "what": "unbiased MMD^2 NumPy full matrices (median bandwidth, 5 scales), "
                    "5000 vs 5000, 10-D"}


def case_e(args) -> dict:
    import metrics_reference as mr
    res = None

    def run():
        nonlocal res
        res = mr.evaluate(args.real, args.synth, None, subsample=True,
                          max_ot=2000, max_sinkhorn=2000, max_mmd=5000, max_prdc=10000,
                          max_dcr=5000, max_sliced=20000, projections=args.projections)
        return res["meta"]["timings_s"]
    runs, parts = _time(run, args.repeats)
    keys = ("w1", "w2", "sliced_w2", "sinkhorn", "mmd2", "precision", "recall", "density",
            "coverage")
    value = {k: round(res["joint"][k], 6) for k in keys if res["joint"].get(k) is not None}
    value["dcr_synth_median"] = res["privacy"]["dcr_synth_median"]
    return {"runs": runs, "value": value,
            "parts_s": {k: round(v, 2) for k, v in parts.items()},
            "what": f"full reference evaluation (caps: OT 2000, sliced 20000, Sinkhorn 2000, "
                    f"MMD 5000, PRDC 10000, DCR 5000 synth rows), {res['meta']['n_real']} x "
                    f"{len(res['columns'])} vs {res['meta']['n_synth']} rows"}


def child(args) -> int:
    from threadpoolctl import threadpool_limits
    sys.path.insert(0, HERE)
    import numpy  # noqa: F401  (baseline RSS after the imports)
    import ot  # noqa: F401
    import scipy.spatial  # noqa: F401
    base = _maxrss_mib()
    with threadpool_limits(limits=args.threads):
        out = globals()[f"case_{args.case}"](args)
    out["median_s"] = statistics.median(out["runs"])
    out["peak_rss_mib"] = _maxrss_mib()
    out["baseline_rss_mib"] = base
    print("RESULT " + json.dumps(out))
    return 0


# --------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------

def ensure_inputs(args) -> None:
    if args.real and args.synth:
        return
    sys.path.insert(0, HERE)
    from make_clouds import cloud_columns, write_csv
    os.makedirs(args.workdir, exist_ok=True)
    args.real = os.path.join(args.workdir, f"real_{args.rows}x{args.dim}.csv")
    args.synth = os.path.join(args.workdir, f"synth_{args.rows}x{args.dim}.csv")
    for path, seed, shift in ((args.real, 1, 0.0), (args.synth, 2, 0.3)):
        if not os.path.exists(path):
            print(f"writing {path}", flush=True)
            write_csv(path, cloud_columns(args.rows, args.dim, shift, seed, correlated=True))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=CASES, help=f"which cases to run (default {CASES})")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per case (default 3)")
    ap.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads (default 2)")
    ap.add_argument("--sinkhorn-iters", type=int, default=10,
                    help="extra Sinkhorn iterations timed in case b (default 10)")
    ap.add_argument("--real", default=None, help="case e: real CSV (default: generated)")
    ap.add_argument("--synth", default=None, help="case e: synthetic CSV (default: generated)")
    ap.add_argument("--rows", type=int, default=100_000, help="case e generated rows (100000)")
    ap.add_argument("--dim", type=int, default=12, help="case e generated columns (12)")
    ap.add_argument("--projections", type=int, default=256, help="case e sliced W2 projections")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "pushforward_bench"),
                    help="where case e's generated CSVs are kept")
    ap.add_argument("--case", default=None, help=argparse.SUPPRESS)   # child mode
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    if args.case:
        return child(args)

    cases = [c for c in args.cases if c in CASES]
    if "e" in cases:
        ensure_inputs(args)
    import platform
    import numpy
    import ot
    import scipy
    print(f"python {platform.python_version()}  numpy {numpy.__version__}  scipy "
          f"{scipy.__version__}  pot {ot.__version__}  cpus {os.cpu_count()}  threads "
          f"{args.threads}  repeats {args.repeats}  load average {os.getloadavg()}")
    env = dict(os.environ)
    env.update({v: str(args.threads) for v in THREAD_VARS})
    status = 0
    for c in cases:
        cmd = [sys.executable, os.path.abspath(__file__), "--case", c,
               "--repeats", str(args.repeats), "--threads", str(args.threads),
               "--sinkhorn-iters", str(args.sinkhorn_iters),
               "--projections", str(args.projections)]
        if c == "e":
            cmd += ["--real", args.real, "--synth", args.synth]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
        if p.returncode or not lines:
            print(f"{c}: FAILED (exit {p.returncode})\n{p.stdout}\n{p.stderr}")
            status = 1
            continue
        r = json.loads(lines[-1][len("RESULT "):])
        runs = ", ".join(f"{t:.3f}" for t in r["runs"])
        extra = ""
        for key in ("cost_matrix_s", "reference_value", "parts_s"):
            if key in r:
                extra += f"  {key} {r[key]}"
        print(f"{c}  {r['what']}\n   median {r['median_s']:.3f} s  (runs {runs})  "
              f"peak RSS {r['peak_rss_mib']:.0f} MiB (baseline {r['baseline_rss_mib']:.0f})  "
              f"value {r['value']}{extra}  [child wall {wall:.1f} s, load {os.getloadavg()[0]:.2f}]",
              flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
