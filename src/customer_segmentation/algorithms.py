"""Run each clustering algorithm on a (sampled) matrix and return labels.

Labels are int64 arrays numbered ``0..k-1``; ``-1`` marks DBSCAN noise. Every random choice takes
an explicit seed, and K-Means always gets an explicit ``n_init``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import cut_tree, linkage
from sklearn.cluster import DBSCAN, KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from customer_segmentation.knee import find_knee

DBSCAN_EPS_FACTORS = (0.75, 1.0, 1.25)


@dataclass(frozen=True)
class Labelled:
    """One clustering of the sample: labels plus the algorithm-specific extras."""

    algorithm: str
    parameters: str
    labels: np.ndarray
    requested_k: int | None = None
    eps: float | None = None
    min_samples: int | None = None
    bic: float | None = None
    aic: float | None = None


def one_thread() -> threadpool_limits:
    """Return a context manager that runs BLAS and OpenMP on one thread.

    The candidate search fits hundreds of small models; thread start-up and contention make them
    several times slower with more threads (measured: 9 K-Means fits on 20,000 rows took 0.5 s on
    one thread and 6-12 s on two busy cores).
    """
    return threadpool_limits(limits=1)


def kmeans_parameters(n_init: int) -> str:
    """Return the readable ``parameters`` text of a K-Means candidate."""
    return f"n_init={n_init}"


def agglomerative_parameters(method: str) -> str:
    """Return the readable ``parameters`` text of an agglomerative candidate."""
    return f"linkage={method}"


def gmm_parameters(covariance_type: str, n_components: int) -> str:
    """Return the readable ``parameters`` text of a Gaussian-mixture candidate."""
    return f"covariance_type={covariance_type}, n_components={n_components}"


def dbscan_parameters(eps: float, min_samples: int) -> str:
    """Return the readable ``parameters`` text of a DBSCAN candidate (eps exact to 6 digits)."""
    return f"eps={eps:.6g}, min_samples={min_samples}"


def parse_parameters(text: str) -> dict[str, str]:
    """Return the ``key=value`` pairs of a ``parameters`` text as a dict of strings."""
    pairs = (part.split("=", 1) for part in (text or "").split(",") if "=" in part)
    return {key.strip(): value.strip() for key, value in pairs}


def fit_kmeans(X: np.ndarray, k: int, n_init: int, seed: int) -> KMeans:
    """Return a fitted :class:`KMeans` with explicit ``n_init`` and ``random_state``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)


def kmeans_curve(X: np.ndarray, ks: list[int], n_init: int, seed: int) -> list[Labelled]:
    """Return one K-Means labelling of ``X`` per k."""
    return [
        Labelled(
            "kmeans",
            kmeans_parameters(n_init),
            fit_kmeans(X, k, n_init, seed).labels_.astype(np.int64),
            requested_k=k,
        )
        for k in ks
    ]


def agglomerative_labels(X: np.ndarray, ks: list[int], method: str) -> list[np.ndarray]:
    """Return the cut of one hierarchical tree of ``X`` at each k (same partition as sklearn)."""
    if X.shape[0] < 2:
        return [np.zeros(X.shape[0], dtype=np.int64) for _ in ks]
    tree = linkage(X, method=method)
    cuts = cut_tree(tree, n_clusters=[min(k, X.shape[0]) for k in ks])
    return [cuts[:, i].astype(np.int64) for i in range(len(ks))]


def agglomerative_curve(X: np.ndarray, ks: list[int], method: str) -> list[Labelled]:
    """Return one agglomerative labelling of ``X`` per k, all from a single linkage tree."""
    labels = agglomerative_labels(X, ks, method)
    return [
        Labelled("agglomerative", agglomerative_parameters(method), lab, requested_k=k)
        for k, lab in zip(ks, labels, strict=True)
    ]


def fit_gmm(X: np.ndarray, k: int, covariance_type: str, n_init: int, seed: int) -> GaussianMixture:
    """Return a fitted :class:`GaussianMixture` with explicit ``n_init`` and ``random_state``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GaussianMixture(
            n_components=k, covariance_type=covariance_type, n_init=n_init, random_state=seed
        ).fit(X)


def gmm_curve(
    X: np.ndarray, ks: list[int], covariance_type: str, n_init: int, seed: int
) -> list[Labelled]:
    """Return one Gaussian-mixture labelling per k with its BIC and AIC on ``X``."""
    result = []
    for k in ks:
        model = fit_gmm(X, k, covariance_type, n_init, seed)
        result.append(
            Labelled(
                "gmm",
                gmm_parameters(covariance_type, k),
                model.predict(X).astype(np.int64),
                requested_k=k,
                bic=float(model.bic(X)),
                aic=float(model.aic(X)),
            )
        )
    return result


def default_min_samples(n_features: int) -> int:
    """Return DBSCAN's automatic ``min_samples``: ``max(5, 2 * n_features)``."""
    return max(5, 2 * n_features)


def k_distance_eps(X: np.ndarray, min_samples: int) -> float:
    """Return eps at the knee of the sorted distances to each point's ``min_samples``-th neighbour.

    The point itself counts as its first neighbour, as in DBSCAN's ``min_samples``. The value is
    rounded to 6 significant digits so the ``parameters`` text reproduces it exactly.
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


def dbscan_candidates(
    X: np.ndarray, eps: float | None, min_samples: int | None
) -> tuple[list[Labelled], int]:
    """Return DBSCAN labellings at 0.75x, 1x and 1.25x the base eps, and the index of the 1x row.

    The base eps is the configured one, or the k-distance knee when ``eps`` is ``None``;
    ``min_samples`` defaults to :func:`default_min_samples`.
    """
    m = min_samples if min_samples is not None else default_min_samples(X.shape[1])
    base = eps if eps is not None else k_distance_eps(X, m)
    result = []
    for factor in DBSCAN_EPS_FACTORS:
        value = float(f"{base * factor:.6g}")
        labels, _ = dbscan_labels(X, value, m)
        result.append(
            Labelled("dbscan", dbscan_parameters(value, m), labels, eps=value, min_samples=m)
        )
    return result, DBSCAN_EPS_FACTORS.index(1.0)
