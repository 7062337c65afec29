"""Parse a pushforward TOML spec into SciPy distributions.

This is the shared half of the Python reference scripts in ``bench/reference``
(``copula_numpy.py`` generates, ``check_generated.py`` checks).  It reads the
same TOML spec as the Rust tool and turns it into

* one :class:`Column` per ``[[column]]`` entry, holding a frozen
  ``scipy.stats`` distribution (or a :class:`Categorical`), the family name and
  its kind (``"continuous"``, ``"discrete"`` or ``"categorical"``);
* the ``[correlation]`` target: its kind (``pearson``, ``spearman`` or
  ``kendall``), the names of the columns it refers to (``columns``, default all
  columns in spec order) and the full target matrix over those columns.

Families and parameters (each mirrored exactly by ``scipy.stats``)::

    normal(mean, std)                    norm(loc=mean, scale=std)
    lognormal(mu, sigma)                 lognorm(s=sigma, scale=exp(mu))
    uniform(low, high)                   uniform(loc=low, scale=high-low)
    exponential(rate | scale)            expon(scale=1/rate or scale)
    gamma(shape, scale | rate)           gamma(a=shape, scale=scale or 1/rate)
    beta(alpha, beta)                    beta(alpha, beta)
    student_t(df, loc=0, scale=1)        t(df, loc, scale)
    chi_squared(df)                      chi2(df)
    weibull(shape, scale=1)              weibull_min(c=shape, scale=scale)
    laplace(loc, scale)                  laplace(loc, scale)
    logistic(loc, scale)                 logistic(loc, scale)
    truncated_normal(mean, std, low, high)
                                         truncnorm((low-mean)/std, (high-mean)/std,
                                                   loc=mean, scale=std)
    bernoulli(p)                         bernoulli(p)
    binomial(n, p)                       binom(n, p)
    poisson(lambda)                      poisson(mu=lambda)
    negative_binomial(r, p)              nbinom(r, p)   (failures before r-th success)
    geometric(p)                         geom(p)        (support 1, 2, ...)
    categorical(categories, weights)     Categorical    (codes 0..k-1 in listed order,
                                                         weights normalised; uniform
                                                         when weights are omitted)

Correlation section::

    [correlation]
    kind = "pearson"                # or "spearman" / "kendall"; default pearson
    columns = ["a", "b", "c"]       # optional: subset/order the target refers to
    matrix = [[1.0, 0.3, 0.0], ...] # full matrix over `columns` ...
    pairs = [["a", "b", 0.3], ...]  # ... or listed pairs, unlisted pairs 0

A spec without ``[correlation]`` means independent columns (identity target).
Unknown keys are reported on stderr as warnings, not errors.
"""

from __future__ import annotations

import math
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

__all__ = [
    "CONTINUOUS",
    "DISCRETE",
    "Categorical",
    "Column",
    "Spec",
    "SpecError",
    "load_spec",
]

CONTINUOUS = (
    "normal", "lognormal", "uniform", "exponential", "gamma", "beta",
    "student_t", "chi_squared", "weibull", "laplace", "logistic",
    "truncated_normal",
)
DISCRETE = ("bernoulli", "binomial", "poisson", "negative_binomial", "geometric")
CORRELATION_KINDS = ("pearson", "spearman", "kendall")


class SpecError(ValueError):
    """The spec is malformed or names an unsupported family/parameter."""


def _warn(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr)


