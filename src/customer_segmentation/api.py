"""The five functions the dbt Python models call. Polars frames in, polars frames out.

Every function returns a frame with an exact schema (the ``*_SCHEMA`` constants below), and the
typed empty frame when its input has no rows (``dbt run --empty``). ``config`` is the dbt model
config; see :mod:`customer_segmentation.params` for keys and defaults, and
:mod:`customer_segmentation.model_selection` for the K rule and the auto-algorithm rule.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from customer_segmentation import algorithms as alg
from customer_segmentation import model_selection as ms
from customer_segmentation.assignment import assign
from customer_segmentation.fitted_model import (
    MODEL_SCHEMA,
    NOISE_SEGMENT,
    FittedModel,
    build_model,
    empty_model_frame,
)
from customer_segmentation.linkage import linkage_matrix
from customer_segmentation.matrix import prepare_matrix
from customer_segmentation.params import SegmentationParams, parse_params
from customer_segmentation.projection import pca_2d, tsne_2d
from customer_segmentation.sampling import sample_indices

ID = "customer_id"
ALGORITHM_ORDER = ("kmeans", "agglomerative", "gmm", "dbscan")

CANDIDATES_SCHEMA: dict[str, pl.DataType] = {
    "algorithm": pl.Utf8(),
    "n_clusters": pl.Int64(),
    "parameters": pl.Utf8(),
    "inertia": pl.Float64(),
    "silhouette": pl.Float64(),
    "calinski_harabasz": pl.Float64(),
    "davies_bouldin": pl.Float64(),
    "bic": pl.Float64(),
    "aic": pl.Float64(),
    "noise_share": pl.Float64(),
    "is_selected": pl.Boolean(),
    "selection_reason": pl.Utf8(),
    "sample_size": pl.Int64(),
    "features": pl.Utf8(),
}
ASSIGNMENTS_SCHEMA: dict[str, pl.DataType] = {
    "customer_id": pl.Utf8(),
    "segment_id": pl.Int64(),
    "membership_probability": pl.Float64(),
    "distance_to_centroid": pl.Float64(),
    "is_noise": pl.Boolean(),
}
PROJECTION_SCHEMA: dict[str, pl.DataType] = {
    "method": pl.Utf8(),
    "customer_id": pl.Utf8(),
    "segment_id": pl.Int64(),
    "dim_1": pl.Float64(),
    "dim_2": pl.Float64(),
    "explained_variance_ratio_1": pl.Float64(),
    "explained_variance_ratio_2": pl.Float64(),
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
    "PROJECTION_SCHEMA",
    "assign_segments",
    "build_linkage",
    "fit_model",
    "project_customers",
    "search_candidates",
]


def _empty(schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


def _by_name(X: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Return ``X`` with columns in feature-name order (the one order every step computes in)."""
    columns = np.argsort(names, kind="stable")
    return np.ascontiguousarray(X[:, columns]), [names[i] for i in columns]


def _k_range(params: SegmentationParams, limit: int, n_distinct: int, n_rows: int) -> list[int]:
    """Return the k values to try, capped at ``limit`` with a warning."""
    wanted = set(range(params.k_min, params.k_max + 1))
    if params.n_clusters is not None:
        wanted.add(params.n_clusters)
    ks = sorted({min(k, limit) for k in wanted})
    if max(wanted) > limit:
        warnings.warn(
            f"k capped at {limit} (requested up to {max(wanted)}): the sample has only "
            f"{n_distinct} distinct points in {n_rows} rows.",
            stacklevel=3,
        )
    return ks


def _row(
    labelled: alg.Labelled,
    Xs: np.ndarray,
    silhouette: float | None,
) -> dict[str, Any]:
    labels = labelled.labels
    found = int(np.unique(labels[labels >= 0]).size)
    ch, db = ms.separation_scores(Xs, labels)
    return {
        "algorithm": labelled.algorithm,
        "n_clusters": found,
        "parameters": labelled.parameters,
        "inertia": ms.inertia(Xs, labels),
        "silhouette": silhouette,
        "calinski_harabasz": ch,
        "davies_bouldin": db,
        "bic": labelled.bic,
        "aic": labelled.aic,
        "noise_share": float(np.mean(labels < 0)),
        "requested_k": labelled.requested_k,
    }


