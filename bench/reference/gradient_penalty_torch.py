"""PyTorch reference for the engine's gradient-penalty pass.

Check mode: reads the JSON written by
    cargo run -p pushforward-neural --example gradient_penalty_check -- OUT.json
recomputes D(x), grad_x D(x), the R1 penalty sum_r w_r/2 |grad_x D(x_r)|^2 and
its parameter gradient in float64 with torch.autograd.grad(create_graph=True),
prints the relative error of each (max |ours - torch| / max |torch|) and exits
non-zero above 1e-5.

    python3 bench/reference/gradient_penalty_torch.py OUT.json

Bench mode: one WGAN-R1 critic step of a 2 -> 128 -> 128 -> 128 -> 1 SiLU
critic on a batch of 256 (forward, input gradient, gradient of
mean D(x) + 10/2 mean |grad_x D|^2 by double backward), float32, 2 threads;
prints the median time per step over several runs.

    python3 bench/reference/gradient_penalty_torch.py --bench
"""

import json
import sys
import time

import torch
import torch.nn.functional as F

ACTIVATIONS = {
    "relu": F.relu,
    "leaky-relu": lambda z: F.leaky_relu(z, 0.01),
    "silu": F.silu,
    "gelu": lambda z: F.gelu(z, approximate="tanh"),
    "elu": F.elu,
}


def layers(params, widths, dtype):
    """Weights stored input-major (y = x W + b), layer by layer, then b."""
    out, at = [], 0
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        w = torch.tensor(params[at : at + fan_in * fan_out], dtype=dtype).reshape(fan_in, fan_out)
        at += fan_in * fan_out
        b = torch.tensor(params[at : at + fan_out], dtype=dtype)
        at += fan_out
        out += [w.requires_grad_(True), b.requires_grad_(True)]
    assert at == len(params)
    return out


def critic(x, ps, act):
    a = x
    n = len(ps) // 2
    for l in range(n):
        a = a @ ps[2 * l] + ps[2 * l + 1]
        if l + 1 < n:
            a = act(a)
    return a[:, 0]


def rel(ours, theirs):
    ours = torch.as_tensor(ours, dtype=torch.float64).flatten()
    theirs = theirs.detach().flatten()
    return ((ours - theirs).abs().max() / theirs.abs().max()).item()


def check(path):
    cases = json.load(open(path))["cases"]
    worst = 0.0
    for c in cases:
        widths = [c["input"]] + c["hidden"] + [1]
        ps = layers(c["params"], widths, torch.float64)
        x = torch.tensor(c["x"], dtype=torch.float64).reshape(-1, c["input"]).requires_grad_(True)
        w = torch.tensor(c["w"], dtype=torch.float64)
        d = critic(x, ps, ACTIVATIONS[c["activation"]])
        (g,) = torch.autograd.grad(d.sum(), x, create_graph=True)
        penalty = (w * 0.5 * g.pow(2).sum(1)).sum()
        # The output bias does not move grad_x D: its gradient is zero.
        grads = torch.autograd.grad(penalty, ps, allow_unused=True)
        grad = torch.cat([(torch.zeros_like(p) if q is None else q).flatten() for p, q in zip(ps, grads)])
        errs = {
            "D": rel(c["d"], d),
            "grad_x D": rel(c["g"], g),
            "penalty": rel([c["penalty"]], penalty.reshape(1)),
            "grad_theta": rel(c["grad"], grad),
        }
        worst = max(worst, *errs.values())
        print(f"{c['activation']:>10}: " + ", ".join(f"{k} {v:.2e}" for k, v in errs.items()))
    print(f"max relative error {worst:.2e} (limit 1e-5)")
    return 0 if worst <= 1e-5 else 1


def bench():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 1),
    )
    params = list(net.parameters())
    x0 = torch.randn(256, 2)

    def step():
        x = x0.clone().requires_grad_(True)
        d = net(x)[:, 0]
        (g,) = torch.autograd.grad(d.sum(), x, create_graph=True)
        loss = d.mean() + 5.0 * g.pow(2).sum(1).mean()
        return torch.autograd.grad(loss, params)

    for _ in range(50):
        step()
    steps, runs = 200, []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(steps):
            step()
        runs.append((time.perf_counter() - t) / steps * 1e3)
    runs.sort()
    print(f"torch {torch.__version__}, float32, 2 threads: median {runs[len(runs) // 2]:.3f} ms per step "
          f"(runs {runs[0]:.3f}-{runs[-1]:.3f})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--bench":
        sys.exit(bench())
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(check(sys.argv[1]))
