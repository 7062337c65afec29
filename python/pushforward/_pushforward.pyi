"""Type stubs of the extension module (the Rust side of pushforward)."""

from typing import Any, List, Optional, Tuple

import pyarrow as pa

BLOCK_ROWS: int

class Model:
    """A fitted model: samples, saves, pickles (as its model file's bytes)."""

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        """The model in a model file's bytes (what ``to_bytes`` gives)."""
    def to_bytes(self) -> bytes:
        """The model file's bytes."""
    @property
    def method(self) -> str:
        """The method's name (``copula``, ``mmd``, ``flow-matching``, ...)."""
    @property
    def columns(self) -> List[str]:
        """The output columns' names."""
    @property
    def training_rows(self) -> int:
        """The rows of the training table (the default row count of ``sample``)."""
    def sample(
        self,
        rows: Optional[int] = None,
        seed: int = 0,
        shard: Optional[Tuple[int, int]] = None,
        where: List[str] = ...,
        progress: bool = False,
    ) -> pa.Table:
        """Draws ``rows`` rows (default: the training rows) with ``seed``, or
        part ``shard=(K, N)`` of them; ``where`` conditions (a copula model)
        such as ``["species=Adelie", "mass>4000"]`` are met exactly."""
    def write_part(self, dir: str, shard: Tuple[int, int], rows: Optional[int] = None, seed: int = 0) -> int:
        """Writes part ``shard=(K, N)`` of the rows into ``dir`` as
        ``part-0000K.parquet``; returns the rows written."""
    def save(self, path: str) -> None:
        """Writes the model file to ``path``, atomically."""

def generate(
    spec: str,
    rows: Optional[int] = None,
    seed: Optional[int] = None,
    shard: Optional[Tuple[int, int]] = None,
    on_infeasible: str = "error",
    progress: bool = False,
) -> pa.Table:
    """Rows of the spec's TOML text ``spec``."""

def generate_neural(
    spec: str,
    settings: str,
    rows: Optional[int] = None,
    seed: Optional[int] = None,
    on_infeasible: str = "error",
    progress: bool = False,
) -> pa.Table:
    """Rows of the spec's TOML text ``spec`` from the neural engine trained
    on it with ``settings`` (a JSON object) and the same seed."""

def fit_spec(
    spec: str,
    settings: str,
    seed: Optional[int] = None,
    on_infeasible: str = "error",
    progress: bool = False,
) -> Model:
    """The neural engine trained on the spec's TOML text ``spec``."""

def write_spec_part(
    spec: str,
    dir: str,
    shard: Tuple[int, int],
    rows: Optional[int] = None,
    seed: Optional[int] = None,
    on_infeasible: str = "error",
) -> int:
    """Writes part ``shard=(K, N)`` of the spec's rows into ``dir`` as
    ``part-0000K.parquet``; returns the rows written."""

def toml_from_json(json: str) -> str:
    """The TOML text of a spec given as JSON."""

def fit(data: Any, method: str, settings: str, seed: int, progress: bool = False) -> Model:
    """Fits ``method`` to ``data`` with ``settings`` (a JSON object)."""

def load(path: str) -> Model:
    """Reads a model file."""

def evaluate(
    synth: Any,
    real: Optional[Any] = None,
    spec: Optional[str] = None,
    holdout: Optional[Any] = None,
    seed: int = 0,
    metrics: Optional[List[str]] = None,
    rows: Optional[int] = None,
    projections: Optional[int] = None,
    k: Optional[int] = None,
    epsilon: Optional[float] = None,
) -> str:
    """The evaluation report's JSON text."""

def copula_fit_start(settings: str, seed: int) -> bytes:
    """The state of a copula fit in passes with ``settings`` (a JSON object:
    ``split``, ``types``) and ``seed``, before its first pass."""

def copula_fit_pass(state: bytes) -> Optional[str]:
    """The pass the fit runs next (``schema``, ``split``, ``marginals``,
    ``moments``), or ``None`` once fitted."""

def copula_fit_stats(state: bytes, data: Optional[Any] = None) -> bytes:
    """The statistics of the rows of ``data`` (an Arrow table; ``None`` for
    no rows) for the pass of ``state``."""

def copula_fit_merge(state: bytes, stats: List[bytes]) -> bytes:
    """The state after the pass, from every partition's statistics in
    partition order."""

def copula_fit_model(state: bytes, seconds: float) -> Model:
    """The model of the finished fit in ``state``."""
