"""The Python packages (and versions) this build's segments were computed with.

No inputs, so dbt runs it first, beside the SQL that reads the files: its imports warm the
clustering stack for segmentation_search (see customer_segmentation.environment).
"""

from customer_segmentation import environment


def model(dbt, session):
    dbt.config(materialized="table")
    return environment.package_versions()
