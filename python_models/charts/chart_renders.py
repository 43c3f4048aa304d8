"""Render the docs charts from this build's tables into the asset folder; one row per chart."""

from customer_segmentation.charts import in_build
from customer_segmentation.console import dbt_console


def project_dir():
    # dbt-duckdb runs Python models inside the dbt process, so dbt's flags name the project folder.
    try:
        from dbt.flags import get_flags

        return get_flags().PROJECT_DIR or "."
    except Exception:
        return "."


def model(dbt, session):
    dbt.config(materialized="table")
    tables = {
        "build_context": dbt.ref("chart_build_context"),
        "base_customers": dbt.ref("base_customers"),
        "base_orders": dbt.ref("base_orders"),
        "int_customer_features": dbt.ref("int_customer_features"),
        "feature_scaling": dbt.ref("feature_scaling"),
        "int_customer_features_scaled": dbt.ref("int_customer_features_scaled"),
        "segmentation_candidates": dbt.ref("segmentation_candidates"),
        "customer_segments": dbt.ref("customer_segments"),
        "segment_profiles": dbt.ref("segment_profiles"),
        "segment_centroids": dbt.ref("segment_centroids"),
        "segment_projections": dbt.ref("segment_projections"),
        "segment_linkage": dbt.ref("segment_linkage"),
        "chart_sample": dbt.ref("int_customer_features_sample"),
    }
    return in_build.render_charts(tables, project_dir(), log=dbt_console("chart_renders"))
