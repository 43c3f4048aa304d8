"""Turn a polars frame of scaled features into a float64 matrix sorted by customer id."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl

FEATURES_VAR = "segmentation_features"


def feature_columns(
    frame: pl.DataFrame, features: Sequence[str] | None, id_column: str = "customer_id"
) -> list[str]:
    """Return the requested features, or every numeric column except the id when unset."""
    return list(features) if features else _numeric_columns(frame, id_column)


def _numeric_columns(frame: pl.DataFrame, id_column: str) -> list[str]:
    return [
        name
        for name, dtype in frame.schema.items()
        if name != id_column and (dtype.is_numeric() or dtype in (pl.Boolean, pl.Null))
    ]


def _check_requested(frame: pl.DataFrame, features: Sequence[str], id_column: str) -> None:
    available = [name for name in frame.columns if name != id_column]
    missing = [name for name in features if name not in frame.columns or name == id_column]
    if missing:
        raise ValueError(
            f"Feature(s) {missing} not found in the scaled feature table. "
            f"Available columns: {available}. Fix var {FEATURES_VAR} to name only these columns."
        )
    numeric = set(_numeric_columns(frame, id_column))
    not_numeric = [name for name in features if name not in numeric]
    if not_numeric:
        raise ValueError(
            f"Feature(s) {not_numeric} are not numeric "
            f"(types: {[str(frame.schema[n]) for n in not_numeric]}). "
            f"Fix var {FEATURES_VAR} to list numeric columns only, or encode them in SQL first."
        )


def sort_by_id(frame: pl.DataFrame, id_column: str = "customer_id") -> pl.DataFrame:
    """Return ``frame`` sorted by id: numerically when every id is an integer, else as text.

    Numeric order keeps source files such as the Kaggle Mall file (ids 1..200) in file order, so
    seeded algorithms see the rows in the order published results were computed in; ties such as
    ``"7"`` and ``"007"`` fall back to text order. The order depends only on the set of ids, never
    on the input row order.
    """
    as_int = frame[id_column].cast(pl.Int64, strict=False)
    if frame.height and as_int.null_count() == 0:
        return (
            frame.with_columns(as_int.alias("__id_number"))
            .sort("__id_number", id_column)
            .drop("__id_number")
        )
    return frame.sort(id_column)


def prepare_matrix(
    frame: pl.DataFrame,
    features: Sequence[str] | None,
    id_column: str = "customer_id",
    drop_constant: bool = True,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return ``(ids, X, kept_features)`` with rows sorted by id (see :func:`sort_by_id`).

    ``ids`` is an object array of id strings, ``X`` a C-contiguous float64 array of shape
    ``(n_rows, len(kept_features))``. ``features=None`` means every numeric column except the id.
    Constant features (when there are at least 2 rows) and all-null features are dropped with a
    warning, except when every feature is constant (all customers identical): those are kept.
    Remaining nulls or non-finite values, duplicate ids or a missing id column raise
    :class:`ValueError`. Scoring passes
    ``drop_constant=False``: a feature the model uses is kept even if constant in the new rows.
    A frame with zero rows returns empty arrays and the requested features unchanged.
    """
    if id_column not in frame.columns:
        raise ValueError(
            f"The feature table has no {id_column!r} column (columns: {frame.columns}). "
            f"Fix the upstream model so it returns {id_column!r}."
        )
    requested = feature_columns(frame, features, id_column)
    _check_requested(frame, requested, id_column)
    if not requested:
        raise ValueError(
            f"The feature table has no numeric feature columns (columns: {frame.columns}). "
            f"Fix var {FEATURES_VAR}."
        )

    if frame.height == 0:
        return np.empty(0, dtype=object), np.empty((0, len(requested))), requested

    subset = sort_by_id(
        frame.select(
            pl.col(id_column).cast(pl.Utf8), *[pl.col(n).cast(pl.Float64) for n in requested]
        ),
        id_column,
    )
    if subset[id_column].null_count():
        raise ValueError(f"{subset[id_column].null_count()} rows have a null {id_column}.")
    if subset[id_column].n_unique() != subset.height:
        raise ValueError(
            f"{id_column} is not unique: "
            f"{subset.height - subset[id_column].n_unique()} duplicate rows. "
            "The feature table must have one row per customer."
        )

    all_null = [name for name in requested if subset[name].drop_nulls().len() == 0]
    constant = [
        name
        for name in requested
        if name not in all_null
        and drop_constant
        and subset.height > 1
        and subset[name].drop_nulls().n_unique() <= 1
    ]
    kept = [name for name in requested if name not in all_null and name not in constant]
    if not kept and constant:
        # Every customer looks the same: keep the features so they form one segment.
        warnings.warn(
            f"Every feature is constant ({constant}): all customers are identical and form "
            "one segment.",
            stacklevel=2,
        )
        kept, constant = constant, []
    dropped = [name for name in requested if name in all_null or name in constant]
    if dropped:
        warnings.warn(
            f"Dropped constant or all-null feature(s) {dropped}: they cannot separate customers.",
            stacklevel=2,
        )
    if not kept:
        raise ValueError(
            f"No usable features left: {dropped} are all null. "
            f"Fix var {FEATURES_VAR} to include at least one feature with values."
        )

    for name in kept:
        nulls = subset[name].null_count()
        if nulls:
            raise ValueError(
                f"Feature {name!r} has {nulls} null values. Impute or filter them in SQL, "
                f"or remove {name!r} from var {FEATURES_VAR}."
            )
    X = np.ascontiguousarray(subset.select(kept).to_numpy(), dtype=np.float64)
    bad = ~np.isfinite(X)
    if bad.any():
        counts = bad.sum(axis=0)
        name = kept[int(np.argmax(counts))]
        raise ValueError(
            f"Feature {name!r} has {int(counts.max())} non-finite values (NaN or infinity). "
            f"Fix them in SQL or remove {name!r} from var {FEATURES_VAR}."
        )
    ids = subset[id_column].to_numpy().astype(object)
    return ids, X, kept
