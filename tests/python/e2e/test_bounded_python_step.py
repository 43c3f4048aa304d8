"""Issue 10: the Python step reads a bounded sample; everything over every customer is SQL.

One build of the demo (about 3,000 customers) with var sample_size far below the base, so the
sample, the SQL K-Means refinement, the SQL assignment and the SQL PCA projection all take their
"large base" path. Each SQL result is recomputed here with numpy from the tables it started from.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from customer_segmentation import api
from customer_segmentation.projection import pca_axes

from .conftest import DbtRun, run_dbt, shared_build

pytestmark = pytest.mark.dbt

SAMPLE = 400
SEED = 42
SETTINGS = {
    "sample_size": SAMPLE,
    "tsne_sample_size": 150,
    "linkage_sample_size": 300,
    "random_seed": SEED,
    "kmeans_refine_steps": 4,
}


@shared_build
def sampled_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    return run_dbt(
        tmp_path_factory.mktemp("sampled"),
        variables=SETTINGS,
        extra_args=[
            "--select",
            "+customer_segments_scored +segment_projections +segment_linkage",
            "--indirect-selection",
            "cautious",
        ],
    )


def scaled_matrix(run: DbtRun, table: str) -> tuple[list[str], list[str], np.ndarray]:
    """Return (ids, features sorted by name, X) of a scaled-feature table, rows sorted by id."""
    frame = run.frame(f"select * from {table} order by customer_id")
    features = sorted(name for name in frame.columns if name != "customer_id")
    return frame["customer_id"].to_list(), features, frame.select(features).to_numpy()


def centroids_at(run: DbtRun, iteration: int, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
    rows = run.frame(
        "select segment_id, feature_name, centroid_scaled from int_segment_centroids_refined "
        f"where iteration = {iteration}"
    )
    ids = np.array(sorted(set(rows["segment_id"].to_list())))
    out = np.full((ids.size, len(features)), np.nan)
    for segment, feature, value in rows.iter_rows():
        out[np.searchsorted(ids, segment), features.index(feature)] = value
    return ids, out


def nearest(X: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each row's nearest centre (first on ties) and the squared distance."""
    d2 = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    index = np.argmin(d2, axis=1)
    return index, d2[np.arange(X.shape[0]), index]


def test_python_models_read_only_the_documented_sample(sampled_build: DbtRun):
    everyone = [r[0] for r in sampled_build.query("select customer_id from int_customer_features")]
    assert len(everyone) > 5 * SAMPLE, "the demo must be much larger than the sample here"
    # The draw documented in int_customer_features_sample: md5('<seed>:<id>') order, first N.
    expected = sorted(everyone, key=lambda i: (hashlib.md5(f"{SEED}:{i}".encode()).hexdigest(), i))
    sample = {
        r[0] for r in sampled_build.query("select customer_id from int_customer_features_sample")
    }
    assert sample == set(expected[:SAMPLE])
    tsne = {r[0] for r in sampled_build.query("select customer_id from segment_tsne")}
    assert len(tsne) == SETTINGS["tsne_sample_size"] and tsne <= sample
    assert sampled_build.scalar("select count(*) from segment_linkage") == (
        SETTINGS["linkage_sample_size"] - 1
    )
    # K-Means is assigned in SQL: the Python assignment model is empty and never read customers.
    assert sampled_build.scalar("select count(*) from int_segment_assignments_python") == 0
    assert sampled_build.scalar("select count(*) from segment_assignments") == len(everyone)
    assert f"fitted kmeans on a sample of {SAMPLE} of {len(everyone):,} customers" in (
        sampled_build.output
    )
    # The search's log names the whole base too, not the sample it was handed.
    assert f"segmentation_search: sample of {SAMPLE} of {len(everyone):,} customers" in (
        sampled_build.output
    )


def test_the_console_reports_how_far_each_lloyd_step_moved_the_centres(sampled_build: DbtRun):
    moves = [
        float(row[0])
        for row in sampled_build.query(
            "select max(centroid_shift) from int_segment_centroids_refined "
            "where iteration > 0 group by iteration order by iteration"
        )
    ]
    assert len(moves) == SETTINGS["kmeans_refine_steps"]
    everyone = sampled_build.scalar("select count(*) from int_customer_features_scaled")
    line = next(
        line for line in sampled_build.output.splitlines() if "K-Means refined over" in line
    )
    assert f"K-Means refined over {everyone:,} customers in {len(moves)} Lloyd steps" in line
    reported = [float(value) for value in line.split("(scaled units): ")[1].split(", ")]
    assert reported == pytest.approx(moves, rel=1e-3)


