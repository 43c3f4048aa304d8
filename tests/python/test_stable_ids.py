"""Segment ids: deterministic on the first run, kept across runs by Hungarian matching."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.datasets import make_blobs

from customer_segmentation import api
from customer_segmentation.stable_ids import assign_ids, first_run_order

CENTRES = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])


def test_first_run_orders_by_size_then_coordinates():
    centroids = np.array([[5.0, 1.0], [1.0, 1.0], [0.0, 9.0], [1.0, 0.0]])
    sizes = np.array([10, 30, 30, 5])
    assert first_run_order(centroids, sizes).tolist() == [2, 1, 0, 3]
    assert assign_ids(centroids, sizes).tolist() == [3, 2, 1, 4]


def test_matched_clusters_keep_previous_ids_and_new_ones_get_higher_ids():
    previous = (np.array([7, 2, 9]), np.array([[0.0, 0.0], [10.0, 10.0], [0.0, 10.0]]))
    new = np.array([[9.8, 10.1], [20.0, 20.0], [0.1, -0.2], [0.2, 9.9]])
    ids = assign_ids(new, np.array([5, 50, 5, 5]), previous)
    assert ids.tolist() == [2, 10, 7, 9]


def test_fewer_new_clusters_than_previous_keep_their_matches():
    previous = (np.array([1, 2, 3]), np.array([[0.0, 0.0], [10.0, 10.0], [0.0, 10.0]]))
    ids = assign_ids(np.array([[0.1, 9.7], [0.3, 0.1]]), np.array([1, 1]), previous)
    assert ids.tolist() == [3, 1]


def _blob_frame(feature_frame, seed: int, n: int = 1200, shift: float = 0.0):
    X, y = make_blobs(n, centers=CENTRES + shift, cluster_std=1.0, random_state=seed)
    return feature_frame(X), y


def _ids_by_centre(model: pl.DataFrame) -> dict[tuple[int, int], int]:
    centres = (
        model.filter(pl.col("parameter") == "centroid")
        .pivot(on="feature_name", index="segment_id", values="value")
        .sort("segment_id")
    )
    return {
        (round(row["f0"] / 10) * 10, round(row["f1"] / 10) * 10): row["segment_id"]
        for row in centres.iter_rows(named=True)
    }


@pytest.mark.parametrize("algorithm", ["kmeans", "gmm", "agglomerative"])
def test_ids_follow_the_clusters_across_runs_on_new_data(feature_frame, algorithm):
    config = {"algorithm": algorithm, "n_clusters": 4, "k_min": 3, "k_max": 5}
    first, _ = _blob_frame(feature_frame, seed=1)
    model_1 = api.fit_model(first, api.search_candidates(first, config), None, config)
    # Second run: different customers, a different seed, clusters moved slightly and with the
    # sizes reversed so the first-run (size) order would renumber them.
    X, y = make_blobs([100, 200, 300, 400], centers=CENTRES + 0.7, cluster_std=1.0, random_state=9)
    second = feature_frame(X)
    config_2 = config | {"random_seed": 5}
    candidates = api.search_candidates(second, config_2)
    without = api.fit_model(second, candidates, None, config_2)
    with_previous = api.fit_model(second, candidates, model_1, config_2)
    assert _ids_by_centre(with_previous) == _ids_by_centre(model_1)
    assert _ids_by_centre(without) != _ids_by_centre(model_1)


def test_previous_model_with_other_features_is_ignored_with_warning(feature_frame):
    config = {"algorithm": "kmeans", "n_clusters": 4}
    frame, _ = _blob_frame(feature_frame, seed=1)
    model = api.fit_model(frame, api.search_candidates(frame, config), None, config)
    renamed = model.with_columns(pl.col("feature_name").str.replace("f1", "recency_days"))
    with pytest.warns(UserWarning, match="Previous model ignored"):
        again = api.fit_model(frame, api.search_candidates(frame, config), renamed, config)
    assert sorted(again["segment_id"].unique().to_list()) == [1, 2, 3, 4]


def test_empty_previous_model_is_a_first_run(feature_frame):
    config = {"algorithm": "kmeans", "n_clusters": 4}
    frame, _ = _blob_frame(feature_frame, seed=1)
    candidates = api.search_candidates(frame, config)
    first = api.fit_model(frame, candidates, None, config)
    empty = first.head(0)
    assert api.fit_model(frame, candidates, empty, config).equals(first)


def test_previous_model_rows_may_arrive_in_any_order(feature_frame):
    config = {"algorithm": "kmeans", "n_clusters": 4}
    frame, _ = _blob_frame(feature_frame, seed=1)
    candidates = api.search_candidates(frame, config)
    first = api.fit_model(frame, candidates, None, config)
    shuffled = first.sample(fraction=1.0, shuffle=True, seed=3)
    other, _ = _blob_frame(feature_frame, seed=2, shift=0.3)
    a = api.fit_model(other, api.search_candidates(other, config), first, config)
    b = api.fit_model(other, api.search_candidates(other, config), shuffled, config)
    assert a.equals(b)


def test_dbscan_noise_stays_zero_across_runs(feature_frame):
    rng = np.random.default_rng(0)
    X, _ = make_blobs(900, centers=CENTRES[:3], cluster_std=0.6, random_state=2)
    X = np.vstack([X, rng.uniform(-8, 18, size=(30, 2))])
    frame = feature_frame(X)
    config = {"algorithm": "dbscan"}
    candidates = api.search_candidates(frame, config)
    first = api.fit_model(frame, candidates, None, config)
    second = api.fit_model(frame, candidates, first, config)
    assert 0 in first["segment_id"].to_list()
    assert first.equals(second)
