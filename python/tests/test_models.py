"""fit, sample, save, load, pickle and evaluate, from pyarrow, pandas and
polars tables."""

import json
import pickle
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import pushforward as pf


def test_copula_fit_sample_save_load_round_trip(mixed: pa.Table, tmp_path: Path) -> None:
    model = pf.fit(mixed, seed=2)
    assert model.method == "copula"
    assert model.columns == ["species", "mass", "count"]
    assert model.training_rows == 300
    rows = model.sample(2000, seed=4)
    assert rows.num_rows == 2000
    assert set(rows.column("species").to_pylist()) == {"Adelie", "Gentoo", "Chinstrap"}
    assert 0 < rows.column("mass").null_count < 2000 * 0.25
    path = tmp_path / "m.pushforward"
    model.save(path)
    again = pf.load(path)
    assert again.sample(2000, seed=4).equals(rows)
    assert pickle.loads(pickle.dumps(model)).sample(2000, seed=4).equals(rows)
    assert not model.sample(2000, seed=5).equals(rows)


def test_copula_shards_and_conditions(mixed: pa.Table) -> None:
    model = pf.fit(mixed)
    whole = model.sample(10_000, seed=1)
    parts = pa.concat_tables([model.sample(10_000, seed=1, shard=(k, 3)) for k in range(3)])
    for name in whole.column_names:
        assert parts.column(name).to_pylist() == whole.column(name).to_pylist()
    adelie = model.sample(500, seed=1, where=["species=Adelie"])
    assert set(adelie.column("species").to_pylist()) == {"Adelie"}


def test_pandas_and_polars_tables_fit_the_same_model(mixed: pa.Table) -> None:
    want = pf.fit(mixed, seed=3).sample(1000, seed=1)
    for data in (mixed.to_pandas(), pl.from_arrow(mixed)):
        assert pf.fit(data, seed=3).sample(1000, seed=1).equals(want), type(data)


def test_copula_settings_are_checked(mixed: pa.Table) -> None:
    with pytest.raises(ValueError, match="split"):
        pf.fit(mixed, holdout=0.2)
    with pytest.raises(ValueError, match="method"):
        pf.fit(mixed, method="gan")
    with pytest.raises(TypeError, match="pandas"):
        pf.fit([1, 2, 3])


def test_an_mmd_network_fits_in_a_few_steps_and_refuses_shards() -> None:
    data = pf.generate({"column": [{"name": "a", "dist": "normal", "mean": 5.0, "std": 2.0}]}, rows=500, seed=1)
    model = pf.fit(data, method="mmd", steps=30, batch=64)
    assert model.method == "mmd"
    rows = model.sample(300, seed=2)
    assert rows.num_rows == 300 and rows.column_names == ["a"]
    assert model.sample(300, seed=2).equals(rows)
    with pytest.raises(ValueError, match="one random stream"):
        model.sample(300, seed=2, shard=(0, 2))
    with pytest.raises(ValueError, match="steps"):
        pf.fit(data, method="mmd", stepz=3)


def test_evaluate_returns_the_cli_report(mixed: pa.Table, demo: Path) -> None:
    synth = pf.fit(mixed).sample(300, seed=1)
    report = pf.evaluate(real=mixed, synth=synth, metrics=["columns", "dependence"], rows=200)
    assert set(report["columns"]) == {"species", "mass", "count"}
    json.dumps(report)
    rows = pf.generate(demo, rows=20_000)
    against_spec = pf.evaluate(synth=rows, spec=demo, metrics=["columns"])
    ks = [c["ks"] for c in against_spec["columns"].values()]
    assert len(ks) == 12 and max(ks) < 0.02
    with pytest.raises(ValueError, match="metric"):
        pf.evaluate(real=mixed, synth=synth, metrics=["nosuch"])
    with pytest.raises(ValueError, match="real=, spec="):
        pf.evaluate(synth=synth)
