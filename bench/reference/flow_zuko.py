#!/usr/bin/env python3
"""Reference spline flow in zuko (PyTorch, CPU), beside ``pushforward fit --method flow``.

Fits zuko's neural spline flow at the architecture of pushforward's and
prints its time per epoch and test negative log-likelihood as JSON.

Data
    ``--train FILE`` and ``--test FILE``: CSVs with a header row and numeric
    columns (``bench/nflow.sh`` writes them).  Columns are standardised by the
    training rows' mean and population std, as pushforward does; the reported
    NLL is in data units (the log-std of the standardisation added back).

Flow
    ``zuko.flows.NSF(d, transforms=--layers, bins=--bins, passes=2,
    hidden_features=--hidden, activation=SiLU)``: ``passes=2`` makes each
    transform a masked autoregressive transform of two passes: the first
    ``ceil(d/2)`` coordinates (the last, in odd transforms) go through
    splines whose parameters are learned constants (the masked network's
    bias) and condition splines of the others; splines on ``[-5, 5]`` with
    the identity outside, base ``N(0, I)``.  pushforward's current layout is
    the same: the same halves, the same constants, zuko's knot
    parameterisation (soft-bounded logits, slopes ``exp``) and its masked
    networks' initialisation.

    With ``--unaf`` (one column only): ``zuko.flows.UNAF(1, transforms=1,
    signal=16, network=dict(hidden_features=--hidden, activation=SiLU))``,
    zuko's unconstrained monotonic neural network (Wehenkel and Louppe 2019):
    ``T(x) = b + ∫₀ˣ g(t) dt`` with ``g`` an MLP of ``[t, signal]`` made
    positive by a soft-bounded ``exp``, integrated by 32-point
    Gauss-Legendre quadrature, beside pushforward's monotone flow of one
    column (``--hidden`` integrand, 33 Clenshaw-Curtis nodes).

Training
    ``--steps`` steps of ``--batch`` rows drawn uniformly with replacement,
    ``torch.optim.AdamW(lr=--lr, weight_decay=0)`` with a cosine schedule
    (``CosineAnnealingLR``), ``torch.set_num_threads(--threads)``.

    With ``--validation SHARE`` (as ``pushforward fit --validation``): that
    share of the training rows (a seeded permutation) is held out, their
    mean NLL is evaluated every ``--validate-every`` steps, training stops
    after ``--patience`` evaluations without a new lowest, and the weights
    of the lowest are kept; the output adds ``best_step``.

Output
    ``seconds_per_step`` (training loop only), ``seconds_per_epoch``
    (``seconds_per_step * rows / batch``), ``test_nll_per_dim`` (nats) and,
    with ``--mixture``, ``true_nll`` of ½N(−1, 0.5²) + ½N(1, 0.5²) on the test
    rows.

Example::

    python3 bench/reference/flow_zuko.py --train bench/out/nflow/moons_train.csv \\
        --test bench/out/nflow/moons_test.csv --steps 3000
"""

import argparse
import copy
import json
import math
import time

import numpy as np
import torch
import zuko


def read(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--bins", type=int, default=8)
    p.add_argument("--hidden", default="64,64")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mixture", action="store_true")
    p.add_argument("--unaf", action="store_true")
    p.add_argument("--validation", type=float, default=0.0)
    p.add_argument("--validate-every", type=int, default=25)
    p.add_argument("--patience", type=int, default=8)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    train, test = read(a.train), read(a.test)
    mean, std = train.mean(0), train.std(0)
    std[std == 0] = 1.0
    log_scale = float(np.log(std).sum())
    xt = torch.tensor((train - mean) / std, dtype=torch.float32)
    xs = torch.tensor((test - mean) / std, dtype=torch.float32)
    xv = None
    if a.validation > 0:
        order = rng.permutation(len(xt))
        held = round(a.validation * len(xt))
        xv, xt = xt[order[:held]], xt[order[held:]]
    rows, d = xt.shape

    hidden = [int(h) for h in a.hidden.split(",")]
    if a.unaf:
        if d != 1:
            raise SystemExit(f"--unaf models one column; {a.train} has {d}")
        network = {"hidden_features": hidden, "activation": torch.nn.SiLU}
        flow = zuko.flows.UNAF(1, transforms=1, signal=16, network=network)
    else:
        flow = zuko.flows.NSF(
            d, transforms=a.layers, bins=a.bins, passes=2, hidden_features=hidden, activation=torch.nn.SiLU
        )
    opt = torch.optim.AdamW(flow.parameters(), lr=a.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.steps)
    index = torch.tensor(rng.integers(0, rows, size=(a.steps, a.batch)))
    best, stale, steps = (math.inf, 0, None), 0, a.steps
    start = time.perf_counter()
    for step in range(a.steps):
        loss = -flow().log_prob(xt[index[step]]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if xv is not None and ((step + 1) % a.validate_every == 0 or step + 1 == a.steps):
            with torch.no_grad():
                held_nll = -flow().log_prob(xv).mean().item()
            if held_nll < best[0]:
                best, stale = (held_nll, step + 1, copy.deepcopy(flow.state_dict())), 0
            else:
                stale += 1
            if stale >= a.patience > 0:
                steps = step + 1
                break
    seconds = time.perf_counter() - start
    if xv is not None:
        flow.load_state_dict(best[2])
    with torch.no_grad():
        nll = -(flow().log_prob(xs).double().mean().item() - log_scale) / d
    out = {
        "rows": rows,
        "dim": d,
        "seconds_per_step": seconds / steps,
        "seconds_per_epoch": seconds / steps * rows / a.batch,
        "test_nll_per_dim": nll,
    }
    if xv is not None:
        out["best_step"] = best[1]
        out["steps"] = steps
    if a.mixture:
        x = test[:, 0]
        dens = 0.5 * (np.exp(-0.5 * ((x + 1) / 0.5) ** 2) + np.exp(-0.5 * ((x - 1) / 0.5) ** 2)) / (0.5 * math.sqrt(2 * math.pi))
        out["true_nll"] = float(-np.log(dens).mean())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
