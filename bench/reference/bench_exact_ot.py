#!/usr/bin/env python3
"""POT's exact W2 on the evaluation's 2-D inputs, beside pushforward-ot's bench.

2,000 vs 2,000 points in 2-D: ``make_clouds.gaussian_cloud`` (seeds 1 and 2,
the second shifted by 0.3), both standardised by the first cloud's column
means and standard deviations, as ``pushforward evaluate`` does.  Times
``ot.dist`` (squared Euclidean) + ``ot.emd2(a, b, M, numItermax=10_000_000)``
with uniform weights, ``--repeats`` times (default 7) in one process with
BLAS/OpenMP limited to ``--threads`` threads (default 2), and prints every
run, the median and W2 to 17 digits.

``--write DIR`` also writes the clouds to ``DIR/x.csv`` and ``DIR/y.csv``;
``PF_OT_CLOUDS=DIR cargo bench -p pushforward-ot --bench exact`` then
prints pushforward's W2 on the same points, to compare the values.

Example::

    python3 bench/reference/bench_exact_ot.py --repeats 7 --write /tmp/clouds
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--write", metavar="DIR")
    args = p.parse_args()
    for v in THREAD_VARS:
        os.environ[v] = str(args.threads)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import numpy as np
    import ot
    from make_clouds import gaussian_cloud

    x = gaussian_cloud(2000, 2, seed=1)
    y = gaussian_cloud(2000, 2, shift=0.3, seed=2)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    x, y = (x - mean) / sd, (y - mean) / sd
    if args.write:
        os.makedirs(args.write, exist_ok=True)
        for name, c in (("x", x), ("y", y)):
            np.savetxt(os.path.join(args.write, f"{name}.csv"), c, delimiter=",", fmt="%.17g")
    a = np.full(len(x), 1.0 / len(x))
    runs, val = [], None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        m = ot.dist(x, y)
        val, log = ot.emd2(a, a, m, numItermax=10_000_000, log=True)
        runs.append(time.perf_counter() - t0)
        if log.get("warning"):
            raise RuntimeError(log["warning"])
    print("POT", ot.__version__, "ot.dist + ot.emd2, 2000 vs 2000, 2-D, runs (s):",
          " ".join(f"{r:.3f}" for r in runs))
    print(f"median {statistics.median(runs):.3f} s; W2 = {np.sqrt(val):.17e}; "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
