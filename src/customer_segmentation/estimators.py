"""One class per algorithm family, looked up by name in :data:`REGISTRY`.

Each family knows how to produce its candidates on the sample, which of its own candidates its
rule prefers, how to fit the chosen one (with stable segment ids), how to score customers against
the fitted model, and which parts of :class:`FittedModel` it stores. Adding a fifth algorithm means
adding a class here (and its name to the allowed values of var ``cluster_algorithm``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import polars as pl
from sklearn.cluster import KMeans

from customer_segmentation import algorithms as alg
from customer_segmentation import model_selection as ms
from customer_segmentation.assignment import (
    gmm_posterior,
    gmm_scoring_terms,
    member_means,
    nearest_centroid,
    nearest_exemplar,
)
from customer_segmentation.fitted_model import NOISE_SEGMENT, FittedModel
from customer_segmentation.params import SegmentationParams
from customer_segmentation.stable_ids import assign_ids

MAX_EXEMPLARS = 2000
MAX_POLISH_ITERATIONS = 300
Previous = tuple[np.ndarray, np.ndarray] | None
Scores = tuple[np.ndarray, np.ndarray, np.ndarray]


class Estimator:
    """The interface every family implements; see the module docstring."""

    name: ClassVar[str]
    takes_k: ClassVar[bool] = True
    has_noise: ClassVar[bool] = False
    stores: ClassVar[frozenset[str]] = frozenset({"centroid", "weight"})

    def candidates(
        self, Xs: np.ndarray, ks: list[int], params: SegmentationParams
    ) -> tuple[list[alg.Labelled], int]:
        """Return the labellings of the sample to compare, and the index the rule starts from."""
        raise NotImplementedError

    def choose(
        self, rows: list[dict[str, Any]], preferred: int, eligible: Sequence[bool]
    ) -> ms.Choice:
        """Return the family's own pick among ``rows`` (candidate rows of the search)."""
        raise NotImplementedError

    def fixed_by_var(self, params: SegmentationParams) -> str | None:
        """Return ``"var=value"`` when a var other than n_clusters fixes the candidate."""
        return None

    def ineligibility(self, row: dict[str, Any]) -> str | None:
        """Return why a candidate of this family cannot be used at all, or ``None``."""
        return None

    def fit(
        self,
        X: np.ndarray,
        features: tuple[str, ...],
        sample: np.ndarray,
        n_clusters: int,
        parameters: dict[str, Any],
        params: SegmentationParams,
        previous: Previous,
    ) -> tuple[FittedModel, np.ndarray | None]:
        """Return ``(model, labels)``: the fitted model with stable ids, and segment ids of the
        rows it was fitted on (``None`` when the family has no hard labels of its own)."""
        raise NotImplementedError

    def predict(self, X: np.ndarray, model: FittedModel) -> Scores:
        """Return ``(segment_id, membership_probability, distance_to_centroid)`` per row."""
        raise NotImplementedError

    def to_frame(self, model: FittedModel) -> pl.DataFrame:
        """Return the model's long frame (``MODEL_SCHEMA``) with the parts this family stores."""
        return model.to_frame()

    def from_frame(self, frame: pl.DataFrame, features: list[str] | None) -> FittedModel:
        """Return the model stored in ``frame``; raise if a part this family needs is missing."""
        model = FittedModel.from_frame(frame, features)
        present = set(frame["parameter"].unique().to_list())
        missing = sorted(self.stores - present)
        if missing:
            raise ValueError(
                f"The {self.name} model table has no {missing} rows. Rebuild segmentation_model."
            )
        return model


def _distance_to_own_centroid(X: np.ndarray, centroids: np.ndarray, index: np.ndarray):
    offset = X - centroids[index]
    return np.sqrt(np.einsum("ij,ij->i", offset, offset))


def _choose_by_silhouette(rows: list[dict[str, Any]], eligible: Sequence[bool]) -> ms.Choice:
    return ms.choose_k_by_silhouette(
        [r["requested_k"] for r in rows],
        [r["silhouette"] for r in rows],
        [r["inertia"] for r in rows],
        eligible,
    )


