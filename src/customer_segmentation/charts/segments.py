"""Charts that show the segments: where they sit, how big they are, what sets them apart."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
import polars as pl
from scipy.cluster import hierarchy

from customer_segmentation.charts._common import (
    MAX_SCATTER_POINTS,
    Chart,
    ChartUnavailable,
    Frame,
    attach_segment_names,
    chart_builder,
    feature_label,
    fmt_int,
    require,
    sample_rows,
    segment_color,
    segment_names,
    style,
    title,
    to_polars,
)


def _sample_note(shown: int, total: int) -> str:
    if shown == total:
        return f"Each dot is a customer ({fmt_int(total)} customers)."
    return f"Each dot is a customer: a fixed sample of {fmt_int(shown)} of {fmt_int(total)}."


def _ordered_features(centroids: pl.DataFrame | None, customers: pl.DataFrame) -> list[str]:
    """Return the clustering features in feature_order from the centroids table."""
    if centroids is None or not {"feature_name", "feature_order"} <= set(centroids.columns):
        return []
    ordered = centroids.select("feature_name", "feature_order").unique().sort("feature_order")
    return [name for name in ordered["feature_name"].to_list() if name in customers.columns]


@chart_builder("Segments on the first two clustering features")
def segment_scatter(
    customers: Frame | None,
    centroids: Frame | None = None,
    features: Sequence[str] | None = None,
    max_points: int = MAX_SCATTER_POINTS,
) -> Chart:
    """Return a scatter of customers on the first two clustering features, coloured by segment,
    with each segment's centre drawn as a labelled diamond.

    ``customers`` has customer_id, segment_name (segment_id to place centres) and the features in
    their own units; ``centroids`` is segment_centroids; ``features`` defaults to the centroids'
    feature order. At most ``max_points`` customers are drawn (a fixed-seed sample).
    """
    frame = require(
        customers, "customer_segments joined to int_customer_features", ["segment_name"]
    )
    centres = to_polars(centroids)
    if features is None:
        features = _ordered_features(centres, frame)
    features = [feature for feature in features if feature in frame.columns]
    if len(features) < 2:
        raise ChartUnavailable("a segment scatter needs at least two clustering features")
    x_feature, y_feature = features[:2]
    names = segment_names(frame)
    sample = sample_rows(frame, max_points)
    points = sample.select(
        "segment_name",
        x=pl.col(x_feature).cast(pl.Float64),
        y=pl.col(y_feature).cast(pl.Float64),
    ).to_pandas()
    x_title, y_title = feature_label(x_feature), feature_label(y_feature)
    color = segment_color(names)
    dots = (
        alt.Chart(points)
        .mark_circle(size=14, opacity=0.55)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=color,
            tooltip=[
                alt.Tooltip("segment_name:N", title="Segment"),
                alt.Tooltip("x:Q", title=x_title, format=",.4~g"),
                alt.Tooltip("y:Q", title=y_title, format=",.4~g"),
            ],
        )
    )
    layers: list[alt.Chart] = [dots]
    if (
        centres is not None
        and "segment_id" in frame.columns
        and {"segment_id", "feature_name", "centroid_value"} <= set(centres.columns)
    ):
        centre_table = (
            centres.filter(pl.col("feature_name").is_in([x_feature, y_feature]))
            .pivot(on="feature_name", index="segment_id", values="centroid_value")
            .rename({x_feature: "x", y_feature: "y"}, strict=False)
        )
        if {"x", "y"} <= set(centre_table.columns):
            centre_table = attach_segment_names(
                centre_table.select("segment_id", "x", "y"),
                frame.select("segment_id", "segment_name").unique(),
            ).to_pandas()
            centre_base = alt.Chart(centre_table).encode(x="x:Q", y="y:Q")
            layers.append(
                centre_base.mark_point(
                    shape="diamond", size=220, filled=True, stroke="black", strokeWidth=1.5
                ).encode(
                    color=segment_color(names),
                    tooltip=alt.Tooltip("segment_name:N", title="Centre of"),
                )
            )
            label = {"dy": -16, "fontSize": 12, "fontWeight": "bold"}
            layers.append(  # a white halo under the name keeps it readable over the dots
                centre_base.mark_text(
                    **label, stroke="white", strokeWidth=4, strokeOpacity=0.85, strokeJoin="round"
                ).encode(text="segment_name:N")
            )
            layers.append(centre_base.mark_text(**label).encode(text="segment_name:N"))
    subtitle = [_sample_note(sample.height, frame.height) + " Diamonds mark the segment centres."]
    if len(features) > 2:
        subtitle.append(
            f"Segments were formed on {len(features)} features, so they may overlap in this "
            "two-feature view."
        )
    chart = alt.layer(*layers).properties(
        width=600,
        height=420,
        title=title(f"Segments by {x_title.lower()} and {y_title.lower()}", subtitle),
    )
    return style(chart)


def _projection_chart(
    projections: Frame | None,
    segments: Frame | None,
    method: str,
    max_points: int,
) -> Chart:
    frame = require(
        projections,
        "segment_projections",
        ["method", "customer_id", "segment_id", "dim_1", "dim_2"],
    )
    frame = frame.filter(pl.col("method") == method)
    if frame.height == 0:
        method_name = "t-SNE" if method == "tsne" else method.upper()
        raise ChartUnavailable(f"segment_projections has no {method_name} rows")
    frame = attach_segment_names(frame, segments)
    names = segment_names(frame)
    sample = sample_rows(frame, max_points)
    columns = ["customer_id", "segment_name", "dim_1", "dim_2"]
    points = sample.select(columns).to_pandas()
    if method == "pca":
        ratios = [
            frame[column].drop_nulls()[0]
            if column in frame.columns and frame[column].drop_nulls().len()
            else None
            for column in ("explained_variance_ratio_1", "explained_variance_ratio_2")
        ]
        axis_titles = [
            f"Principal component {index}"
            + (f" ({ratio:.1%} of the variation)" if ratio is not None else "")
            for index, ratio in enumerate(ratios, start=1)
        ]
        heading = "All clustering features squeezed into two dimensions (PCA)"
        explanation = (
            "PCA keeps the two directions along which customers differ most; "
            "the axis titles say how much of the variation each keeps."
        )
        axis = alt.Axis()
    else:
        axis_titles = ["t-SNE dimension 1", "t-SNE dimension 2"]
        heading = "Customer neighbourhoods (t-SNE map)"
        explanation = (
            "t-SNE places similar customers close together; the axes and the distances between "
            "groups carry no meaning."
        )
        axis = alt.Axis(labels=False, ticks=False)
    chart = (
        alt.Chart(points)
        .mark_circle(size=14, opacity=0.6)
        .encode(
            x=alt.X("dim_1:Q", title=axis_titles[0], axis=axis, scale=alt.Scale(zero=False)),
            y=alt.Y("dim_2:Q", title=axis_titles[1], axis=axis, scale=alt.Scale(zero=False)),
            color=segment_color(names),
            tooltip=[
                alt.Tooltip("customer_id:N", title="Customer"),
                alt.Tooltip("segment_name:N", title="Segment"),
            ],
        )
        .properties(
            width=600,
            height=420,
            title=title(heading, [_sample_note(sample.height, frame.height), explanation]),
        )
    )
    return style(chart)


@chart_builder("All clustering features squeezed into two dimensions (PCA)")
def pca_projection(
    projections: Frame | None, segments: Frame | None = None, max_points: int = MAX_SCATTER_POINTS
) -> Chart:
    """Return the PCA projection from segment_projections, coloured by segment.

    ``segments`` (segment_profiles or customer_segments) supplies names by segment_id; the axis
    titles give each component's share of the variance.
    """
    return _projection_chart(projections, segments, "pca", max_points)


@chart_builder("Customer neighbourhoods (t-SNE map)")
def tsne_projection(
    projections: Frame | None, segments: Frame | None = None, max_points: int = MAX_SCATTER_POINTS
) -> Chart:
    """Return the t-SNE map from segment_projections, coloured by segment."""
    return _projection_chart(projections, segments, "tsne", max_points)


@chart_builder("How big is each segment?")
def segment_sizes(profiles: Frame | None) -> Chart:
    """Return a bar per segment (largest first) labelled with its customers and share.

    ``profiles`` is segment_profiles (segment_id, segment_name, customer_count; customer_share is
    computed when absent).
    """
    frame = require(profiles, "segment_profiles", ["segment_id", "segment_name", "customer_count"])
    if "customer_share" not in frame.columns:
        frame = frame.with_columns(
            customer_share=pl.col("customer_count") / pl.col("customer_count").sum()
        )
    names = segment_names(frame)
    data = (
        frame.select("segment_id", "segment_name", "customer_count", "customer_share")
        .sort("customer_count", descending=True)
        .with_columns(
            label=pl.format(
                "{} ({}%)",
                pl.col("customer_count").map_elements(fmt_int, return_dtype=pl.String),
                (pl.col("customer_share") * 100).round(1),
            )
        )
    )
    order = data["segment_name"].to_list()
    base = alt.Chart(data.to_pandas()).encode(
        y=alt.Y("segment_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("customer_count:Q", title="Customers", axis=alt.Axis(format=",d")),
    )
    bars = base.mark_bar().encode(
        color=segment_color(names, legend=False),
        tooltip=[
            alt.Tooltip("segment_name:N", title="Segment"),
            alt.Tooltip("customer_count:Q", title="Customers", format=",d"),
            alt.Tooltip("customer_share:Q", title="Share", format=".1%"),
        ],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(text="label:N")
    chart = alt.layer(bars, labels).properties(
        width=520,
        height=max(120, 30 * len(order)),
        title=title(
            "How big is each segment?",
            f"Customers per segment ({fmt_int(frame['customer_count'].sum())} in all).",
        ),
    )
    return style(chart)


@chart_builder("What sets each segment apart")
def centroid_heatmap(centroids: Frame | None, segments: Frame | None = None) -> Chart:
    """Return a segments x features heatmap of the scaled centres, each cell labelled with the
    centre in the feature's own units.

    ``centroids`` is segment_centroids; ``segments`` (segment_profiles) gives names by segment_id.
    """
    frame = require(
        centroids, "segment_centroids", ["segment_id", "feature_name", "centroid_scaled"]
    )
    frame = attach_segment_names(frame, segments)
    if "feature_order" not in frame.columns:
        frame = frame.with_columns(feature_order=pl.lit(0))
    if "centroid_value" not in frame.columns:
        frame = frame.with_columns(centroid_value=pl.col("centroid_scaled"))
    feature_order = (
        frame.select("feature_name", "feature_order").unique().sort("feature_order", "feature_name")
    )["feature_name"].to_list()
    labels = [feature_label(name) for name in feature_order]
    names = segment_names(frame)
    data = frame.select(
        "segment_name",
        feature=pl.col("feature_name").map_elements(feature_label, return_dtype=pl.String),
        centroid_scaled=pl.col("centroid_scaled").cast(pl.Float64),
        centroid_value=pl.col("centroid_value").cast(pl.Float64),
    ).to_pandas()
    limit = float(np.nanmax(np.abs(data["centroid_scaled"].to_numpy()))) if len(data) else 1.0
    limit = limit if np.isfinite(limit) and limit > 0 else 1.0
    base = alt.Chart(data).encode(
        x=alt.X(
            "feature:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=200)
        ),
        y=alt.Y("segment_name:N", sort=names, title=None, axis=alt.Axis(labelLimit=260)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "centroid_scaled:Q",
            title=["Below / above", "average (scaled)"],
            scale=alt.Scale(scheme="blueorange", domain=[-limit, limit], domainMid=0),
        ),
        tooltip=[
            alt.Tooltip("segment_name:N", title="Segment"),
            alt.Tooltip("feature:N", title="Feature"),
            alt.Tooltip("centroid_value:Q", title="Centre", format=",.4~g"),
            alt.Tooltip("centroid_scaled:Q", title="Scaled", format=".2f"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("centroid_value:Q", format=",.3~g"),
        color=alt.condition(
            f"abs(datum.centroid_scaled) > {0.6 * limit}", alt.value("white"), alt.value("#222")
        ),
    )
    chart = alt.layer(cells, text).properties(
        width=max(240, 90 * len(labels)),
        height=max(120, 34 * len(names)),
        title=title(
            "What sets each segment apart",
            [
                "Numbers: the segment's centre in each feature's own units. Colour: how far it",
                "sits below (blue) or above (orange) the average customer, on the scaled axis.",
            ],
        ),
    )
    return style(chart)


def linkage_matrix(linkage: pl.DataFrame) -> np.ndarray:
    """Return the scipy linkage matrix (left, right, distance, size) from segment_linkage rows."""
    ordered = linkage.sort("merge_id")
    matrix = ordered.select(
        pl.col("left_node").cast(pl.Float64),
        pl.col("right_node").cast(pl.Float64),
        pl.col("distance").cast(pl.Float64),
        pl.col("merged_size").cast(pl.Float64),
    ).to_numpy()
    return np.ascontiguousarray(matrix)


def dendrogram_table(matrix: np.ndarray, leaves: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the dendrogram as line segments (x, y, x2, y2) and leaf labels (x, label).

    Coordinates come from scipy's ``dendrogram(no_plot=True, truncate_mode='lastp', p=leaves)``:
    each merge is a U of three segments; leaves are at x = 5, 15, 25, ...
    """
    tree = hierarchy.dendrogram(matrix, no_plot=True, truncate_mode="lastp", p=leaves)
    segments = []
    for xs, ys in zip(tree["icoord"], tree["dcoord"], strict=True):
        for start in range(3):
            segments.append(
                {
                    "x": xs[start],
                    "y": ys[start],
                    "x2": xs[start + 1],
                    "y2": ys[start + 1],
                }
            )
    # A truncated leaf is labelled "(n)" with its size; a single customer by its row index.
    labels = [
        {"x": 5.0 + 10.0 * index, "label": label.strip("()") if label.startswith("(") else "1"}
        for index, label in enumerate(tree["ivl"])
    ]
    return pd.DataFrame(segments), pd.DataFrame(labels)


