"""Shared fixtures: the repository's example specs and a small mixed table."""

from pathlib import Path

import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo() -> Path:
    """The twelve-column demo spec (a feasible Pearson target)."""
    return ROOT / "examples" / "demo.toml"


@pytest.fixture
def mixed() -> pa.Table:
    """300 rows: a category that shifts a number, a count, a missing share."""
    n = 300
    species = [["Adelie", "Gentoo", "Chinstrap"][i % 3] for i in range(n)]
    mass = [None if i % 11 == 5 else 3000.0 + 800.0 * (i % 3) + (i * 37 % 50) * 10.0 for i in range(n)]
    count = [i * 13 % 9 for i in range(n)]
    return pa.table({"species": species, "mass": mass, "count": count})
