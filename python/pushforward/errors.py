"""The exceptions pushforward raises.

``InfeasibleError`` carries what could not be met as data: ``kind``
(``"pearson"``, ``"spearman"``, ``"kendall"``, or ``"latent"`` when every
pair is reachable but together they need a latent matrix that is not
positive definite) and ``pairs``, a list of dicts. For an out-of-reach
target each pair is ``{"a", "b", "target", "low", "high"}``: the two
columns, the requested correlation and the interval the marginals allow.
For a latent matrix they are ``{"a", "b", "latent", "term"}`` and
``min_eigenvalue`` is set.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class PushforwardError(Exception):
    """Work that pushforward could not do, with the library's message."""


class InfeasibleError(PushforwardError, ValueError):
    """A correlation target the marginals cannot reach.

    Pass ``on_infeasible="nearest"`` to get the closest reachable
    correlations with every marginal kept exact.
    """

    def __init__(
        self,
        message: str,
        kind: str,
        pairs: List[Dict[str, Any]],
        min_eigenvalue: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.pairs = pairs
        self.min_eigenvalue = min_eigenvalue
