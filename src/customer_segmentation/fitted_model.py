"""The fitted model as data (no pickle): the arrays, and the long-format frame they travel in.

Which arrays a model has depends on its algorithm family (see
:mod:`customer_segmentation.estimators`); this module only stores and reads them.

Frame rows (``MODEL_SCHEMA``): ``parameter`` is ``'centroid'`` (one row per segment x feature),
``'weight'`` (one row per segment; share of customers, or the mixture weight for GMM),
``'covariance'`` (GMM: one row per component x feature x feature, always the full matrix) or
``'exemplar'`` (agglomerative / DBSCAN: one row per exemplar x feature, with its segment).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

MODEL_SCHEMA: dict[str, pl.DataType] = {
    "algorithm": pl.Utf8(),
    "segment_id": pl.Int64(),
    "parameter": pl.Utf8(),
    "exemplar_id": pl.Int64(),
    "feature_name": pl.Utf8(),
    "feature_name_2": pl.Utf8(),
    "value": pl.Float64(),
}
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
