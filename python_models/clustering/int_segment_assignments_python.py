"""Segments of every customer for the methods SQL does not score (agglomerative, dbscan): the
nearest of up to 2,000 stored exemplars, in row chunks. Empty for kmeans and gmm, whose assignment
is SQL (segment_assignments); this model then never reads the customers."""

from customer_segmentation import api
from customer_segmentation.console import dbt_console


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    fitted = dbt.ref("segmentation_model").pl()
    if not api.assigns_in_python(fitted):
        return api.empty_assignments()
    features = dbt.ref("int_customer_features_scaled").pl()
    return api.assign_segments(
        features, fitted, settings, log=dbt_console("int_segment_assignments_python")
    )
