"""What the clustering step says: warnings forwarded, the logging fallback, the scaling line."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import polars as pl
import pytest

from customer_segmentation import api, console


def test_warnings_are_logged_as_they_happen_and_still_raised():
    lines: list[str] = []
    with pytest.warns(UserWarning, match="first"), console.warnings_to(lines.append):
        warnings.warn("first", stacklevel=1)
        lines.append("between")
        warnings.warn("a deprecation", DeprecationWarning, stacklevel=1)
    assert lines == ["WARNING: first", "between"]


def test_without_a_log_the_lines_go_to_the_standard_logger(feature_frame, caplog):
    X = np.random.default_rng(0).normal(size=(60, 2))
    with caplog.at_level(logging.INFO, logger="customer_segmentation"):
        api.search_candidates(feature_frame(X), {"algorithm": "kmeans", "k_max": 3})
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("sample of 60 of 60 customers")
    assert messages[-1].startswith("chose kmeans with ")


def test_the_scaling_line_names_transforms_and_clips_where_the_table_has_them(feature_frame):
    scaling = pl.DataFrame(
        {
            "feature_name": ["monetary", "age"],
            "method": ["robust", "standard"],
            "transform": ["log1p", "none"],
            "clip_lower": [1.2, None],
            "clip_upper": [9.87654, None],
        }
    )
    assert console.scaling_summary(scaling) == (
        "features prepared in SQL: age: standard scaling; "
        "monetary: log1p, outlier fence [1.2, 9.877], robust scaling"
    )
    lines: list[str] = []
    X = np.random.default_rng(1).normal(size=(40, 2))
    old_table = scaling.select("feature_name", "method")
    api.search_candidates(feature_frame(X), {"k_max": 3}, log=lines.append, scaling=old_table)
    assert lines[0] == "features prepared in SQL: age: standard scaling; monetary: robust scaling"


def test_dbt_console_fires_a_dbt_event_named_after_the_model():
    """What the dbt Python models pass as ``log``: one dbt event per line, through dbt's own event
    manager (recorded with a callback, the hook dbt offers to programmatic callers)."""
    from dbt_common.events.event_manager_client import get_event_manager

    manager = get_event_manager()
    received: list[str] = []
    manager.add_callback(lambda event: received.append(event.info.msg))
    try:
        console.dbt_console("segment_tsne")("t-SNE on 2,000 customers")
    finally:
        manager.callbacks.pop()
    assert received == ["segment_tsne: t-SNE on 2,000 customers"]


def test_progress_speaks_only_after_its_interval_and_never_for_the_last_unit():
    lines: list[str] = []
    quiet = console.Progress(lines.append, "silhouette", 100, every=3600)
    for done in (10, 50, 99):
        quiet(done)
    assert lines == []  # a step shorter than the interval says nothing
    chatty = console.Progress(lines.append, "silhouette", 100, every=0)
    chatty(25)
    chatty(100)  # the step's own closing line says it is done
    assert len(lines) == 1 and lines[0].startswith("  silhouette: 25 of 100 (25")
