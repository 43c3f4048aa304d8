"""Customer segmentation for a dbt + DuckDB project.

The clustering logic lives here as plain, typed functions over NumPy arrays and polars frames.
dbt Python models in ``python_models/`` are thin wrappers around the functions in
:mod:`customer_segmentation.api`. Nothing in the clustering modules imports dbt or DuckDB.
"""

__version__ = "0.1.0"
