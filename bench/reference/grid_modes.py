"""Mode coverage of samples of a Gaussian grid (the 25-Gaussian grid of the
WGAN-GP paper, or the 4-Gaussian mixture), the same measure for every tool.

A sample is of high quality when it lies within 3 standard deviations of
the nearest centre; a mode is covered when at least a fifth of its fair
share of the samples (n / modes) are high-quality samples at it.

    python3 bench/reference/grid_modes.py SAMPLES.csv [--grid 25|4] [--json]

prints `modes covered`, `high-quality share` and the smallest and largest
count of a mode; the CSV needs columns x and y.
"""

import argparse
import json

import numpy as np

GRIDS = {
    "25": ([(2.0 * i, 2.0 * j) for i in range(-2, 3) for j in range(-2, 3)], 0.05),
    "4": ([(0.0, 0.0), (0.0, 4.0), (4.0, 0.0), (4.0, 4.0)], 0.5),
}


def coverage(points, grid):
    centres, sd = GRIDS[grid]
    centres = np.asarray(centres)
    d = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
    nearest = d.argmin(axis=1)
    good = d[np.arange(len(points)), nearest] <= 3.0 * sd
    counts = np.bincount(nearest[good], minlength=len(centres))
    fair = len(points) / len(centres)
    return {
        "modes": int(len(centres)),
        "covered": int((counts >= 0.2 * fair).sum()),
        "high_quality": float(good.mean()),
        "min_count": int(counts.min()),
        "max_count": int(counts.max()),
        "samples": int(len(points)),
    }


def read_xy(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return data[:, [header.index("x"), header.index("y")]]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("samples")
    p.add_argument("--grid", choices=sorted(GRIDS), default="25")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    c = coverage(read_xy(a.samples), a.grid)
    if a.json:
        print(json.dumps(c))
    else:
        print(
            f"modes covered {c['covered']}/{c['modes']}, high-quality share {c['high_quality']:.3f}, "
            f"per mode {c['min_count']}..{c['max_count']} of {c['samples']}"
        )


if __name__ == "__main__":
    main()