def _choose_within(
    algorithm: str,
    rows: list[dict[str, Any]],
    params: SegmentationParams,
    knee_row: int,
) -> ms.Choice:
    """Pick one row of one algorithm by its rule, or the one requested by config."""
    if algorithm == "dbscan":
        if params.dbscan_eps is not None:
            others = {
                i: "not selected: dbscan_eps is set" for i in range(len(rows)) if i != knee_row
            }
            return ms.Choice(knee_row, f"set by var dbscan_eps={params.dbscan_eps:g}", others)
        return ms.choose_dbscan(
            [r["parameters"] for r in rows],
            knee_row,
            [r["n_clusters"] for r in rows],
            [r["noise_share"] for r in rows],
            [r["silhouette"] for r in rows],
        )
    ks = [r["requested_k"] for r in rows]
    if params.n_clusters is not None:
        target = min(ks, key=lambda k: abs(k - params.n_clusters))
        index = ks.index(target)
        others = {
            i: f"not selected: n_clusters is set to {params.n_clusters}"
            for i in range(len(rows))
            if i != index
        }
        capped = "" if target == params.n_clusters else f" (capped to {target})"
        return ms.Choice(index, f"set by var n_clusters={params.n_clusters}{capped}", others)
    if algorithm == "gmm":
        return ms.choose_k_by_bic(ks, [r["bic"] for r in rows])
    return ms.choose_k_by_silhouette(
        ks, [r["silhouette"] for r in rows], [r["inertia"] for r in rows]
    )


def _single_segment(
    Xs: np.ndarray, kept: list[str], n_distinct: int, params: SegmentationParams
) -> pl.DataFrame:
    row = {name: None for name in CANDIDATES_SCHEMA}
    row |= {
        "algorithm": "kmeans",
        "n_clusters": 1,
        "parameters": alg.kmeans_parameters(params.n_init),
        "inertia": ms.inertia(Xs, np.zeros(Xs.shape[0], dtype=np.int64)),
        "noise_share": 0.0,
        "is_selected": True,
        "selection_reason": (
            f"Only {n_distinct} distinct point(s) in {Xs.shape[0]} rows: every customer is put "
            "in one segment (no clustering is possible)."
        ),
        "sample_size": Xs.shape[0],
        "features": ",".join(kept),
    }
    warnings.warn(row["selection_reason"], stacklevel=3)
    return pl.DataFrame([row], schema=CANDIDATES_SCHEMA)


def search_candidates(features: pl.DataFrame, config: Mapping[str, Any]) -> pl.DataFrame:
    """Return one row per algorithm x candidate tried (``CANDIDATES_SCHEMA``), one selected.

    Runs on a reproducible sample of at most ``sample_size`` rows. ``algorithm: auto`` tries
    kmeans, agglomerative, gmm and dbscan; otherwise only the configured algorithm. The K rule and
    the auto-algorithm rule are in :mod:`customer_segmentation.model_selection`; the selected
    row's ``selection_reason`` states which rule chose it.
    """
    params = parse_params(config)
    _, X, kept = prepare_matrix(features, params.features, ID)
    if X.shape[0] == 0:
        return _empty(CANDIDATES_SCHEMA)
    X, kept = _by_name(X, kept)
    with alg.one_thread():
        return _search(X, kept, params)


