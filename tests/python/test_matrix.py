"""prepare_matrix: sorted rows, dropped constant features, clear errors."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from customer_segmentation.matrix import prepare_matrix
from customer_segmentation.sampling import sample_indices


def _frame(**columns) -> pl.DataFrame:
    return pl.DataFrame({"customer_id": ["b", "c", "a"], **columns})


def test_rows_sorted_by_id_and_features_in_requested_order():
    frame = _frame(x=[2.0, 3.0, 1.0], y=[20.0, 30.0, 10.0])
    ids, X, kept = prepare_matrix(frame, ["y", "x"])
    assert list(ids) == ["a", "b", "c"]
    assert kept == ["y", "x"]
    np.testing.assert_array_equal(X, [[10.0, 1.0], [20.0, 2.0], [30.0, 3.0]])
    assert X.dtype == np.float64 and X.flags.c_contiguous


def test_integer_ids_sort_numerically_other_ids_as_text():
    numeric = pl.DataFrame({"customer_id": ["10", "2", "007", "1", "7"], "x": [1.0, 2, 3, 4, 5]})
    ids, X, _ = prepare_matrix(numeric, ["x"])
    assert list(ids) == ["1", "2", "007", "7", "10"]
    np.testing.assert_array_equal(X[:, 0], [4.0, 2.0, 3.0, 5.0, 1.0])
    text = pl.DataFrame({"customer_id": ["10", "2", "a1"], "x": [1.0, 2.0, 3.0]})
    assert list(prepare_matrix(text, ["x"])[0]) == ["10", "2", "a1"]


def test_no_features_means_all_numeric_columns():
    frame = _frame(x=[2.0, 3.0, 1.0], label=["p", "q", "r"], n=[1, 5, 2])
    _, _, kept = prepare_matrix(frame, None)
    assert kept == ["x", "n"]


def test_missing_feature_lists_available_columns_and_the_var():
    frame = _frame(x=[2.0, 3.0, 1.0], y=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError) as error:
        prepare_matrix(frame, ["x", "income"])
    message = str(error.value)
    assert "income" in message
    assert "['x', 'y']" in message
    assert "segmentation_features" in message


def test_constant_and_all_null_features_are_dropped_with_warning():
    frame = _frame(x=[2.0, 3.0, 1.0], const=[4.0, 4.0, 4.0], empty=[None, None, None])
    with pytest.warns(UserWarning, match=r"const.*empty"):
        _, X, kept = prepare_matrix(frame, ["x", "const", "empty"])
    assert kept == ["x"]
    assert X.shape == (3, 1)


def test_only_constant_features_are_kept_so_identical_customers_form_one_segment():
    with pytest.warns(UserWarning, match="all customers are identical"):
        _, X, kept = prepare_matrix(_frame(const=[4.0, 4.0, 4.0], other=[1.0, 1.0, 1.0]), None)
    assert kept == ["const", "other"] and X.shape == (3, 2)


def test_only_all_null_features_is_an_error():
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="No usable features"):
        prepare_matrix(_frame(empty=[None, None, None]), ["empty"])


def test_constant_feature_kept_when_scoring():
    _, X, kept = prepare_matrix(_frame(const=[4.0, 4.0, 4.0]), ["const"], drop_constant=False)
    assert kept == ["const"] and X.shape == (3, 1)


def test_remaining_nulls_name_column_and_count():
    frame = _frame(x=[2.0, None, 1.0], y=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"'x' has 1 null"):
        prepare_matrix(frame, ["x", "y"])


def test_nan_values_are_rejected():
    frame = _frame(x=[2.0, float("nan"), 1.0])
    with pytest.raises(ValueError, match="non-finite"):
        prepare_matrix(frame, ["x"])


def test_non_numeric_feature_is_rejected():
    with pytest.raises(ValueError, match="not numeric"):
        prepare_matrix(_frame(gender=["F", "M", "F"]), ["gender"])


def test_duplicate_ids_are_rejected():
    frame = pl.DataFrame({"customer_id": ["a", "a"], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="not unique"):
        prepare_matrix(frame, ["x"])


def test_zero_rows_give_empty_arrays():
    frame = pl.DataFrame(schema={"customer_id": pl.Utf8, "x": pl.Float64})
    ids, X, kept = prepare_matrix(frame, ["x"])
    assert ids.shape == (0,) and X.shape == (0, 1) and kept == ["x"]


def test_sample_is_reproducible_sorted_and_complete_when_small():
    first = sample_indices(1000, 50, seed=3)
    assert np.array_equal(first, sample_indices(1000, 50, seed=3))
    assert not np.array_equal(first, sample_indices(1000, 50, seed=4))
    assert np.all(np.diff(first) > 0) and first.size == 50
    assert np.array_equal(sample_indices(10, 50, seed=3), np.arange(10))
