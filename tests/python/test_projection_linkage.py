"""2-D projections and the hierarchical merge table."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors

from customer_segmentation import api
from customer_segmentation.algorithms import one_thread
from customer_segmentation.projection import pca_2d, tsne_2d


@pytest.fixture(scope="module")
def data():
    X, _ = make_blobs(400, n_features=4, centers=3, random_state=6)
    return X


def _assignments(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("customer_id").with_columns(
        pl.int_range(pl.len()).mod(3).cast(pl.Int64).add(1).alias("segment_id")
    )


def test_pca_matches_sklearn_up_to_sign(data):
    coords, ratios = pca_2d(data)
    reference = PCA(n_components=2, svd_solver="full").fit(data)
    np.testing.assert_allclose(ratios, reference.explained_variance_ratio_[:2] / 1.0, rtol=1e-9)
    expected = reference.transform(data)
    for j in range(2):
        sign = np.sign(coords[:, j] @ expected[:, j])
        np.testing.assert_allclose(coords[:, j], sign * expected[:, j], atol=1e-8)


def test_pca_sign_is_deterministic_under_row_shuffles(data):
    order = np.random.default_rng(1).permutation(data.shape[0])
    coords, _ = pca_2d(data)
    shuffled, _ = pca_2d(data[order])
    np.testing.assert_allclose(shuffled, coords[order], atol=1e-9)


def test_projection_rows_schema_and_segments(data, feature_frame):
    frame = feature_frame(data)
    config = {"tsne_sample_size": 120, "random_seed": 3}
    out = api.project_customers(frame, _assignments(frame), config)
    assert out.schema == pl.Schema(api.PROJECTION_SCHEMA)
    counts = dict(out.group_by("method").len().iter_rows())
    assert counts == {"pca": 400, "tsne": 120}
    pca = out.filter(pl.col("method") == "pca")
    tsne = out.filter(pl.col("method") == "tsne")
    assert pca["explained_variance_ratio_1"].null_count() == 0
    assert tsne["explained_variance_ratio_1"].null_count() == 120
    assert pca["explained_variance_ratio_1"][0] >= pca["explained_variance_ratio_2"][0]
    assert out["segment_id"].null_count() == 0
    joined = pca.join(_assignments(frame), on="customer_id")
    assert (joined["segment_id"] == joined["segment_id_right"]).all()
    assert out.select("method", "customer_id").is_duplicated().sum() == 0
    assert out.equals(out.sort("method", "customer_id"))


def test_tsne_sample_is_reproducible(data, feature_frame):
    frame = feature_frame(data[:150])
    config = {"tsne_sample_size": 60, "random_seed": 5}
    first = api.project_customers(frame, _assignments(frame), config)
    assert first.equals(api.project_customers(frame, _assignments(frame), config))


def test_tsne_keeps_each_customers_neighbours_and_separates_the_groups():
    X, groups = make_blobs(900, n_features=4, centers=3, cluster_std=2.0, random_state=11)
    with one_thread():
        Y = tsne_2d(X, seed=2)
    assert trustworthiness(X, Y, n_neighbors=10) >= 0.95
    # Each point's 10 nearest neighbours in the picture come from its own group.
    nearest = NearestNeighbors(n_neighbors=11).fit(Y).kneighbors(Y, return_distance=False)[:, 1:]
    assert (groups[nearest] == groups[:, None]).mean() >= 0.98


def test_single_feature_gives_no_projection_and_says_why(feature_frame):
    frame = feature_frame(np.arange(10, dtype=float).reshape(-1, 1))
    lines: list[str] = []
    with pytest.warns(UserWarning, match=r"No 2-D projection: only 1 usable feature \(f0\)"):
        out = api.project_customers(frame, _assignments(frame), {}, log=lines.append)
    assert out.height == 0 and out.schema == pl.Schema(api.PROJECTION_SCHEMA)
    assert any(line.startswith("WARNING: No 2-D projection") for line in lines)


def test_customers_without_assignment_get_null_segment(data, feature_frame):
    frame = feature_frame(data[:20])
    out = api.project_customers(frame, _assignments(frame).head(5), {"tsne_sample_size": 0})
    assert out["segment_id"].null_count() == 15


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single"])
def test_linkage_table_matches_scipy_on_the_sample(data, feature_frame, method):
    frame = feature_frame(data)
    table = api.build_linkage(frame, {"linkage": method, "linkage_sample_size": 400})
    assert table.schema == pl.Schema(api.LINKAGE_SCHEMA)
    reference = linkage(data, method=method)
    assert table.height == data.shape[0] - 1
    assert table["merge_id"].to_list() == list(range(data.shape[0] - 1))
    np.testing.assert_array_equal(table["left_node"], reference[:, 0].astype(int))
    np.testing.assert_array_equal(table["right_node"], reference[:, 1].astype(int))
    np.testing.assert_allclose(table["distance"], reference[:, 2])
    assert table["merged_size"][-1] == data.shape[0]


def test_linkage_uses_a_reproducible_sample(data, feature_frame):
    frame = feature_frame(data)
    config = {"linkage_sample_size": 50, "random_seed": 2}
    table = api.build_linkage(frame, config)
    assert table.height == 49
    assert table.equals(api.build_linkage(frame, config))
    assert table["merged_size"].max() == 50
    tree = table.select("left_node", "right_node", "distance", "merged_size").to_numpy()
    assert len(set(fcluster(tree.astype(float), 3, criterion="maxclust"))) == 3


def test_one_customer_gets_one_segment_a_projection_and_an_empty_linkage(feature_frame):
    frame = feature_frame(np.array([[1.0, 2.0]]))
    with pytest.warns(UserWarning, match="one segment"):
        candidates = api.search_candidates(frame, {})
    model = api.fit_model(frame, candidates, None, {})
    assignments = api.assign_segments(frame, model, {})
    assert assignments["segment_id"].to_list() == [1]
    with pytest.warns(UserWarning, match="t-SNE skipped"):
        projection = api.project_customers(frame, assignments, {})
    assert projection.select("method", "dim_1", "dim_2").rows() == [("pca", 0.0, 0.0)]
    out = api.build_linkage(frame, {})
    assert out.height == 0 and out.schema == pl.Schema(api.LINKAGE_SCHEMA)
