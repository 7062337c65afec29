"""pushforward: fast, faithful synthetic tables.

Generate rows from a spec (each column's marginal law and a target
correlation, met exactly through a Gaussian copula), fit a model to a
table, sample it, and measure synthetic rows against real ones or a spec.
Tables come in as anything that speaks the Arrow PyCapsule stream interface
(pyarrow, polars; pandas through pyarrow) and go out as ``pyarrow.Table``.
Work runs in Rust with the GIL released; Ctrl-C interrupts it.

>>> import pushforward as pf
>>> spec = {"column": [{"name": "x", "dist": "normal", "mean": 0.0, "std": 1.0},
...                    {"name": "k", "dist": "poisson", "lambda": 3.0}],
...         "correlation": {"pairs": [["x", "k", 0.5]]}}
>>> table = pf.generate(spec, rows=1000, seed=7)
>>> table.num_rows
1000

Rows come in blocks of 65,536, each drawn from its own seeded stream, so
``shard=(K, N)`` makes part K of N on its own: the N parts concatenated in
order are the unsharded output, value for value. ``pushforward.spark``
spreads them over a Spark cluster.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import pyarrow as pa

from . import _pushforward
from ._pushforward import Model
from .errors import InfeasibleError, PushforwardError

__all__ = [
    "Model",
    "InfeasibleError",
    "PushforwardError",
    "generate",
    "fit",
    "fit_spec",
    "load",
    "evaluate",
    "spec_text",
    "BLOCK_ROWS",
]

#: Rows per block of a spec's sampler (the unit shards are cut in).
BLOCK_ROWS: int = _pushforward.BLOCK_ROWS

SpecLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]


def spec_text(spec: SpecLike) -> str:
    """The TOML text of ``spec``: a path to a TOML file, TOML text, or a
    dict with the TOML's structure (``{"column": [...], "correlation": {...}}``)."""
    if isinstance(spec, Mapping):
        return _pushforward.toml_from_json(json.dumps(spec))
    if isinstance(spec, os.PathLike):
        return Path(spec).read_text()
    if isinstance(spec, str):
        if "\n" not in spec and "=" not in spec:
            path = Path(spec)
            if not path.is_file():
                raise FileNotFoundError(f"spec {spec!r}: no such file (pass a path, TOML text or a dict)")
            return path.read_text()
        return spec
    raise TypeError(f"spec: expected a path, TOML text or a dict, not {type(spec).__name__}")


def _arrow(data: Any, what: str) -> Any:
    """An object with ``__arrow_c_stream__``: as given, or a pandas frame
    through pyarrow."""
    if hasattr(data, "__arrow_c_stream__"):
        return data
    if type(data).__module__.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(
        f"{what}: expected a table with __arrow_c_stream__ (pyarrow, polars) or a pandas DataFrame, "
        f"not {type(data).__name__}"
    )


def generate(
    spec: SpecLike,
    rows: Optional[int] = None,
    seed: Optional[int] = None,
    shard: Optional[Tuple[int, int]] = None,
    engine: str = "copula",
    on_infeasible: str = "error",
    progress: bool = False,
    settings: Optional[Mapping[str, Any]] = None,
) -> pa.Table:
    """Rows of ``spec`` as a ``pyarrow.Table``.

    ``rows`` and ``seed`` default to the spec's own (else 10,000 and 0).
    ``shard=(K, N)`` makes only part K of N (whole blocks of 65,536 rows).
    ``on_infeasible="nearest"`` keeps every marginal exact and gets as close
    to an unreachable correlation target as they allow; with ``"error"`` an
    unreachable target raises :class:`InfeasibleError` listing the pairs.
    ``progress=True`` shows a tqdm bar. The same arguments give the same
    values as ``pushforward generate``.

    ``engine="neural"`` trains a network on the spec first (see
    :func:`fit_spec`, whose ``settings`` it takes) and draws from it with
    the same seed, as ``pushforward generate --engine neural`` does; a
    network draws one random stream, so it takes no ``shard``.
    """
    rows = None if rows is None else _count(rows, "rows")
    seed = None if seed is None else _count(seed, "seed")
    if engine == "copula":
        if settings:
            raise ValueError("settings are the neural engine's; the copula engine takes none")
        return _pushforward.generate(spec_text(spec), rows, seed, shard, on_infeasible, progress)
    if engine != "neural":
        raise ValueError(f"engine={engine!r}: expected \"copula\" or \"neural\"")
    if shard is not None:
        raise ValueError(
            f"shard={shard!r}: the neural engine draws one random stream, so its rows cannot be made "
            "part by part; use engine=\"copula\""
        )
    return _pushforward.generate_neural(
        spec_text(spec), json.dumps(dict(settings or {})), rows, seed, on_infeasible, progress
    )


