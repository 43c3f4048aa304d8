"""Planted-truth recovery for every method, candidate tables, overrides and edge cases."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from sklearn.datasets import make_blobs, make_moons
from sklearn.metrics import adjusted_rand_score

from customer_segmentation import api
from customer_segmentation.params import parse_params


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(1500, n_features=3, centers=4, cluster_std=0.8, random_state=11)
    return X, y


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(600, noise=0.05, random_state=0)
    return X, y


def _run(frame: pl.DataFrame, config: dict) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    candidates = api.search_candidates(frame, config)
    model = api.fit_model(frame, candidates, None, config)
    return candidates, model, api.assign_segments(frame, model, config)


def _ari(truth: np.ndarray, assignments: pl.DataFrame) -> float:
    return adjusted_rand_score(truth, assignments["segment_id"].to_numpy())


@pytest.mark.parametrize("algorithm", ["kmeans", "agglomerative", "gmm", "dbscan", "auto"])
def test_planted_blobs_are_recovered(blobs, feature_frame, algorithm):
    X, y = blobs
    candidates, model, assignments = _run(feature_frame(X), {"algorithm": algorithm})
    ari = _ari(y, assignments)
    selected = candidates.filter(pl.col("is_selected"))
    print(
        f"{algorithm}: ARI {ari:.4f}, selected {selected.select('algorithm', 'parameters').row(0)}"
    )
    assert ari > 0.9
    assert selected.height == 1
    if algorithm != "dbscan":
        assert selected["n_clusters"].item() == 4


def test_dbscan_recovers_moons_where_kmeans_cannot(moons, feature_frame):
    X, y = moons
    frame = feature_frame(X)
    _, _, dbscan = _run(frame, {"algorithm": "dbscan"})
    _, _, kmeans = _run(frame, {"algorithm": "kmeans", "n_clusters": 2})
    print(f"moons: dbscan ARI {_ari(y, dbscan):.3f}, kmeans ARI {_ari(y, kmeans):.3f}")
    assert _ari(y, dbscan) > 0.9
    assert _ari(y, kmeans) < 0.6


def test_candidate_table_for_auto_has_every_method_and_honest_columns(blobs, feature_frame):
    X, _ = blobs
    candidates = api.search_candidates(feature_frame(X), {"k_min": 2, "k_max": 6})
    assert candidates.schema == pl.Schema(api.CANDIDATES_SCHEMA)
    counts = dict(candidates.group_by("algorithm").len().iter_rows())
    assert counts == {"kmeans": 5, "agglomerative": 5, "gmm": 5, "dbscan": 3}
    gmm = candidates.filter(pl.col("algorithm") == "gmm")
    others = candidates.filter(pl.col("algorithm") != "gmm")
    assert gmm["bic"].null_count() == 0 and gmm["aic"].null_count() == 0
    assert others["bic"].null_count() == others.height
    assert others.filter(pl.col("algorithm") != "dbscan")["noise_share"].to_list() == [0.0] * 10
    assert candidates["inertia"].null_count() == 0
    assert candidates["sample_size"].unique().to_list() == [X.shape[0]]
    assert candidates["features"].unique().to_list() == ["f0,f1,f2"]
    assert (
        candidates.filter(~pl.col("is_selected"))["selection_reason"]
        .str.starts_with("not selected")
        .all()
    )
    dbscan = [
        json.loads(p)
        for p in candidates.filter(pl.col("algorithm") == "dbscan")["parameters"].to_list()
    ]
    eps = [p["eps"] for p in dbscan]
    assert eps[0] == pytest.approx(0.75 * eps[1], rel=1e-5)
    assert eps[2] == pytest.approx(1.25 * eps[1], rel=1e-5)
    assert all(p["min_samples"] == 6 for p in dbscan)
    gmm_parameters = [json.loads(p) for p in gmm["parameters"].to_list()]
    assert gmm_parameters[0] == {"covariance_type": "full", "n_components": 2}


def test_explicit_algorithm_and_k_override_the_rules(blobs, feature_frame):
    X, _ = blobs
    config = {"algorithm": "gmm", "n_clusters": "3", "k_max": 5, "covariance_type": "diag"}
    candidates = api.search_candidates(feature_frame(X), config)
    assert candidates["algorithm"].unique().to_list() == ["gmm"]
    assert candidates.height == 4
    selected = candidates.filter(pl.col("is_selected")).row(0, named=True)
    assert selected["n_clusters"] == 3
    assert "set by var n_clusters=3" in selected["selection_reason"]
    assert "cluster_algorithm=gmm" in selected["selection_reason"]
    model = api.fit_model(feature_frame(X), candidates, None, config)
    covariance = model.filter(pl.col("parameter") == "covariance")
    assert covariance.height == 3 * 3 * 3
    off_diagonal = covariance.filter(pl.col("feature_name") != pl.col("feature_name_2"))
    assert off_diagonal["value"].abs().max() == 0.0


def test_explicit_k_outside_the_range_is_still_recorded(blobs, feature_frame):
    X, _ = blobs
    config = {"algorithm": "kmeans", "n_clusters": 7, "k_min": 2, "k_max": 4}
    candidates = api.search_candidates(feature_frame(X), config)
    assert candidates["n_clusters"].to_list() == [2, 3, 4, 7]
    assert candidates.filter(pl.col("is_selected"))["n_clusters"].item() == 7


def test_search_is_reproducible_and_seed_matters_for_the_sample(feature_frame):
    X, _ = make_blobs(3000, n_features=2, centers=3, random_state=2)
    frame = feature_frame(X)
    config = {"algorithm": "kmeans", "sample_size": 500, "k_max": 4}
    first = api.search_candidates(frame, config)
    assert first.equals(api.search_candidates(frame, config))
    assert first["sample_size"].unique().to_list() == [500]
    other = api.search_candidates(frame, config | {"random_seed": 3})
    assert not first["inertia"].equals(other["inertia"])


def test_kmeans_fit_on_everyone_from_a_sample(feature_frame, blobs):
    X, y = blobs
    config = {"algorithm": "kmeans", "sample_size": 300, "k_max": 5}
    _, model, assignments = _run(feature_frame(X), config)
    weights = model.filter(pl.col("parameter") == "weight").sort("segment_id")["value"]
    shares = assignments.group_by("segment_id").len().sort("segment_id")["len"] / X.shape[0]
    np.testing.assert_allclose(weights.to_numpy(), shares.to_numpy())
    assert _ari(y, assignments) > 0.9


@pytest.mark.parametrize("algorithm", ["agglomerative", "dbscan"])
def test_sample_methods_store_bounded_exemplars(blobs, feature_frame, algorithm):
    X, _ = blobs
    model = api.fit_model(
        feature_frame(X),
        api.search_candidates(feature_frame(X), {"algorithm": algorithm}),
        None,
        {"algorithm": algorithm},
    )
    exemplars = model.filter(pl.col("parameter") == "exemplar")
    assert 0 < exemplars["exemplar_id"].n_unique() <= 2000 + 10
    assert exemplars["exemplar_id"].null_count() == 0
    assert model.filter(pl.col("parameter") != "exemplar")["exemplar_id"].null_count() == (
        model.filter(pl.col("parameter") != "exemplar").height
    )


def test_dbscan_noise_is_segment_zero_and_flagged(feature_frame):
    X, _ = make_blobs(800, n_features=2, centers=3, cluster_std=0.5, random_state=4)
    rng = np.random.default_rng(1)
    X = np.vstack([X, rng.uniform(X.min() - 5, X.max() + 5, size=(40, 2))])
    config = {"algorithm": "dbscan"}
    candidates, model, assignments = _run(feature_frame(X), config)
    assert 0 in model["segment_id"].to_list()
    noise = assignments.filter(pl.col("is_noise"))
    assert noise.height > 0
    assert noise["segment_id"].unique().to_list() == [0]
    assert assignments.filter(~pl.col("is_noise"))["segment_id"].min() >= 1
    assert candidates.filter(pl.col("is_selected"))["noise_share"].item() > 0


def test_zero_rows_give_typed_empty_frames(feature_frame):
    empty = feature_frame(np.empty((0, 2)))
    config = {"features": "f0,f1"}
    candidates = api.search_candidates(empty, config)
    model = api.fit_model(empty, candidates, None, config)
    results = {
        "candidates": (candidates, api.CANDIDATES_SCHEMA),
        "model": (model, api.MODEL_SCHEMA),
        "assignments": (api.assign_segments(empty, model, config), api.ASSIGNMENTS_SCHEMA),
        "projection": (
            api.project_customers(empty, api.assign_segments(empty, model, config), config),
            api.PROJECTION_SCHEMA,
        ),
        "linkage": (api.build_linkage(empty, config), api.LINKAGE_SCHEMA),
    }
    for name, (frame, schema) in results.items():
        assert frame.height == 0, name
        assert frame.schema == pl.Schema(schema), name


def test_fewer_distinct_points_than_k_caps_k_with_warning(feature_frame):
    X = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 9.0]]), 10, axis=0)
    config = {"algorithm": "kmeans", "k_min": 2, "k_max": 6}
    with pytest.warns(UserWarning, match="k capped at 3"):
        candidates = api.search_candidates(feature_frame(X), config)
    assert candidates["n_clusters"].max() == 3
    model = api.fit_model(feature_frame(X), candidates, None, config)
    assignments = api.assign_segments(feature_frame(X), model, config)
    assert assignments["segment_id"].n_unique() == 3


def test_two_customers_form_one_segment_with_warning(feature_frame):
    frame = feature_frame(np.array([[1.0, 2.0], [3.0, 2.5]]))
    with pytest.warns(UserWarning, match="one segment"):
        candidates = api.search_candidates(frame, {})
    assert candidates.height == 1 and candidates["n_clusters"].item() == 1
    assert candidates["is_selected"].item()
    model = api.fit_model(frame, candidates, None, {})
    assert api.assign_segments(frame, model, {})["segment_id"].to_list() == [1, 1]


def test_constant_column_is_dropped_with_warning(feature_frame, blobs):
    X, _ = blobs
    frame = feature_frame(X).with_columns(pl.lit(3.0).alias("flat"))
    with pytest.warns(UserWarning, match="flat"):
        candidates = api.search_candidates(frame, {"algorithm": "kmeans", "k_max": 4})
    assert candidates["features"].unique().to_list() == ["f0,f1,f2"]


def test_missing_feature_and_bad_config_raise_clear_errors(feature_frame, blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match=r"Available columns: \['f0', 'f1', 'f2'\]"):
        api.search_candidates(feature_frame(X), {"features": "f0,recency_days"})
    with pytest.raises(ValueError, match="cluster_algorithm"):
        api.search_candidates(feature_frame(X), {"algorithm": "kmodes"})
    with pytest.raises(ValueError, match="var k_max = 'ten' is not valid"):
        api.search_candidates(feature_frame(X), {"k_max": "ten"})


def test_min_samples_auto_rule():
    assert parse_params({}).dbscan_min_samples is None
    from customer_segmentation.algorithms import default_min_samples

    assert [default_min_samples(d) for d in (1, 2, 3, 4, 8)] == [5, 5, 6, 8, 16]


def test_explicit_dbscan_eps_is_selected_and_neighbours_recorded(blobs, feature_frame):
    X, _ = blobs
    config = {"algorithm": "dbscan", "dbscan_eps": "0.8", "dbscan_min_samples": "7"}
    candidates = api.search_candidates(feature_frame(X), config)
    assert [json.loads(p) for p in candidates["parameters"].to_list()] == [
        {"eps": 0.6, "min_samples": 7},
        {"eps": 0.8, "min_samples": 7},
        {"eps": 1.0, "min_samples": 7},
    ]
    selected = candidates.filter(pl.col("is_selected")).row(0, named=True)
    assert json.loads(selected["parameters"]) == {"eps": 0.8, "min_samples": 7}
    assert "set by var dbscan_eps=0.8" in selected["selection_reason"]


def test_configured_linkage_is_used(blobs, feature_frame):
    X, _ = blobs
    config = {"algorithm": "agglomerative", "linkage": "average", "k_max": 5}
    candidates, model, _ = _run(feature_frame(X), config)
    assert candidates["parameters"].unique().to_list() == ['{"linkage": "average"}']
    assert model["algorithm"].unique().to_list() == ["agglomerative"]
