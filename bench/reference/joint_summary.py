#!/usr/bin/env python3
"""Summary tables of bench/joint_neural.sh, from the files it leaves in OUT.

Reads ``times.tsv``, the ``*.eval.json`` reports of ``pushforward evaluate
--spec``, the neural models' headers (``neural_W.pf``: the loss terms per
100-step window), their logs (training seconds) and the torch reference's
JSON, and prints:

1. time to reach the seed's final losses measured the seed's way (before
   rounding, sets of 2,000 rows: correlation L1 0.0131 and quantile loss
   0.0439). For pushforward, the first 100-step window whose means are both at
   most those values, converted to seconds at the run's mean step time; for
   torch, the first step whose 10-step means are;
2. for each output on ROWS rows (discrete columns rounded): mean and max
   absolute correlation error over all d x d entries, the worst column's KS,
   the largest |std ratio - 1|, the lognormal's 99.9% quantile ratio, and the
   wall-clock seconds of the command that made it;
3. per-column KS of the default-weight run, the copula and torch.
"""

import json
import re
import struct
import sys
from pathlib import Path

SEED_CORR, SEED_MARGINAL = 0.0131, 0.0439


def header(path):
    """The pushforward JSON header of a model file (safetensors metadata)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        meta = json.loads(f.read(n))["__metadata__"]
    return json.loads(meta["pushforward"])


def measures(report):
    """Mean/max correlation error over all entries, worst KS (column), worst
    |std ratio - 1|, lognormal 99.9% quantile ratio, per-column KS."""
    dep = report["dependence"]
    ref, got = dep["pearson_ref"], dep["pearson_synth"]
    d = len(ref)
    errors = [abs(got[i][j] - ref[i][j]) for i in range(d) for j in range(d)]
    ks = {}
    std_dev, tail = 0.0, None
    for name, c in report["columns"].items():
        ks[name] = c["ks"] if c.get("ks") is not None else c.get("tv")
        if c.get("std_ratio") is not None:
            std_dev = max(std_dev, abs(c["std_ratio"] - 1.0))
        if name == "lognormal":
            tail = c["quantiles_synth"][-1] / c["quantiles_spec"][-1]
    worst = max(ks, key=ks.get)
    return {
        "mean": sum(errors) / len(errors),
        "max": max(errors),
        "ks": ks[worst],
        "ks_column": worst,
        "std": std_dev,
        "tail": tail,
        "per_column": ks,
    }


def training_seconds(log):
    m = re.search(r"trained (\d+) steps in ([0-9.]+) s", log.read_text()) if log.exists() else None
    return (int(m.group(1)), float(m.group(2))) if m else (None, None)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/joint_neural")
    times = {}
    if (out / "times.tsv").exists():
        for line in (out / "times.tsv").read_text().splitlines()[1:]:
            name, secs = line.split("\t")
            times[name] = float(secs)

    print("Time to the seed's final losses (before rounding, sets of 2,000: correlation 0.0131, quantile 0.0439)")
    print(f"{'run':<28} {'steps':>6} {'train s':>8} {'reached at':>14} {'final corr':>10} {'final quantile':>14}")
    for model in sorted(out.glob("neural_*.pf")):
        w = model.stem.removeprefix("neural_")
        h = header(model)["history"]
        steps, secs = training_seconds(out / f"neural_{w}.log")
        hit = next((s for s, c, q in zip(h["steps"], h["soft_correlation"], h["quantile"])
                    if c <= SEED_CORR and q <= SEED_MARGINAL), None)
        reached = "never" if hit is None or not steps else f"{hit} ({hit * secs / steps:.1f} s)"
        print(f"{'pushforward, marginal ' + w:<28} {steps or '-':>6} {secs or float('nan'):>8.1f} {reached:>14} "
              f"{h['soft_correlation'][-1]:>10.4f} {h['quantile'][-1]:>14.4f}")
    torch_json = out / "torch.json"
    if torch_json.exists():
        t = json.loads(torch_json.read_text())
        hit = t["time_to_target_seconds"]
        reached = "never" if hit is None else f"{t['step_to_target']} ({hit:.1f} s)"
        print(f"{'torch reference':<28} {t['steps']:>6} {t['train_seconds']:>8.1f} {reached:>14} "
              f"{t['final_loss_corr_mean_last_10']:>10.4f} {t['final_loss_marginal_mean_last_10']:>14.4f}")

    print()
    print("On the generated rows (discrete columns rounded)")
    print(f"{'output':<30} {'mean corr':>9} {'max corr':>9} {'worst KS':>18} {'max |std-1|':>11} "
          f"{'lognormal q99.9':>15} {'seconds':>8}")
    rows = {}
    for report in sorted(out.glob("*.eval.json")):
        name = report.name.removesuffix(".eval.json")
        m = measures(json.loads(report.read_text()))
        rows[name] = m
        tail = "-" if m["tail"] is None else f"{m['tail']:.3f}"
        secs = times.get(name.removesuffix("_matched"), float("nan"))
        print(f"{name:<30} {m['mean']:>9.4f} {m['max']:>9.4f} {m['ks']:>8.4f} {m['ks_column'][:9]:>9} "
              f"{m['std']:>11.3f} {tail:>15} {secs:>8.1f}")

    shown = [n for n in ("neural_1", "neural_1_matched", "copula", "torch") if n in rows]
    if shown:
        print()
        print("Per-column KS")
        print(f"{'column':<14}" + "".join(f"{n:>18}" for n in shown))
        for col in rows[shown[0]]["per_column"]:
            print(f"{col:<14}" + "".join(f"{rows[n]['per_column'].get(col, float('nan')):>18.4f}" for n in shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
