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
"""
import argparse
import json
import time

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

    start = time.perf_counter()
    for _ in range(args.particle_steps):
        fit(y)
        v = velocity(y)
        if args.scheme == "heun":
            pred = y + args.dt * v
            fit(pred)
            v = 0.5 * (v + velocity(pred))
        y = (y + args.dt * v).detach()
    seconds = time.perf_counter() - start
    header = ",".join(open(args.target).readline().strip().split(","))
    np.savetxt(args.out, y.numpy(), delimiter=",", header=header, comments="")
    print(json.dumps({"seconds": seconds, "per_step_ms": 1e3 * seconds / args.particle_steps}))


if __name__ == "__main__":
    main()
