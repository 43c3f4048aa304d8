"""Segment ids that stay the same from one run to the next.

First run (no usable previous model): real segments get ids ``1..k`` in order of descending size
(share of customers, or mixture weight for GMM); ties are broken by the centroid coordinates in
feature order, smallest first. DBSCAN noise is always segment 0 and is never renumbered.

Later runs: new centroids are matched to the previous run's centroids by the Hungarian algorithm
(:func:`scipy.optimize.linear_sum_assignment`) on euclidean distance in the scaled space. A matched
cluster keeps the previous id; unmatched new clusters get ids above the previous maximum, in the
first-run order.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist


def first_run_order(centroids: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Return cluster indices ordered by descending size, then ascending centroid coordinates."""
    keys = [centroids[:, j] for j in reversed(range(centroids.shape[1]))]
    return np.lexsort([*keys, -np.asarray(sizes, dtype=float)])


def assign_ids(
    centroids: np.ndarray,
    sizes: np.ndarray,
    previous: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Return the int64 segment id (>= 1) of each new cluster (row of ``centroids``).

    ``previous`` is ``(previous_ids, previous_centroids)`` in the same feature order, or ``None``.
    """
    k = centroids.shape[0]
    ids = np.zeros(k, dtype=np.int64)
    order = first_run_order(centroids, sizes)
    if previous is None or previous[0].size == 0 or k == 0:
        ids[order] = np.arange(1, k + 1)
        return ids
    previous_ids, previous_centroids = previous
    rows, cols = linear_sum_assignment(cdist(centroids, previous_centroids))
    ids[rows] = np.asarray(previous_ids, dtype=np.int64)[cols]
    next_id = int(max(np.max(previous_ids), 0)) + 1
    for index in order:
        if ids[index] == 0:
            ids[index] = next_id
            next_id += 1
    return ids
