"""min_segment_share on a skewed customer base shaped like a real transaction log.

The fixture is generated here: a one-time-buyer majority, log-normal spend, a handful of whales
and one extreme outlier, as RFM features. The package sees scaled features; the two scalings
compared are the raw z-score (no transform) and log1p + robust scaling with a 3 x IQR fence
(what the SQL layer produces by default).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import polars as pl
import pytest

from customer_segmentation import api

FEATURES = ["frequency", "monetary", "recency_days"]


def skewed_rfm(n: int = 3000, seed: int = 7) -> np.ndarray:
    """Return an ``(n, 3)`` RFM matrix: frequency, monetary, recency_days (raw units)."""
    rng = np.random.default_rng(seed)
    one_time = rng.random(n) < 0.62
    frequency = np.where(one_time, 1, 2 + rng.poisson(2.5, n)).astype(float)
    order_value = rng.lognormal(mean=3.6, sigma=0.8, size=n)
    monetary = frequency * order_value
    recency = np.where(one_time, rng.uniform(30, 720, n), rng.gamma(2.0, 45.0, n))
    whales = rng.choice(n, 12, replace=False)
    frequency[whales] = rng.integers(40, 90, whales.size)
    monetary[whales] = rng.lognormal(9.5, 0.4, whales.size)
    recency[whales] = rng.uniform(1, 20, whales.size)
    monetary[whales[0]] = 1_000_000.0  # one extreme outlier
    return np.column_stack([frequency, monetary, recency])


def z_scores(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


def log_robust(X: np.ndarray, fence: float = 3.0) -> np.ndarray:
    """log1p on frequency and monetary, then clip at the quartiles -/+ fence x IQR, then
    (x - median) / IQR."""
    Y = X.copy()
    Y[:, :2] = np.log1p(Y[:, :2])
    q1, median, q3 = np.percentile(Y, [25, 50, 75], axis=0)
    iqr = q3 - q1
    Y = np.clip(Y, q1 - fence * iqr, q3 + fence * iqr)
    return (Y - median) / iqr


def _frame(X: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {"customer_id": [f"c{i:05d}" for i in range(X.shape[0])]}
        | {name: X[:, j] for j, name in enumerate(FEATURES)}
    )


def _search(X: np.ndarray, config: dict) -> tuple[pl.DataFrame, list[str]]:
    lines: list[str] = []
    return api.search_candidates(_frame(X), config, log=lines.append), lines


def _smallest_share(frame: pl.DataFrame, candidates: pl.DataFrame, config: dict) -> float:
    model = api.fit_model(frame, candidates, None, config)
    sizes = api.assign_segments(frame, model, config).group_by("segment_id").len()["len"]
    return sizes.min() / frame.height


def _report(title: str, candidates: pl.DataFrame, lines: list[str]) -> None:
    print(f"\n{title}")
    for line in lines:
        if line.startswith("  ") or line.startswith("chose"):
            print(line)


@pytest.fixture(scope="module")
def raw() -> np.ndarray:
    return skewed_rfm()


def test_without_the_rule_raw_z_scores_split_off_the_whales(raw):
    config = {"algorithm": "kmeans", "min_segment_share": 0}
    candidates, lines = _search(z_scores(raw), config)
    _report("raw z-scores, min_segment_share 0 (rule off)", candidates, lines)
    assert _smallest_share(_frame(z_scores(raw)), candidates, config) < 0.02


def _segment_shares(X: np.ndarray, candidates: pl.DataFrame, config: dict) -> list[float]:
    frame = _frame(X)
    model = api.fit_model(frame, candidates, None, config)
    sizes = api.assign_segments(frame, model, config).group_by("segment_id").len()["len"]
    return sorted((sizes / frame.height).to_list(), reverse=True)


def test_on_raw_z_scores_no_k_is_eligible_and_small_segments_are_set_aside(raw):
    config = {"algorithm": "kmeans"}
    with pytest.warns(UserWarning, match="no candidate of the searched range is eligible"):
        candidates, lines = _search(z_scores(raw), config)
    _report("raw z-scores, min_segment_share 0.02 (default)", candidates, lines)
    selected = candidates.filter(pl.col("is_selected")).row(0, named=True)
    assert "no kmeans candidate is eligible" in selected["selection_reason"]
    assert "set aside like noise" in selected["selection_reason"]
    assert (
        candidates.filter(~pl.col("is_selected"))["selection_reason"]
        .str.contains(r"^not eligible: smallest segment [0-9.]+% < min_segment_share 2%$")
        .all()
    )
    shares = _segment_shares(z_scores(raw), candidates, config)
    usable = [share for share in shares if share >= 0.02]
    assert len(usable) >= 2, shares
    assert sum(usable) >= 0.95, shares


def test_log_transform_and_fence_give_eligible_segments_without_the_rule_deciding(raw):
    X = log_robust(raw)
    config = {"algorithm": "kmeans"}
    candidates, lines = _search(X, config)
    _report("log1p + robust scaling + 3 x IQR fence, min_segment_share 0.02", candidates, lines)
    off, _ = _search(X, config | {"min_segment_share": 0})
    selected = candidates.filter(pl.col("is_selected")).row(0, named=True)
    assert "is eligible" not in selected["selection_reason"]
    assert selected["n_clusters"] == off.filter(pl.col("is_selected"))["n_clusters"].item()
    assert min(_segment_shares(X, candidates, config)) >= 0.02


@pytest.mark.parametrize("algorithm", ["agglomerative", "gmm", "dbscan", "auto"])
def test_every_family_honours_the_rule_on_transformed_features(raw, algorithm):
    X = log_robust(raw)
    config = {"algorithm": algorithm, "k_max": 6, "n_init": 2}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        candidates, _ = _search(X, config)
    selected = candidates.filter(pl.col("is_selected")).row(0, named=True)
    print(algorithm, selected["n_clusters"], selected["selection_reason"])
    chosen = selected["algorithm"]
    if any(str(w.message).startswith(f"{chosen}: no candidate") for w in caught):
        assert f"no {chosen} candidate is eligible" in selected["selection_reason"]
    else:
        assert min(_segment_shares(X, candidates, config)) >= 0.02


def test_when_nothing_is_eligible_the_best_available_is_taken_and_said(raw):
    config = {"algorithm": "kmeans", "k_min": 3, "k_max": 5, "min_segment_share": 0.4}
    with pytest.warns(UserWarning, match="no candidate of the searched range is eligible"):
        candidates, lines = _search(log_robust(raw), config)
    selected = candidates.filter(pl.col("is_selected")).row(0, named=True)
    assert "no kmeans candidate is eligible" in selected["selection_reason"]
    assert "best available" in selected["selection_reason"]
    assert "min_segment_share 40%" in selected["selection_reason"]
    assert any(line.startswith("WARNING: kmeans: no candidate") for line in lines)


def test_a_forced_k_is_kept_but_the_small_segment_is_reported(raw):
    config = {"algorithm": "kmeans", "n_clusters": 8, "min_segment_share": 0.2}
    with pytest.warns(UserWarning, match="kept because a var fixes the candidate"):
        candidates, _ = _search(log_robust(raw), config)
    selected = candidates.filter(pl.col("is_selected")).row(0, named=True)
    assert selected["n_clusters"] == 8
    assert "set by var n_clusters=8 (smallest segment" in selected["selection_reason"]


def test_the_console_lines_say_sample_range_each_k_and_the_choice(raw):
    _, lines = _search(log_robust(raw), {"algorithm": "kmeans", "k_max": 4})
    assert lines[0].startswith("sample of 3,000 of 3,000 customers")
    assert lines[1].startswith("trying kmeans with k=2..4")
    per_k = [line for line in lines if line.startswith("  kmeans k=")]
    assert [line.split(":")[0].strip() for line in per_k] == [
        "kmeans k=2",
        "kmeans k=3",
        "kmeans k=4",
    ]
    assert all("silhouette 0." in line for line in per_k)
    assert any(line.startswith("  3 kmeans candidates fitted in ") for line in lines)
    assert "scoring 3 candidates by silhouette on 3,000 customers" in "\n".join(lines)
    assert lines[-1].startswith("chose kmeans with ")


def test_long_silhouette_scoring_reports_progress_between_the_fits_and_the_results(raw):
    # With no interval every chunk of the distance matrix but the last is reported; at the
    # default (5 s) a search this small says nothing in between.
    from customer_segmentation.params import parse_params
    from customer_segmentation.search import Search

    params = parse_params({"algorithm": "kmeans", "k_max": 3, "n_init": 1})
    lines: list[str] = []
    Search(log_robust(raw), FEATURES, params, 0.0, [], lines.append, progress_every=0).run()
    progress = [i for i, line in enumerate(lines) if line.startswith("  silhouette: ")]
    assert progress, lines
    assert all(" of 3,000 (" in lines[i] for i in progress)
    scoring = next(i for i, line in enumerate(lines) if line.startswith("scoring "))
    first_k = next(i for i, line in enumerate(lines) if line.startswith("  kmeans k="))
    assert scoring < min(progress) and max(progress) < first_k


def test_parameters_are_json(raw):
    candidates, _ = _search(log_robust(raw), {"algorithm": "auto", "k_max": 3, "n_init": 1})
    decoded = [json.loads(text) for text in candidates["parameters"].to_list()]
    assert {"n_init": 1} in decoded and {"linkage": "ward"} in decoded
    assert all(isinstance(d, dict) and d for d in decoded)
