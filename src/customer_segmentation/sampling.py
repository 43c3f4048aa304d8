"""Reproducible row samples."""

from __future__ import annotations

import numpy as np


def sample_indices(n_rows: int, size: int, seed: int) -> np.ndarray:
    """Return sorted int64 row indices of a uniform sample without replacement.

    All ``n_rows`` indices when ``size >= n_rows``; otherwise ``size`` indices drawn by a NumPy
    ``Generator`` seeded with ``seed``, so the same inputs always give the same sample.
    """
    if size >= n_rows:
        return np.arange(n_rows, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=size, replace=False)).astype(np.int64)
