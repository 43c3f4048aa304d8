"""python_environment: the versions a build ran with, and the early import it exists for."""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
import sys

import sklearn

from customer_segmentation import environment


def test_versions_are_the_installed_ones():
    frame = environment.package_versions()
    versions = dict(frame.iter_rows())
    assert frame["package"].is_unique().all()
    assert versions["python"] == platform.python_version()
    assert versions["scikit-learn"] == sklearn.__version__
    assert versions["dbt-core"] == importlib.metadata.version("dbt-core")
    assert set(versions) <= {"python", *environment.PACKAGES}


def test_reading_the_versions_imports_the_clustering_stack():
    # In a fresh interpreter: the model's point is that segmentation_search finds these imported.
    code = (
        "import sys\n"
        "from customer_segmentation import environment\n"
        "assert 'sklearn.cluster' not in sys.modules\n"
        "environment.package_versions()\n"
        "assert {'sklearn.cluster', 'sklearn.metrics', 'scipy', 'polars'} <= set(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
