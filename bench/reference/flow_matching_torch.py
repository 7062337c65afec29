#!/usr/bin/env python3
"""Reference flow matching in PyTorch (CPU), to benchmark ``pushforward fit``.

Trains a conditional flow-matching velocity field on a numeric CSV (made for
two moons, ``pushforward toy moons -n 20000 -s 1 -o moons.csv``), prints the
training time as JSON and optionally writes Euler samples.  The setup mirrors
the Rust command run by ``bench/flow_moons.sh``:

Data
    ``--data FILE``: CSV with a header row and numeric columns (``x,y`` for
    moons).  Every column is standardised with the data's mean and population
    standard deviation (ddof = 0); samples are un-standardised at the end.
    Training runs in float32 (PyTorch's default dtype).

Model
    MLP on ``concat(x, t)``: ``(d + 1) -> 128 -> 128 -> 128 -> d`` with SiLU
    after every hidden layer (``--hidden``, default ``128,128,128``; for moons
    d = 2, so 3 -> ... -> 2), PyTorch's default ``nn.Linear`` initialisation.

Objective (t = 0 data, t = 1 noise)
    ``x_t = (1 - t) x0 + t eps``, ``t ~ U[0, 1]`` per row, target
    ``v = eps - x0``, loss = MSE (mean over batch and dimensions).

Batches
    Each step draws ``--batch`` (256) rows uniformly *with replacement* from
    the data, ``t`` and fresh ``eps ~ N(0, I)``, all from one
    ``torch.Generator`` seeded with ``--seed``.

Coupling (``--coupling``)
    ``independent``: data and noise rows are paired as drawn.
    ``ot``: exact minibatch OT; the squared-Euclidean cost between the 256
    data rows and the 256 noise rows is solved with
    ``scipy.optimize.linear_sum_assignment`` and the noise rows are reordered
    to match (float64 cost from ``scipy.spatial.distance.cdist``; the cost
    matrix, the assignment and the reorder are timed together as
    ``assignment_seconds``).

Optimiser
    ``torch.optim.AdamW(lr=2e-3, betas=(0.9, 0.999), weight_decay=0.01)``,
    ``--steps`` (10,000) steps, ``torch.set_num_threads(--threads)`` (2).

Timing and output
    Only the training loop is timed (``time.perf_counter``; from the first
    batch draw to the end of the last optimiser step; model construction,
    data loading and sampling excluded).  Printed to stdout as JSON, and
    written to ``--json OUT`` when given::

        {"coupling", "steps", "batch", "train_seconds",
         "assignment_seconds", "final_loss_mean_last_500"}

    ``final_loss_mean_last_500`` is the mean training loss over the last 500
    steps (all steps when fewer).

Sampling (``--out-prefix PATH``)
    ``--sample-rows`` (2,000) starting points ``eps ~ N(0, I)`` from a
    generator seeded with ``--sample-seed`` (11); the same noise for every
    ``K`` in ``--euler-steps`` (``1,2,5,10,50``).  Euler from t = 1 to t = 0
    in K equal steps: ``x <- x - (1/K) v(x, t)``, with ``t = 1 - i/K`` at
    step i = 0 .. K-1.  Writes ``PATH_eulerK.csv`` (same header as the input,
    un-standardised, ``%.9g``), under ``torch.no_grad``.

Example::

    python3 bench/reference/flow_matching_torch.py --data moons.csv \\
        --coupling ot --steps 10000 --seed 1 --out-prefix out/torch_ot
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from torch import nn


def read_csv(path: str) -> tuple[list[str], np.ndarray]:
    """Header names and the float64 ``rows x columns`` values of a numeric CSV."""
    with open(path, encoding="utf-8") as f:
        header = [name.strip() for name in f.readline().strip().split(",")]
    values = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    if values.shape[1] != len(header):
        raise ValueError(f"{path}: {len(header)} header names, {values.shape[1]} columns")
    return header, values


def write_csv(path: str, header: list[str], values: np.ndarray) -> None:
    """Write ``values`` with a header row, 9 significant digits (float32)."""
    np.savetxt(path, values, delimiter=",", header=",".join(header), comments="", fmt="%.9g")


def make_mlp(dim: int, hidden: list[int]) -> nn.Sequential:
    """``(dim + 1) -> hidden... -> dim`` with SiLU after each hidden layer."""
    layers: list[nn.Module] = []
    width = dim + 1
    for h in hidden:
        layers += [nn.Linear(width, h), nn.SiLU()]
        width = h
    layers.append(nn.Linear(width, dim))
    return nn.Sequential(*layers)


def velocity(model: nn.Module, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The model's velocity at ``x`` (rows) and times ``t`` (one per row)."""
    return model(torch.cat([x, t], dim=1))


