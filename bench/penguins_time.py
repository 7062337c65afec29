#!/usr/bin/env python3
"""Wall clock and CPU time of the copula's two commands on a small table.

    python3 bench/penguins_time.py BIN [BIN ...] --data penguins.csv [--runs 21] [--rows 3440]

Runs `BIN fit DATA -o M --holdout 0 -q --seed 1` and `BIN sample M --rows
ROWS --seed 1 -q -o S` RUNS times per binary, alternating between the
binaries so that a change of load falls on all of them, and prints the
medians of each command's wall clock and of its user + system CPU time (all
threads). Process start, reading and writing are included, as
bench/tables.sh times them. Beside it, SDV's calls:
`bench/reference/sdv_tables.py fit DATA --synthesizer gaussian-copula --rows ROWS`.
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bins", nargs="+", help="pushforward binaries to time")
    parser.add_argument("--data", required=True, help="the CSV table to fit")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--rows", type=int, default=3440, help="rows to sample")
    args = parser.parse_args()
    times = {b: {"fit": [], "sample": [], "fit_cpu": [], "sample_cpu": []} for b in args.bins}
    print("load average:", open("/proc/loadavg").read().split()[:3])
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for k, b in enumerate(args.bins):
                model = os.path.join(tmp, f"{k}.pfm")
                wall, cpu = run([b, "fit", args.data, "-o", model, "--holdout", "0", "-q", "--seed", "1"])
                times[b]["fit"].append(wall)
                times[b]["fit_cpu"].append(cpu)
                out = os.path.join(tmp, f"{k}.csv")
                wall, cpu = run([b, "sample", model, "--rows", str(args.rows), "--seed", "1", "-q", "-o", out])
                times[b]["sample"].append(wall)
                times[b]["sample_cpu"].append(cpu)
    print("load average:", open("/proc/loadavg").read().split()[:3])
    for b in args.bins:
        m = {k: statistics.median(v) * 1000 for k, v in times[b].items()}
        print(
            f"{b}: wall fit {m['fit']:.1f} ms, sample {m['sample']:.1f} ms, both {m['fit'] + m['sample']:.1f} ms;"
            f" CPU fit {m['fit_cpu']:.1f} ms, sample {m['sample_cpu']:.1f} ms, both {m['fit_cpu'] + m['sample_cpu']:.1f} ms"
        )


if __name__ == "__main__":
    main()
