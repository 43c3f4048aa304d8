"""Fit the selected candidate on everyone (or its sample) with segment ids kept from last time."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from customer_segmentation import estimators
from customer_segmentation.fitted_model import NOISE_SEGMENT, FittedModel
from customer_segmentation.params import SegmentationParams
from customer_segmentation.search import decode_parameters


def selected_candidate(candidates: pl.DataFrame) -> dict:
    """Return the one selected row of the candidate table."""
    selected = candidates.filter(pl.col("is_selected"))
    if selected.height != 1:
        raise ValueError(
            f"segmentation candidates must have exactly one selected row, found {selected.height}."
        )
    return selected.row(0, named=True)


def previous_centroids(
    previous_model: pl.DataFrame | None, features: list[str]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return ``(ids, centroids)`` of the usable previous model's real segments, or ``None``.

    A previous model with other features is ignored with a warning (segment ids restart at 1).
    """
    if previous_model is None or previous_model.height == 0:
        return None
    centroids = previous_model.filter(pl.col("parameter") == "centroid")
    previous_features = set(centroids["feature_name"].drop_nulls().to_list())
    if not centroids.height or previous_features != set(features):
        warnings.warn(
            "Previous model ignored for stable segment ids: it uses features "
            f"{sorted(previous_features)}, this run uses {sorted(features)}. "
            "Segment ids restart at 1.",
            stacklevel=3,
        )
        return None
    previous = FittedModel.from_frame(previous_model, features)
    real = previous.segment_ids != NOISE_SEGMENT
    return previous.segment_ids[real], previous.centroids[real]


def fit_selected(
    X: np.ndarray,
    features: list[str],
    sample: np.ndarray,
    row: dict,
    params: SegmentationParams,
    previous: tuple[np.ndarray, np.ndarray] | None,
) -> FittedModel:
    """Return the fitted model of candidate ``row`` (a row of the candidate table)."""
    family = estimators.get(row["algorithm"])
    model, _ = family.fit(
        X,
        tuple(features),
        sample,
        int(row["n_clusters"]),
        decode_parameters(row["parameters"]),
        params,
        previous,
    )
    return model
