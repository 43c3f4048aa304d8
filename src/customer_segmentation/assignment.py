"""Scoring kernels over NumPy arrays, in row chunks (no n x n or n x k x d blow-ups).

Each algorithm family (:mod:`customer_segmentation.estimators`) scores with one of them:

* kmeans: nearest centroid by euclidean distance; ties go to the lowest segment id (centroids are
  kept in segment-id order and only a strictly smaller distance wins), the same rule as the SQL
  scoring.
* gmm: the component with the highest posterior probability, from the stored weights, means and
  full covariance matrices.
* agglomerative / dbscan: the label of the nearest stored exemplar (DBSCAN noise exemplars carry
  segment 0, so noise extends to new customers too).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import logsumexp
from sklearn.neighbors import NearestNeighbors

CHUNK_ROWS = 131072


def nearest_centroid(X: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(index, distance)``: each row's nearest centroid (first on ties), its distance."""
    n = X.shape[0]
    best = np.zeros(n, dtype=np.int64)
    best_d2 = np.full(n, np.inf)
    for start in range(0, n, CHUNK_ROWS):
        rows = X[start : start + CHUNK_ROWS]
        chunk_best = best[start : start + CHUNK_ROWS]
        chunk_d2 = best_d2[start : start + CHUNK_ROWS]
        for j, centre in enumerate(centroids):
            diff = rows - centre
            d2 = np.einsum("ij,ij->i", diff, diff)
            closer = d2 < chunk_d2
            chunk_best[closer] = j
            chunk_d2[closer] = d2[closer]
    return best, np.sqrt(best_d2)


def member_means(X: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(means, counts)`` of the rows of each label ``0..k-1`` (NaN means when empty)."""
    counts = np.bincount(labels, minlength=k).astype(np.int64)
    sums = np.column_stack(
        [np.bincount(labels, weights=X[:, j], minlength=k) for j in range(X.shape[1])]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None], counts


def gaussian_log_densities(
    X: np.ndarray, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray
) -> np.ndarray:
    """Return ``log(weight_k) + log N(x | mean_k, cov_k)`` for each row and component."""
    n, d = X.shape
    out = np.empty((n, means.shape[0]))
    for k, (mean, cov) in enumerate(zip(means, covariances, strict=True)):
        lower = np.linalg.cholesky(cov)
        log_det = 2.0 * np.sum(np.log(np.diag(lower)))
        z = solve_triangular(lower, (X - mean).T, lower=True)
        out[:, k] = (
            np.log(weights[k])
            - 0.5 * (d * np.log(2 * np.pi) + log_det)
            - 0.5 * np.sum(z**2, axis=0)
        )
    return out


def gmm_scoring_terms(
    weights: np.ndarray, covariances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(precisions, log_normalisers)``: per component the inverse covariance and
    ``log(weight) - (d log(2 pi) + log det covariance) / 2``, so that
    ``log_normaliser - (x - mean)' precision (x - mean) / 2`` is the log joint density that
    :func:`gaussian_log_densities` computes (the form SQL scoring uses)."""
    d = covariances.shape[1]
    precisions = np.stack([np.linalg.inv(cov) for cov in covariances])
    log_dets = np.array([np.linalg.slogdet(cov)[1] for cov in covariances])
    return precisions, np.log(weights) - 0.5 * (d * np.log(2 * np.pi) + log_dets)


def gmm_posterior(
    X: np.ndarray, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(index, probability)`` of each row's most probable component."""
    n = X.shape[0]
    best = np.zeros(n, dtype=np.int64)
    prob = np.ones(n)
    for start in range(0, n, CHUNK_ROWS):
        log_joint = gaussian_log_densities(
            X[start : start + CHUNK_ROWS], weights, means, covariances
        )
        log_post = log_joint - logsumexp(log_joint, axis=1, keepdims=True)
        index = np.argmax(log_post, axis=1)
        best[start : start + CHUNK_ROWS] = index
        prob[start : start + CHUNK_ROWS] = np.exp(log_post[np.arange(index.size), index])
    return best, prob


def nearest_exemplar(X: np.ndarray, exemplars: np.ndarray) -> np.ndarray:
    """Return the index of each row's nearest exemplar."""
    index = NearestNeighbors(n_neighbors=1).fit(exemplars)
    out = np.empty(X.shape[0], dtype=np.int64)
    for start in range(0, X.shape[0], CHUNK_ROWS):
        out[start : start + CHUNK_ROWS] = index.kneighbors(
            X[start : start + CHUNK_ROWS], return_distance=False
        )[:, 0]
    return out
