"""Static Altair charts of the segmentation, for the dbt docs site.

Each function takes polars (or pandas) frames shaped like the project's tables and returns an Altair
chart with its data inline. When the data cannot give a chart (a table not built yet, no t-SNE rows,
a single feature) the function logs why and returns a small placeholder chart that says so;
:func:`placeholder_reason` tells the two apart. Inside `dbt build` the chart_renders model calls
:func:`customer_segmentation.charts.in_build.render_charts`, which writes every chart (with the
build's footer) and the interactive report into the asset folder; ``python -m
customer_segmentation.charts`` does the same from a built DuckDB file, without the footer.
"""

from __future__ import annotations

import importlib
from typing import Any

# The public names and the module of each, imported on first use (PEP 562): the package is also
# the command line (`python -m customer_segmentation.charts`), whose checks of its arguments
# should not wait for Altair, scikit-learn and polars to import (cli.py).
_EXPORTS = {
    "_common": (
        "MAX_SCATTER_POINTS",
        "ChartUnavailable",
        "feature_label",
        "placeholder",
        "placeholder_reason",
        "sample_rows",
    ),
    "exploration": (
        "correlation_heatmap",
        "feature_boxplots",
        "feature_histograms",
        "input_outcomes",
        "pair_plot",
    ),
    "model_selection": ("elbow_curve", "selection_indices"),
    "segments": (
        "centroid_heatmap",
        "dendrogram",
        "pca_projection",
        "segment_distances",
        "segment_scatter",
        "segment_sizes",
        "separating_features",
        "silhouette_plot",
        "tsne_projection",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})