class Categorical:
    """A categorical marginal: labels with probabilities, numerically its code.

    The column's numeric value (the one that enters correlations) is the code
    ``0..k-1`` of the label, in the order the categories are listed.  The
    methods mirror the part of the frozen ``scipy.stats`` interface the
    reference scripts use (``cdf``, ``sf``, ``pmf``, ``ppf``, ``isf``,
    ``mean``, ``var``, ``std``, ``support``), with ``ppf`` done by
    ``numpy.searchsorted`` on the cumulative weights.
    """

    def __init__(self, labels, weights=None):
        labels = [str(c) for c in labels]
        if not labels:
            raise SpecError("categorical: `categories` is empty")
        if len(set(labels)) != len(labels):
            raise SpecError(f"categorical: duplicate categories in {labels}")
        if weights is None:
            weights = [1.0] * len(labels)
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(labels),):
            raise SpecError(
                f"categorical: {len(labels)} categories but {w.size} weights")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise SpecError(f"categorical: bad weights {weights}")
        self.labels: list[str] = labels
        self.probs: np.ndarray = w / w.sum()
        self.codes: np.ndarray = np.arange(len(labels), dtype=np.int64)
        cum = np.cumsum(self.probs)
        cum[-1] = 1.0
        self.cum: np.ndarray = cum
        # Upper tail sums P(code > k), computed from the right for accuracy.
        tail = np.cumsum(self.probs[::-1])[::-1]
        self._sf: np.ndarray = np.append(tail[1:], 0.0)

    @property
    def k(self) -> int:
        return len(self.labels)

    def support(self) -> tuple[int, int]:
        return 0, self.k - 1

    def _index(self, x):
        return np.clip(np.floor(np.asarray(x, dtype=float)), -1, self.k - 1).astype(np.int64)

    def pmf(self, x):
        x = np.asarray(x, dtype=float)
        ok = (x == np.floor(x)) & (x >= 0) & (x < self.k)
        return np.where(ok, self.probs[np.clip(x, 0, self.k - 1).astype(np.int64)], 0.0)

    def cdf(self, x):
        i = self._index(x)
        return np.where(i < 0, 0.0, self.cum[np.maximum(i, 0)])

    def sf(self, x):
        i = self._index(x)
        return np.where(i < 0, 1.0, self._sf[np.maximum(i, 0)])

    def ppf(self, q):
        """Smallest code k with cdf(k) >= q (scipy's discrete ppf convention)."""
        return np.minimum(np.searchsorted(self.cum, q, side="left"), self.k - 1)

    def isf(self, q):
        """Smallest code k with sf(k) <= q."""
        return np.minimum(np.searchsorted(-self._sf, -np.asarray(q), side="left"), self.k - 1)

    def mean(self) -> float:
        return float(self.probs @ self.codes)

    def var(self) -> float:
        return float(self.probs @ (self.codes - self.mean()) ** 2)

    def std(self) -> float:
        return math.sqrt(self.var())

    def __repr__(self) -> str:
        pairs = ", ".join(f"{l}:{p:.4g}" for l, p in zip(self.labels, self.probs))
        return f"Categorical({pairs})"


@dataclass
class Column:
    """One ``[[column]]`` entry of the spec."""

    name: str
    family: str
    kind: str  # "continuous" | "discrete" | "categorical"
    dist: object  # frozen scipy.stats distribution or Categorical
    params: dict = field(default_factory=dict)

    @property
    def is_categorical(self) -> bool:
        return self.kind == "categorical"

    @property
    def is_discrete(self) -> bool:
        """True for discrete numeric families and for categorical columns."""
        return self.kind != "continuous"

    def describe(self) -> str:
        ps = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.family}({ps})"


@dataclass
class Spec:
    """A parsed spec: columns plus the correlation target."""

    path: str
    rows: int | None
    seed: int | None
    columns: list[Column]
    corr_kind: str
    corr_columns: list[str]  # names the target refers to, in target order
    target: np.ndarray  # len(corr_columns) x len(corr_columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def index(self, name: str) -> int:
        return self.names.index(name)

    @property
    def corr_indices(self) -> list[int]:
        """Positions (in spec column order) of the correlated columns."""
        return [self.index(n) for n in self.corr_columns]

    def full_target(self) -> np.ndarray:
        """Target over all columns in spec order; columns outside the
        correlation's ``columns`` are uncorrelated with everything."""
        d = len(self.columns)
        full = np.eye(d)
        idx = self.corr_indices
        full[np.ix_(idx, idx)] = self.target
        return full


