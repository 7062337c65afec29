#!/usr/bin/env python3
"""Compare ``pushforward evaluate`` JSON against ``metrics_reference.py`` JSON.

Walks every number in REF (nested objects and lists; paths such as
``columns.x0.quantiles.real[3]`` or ``dependence.pearson_real[0][1]``) and looks
up the same path in OURS.  Each number is compared as

    |ours - ref| <= max(atol, rtol * |ref|)

with the tolerance chosen by the key the number sits under:

* ``sinkhorn``: rtol 1e-3, atol 1e-6.  The Sinkhorn divergence is computed by
  an iterative solver stopped at a tolerance (the reference is converged to
  ~1e-15 marginal error, the Rust one to its own stopping threshold), and
  S = OT(a,b) - OT(a,a)/2 - OT(b,b)/2 is a difference of O(1) terms, so an
  absolute floor is needed where S is near 0 (identical inputs).
* ``sliced_w2``: rtol 5e-2, atol 1e-9.  Monte Carlo over random projections:
  the two tools draw different directions, so only agreement within the
  Monte Carlo error is expected.
* everything else (per-column ks, w1, w1_std, moments, std_ratio,
  quantiles, tv; dependence matrices and errors; joint w1, w2, mmd2,
  mmd2_biased, mmd_median_distance, precision, recall, density, coverage,
  coverage_expected; privacy; and the sizes/settings both files state:
  settings.rows_*, *_rows, prdc_k, sinkhorn_epsilon, sliced_projections):
  exact metrics, rtol 1e-6, atol 1e-9.

Top-level ``meta`` (sizes, timings, settings) is not compared, nor are keys
matching ``--ignore`` patterns (``fnmatch`` on the dotted path, e.g.
``'dependence.*_ref*'``).  A null in REF is skipped (the reference could not
compute it); a number in REF that is missing or null in OURS is a FAIL.
Strings and numbers present only in OURS are ignored.

Prints one line per comparison (PASS/FAIL, path, ours, ref, |diff|,
tolerance) and a summary; exit status 0 when all pass, 1 on any failure,
2 on unreadable input.

Example::

    python3 bench/reference/check_metrics.py ours.json ref.json
    python3 bench/reference/check_metrics.py ours.json ref.json --quiet   # failures only
    python3 bench/reference/check_metrics.py ours.json ref.json --ignore 'joint.sliced_projections'
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import sys

TOLERANCES = {           # leaf key -> (rtol, atol)
    "sinkhorn": (1e-3, 1e-6),
    "sliced_w2": (5e-2, 1e-9),
}
EXACT = (1e-6, 1e-9)
MISSING = object()


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def walk(ref, ours, path: str, key: str, out: list):
    """Append (path, key, ours_value_or_MISSING, ref_value) for every number in ref."""
    if isinstance(ref, dict):
        for k, v in ref.items():
            sub = ours.get(k, MISSING) if isinstance(ours, dict) else MISSING
            walk(v, sub, f"{path}.{k}" if path else k, k, out)
    elif isinstance(ref, list):
        for i, v in enumerate(ref):
            sub = ours[i] if isinstance(ours, list) and i < len(ours) else MISSING
            walk(v, sub, f"{path}[{i}]", key, out)
    elif _is_number(ref):
        out.append((path, key, ours, ref))
    elif ref is None:
        out.append((path, key, ours, None))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ours", help="JSON written by `pushforward evaluate --json`")
    ap.add_argument("ref", help="JSON written by metrics_reference.py --json")
    ap.add_argument("--ignore", action="append", default=[],
                    help="fnmatch pattern of dotted paths not to compare (repeatable); "
                         "'meta' and 'meta.*' are always ignored")
    ap.add_argument("--rtol", type=float, default=EXACT[0],
                    help=f"relative tolerance of the exact metrics (default {EXACT[0]:g})")
    ap.add_argument("--atol", type=float, default=EXACT[1],
                    help=f"absolute floor of the exact metrics (default {EXACT[1]:g})")
    ap.add_argument("--rtol-sinkhorn", type=float, default=TOLERANCES["sinkhorn"][0])
    ap.add_argument("--atol-sinkhorn", type=float, default=TOLERANCES["sinkhorn"][1])
    ap.add_argument("--rtol-sliced", type=float, default=TOLERANCES["sliced_w2"][0])
    ap.add_argument("-q", "--quiet", action="store_true", help="print only failures and the summary")
    args = ap.parse_args(argv)
    tol = {"sinkhorn": (args.rtol_sinkhorn, args.atol_sinkhorn),
           "sliced_w2": (args.rtol_sliced, TOLERANCES["sliced_w2"][1])}
    exact = (args.rtol, args.atol)

    try:
        with open(args.ours) as fh:
            ours = json.load(fh)
        with open(args.ref) as fh:
            ref = json.load(fh)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    items: list = []
    walk(ref, ours, "", "", items)
    ignore = ["meta", "meta.*", "meta[*"] + args.ignore
    n_pass = n_fail = n_skip = n_ign = 0
    worst: dict[str, float] = {}
    for path, key, o, r in items:
        if any(fnmatch.fnmatchcase(path, pat) for pat in ignore):
            n_ign += 1
            continue
        if r is None:
            n_skip += 1
            if not args.quiet:
                print(f"SKIP  {path}: null in REF")
            continue
        rtol, atol = tol.get(key, exact)
        limit = max(atol, rtol * abs(r))
        if o is MISSING or o is None or not _is_number(o):
            n_fail += 1
            what = "missing" if o is MISSING else ("null" if o is None else repr(o))
            print(f"FAIL  {path}: {what} in OURS, ref {r!r}")
            continue
        diff = abs(float(o) - float(r))
        ok = diff <= limit and math.isfinite(diff)
        group = key if key in tol else path.split(".")[0]
        rel = diff / abs(r) if r else (0.0 if diff == 0 else math.inf)
        worst[group] = max(worst.get(group, 0.0), rel if diff > atol else 0.0)
        if ok:
            n_pass += 1
        else:
            n_fail += 1
        if not ok or not args.quiet:
            print(f"{'PASS' if ok else 'FAIL'}  {path}: ours {o!r}  ref {r!r}  "
                  f"|diff| {diff:.3g}  (tol {limit:.3g}: rtol {rtol:g}, atol {atol:g})")
    print(f"\n{n_pass} pass, {n_fail} fail, {n_skip} null in REF, {n_ign} ignored")
    if worst:
        print("largest relative difference above the absolute floor, by group: "
              + ", ".join(f"{g} {v:.2g}" for g, v in sorted(worst.items())))
    if n_pass + n_fail == 0:
        print("error: nothing compared", file=sys.stderr)
        return 1
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
