"""Two-dimensional views of the customers for charts: PCA for everyone, t-SNE on a sample."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.manifold import TSNE

MIN_TSNE_ROWS = 5
TSNE_MAX_ITER = 500
"""250 early-exaggeration iterations + 250 more: the picture of 2,000 customers is settled by then,
at half the cost of scikit-learn's default 1,000 (about 3.7 s instead of 7.5 s of one core)."""


def pca_2d(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(coords, explained_variance_ratio)``: the first two principal components.

    Computed from the d x d covariance matrix (cheap for millions of rows). Each component's sign
    is fixed so its largest-magnitude loading is positive, making the output deterministic. With a
    single feature the second coordinate and its ratio are 0.
    """
    n, d = X.shape
    coords = np.zeros((n, 2))
    ratios = np.zeros(2)
    if n == 0:
        return coords, ratios
    centred = X - X.mean(axis=0)
    covariance = centred.T @ centred / max(n - 1, 1)
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0.0, None), vectors[:, order]
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(d)])
    vectors = vectors * np.where(signs == 0, 1.0, signs)
    m = min(2, d)
    coords[:, :m] = centred @ vectors[:, :m]
    total = values.sum()
    if total > 0:
        ratios[:m] = values[:m] / total
    return coords, ratios


def tsne_2d(X: np.ndarray, seed: int) -> np.ndarray | None:
    """Return the t-SNE embedding of ``X`` (``None`` with a warning if there are too few rows).

    Perplexity is ``min(30, (n - 1) / 3)``, initialisation PCA, Barnes-Hut, ``TSNE_MAX_ITER``
    iterations, ``random_state=seed``. Call it on one thread (``algorithms.one_thread()``, as
    ``api.project_customers`` does): OpenMP threads spinning on a busy machine made it 5x slower.
    """
    n = X.shape[0]
    if n < MIN_TSNE_ROWS:
        if n:
            warnings.warn(
                f"t-SNE skipped: {n} rows, at least {MIN_TSNE_ROWS} are needed.", stacklevel=2
            )
        return None
    perplexity = float(min(30.0, (n - 1) / 3.0))
    model = TSNE(
        n_components=2,
        perplexity=perplexity,
        init="pca",
        method="barnes_hut",
        max_iter=TSNE_MAX_ITER,
        random_state=seed,
    )
    return model.fit_transform(X)
