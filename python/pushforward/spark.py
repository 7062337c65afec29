"""pushforward on Spark: a spec's rows, or a saved model's, as a Spark
DataFrame made by ``mapInArrow`` over shard indices; and a copula model
fitted to a DataFrame partition by partition.

Partition K of P runs the Rust generator for shard ``(K, P)`` on its
executor, so no rows cross the network while they are made, and the
DataFrame's rows, read in partition order, are exactly the rows one
process makes with the same spec, rows and seed (shards cut the output by
whole blocks of 65,536 rows, each drawn from its own seeded stream).
Categorical columns arrive as strings, as Spark has no dictionary type.

>>> from pyspark.sql import SparkSession
>>> import pushforward.spark
>>> spark = SparkSession.builder.master("local[2]").getOrCreate()
>>> df = pushforward.spark.generate(spark, "examples/demo.toml", rows=10_000_000, partitions=8, seed=7)
>>> df.write.parquet("rows/")   # doctest: +SKIP

``fit(df)`` fits a copula model in a few passes over ``df`` (schema,
split, marginals, moments): each partition computes the statistics of its
rows, the driver merges them in partition order and broadcasts what the
next pass needs. The model equals ``pushforward.fit(df.toArrow())``, bit
for bit, without the rows ever meeting on one machine.

>>> model = pushforward.spark.fit(df, split="auto")   # doctest: +SKIP
>>> model.sample(1000, seed=1)                         # doctest: +SKIP

The executors need the ``pushforward`` package installed (as they need
PySpark's own dependencies).

:func:`write_parquet` writes the rows as a Parquet data set instead, each
executor encoding its own part in Rust, so no row crosses into the JVM; the
directory holds the files ``pushforward generate --parts N`` writes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Union

import pyarrow as pa

from . import Model, SpecLike, _count, _pushforward, spec_text

__all__ = ["generate", "sample", "write_parquet", "fit", "plain"]


def plain(table: pa.Table) -> pa.Table:
    """``table`` with dictionary (categorical) columns cast to strings, the
    types Spark takes."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table


def _frame(spark: Any, partitions: int, empty: pa.Table, make: Callable[[int], pa.Table]) -> Any:
    """A DataFrame whose partition K holds ``make(K)``."""
    from pyspark.sql.pandas.types import from_arrow_schema

    if not isinstance(partitions, int) or partitions < 1:
        raise ValueError(f"partitions={partitions!r}: expected a whole number, at least 1")
    schema = from_arrow_schema(plain(empty).schema)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for k in batch.column(0).to_pylist():
                yield from plain(make(k)).to_batches()

    ids = spark.range(0, partitions, numPartitions=partitions)
    return ids.mapInArrow(run, schema)


def generate(
    spark: Any,
    spec: SpecLike,
    rows: Optional[int] = None,
    partitions: int = 8,
    seed: Optional[int] = None,
    on_infeasible: str = "error",
) -> Any:
    """``rows`` rows of ``spec`` as a Spark DataFrame of ``partitions``
    partitions, partition K being ``pushforward.generate(spec, rows, seed,
    shard=(K, partitions))``. The copula is fitted once on the driver to check
    the spec (an unreachable target raises here) and again on each
    executor."""
    text = spec_text(spec)
    empty = _pushforward.generate(text, 0, seed, None, on_infeasible)

    def make(k: int) -> pa.Table:
        return _pushforward.generate(text, rows, seed, (k, partitions), on_infeasible)

    return _frame(spark, partitions, empty, make)


def sample(spark: Any, model: Model, rows: Optional[int] = None, partitions: int = 8, seed: int = 0) -> Any:
    """``rows`` rows of a fitted ``model`` (default: its training rows) as a
    Spark DataFrame, partition K being ``model.sample(rows, seed,
    shard=(K, partitions))``. The model travels to the executors as its
    file's bytes. Models that draw one random stream (the networks) cannot
    be cut into shards and raise ``ValueError``."""
    empty = model.sample(0, seed)
    model.sample(0, seed, shard=(0, partitions))

    def make(k: int) -> pa.Table:
        return model.sample(rows, seed, shard=(k, partitions))

    return _frame(spark, partitions, empty, make)


