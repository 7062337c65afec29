"""pushforward.generate: specs as dicts, TOML text and paths; infeasible
targets as data; shards that concatenate to the whole output, in Python and
against the CLI."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pushforward as pf

SPEC = {
    "column": [
        {"name": "x", "dist": "exponential", "rate": 2.0},
        {"name": "k", "dist": "poisson", "lambda": 3.0},
        {"name": "plan", "dist": "categorical", "categories": ["basic", "plus", "pro"], "weights": [0.6, 0.3, 0.1]},
    ],
    "correlation": {"pairs": [["x", "k", 0.5], ["x", "plan", 0.2]]},
}

TOML = """
[[column]]
name = "x"
dist = "exponential"
rate = 2.0

[[column]]
name = "k"
dist = "poisson"
lambda = 3.0

[[column]]
name = "plan"
dist = "categorical"
categories = ["basic", "plus", "pro"]
weights = [0.6, 0.3, 0.1]

[correlation]
pairs = [["x", "k", 0.5], ["x", "plan", 0.2]]
"""


def test_dict_toml_text_and_path_give_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(TOML)
    a = pf.generate(SPEC, rows=5000, seed=3)
    assert a.num_rows == 5000
    assert a.column_names == ["x", "k", "plan"]
    assert pa.types.is_float64(a.schema.field("x").type)
    assert pa.types.is_int64(a.schema.field("k").type)
    assert pa.types.is_dictionary(a.schema.field("plan").type)
    for other in (pf.generate(TOML, rows=5000, seed=3), pf.generate(path, 5000, 3), pf.generate(str(path), 5000, 3)):
        assert other.equals(a)
    assert not pf.generate(SPEC, rows=5000, seed=4).equals(a)


def test_the_columns_meet_the_spec() -> None:
    t = pf.generate(SPEC, rows=200_000, seed=1)
    x = t.column("x").to_numpy()
    k = t.column("k").to_numpy()
    assert abs(x.mean() - 0.5) < 0.01
    assert abs(k.mean() - 3.0) < 0.03
    assert abs(np.corrcoef(x, k)[0, 1] - 0.5) < 0.01
    plan = t.column("plan").to_pylist()
    assert abs(plan.count("basic") / len(plan) - 0.6) < 0.01


def test_an_unreachable_target_raises_with_the_pairs_as_data() -> None:
    spec = {
        "column": [
            {"name": "z", "dist": "normal", "mean": 0.0, "std": 1.0},
            {"name": "b", "dist": "bernoulli", "p": 0.314},
        ],
        "correlation": {"pairs": [["z", "b", 0.9]]},
    }
    with pytest.raises(pf.InfeasibleError) as caught:
        pf.generate(spec, rows=10)
    e = caught.value
    assert isinstance(e, ValueError)
    assert e.kind == "pearson"
    [pair] = e.pairs
    assert (pair["a"], pair["b"], pair["target"]) == ("z", "b", 0.9)
    assert pair["low"] == pytest.approx(-0.7644, abs=1e-4)
    assert pair["high"] == pytest.approx(0.7644, abs=1e-4)
    near = pf.generate(spec, rows=50_000, on_infeasible="nearest")
    r = np.corrcoef(near.column("z").to_numpy(), near.column("b").to_numpy())[0, 1]
    assert 0.7 < r < 0.7644 + 0.01


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"column": [{"name": "x", "dist": "normal", "mean": 0.0}]}, "std"),
        ({"column": [{"name": "x", "dist": "nosuch"}]}, "nosuch"),
        ("no_such_spec.toml", "no such file"),
    ],
)
def test_bad_specs_name_the_problem(spec, message) -> None:
    with pytest.raises((ValueError, FileNotFoundError)) as caught:
        pf.generate(spec, rows=10)
    assert message in str(caught.value)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="shard"):
        pf.generate(SPEC, rows=10, shard=(2, 2))
    with pytest.raises(ValueError, match="on_infeasible"):
        pf.generate(SPEC, rows=10, on_infeasible="closest")
    with pytest.raises(ValueError, match="rows"):
        pf.generate(SPEC, rows=-1)
    with pytest.raises(ValueError, match="engine"):
        pf.generate(SPEC, rows=10, engine="gan")


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_shards_concatenate_to_the_whole_output(parts: int) -> None:
    rows = 3 * pf.BLOCK_ROWS + 123
    whole = pf.generate(SPEC, rows=rows, seed=9)
    pieces = [pf.generate(SPEC, rows=rows, seed=9, shard=(k, parts)) for k in range(parts)]
    assert all(p.schema == whole.schema for p in pieces)
    joined = pa.concat_tables(pieces)
    for name in whole.column_names:
        assert joined.column(name).to_pylist() == whole.column(name).to_pylist(), name


def cli() -> str:
    found = os.environ.get("PUSHFORWARD_CLI") or shutil.which("pushforward")
    if not found:
        pytest.skip("no pushforward binary: set PUSHFORWARD_CLI (scripts/test does)")
    return found


def test_python_and_cli_shards_are_the_same_values(tmp_path: Path, demo: Path) -> None:
    rows = 2 * pf.BLOCK_ROWS + 10
    for k in range(3):
        out = tmp_path / f"part{k}.parquet"
        subprocess.run(
            [cli(), "generate", str(demo), "-q", "--rows", str(rows), "--seed", "5", "--shard", f"{k}/3", "-o", str(out)],
            check=True,
        )
        mine = pf.generate(demo, rows=rows, seed=5, shard=(k, 3))
        theirs = pq.read_table(out)
        assert theirs.num_rows == mine.num_rows
        for name in mine.column_names:
            assert theirs.column(name).combine_chunks().equals(mine.column(name).combine_chunks()), (k, name)


def test_ctrl_c_interrupts_generation() -> None:
    """SIGINT during a long generate raises KeyboardInterrupt in the caller
    (the GIL is released and the work polls Python's signal handlers)."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pushforward as pf\n"
            "spec = {'column': [{'name': 'x', 'dist': 'gamma', 'shape': 2.0, 'scale': 1.0}]}\n"
            "print('started', flush=True)\n"
            "try:\n"
            "    pf.generate(spec, rows=400_000_000)\n"
            "    print('finished')\n"
            "except KeyboardInterrupt as e:\n"
            "    print('interrupted', e)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=60)
    assert out.startswith("interrupted"), out
