"""Scoring customers against the stored model (the model frame is the only thing passed on)."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
from scipy.stats import multivariate_normal
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

from customer_segmentation import api, assignment, estimators
from customer_segmentation.algorithms import one_thread
from customer_segmentation.estimators import polish_kmeans
from customer_segmentation.fitted_model import FittedModel


@pytest.fixture(scope="module")
def data():
    X, _ = make_blobs(900, n_features=3, centers=5, cluster_std=2.0, random_state=8)
    return X


def _fit(frame: pl.DataFrame, config: dict) -> pl.DataFrame:
    return api.fit_model(frame, api.search_candidates(frame, config), None, config)


def _centroids(model: pl.DataFrame, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
    wide = (
        model.filter(pl.col("parameter") == "centroid")
        .pivot(on="feature_name", index="segment_id", values="value")
        .sort("segment_id")
    )
    return wide["segment_id"].to_numpy(), wide.select(features).to_numpy()


def test_kmeans_assignment_is_nearest_centroid_and_centroids_are_member_means(data, feature_frame):
    frame = feature_frame(data)
    config = {"algorithm": "kmeans", "n_clusters": 5, "sample_size": 200}
    model = _fit(frame, config)
    out = api.assign_segments(frame, model, config)
    assert out.schema == pl.Schema(api.ASSIGNMENTS_SCHEMA)
    assert out["customer_id"].is_sorted()
    ids, centres = _centroids(model, ["f0", "f1", "f2"])
    distances = np.linalg.norm(data[:, None, :] - centres[None, :, :], axis=2)
    np.testing.assert_array_equal(out["segment_id"].to_numpy(), ids[distances.argmin(axis=1)])
    np.testing.assert_allclose(out["distance_to_centroid"].to_numpy(), distances.min(axis=1))
    for segment_id, centre in zip(ids, centres, strict=True):
        members = data[out["segment_id"].to_numpy() == segment_id]
        np.testing.assert_allclose(members.mean(axis=0), centre, rtol=0, atol=1e-12)
    assert (out["membership_probability"] == 1.0).all()
    assert not out["is_noise"].any()


def test_polish_reaches_a_fixed_point_from_poor_centres(data):
    rng = np.random.default_rng(0)
    start = data[rng.choice(data.shape[0], 5, replace=False)]
    centres, labels, kept = polish_kmeans(data, start)
    assert kept.tolist() == [0, 1, 2, 3, 4]
    nearest, _ = assignment.nearest_centroid(data, centres)
    np.testing.assert_array_equal(nearest, labels)
    for j in range(5):
        np.testing.assert_allclose(data[labels == j].mean(axis=0), centres[j])


def test_ties_go_to_the_lowest_segment_id():
    X = np.array([[0.0], [1.0], [2.0]])
    index, distance = assignment.nearest_centroid(X, np.array([[0.0], [2.0]]))
    assert index.tolist() == [0, 0, 1]
    assert distance.tolist() == [0.0, 1.0, 0.0]


def test_chunked_scoring_equals_unchunked(monkeypatch, data):
    centres = data[:4]
    expected = assignment.nearest_centroid(data, centres)
    monkeypatch.setattr(assignment, "CHUNK_ROWS", 7)
    chunked = assignment.nearest_centroid(data, centres)
    np.testing.assert_array_equal(expected[0], chunked[0])
    np.testing.assert_array_equal(expected[1], chunked[1])


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_gmm_assignment_reproduces_sklearn_posteriors(data, feature_frame, covariance_type):
    frame = feature_frame(data)
    config = {"algorithm": "gmm", "n_clusters": 5, "k_max": 5, "covariance_type": covariance_type}
    model = _fit(frame, config)
    out = api.assign_segments(frame, model, config)
    with warnings.catch_warnings(), one_thread():
        warnings.simplefilter("ignore")
        reference = GaussianMixture(
            5, covariance_type=covariance_type, n_init=10, random_state=42
        ).fit(data)
    proba = reference.predict_proba(data)
    np.testing.assert_allclose(
        np.sort(out["membership_probability"].to_numpy()), np.sort(proba.max(axis=1)), atol=1e-6
    )
    fitted = FittedModel.from_frame(model, ["f0", "f1", "f2"])
    density = np.column_stack(
        [
            w * multivariate_normal(mean, cov).pdf(data)
            for w, mean, cov in zip(
                fitted.weights, fitted.centroids, fitted.covariances, strict=True
            )
        ]
    )
    np.testing.assert_array_equal(
        out["segment_id"].to_numpy(), fitted.segment_ids[density.argmax(axis=1)]
    )
    np.testing.assert_allclose(
        out["membership_probability"].to_numpy(),
        density.max(axis=1) / density.sum(axis=1),
        rtol=1e-6,
    )


@pytest.mark.parametrize("algorithm", ["agglomerative", "dbscan"])
def test_exemplar_methods_extend_labels_to_new_customers(data, feature_frame, algorithm):
    config = {"algorithm": algorithm, "sample_size": 300}
    model = _fit(feature_frame(data), config)
    fitted = FittedModel.from_frame(model, ["f0", "f1", "f2"])
    rng = np.random.default_rng(3)
    new = data[rng.choice(data.shape[0], 50)] + rng.normal(scale=0.05, size=(50, 3))
    out = api.assign_segments(feature_frame(new, ids=[f"n{i:03d}" for i in range(50)]), model, {})
    nearest = np.linalg.norm(new[:, None] - fitted.exemplars[None], axis=2).argmin(axis=1)
    np.testing.assert_array_equal(out["segment_id"], fitted.exemplar_segments[nearest])


def test_model_frame_round_trip_in_any_row_order(data, feature_frame):
    model = _fit(feature_frame(data), {"algorithm": "gmm", "n_clusters": 3})
    assert model.schema == pl.Schema(api.MODEL_SCHEMA)
    original = FittedModel.from_frame(model, ["f0", "f1", "f2"])
    shuffled = FittedModel.from_frame(model.sample(fraction=1.0, shuffle=True, seed=1), None)
    np.testing.assert_array_equal(original.centroids, shuffled.centroids)
    np.testing.assert_array_equal(original.covariances, shuffled.covariances)
    # The family's frame adds the SQL scoring terms (precisions, log normalisers) from the arrays.
    family = estimators.get("gmm")
    reread = FittedModel.from_frame(original.to_frame(), ["f0", "f1", "f2"])
    assert family.to_frame(reread).equals(model)


def test_feature_column_order_of_new_data_does_not_matter(data, feature_frame):
    frame = feature_frame(data)
    model = _fit(frame, {"algorithm": "kmeans", "n_clusters": 4})
    reordered = frame.select("f2", "customer_id", "f0", "f1")
    assert api.assign_segments(reordered, model, {}).equals(api.assign_segments(frame, model, {}))


def test_scoring_a_single_customer(data, feature_frame):
    model = _fit(feature_frame(data), {"algorithm": "kmeans", "n_clusters": 4})
    one = api.assign_segments(feature_frame(data[:1], ids=["x"]), model, {})
    assert one.height == 1 and one["segment_id"].item() >= 1


def test_missing_model_feature_is_an_error(data, feature_frame):
    model = _fit(feature_frame(data), {"algorithm": "kmeans", "n_clusters": 4})
    with pytest.raises(ValueError, match=r"\['f2'\]"):
        api.assign_segments(feature_frame(data).drop("f2"), model, {})
