#!/usr/bin/env python3
"""dbldatagen reference for the Spark benchmark: the demo spec's twelve
marginals, without correlation (dbldatagen has no joint model), written to
Parquet by Spark ``local[2]``.

dbldatagen's own distributions (Normal, Gamma, Beta, Exponential) rescale
draws into a column's ``minValue``..``maxValue`` range instead of following
the law, so every column is a Spark SQL expression of ``rand()``/``randn()``
that does follow it: inverse CDFs where they are closed-form (uniform,
Bernoulli, exponential, chi-squared with 2 degrees of freedom, Weibull), sums
for binomial(10, 0.42) and gamma(2, 1), the normal ratio for Student's t with
10 degrees of freedom, a cumulative table (to 20) on a hidden uniform column
for Poisson(3), and the order statistic for Beta(2, 5) (the 2nd smallest of
6 uniforms). Prints the median wall time of ``--repeats`` runs
and, last, a JSON object.

    .venv/bin/python bench/reference/dbldatagen_demo.py --rows 100000000 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time


def poisson_expr(lam: float, top: int = 20) -> str:
    """Inverse CDF of Poisson(lam) on one uniform, as a CASE over its CDF."""
    u = "u_p"
    cdf, term, cases = 0.0, math.exp(-lam), []
    for k in range(top):
        cdf += term
        cases.append(f"WHEN {u} < {cdf!r} THEN {k}")
        term *= lam / (k + 1)
    return f"CASE {' '.join(cases)} ELSE {top} END"


def columns() -> list[tuple[str, str, str]]:
    """(name, Spark type, SQL expression) of the twelve demo marginals."""
    binom = " + ".join("CAST(rand() < 0.42 AS BIGINT)" for _ in range(10))
    chi10 = " + ".join("pow(randn(), 2)" for _ in range(10))
    beta = "sort_array(array(" + ", ".join("rand()" for _ in range(6)) + "))[1]"
    return [
        ("normal", "double", "-3.0 + 1.7 * randn()"),
        ("uniform", "double", "5.3 + 10.7 * rand()"),
        ("bernoulli", "bigint", "CAST(rand() < 0.314 AS BIGINT)"),
        ("binomial", "bigint", binom),
        ("poisson", "bigint", poisson_expr(3.0)),
        ("exponential", "double", "-ln(1.0 - rand())"),
        ("gamma", "double", "-ln(1.0 - rand()) - ln(1.0 - rand())"),
        ("beta", "double", beta),
        ("chi_squared", "double", "-2.0 * ln(1.0 - rand())"),
        ("student_t", "double", f"randn() / sqrt(({chi10}) / 10.0)"),
        ("lognormal", "double", "exp(0.954 * randn())"),
        ("weibull", "double", "pow(-ln(1.0 - rand()), 1.0 / 1.5)"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--partitions", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    import dbldatagen as dg
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", "4g")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    partitions = args.partitions or max(2, args.rows // 5_000_000)
    spec = dg.DataGenerator(spark, rows=args.rows, partitions=partitions, randomSeed=7)
    spec = spec.withColumn("u_p", "double", expr="rand()", omit=True)
    for name, kind, expr in columns():
        spec = spec.withColumn(name, kind, expr=expr, baseColumn="u_p" if name == "poisson" else None)
    out = tempfile.mkdtemp(prefix="pf-dbldatagen-")
    times = []
    try:
        for _ in range(args.repeats):
            start = time.perf_counter()
            spec.build().write.mode("overwrite").parquet(os.path.join(out, "rows"))
            times.append(time.perf_counter() - start)
    finally:
        shutil.rmtree(out, ignore_errors=True)
        spark.stop()
    seconds = statistics.median(times)
    print(f"dbldatagen: {args.rows} rows in {partitions} partitions: runs {times}")
    print(json.dumps({"rows": args.rows, "partitions": partitions, "seconds": seconds,
                      "rows_per_s_per_core": args.rows / seconds / 2}))


if __name__ == "__main__":
    main()
