#!/usr/bin/env python3
"""Reference MMD network in PyTorch (CPU), to benchmark ``pushforward``'s.

Trains the same generator, loss, optimiser and batch as
``cargo bench -p pushforward-neural --bench mmd`` and prints milliseconds per
training step as JSON.

Data
    ``--data FILE``: a CSV with a header row and numeric columns (e.g.
    ``pushforward toy moons -n 20000 -s 1 -o moons.csv``); without it, 20,000
    two-moons rows are drawn with NumPy (the timing does not depend on the
    values).  Columns are standardised (mean, population std); float32.

Generator
    ``noise (--noise-dim, 4) -> 128 -> 128 -> 128 -> d`` with SiLU after
    every hidden layer, PyTorch's default ``nn.Linear`` initialisation;
    noise ``z ~ N(0, I)``.

Loss
    The unbiased MMD^2 (Gretton et al. 2012) between ``--batch`` (256)
    generated rows and 256 data rows drawn uniformly with replacement, with
    ``k(a, b) = sum_s exp(-|a - b|^2 / (2 s^2))`` for
    ``s in {0.05, 0.1, 0.2, 0.5, 1, 2}``; squared distances as
    ``|a|^2 + |b|^2 - 2 a.b`` clamped at 0, exponents clamped at -87 (as
    pushforward's exponential does: PyTorch's ``exp`` takes a slow path for
    results that underflow, and most pairs of the 0.05 kernel do);
    gradients by autograd.

Optimiser
    ``torch.optim.AdamW(lr=2e-3, weight_decay=0)``, the pushforward default
    (whose cosine schedule costs nothing and is left out here),
    ``torch.set_num_threads(--threads)`` (2), subnormal floats flushed to
    zero (``torch.set_flush_denormal``).

Timing
    ``--repeats`` (5) runs of ``--steps`` (200) steps each after 20 warm-up
    steps; the median ms per step is printed with every run's.

Example::

    python3 bench/reference/mmd_torch.py --threads 2 --steps 200 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch
from torch import nn

BANDWIDTHS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)


def moons(n: int, seed: int) -> np.ndarray:
    """Two interleaved half circles with N(0, 0.03^2) noise."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(a), 1.0 - np.cos(a))
    y = np.where(upper, np.sin(a), 0.5 - np.sin(a))
    return np.stack([x, y], axis=1) + rng.normal(0.0, 0.03, (n, 2))


def kernel_sum(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The matrix of ``k(a_i, b_j)`` for the mix of Gaussian kernels."""
    d2 = (a * a).sum(1, keepdim=True) + (b * b).sum(1) - 2.0 * a @ b.T
    d2 = d2.clamp_min(0.0)
    # The clamp keeps exp out of its underflow path, which is ~500x slower
    # per element here; the kernel values it changes are below 2e-38.
    return sum(torch.exp((d2 * (-0.5 / (s * s))).clamp_min(-87.0)) for s in BANDWIDTHS)


def mmd2_unbiased(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gretton et al.'s U-statistic: diagonals left out of the same-sample sums."""
    n, m = x.shape[0], y.shape[0]
    kxx, kyy, kxy = kernel_sum(x, x), kernel_sum(y, y), kernel_sum(x, y)
    xx = (kxx.sum() - kxx.diagonal().sum()) / (n * (n - 1))
    yy = (kyy.sum() - kyy.diagonal().sum()) / (m * (m - 1))
    return xx + yy - 2.0 * kxy.mean()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="training CSV (header, numeric columns)")
    ap.add_argument("--noise-dim", type=int, default=4)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # Products of tiny kernel values can be subnormal, slow on x86.
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    if args.data:
        values = np.loadtxt(args.data, delimiter=",", skiprows=1, ndmin=2)
    else:
        values = moons(20_000, args.seed)
    values = (values - values.mean(0)) / values.std(0)
    data = torch.from_numpy(values.astype(np.float32))
    n, dim = data.shape
    layers: list[nn.Module] = []
    width = args.noise_dim
    for h in (128, 128, 128):
        layers += [nn.Linear(width, h), nn.SiLU()]
        width = h
    generator = nn.Sequential(*layers, nn.Linear(width, dim))
    opt = torch.optim.AdamW(generator.parameters(), lr=2e-3, weight_decay=0.0)

    def step() -> float:
        real = data[torch.randint(0, n, (args.batch,))]
        fake = generator(torch.randn(args.batch, args.noise_dim))
        loss = mmd2_unbiased(fake, real)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(20):
        step()
    runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(args.steps):
            loss = step()
        runs.append(1e3 * (time.perf_counter() - start) / args.steps)
    print(json.dumps({
        "threads": args.threads, "batch": args.batch, "steps": args.steps,
        "ms_per_step_median": statistics.median(runs), "ms_per_step_runs": runs,
        "last_loss": loss,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
