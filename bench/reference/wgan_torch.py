#!/usr/bin/env python3
"""Reference Wasserstein GAN in PyTorch (CPU), beside ``pushforward fit
--method wgan`` on the 25-Gaussian grid (``bench/wgan.sh``).

Data
    ``--data FILE``: a CSV with a header row and numeric columns (e.g.
    ``pushforward toy 25gaussians -n 20000 -s 1 -o grid.csv``), standardised
    (mean, population std) as pushforward does; float32.

Networks
    generator ``noise (--noise-dim, 8) -> 128 -> 128 -> 128 -> d`` and critic
    ``d -> 128 -> 128 -> 128 -> 1``, LeakyReLU (slope 0.01) after every hidden
    layer (``--hidden``), PyTorch's default ``nn.Linear`` initialisation.

Penalties (``--penalty-kind``)
    ``gp`` (the default): WGAN-GP, Gulrajani et al. 2017, ``lambda E[(|grad
    D(x_hat)| - 1)^2]`` at random interpolates of data and generated rows,
    with the paper's settings: lambda 10, 5 critic steps per generator step,
    Adam(1e-4, betas 0.5, 0.9) for both players.  ``r1r2``: pushforward's
    algorithm, ``lambda (E|grad D(x)|^2 + E|grad D(G(z))|^2)`` on data and
    generated rows (Mescheder et al. 2018), lambda 5, 1 critic step, Adam
    generator 1e-3 and critic 2e-3, betas 0.5, 0.9, and an EMA 0.999 of the
    generator (with Adam's warm-up, as pushforward's).  Every flag below
    overrides the kind's default.  The critic scores how fake a row looks:
    ``L_D = E D(x) - E D(G(z)) + penalty``, ``L_G = E D(G(z))`` (the sign of
    the generative-modelling survey; WGAN-GP's is the mirror image).

Output
    ``--out FILE``: ``--rows`` (2,500) generated rows in data units, seeded;
    JSON on stdout: seconds of the training loop (without the interpreter's
    start and the import of torch), milliseconds per generator step.

Example::

    python3 bench/reference/wgan_torch.py --data grid.csv --out torch.csv --seed 1
"""

from __future__ import annotations

import argparse
import copy
import json
import time

import numpy as np
import torch
from torch import nn

KINDS = {
    "gp": {"penalty": 10.0, "critic_steps": 5, "lr": 1e-4, "critic_lr": 1e-4, "ema": 0.0},
    "r1r2": {"penalty": 5.0, "critic_steps": 1, "lr": 1e-3, "critic_lr": 2e-3, "ema": 0.999},
}


def mlp(inputs: int, hidden: list[int], outputs: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(inputs, width), nn.LeakyReLU(0.01)]
        inputs = width
    layers.append(nn.Linear(inputs, outputs))
    return nn.Sequential(*layers)


def read(path: str) -> tuple[list[str], np.ndarray]:
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def penalty_of(kind: str, critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    def grad_at(x: torch.Tensor) -> torch.Tensor:
        x = x.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
        return g

    if kind == "gp":
        t = torch.rand(real.shape[0], 1)
        g = grad_at(t * real + (1 - t) * fake)
        return ((g.norm(dim=1) - 1) ** 2).mean()
    return grad_at(real).pow(2).sum(1).mean() + grad_at(fake).pow(2).sum(1).mean()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--penalty-kind", choices=sorted(KINDS), default="gp")
    p.add_argument("--steps", type=int, default=10_000, help="generator steps")
    p.add_argument("--critic-steps", type=int)
    p.add_argument("--penalty", type=float)
    p.add_argument("--lr", type=float)
    p.add_argument("--critic-lr", type=float)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--noise-dim", type=int, default=8)
    p.add_argument("--hidden", default="128,128,128")
    p.add_argument("--rows", type=int, default=2500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    kind = dict(KINDS[a.penalty_kind])
    for key in ("penalty", "critic_steps", "lr", "critic_lr"):
        if getattr(a, key) is not None:
            kind[key] = getattr(a, key)
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(a.seed)
    header, raw = read(a.data)
    mean, std = raw.mean(0), raw.std(0)
    data = torch.tensor((raw - mean) / std, dtype=torch.float32)
    n, d = data.shape
    hidden = [int(w) for w in a.hidden.split(",")]
    gen, critic = mlp(a.noise_dim, hidden, d), mlp(d, hidden, 1)
    average = copy.deepcopy(gen)
    betas = (0.5, 0.9)
    g_opt = torch.optim.Adam(gen.parameters(), lr=kind["lr"], betas=betas)
    c_opt = torch.optim.Adam(critic.parameters(), lr=kind["critic_lr"], betas=betas)
    start = time.perf_counter()
    for step in range(a.steps):
        for _ in range(kind["critic_steps"]):
            real = data[torch.randint(n, (a.batch,))]
            with torch.no_grad():
                fake = gen(torch.randn(a.batch, a.noise_dim))
            loss = critic(real).mean() - critic(fake).mean()
            loss = loss + kind["penalty"] * penalty_of(a.penalty_kind, critic, real, fake)
            c_opt.zero_grad(set_to_none=True)
            loss.backward()
            c_opt.step()
        g_loss = critic(gen(torch.randn(a.batch, a.noise_dim))).mean()
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        if kind["ema"] > 0:
            decay = min(kind["ema"], (1 + step) / (10 + step))
            with torch.no_grad():
                for avg, cur in zip(average.parameters(), gen.parameters()):
                    avg.mul_(decay).add_(cur, alpha=1 - decay)
    seconds = time.perf_counter() - start
    final = average if kind["ema"] > 0 else gen
    with torch.no_grad():
        rows = final(torch.randn(a.rows, a.noise_dim)).double().numpy() * std + mean
    np.savetxt(a.out, rows, delimiter=",", header=",".join(header), comments="", fmt="%.6g")
    print(json.dumps({"kind": a.penalty_kind, "seconds": seconds, "ms_per_step": 1000 * seconds / a.steps, **kind}))


if __name__ == "__main__":
    main()
