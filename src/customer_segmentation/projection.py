"""Two-dimensional views of the customers for charts: PCA for everyone, t-SNE on a sample."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import polars as pl
from sklearn.manifold import TSNE

from customer_segmentation.sampling import sample_indices

MIN_TSNE_ROWS = 5
TSNE_MAX_ITER = 500
"""250 early-exaggeration iterations + 250 more: the picture of 2,000 customers is settled by then,
at half the cost of scikit-learn's default 1,000 (about 3.7 s instead of 7.5 s of one core)."""


def pca_2d(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(coords, explained_variance_ratio)``: the first two principal components.

    Computed from the d x d covariance matrix (cheap for millions of rows). Each component's sign
    is fixed so its largest-magnitude loading is positive, making the output deterministic. With a
    single feature the second coordinate and its ratio are 0; identical rows are all at 0.
    """
    n, d = X.shape
    coords = np.zeros((n, 2))
    ratios = np.zeros(2)
    if n == 0:
        return coords, ratios
    centred = X - X.mean(axis=0)
    centred[:, np.ptp(X, axis=0) == 0] = 0.0  # a constant column is exactly 0, not mean noise
    covariance = centred.T @ centred / max(n - 1, 1)
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0.0, None), vectors[:, order]
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(d)])
    vectors = vectors * np.where(signs == 0, 1.0, signs)
    m = min(2, d)
    total = values.sum()
    if total > 0:
        coords[:, :m] = centred @ vectors[:, :m]
        ratios[:m] = values[:m] / total
    return coords, ratios


def tsne_2d(X: np.ndarray, seed: int) -> np.ndarray | None:
    """Return the t-SNE embedding of ``X`` (``None`` with a warning if there are too few rows).

    Perplexity is ``min(30, (n - 1) / 3)``, initialisation PCA, Barnes-Hut, ``TSNE_MAX_ITER``
    iterations, ``random_state=seed``. Needs at least ``MIN_TSNE_ROWS`` distinct points and two
    features (callers check the latter). Call it on one thread (``algorithms.one_thread()``):
    OpenMP threads spinning on a busy machine made it 5x slower.
    """
    n = X.shape[0]
    distinct = int(np.unique(X, axis=0).shape[0]) if n else 0
    if distinct < MIN_TSNE_ROWS:
        if n:
            warnings.warn(
                f"t-SNE skipped: {n} rows with {distinct} distinct points, at least "
                f"{MIN_TSNE_ROWS} distinct points are needed.",
                stacklevel=2,
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


PROJECTION_SCHEMA: dict[str, pl.DataType] = {
    "method": pl.Utf8(),
    "customer_id": pl.Utf8(),
    "segment_id": pl.Int64(),
    "dim_1": pl.Float64(),
    "dim_2": pl.Float64(),
    "explained_variance_ratio_1": pl.Float64(),
    "explained_variance_ratio_2": pl.Float64(),
}
_COLUMNS = [name for name in PROJECTION_SCHEMA if name != "segment_id"]


def project(
    ids: np.ndarray,
    X: np.ndarray,
    features: list[str],
    tsne_sample_size: int,
    seed: int,
    log: Callable[[str], None],
) -> pl.DataFrame:
    """Return ``pca`` rows for everyone and ``tsne`` rows for a sample (no ``segment_id`` yet).

    With fewer than two features there is no 2-D picture: no rows, and a warning says why.
    """
    empty = pl.DataFrame(schema={n: PROJECTION_SCHEMA[n] for n in _COLUMNS})
    if X.shape[1] < 2:
        warnings.warn(
            f"No 2-D projection: only {X.shape[1]} usable feature ({', '.join(features)}); PCA "
            "and t-SNE need at least 2, so segment_projections is empty.",
            stacklevel=2,
        )
        return empty
    coords, ratios = pca_2d(X)
    parts = [
        pl.DataFrame(
            {
                "method": "pca",
                "customer_id": ids.astype(str),
                "dim_1": coords[:, 0],
                "dim_2": coords[:, 1],
                "explained_variance_ratio_1": float(ratios[0]),
                "explained_variance_ratio_2": float(ratios[1]),
            },
            schema=empty.schema,
        )
    ]
    log(
        f"PCA of {X.shape[0]:,} customers: the two axes explain "
        f"{ratios[0]:.1%} and {ratios[1]:.1%} of the variance"
    )
    if tsne_sample_size > 0:
        rows = sample_indices(X.shape[0], tsne_sample_size, seed)
        embedded = tsne_2d(X[rows], seed)
        if embedded is not None:
            log(f"t-SNE of a sample of {rows.size:,} customers")
            parts.append(
                pl.DataFrame(
                    {
                        "method": "tsne",
                        "customer_id": ids[rows].astype(str),
                        "dim_1": embedded[:, 0].astype(np.float64),
                        "dim_2": embedded[:, 1].astype(np.float64),
                        "explained_variance_ratio_1": None,
                        "explained_variance_ratio_2": None,
                    },
                    schema=empty.schema,
                )
            )
    return pl.concat(parts, how="vertical")