@chart_builder("How customers merge into groups (dendrogram)")
def dendrogram(linkage: Frame | None, n_segments: int | None = None, leaves: int = 30) -> Chart:
    """Return a dendrogram of segment_linkage, cut where it gives ``n_segments`` groups.

    The tree is truncated to its last ``leaves`` groups; each leaf is labelled with the number of
    sampled customers below it.
    """
    frame = require(
        linkage,
        "segment_linkage",
        ["merge_id", "left_node", "right_node", "distance", "merged_size"],
    )
    matrix = linkage_matrix(frame)
    if not hierarchy.is_valid_linkage(matrix):
        raise ChartUnavailable("segment_linkage is not a valid merge tree (scipy linkage format)")
    lines, labels = dendrogram_table(matrix, leaves)
    layers = [
        alt.Chart(lines)
        .mark_rule(color="#4c78a8", strokeWidth=1.2)
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, 10 * len(labels)], nice=False)),
            y=alt.Y("y:Q", title="Distance at which groups merge"),
            x2="x2:Q",
            y2="y2:Q",
        ),
        alt.Chart(labels)
        .mark_text(baseline="top", dy=6, fontSize=10, color="#444")
        .encode(x="x:Q", y=alt.datum(0), text="label:N"),
    ]
    customers = int(matrix.shape[0] + 1)
    subtitle = [
        f"A sample of {fmt_int(customers)} customers is merged bottom-up, closest groups first.",
        f"Numbers at the bottom: customers in each of the {len(labels)} groups left at the top "
        "of the tree.",
    ]
    if n_segments is not None and 2 <= n_segments <= matrix.shape[0]:
        heights = np.sort(matrix[:, 2])
        cut = float((heights[-n_segments] + heights[-n_segments + 1]) / 2)
        cut_data = pd.DataFrame({"y": [cut], "text": [f"cut into {n_segments} groups"]})
        cut_base = alt.Chart(cut_data).encode(y="y:Q")
        layers.append(cut_base.mark_rule(color="#d62728", strokeDash=[6, 4], strokeWidth=1.5))
        layers.append(
            cut_base.mark_text(
                align="right", dy=-7, fontSize=11, color="#d62728", fontWeight="bold"
            ).encode(x=alt.value(800), text="text:N")
        )
        subtitle.append(f"The red line cuts the tree into {n_segments} groups.")
    chart = alt.layer(*layers).properties(
        width=800,
        height=360,
        title=title("How customers merge into groups (dendrogram)", subtitle),
    )
    return style(chart)
