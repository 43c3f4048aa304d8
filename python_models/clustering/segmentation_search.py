"""Candidate segmentations (algorithm x number of clusters) with their quality indices.

Grain: one row per candidate tried; exactly one row has is_selected = true.
"""

from customer_segmentation import api
from customer_segmentation.console import dbt_console


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    # After the model that imported the clustering libraries early, beside the SQL (see it).
    dbt.ref("python_environment")
    features = dbt.ref("int_customer_features_sample").pl()
    scaling = dbt.ref("feature_scaling").pl()
    base_size = dbt.ref("int_customer_features_scaled").aggregate("count(*)").fetchall()[0][0]
    return api.search_candidates(
        features,
        settings,
        log=dbt_console("segmentation_search"),
        scaling=scaling,
        base_size=base_size,
    )
