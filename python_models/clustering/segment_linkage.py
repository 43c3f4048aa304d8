"""The merge tree of a hierarchical clustering on a sample, for drawing a dendrogram."""

from customer_segmentation import api


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    features = dbt.ref("int_customer_features_scaled").pl()
    return api.build_linkage(features, settings)
