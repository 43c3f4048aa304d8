"""The Python stack a build ran on: package versions, for the python_environment model.

Reading the versions imports the clustering stack (scikit-learn, SciPy, NumPy, polars) once, early
in a build: the model that calls this has no inputs, so dbt runs it while DuckDB reads the files,
and the first clustering model (segmentation_search, which refs it) starts with warm imports
instead of paying about 1.7 s of them on the way to every downstream model.
"""

from __future__ import annotations

import importlib.metadata
import platform

import polars as pl

PACKAGES = (
    "customer-segmentation",
    "scikit-learn",
    "scipy",
    "numpy",
    "polars",
    "pandas",
    "pyarrow",
    "threadpoolctl",
    "altair",
    "vl-convert-python",
    "duckdb",
    "dbt-core",
    "dbt-duckdb",
)


def package_versions() -> pl.DataFrame:
    """One row per package of PACKAGES that is installed (and Python itself): name and version."""
    import customer_segmentation.api  # noqa: F401  (the clustering stack: see the module docstring)

    rows = [("python", platform.python_version())]
    for name in PACKAGES:
        try:
            rows.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            continue
    return pl.DataFrame(rows, schema={"package": pl.Utf8, "version": pl.Utf8}, orient="row")
