"""One row per valid customer: the segment the fitted model assigns, with its probability."""

from customer_segmentation import api


def console(message):
    """Write one line to the dbt console (dbt runs Python models in-process)."""
    from dbt_common.events.functions import fire_event
    from dbt_common.events.types import Note

    fire_event(Note(msg=f"segment_assignments: {message}"))


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    features = dbt.ref("int_customer_features_scaled").pl()
    fitted = dbt.ref("segmentation_model").pl()
    return api.assign_segments(features, fitted, settings, log=console)
