"""The scikit-learn / scipy calls behind each algorithm family, with explicit seeds.

Labels are int64 arrays numbered ``0..k-1``; ``-1`` marks DBSCAN noise. Every random choice takes
an explicit seed, and K-Means always gets an explicit ``n_init``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import cut_tree, linkage
from sklearn.cluster import DBSCAN, KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from customer_segmentation.gil import quick_handoff
from customer_segmentation.knee import find_knee

DBSCAN_EPS_FACTORS = (0.75, 1.0, 1.25)


@dataclass(frozen=True)
class Labelled:
    """One clustering of the sample: labels plus the algorithm-specific extras."""

    algorithm: str
    parameters: dict[str, Any]
    labels: np.ndarray
    requested_k: int | None = None
    bic: float | None = None
    aic: float | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run BLAS and OpenMP on one thread, and take the GIL back quickly, inside the block.

    The candidate search fits hundreds of small models; thread start-up and contention make them
    several times slower with more threads (measured: 9 K-Means fits on 20,000 rows took 0.5 s on
    one thread and 6-12 s on two busy cores). Inside dbt other threads hold the GIL, so the
    switch interval is shortened too (:mod:`customer_segmentation.gil`).
    """
    with threadpool_limits(limits=1), quick_handoff():
        yield


def fit_kmeans(X: np.ndarray, k: int, n_init: int, seed: int) -> KMeans:
    """Return a fitted :class:`KMeans` with explicit ``n_init`` and ``random_state``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)


def agglomerative_labels(X: np.ndarray, ks: list[int], method: str) -> list[np.ndarray]:
    """Return the cut of one hierarchical tree of ``X`` at each k (same partition as sklearn)."""
    if X.shape[0] < 2:
        return [np.zeros(X.shape[0], dtype=np.int64) for _ in ks]
    tree = linkage(X, method=method)
    cuts = cut_tree(tree, n_clusters=[min(k, X.shape[0]) for k in ks])
    return [cuts[:, i].astype(np.int64) for i in range(len(ks))]


def fit_gmm(X: np.ndarray, k: int, covariance_type: str, n_init: int, seed: int) -> GaussianMixture:
    """Return a fitted :class:`GaussianMixture` with explicit ``n_init`` and ``random_state``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GaussianMixture(
            n_components=k, covariance_type=covariance_type, n_init=n_init, random_state=seed
        ).fit(X)


def default_min_samples(n_features: int) -> int:
    """Return DBSCAN's automatic ``min_samples``: ``max(5, 2 * n_features)``."""
    return max(5, 2 * n_features)


def k_distance_eps(X: np.ndarray, min_samples: int) -> float:
    """Return eps at the knee of the sorted distances to each point's ``min_samples``-th neighbour.

    The point itself counts as its first neighbour, as in DBSCAN's ``min_samples``. The value is
    rounded to 6 significant digits so the recorded ``parameters`` stay readable.
    """
    neighbours = min(min_samples, X.shape[0])
    distances, _ = NearestNeighbors(n_neighbors=neighbours).fit(X).kneighbors(X)
    curve = np.sort(distances[:, -1])
    knee, _ = find_knee(np.arange(curve.size), curve, curve="convex", direction="increasing")
    eps = float(curve[int(knee)]) if knee is not None else float(np.median(curve))
    if eps <= 0:
        positive = curve[curve > 0]
        eps = float(positive.min()) if positive.size else 1.0
    return float(f"{eps:.6g}")


def dbscan_labels(X: np.ndarray, eps: float, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(labels, core_mask)`` of DBSCAN on ``X``; noise is ``-1``."""
    model = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    core = np.zeros(X.shape[0], dtype=bool)
    core[model.core_sample_indices_] = True
    return model.labels_.astype(np.int64), core
