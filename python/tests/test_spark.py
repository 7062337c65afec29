"""pushforward.spark on a local Spark session (local[2]): 10M rows of the
demo spec in 8 partitions equal the single-process rows, column by column,
and meet the spec; a copula model's rows likewise."""

import hashlib
import json
import os
import sys

import numpy as np
import pyarrow as pa
import pytest

import pushforward as pf

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("pushforward-test")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


def digest(column: pa.ChunkedArray) -> str:
    """A hash of a column's values in order (and of where they are null)."""
    array = column.combine_chunks()
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(array.fill_null(0).to_numpy(zero_copy_only=False)).tobytes())
    h.update(np.asarray(array.is_null()).tobytes())
    return h.hexdigest()


@pytest.mark.slow
def test_ten_million_rows_in_eight_partitions_equal_one_process(spark, demo) -> None:
    import pushforward.spark

    rows = 10_000_000
    df = pushforward.spark.generate(spark, demo, rows=rows, partitions=8, seed=7)
    assert df.rdd.getNumPartitions() == 8
    got = df.toArrow()
    assert got.num_rows == rows
    want = pf.generate(demo, rows=rows, seed=7)
    for name in want.column_names:
        assert digest(got.column(name)) == digest(want.column(name)), name
    # The columns meet the spec (the check `pushforward evaluate --spec` makes).
    report = pf.evaluate(synth=got.slice(0, 1_000_000), spec=demo, metrics=["columns", "dependence"])
    assert max(c["ks"] for c in report["columns"].values()) < 0.005


def test_a_copula_model_samples_on_spark(spark, mixed) -> None:
    import pushforward.spark

    model = pf.fit(mixed)
    df = pushforward.spark.sample(spark, model, rows=20_000, partitions=3, seed=2)
    got = df.toArrow()
    want = pushforward.spark.plain(model.sample(20_000, seed=2))
    for name in want.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name


def test_spark_refuses_what_cannot_be_sharded(spark) -> None:
    import pushforward.spark

    data = pf.generate({"column": [{"name": "a", "dist": "normal", "mean": 0.0, "std": 1.0}]}, rows=200)
    network = pf.fit(data, method="mmd", steps=5, batch=32)
    with pytest.raises(ValueError, match="one random stream"):
        pushforward.spark.sample(spark, network, rows=100, partitions=2)
    with pytest.raises(ValueError, match="partitions"):
        pushforward.spark.generate(spark, {"column": [{"name": "a", "dist": "normal", "mean": 0.0, "std": 1.0}]}, 10, 0)


def test_executors_write_the_parts_the_cli_writes(spark, demo, tmp_path) -> None:
    """write_parquet's data set holds the files `generate --parts` writes,
    value for value, and the single-process rows in part order."""
    import subprocess

    import pyarrow.parquet as pq

    import pushforward.spark
    from test_generate import cli

    rows = 3 * pf.BLOCK_ROWS + 11
    out = tmp_path / "spark"
    assert pushforward.spark.write_parquet(spark, demo, out, rows=rows, partitions=3, seed=4) == rows
    theirs = tmp_path / "cli"
    subprocess.run(
        [cli(), "generate", str(demo), "-q", "--rows", str(rows), "--seed", "4", "--parts", "3", "-o", str(theirs)],
        check=True,
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in theirs.iterdir()) == [f"part-0000{k}.parquet" for k in range(3)]
    for name in names:
        assert pq.read_table(out / name).equals(pq.read_table(theirs / name)), name
    whole = pf.generate(demo, rows=rows, seed=4)
    joined = pa.concat_tables(pq.read_table(out / name) for name in names)
    for name in whole.column_names:
        assert joined.column(name).to_pylist() == whole.column(name).to_pylist(), name
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_write_parquet_of_a_model_and_bad_targets(spark, mixed, tmp_path) -> None:
    import pyarrow.parquet as pq

    import pushforward.spark

    model = pf.fit(mixed)
    out = tmp_path / "sampled"
    assert pushforward.spark.write_parquet(spark, model, out, rows=9000, partitions=2, seed=3) == 9000
    got = pa.concat_tables(pq.read_table(p) for p in sorted(out.iterdir()))
    want = model.sample(9000, seed=3)
    for name in want.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name
    with pytest.raises(FileExistsError, match="not an empty directory"):
        pushforward.spark.write_parquet(spark, model, out, rows=10, partitions=2)
def model_body(model: pf.Model) -> dict:
    """The method's part of a model file's header (the fit's time left out)."""
    data = model.to_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    return json.loads(header["__metadata__"]["pushforward"])["body"]


def test_a_copula_fitted_on_spark_is_the_single_machine_fit(spark) -> None:
    import pushforward.spark

    n = 3000
    table = pa.table(
        {
            "row": list(range(n)),
            "species": [["Adelie", "Gentoo", "Chinstrap"][i % 3] for i in range(n)],
            "mass": [None if i % 11 == 5 else 3000.0 + 800.0 * (i % 3) + (i * 37 % 50) * 10.25 for i in range(n)],
            "count": [i * 13 % 9 for i in range(n)],
            "day": [f"2021-03-{1 + i * 7 % 28:02d}" for i in range(n)],
            "flag": [i % 4 == 0 for i in range(n)],
            "island": [None if i % 13 == 0 else ["Biscoe", "Dream", "Torgersen"][i * i % 3] for i in range(n)],
        }
    )
    df = spark.createDataFrame(table).repartitionByRange(4, "row").sortWithinPartitions("row")
    assert df.rdd.getNumPartitions() == 4
    got = pushforward.spark.fit(df, seed=3)
    want = pf.fit(df.toArrow(), seed=3)
    body = model_body(got)
    assert body == model_body(want)
    roles = [c["role"] for c in body["model"]["schema"]["columns"]]
    assert roles == ["id", "categorical", "float", "integer", "datetime", "boolean", "categorical"]
    assert body["model"]["split"]["column"] == "species"
    assert got.sample(5000, seed=1).equals(want.sample(5000, seed=1))
    # Settings reach the fit; a network cannot be fitted this way.
    single = pushforward.spark.fit(df, seed=3, split="none", types={"count": "categorical"})
    assert model_body(single) == model_body(pf.fit(df.toArrow(), seed=3, split="none", types={"count": "categorical"}))
    with pytest.raises(ValueError, match="only with the copula"):
        pushforward.spark.fit(df, method="mmd")
