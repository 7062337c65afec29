#!/usr/bin/env python3
"""Data of bench/gpa.sh: the published GPA configurations' sources and targets.

    python3 bench/reference/gpa_data.py OUT_DIR

Writes, with numpy's default_rng(0):
  mixture_source.csv  200 points of N(0, 0.5^2 I_2)
  mixture_target.csv  200 points of the 4-Gaussian mixture, centres (0,0),
                      (0,4), (4,0), (4,4), std 0.5, equal weights
  roll_source.csv     200 points of N(0, 3^2 I_3)
  roll_target.csv     sklearn make_swiss_roll(200, random_state=0), no noise
  p.csv, q.csv        N(0, I_2) x 500 and N(10, 2^2 I_2) x 300 (the
                      divergence estimator's published example)
"""
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_swiss_roll


def save(path, values, names):
    np.savetxt(path, values, delimiter=",", header=",".join(names), comments="", fmt="%.8g")


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    save(out / "mixture_source.csv", rng.normal(0.0, 0.5, (200, 2)), ["x", "y"])
    centres = np.array([[0, 0], [0, 4], [4, 0], [4, 4]], dtype=float)
    which = rng.integers(0, 4, 200)
    save(out / "mixture_target.csv", centres[which] + rng.normal(0.0, 0.5, (200, 2)), ["x", "y"])
    save(out / "roll_source.csv", rng.normal(0.0, 3.0, (200, 3)), ["x", "y", "z"])
    roll, _ = make_swiss_roll(200, random_state=0)
    save(out / "roll_target.csv", roll, ["x", "y", "z"])
    save(out / "p.csv", rng.normal(0.0, 1.0, (500, 2)), ["x", "y"])
    save(out / "q.csv", rng.normal(10.0, 2.0, (300, 2)), ["x", "y"])


if __name__ == "__main__":
    main()