def ot_reorder(x0: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """``eps`` reordered by the exact assignment minimising sum |x0_i - eps_j|^2."""
    cost = cdist(x0.double().numpy(), eps.double().numpy(), "sqeuclidean")
    _, cols = linear_sum_assignment(cost)
    # For a square cost, rows is 0..n-1 in order, so cols[i] is x0[i]'s partner.
    return eps[torch.from_numpy(cols)]


def train(model: nn.Module, data: torch.Tensor, args: argparse.Namespace) -> dict:
    """Run the training loop; returns the timing/loss record."""
    gen = torch.Generator().manual_seed(args.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.999),
                            weight_decay=args.weight_decay)
    n, dim = data.shape
    losses = np.empty(args.steps)
    assignment_seconds = 0.0
    start = time.perf_counter()
    for step in range(args.steps):
        x0 = data[torch.randint(0, n, (args.batch,), generator=gen)]
        t = torch.rand(args.batch, 1, generator=gen)
        eps = torch.randn(args.batch, dim, generator=gen)
        if args.coupling == "ot":
            a_start = time.perf_counter()
            eps = ot_reorder(x0, eps)
            assignment_seconds += time.perf_counter() - a_start
        xt = (1.0 - t) * x0 + t * eps
        loss = torch.mean((velocity(model, xt, t) - (eps - x0)) ** 2)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses[step] = loss.item()
    train_seconds = time.perf_counter() - start
    return {
        "coupling": args.coupling,
        "steps": args.steps,
        "batch": args.batch,
        "train_seconds": train_seconds,
        "assignment_seconds": assignment_seconds,
        "final_loss_mean_last_500": float(losses[-500:].mean()) if args.steps else None,
    }


@torch.no_grad()
def euler_sample(model: nn.Module, noise: torch.Tensor, k: int) -> torch.Tensor:
    """Integrate from t = 1 (``noise``) to t = 0 in ``k`` equal Euler steps."""
    x = noise.clone()
    h = 1.0 / k
    for i in range(k):
        t = torch.full((x.shape[0], 1), 1.0 - i * h)
        x = x - h * velocity(model, x, t)
    return x


def parse_int_list(text: str) -> list[int]:
    """``"1,2,5"`` -> ``[1, 2, 5]`` (positive integers)."""
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="training CSV (header, numeric columns)")
    ap.add_argument("--coupling", choices=["independent", "ot"], default="independent")
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--hidden", type=parse_int_list, default=[128, 128, 128],
                    help="hidden widths, comma-separated (default 128,128,128)")
    ap.add_argument("--seed", type=int, default=0,
                    help="seeds the model init and the training batches")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--json", metavar="OUT", help="also write the timing JSON here")
    ap.add_argument("--out-prefix", metavar="PATH",
                    help="write Euler samples to PATH_eulerK.csv")
    ap.add_argument("--sample-rows", type=int, default=2000)
    ap.add_argument("--euler-steps", type=parse_int_list, default=[1, 2, 5, 10, 50],
                    help="Euler step counts K, comma-separated (default 1,2,5,10,50)")
    ap.add_argument("--sample-seed", type=int, default=11,
                    help="seed of the sampling noise (default 11)")
    args = ap.parse_args(argv)
    if args.steps < 0 or args.batch < 1:
        ap.error("--steps must be >= 0 and --batch >= 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    header, raw = read_csv(args.data)
    mean = raw.mean(axis=0)
    std = raw.std(axis=0)
    if np.any(std == 0):
        ap.error(f"{args.data}: a column is constant")
    data = torch.from_numpy((raw - mean) / std).float()

    model = make_mlp(data.shape[1], args.hidden)
    record = train(model, data, args)

    text = json.dumps(record)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(text + "\n")

    if args.out_prefix:
        model.eval()
        gen = torch.Generator().manual_seed(args.sample_seed)
        noise = torch.randn(args.sample_rows, data.shape[1], generator=gen)
        for k in args.euler_steps:
            x = euler_sample(model, noise, k).double().numpy() * std + mean
            write_csv(f"{args.out_prefix}_euler{k}.csv", header, x)
    return 0


if __name__ == "__main__":
    sys.exit(main())
