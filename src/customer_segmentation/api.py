"""The functions the dbt Python models call. Polars frames in, polars frames out.

The dbt models hand these functions the bounded sample (``int_customer_features_sample``), except
``assign_segments``, which reads everyone and runs only for the methods SQL does not score
(agglomerative, dbscan: nearest of up to 2,000 exemplars; see ``assigns_in_python``).

Every function returns a frame with an exact schema (the ``*_SCHEMA`` constants below), and the
typed empty frame when its input has no rows (``dbt run --empty``). ``config`` is the dbt model
config; see :mod:`customer_segmentation.params` for keys and defaults,
:mod:`customer_segmentation.search` for how one candidate is chosen and
:mod:`customer_segmentation.estimators` for the algorithm families. ``log`` receives one line per
step (what is done, what was chosen, warnings); without it lines go to the standard ``logging``
logger ``customer_segmentation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from customer_segmentation import console, estimators, fitting
from customer_segmentation.algorithms import one_thread
from customer_segmentation.fitted_model import MODEL_SCHEMA, NOISE_SEGMENT, empty_model_frame
from customer_segmentation.linkage import linkage_matrix
from customer_segmentation.matrix import feature_columns, prepare_matrix
from customer_segmentation.params import parse_params
from customer_segmentation.projection import (
    PCA_AXES_SCHEMA,
    PROJECTION_SCHEMA,
    TSNE_SCHEMA,
    pca_axes_frame,
    project,
    tsne_frame,
)
from customer_segmentation.sampling import sample_indices
from customer_segmentation.search import CANDIDATES_SCHEMA, Search

ID = "customer_id"
ASSIGNMENTS_SCHEMA: dict[str, pl.DataType] = {
    "customer_id": pl.Utf8(),
    "segment_id": pl.Int64(),
    "membership_probability": pl.Float64(),
    "distance_to_centroid": pl.Float64(),
    "is_noise": pl.Boolean(),
}
LINKAGE_SCHEMA: dict[str, pl.DataType] = {
    "merge_id": pl.Int64(),
    "left_node": pl.Int64(),
    "right_node": pl.Int64(),
    "distance": pl.Float64(),
    "merged_size": pl.Int64(),
}
__all__ = [
    "ASSIGNMENTS_SCHEMA",
    "CANDIDATES_SCHEMA",
    "LINKAGE_SCHEMA",
    "MODEL_SCHEMA",
    "PCA_AXES_SCHEMA",
    "PROJECTION_SCHEMA",
    "TSNE_SCHEMA",
    "assign_segments",
    "assigns_in_python",
    "build_linkage",
    "empty_assignments",
    "fit_model",
    "pca_axes",
    "project_customers",
    "search_candidates",
    "tsne_sample",
]
SQL_SCORED = frozenset({"kmeans", "gmm"})
"""Algorithms whose assignment of every customer is SQL (segment_assignments): kmeans by nearest
centroid, gmm by posterior from the stored precision matrices; both the fit's own rule."""


