"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest

MALL_CSV = Path(__file__).parents[3] / "shared/data/mall_customers/Mall_Customers.csv"


def _feature_frame(X: np.ndarray, names: list[str] | None = None, ids=None) -> pl.DataFrame:
    names = names or [f"f{j}" for j in range(X.shape[1])]
    ids = ids if ids is not None else [f"c{i:06d}" for i in range(X.shape[0])]
    return pl.DataFrame(
        {"customer_id": list(ids), **{n: X[:, j].astype(float) for j, n in enumerate(names)}},
        schema={"customer_id": pl.Utf8, **{n: pl.Float64 for n in names}},
    )


@pytest.fixture
def feature_frame() -> Callable[..., pl.DataFrame]:
    """Return a builder: ``feature_frame(X, names=None, ids=None)`` -> scaled-feature frame."""
    return _feature_frame


@pytest.fixture(scope="session")
def mall_raw() -> pl.DataFrame:
    """Return the Kaggle Mall file in file order, or skip when the shared copy is absent."""
    if not MALL_CSV.exists():
        pytest.skip(f"Kaggle Mall file not found at {MALL_CSV} (shared data folder not mounted)")
    return pl.read_csv(MALL_CSV)
