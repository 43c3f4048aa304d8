"""2-D pictures of the customers: PCA for everyone, t-SNE for a reproducible sample."""

from customer_segmentation import api


def console(message):
    """Write one line to the dbt console (dbt runs Python models in-process)."""
    from dbt_common.events.functions import fire_event
    from dbt_common.events.types import Note

    fire_event(Note(msg=f"segment_projections: {message}"))


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    features = dbt.ref("int_customer_features_scaled").pl()
    assignments = dbt.ref("segment_assignments").pl()
    return api.project_customers(features, assignments, settings, log=console)
