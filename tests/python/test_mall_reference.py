"""Published reference results on the Kaggle Mall file, reproduced through the api functions.

The figures (DESIGN.md, "Reference results on the Kaggle Mall file") were computed with rows in
file order, and k-means++ seeding depends on row order. The package sorts rows by customer_id,
numerically when all ids are integers, which is file order for both the plain ids (``1``) and
the zero-padded ids of the older variant (``0001``); the tests run both.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from customer_segmentation import api

INCOME_SCORE = ["annual_income_k", "spending_score"]
AGE_INCOME_SCORE = ["age", "annual_income_k", "spending_score"]
PUBLISHED_SILHOUETTES = [0.2969, 0.4676, 0.4932, 0.5539, 0.5398, 0.5288, 0.4548, 0.4561, 0.4411]


def _mall(raw: pl.DataFrame, standardise: bool = False, padded: bool = True) -> pl.DataFrame:
    ids = pl.col("CustomerID").cast(pl.Utf8)
    frame = raw.select(
        (ids.str.zfill(4) if padded else ids).alias("customer_id"),
        pl.col("Age").cast(pl.Float64).alias("age"),
        pl.col("Annual Income (k$)").cast(pl.Float64).alias("annual_income_k"),
        pl.col("Spending Score (1-100)").cast(pl.Float64).alias("spending_score"),
    )
    if standardise:
        frame = frame.with_columns(
            [(pl.col(c) - pl.col(c).mean()) / pl.col(c).std(ddof=0) for c in AGE_INCOME_SCORE]
        )
    return frame


def _selected(candidates: pl.DataFrame) -> dict:
    selected = candidates.filter(pl.col("is_selected"))
    assert selected.height == 1
    return selected.row(0, named=True)


def test_kmeans_k5_unscaled_matches_published_inertia_silhouette_sizes_and_centres(mall_raw):
    features = _mall(mall_raw)
    config = {"features": INCOME_SCORE, "algorithm": "kmeans", "n_clusters": "5"}
    candidates = api.search_candidates(features, config)
    row = _selected(candidates)
    assert row["n_clusters"] == 5
    assert row["inertia"] == pytest.approx(44448.455, abs=1e-3)
    assert row["silhouette"] == pytest.approx(0.5539, abs=1e-3)
    assert (
        row["selection_reason"].startswith("Selected kmeans")
        and "n_clusters=5" in (row["selection_reason"])
    )

    model = api.fit_model(features, candidates, None, config)
    assignments = api.assign_segments(features, model, config)
    sizes = assignments.group_by("segment_id").len().sort("segment_id")
    assert sizes["segment_id"].to_list() == [1, 2, 3, 4, 5]
    assert sizes["len"].to_list() == [81, 39, 35, 23, 22]
    centres = (
        model.filter(pl.col("parameter") == "centroid")
        .pivot(on="feature_name", index="segment_id", values="value")
        .sort("segment_id")
        .select(INCOME_SCORE)
        .to_numpy()
    )
    published = [[55.30, 49.52], [86.54, 82.13], [88.20, 17.11], [26.30, 20.91], [25.73, 79.36]]
    np.testing.assert_allclose(centres, published, atol=0.006)


def test_kmeans_k5_standardised_matches_published(mall_raw):
    config = {"features": INCOME_SCORE, "algorithm": "kmeans", "n_clusters": 5}
    row = _selected(api.search_candidates(_mall(mall_raw, standardise=True), config))
    assert row["inertia"] == pytest.approx(65.568, abs=1e-3)
    assert row["silhouette"] == pytest.approx(0.5547, abs=1e-3)


@pytest.mark.parametrize("padded", [True, False], ids=["padded-ids", "plain-ids"])
def test_kmeans_silhouette_curve_matches_published(mall_raw, padded):
    config = {"features": INCOME_SCORE, "algorithm": "kmeans", "k_min": 2, "k_max": 10}
    candidates = api.search_candidates(_mall(mall_raw, padded=padded), config)
    candidates = candidates.sort("n_clusters")
    assert candidates["n_clusters"].to_list() == list(range(2, 11))
    np.testing.assert_allclose(
        candidates["silhouette"].to_numpy(), PUBLISHED_SILHOUETTES, atol=1e-3
    )
    assert _selected(candidates)["n_clusters"] == 5


@pytest.mark.parametrize("padded", [True, False], ids=["padded-ids", "plain-ids"])
def test_auto_picks_k5_on_income_score(mall_raw, padded):
    candidates = api.search_candidates(_mall(mall_raw, padded=padded), {"features": INCOME_SCORE})
    assert set(candidates["algorithm"]) == {"kmeans", "agglomerative", "gmm", "dbscan"}
    row = _selected(candidates)
    print(row["selection_reason"])
    assert (row["algorithm"], row["n_clusters"]) == ("kmeans", 5)


@pytest.mark.parametrize("padded", [True, False], ids=["padded-ids", "plain-ids"])
def test_auto_picks_k6_on_age_income_score(mall_raw, padded):
    candidates = api.search_candidates(
        _mall(mall_raw, padded=padded), {"features": ",".join(AGE_INCOME_SCORE)}
    )
    row = _selected(candidates)
    print(row["selection_reason"])
    assert (row["algorithm"], row["n_clusters"]) == ("kmeans", 6)
    assert row["silhouette"] == pytest.approx(0.4523, abs=1e-3)
    assert row["inertia"] == pytest.approx(58300.44, abs=1e-2)


def test_agglomerative_ward_k5_standardised_matches_published(mall_raw):
    config = {
        "features": INCOME_SCORE,
        "algorithm": "agglomerative",
        "linkage": "ward",
        "n_clusters": 5,
    }
    row = _selected(api.search_candidates(_mall(mall_raw, standardise=True), config))
    assert row["silhouette"] == pytest.approx(0.5538, abs=1e-3)


def test_segment_ids_survive_a_new_seed_when_previous_model_is_passed(mall_raw):
    features = _mall(mall_raw, standardise=True)
    runs = []
    previous = None
    for seed in (1, 2):
        config = {"features": INCOME_SCORE, "algorithm": "kmeans", "random_seed": seed}
        candidates = api.search_candidates(features, config)
        previous = api.fit_model(features, candidates, previous, config)
        runs.append(api.assign_segments(features, previous, config))
    same = (
        runs[0]
        .join(runs[1], on="customer_id")
        .select((pl.col("segment_id") == pl.col("segment_id_right")).mean())
    )
    print("share with the same segment id:", same.item())
    assert same.item() >= 0.95
