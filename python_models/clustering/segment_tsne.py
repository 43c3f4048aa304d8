"""t-SNE coordinates of a reproducible sample of tsne_sample_size customers (from the sample)."""

from customer_segmentation import api
from customer_segmentation.console import dbt_console


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    # After the fit, though it does not read it: dbt schedules by graph depth, not by need, and
    # Python models share one interpreter, so run beside the search they would slow the fit
    # that every SQL model downstream waits for (about 4 s at 1M customers).
    dbt.ref("segmentation_model")
    features = dbt.ref("int_customer_features_sample").pl()
    return api.tsne_sample(features, settings, log=dbt_console("segment_tsne"))
