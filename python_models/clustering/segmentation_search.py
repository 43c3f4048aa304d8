"""Candidate segmentations (algorithm x number of clusters) with their quality indices.

Grain: one row per candidate tried; exactly one row has is_selected = true.
"""

from customer_segmentation import api


def console(message):
    """Write one line to the dbt console (dbt runs Python models in-process)."""
    from dbt_common.events.functions import fire_event
    from dbt_common.events.types import Note

    fire_event(Note(msg=f"segmentation_search: {message}"))


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    features = dbt.ref("int_customer_features_sample").pl()
    scaling = dbt.ref("feature_scaling").pl()
    base_size = dbt.ref("int_customer_features_scaled").aggregate("count(*)").fetchall()[0][0]
    return api.search_candidates(
        features, settings, log=console, scaling=scaling, base_size=base_size
    )
