"""One row per valid customer: the segment the fitted model assigns, with its probability."""

from customer_segmentation import api


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    features = dbt.ref("int_customer_features_scaled").pl()
    fitted = dbt.ref("segmentation_model").pl()
    return api.assign_segments(features, fitted, settings)