def _empty(schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


def _by_name(X: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Return ``X`` with columns in feature-name order (the one order every step computes in)."""
    columns = np.argsort(names, kind="stable")
    return np.ascontiguousarray(X[:, columns]), [names[i] for i in columns]


def search_candidates(
    features: pl.DataFrame,
    config: Mapping[str, Any],
    log: console.Log | None = None,
    scaling: pl.DataFrame | None = None,
    base_size: int | None = None,
) -> pl.DataFrame:
    """Return one row per algorithm x candidate tried (``CANDIDATES_SCHEMA``), one selected.

    Runs on a reproducible sample of at most ``sample_size`` rows; see
    :mod:`customer_segmentation.search` for the rules. The selected row's ``selection_reason``
    states which rule chose it; ``parameters`` is JSON. ``scaling`` (the feature scaling table,
    optional) is only used to say how the features were prepared; ``base_size`` (customers in the
    whole base, when ``features`` is already a sample) only in the log line.
    """
    say = console.resolve(log)
    params = parse_params(config)
    if scaling is not None and scaling.height and "feature_name" in scaling.columns:
        say(console.scaling_summary(scaling))
    with console.warnings_to(say):
        requested = feature_columns(features, params.features, ID)
        _, X, kept = prepare_matrix(features, params.features, ID)
        if X.shape[0] == 0:
            say("no customers: the candidate table is empty")
            return _empty(CANDIDATES_SCHEMA)
        dropped = [name for name in requested if name not in kept]
        X, kept = _by_name(X, kept)
        with one_thread():
            return Search(
                X, kept, params, params.min_segment_share, dropped, say, base_size=base_size
            ).run()


def fit_model(
    features: pl.DataFrame,
    candidates: pl.DataFrame,
    previous_model: pl.DataFrame | None,
    config: Mapping[str, Any],
    log: console.Log | None = None,
    base_size: int | None = None,
) -> pl.DataFrame:
    """Return the fitted model of the selected candidate as a long frame (``MODEL_SCHEMA``).

    Fitted on ``features`` (in dbt, the sample; at most ``sample_size`` rows are used). kmeans is
    polished to a Lloyd fixed point there; dbt then refines it over everyone in SQL
    (``int_segment_centroids_refined``). Segment ids are stable against ``previous_model``.
    Search, fit and scoring all order features by name, so they compute distances identically.
    ``base_size`` (customers in the whole base) is only used in the log line.
    """
    say = console.resolve(log)
    params = parse_params(config)
    if features.height == 0 or candidates.height == 0:
        return empty_model_frame()
    row = fitting.selected_candidate(candidates)
    used = [name for name in str(row["features"]).split(",") if name]
    with console.warnings_to(say):
        _, X, kept = prepare_matrix(features, used, ID)
        if kept != used:
            raise ValueError(
                f"Features {sorted(set(used) - set(kept))} were used by the candidate search but "
                "are no longer usable (constant or all null): rebuild the candidates."
            )
        X, kept = _by_name(X, kept)
        sample = sample_indices(X.shape[0], params.sample_size, params.random_seed)
        previous = fitting.previous_centroids(previous_model, kept)
        with one_thread():
            model = fitting.fit_selected(X, kept, sample, row, params, previous)
    base = base_size if base_size is not None else X.shape[0]
    where = (
        f"all {base:,} customers"
        if sample.size >= base
        else f"a sample of {sample.size:,} of {base:,} customers"
        + ("; SQL refines the centres over everyone" if model.algorithm in SQL_SCORED else "")
    )
    say(
        f"fitted {model.algorithm} on {where}: "
        f"segment ids {', '.join(str(i) for i in model.segment_ids)}"
        + (" (ids matched to the previous model)" if previous is not None else "")
    )
    return estimators.get(model.algorithm).to_frame(model)


def assigns_in_python(model: pl.DataFrame) -> bool:
    """Return whether the fitted model's customers are assigned in Python (not kmeans)."""
    algorithms = model["algorithm"].unique().to_list() if model.height else []
    return bool(algorithms) and not set(algorithms) <= SQL_SCORED


def empty_assignments() -> pl.DataFrame:
    """Return the typed 0-row assignments frame."""
    return _empty(ASSIGNMENTS_SCHEMA)


def assign_segments(
    features: pl.DataFrame,
    model: pl.DataFrame,
    config: Mapping[str, Any],
    log: console.Log | None = None,
) -> pl.DataFrame:
    """Return one row per customer, sorted by id, with its segment (``ASSIGNMENTS_SCHEMA``).

    ``membership_probability`` is the GMM posterior of the assigned component (1.0 otherwise);
    ``distance_to_centroid`` is euclidean in the scaled space; DBSCAN noise is segment 0.
    """
    parse_params(config)
    if features.height == 0 or model.height == 0:
        return _empty(ASSIGNMENTS_SCHEMA)
    names = set(model.filter(pl.col("parameter") == "centroid")["feature_name"].to_list())
    missing = sorted(names - set(features.columns))
    if missing:
        raise ValueError(
            f"The model uses feature(s) {missing} missing from the feature table "
            f"(columns: {features.columns}). Rebuild the model or fix var segmentation_features."
        )
    order = sorted(names)
    with console.warnings_to(console.resolve(log)):
        ids, X, kept = prepare_matrix(features, order, ID, drop_constant=False)
    if kept != order:
        raise ValueError(f"Feature(s) {sorted(set(order) - set(kept))} are entirely null.")
    algorithms = model["algorithm"].unique().sort().to_list()
    if len(algorithms) != 1:
        raise ValueError(
            f"The model table must hold one algorithm, found {algorithms}. "
            "Rebuild segmentation_model."
        )
    family = estimators.get(str(algorithms[0]))
    fitted = family.from_frame(model, order)
    with one_thread():
        segment, probability, distance = family.predict(X, fitted)
    noise = segment == NOISE_SEGMENT if family.has_noise else np.zeros(ids.size, dtype=bool)
    return pl.DataFrame(
        {
            "customer_id": ids.astype(str),
            "segment_id": segment,
            "membership_probability": probability,
            "distance_to_centroid": distance,
            "is_noise": noise,
        },
        schema=ASSIGNMENTS_SCHEMA,
    )


def _projection_matrix(
    features: pl.DataFrame, config: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    params = parse_params(config)
    ids, X, kept = prepare_matrix(features, params.features, ID)
    if X.shape[0] == 0:
        return ids, X, kept
    X, kept = _by_name(X, kept)
    return ids, X, kept


def pca_axes(
    features: pl.DataFrame, config: Mapping[str, Any], log: console.Log | None = None
) -> pl.DataFrame:
    """Return the two principal axes of ``features`` (``PCA_AXES_SCHEMA``, one row per feature).

    SQL (``segment_projections``) projects every customer on them: ``dim = sum over features of
    (value - feature_mean) x loading``. Empty (with a warning) below two usable features.
    """
    say = console.resolve(log)
    with console.warnings_to(say):
        _, X, kept = _projection_matrix(features, config)
        return pca_axes_frame(X, kept, say)


def tsne_sample(
    features: pl.DataFrame, config: Mapping[str, Any], log: console.Log | None = None
) -> pl.DataFrame:
    """Return t-SNE coordinates of a reproducible sample of ``tsne_sample_size`` customers."""
    say = console.resolve(log)
    params = parse_params(config)
    with console.warnings_to(say):
        ids, X, _ = _projection_matrix(features, config)
        with one_thread():
            return tsne_frame(ids, X, params.tsne_sample_size, params.random_seed, say)


def project_customers(
    features: pl.DataFrame,
    assignments: pl.DataFrame,
    config: Mapping[str, Any],
    log: console.Log | None = None,
) -> pl.DataFrame:
    """Return 2-D coordinates per customer (``PROJECTION_SCHEMA``), sorted by method and id.

    ``pca`` rows for everyone (with the explained variance ratios), ``tsne`` rows for a
    reproducible sample of ``tsne_sample_size`` customers. ``segment_id`` comes from
    ``assignments`` (null for customers it does not list). With fewer than two usable features
    there is no 2-D picture: the frame is empty and a warning says why.
    """
    say = console.resolve(log)
    params = parse_params(config)
    with console.warnings_to(say):
        ids, X, kept = _projection_matrix(features, config)
        if X.shape[0] == 0:
            return _empty(PROJECTION_SCHEMA)
        with one_thread():
            frame = project(ids, X, kept, params.tsne_sample_size, params.random_seed, say)
    segments = assignments.select(
        pl.col(ID).cast(pl.Utf8), pl.col("segment_id").cast(pl.Int64)
    ).unique(ID, keep="first")
    return (
        frame.join(segments, on=ID, how="left")
        .select([pl.col(name).cast(dtype) for name, dtype in PROJECTION_SCHEMA.items()])
        .sort(["method", ID])
    )


def build_linkage(
    features: pl.DataFrame, config: Mapping[str, Any], log: console.Log | None = None
) -> pl.DataFrame:
    """Return the merge table of a hierarchical clustering (``LINKAGE_SCHEMA``).

    scipy's linkage with the configured method on a reproducible sample of ``linkage_sample_size``
    customers; node ids below the sample size are leaves (scipy semantics).
    """
    params = parse_params(config)
    with console.warnings_to(console.resolve(log)):
        _, X, kept = prepare_matrix(features, params.features, ID)
    X, _ = _by_name(X, kept)
    rows = sample_indices(X.shape[0], params.linkage_sample_size, params.random_seed)
    merges = linkage_matrix(X[rows], params.linkage)
    if merges.shape[0] == 0:
        return _empty(LINKAGE_SCHEMA)
    return pl.DataFrame(
        {
            "merge_id": np.arange(merges.shape[0], dtype=np.int64),
            "left_node": merges[:, 0].astype(np.int64),
            "right_node": merges[:, 1].astype(np.int64),
            "distance": merges[:, 2],
            "merged_size": merges[:, 3].astype(np.int64),
        },
        schema=LINKAGE_SCHEMA,
    )