class KMeansFamily(Estimator):
    """K-Means: fitted on the sample, refitted and polished on everyone; nearest centroid."""

    name = "kmeans"

    def candidates(self, Xs, ks, params):
        return [
            alg.Labelled(
                self.name,
                {"n_init": params.n_init},
                alg.fit_kmeans(Xs, k, params.n_init, params.random_seed).labels_.astype(np.int64),
                requested_k=k,
            )
            for k in ks
        ], 0

    def choose(self, rows, preferred, eligible):
        return _choose_by_silhouette(rows, eligible)

    def fit(self, X, features, sample, n_clusters, parameters, params, previous):
        """K-Means on everyone. After ids are assigned the centres are put in id order and
        polished once more, so ties in distance resolve to the lowest segment id as scoring does."""
        centres, labels = fit_kmeans_everyone(
            X, sample, n_clusters, params.n_init, params.random_seed
        )
        ids = assign_ids(centres, np.bincount(labels, minlength=centres.shape[0]), previous)
        order = np.argsort(ids, kind="stable")
        centres, labels, kept = polish_kmeans(X, centres[order])
        ids = ids[order][kept]
        weights = np.bincount(labels, minlength=ids.size) / X.shape[0]
        return FittedModel(self.name, features, ids, centres, weights), ids[labels]

    def predict(self, X, model):
        index, distance = nearest_centroid(X, model.centroids)
        return model.segment_ids[index], np.ones(X.shape[0]), distance