class _Params:
    """Reads one column's parameters, remembering which keys were used."""

    def __init__(self, name: str, family: str, table: dict):
        self.name, self.family = name, family
        self.table = {k: v for k, v in table.items() if k not in ("name", "dist")}
        self.used: dict = {}

    def _err(self, msg: str) -> SpecError:
        return SpecError(f"column {self.name!r} ({self.family}): {msg}")

    def _get(self, key):
        v = self.table[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self._err(f"`{key}` must be a number, got {v!r}")
        self.used[key] = v
        return float(v)

    def req(self, key: str) -> float:
        if key not in self.table:
            raise self._err(f"missing parameter `{key}`")
        return self._get(key)

    def opt(self, key: str, default: float) -> float:
        return self._get(key) if key in self.table else float(default)

    def one_of(self, a: str, b: str) -> tuple[str, float]:
        have = [k for k in (a, b) if k in self.table]
        if len(have) != 1:
            raise self._err(f"give exactly one of `{a}` or `{b}`")
        return have[0], self._get(have[0])

    def positive(self, key: str, value: float) -> float:
        if not (value > 0 and math.isfinite(value)):
            raise self._err(f"`{key}` must be positive and finite, got {value}")
        return value

    def prob(self, key: str, value: float, open_low: bool = False) -> float:
        ok = (0 < value <= 1) if open_low else (0 <= value <= 1)
        if not ok:
            raise self._err(f"`{key}` must be in {'(0, 1]' if open_low else '[0, 1]'}, got {value}")
        return value

    def integer(self, key: str, value: float) -> int:
        if value != math.floor(value) or value < 0:
            raise self._err(f"`{key}` must be a non-negative integer, got {value}")
        return int(value)

    def finish(self) -> None:
        extra = sorted(set(self.table) - set(self.used))
        if extra:
            _warn(f"column {self.name!r} ({self.family}): ignoring unknown keys {extra}")


def _build(name: str, family: str, table: dict) -> Column:
    """Turn one ``[[column]]`` table into a :class:`Column`."""
    p = _Params(name, family, table)
    if family == "categorical":
        cats = table.get("categories")
        if not isinstance(cats, list):
            raise p._err("`categories` must be a list")
        weights = table.get("weights")
        p.used["categories"] = cats
        if weights is not None:
            p.used["weights"] = weights
        p.finish()
        return Column(name, family, "categorical", Categorical(cats, weights), dict(p.used))

    if family == "normal":
        mean, std = p.req("mean"), p.positive("std", p.req("std"))
        dist = stats.norm(loc=mean, scale=std)
    elif family == "lognormal":
        mu, sigma = p.req("mu"), p.positive("sigma", p.req("sigma"))
        dist = stats.lognorm(s=sigma, scale=math.exp(mu))
    elif family == "uniform":
        low, high = p.req("low"), p.req("high")
        if not (low < high and math.isfinite(high - low)):
            raise p._err(f"need finite low < high, got {low}, {high}")
        dist = stats.uniform(loc=low, scale=high - low)
    elif family == "exponential":
        key, v = p.one_of("rate", "scale")
        v = p.positive(key, v)
        dist = stats.expon(scale=1.0 / v if key == "rate" else v)
    elif family == "gamma":
        shape = p.positive("shape", p.req("shape"))
        key, v = p.one_of("scale", "rate")
        v = p.positive(key, v)
        dist = stats.gamma(a=shape, scale=v if key == "scale" else 1.0 / v)
    elif family == "beta":
        a, b = p.positive("alpha", p.req("alpha")), p.positive("beta", p.req("beta"))
        dist = stats.beta(a, b)
    elif family == "student_t":
        df = p.positive("df", p.req("df"))
        dist = stats.t(df, loc=p.opt("loc", 0.0), scale=p.positive("scale", p.opt("scale", 1.0)))
    elif family == "chi_squared":
        dist = stats.chi2(p.positive("df", p.req("df")))
    elif family == "weibull":
        shape = p.positive("shape", p.req("shape"))
        dist = stats.weibull_min(c=shape, scale=p.positive("scale", p.opt("scale", 1.0)))
    elif family == "laplace":
        dist = stats.laplace(loc=p.req("loc"), scale=p.positive("scale", p.req("scale")))
    elif family == "logistic":
        dist = stats.logistic(loc=p.req("loc"), scale=p.positive("scale", p.req("scale")))
    elif family == "truncated_normal":
        mean, std = p.req("mean"), p.positive("std", p.req("std"))
        low, high = p.req("low"), p.req("high")
        if not low < high:
            raise p._err(f"need low < high, got {low}, {high}")
        dist = stats.truncnorm((low - mean) / std, (high - mean) / std, loc=mean, scale=std)
    elif family == "bernoulli":
        dist = stats.bernoulli(p.prob("p", p.req("p")))
    elif family == "binomial":
        n = p.integer("n", p.req("n"))
        dist = stats.binom(n, p.prob("p", p.req("p")))
    elif family == "poisson":
        dist = stats.poisson(mu=p.positive("lambda", p.req("lambda")))
    elif family == "negative_binomial":
        r = p.positive("r", p.req("r"))
        dist = stats.nbinom(r, p.prob("p", p.req("p"), open_low=True))
    elif family == "geometric":
        dist = stats.geom(p.prob("p", p.req("p"), open_low=True))
    else:
        raise SpecError(
            f"column {name!r}: unknown dist {family!r}; known: "
            f"{', '.join(CONTINUOUS + DISCRETE + ('categorical',))}")
    p.finish()
    kind = "continuous" if family in CONTINUOUS else "discrete"
    return Column(name, family, kind, dist, dict(p.used))


def _parse_correlation(corr: dict | None, names: list[str]):
    """Return (kind, columns, target matrix) of the ``[correlation]`` table."""
    if corr is None:
        return "pearson", list(names), np.eye(len(names))
    kind = corr.get("kind", "pearson")
    if kind not in CORRELATION_KINDS:
        raise SpecError(f"correlation: kind must be one of {CORRELATION_KINDS}, got {kind!r}")
    cols = corr.get("columns", names)
    if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
        raise SpecError("correlation: `columns` must be a list of column names")
    unknown = [c for c in cols if c not in names]
    if unknown:
        raise SpecError(f"correlation: unknown columns {unknown}")
    if len(set(cols)) != len(cols):
        raise SpecError(f"correlation: duplicate names in `columns` {cols}")
    extra = sorted(set(corr) - {"kind", "columns", "matrix", "pairs"})
    if extra:
        _warn(f"correlation: ignoring unknown keys {extra}")

    m = len(cols)
    if ("matrix" in corr) == ("pairs" in corr):
        raise SpecError("correlation: give exactly one of `matrix` or `pairs`")
    if "matrix" in corr:
        try:
            target = np.array(corr["matrix"], dtype=float)
        except (TypeError, ValueError) as e:
            raise SpecError(f"correlation: bad matrix ({e})") from None
        if target.shape != (m, m):
            raise SpecError(f"correlation: matrix is {target.shape}, expected {m}x{m} "
                            f"(the columns: {cols})")
        if not np.allclose(target, target.T, rtol=0, atol=1e-12):
            raise SpecError("correlation: matrix is not symmetric")
        if not np.allclose(np.diag(target), 1.0, rtol=0, atol=1e-12):
            raise SpecError("correlation: matrix diagonal must be 1")
        target = (target + target.T) / 2
        np.fill_diagonal(target, 1.0)
    else:
        target = np.eye(m)
        seen: dict = {}
        for entry in corr["pairs"]:
            if not (isinstance(entry, list) and len(entry) == 3):
                raise SpecError(f"correlation: pair {entry!r} is not [name, name, value]")
            a, b, v = entry
            if a not in cols or b not in cols:
                raise SpecError(f"correlation: pair {entry!r} names a column outside {cols}")
            if a == b:
                raise SpecError(f"correlation: pair {entry!r} pairs a column with itself")
            key = frozenset((a, b))
            if key in seen and seen[key] != float(v):
                raise SpecError(f"correlation: pair ({a}, {b}) given twice with different values")
            seen[key] = float(v)
            i, j = cols.index(a), cols.index(b)
            target[i, j] = target[j, i] = float(v)
    off = target[~np.eye(m, dtype=bool)]
    if off.size and (not np.all(np.isfinite(off)) or np.max(np.abs(off)) > 1):
        raise SpecError("correlation: entries must lie in [-1, 1]")
    return kind, list(cols), target


def load_spec(path: str | Path) -> Spec:
    """Read and validate a TOML spec file."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    extra = sorted(set(data) - {"rows", "seed", "column", "correlation"})
    if extra:
        _warn(f"spec: ignoring unknown top-level keys {extra}")
    tables = data.get("column")
    if not isinstance(tables, list) or not tables:
        raise SpecError("spec: needs at least one [[column]]")
    columns: list[Column] = []
    for t in tables:
        name, family = t.get("name"), t.get("dist")
        if not isinstance(name, str) or not isinstance(family, str):
            raise SpecError(f"spec: every [[column]] needs string `name` and `dist`: {t}")
        columns.append(_build(name, family, t))
    names = [c.name for c in columns]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SpecError(f"spec: duplicate column names {dup}")
    kind, cols, target = _parse_correlation(data.get("correlation"), names)
    rows = data.get("rows")
    seed = data.get("seed")
    return Spec(str(path), None if rows is None else int(rows),
                None if seed is None else int(seed), columns, kind, cols, target)


if __name__ == "__main__":  # quick look: python3 spec.py SPEC
    s = load_spec(sys.argv[1])
    print(f"rows={s.rows} seed={s.seed} correlation={s.corr_kind} over {s.corr_columns}")
    for c in s.columns:
        print(f"  {c.name:<20} {c.kind:<12} {c.describe():<40} "
              f"mean={float(c.dist.mean()):.6g} std={float(c.dist.std()):.6g}")
    np.set_printoptions(linewidth=160, precision=3, suppress=True)
    print(s.target)
