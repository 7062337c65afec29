"""The neural engine from Python: the CLI's values for the same spec,
settings and seed; a model that samples and saves; clear refusals."""

import subprocess
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import pushforward as pf
from test_generate import SPEC, cli

# A budget that trains in about a second in a debug build.
SMALL = {"steps": 40, "set_size": 200, "sets_per_batch": 2}


def test_python_and_cli_train_the_same_network(tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(pf.spec_text(SPEC))
    out = tmp_path / "rows.parquet"
    subprocess.run(
        [cli(), "generate", str(spec), "-q", "--engine", "neural", "--rows", "3000", "--seed", "4",
         "--train-steps", "40", "--set-size", "200", "--sets-per-batch", "2", "-o", str(out)],
        check=True,
    )
    mine = pf.generate(SPEC, rows=3000, seed=4, engine="neural", settings=SMALL)
    theirs = pq.read_table(out)
    assert theirs.num_rows == mine.num_rows == 3000
    for name in mine.column_names:
        # Values, not encodings: Parquet's dictionary lists labels as they come.
        assert theirs.column(name).to_pylist() == mine.column(name).to_pylist(), name


def test_a_trained_model_samples_saves_and_loads(tmp_path: Path) -> None:
    model = pf.fit_spec(SPEC, seed=2, **SMALL)
    assert model.method == "neural-joint"
    assert model.columns == ["x", "k", "plan"]
    rows = model.sample(2000, seed=2)
    assert rows.equals(pf.generate(SPEC, rows=2000, seed=2, engine="neural", settings=SMALL))
    path = tmp_path / "joint.pushforward"
    model.save(path)
    assert pf.load(path).sample(2000, seed=2).equals(rows)


def test_matched_marginals_are_the_targets() -> None:
    """With match_marginals each column is the target's quantiles at its
    ranks: the exponential column's mean is 1/rate to within 2%."""
    rows = pf.generate(SPEC, rows=20000, seed=1, engine="neural", settings={**SMALL, "match_marginals": True})
    x = np.asarray(rows.column("x"))
    assert abs(x.mean() - 0.5) < 0.01


def test_bad_neural_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="shard"):
        pf.generate(SPEC, rows=10, engine="neural", shard=(0, 2))
    with pytest.raises(ValueError, match="not one of"):
        pf.fit_spec(SPEC, step=10)
    with pytest.raises(ValueError, match="copula engine takes none"):
        pf.generate(SPEC, rows=10, settings={"steps": 3})
    with pytest.raises(ValueError, match="above the limit"):
        pf.fit_spec(SPEC, set_size=1 << 20, sets_per_batch=1 << 10)
    unreachable = {
        "column": [{"name": "a", "dist": "exponential", "rate": 1.0}, {"name": "b", "dist": "exponential", "rate": 1.0}],
        "correlation": {"pairs": [["a", "b", -0.9]]},
    }
    with pytest.raises(pf.InfeasibleError) as caught:
        pf.fit_spec(unreachable, **SMALL)
    assert caught.value.pairs