def _search(X: np.ndarray, kept: list[str], params: SegmentationParams) -> pl.DataFrame:
    Xs = X[sample_indices(X.shape[0], params.sample_size, params.random_seed)]
    n_distinct = int(np.unique(Xs, axis=0).shape[0])
    limit = min(n_distinct, Xs.shape[0] - 1)
    if limit < 2:
        return _single_segment(Xs, kept, n_distinct, params)
    ks = _k_range(params, limit, n_distinct, Xs.shape[0])
    wanted = ALGORITHM_ORDER if params.algorithm == "auto" else (params.algorithm,)
    runs, knee_rows = _run_algorithms(Xs, ks, wanted, params)

    flat = [lab for name in wanted for lab in runs[name]]
    scores = iter(ms.silhouettes(Xs, [lab.labels for lab in flat]))
    rows = {name: [_row(lab, Xs, next(scores)) for lab in runs[name]] for name in wanted}
    choices = {
        name: _choose_within(name, rows[name], params, knee_rows.get(name, 0)) for name in wanted
    }
    chosen, algorithm_reason, other_algorithms = _choose_algorithm(rows, choices, params)

    out = []
    for name in wanted:
        choice = choices[name]
        for i, row in enumerate(rows[name]):
            selected = name == chosen and i == choice.index
            if selected:
                reason = (
                    f"Selected {name} with {row['n_clusters']} clusters "
                    f"({row['parameters']}). Number of clusters: {choice.reason}. "
                    f"Algorithm: {algorithm_reason}."
                )
            elif i == choice.index:
                reason = other_algorithms.get(name, f"not selected: {name} was not chosen")
            else:
                reason = choice.others.get(i, "not selected")
            out.append(
                {k: v for k, v in row.items() if k in CANDIDATES_SCHEMA}
                | {
                    "is_selected": selected,
                    "selection_reason": reason,
                    "sample_size": Xs.shape[0],
                    "features": ",".join(kept),
                }
            )
    return pl.DataFrame(out, schema=CANDIDATES_SCHEMA)


def _run_algorithms(
    Xs: np.ndarray, ks: list[int], wanted: tuple[str, ...], params: SegmentationParams
) -> tuple[dict[str, list[alg.Labelled]], dict[str, int]]:
    """Return each algorithm's labellings of the sample, and DBSCAN's knee-eps row index."""
    runs: dict[str, list[alg.Labelled]] = {}
    knee_rows: dict[str, int] = {}
    for name in wanted:
        if name == "kmeans":
            runs[name] = alg.kmeans_curve(Xs, ks, params.n_init, params.random_seed)
        elif name == "agglomerative":
            runs[name] = alg.agglomerative_curve(Xs, ks, params.linkage)
        elif name == "gmm":
            runs[name] = alg.gmm_curve(
                Xs, ks, params.covariance_type, params.n_init, params.random_seed
            )
        else:
            runs[name], knee_rows[name] = alg.dbscan_candidates(
                Xs, params.dbscan_eps, params.dbscan_min_samples
            )
    return runs, knee_rows


def _choose_algorithm(
    rows: dict[str, list[dict[str, Any]]],
    choices: dict[str, ms.Choice],
    params: SegmentationParams,
) -> tuple[str, str, dict[str, str]]:
    """Return ``(algorithm, reason, reasons for the others)``: configured, or by the auto rule."""
    if params.algorithm != "auto":
        reason = f"algorithm set by var cluster_algorithm={params.algorithm}"
        if params.algorithm == "dbscan" and params.n_clusters is not None:
            reason += " (n_clusters does not apply to dbscan and was ignored)"
        return params.algorithm, reason, {}
    compared = {
        name: rows[name][choices[name].index]
        for name in rows
        if not (name == "dbscan" and params.n_clusters is not None)
    }
    chosen, reason, others = ms.choose_algorithm(
        {n: (r["silhouette"], r["n_clusters"], r["noise_share"]) for n, r in compared.items()}
    )
    if "dbscan" in rows and "dbscan" not in compared:
        others["dbscan"] = "not selected: dbscan cannot honour var n_clusters"
    return chosen, reason, others


def _previous(previous_model: pl.DataFrame | None, kept: list[str]) -> FittedModel | None:
    """Return the usable previous model, or ``None`` (with a warning when it is unusable)."""
    if previous_model is None or previous_model.height == 0:
        return None
    centroids = previous_model.filter(pl.col("parameter") == "centroid")
    previous_features = set(centroids["feature_name"].drop_nulls().to_list())
    if not centroids.height or previous_features != set(kept):
        warnings.warn(
            "Previous model ignored for stable segment ids: it uses features "
            f"{sorted(previous_features)}, this run uses {sorted(kept)}. Segment ids restart at 1.",
            stacklevel=3,
        )
        return None
    return FittedModel.from_frame(previous_model, kept)


