"""Two-dimensional views of the customers for charts: PCA axes and t-SNE, both from the sample.

dbt stores the PCA axes (``segment_pca_axes``) and SQL projects every customer on them
(``segment_projections``); t-SNE has no such projection, so it only places the sampled customers.
"""

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
TSNE_ANGLE = 0.8
"""Barnes-Hut opening angle (scikit-learn's default 0.5): on the 2,000-customer sample of the 1M
bench data, 4.4 -> 3.1 s of one core, with trustworthiness (10 neighbours) 0.9969 -> 0.9968. A
picture, not a measurement: the coarser far-field approximation does not show."""


def pca_axes(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(mean, loadings, explained_variance_ratio)`` of the first two principal axes.

    ``loadings`` is ``(d, 2)``. Computed from the d x d covariance matrix (cheap for millions of
    rows). Each axis's sign is fixed so its largest-magnitude loading is positive, making the
    output deterministic. With a single feature the second axis and its ratio are 0; when every
    row is identical both axes are 0, so every customer projects to (0, 0).
    """
    n, d = X.shape
    loadings = np.zeros((d, 2))
    ratios = np.zeros(2)
    if n == 0:
        return np.zeros(d), loadings, ratios
    mean = X.mean(axis=0)
    centred = X - mean
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
        loadings[:, :m] = vectors[:, :m]
        ratios[:m] = values[:m] / total
    return mean, loadings, ratios


def pca_2d(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(coords, explained_variance_ratio)``: ``X`` on its first two principal axes.

    The arithmetic SQL applies to every customer (segment_projections) with the stored axes.
    """
    mean, loadings, ratios = pca_axes(X)
    if X.shape[0] == 0:
        return np.zeros((0, 2)), ratios
    centred = X - mean
    centred[:, np.ptp(X, axis=0) == 0] = 0.0
    return centred @ loadings, ratios


PCA_AXES_SCHEMA: dict[str, pl.DataType] = {
    "feature_name": pl.Utf8(),
    "feature_mean": pl.Float64(),
    "loading_1": pl.Float64(),
    "loading_2": pl.Float64(),
    "explained_variance_ratio_1": pl.Float64(),
    "explained_variance_ratio_2": pl.Float64(),
}
TSNE_SCHEMA: dict[str, pl.DataType] = {
    "customer_id": pl.Utf8(),
    "dim_1": pl.Float64(),
    "dim_2": pl.Float64(),
}


def pca_axes_frame(X: np.ndarray, features: list[str], log: Callable[[str], None]) -> pl.DataFrame:
    """Return one row per feature: its mean and loadings on the two axes (``PCA_AXES_SCHEMA``).

    With fewer than two features there is no 2-D picture: no rows, and a warning says why.
    """
    if X.shape[1] < 2 or X.shape[0] == 0:
        if X.shape[0]:
            warnings.warn(
                f"No 2-D projection: only {X.shape[1]} usable feature ({', '.join(features)}); "
                "PCA and t-SNE need at least 2, so segment_projections is empty.",
                stacklevel=2,
            )
        return pl.DataFrame(schema=PCA_AXES_SCHEMA)
    mean, loadings, ratios = pca_axes(X)
    log(
        f"PCA axes from {X.shape[0]:,} customers: they explain "
        f"{ratios[0]:.1%} and {ratios[1]:.1%} of the variance"
    )
    return pl.DataFrame(
        {
            "feature_name": features,
            "feature_mean": mean,
            "loading_1": loadings[:, 0],
            "loading_2": loadings[:, 1],
            "explained_variance_ratio_1": float(ratios[0]),
            "explained_variance_ratio_2": float(ratios[1]),
        },
        schema=PCA_AXES_SCHEMA,
    )


def tsne_frame(
    ids: np.ndarray, X: np.ndarray, tsne_sample_size: int, seed: int, log: Callable[[str], None]
) -> pl.DataFrame:
    """Return t-SNE coordinates of a reproducible sample of ``tsne_sample_size`` rows."""
    empty = pl.DataFrame(schema=TSNE_SCHEMA)
    if X.shape[1] < 2 or tsne_sample_size <= 0 or X.shape[0] == 0:
        return empty
    rows = sample_indices(X.shape[0], tsne_sample_size, seed)
    embedded = tsne_2d(X[rows], seed)
    if embedded is None:
        return empty
    log(f"t-SNE of a sample of {rows.size:,} customers")
    return pl.DataFrame(
        {
            "customer_id": ids[rows].astype(str),
            "dim_1": embedded[:, 0].astype(np.float64),
            "dim_2": embedded[:, 1].astype(np.float64),
        },
        schema=TSNE_SCHEMA,
    )


def tsne_2d(X: np.ndarray, seed: int) -> np.ndarray | None:
    """Return the t-SNE embedding of ``X`` (``None`` with a warning if there are too few rows).

    Perplexity is ``min(30, (n - 1) / 3)``, initialisation PCA, Barnes-Hut with angle
    ``TSNE_ANGLE``, ``TSNE_MAX_ITER`` iterations, ``random_state=seed``. Needs at least
    ``MIN_TSNE_ROWS`` distinct points and two features (callers check the latter). Call it on
    one thread (``algorithms.one_thread()``): OpenMP threads spinning on a busy machine made it
    5x slower.
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
        angle=TSNE_ANGLE,
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
    """Return ``pca`` rows for every row of ``X`` and ``tsne`` rows for a sample (no segment_id).

    The in-memory version of what dbt does with ``segment_pca_axes``, ``segment_tsne`` and the SQL
    model ``segment_projections`` (the same arithmetic: (x - feature_mean) @ loadings); for
    notebooks and tests.
    """
    schema = {n: PROJECTION_SCHEMA[n] for n in _COLUMNS}
    axes = pca_axes_frame(X, features, log)
    if axes.height == 0:
        return pl.DataFrame(schema=schema)
    coords = (X - axes["feature_mean"].to_numpy()) @ axes.select(
        "loading_1", "loading_2"
    ).to_numpy()
    ratios = axes.select("explained_variance_ratio_1", "explained_variance_ratio_2").row(0)
    pca = pl.DataFrame(
        {
            "method": "pca",
            "customer_id": ids.astype(str),
            "dim_1": coords[:, 0],
            "dim_2": coords[:, 1],
            "explained_variance_ratio_1": float(ratios[0]),
            "explained_variance_ratio_2": float(ratios[1]),
        },
        schema=schema,
    )
    tsne = tsne_frame(ids, X, tsne_sample_size, seed, log).with_columns(
        pl.lit("tsne").alias("method"),
        pl.lit(None, dtype=pl.Float64).alias("explained_variance_ratio_1"),
        pl.lit(None, dtype=pl.Float64).alias("explained_variance_ratio_2"),
    )
    return pl.concat([pca, tsne.select(_COLUMNS)], how="vertical")
