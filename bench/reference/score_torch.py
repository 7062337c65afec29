#!/usr/bin/env python3
"""Reference score model in PyTorch (CPU), to benchmark ``pushforward fit
--method score`` against: the same equations, network, noise levels, batch,
optimiser and steps.

Data
    ``--data FILE``: a CSV with a header row and numeric columns, standardised
    (mean, population std), float32.

Noise levels
    ``sigma_max`` = the largest Euclidean distance between two standardised
    rows over an evenly strided subset of at most 2,000 rows (``--sigma-max``
    overrides), ``sigma_min`` = 0.01; ``tau(s) = ln(s/sigma_min) /
    ln(sigma_max/sigma_min)``.

Network and loss
    ``F: [c x, tau] -> 128 -> 128 -> 128 -> d`` (``--hidden``), SiLU, PyTorch's
    default initialisation; ``sigma * score(x, sigma) = c F(c x, tau) -
    sigma c^2 x`` with ``c = 1/sqrt(1 + sigma^2)``. Each step draws ``--batch``
    (256) rows uniformly with replacement, ``z ~ N(0, I)`` and ``tau ~
    U[0, 1)`` per row, ``x~ = x + sigma z``, and minimises the mean of
    ``(sigma * score(x~, sigma) + z)^2`` (denoising score matching with
    lambda(sigma) = sigma^2).

Optimiser
    ``torch.optim.AdamW(lr=2e-3, weight_decay=0.01)``, an exponential moving
    average of the weights (decay 0.999, updated every step, used for
    sampling), ``torch.set_num_threads(--threads)`` (2).

Sampling
    The probability-flow ODE ``dx/dtau = -ln(sigma_max/sigma_min) sigma(tau)
    (sigma * score)`` from ``N(0, (1 + sigma_max^2) I)`` at tau = 1 to tau = 0,
    ``--solver-steps`` (50) midpoint steps; ``--samples`` rows written to
    ``--out`` in data units.

Output
    JSON on stdout: milliseconds per training step (the loop's wall time over
    ``--steps``, after 20 warm-up steps), the final loss and settings.

Example::

    python3 bench/reference/score_torch.py --data mixture.csv --steps 2000 --out torch_samples.csv
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn


def largest_distance(x: np.ndarray, limit: int = 2000) -> float:
    stride = max(1, -(-len(x) // limit))
    p = x[::stride].astype(np.float64)
    sq = (p * p).sum(1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * p @ p.T
    return float(np.sqrt(max(d2.max(), 0.0)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--hidden", default="128,128,128")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--sigma-max", type=float, default=None)
    ap.add_argument("--sigma-min", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--solver-steps", type=int, default=50)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    with open(args.data) as f:
        names = f.readline().strip().split(",")
    raw = np.loadtxt(args.data, delimiter=",", skiprows=1, ndmin=2)
    mean, std = raw.mean(0), raw.std(0)
    x = ((raw - mean) / std).astype(np.float32)
    n, d = x.shape
    sigma_max = args.sigma_max or largest_distance(x)
    sigma_min = args.sigma_min
    log_ratio = math.log(sigma_max / sigma_min)
    data = torch.from_numpy(x)

    widths = [d + 1] + [int(w) for w in args.hidden.split(",")]
    layers: list[nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), nn.SiLU()]
    net = nn.Sequential(*layers, nn.Linear(widths[-1], d))
    ema = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)

    def scaled_score(xt: torch.Tensor, sigma: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
        c = 1.0 / torch.sqrt(1.0 + sigma * sigma)
        f = net(torch.cat([c * xt, tau], dim=1))
        return c * f - sigma * c * c * xt

    def step() -> float:
        idx = torch.randint(0, n, (args.batch,))
        z = torch.randn(args.batch, d)
        tau = torch.rand(args.batch, 1)
        sigma = sigma_min * torch.exp(tau * log_ratio)
        xt = data[idx] + sigma * z
        loss = ((scaled_score(xt, sigma, tau) + z) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            torch._foreach_lerp_(ema, [p.detach() for p in net.parameters()], 1.0 - 0.999)
        return loss.item()

    for _ in range(20):
        step()
    start = time.perf_counter()
    loss = 0.0
    for _ in range(args.steps):
        loss = step()
    seconds = time.perf_counter() - start

    if args.out:
        with torch.no_grad():
            for p, e in zip(net.parameters(), ema):
                p.copy_(e)
            g = torch.Generator().manual_seed(args.seed + 1)
            xs = torch.randn(args.samples, d, generator=g) * math.sqrt(1.0 + sigma_max**2)

            def v(xs: torch.Tensor, tau: float) -> torch.Tensor:
                sigma = sigma_min * math.exp(tau * log_ratio)
                col = torch.full((xs.shape[0], 1), tau)
                s = torch.tensor(sigma)
                return -log_ratio * sigma * scaled_score(xs, s, col)

            h = -1.0 / args.solver_steps
            for k in range(args.solver_steps):
                t = 1.0 + k * h
                xs = xs + h * v(xs + 0.5 * h * v(xs, t), t + 0.5 * h)
        out = xs.numpy().astype(np.float64) * std + mean
        np.savetxt(args.out, out, delimiter=",", header=",".join(names), comments="", fmt="%.9g")

    print(json.dumps({
        "ms_per_step": 1000.0 * seconds / args.steps,
        "final_loss": loss,
        "steps": args.steps,
        "batch": args.batch,
        "hidden": args.hidden,
        "threads": args.threads,
        "sigma_max": sigma_max,
        "sigma_min": sigma_min,
    }))


if __name__ == "__main__":
    main()
