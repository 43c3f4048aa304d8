"""Property tests on random matrices: one segment per row, order invariance, scoring = fit."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from customer_segmentation import api
from customer_segmentation.estimators import get
from customer_segmentation.params import parse_params
from customer_segmentation.sampling import sample_indices
from customer_segmentation.search import Search

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ALGORITHMS = st.sampled_from(["kmeans", "agglomerative", "gmm", "dbscan", "auto"])


@st.composite
def matrices(draw, max_rows: int = 60) -> np.ndarray:
    """Random matrices; rounding to integers makes duplicate rows and distance ties likely."""
    n = draw(st.integers(3, max_rows))
    d = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    X = np.random.default_rng(seed).normal(scale=draw(st.sampled_from([1.0, 3.0])), size=(n, d))
    if draw(st.booleans()):
        X = np.round(X)
    assume(any(np.unique(X[:, j]).size > 1 for j in range(d)))
    return X


def _frame(X: np.ndarray, ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"customer_id": ids, **{f"f{j}": X[:, j] for j in range(X.shape[1])}},
        schema={"customer_id": pl.Utf8, **{f"f{j}": pl.Float64 for j in range(X.shape[1])}},
    )


def _run(frame: pl.DataFrame, config: dict) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        candidates = api.search_candidates(frame, config)
        model = api.fit_model(frame, candidates, None, config)
        return candidates, model, api.assign_segments(frame, model, config)


def _segments(frame: pl.DataFrame, config: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    _, model, assignments = _run(frame, config)
    return model, assignments


def _config(algorithm: str) -> dict:
    return {"algorithm": algorithm, "k_min": 2, "k_max": 4, "n_init": 2, "random_seed": 1}


@SETTINGS
@given(X=matrices(), algorithm=ALGORITHMS)
def test_every_customer_gets_exactly_one_known_segment(X, algorithm):
    ids = [f"id{i}" for i in range(X.shape[0])]
    model, out = _segments(_frame(X, ids), _config(algorithm))
    assert out.height == X.shape[0]
    assert sorted(out["customer_id"].to_list()) == sorted(ids)
    assert out["customer_id"].is_sorted()
    assert out["segment_id"].null_count() == 0
    assert set(out["segment_id"].to_list()) <= set(model["segment_id"].to_list())
    assert out["distance_to_centroid"].min() >= 0.0
    assert ((out["membership_probability"] > 0) & (out["membership_probability"] <= 1)).all()


@SETTINGS
@given(
    X=matrices(),
    algorithm=ALGORITHMS,
    shuffle_seed=st.integers(0, 1000),
    integer_ids=st.booleans(),
)
def test_segment_ids_do_not_depend_on_input_row_order(X, algorithm, shuffle_seed, integer_ids):
    if integer_ids:
        ids = [str((i * 7919) % 100003) for i in range(X.shape[0])]
    else:
        ids = [f"{i:03d}-{(i * 7919) % 101}" for i in range(X.shape[0])]
    frame = _frame(X, ids)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=shuffle_seed)
    first_candidates, first_model, first = _run(frame, _config(algorithm))
    second_candidates, second_model, second = _run(shuffled, _config(algorithm))
    assert first.equals(second)
    assert first_model.equals(second_model)
    assert first_candidates.equals(second_candidates)


@SETTINGS
@given(
    # var sample_size is at least 100 (the var schema): up to 160 rows, so the sample is often
    # smaller than the input.
    X=matrices(max_rows=160),
    algorithm=ALGORITHMS,
    sample_size=st.integers(100, 160),
    min_share=st.sampled_from([0.0, 0.02, 0.3]),
)
def test_bit_identical_inputs_give_bit_identical_outputs(X, algorithm, sample_size, min_share):
    """Search, fit and assign twice on copies of the same frame: every output is identical,
    including with a sample smaller than the input and whatever the minimum segment share."""
    ids = [f"c{i:04d}" for i in range(X.shape[0])]
    config = _config(algorithm) | {"sample_size": sample_size, "min_segment_share": min_share}
    first = _run(_frame(X, ids), config)
    second = _run(_frame(X.copy(), list(ids)), config)
    for a, b in zip(first, second, strict=True):
        assert a.equals(b)
    selected = first[0].filter(pl.col("is_selected"))
    assert selected.height == 1


@SETTINGS
@given(X=matrices(), k=st.integers(2, 5), sample_size=st.integers(3, 60))
def test_kmeans_scoring_the_training_set_returns_the_fitted_labels(X, k, sample_size):
    ids = [f"c{i:04d}" for i in range(X.shape[0])]
    k = min(k, np.unique(X, axis=0).shape[0])
    assume(k >= 2)
    sample = sample_indices(X.shape[0], sample_size, 4)
    assume(np.unique(X[sample], axis=0).shape[0] >= k)
    names = [f"f{j}" for j in range(X.shape[1])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = parse_params({"n_init": 2, "random_seed": 4})
        model, labels = get("kmeans").fit(X, tuple(names), sample, k, {}, params, None)
        out = api.assign_segments(_frame(X, ids), model.to_frame(), {})
    np.testing.assert_array_equal(out["segment_id"].to_numpy(), labels)
    sizes = np.bincount(labels, minlength=model.segment_ids.max() + 1)[model.segment_ids]
    np.testing.assert_allclose(model.weights, sizes / X.shape[0])


@SETTINGS
@given(
    X=matrices(),
    algorithm=st.sampled_from(["kmeans", "agglomerative", "gmm"]),
    min_share=st.sampled_from([0.05, 0.15, 0.3]),
)
def test_the_selected_candidate_is_eligible_whenever_one_is(X, algorithm, min_share):
    """For the families whose only eligibility condition is the minimum share."""
    names = [f"f{j}" for j in range(X.shape[1])]
    params = parse_params(_config(algorithm))
    search = Search(X, names, params, min_share, [], lambda line: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = search.run()
    assume(search.rows)
    rows = [row for family in search.rows.values() for row in family]
    selected = rows[table["is_selected"].to_list().index(True)]
    reason = table.filter(pl.col("is_selected"))["selection_reason"].item()

    def eligible(row: dict) -> bool:
        return row["smallest_share"] is None or row["smallest_share"] >= min_share

    if any(eligible(row) for row in rows):
        assert eligible(selected), reason
    else:
        assert f"no {algorithm} candidate is eligible" in reason
