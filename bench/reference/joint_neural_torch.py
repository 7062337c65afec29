#!/usr/bin/env python3
"""PyTorch reference of the joint-distribution seed (nifleisch/Joint-Distribution-Generator).

Re-implements, without PyTorch Lightning, the method of the seed's ``model.py`` /
``train.py`` / ``data.py`` so that its training time and losses can be measured
next to ``pushforward generate examples/seed-target.toml``.  Everything below
follows the seed; the few places where this script differs are listed under
"Differences from the seed".

Marginals (d = 12, scipy.stats, the seed's order)
    norm(loc=-3, scale=1.7), uniform(loc=5.3, scale=10.7), bernoulli(p=0.314),
    binom(n=10, p=0.42), poisson(mu=3), expon(scale=1), gamma(a=2, scale=1),
    beta(a=2, b=5), chi2(df=2), t(df=10), lognorm(s=0.954, scale=1),
    weibull_min(c=1.5).  A margin is discrete when its frozen scipy object has
    a ``pmf`` (bernoulli, binomial, poisson); discrete margins are trained as
    continuous outputs and only rounded (``torch.round``) when sampling.

Target
    The 12x12 Pearson ``[correlation] matrix`` of ``--target``
    (default ``examples/seed-target.toml``, read with ``tomllib``); its column
    names, checked against the list above, are the CSV header.

Network
    Noise ``U[0, 1)^{24}`` (d_latents = 2 d) ->
    Linear(24, 96), BatchNorm1d, LeakyReLU -> Linear(96, 384), BatchNorm1d,
    LeakyReLU -> Linear(384, 96), BatchNorm1d, LeakyReLU -> Linear(96, 12),
    PyTorch default initialisation.  A batch of ``--sets`` sets of
    ``--set-size`` points is flattened to (sets * set_size, 24), so BatchNorm
    normalises over all points of all sets, as in the seed.
    Output head per column, from the scipy support (a, b):
    (-inf, inf) identity; [a, inf) relu(x) + a; (-inf, b] clamp(relu(x), max=b);
    [a, b] a + (b - a) * sigmoid(x).

Data
    One item is a set of ``--set-size`` (2000) fresh ``torch.rand`` noise rows;
    each step draws ``--sets`` (128) fresh sets (the seed's dataset has 4096
    items per epoch, 32 steps an epoch, 20 epochs = 640 steps).

Losses
    Marginal: target quantiles ``ppf(k / (n + 1))``, k = 1..n (n = set size),
    float32.  For each column the prediction is the L2 soft sort (Blondel et
    al. 2020) of that column within each set, with a per-column strength picked
    once, before training, from {0.01, 0.1, 1, 10, 100, 1000}: soft-sort a
    randomly permuted copy of the target quantiles and keep the strength with
    the smallest summed absolute error (first one on ties).  Per column:
    ``mean |soft_sort - target| / std(marginal)``; averaged over the 12 columns.
    Correlation: per set ``torch.corrcoef`` of the (n, 12) continuous outputs,
    ``mean |C - A|`` over all 144 entries, averaged over the sets.
    Total = correlation + marginal; ``torch.optim.Adam(lr=--lr)`` (0.0314).

Soft sort (``--soft-sort``)
    ``torchsort``: ``torchsort.soft_sort(x, regularization_strength=eps)``
    (L2), exactly what the seed calls.  ``pav``: this file's own L2 soft sort,
    used when torchsort is not installed (``auto``, the default, takes torchsort
    when it imports): the forward pass solves the isotonic regression with
    pool-adjacent-violators (``scipy.optimize.isotonic_regression``, SciPy >=
    1.12, one call per row) and the backward pass applies the block-averaging
    Jacobian in a ``torch.autograd.Function``.  Both give the same values and
    gradients up to rounding (``--check-soft-sort`` compares them).  The one
    used is printed and written to the JSON as ``soft_sort``.

Timing
    ``time.perf_counter`` around the training loop only (noise draws, forward,
    losses, backward, Adam step; the per-step ``.item()`` calls included; the
    set-up -- quantiles, strength search, model construction -- and sampling
    excluded).  ``torch.set_num_threads(--threads)``.  Per-step losses are
    printed every ``--print-every`` (20) steps.  With ``--target-corr`` and
    ``--target-marginal`` the script records the first step, and the training
    wall time at its end, at which the running mean of the last 10 steps'
    correlation loss and of the last 10 steps' marginal loss are both <= their
    targets (the seed's logged final epoch means: 0.0131 and 0.0439); training
    still runs all ``--steps`` unless ``--stop-at-target``.

Sampling (``--out FILE``)
    ``--rows`` noise rows from a generator seeded with ``--sample-seed``, one
    forward pass under ``torch.inference_mode``, discrete columns rounded,
    written as CSV (header = the TOML's column names, ``%.9g``).  BatchNorm
    uses the statistics of the sampled rows themselves (``--sample-bn batch``,
    the default: the seed samples right after ``trainer.fit``, which leaves the
    module in training mode) or the running averages (``--sample-bn running``).

Output
    JSON on stdout (last line) and in ``--json FILE``: configuration,
    ``soft_sort``, ``regularization_strengths``, ``train_seconds``,
    ``seconds_per_step`` (mean, median, first), ``time_to_target_seconds`` /
    ``step_to_target`` (null when not reached or no targets), final losses
    (last step; mean of the last 10 and the last 32 steps, 32 = one seed epoch),
    ``sample_seconds`` and the CSV path when written.

Differences from the seed
    No Lightning, no DataLoader workers (noise is drawn in the training process
    and its time counted); the heads are applied with ``torch.stack`` instead
    of in-place column assignment (same values and gradients); the strength
    search's permutation and the noise come from ``torch.manual_seed(--seed)``
    (the seed leaves them unseeded); the target matrix is the 12x12 matrix of
    ``examples/seed-target.toml`` (the seed drew a random one).

Example::

    python3 bench/reference/joint_neural_torch.py --steps 640 --sets 128 \\
        --set-size 2000 --lr 0.0314 --threads 2 --seed 0 \\
        --target-corr 0.0131 --target-marginal 0.0439 \\
        --rows 100000 --out samples.csv --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TARGET = REPO_ROOT / "examples" / "seed-target.toml"

# The seed's twelve marginals, in its order, with the column names that
# examples/seed-target.toml gives them.
COLUMN_NAMES = [
    "normal", "uniform", "bernoulli", "binomial", "poisson", "exponential",
    "gamma", "beta", "chi_squared", "student_t", "lognormal", "weibull",
]


def seed_distributions():
    return [
        stats.norm(loc=-3, scale=1.7),
        stats.uniform(loc=5.3, scale=10.7),
        stats.bernoulli(p=0.314),
        stats.binom(n=10, p=0.42),
        stats.poisson(mu=3),
        stats.expon(scale=1),
        stats.gamma(a=2, scale=1),
        stats.beta(a=2, b=5),
        stats.chi2(df=2),
        stats.t(df=10),
        stats.lognorm(s=0.954, scale=np.exp(0)),
        stats.weibull_min(c=1.5),
    ]


def is_discrete(dist) -> bool:
    return hasattr(dist, "pmf")


# --------------------------------------------------------------------------
# L2 soft sort (Blondel, Teboul, Berthet, Djolonga 2020, "Fast Differentiable
# Sorting and Ranking"), ascending, along dim 1 of a 2-D tensor.
#
# With w = (n, n-1, ..., 1) / eps and s = sort(-x) descending (so s = -x_asc),
# the soft sort is  -(w - v)  where  v = argmin_{v_1 >= ... >= v_n} ||v - (w - s)||^2,
# i.e. a decreasing isotonic regression of (w - s), solved here by PAV.  The
# derivative of v w.r.t. its input is block-diagonal with 1/|B| inside each
# block B of the PAV solution, so the gradient w.r.t. x is the block average of
# the incoming gradient, carried back through the sort permutation.
# --------------------------------------------------------------------------


class _PavSoftSort(torch.autograd.Function):
    @staticmethod
    def forward(ctx, values: torch.Tensor, strength: float):
        from scipy.optimize import isotonic_regression

        batch, n = values.shape
        w = torch.arange(n, 0, -1, dtype=values.dtype, device=values.device) / strength
        s, perm = torch.sort(-values, dim=1, descending=True)
        y = (w - s).detach().cpu().to(torch.float64).numpy()
        sol = np.empty_like(y)
        blocks = []
        for r in range(batch):
            res = isotonic_regression(y[r], increasing=False)
            sol[r] = res.x
            blocks.append(np.asarray(res.blocks, dtype=np.int64))
        sol_t = torch.from_numpy(sol).to(values.dtype).to(values.device)
        ctx.blocks = blocks
        ctx.save_for_backward(perm)
        return -(w - sol_t)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (perm,) = ctx.saved_tensors
        g = grad_output.detach().cpu().to(torch.float64).numpy()
        out = np.empty_like(g)
        for r, b in enumerate(ctx.blocks):
            starts = b[:-1]
            sizes = np.diff(b)
            means = np.add.reduceat(g[r], starts) / sizes
            out[r] = np.repeat(means, sizes)
        grad_sorted = torch.from_numpy(out).to(grad_output.dtype).to(grad_output.device)
        grad_in = torch.empty_like(grad_sorted)
        grad_in.scatter_(1, perm, grad_sorted)
        return grad_in, None


def pav_soft_sort(values: torch.Tensor, regularization_strength: float) -> torch.Tensor:
    if values.dim() != 2:
        raise ValueError(f"values should be 2-D, got {tuple(values.shape)}")
    return _PavSoftSort.apply(values, float(regularization_strength))


def pick_soft_sort(choice: str):
    """Returns (name, fn) with fn(values_2d, regularization_strength)."""
    if choice in ("auto", "torchsort"):
        try:
            import importlib.metadata

            import torchsort

            try:
                version = importlib.metadata.version("torchsort")
            except importlib.metadata.PackageNotFoundError:
                version = "?"

            def fn(v, regularization_strength):
                return torchsort.soft_sort(v, regularization_strength=regularization_strength)

            return f"torchsort {version} (soft_sort, L2)", fn
        except ImportError:
            if choice == "torchsort":
                raise
    return "pav (own L2 soft sort: scipy.optimize.isotonic_regression PAV + block-average backward)", pav_soft_sort


def check_soft_sort() -> int:
    """Compares the own PAV soft sort with torchsort (values and gradients)."""
    import torchsort

    gen = torch.Generator().manual_seed(3)
    worst = 0.0
    for n, eps in [(7, 1.0), (50, 0.1), (2000, 0.01), (2000, 1.0), (2000, 100.0), (300, 10.0)]:
        x = (torch.randn(4, n, generator=gen, dtype=torch.float64) * 2.0)
        x[:, : n // 5] = 0.5  # ties
        g = torch.randn(4, n, generator=gen, dtype=torch.float64)
        xa = x.clone().requires_grad_(True)
        xb = x.clone().requires_grad_(True)
        ya = torchsort.soft_sort(xa, regularization_strength=eps)
        yb = pav_soft_sort(xb, eps)
        (ya * g).sum().backward()
        (yb * g).sum().backward()
        dv = (ya - yb).abs().max().item()
        dg = (xa.grad - xb.grad).abs().max().item()
        worst = max(worst, dv, dg)
        print(f"n={n:5d} eps={eps:<7g} max|dvalue|={dv:.3e} max|dgrad|={dg:.3e}")
    print(f"worst difference {worst:.3e}")
    return 0 if worst < 1e-8 else 1


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------


def make_head(dist):
    a, b = (float(v) for v in dist.support())
    if math.isinf(a) and math.isinf(b):
        return lambda x: x
    if not math.isinf(a) and math.isinf(b):
        return lambda x: torch.relu(x) + a
    if math.isinf(a) and not math.isinf(b):
        return lambda x: torch.clamp(torch.relu(x), max=b)
    return lambda x: a + (b - a) * torch.sigmoid(x)


class GenerationNet(nn.Module):
    def __init__(self, distributions, d_latents: int):
        super().__init__()
        d = len(distributions)
        self.d = d
        self.net = nn.Sequential(
            nn.Linear(d_latents, 4 * d_latents),
            nn.BatchNorm1d(4 * d_latents),
            nn.LeakyReLU(),
            nn.Linear(4 * d_latents, 16 * d_latents),
            nn.BatchNorm1d(16 * d_latents),
            nn.LeakyReLU(),
            nn.Linear(16 * d_latents, 8 * d),
            nn.BatchNorm1d(8 * d),
            nn.LeakyReLU(),
            nn.Linear(8 * d, d),
        )
        self.heads = [make_head(dist) for dist in distributions]

    def forward(self, x):
        batch, n, d_latents = x.shape
        y = self.net(x.reshape(-1, d_latents)).reshape(batch, n, self.d)
        return torch.stack([head(y[:, :, i]) for i, head in enumerate(self.heads)], dim=2)


def marginal_target(distributions, n: int) -> torch.Tensor:
    grid = np.linspace(0, 1, n + 2)[1:-1]
    cols = [torch.from_numpy(np.asarray(dist.ppf(grid), dtype=np.float64)).unsqueeze(1)
            for dist in distributions]
    return torch.cat(cols, dim=1).float()


def regularization_strengths(target: torch.Tensor, soft_sort) -> list[float]:
    grid = [0.01, 0.1, 1, 10, 100, 1000]
    out = []
    for i in range(target.shape[1]):
        q = target[:, i]
        shuffled = q[torch.randperm(q.shape[0])].unsqueeze(0)
        errs = []
        for eps in grid:
            approx = soft_sort(shuffled, regularization_strength=eps).squeeze(0)
            errs.append((q - approx).abs().sum().item())
        out.append(grid[int(np.argmin(errs))])
    return out


def corr_loss(x_pred: torch.Tensor, corr_target: torch.Tensor) -> torch.Tensor:
    losses = [F.l1_loss(torch.corrcoef(x_pred[i].T), corr_target) for i in range(x_pred.shape[0])]
    return torch.stack(losses).mean()


def marginal_loss(x_pred, target, stds, strengths, soft_sort) -> torch.Tensor:
    batch = x_pred.shape[0]
    losses = []
    for i in range(x_pred.shape[2]):
        pred = soft_sort(x_pred[:, :, i], regularization_strength=strengths[i])
        tgt = target[:, i].unsqueeze(0).expand(batch, -1)
        losses.append(F.l1_loss(pred, tgt) * (1.0 / stds[i]))
    return torch.stack(losses).mean()


def _finite_or_none(v):
    v = float(v)
    return v if math.isfinite(v) else None


def load_target(path: Path):
    with open(path, "rb") as fh:
        spec = tomllib.load(fh)
    names = [c["name"] for c in spec["column"]]
    if names != COLUMN_NAMES:
        raise SystemExit(f"{path}: columns {names} do not match the seed's {COLUMN_NAMES}")
    corr = spec["correlation"]
    if corr.get("kind", "pearson") != "pearson":
        raise SystemExit(f"{path}: expected a Pearson matrix, got {corr.get('kind')}")
    matrix = torch.tensor(corr["matrix"], dtype=torch.float32)
    if matrix.shape != (len(names), len(names)):
        raise SystemExit(f"{path}: matrix shape {tuple(matrix.shape)}")
    return names, matrix


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    p.add_argument("--steps", type=int, default=640)
    p.add_argument("--sets", type=int, default=128, help="sets per batch")
    p.add_argument("--set-size", type=int, default=2000, help="noise points per set")
    p.add_argument("--lr", type=float, default=0.0314)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--soft-sort", choices=["auto", "torchsort", "pav"], default="auto")
    p.add_argument("--target-corr", type=float, default=None)
    p.add_argument("--target-marginal", type=float, default=None)
    p.add_argument("--stop-at-target", action="store_true")
    p.add_argument("--print-every", type=int, default=20)
    p.add_argument("--rows", type=int, default=100000)
    p.add_argument("--out", type=Path, default=None, help="write --rows samples as CSV")
    p.add_argument("--sample-seed", type=int, default=1)
    p.add_argument("--sample-bn", choices=["batch", "running"], default="batch")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--check-soft-sort", action="store_true",
                   help="compare the own PAV soft sort with torchsort and exit")
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    if args.check_soft_sort:
        return check_soft_sort()

    torch.manual_seed(args.seed)
    sort_name, soft_sort = pick_soft_sort(args.soft_sort)
    names, corr_target = load_target(args.target)
    dists = seed_distributions()
    d = len(dists)
    d_latents = 2 * d
    discrete = [i for i, dist in enumerate(dists) if is_discrete(dist)]
    stds = [float(dist.std()) for dist in dists]

    target = marginal_target(dists, args.set_size)
    strengths = regularization_strengths(target, soft_sort)
    model = GenerationNet(dists, d_latents)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    print(f"soft sort: {sort_name}", file=sys.stderr)
    print("strengths: " + ", ".join(f"{n}={s:g}" for n, s in zip(names, strengths)), file=sys.stderr)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"{args.steps} steps x {args.sets} sets x {args.set_size} points", file=sys.stderr)

    have_targets = args.target_corr is not None and args.target_marginal is not None
    hist_c, hist_m, step_secs = [], [], []
    time_to_target = step_to_target = None
    t0 = time.perf_counter()
    t_prev = t0
    steps_run = 0
    for step in range(args.steps):
        x = torch.rand(args.sets, args.set_size, d_latents)
        x_pred = model(x)
        lc = corr_loss(x_pred, corr_target)
        lm = marginal_loss(x_pred, target, stds, strengths, soft_sort)
        loss = lc + lm
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        hist_c.append(lc.item())
        hist_m.append(lm.item())
        now = time.perf_counter()
        step_secs.append(now - t_prev)
        t_prev = now
        steps_run = step + 1
        if have_targets and time_to_target is None and len(hist_c) >= 10:
            if (statistics.fmean(hist_c[-10:]) <= args.target_corr
                    and statistics.fmean(hist_m[-10:]) <= args.target_marginal):
                time_to_target = now - t0
                step_to_target = step
                print(f"targets reached at step {step} after {time_to_target:.2f} s", file=sys.stderr)
        if step % args.print_every == 0 or step == args.steps - 1:
            print(f"step {step:4d}  loss {hist_c[-1] + hist_m[-1]:.5f}  corr {hist_c[-1]:.5f}  "
                  f"marginal {hist_m[-1]:.5f}  t {now - t0:8.2f} s  ({step_secs[-1]:.3f} s/step)",
                  file=sys.stderr, flush=True)
        if args.stop_at_target and time_to_target is not None:
            break
    train_seconds = time.perf_counter() - t0

    result = {
        "method": "seed joint-distribution generator (PyTorch reimplementation)",
        "target": str(args.target),
        "steps": steps_run,
        "sets": args.sets,
        "set_size": args.set_size,
        "lr": args.lr,
        "threads": torch.get_num_threads(),
        "seed": args.seed,
        "torch": torch.__version__,
        "soft_sort": sort_name,
        "regularization_strengths": dict(zip(names, strengths)),
        "train_seconds": train_seconds,
        "seconds_per_step_mean": statistics.fmean(step_secs),
        "seconds_per_step_median": statistics.median(step_secs),
        "seconds_first_step": step_secs[0],
        "target_corr": args.target_corr,
        "target_marginal": args.target_marginal,
        "time_to_target_seconds": time_to_target,
        "step_to_target": step_to_target,
        "final_loss_corr": hist_c[-1],
        "final_loss_marginal": hist_m[-1],
        "final_loss_corr_mean_last_10": statistics.fmean(hist_c[-10:]),
        "final_loss_marginal_mean_last_10": statistics.fmean(hist_m[-10:]),
        "final_loss_corr_mean_last_32": statistics.fmean(hist_c[-32:]),
        "final_loss_marginal_mean_last_32": statistics.fmean(hist_m[-32:]),
        "first_loss_corr": hist_c[0],
        "first_loss_marginal": hist_m[0],
    }

    if args.out is not None:
        ts = time.perf_counter()
        gen = torch.Generator().manual_seed(args.sample_seed)
        noise = torch.rand(args.rows, d_latents, generator=gen)
        model.train(args.sample_bn == "batch")
        with torch.inference_mode():
            sample = model(noise.unsqueeze(0)).squeeze(0)
            for i in discrete:
                sample[:, i] = torch.round(sample[:, i])
        arr = sample.numpy().astype(np.float64)
        np.savetxt(args.out, arr, delimiter=",", header=",".join(names), comments="", fmt="%.9g")
        result.update({
            "rows": args.rows,
            "out": str(args.out),
            "sample_bn": args.sample_bn,
            "sample_seconds": time.perf_counter() - ts,
            "sample_corr_l1_mean": _finite_or_none(np.abs(np.corrcoef(arr.T) - corr_target.numpy()).mean()),
        })

    text = json.dumps(result, indent=2)
    if args.json is not None:
        args.json.write_text(text + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
