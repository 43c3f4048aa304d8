"""Static Altair charts of the segmentation, for the dbt docs site.

Each function takes polars (or pandas) frames shaped like the project's tables and returns an Altair
chart with its data inline. When the data cannot give a chart (a table not built yet, no t-SNE rows,
a single feature) the function logs why and returns a small placeholder chart that says so;
:func:`placeholder_reason` tells the two apart. :mod:`customer_segmentation.charts.render` reads the
DuckDB file and writes every chart to ``assets/`` (``python -m customer_segmentation.charts``).
"""

from customer_segmentation.charts._common import (
    MAX_SCATTER_POINTS,
    ChartUnavailable,
    feature_label,
    placeholder,
    placeholder_reason,
    sample_rows,
)
from customer_segmentation.charts.exploration import (
    correlation_heatmap,
    feature_boxplots,
    feature_histograms,
    pair_plot,
)
from customer_segmentation.charts.model_selection import elbow_curve, selection_indices
from customer_segmentation.charts.segments import (
    centroid_heatmap,
    dendrogram,
    pca_projection,
    segment_scatter,
    segment_sizes,
    tsne_projection,
)

__all__ = [
    "MAX_SCATTER_POINTS",
    "ChartUnavailable",
    "centroid_heatmap",
    "correlation_heatmap",
    "dendrogram",
    "elbow_curve",
    "feature_boxplots",
    "feature_histograms",
    "feature_label",
    "pair_plot",
    "pca_projection",
    "placeholder",
    "placeholder_reason",
    "sample_rows",
    "segment_scatter",
    "segment_sizes",
    "selection_indices",
    "tsne_projection",
]