def write_parquet(
    spark: Any,
    source: Union[SpecLike, Model],
    path: Union[str, "os.PathLike[str]"],
    rows: Optional[int] = None,
    partitions: int = 8,
    seed: Optional[int] = None,
    on_infeasible: str = "error",
) -> int:
    """Writes ``rows`` rows of a spec or of a fitted :class:`Model` as the
    Parquet data set ``path`` (``part-00000.parquet``, ...), partition K of
    ``partitions`` writing part K on its executor, and returns the rows
    written.

    The rows go from the Rust generator straight to the Rust Parquet
    encoder, without the conversion to Spark rows and Spark's own writer
    that ``generate(...).write.parquet(...)`` pays. The files are those
    ``pushforward generate --parts`` (or ``sample --parts``) writes with the
    same arguments. ``path`` must not exist, or be an empty directory, and
    be a file system path every executor sees (local mode, or a shared
    mount); the parts are written into a temporary directory beside it,
    renamed onto it once every part is complete, and removed on failure.
    ``rows`` and ``seed`` default as in ``generate`` and ``sample``."""
    if not isinstance(partitions, int) or partitions < 1:
        raise ValueError(f"partitions={partitions!r}: expected a whole number, at least 1")
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"'{target}' exists and is not an empty directory; remove it or pick another path")
    if isinstance(source, Model):
        model = source
        model.sample(0, seed or 0, shard=(0, partitions))

        def write(k: int, into: str) -> int:
            return model.write_part(into, (k, partitions), rows, seed or 0)

    else:
        text = spec_text(source)
        _pushforward.generate(text, 0, seed, None, on_infeasible)

        def write(k: int, into: str) -> int:
            return _pushforward.write_spec_part(text, into, (k, partitions), rows, seed, on_infeasible)

    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for k in batch.column(0).to_pylist():
                yield pa.RecordBatch.from_pydict({"part": [k], "rows": [write(k, temporary)]})

    try:
        ids = spark.range(0, partitions, numPartitions=partitions)
        written = ids.mapInArrow(run, "part long, rows long").collect()
        if target.exists():
            target.rmdir()
        os.rename(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return sum(row["rows"] for row in written)


def fit(df: Any, method: str = "copula", seed: int = 0, **settings: Any) -> Model:
    """A copula model of the Spark DataFrame ``df``, fitted from per-partition
    statistics merged on the driver: the same model as
    ``pushforward.fit(df.toArrow(), method, seed, **settings)``.

    Settings are the copula's: ``split`` (a column name, ``"none"`` or
    ``"auto"``) and ``types`` (a dict of column name to role). Each pass is one
    Spark job over ``df``; cache ``df`` first if it is expensive to compute.
    Columns must be numbers, booleans or strings (a date as ISO text)."""
    if method != "copula":
        raise ValueError(
            f"method={method!r}: a Spark DataFrame is fitted only with the copula "
            "(its statistics merge across partitions); fit the networks on a sample "
            "with pushforward.fit"
        )
    start = time.perf_counter()
    state = _pushforward.copula_fit_start(json.dumps(settings), _count(seed, "seed"))
    while _pushforward.copula_fit_pass(state) is not None:
        state = _pushforward.copula_fit_merge(state, _partition_stats(df, state))
    return _pushforward.copula_fit_model(state, time.perf_counter() - start)


def _partition_stats(df: Any, state: bytes) -> List[bytes]:
    """Each partition's statistics of its rows for the pass of ``state``,
    in partition order."""
    shipped = df.sparkSession.sparkContext.broadcast(state)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        held = list(batches)
        data = pa.Table.from_batches(held) if held else None
        stats = _pushforward.copula_fit_stats(shipped.value, data)
        part = TaskContext.get().partitionId()
        yield pa.RecordBatch.from_pydict(
            {"part": [part], "stats": [stats]},
            schema=pa.schema([("part", pa.int64()), ("stats", pa.binary())]),
        )

    try:
        rows = df.mapInArrow(run, "part long, stats binary").collect()
    finally:
        shipped.destroy()
    return [r["stats"] for r in sorted(rows, key=lambda r: r["part"])]
