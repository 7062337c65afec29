#!/usr/bin/env python3
"""Summary table of bench/dualdiv.sh.

    python3 bench/reference/dualdiv_summary.py OUT

For each data set OUT/SET (its training rows in OUT/SET/train.csv and its total
correlation in OUT/SET/real_tc.txt) and each method OUT/SET/METHOD (synth.csv,
eval.json from `pushforward evaluate`, tc.txt from `divergence --f kl-marginals`,
seconds.txt with the fit and sample wall times), prints one markdown row:
fit + sample seconds, the discriminative and correlational scores (series only),
the classifier two-sample test's accuracy, the sliced W2, the estimated KL from the
product of marginals beside the training rows', and the copy share: generated rows
closer to a training row than the 5th percentile of the training rows'
nearest-neighbour distances (columns standardised by the training rows).
"""
import json
import sys
from pathlib import Path

import numpy as np


def read(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def nearest(a, b, skip_self=False):
    d = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    if skip_self:
        np.fill_diagonal(d, np.inf)
    return np.sqrt(d.min(1))


def copy_share(train, synth):
    mean, std = train.mean(0), train.std(0)
    std[std == 0] = 1.0
    t, s = (train - mean) / std, (synth - mean) / std
    cut = np.percentile(nearest(t, t, skip_self=True), 5)
    return float((nearest(s, t) < cut).mean())


def fmt(v, digits=3):
    return "n/a" if v is None else f"{v:.{digits}f}"


def main():
    out = Path(sys.argv[1])
    print("| data | method | fit s | sample s | discr. | corr. | C2ST acc | sliced W2 | KL marg. (real) | copies |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for data in sorted(p for p in out.iterdir() if (p / "train.csv").exists()):
        train = read(data / "train.csv")
        real_tc = float((data / "real_tc.txt").read_text())
        for method in sorted(p for p in data.iterdir() if (p / "eval.json").exists()):
            report = json.loads((method / "eval.json").read_text())
            ts = report.get("timeseries") or {}
            joint = report["joint"]
            fit, sample = (float(x) for x in (method / "seconds.txt").read_text().split())
            tc = float((method / "tc.txt").read_text())
            share = copy_share(train, read(method / "synth.csv"))
            print(
                f"| {data.name} | {method.name} | {fit:.1f} | {sample:.2f} | {fmt(ts.get('discriminative'))} "
                f"| {fmt(ts.get('correlational'))} | {fmt(joint.get('c2st_accuracy'))} | {fmt(joint.get('sliced_w2'))} "
                f"| {tc:.3f} ({real_tc:.3f}) | {share:.3f} |"
            )


if __name__ == "__main__":
    main()