def test_sql_lloyd_steps_match_numpy(sampled_build: DbtRun):
    _, features, X = scaled_matrix(sampled_build, "int_customer_features_scaled")
    steps = sampled_build.scalar("select max(iteration) from int_segment_centroids_refined")
    assert steps == SETTINGS["kmeans_refine_steps"]
    ids, centres = centroids_at(sampled_build, 0, features)
    inertia = nearest(X, centres)[1].sum()
    for step in range(1, steps + 1):
        labels, _ = nearest(X, centres)
        counts = np.bincount(labels, minlength=ids.size)
        means = np.array(
            [X[labels == j].mean(axis=0) if counts[j] else centres[j] for j in range(ids.size)]
        )
        got_ids, got = centroids_at(sampled_build, step, features)
        assert np.array_equal(got_ids, ids)
        np.testing.assert_allclose(got, means, atol=1e-9, err_msg=f"step {step}")
        members = sampled_build.frame(
            "select segment_id, max(member_count) as n from int_segment_centroids_refined "
            f"where iteration = {step} group by segment_id order by segment_id"
        )
        assert members["n"].to_list() == counts.tolist()
        centres = got
        step_inertia = nearest(X, centres)[1].sum()
        assert step_inertia <= inertia + 1e-9, "a Lloyd step never increases the inertia"
        inertia = step_inertia
    final = sampled_build.scalar(
        f"select count(*) from int_segment_centroids_refined where is_final and iteration = {steps}"
    )
    assert final == ids.size * len(features)


def test_every_customer_is_assigned_to_its_nearest_final_centre_in_sql(sampled_build: DbtRun):
    customer_ids, features, X = scaled_matrix(sampled_build, "int_customer_features_scaled")
    steps = SETTINGS["kmeans_refine_steps"]
    ids, centres = centroids_at(sampled_build, steps, features)
    index, d2 = nearest(X, centres)
    assigned = sampled_build.frame(
        "select segment_id, distance_to_centroid from segment_assignments order by customer_id"
    )
    assert assigned["segment_id"].to_list() == ids[index].tolist()
    np.testing.assert_allclose(assigned["distance_to_centroid"].to_numpy(), np.sqrt(d2), atol=1e-9)
    published = sampled_build.frame(
        "select segment_id, centroid_scaled from segment_centroids "
        "order by segment_id, feature_name"
    )
    np.testing.assert_allclose(published["centroid_scaled"].to_numpy(), centres.ravel(), atol=0)
    # SQL scoring of the same customers (from raw features) lands in the same segments.
    differing = sampled_build.scalar(
        "select count(*) from segment_assignments a join customer_segments_scored s "
        "using (customer_id) where a.segment_id != s.segment_id"
    )
    assert differing == 0
    assert len(customer_ids) == sampled_build.scalar(
        "select count(*) from customer_segments_scored"
    )


def test_everyone_is_projected_on_the_pca_axes_of_the_sample(sampled_build: DbtRun):
    _, features, sample = scaled_matrix(sampled_build, "int_customer_features_sample")
    mean, loadings, ratios = pca_axes(sample)
    axes = sampled_build.frame("select * from segment_pca_axes order by feature_name")
    assert axes["feature_name"].to_list() == features
    np.testing.assert_allclose(axes["feature_mean"].to_numpy(), mean, atol=1e-12)
    np.testing.assert_allclose(
        axes.select("loading_1", "loading_2").to_numpy(), loadings, atol=1e-9
    )
    assert axes["explained_variance_ratio_1"][0] == pytest.approx(ratios[0], abs=1e-12)
    _, _, X = scaled_matrix(sampled_build, "int_customer_features_scaled")
    pca = sampled_build.frame(
        "select dim_1, dim_2, segment_id from segment_projections where method = 'pca' "
        "order by customer_id"
    )
    assert pca.height == X.shape[0]
    np.testing.assert_allclose(
        pca.select("dim_1", "dim_2").to_numpy(), (X - mean) @ loadings, atol=1e-9
    )
    assert pca["segment_id"].null_count() == 0


@shared_build
def sampled_gmm_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    return run_dbt(
        tmp_path_factory.mktemp("sampled_gmm"),
        variables={**SETTINGS, "cluster_algorithm": "gmm", "n_clusters": 4},
        extra_args=[
            "--select",
            "+segment_assignments +customer_segments_scored",
            "--indirect-selection",
            "cautious",
        ],
    )


def test_gaussian_mixture_posteriors_in_sql_equal_the_python_scoring(sampled_gmm_build: DbtRun):
    """SQL scores a mixture from the stored precisions; the package (Cholesky solves) agrees."""
    features = sampled_gmm_build.frame("select * from int_customer_features_scaled")
    model = sampled_gmm_build.frame("select * from segmentation_model")
    assert set(model["parameter"]) >= {"precision", "log_normaliser", "covariance"}
    python = api.assign_segments(features, model, {}).sort("customer_id")
    sql = sampled_gmm_build.frame("select * from segment_assignments order by customer_id")
    assert sampled_gmm_build.scalar("select count(*) from int_segment_assignments_python") == 0
    assert sql["customer_id"].to_list() == python["customer_id"].to_list()
    assert sql["segment_id"].to_list() == python["segment_id"].to_list()
    np.testing.assert_allclose(
        sql["membership_probability"].to_numpy(),
        python["membership_probability"].to_numpy(),
        atol=1e-9,
    )
    np.testing.assert_allclose(
        sql["distance_to_centroid"].to_numpy(), python["distance_to_centroid"].to_numpy(), atol=1e-9
    )
    assert sql["membership_probability"].min() < 0.99, "some customers sit between components"
    # SQL scoring from the raw features (customer_segments_scored) uses the same posterior.
    scored = sampled_gmm_build.frame(
        "select segment_id from customer_segments_scored order by customer_id"
    )
    assert scored["segment_id"].to_list() == python["segment_id"].to_list()
