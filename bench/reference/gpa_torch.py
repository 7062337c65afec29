#!/usr/bin/env python3
"""Lipschitz-regularised generative particles (GPA) in PyTorch: the reference
for `pushforward transport` (bench/gpa.sh).

Follows the published algorithm (Gu et al. 2022, scripts/GPA_NN): a 3x32 ReLU
discriminator phi, K Adam ascent steps per particle step on the
Donsker-Varadhan objective mean_P phi - log mean_Q exp(phi), then
Y <- Y - dt grad phi(Y) (Euler) or Heun with the discriminator retrained at
the predictor. Under --lipschitz L every linear layer is spectrally
normalised (torch's parametrization: one power iteration per training
forward, Miyato et al. 2018) and scaled by L^(1/layers). As in
`pushforward transport`, the Adam state is kept across particle steps (the
published code restarts it every step) and the batches are the whole sets.

    python3 bench/reference/gpa_torch.py --source s.csv --target t.csv \
        --lipschitz 1 --lr 1e-3 --critic-steps 3 --dt 0.5 --particle-steps 500 \
        --scheme euler --seed 0 --out moved.csv --threads 2

Prints a JSON line: seconds of the loop, seconds per particle step.
`--snapshots 500,1000` also writes the particles after those steps to
moved_500.csv, moved_1000.csv (beside --out) and `--record r.csv` the
mean and largest particle speed of every step and, every 100 steps, each
layer's power-iteration estimate sigma over its true spectral norm (read
without touching the iteration: the run itself is unchanged, only slower).
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn


class ScaledLinear(nn.Module):
    """A linear layer, spectrally normalised and scaled by `c` when `c` is given."""

    def __init__(self, n_in, n_out, c):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.c = c
        if c is not None:
            self.linear = nn.utils.parametrizations.spectral_norm(self.linear)

    def forward(self, x):
        y = self.linear(x)
        return y if self.c is None else self.c * y


def critic(d, hidden, lipschitz):
    widths = [d] + hidden + [1]
    c = None if lipschitz is None else lipschitz ** (1.0 / (len(widths) - 1))
    layers = []
    for i in range(len(widths) - 1):
        layers.append(ScaledLinear(widths[i], widths[i + 1], c))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def dv(phi, p, q):
    a, b = phi(p), phi(q)
    return a.mean() - (torch.logsumexp(b, 0) - np.log(b.shape[0])).squeeze()


def sigma_ratios(phi, step):
    """Every 100 steps, each layer's sigma estimate over its spectral norm (NaN otherwise)."""
    linears = [m.linear for m in phi if isinstance(m, ScaledLinear)]
    if step % 100 != 0 or not all(hasattr(l, "parametrizations") for l in linears):
        return [float("nan")] * len(linears)
    ratios = []
    with torch.no_grad():
        for l in linears:
            w = l.parametrizations.weight.original
            sn = l.parametrizations.weight[0]
            sigma = torch.vdot(sn._u, torch.mv(w, sn._v))
            ratios.append((sigma / torch.linalg.matrix_norm(w, 2)).item())
    return ratios


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--lipschitz", type=float, default=None)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--critic-steps", type=int, default=3)
    ap.add_argument("--dt", type=float, default=0.5)
    ap.add_argument("--particle-steps", type=int, default=500)
    ap.add_argument("--scheme", choices=["euler", "heun"], default="euler")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--snapshots", default="", help="comma-separated steps to save the particles after")
    ap.add_argument("--record", default=None, help="CSV of per-step speeds and sigma ratios")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    load = lambda path: torch.tensor(np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2), dtype=torch.float32)
    y, x = load(args.source), load(args.target)
    phi = critic(x.shape[1], [32, 32, 32], args.lipschitz)
    opt = torch.optim.Adam(phi.parameters(), lr=args.lr)

    def fit(p):
        for _ in range(args.critic_steps):
            opt.zero_grad()
            (-dv(phi, p, x)).backward()
            opt.step()

    def velocity(p):
        p = p.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(phi(p).sum(), p)
        return -g

    header = ",".join(open(args.target).readline().strip().split(","))
    save = lambda path, points: np.savetxt(path, points.numpy(), delimiter=",", header=header, comments="")
    snapshots = {int(s) for s in args.snapshots.split(",") if s}
    record = [] if args.record else None
    start = time.perf_counter()
    for step in range(1, args.particle_steps + 1):
        fit(y)
        v = velocity(y)
        if args.scheme == "heun":
            pred = y + args.dt * v
            fit(pred)
            v = 0.5 * (v + velocity(pred))
        y = (y + args.dt * v).detach()
        if record is not None:
            speed = v.norm(dim=1)
            record.append([step, speed.mean().item(), speed.max().item()] + sigma_ratios(phi, step))
        if step in snapshots:
            out = Path(args.out)
            save(out.with_name(f"{out.stem}_{step}{out.suffix}"), y)
    seconds = time.perf_counter() - start
    save(args.out, y)
    if record is not None:
        layers = len(record[0]) - 3
        names = ["step", "mean_speed", "max_speed"] + [f"sigma_ratio_{i}" for i in range(layers)]
        np.savetxt(args.record, np.array(record), delimiter=",", header=",".join(names), comments="")
    print(json.dumps({"seconds": seconds, "per_step_ms": 1e3 * seconds / args.particle_steps}))


if __name__ == "__main__":
    main()