def fit_spec(
    spec: SpecLike,
    seed: Optional[int] = None,
    on_infeasible: str = "error",
    progress: bool = False,
    **settings: Any,
) -> Model:
    """Trains the neural engine on ``spec`` and returns it as a :class:`Model`
    (``Model.sample`` draws more rows; ``Model.save`` writes the file that
    ``pushforward sample`` reads).

    The network turns noise into rows; it is trained on sets of rows whose
    sorted columns are pulled to the marginals' quantiles and whose Pearson
    matrix to the target, so it can reach dependence a Gaussian copula
    cannot, at a small cost in marginal accuracy. Settings (left out: the
    defaults of ``pushforward generate --engine neural``): ``steps``,
    ``set_size``, ``sets_per_batch``, ``hidden`` (a list of widths),
    ``activation``, ``weights`` (correlation and marginal loss weights, a
    pair), ``patience``, ``optimizer`` (a dict), and ``match_marginals``
    (replace each column by the target quantiles at its ranks: exact
    marginals, learned dependence). An unreachable target raises
    :class:`InfeasibleError` unless ``on_infeasible="nearest"``, which
    trains on it as given. ``progress=True`` shows a bar; Ctrl-C stops.
    """
    seed = None if seed is None else _count(seed, "seed")
    return _pushforward.fit_spec(spec_text(spec), json.dumps(settings), seed, on_infeasible, progress)


def _count(value: Any, name: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}={value!r}: expected a whole number, at least 0")
    return value


def fit(data: Any, method: str = "copula", seed: int = 0, progress: bool = False, **settings: Any) -> Model:
    """Fits ``method`` to the table ``data`` and returns the :class:`Model`.

    Methods: ``copula`` (a Gaussian copula of mixed columns with missing
    values; settings ``split`` and ``types``, a dict of column to role),
    ``mmd`` and ``flow-matching`` (networks; settings are the fields of the
    method's settings and of their training part, as in the model file:
    ``steps``, ``batch``, ``hidden`` (a list of widths), ``activation``,
    ``patience``, ``ema``, ``optimizer`` (a dict), ...; ``flow-matching``
    also takes ``condition``, a class column). Left-out settings keep the
    method's defaults; an unknown one raises ``ValueError`` listing the
    known ones. The networks are slow to train for large ``steps``:
    ``progress=True`` shows a bar, and Ctrl-C stops the fit.
    """
    return _pushforward.fit(_arrow(data, "data"), method, json.dumps(settings), _count(seed, "seed"), progress)


def load(path: Union[str, "os.PathLike[str]"]) -> Model:
    """Reads a model file written by ``pushforward fit``, ``Model.save`` or
    ``generate --save-model``."""
    return _pushforward.load(os.fspath(path))


def evaluate(
    real: Any = None,
    synth: Any = None,
    spec: Optional[SpecLike] = None,
    holdout: Any = None,
    seed: int = 0,
    metrics: Optional[Sequence[str]] = None,
    rows: Optional[int] = None,
    projections: Optional[int] = None,
    k: Optional[int] = None,
    epsilon: Optional[float] = None,
) -> Dict[str, Any]:
    """Measures ``synth`` against ``real``, ``spec`` or both: the dictionary
    ``pushforward evaluate --json`` writes.

    ``metrics`` picks metric groups by name (``columns``, ``dependence``,
    ``wasserstein``, ``sliced``, ``sinkhorn``, ``mmd``, ``prdc``, ``c2st``,
    ``privacy``, ``quality``); ``rows`` caps the rows every subsampled metric
    uses.
    """
    if synth is None:
        raise TypeError("evaluate: synth is required")
    text = _pushforward.evaluate(
        _arrow(synth, "synth"),
        None if real is None else _arrow(real, "real"),
        None if spec is None else spec_text(spec),
        None if holdout is None else _arrow(holdout, "holdout"),
        seed,
        None if metrics is None else list(metrics),
        rows,
        projections,
        k,
        epsilon,
    )
    return json.loads(text)
