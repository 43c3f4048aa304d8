"""Choices a var forces on the search: the algorithm, the number of clusters, DBSCAN's eps.

An override never hides the curve: every candidate is still recorded, and the reasons say which
var decided.
"""

from __future__ import annotations

from typing import Any

from customer_segmentation import model_selection as ms
from customer_segmentation.estimators import Estimator, get
from customer_segmentation.params import SegmentationParams


def forced_choice(
    family: Estimator,
    rows: list[dict[str, Any]],
    params: SegmentationParams,
    preferred: int,
) -> ms.Choice | None:
    """Return the candidate a var fixes for ``family`` (n_clusters, dbscan_eps), or ``None``."""
    if family.takes_k and params.n_clusters is not None:
        ks = [r["requested_k"] for r in rows]
        target = min(ks, key=lambda k: abs(k - params.n_clusters))
        index = ks.index(target)
        others = {
            i: f"not selected: n_clusters is set to {params.n_clusters}"
            for i in range(len(rows))
            if i != index
        }
        capped = "" if target == params.n_clusters else f" (capped to {target})"
        return ms.Choice(index, f"set by var n_clusters={params.n_clusters}{capped}", others)
    fixed = family.fixed_by_var(params)
    if fixed is not None:
        name = fixed.split("=", 1)[0]
        others = {i: f"not selected: {name} is set" for i in range(len(rows)) if i != preferred}
        return ms.Choice(preferred, f"set by var {fixed}", others)
    return None


def forced_algorithm(params: SegmentationParams) -> tuple[str, str] | None:
    """Return ``(algorithm, reason)`` when var cluster_algorithm names one, else ``None``."""
    if params.algorithm == "auto":
        return None
    reason = f"algorithm set by var cluster_algorithm={params.algorithm}"
    if not get(params.algorithm).takes_k and params.n_clusters is not None:
        reason += f" (n_clusters does not apply to {params.algorithm} and was ignored)"
    return params.algorithm, reason
