"""The fitted model as data (no pickle): fitting on everyone, and the long-format frame.

Frame rows (``MODEL_SCHEMA``): ``parameter`` is ``'centroid'`` (one row per segment x feature),
``'weight'`` (one row per segment; share of customers, or the mixture weight for GMM),
``'covariance'`` (GMM: one row per component x feature x feature, always the full matrix) or
``'exemplar'`` (agglomerative / DBSCAN: one row per exemplar x feature, with its segment).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.cluster import KMeans

from customer_segmentation.algorithms import (
    agglomerative_labels,
    dbscan_labels,
    fit_gmm,
    fit_kmeans,
)
from customer_segmentation.assignment import member_means, nearest_centroid
from customer_segmentation.stable_ids import assign_ids

MODEL_SCHEMA: dict[str, pl.DataType] = {
    "algorithm": pl.Utf8(),
    "segment_id": pl.Int64(),
    "parameter": pl.Utf8(),
    "exemplar_id": pl.Int64(),
    "feature_name": pl.Utf8(),
    "feature_name_2": pl.Utf8(),
    "value": pl.Float64(),
}
MAX_EXEMPLARS = 2000
MAX_POLISH_ITERATIONS = 300
NOISE_SEGMENT = 0


@dataclass(frozen=True)
class FittedModel:
    """A fitted segmentation: arrays indexed by segment in ascending ``segment_ids`` order."""

    algorithm: str
    features: tuple[str, ...]
    segment_ids: np.ndarray
    centroids: np.ndarray
    weights: np.ndarray
    covariances: np.ndarray | None = None
    exemplars: np.ndarray | None = None
    exemplar_segments: np.ndarray | None = None

    def to_frame(self) -> pl.DataFrame:
        """Return the model as a long frame with ``MODEL_SCHEMA`` (rows in a fixed order)."""
        features = list(self.features)
        d = len(features)
        k = self.segment_ids.size
        parts = [
            _part(
                np.repeat(self.segment_ids, d),
                "centroid",
                self.centroids.ravel(),
                feature_name=np.tile(features, k),
            ),
            _part(self.segment_ids, "weight", self.weights),
        ]
        if self.covariances is not None:
            parts.append(
                _part(
                    np.repeat(self.segment_ids, d * d),
                    "covariance",
                    self.covariances.ravel(),
                    feature_name=np.tile(np.repeat(features, d), k),
                    feature_name_2=np.tile(features, k * d),
                )
            )
        if self.exemplars is not None and self.exemplar_segments is not None:
            m = self.exemplars.shape[0]
            parts.append(
                _part(
                    np.repeat(self.exemplar_segments, d),
                    "exemplar",
                    self.exemplars.ravel(),
                    feature_name=np.tile(features, m),
                    exemplar_id=np.repeat(np.arange(1, m + 1), d),
                )
            )
        return (
            pl.concat(parts, how="vertical")
            .with_columns(pl.lit(self.algorithm, dtype=pl.Utf8).alias("algorithm"))
            .select(list(MODEL_SCHEMA))
        )

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, feature_order: list[str] | None = None) -> FittedModel:
        """Return the model stored in ``frame`` (any row order), features in ``feature_order``.

        Without ``feature_order`` the features are sorted by name.
        """
        algorithms = frame["algorithm"].unique().to_list()
        if len(algorithms) != 1:
            raise ValueError(f"The model table must hold one algorithm, found {algorithms}.")
        centroid_rows = frame.filter(pl.col("parameter") == "centroid")
        names = set(centroid_rows["feature_name"].to_list())
        features = [f for f in feature_order if f in names] if feature_order else sorted(names)
        if set(features) != names:
            missing = sorted(names - set(features))
            raise ValueError(
                f"The model uses feature(s) {missing} that are not in the feature table."
            )
        ids = np.sort(centroid_rows["segment_id"].unique().to_numpy()).astype(np.int64)
        centroids = _pivot(centroid_rows, "segment_id", ids, features)
        weight_rows = frame.filter(pl.col("parameter") == "weight").sort("segment_id")
        weights = _lookup(weight_rows, ids)
        covariances = None
        cov_rows = frame.filter(pl.col("parameter") == "covariance")
        if cov_rows.height:
            position = {name: i for i, name in enumerate(features)}
            covariances = np.zeros((ids.size, len(features), len(features)))
            seg = np.searchsorted(ids, cov_rows["segment_id"].to_numpy())
            i = np.array([position[n] for n in cov_rows["feature_name"].to_list()])
            j = np.array([position[n] for n in cov_rows["feature_name_2"].to_list()])
            covariances[seg, i, j] = cov_rows["value"].to_numpy()
        exemplars = exemplar_segments = None
        ex_rows = frame.filter(pl.col("parameter") == "exemplar")
        if ex_rows.height:
            ex_ids = np.sort(ex_rows["exemplar_id"].unique().to_numpy())
            exemplars = _pivot(ex_rows, "exemplar_id", ex_ids, features)
            first = ex_rows.unique("exemplar_id").sort("exemplar_id")
            exemplar_segments = first["segment_id"].to_numpy().astype(np.int64)
        return cls(
            algorithm=str(algorithms[0]),
            features=tuple(features),
            segment_ids=ids,
            centroids=centroids,
            weights=weights,
            covariances=covariances,
            exemplars=exemplars,
            exemplar_segments=exemplar_segments,
        )


def _part(
    segment_id: np.ndarray,
    parameter: str,
    value: np.ndarray,
    feature_name: np.ndarray | None = None,
    feature_name_2: np.ndarray | None = None,
    exemplar_id: np.ndarray | None = None,
) -> pl.DataFrame:
    n = len(segment_id)

    def column(values: np.ndarray | None) -> list | np.ndarray:
        return [None] * n if values is None else values

    return pl.DataFrame(
        {
            "algorithm": [None] * n,
            "segment_id": np.asarray(segment_id, dtype=np.int64),
            "parameter": [parameter] * n,
            "exemplar_id": column(exemplar_id),
            "feature_name": column(feature_name),
            "feature_name_2": column(feature_name_2),
            "value": np.asarray(value, dtype=np.float64),
        },
        schema=MODEL_SCHEMA,
    )


def _pivot(rows: pl.DataFrame, key: str, keys: np.ndarray, features: list[str]) -> np.ndarray:
    """Return a ``(len(keys), len(features))`` matrix of ``value`` by ``key`` and feature."""
    position = {name: i for i, name in enumerate(features)}
    out = np.full((keys.size, len(features)), np.nan)
    r = np.searchsorted(keys, rows[key].to_numpy())
    c = np.array([position[name] for name in rows["feature_name"].to_list()])
    out[r, c] = rows["value"].to_numpy()
    return out


def _lookup(rows: pl.DataFrame, ids: np.ndarray) -> np.ndarray:
    out = np.full(ids.size, np.nan)
    out[np.searchsorted(ids, rows["segment_id"].to_numpy())] = rows["value"].to_numpy()
    return out


def empty_model_frame() -> pl.DataFrame:
    """Return the 0-row model frame with ``MODEL_SCHEMA``."""
    return pl.DataFrame(schema=MODEL_SCHEMA)


def polish_kmeans(X: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(centres, labels, kept)`` at a Lloyd fixed point, starting from ``centres``.

    Alternates "centres = member means" and "labels = nearest centre" until no label changes, so
    every centre is exactly its members' mean and every row's label is its nearest centre (first
    centre on ties). Clusters that become empty are dropped; ``kept`` holds the indices of the
    input centres that survive. If labels still change after ``MAX_POLISH_ITERATIONS`` a warning
    is issued; labels are then still the nearest centres.
    """
    kept = np.arange(centres.shape[0])
    labels, _ = nearest_centroid(X, centres)
    for _ in range(MAX_POLISH_ITERATIONS):
        means, counts = member_means(X, labels, centres.shape[0])
        if (counts == 0).any():
            keep = counts > 0
            warnings.warn(
                f"K-Means: {int((~keep).sum())} cluster(s) became empty and were dropped.",
                stacklevel=2,
            )
            means, kept = means[keep], kept[keep]
        new_labels, _ = nearest_centroid(X, means)
        centres = means
        if np.array_equal(new_labels, labels):
            return centres, labels, kept
        labels = new_labels
    warnings.warn(
        f"K-Means polishing stopped after {MAX_POLISH_ITERATIONS} iterations with labels still "
        "changing; centroids may differ slightly from member means.",
        stacklevel=2,
    )
    return centres, labels, kept


