"""Degenerate inputs give documented outcomes through all five api functions, never a traceback."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

from customer_segmentation import api


def _pipeline(frame: pl.DataFrame, config: dict) -> dict[str, pl.DataFrame]:
    """Run the five api functions as the dbt models chain them; warnings are recorded."""
    lines: list[str] = []
    candidates = api.search_candidates(frame, config, log=lines.append)
    model = api.fit_model(frame, candidates, None, config, log=lines.append)
    assignments = api.assign_segments(frame, model, config, log=lines.append)
    return {
        "candidates": candidates,
        "model": model,
        "assignments": assignments,
        "projection": api.project_customers(frame, assignments, config, log=lines.append),
        "linkage": api.build_linkage(frame, config, log=lines.append),
        "lines": pl.DataFrame({"line": lines}, schema={"line": pl.Utf8}),
    }


def _schemas_hold(out: dict[str, pl.DataFrame]) -> None:
    expected = {
        "candidates": api.CANDIDATES_SCHEMA,
        "model": api.MODEL_SCHEMA,
        "assignments": api.ASSIGNMENTS_SCHEMA,
        "projection": api.PROJECTION_SCHEMA,
        "linkage": api.LINKAGE_SCHEMA,
    }
    for name, schema in expected.items():
        assert out[name].schema == pl.Schema(schema), name


def test_one_feature_segments_everyone_but_has_no_projection(feature_frame):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, 150), rng.normal(8, 1, 150)]).reshape(-1, 1)
    with pytest.warns(UserWarning, match="No 2-D projection"):
        out = _pipeline(feature_frame(X, names=["monetary"]), {"algorithm": "kmeans"})
    _schemas_hold(out)
    assert out["assignments"].height == 300
    assert out["candidates"].filter(pl.col("is_selected"))["n_clusters"].item() >= 2
    assert out["projection"].height == 0
    assert out["linkage"].height == 299
    assert out["lines"]["line"].str.contains("WARNING: No 2-D projection").any()


def test_fewer_customers_than_the_tsne_sample_project_everyone(feature_frame):
    X = np.random.default_rng(1).normal(size=(40, 3))
    config = {"algorithm": "kmeans", "tsne_sample_size": 2000, "k_max": 4}
    out = _pipeline(feature_frame(X), config)
    _schemas_hold(out)
    counts = dict(out["projection"].group_by("method").len().iter_rows())
    assert counts == {"pca": 40, "tsne": 40}


def test_identical_customers_form_one_segment(feature_frame):
    X = np.tile([[1.5, -0.2, 3.0]], (25, 1))
    with pytest.warns(UserWarning) as caught:
        out = _pipeline(feature_frame(X), {"algorithm": "auto"})
    messages = " | ".join(str(w.message) for w in caught)
    assert "all customers are identical" in messages
    assert "t-SNE skipped" in messages
    _schemas_hold(out)
    selected = out["candidates"].filter(pl.col("is_selected")).row(0, named=True)
    assert selected["n_clusters"] == 1
    assert "one segment" in selected["selection_reason"]
    assert out["assignments"]["segment_id"].unique().to_list() == [1]
    pca = out["projection"].filter(pl.col("method") == "pca")
    assert pca.height == 25 and (pca["dim_1"] == 0).all() and (pca["dim_2"] == 0).all()
    assert out["projection"].filter(pl.col("method") == "tsne").height == 0
    assert out["linkage"].height == 24


def test_a_feature_that_became_constant_is_dropped_and_named_in_the_selection(feature_frame):
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(0, 0.5, (100, 2)), rng.normal(5, 0.5, (100, 2))])
    frame = feature_frame(X, names=["frequency", "monetary"]).with_columns(
        pl.lit(0.0).alias("recency_days")
    )
    with pytest.warns(UserWarning, match="recency_days"):
        out = _pipeline(frame, {"algorithm": "kmeans", "k_max": 4})
    selected = out["candidates"].filter(pl.col("is_selected")).row(0, named=True)
    assert selected["features"] == "frequency,monetary"
    assert "Dropped constant or empty feature(s): recency_days" in selected["selection_reason"]
    assert out["model"]["feature_name"].drop_nulls().unique().sort().to_list() == [
        "frequency",
        "monetary",
    ]


def test_fewer_distinct_points_than_k_min_caps_k(feature_frame):
    X = np.repeat(np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]]), 20, axis=0)
    with pytest.warns(UserWarning, match="k capped at 3"):
        out = _pipeline(feature_frame(X), {"algorithm": "kmeans", "k_min": 5, "k_max": 8})
    _schemas_hold(out)
    assert out["candidates"]["n_clusters"].to_list() == [3]
    assert out["assignments"]["segment_id"].n_unique() == 3


@pytest.mark.parametrize("algorithm", ["agglomerative", "gmm", "dbscan", "auto"])
def test_two_distinct_points_work_for_every_algorithm(feature_frame, algorithm):
    X = np.repeat(np.array([[0.0, 0.0], [3.0, 1.0]]), 15, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = _pipeline(feature_frame(X), {"algorithm": algorithm})
    _schemas_hold(out)
    assert out["assignments"].height == 30
    assert out["candidates"]["is_selected"].sum() == 1