def fit_model(
    features: pl.DataFrame,
    candidates: pl.DataFrame,
    previous_model: pl.DataFrame | None,
    config: Mapping[str, Any],
) -> pl.DataFrame:
    """Return the fitted model of the selected candidate as a long frame (``MODEL_SCHEMA``).

    kmeans is fitted on everyone (sample start, full refit, polish); gmm, agglomerative and dbscan
    on the same sample as the search. Segment ids are stable against ``previous_model``. Search,
    fit and scoring all order features by name, so they compute distances identically.
    """
    params = parse_params(config)
    if features.height == 0 or candidates.height == 0:
        return empty_model_frame()
    selected = candidates.filter(pl.col("is_selected"))
    if selected.height != 1:
        raise ValueError(
            f"segmentation candidates must have exactly one selected row, found {selected.height}."
        )
    row = selected.row(0, named=True)
    used = [name for name in str(row["features"]).split(",") if name]
    _, X, kept = prepare_matrix(features, used, ID)
    if kept != used:
        raise ValueError(
            f"Features {sorted(set(used) - set(kept))} were used by the candidate search but are "
            "no longer usable (constant or all null): rebuild the candidates."
        )
    X, kept = _by_name(X, kept)
    sample = sample_indices(X.shape[0], params.sample_size, params.random_seed)
    parameters = alg.parse_parameters(row["parameters"])
    n_clusters = int(parameters.get("n_components", row["n_clusters"]))
    previous = _previous(previous_model, kept)
    with alg.one_thread():
        model, _ = build_model(
            X,
            kept,
            sample,
            row["algorithm"],
            n_clusters,
            parameters,
            params.n_init,
            params.random_seed,
            previous,
        )
    return model.to_frame()


def assign_segments(
    features: pl.DataFrame, model: pl.DataFrame, config: Mapping[str, Any]
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
    ids, X, kept = prepare_matrix(features, order, ID, drop_constant=False)
    if kept != order:
        raise ValueError(f"Feature(s) {sorted(set(order) - set(kept))} are entirely null.")
    fitted = FittedModel.from_frame(model, order)
    segment, probability, distance = assign(X, fitted)
    noise = (segment == NOISE_SEGMENT) if fitted.algorithm == "dbscan" else np.zeros(ids.size, bool)
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


def project_customers(
    features: pl.DataFrame, assignments: pl.DataFrame, config: Mapping[str, Any]
) -> pl.DataFrame:
    """Return 2-D coordinates per customer (``PROJECTION_SCHEMA``), sorted by method and id.

    ``pca`` rows for everyone (with the explained variance ratios), ``tsne`` rows for a
    reproducible sample of ``tsne_sample_size`` customers. ``segment_id`` comes from
    ``assignments`` (null for customers it does not list).
    """
    params = parse_params(config)
    ids, X, _ = prepare_matrix(features, params.features, ID)
    if X.shape[0] == 0:
        return _empty(PROJECTION_SCHEMA)
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
            }
        )
    ]
    if params.tsne_sample_size > 0:
        rows = sample_indices(X.shape[0], params.tsne_sample_size, params.random_seed)
        with alg.one_thread():
            embedded = tsne_2d(X[rows], params.random_seed)
        if embedded is not None:
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
                    schema_overrides={
                        "explained_variance_ratio_1": pl.Float64,
                        "explained_variance_ratio_2": pl.Float64,
                    },
                )
            )
    segments = assignments.select(
        pl.col(ID).cast(pl.Utf8), pl.col("segment_id").cast(pl.Int64)
    ).unique(ID, keep="first")
    return (
        pl.concat(parts, how="vertical_relaxed")
        .join(segments, on=ID, how="left")
        .select([pl.col(name).cast(dtype) for name, dtype in PROJECTION_SCHEMA.items()])
        .sort(["method", ID])
    )


def build_linkage(features: pl.DataFrame, config: Mapping[str, Any]) -> pl.DataFrame:
    """Return the merge table of a hierarchical clustering (``LINKAGE_SCHEMA``).

    scipy's linkage with the configured method on a reproducible sample of ``linkage_sample_size``
    customers; node ids below the sample size are leaves (scipy semantics).
    """
    params = parse_params(config)
    _, X, _ = prepare_matrix(features, params.features, ID)
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
