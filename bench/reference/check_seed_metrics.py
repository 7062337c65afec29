#!/usr/bin/env python3
"""Self-checks of ``seed_metrics.py`` on cases with known answers.

Each check prints PASS/FAIL; exit status 0 when all pass, 1 otherwise.

1. SYNTH = REAL (moons-like random points): w = 0, mmd = 0, coverage = 1,
   density = (k + 1) / k = 1.2 (each real point's ball holds itself and its
   k neighbours, and no ties in continuous data).
2. Ten points 0..9 on the x axis (k = 5 radii 5,4,3,3,3,3,3,3,4,5):
   a single synthetic point at 0 lies in the balls of points 0..3, so
   coverage = 0.4, density = 4 / 5 = 0.8; a point at 100 gives 0 and 0.
3. Translation: SYNTH = REAL + s gives w = |s / (std_real + 1e-8)| exactly
   (W1 of a translated measure is the length of the shift).
4. 1-D W against ``scipy.stats.wasserstein_distance`` on the standardised
   values (different sizes, 300 vs 200 points).
5. MMD, coverage and density against plain Python double loops written from
   the definitions (40 vs 30 random points in 2-D).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from scipy.stats import wasserstein_distance

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed_metrics as sm  # noqa: E402

FAILURES = 0


def check(name: str, got: float, want: float, tol: float = 1e-9) -> None:
    """Print PASS/FAIL for |got - want| <= tol."""
    global FAILURES
    ok = abs(got - want) <= tol
    FAILURES += not ok
    print(f"{'PASS' if ok else 'FAIL'}  {name}: got {got:.12g}, want {want:.12g}")


def loop_metrics(x: np.ndarray, y: np.ndarray, k: int, gamma: float) -> tuple[float, float, float]:
    """MMD (biased), coverage, density by direct loops over the definitions."""
    def kern(a, b):
        return math.exp(-gamma * sum((ai - bi) ** 2 for ai, bi in zip(a, b)))

    def dist(a, b):
        return math.sqrt(sum((ai - bi) ** 2 for ai, bi in zip(a, b)))

    n, m = len(x), len(y)
    kxx = sum(kern(a, b) for a in x for b in x) / n ** 2
    kyy = sum(kern(a, b) for a in y for b in y) / m ** 2
    kxy = sum(kern(a, b) for a in x for b in y) / (n * m)
    rho = [sorted(dist(x[i], x[j]) for j in range(n) if j != i)[k - 1] for i in range(n)]
    coverage = sum(min(dist(x[i], g) for g in y) <= rho[i] for i in range(n)) / n
    density = sum(sum(dist(g, x[i]) <= rho[i] for i in range(n)) for g in y) / (k * m)
    return kxx + kyy - 2 * kxy, coverage, density


def main() -> int:
    rng = np.random.default_rng(0)

    real = rng.standard_normal((500, 2)) * [1.0, 0.5] + [0.5, 0.25]
    m = sm.seed_metrics(real, real.copy())
    check("identical: w", m["w"], 0.0)
    check("identical: mmd", m["mmd"], 0.0, 1e-12)
    check("identical: coverage", m["coverage"], 1.0)
    check("identical: density", m["density"], (sm.PRDC_K + 1) / sm.PRDC_K)

    line = np.column_stack([np.arange(10.0), np.zeros(10)])
    cov, den = sm.coverage_density(line, np.array([[0.0, 0.0]]))
    check("line, synth at 0: coverage", cov, 0.4)
    check("line, synth at 0: density", den, 0.8)
    cov, den = sm.coverage_density(line, np.array([[100.0, 0.0]]))
    check("line, synth at 100: coverage", cov, 0.0)
    check("line, synth at 100: density", den, 0.0)

    shift = np.array([0.3, -0.2])
    want = float(np.linalg.norm(shift / (real.std(axis=0) + sm.STD_EPS)))
    check("translation: w", sm.wasserstein(real, real + shift), want, 1e-9)

    a = rng.standard_normal((300, 1))
    b = rng.standard_normal((200, 1)) * 1.3 + 0.4
    mu, sd = a.mean(), a.std() + sm.STD_EPS
    want = wasserstein_distance(((a - mu) / sd).ravel(), ((b - mu) / sd).ravel())
    check("1-D w vs scipy", sm.wasserstein(a, b), want, 1e-9)

    x = rng.standard_normal((40, 2))
    y = rng.standard_normal((30, 2)) + 0.3
    mmd, cov, den = loop_metrics(x.tolist(), y.tolist(), sm.PRDC_K, sm.MMD_GAMMA)
    check("loops: mmd", sm.mmd_rbf_biased(x, y), mmd, 1e-12)
    got_cov, got_den = sm.coverage_density(x, y)
    check("loops: coverage", got_cov, cov)
    check("loops: density", got_den, den)

    print(f"{FAILURES} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
