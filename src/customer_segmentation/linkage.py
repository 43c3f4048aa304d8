"""The merge table of a hierarchical clustering, for dendrogram charts."""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import linkage


def linkage_matrix(X: np.ndarray, method: str) -> np.ndarray:
    """Return scipy's ``(n - 1, 4)`` linkage matrix of ``X`` (empty for fewer than 2 rows).

    Columns: left node, right node, merge distance, size of the merged cluster; node ids below
    ``n`` are the rows of ``X``, id ``n + i`` is the cluster formed by merge ``i``.
    """
    if X.shape[0] < 2:
        return np.empty((0, 4))
    return linkage(X, method=method)
