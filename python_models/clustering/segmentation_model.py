"""The fitted segmentation as data: centroids, weights, covariances and exemplars per segment.

Fitted on the bounded sample (int_customer_features_sample); for K-Means, SQL then refines the
centres over every customer (int_segment_centroids_refined).

Reads its own previous version (if any) so that segment ids keep their meaning between runs.
"""

from customer_segmentation import api
from customer_segmentation.console import dbt_console


def previous_version(dbt, session):
    """The table this model wrote last time, or None on the first run."""
    this = dbt.this
    exists = session.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [this.schema, this.identifier],
    ).fetchall()[0][0]
    return session.sql(f"select * from {this}").pl() if exists else None


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("segmentation")
    features = dbt.ref("int_customer_features_sample").pl()
    candidates = dbt.ref("segmentation_search").pl()
    base_size = dbt.ref("int_customer_features_scaled").aggregate("count(*)").fetchall()[0][0]
    return api.fit_model(
        features,
        candidates,
        previous_version(dbt, session),
        settings,
        log=dbt_console("segmentation_model"),
        base_size=base_size,
    )
