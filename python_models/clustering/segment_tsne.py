"""t-SNE coordinates of a reproducible sample of tsne_sample_size customers (from the sample)."""

from customer_segmentation import api


def console(message):
    """Write one line to the dbt console (dbt runs Python models in-process)."""
    from dbt_common.events.functions import fire_event
    from dbt_common.events.types import Note

    fire_event(Note(msg=f"segment_tsne: {message}"))


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    features = dbt.ref("int_customer_features_sample").pl()
    return api.tsne_sample(features, settings, log=console)
