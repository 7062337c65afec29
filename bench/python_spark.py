#!/usr/bin/env python3
"""Timings of the Python package and the Spark path beside the CLI and the
NumPy/SciPy reference, on the demo spec (12 columns).

1. ``pushforward.generate(demo, rows)`` to a ``pyarrow.Table`` (copula fit
   included), in this process;
2. ``pushforward generate demo -o x.parquet`` (the CLI writing Parquet),
   wall time of the whole process;
3. ``bench/reference/copula_numpy.py`` (NumPy/SciPy generation, its
   ``generate_s_median``), unless ``--no-numpy``;
4. with ``--spark-rows N``: Spark ``local[2]`` writing N rows to Parquet
   through ``pushforward.spark.generate`` against the CLI writing the same
   rows as a ``--parts 2`` directory, as rows per second per core
   (``--spark-format noop`` times Spark's rows without its Parquet writer;
   ``--spark-writer executors`` writes through
   ``pushforward.spark.write_parquet``, each executor encoding its part).

Each timing is the median of ``--repeats`` runs; the last line is a JSON
object of the figures. Run from the repository root with the package
installed (``scripts/test`` puts it in ``.venv``):

    .venv/bin/python bench/python_spark.py --cli target/release/pushforward --repeats 5 --spark-rows 100000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pushforward as pf

DEMO = Path("examples/demo.toml")


def median_time(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True, help="the pushforward binary (a release build)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-numpy", action="store_true")
    parser.add_argument("--spark-rows", type=int, default=0)
    parser.add_argument("--spark-repeats", type=int, default=1)
    parser.add_argument(
        "--spark-format", default="parquet", help="Spark's sink: parquet, or noop to time the rows without a writer"
    )
    parser.add_argument(
        "--spark-writer",
        choices=["spark", "executors"],
        default="spark",
        help="spark: DataFrame.write; executors: pushforward.spark.write_parquet",
    )
    args = parser.parse_args()
    out: dict = {"rows": args.rows, "repeats": args.repeats, "cores": os.cpu_count()}
    tmp = Path(tempfile.mkdtemp(prefix="pf-bench-"))
    try:
        pf.generate(DEMO, rows=args.rows, seed=7)  # warm the page cache and the allocator
        out["python_generate_s"] = median_time(lambda: pf.generate(DEMO, rows=args.rows, seed=7), args.repeats)
        target = tmp / "cli.parquet"
        cli = [args.cli, "generate", str(DEMO), "-q", "--rows", str(args.rows), "--seed", "7", "-o", str(target)]
        out["cli_parquet_s"] = median_time(lambda: subprocess.run(cli, check=True), args.repeats)
        out["python_vs_cli"] = out["python_generate_s"] / out["cli_parquet_s"]
        if not args.no_numpy:
            ref = subprocess.run(
                [sys.executable, "bench/reference/copula_numpy.py", str(DEMO), "--rows", str(args.rows),
                 "--repeats", str(max(1, min(args.repeats, 3))), "--out", str(tmp / "numpy.parquet")],
                check=True, capture_output=True, text=True,
            )
            numpy = json.loads(ref.stdout.strip().splitlines()[-1])
            out["numpy_generate_s"] = numpy["generate_s_median"]
            out["numpy_vs_python"] = numpy["generate_s_median"] / out["python_generate_s"]
        if args.spark_rows:
            out.update(spark(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(out))


def spark(args, tmp: Path) -> dict:
    from pyspark.sql import SparkSession

    import pushforward.spark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", "4g")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    n = args.spark_rows
    partitions = max(2, n // 5_000_000)

    def spark_run() -> None:
        if args.spark_writer == "executors":
            shutil.rmtree(tmp / "spark", ignore_errors=True)
            pushforward.spark.write_parquet(session, DEMO, tmp / "spark", rows=n, partitions=partitions, seed=7)
            return
        df = pushforward.spark.generate(session, DEMO, rows=n, partitions=partitions, seed=7)
        df.write.format(args.spark_format).mode("overwrite").save(str(tmp / "spark"))

    def cli_run() -> None:
        subprocess.run(
            [args.cli, "generate", str(DEMO), "-q", "--rows", str(n), "--seed", "7", "--parts", "2",
             "-o", str(tmp / "parts")],
            check=True,
        )
        shutil.rmtree(tmp / "parts", ignore_errors=True)

    # The session's first job starts the Python workers and warms the JVM:
    # run one before timing, as a long-lived session would have.
    session.range(0, 2, numPartitions=2).mapInArrow(lambda batches: batches, "id long").count()
    spark_s = median_time(spark_run, args.spark_repeats)
    shutil.rmtree(tmp / "spark", ignore_errors=True)
    cli_s = median_time(cli_run, args.spark_repeats)
    session.stop()
    return {
        "spark_rows": n,
        "spark_format": args.spark_format,
        "spark_writer": args.spark_writer,
        "spark_partitions": partitions,
        "spark_s": spark_s,
        "cli_parts_s": cli_s,
        "spark_rows_per_s_per_core": n / spark_s / 2,
        "cli_rows_per_s_per_core": n / cli_s / 2,
        "spark_vs_cli_rate": cli_s / spark_s,
    }


if __name__ == "__main__":
    main()
