#!/usr/bin/env python3
"""Data of bench/dualdiv.sh: small sets of multivariate series with known structure,
and a real quarterly series.

    python3 bench/reference/dualdiv_data.py OUT_DIR

Writes, with numpy's default_rng(0):
  var.csv      300 samples of a 4-channel x 32-step VAR(1) process
               x_t = A x_{t-1} + e_t, e_t ~ N(0, S), A = 0.6 I + 0.2 (cyclic shift),
               S with unit variances and correlation 0.5 between channels, started
               from its stationary law (200 burn-in steps); each row one sample
               flattened channel by channel (column c*32 + t is channel c at step t)
  mixture.csv  300 points of the 2-D mixture of 8 Gaussians centred on the circle of
               radius 4 (angles k*pi/4), std 0.4, equal weights
  macro.csv    statsmodels' macrodata (US quarterly 1959Q1-2009Q3, 203 rows) as a long
               table of 5 channels: 100 x log-growth of real GDP, real consumption and
               real investment, the unemployment rate and inflation (202 rows)
  macro_windows.csv  its windows of 8 quarters starting every quarter (195 rows of
               5 x 8 columns, channel by channel), what `--window 8 --stride 1` cuts
"""
import sys
from pathlib import Path

import numpy as np


def save(path, values, names):
    np.savetxt(path, values, delimiter=",", header=",".join(names), comments="", fmt="%.8g")


def var_samples(rng, n=300, channels=4, steps=32, burn=200):
    a = 0.6 * np.eye(channels) + 0.2 * np.roll(np.eye(channels), 1, axis=1)
    s = 0.5 * np.ones((channels, channels)) + 0.5 * np.eye(channels)
    chol = np.linalg.cholesky(s)
    x = np.zeros((n, channels))
    out = np.empty((n, channels, steps))
    for t in range(burn + steps):
        x = x @ a.T + rng.standard_normal((n, channels)) @ chol.T
        if t >= burn:
            out[:, :, t - burn] = x
    return out.reshape(n, channels * steps)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    names = [f"c{c}_t{t}" for c in range(4) for t in range(32)]
    save(out / "var.csv", var_samples(rng), names)
    angles = np.pi / 4 * rng.integers(0, 8, 300)
    mixture = 4 * np.column_stack([np.cos(angles), np.sin(angles)]) + rng.normal(0.0, 0.4, (300, 2))
    save(out / "mixture.csv", mixture, ["x", "y"])
    from statsmodels.datasets import macrodata

    data = macrodata.load_pandas().data
    growth = [100 * np.diff(np.log(data[c].to_numpy())) for c in ("realgdp", "realcons", "realinv")]
    levels = [data[c].to_numpy()[1:] for c in ("unemp", "infl")]
    long = np.column_stack(growth + levels)
    channels = ["gdp", "cons", "inv", "unemp", "infl"]
    save(out / "macro.csv", long, channels)
    steps = 8
    windows = np.stack([long[w : w + steps].T.reshape(-1) for w in range(len(long) - steps + 1)])
    save(out / "macro_windows.csv", windows, [f"{c}_t{t}" for c in channels for t in range(steps)])


if __name__ == "__main__":
    main()