def fit_kmeans_everyone(
    X: np.ndarray, sample: np.ndarray, k: int, n_init: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(centres, labels)`` of K-Means on all rows of ``X``, polished (see above).

    Fits on ``X[sample]`` with ``n_init`` starts, refits on everyone from the best sample centres
    (``n_init=1``), then runs :func:`polish_kmeans`.
    """
    centres = fit_kmeans(X[sample], k, n_init, seed).cluster_centers_
    if sample.size < X.shape[0]:
        centres = (
            KMeans(n_clusters=centres.shape[0], init=centres, n_init=1, random_state=seed)
            .fit(X)
            .cluster_centers_
        )
    centres, labels, _ = polish_kmeans(X, centres)
    return centres, labels


def _previous_centroids(
    previous: FittedModel | None,
) -> tuple[np.ndarray, np.ndarray] | None:
    if previous is None:
        return None
    real = previous.segment_ids != NOISE_SEGMENT
    return previous.segment_ids[real], previous.centroids[real]


def _sorted_by_id(ids: np.ndarray, *arrays: np.ndarray | None) -> list:
    order = np.argsort(ids, kind="stable")
    return [ids[order]] + [None if a is None else a[order] for a in arrays]


def _exemplars(
    X: np.ndarray, segments: np.ndarray, eligible: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return up to ~``MAX_EXEMPLARS`` eligible rows, stratified by segment (>= 1 each), sorted."""
    rng = np.random.default_rng(seed)
    candidates = np.flatnonzero(eligible)
    chosen = []
    total = candidates.size
    for segment in np.unique(segments[candidates]):
        members = candidates[segments[candidates] == segment]
        quota = min(members.size, max(1, int(MAX_EXEMPLARS * members.size / total)))
        chosen.append(members if quota == members.size else rng.choice(members, quota, False))
    rows = np.sort(np.concatenate(chosen))
    order = np.lexsort([rows, segments[rows]])
    rows = rows[order]
    return X[rows], segments[rows]


def build_model(
    X: np.ndarray,
    features: list[str],
    sample: np.ndarray,
    algorithm: str,
    n_clusters: int,
    parameters: dict[str, str],
    n_init: int,
    seed: int,
    previous: FittedModel | None,
) -> tuple[FittedModel, np.ndarray | None]:
    """Fit ``algorithm`` and return ``(model, labels)`` with stable segment ids.

    ``labels`` are the segment ids of every row of ``X`` for kmeans (fitted on everyone) and of
    the sample rows for the sample-based methods (agglomerative, dbscan); ``None`` for gmm.
    """
    prev = _previous_centroids(previous)
    names = tuple(features)
    if algorithm == "kmeans":
        return _kmeans_model(X, names, sample, n_clusters, n_init, seed, prev)
    Xs = X[sample]
    if algorithm == "gmm":
        covariance_type = parameters.get("covariance_type", "full")
        gmm = fit_gmm(Xs, n_clusters, covariance_type, n_init, seed)
        covariances = _full_covariances(gmm.covariances_, covariance_type, gmm.means_)
        ids = assign_ids(gmm.means_, gmm.weights_, prev)
        ids, means, weights, covariances = _sorted_by_id(ids, gmm.means_, gmm.weights_, covariances)
        return FittedModel("gmm", names, ids, means, weights, covariances), None
    if algorithm == "agglomerative":
        (labels,) = agglomerative_labels(Xs, [n_clusters], parameters.get("linkage", "ward"))
        eligible = np.ones(labels.size, dtype=bool)
    elif algorithm == "dbscan":
        eps, min_samples = float(parameters["eps"]), int(float(parameters["min_samples"]))
        labels, core = dbscan_labels(Xs, eps, min_samples)
        eligible = core | (labels < 0)
    else:
        raise ValueError(f"Unknown algorithm {algorithm!r} in the selected candidate.")
    return _exemplar_model(algorithm, names, Xs, labels, eligible, seed, prev)


def _kmeans_model(
    X: np.ndarray,
    names: tuple[str, ...],
    sample: np.ndarray,
    k: int,
    n_init: int,
    seed: int,
    prev: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[FittedModel, np.ndarray]:
    """Return the K-Means model on everyone and each row's segment id.

    After ids are assigned the centres are put in id order and polished once more, so that ties
    in distance resolve to the lowest segment id exactly as scoring does.
    """
    centres, labels = fit_kmeans_everyone(X, sample, k, n_init, seed)
    ids = assign_ids(centres, np.bincount(labels, minlength=centres.shape[0]), prev)
    order = np.argsort(ids)
    centres, labels, kept = polish_kmeans(X, centres[order])
    ids = ids[order][kept]
    weights = np.bincount(labels, minlength=ids.size) / X.shape[0]
    return FittedModel("kmeans", names, ids, centres, weights), ids[labels]


def _exemplar_model(
    algorithm: str,
    names: tuple[str, ...],
    Xs: np.ndarray,
    labels: np.ndarray,
    eligible: np.ndarray,
    seed: int,
    prev: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[FittedModel, np.ndarray]:
    """Return an agglomerative / DBSCAN model from sample labels (-1 = noise = segment 0).

    Centroids and weights are member means and shares in the sample; exemplars are drawn from the
    ``eligible`` rows (all rows, or DBSCAN core and noise points).
    """
    clustered = labels >= 0
    clusters, codes = np.unique(labels[clustered], return_inverse=True)
    means, counts = member_means(Xs[clustered], codes, clusters.size)
    segments = np.full(labels.size, NOISE_SEGMENT, dtype=np.int64)
    segments[clustered] = assign_ids(means, counts, prev)[codes]
    segment_ids = np.unique(segments)
    centroids, sizes = member_means(Xs, np.searchsorted(segment_ids, segments), segment_ids.size)
    exemplars, exemplar_segments = _exemplars(Xs, segments, eligible, seed)
    model = FittedModel(
        algorithm,
        names,
        segment_ids.astype(np.int64),
        centroids,
        sizes / labels.size,
        exemplars=exemplars,
        exemplar_segments=exemplar_segments,
    )
    return model, segments


def _full_covariances(
    covariances: np.ndarray, covariance_type: str, means: np.ndarray
) -> np.ndarray:
    """Return ``(k, d, d)`` full covariance matrices for any sklearn ``covariance_type``."""
    k, d = means.shape
    if covariance_type == "full":
        return np.asarray(covariances, dtype=float)
    if covariance_type == "tied":
        return np.repeat(np.asarray(covariances, dtype=float)[None, :, :], k, axis=0)
    if covariance_type == "diag":
        return np.stack([np.diag(row) for row in covariances])
    return np.stack([np.eye(d) * value for value in covariances])