class ExemplarFamily(Estimator):
    """Sample-only methods: member means as centroids, nearest stored exemplar for scoring."""

    stores = frozenset({"centroid", "weight", "exemplar"})

    def sample_labels(
        self, Xs: np.ndarray, n_clusters: int, parameters: dict[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(labels, eligible_as_exemplar)`` of the sample (-1 = noise)."""
        raise NotImplementedError

    def fit(self, X, features, sample, n_clusters, parameters, params, previous):
        Xs = X[sample]
        labels, eligible = self.sample_labels(Xs, n_clusters, parameters)
        return _exemplar_model(
            self.name, features, Xs, labels, eligible, params.random_seed, previous
        )

    def predict(self, X, model):
        segment = model.exemplar_segments[nearest_exemplar(X, model.exemplars)]
        index = np.searchsorted(model.segment_ids, segment)
        distance = _distance_to_own_centroid(X, model.centroids, index)
        return model.segment_ids[index], np.ones(X.shape[0]), distance


class AgglomerativeFamily(ExemplarFamily):
    """Hierarchical clustering: one scipy tree of the sample, cut at each k."""

    name = "agglomerative"

    def candidates(self, Xs, ks, params):
        labels = alg.agglomerative_labels(Xs, ks, params.linkage)
        return [
            alg.Labelled(self.name, {"linkage": params.linkage}, lab, requested_k=k)
            for k, lab in zip(ks, labels, strict=True)
        ], 0

    def choose(self, rows, preferred, eligible):
        return _choose_by_silhouette(rows, eligible)

    def sample_labels(self, Xs, n_clusters, parameters):
        (labels,) = alg.agglomerative_labels(Xs, [n_clusters], parameters.get("linkage", "ward"))
        return labels, np.ones(labels.size, dtype=bool)


class DBSCANFamily(ExemplarFamily):
    """Density clustering: eps from the k-distance knee (or var dbscan_eps) x 0.75, 1, 1.25."""

    name = "dbscan"
    takes_k = False
    has_noise = True

    def candidates(self, Xs, ks, params):
        m = (
            params.dbscan_min_samples
            if params.dbscan_min_samples is not None
            else alg.default_min_samples(Xs.shape[1])
        )
        base = params.dbscan_eps if params.dbscan_eps is not None else alg.k_distance_eps(Xs, m)
        result = []
        for factor in alg.DBSCAN_EPS_FACTORS:
            eps = float(f"{base * factor:.6g}")
            labels, _ = alg.dbscan_labels(Xs, eps, m)
            result.append(alg.Labelled(self.name, {"eps": eps, "min_samples": m}, labels))
        return result, alg.DBSCAN_EPS_FACTORS.index(1.0)

    def choose(self, rows, preferred, eligible):
        return ms.choose_dbscan(
            [ms.parameters_text(r["parameters"]) for r in rows],
            preferred,
            [r["n_clusters"] for r in rows],
            [r["noise_share"] for r in rows],
            [r["silhouette"] for r in rows],
            eligible,
        )

    def fixed_by_var(self, params):
        return None if params.dbscan_eps is None else f"dbscan_eps={params.dbscan_eps:g}"

    def ineligibility(self, row):
        return ms.dbscan_ineligibility(row["n_clusters"], row["noise_share"])

    def sample_labels(self, Xs, n_clusters, parameters):
        labels, core = alg.dbscan_labels(
            Xs, float(parameters["eps"]), int(parameters["min_samples"])
        )
        return labels, core | (labels < 0)


class GaussianMixtureFamily(Estimator):
    """Gaussian mixtures: k by lowest BIC; weights, means and full covariances are stored."""

    name = "gmm"
    stores = frozenset({"centroid", "weight", "covariance"})

    def candidates(self, Xs, ks, params):
        result = []
        for k in ks:
            model = alg.fit_gmm(Xs, k, params.covariance_type, params.n_init, params.random_seed)
            result.append(
                alg.Labelled(
                    self.name,
                    {"covariance_type": params.covariance_type, "n_components": k},
                    model.predict(Xs).astype(np.int64),
                    requested_k=k,
                    bic=float(model.bic(Xs)),
                    aic=float(model.aic(Xs)),
                )
            )
        return result, 0

    def choose(self, rows, preferred, eligible):
        return ms.choose_k_by_bic(
            [r["requested_k"] for r in rows], [r["bic"] for r in rows], eligible
        )

    def fit(self, X, features, sample, n_clusters, parameters, params, previous):
        covariance_type = parameters.get("covariance_type", "full")
        k = int(parameters.get("n_components", n_clusters))
        Xs = X[sample]
        gmm = alg.fit_gmm(Xs, k, covariance_type, params.n_init, params.random_seed)
        covariances = _full_covariances(gmm.covariances_, covariance_type, gmm.means_)
        ids = assign_ids(gmm.means_, gmm.weights_, previous)
        order = np.argsort(ids, kind="stable")
        model = FittedModel(
            self.name,
            features,
            ids[order],
            gmm.means_[order],
            gmm.weights_[order],
            covariances[order],
        )
        return model, None

    def predict(self, X, model):
        index, probability = gmm_posterior(X, model.weights, model.centroids, model.covariances)
        distance = _distance_to_own_centroid(X, model.centroids, index)
        return model.segment_ids[index], probability, distance

    def to_frame(self, model):
        """Adds what SQL needs to score without a matrix solve: each component's precision matrix
        (inverse covariance, parameter 'precision') and log normaliser
        log(weight) - (d log(2 pi) + log det covariance) / 2 (parameter 'log_normaliser')."""
        frame = model.to_frame()
        features = list(model.features)
        d = len(features)
        precisions, normalisers = gmm_scoring_terms(model.weights, model.covariances)
        rows = {
            "algorithm": [model.algorithm] * (model.segment_ids.size * (d * d + 1)),
            "segment_id": np.concatenate(
                [np.repeat(model.segment_ids, d * d), model.segment_ids]
            ).astype(np.int64),
            "parameter": ["precision"] * (model.segment_ids.size * d * d)
            + ["log_normaliser"] * model.segment_ids.size,
            "exemplar_id": [None] * (model.segment_ids.size * (d * d + 1)),
            "feature_name": list(np.tile(np.repeat(features, d), model.segment_ids.size))
            + [None] * model.segment_ids.size,
            "feature_name_2": list(np.tile(features, model.segment_ids.size * d))
            + [None] * model.segment_ids.size,
            "value": np.concatenate([precisions.ravel(), normalisers]),
        }
        return pl.concat([frame, pl.DataFrame(rows, schema=frame.schema)], how="vertical")


REGISTRY: dict[str, Estimator] = {
    family.name: family
    for family in (KMeansFamily(), AgglomerativeFamily(), GaussianMixtureFamily(), DBSCANFamily())
}


def get(name: str) -> Estimator:
    """Return the family called ``name``; a clear error for an unknown one."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"Unknown algorithm {name!r}: known are {', '.join(REGISTRY)}. "
            "Rebuild segmentation_search and segmentation_model."
        ) from None


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
    centres = alg.fit_kmeans(X[sample], k, n_init, seed).cluster_centers_
    if sample.size < X.shape[0]:
        centres = (
            KMeans(n_clusters=centres.shape[0], init=centres, n_init=1, random_state=seed)
            .fit(X)
            .cluster_centers_
        )
    centres, labels, _ = polish_kmeans(X, centres)
    return centres, labels


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


def _exemplar_model(
    algorithm: str,
    names: tuple[str, ...],
    Xs: np.ndarray,
    labels: np.ndarray,
    eligible: np.ndarray,
    seed: int,
    prev: Previous,
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
