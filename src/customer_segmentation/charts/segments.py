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


def separation_shares(frame: pl.DataFrame, features: Sequence[str]) -> dict[str, float]:
    """Return, per feature, the share of its variance that lies between segments (eta squared).

    1 means the segments differ only on this feature's values; 0 means they all look alike on it.
    Computed on ``frame`` (a sample of customers with segment_name and the features).
    """
    shares = {}
    for feature in features:
        values = frame.select("segment_name", value=pl.col(feature).cast(pl.Float64)).drop_nulls()
        values = values.filter(pl.col("value").is_finite())
        total = (
            float(((values["value"] - values["value"].mean()) ** 2).sum()) if values.height else 0.0
        )
        if total <= 0:
            shares[feature] = 0.0
            continue
        within = values.with_columns(
            deviation=(pl.col("value") - pl.col("value").mean().over("segment_name")) ** 2
        )["deviation"].sum()
        shares[feature] = max(0.0, 1.0 - float(within) / total)
    return shares


def separating_features(frame: pl.DataFrame, features: Sequence[str]) -> list[str]:
    """Return ``features`` ordered from the one that separates the segments best (ties: order)."""
    shares = separation_shares(frame, features)
    return sorted(features, key=lambda feature: (-shares[feature], list(features).index(feature)))


def place_labels(
    centres: pd.DataFrame, x_domain: list[float], y_domain: list[float], width: int, height: int
) -> pd.DataFrame:
    """Return ``centres`` with label_x, label_y: each name placed next to its centre where it
    overlaps no label placed before (largest segments first), trying eight directions.

    Positions are worked out in pixels from the scales' fixed domains, then turned back into data
    units, so the labels land where they were planned.
    """

    def to_px(x, y):
        return (
            (x - x_domain[0]) / (x_domain[1] - x_domain[0]) * width,
            (1 - (y - y_domain[0]) / (y_domain[1] - y_domain[0])) * height,
        )

    def to_data(px, py):
        return (
            x_domain[0] + px / width * (x_domain[1] - x_domain[0]),
            y_domain[0] + (1 - py / height) * (y_domain[1] - y_domain[0]),
        )

    directions = [(0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)]
    placed: list[tuple[float, float, float, float]] = []
    label_x, label_y = [], []
    for row in centres.itertuples():
        cx, cy = to_px(row.x, row.y)
        text_w, text_h = 7.0 * len(str(row.segment_name)) + 6, 16.0
        choice = None
        for distance in (18, 34, 52, 72, 96, 124, 156):
            for dx, dy in directions:
                mx = cx + dx * (distance + text_w / 2 if dx else 0)
                my = cy + dy * distance
                box = (mx - text_w / 2, my - text_h / 2, mx + text_w / 2, my + text_h / 2)
                inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
                clear = all(
                    box[2] < other[0] or box[0] > other[2] or box[3] < other[1] or box[1] > other[3]
                    for other in placed
                )
                if inside and clear:
                    choice = (mx, my, box)
                    break
            if choice:
                break
        if choice is None:  # nowhere free: above the centre, as before
            mx, my = cx, cy - 18
            choice = (mx, my, (mx - text_w / 2, my - 8, mx + text_w / 2, my + 8))
        placed.append(choice[2])
        x, y = to_data(choice[0], choice[1])
        label_x.append(x)
        label_y.append(y)
    return centres.assign(label_x=label_x, label_y=label_y)


@chart_builder("Segments on the two features that separate them best")
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
    names = segment_names(frame)
    sample = sample_rows(frame, max_points)
    shares = separation_shares(sample, features)
    x_feature, y_feature = separating_features(sample, features)[:2]
    points = sample.select(
        "segment_name",
        x=pl.col(x_feature).cast(pl.Float64),
        y=pl.col(y_feature).cast(pl.Float64),
    ).to_pandas()
    x_title, y_title = feature_label(x_feature), feature_label(y_feature)
    width, height = 600, 420
    x_domain = _padded(points["x"])
    y_domain = _padded(points["y"])
    x_scale = alt.Scale(domain=x_domain, nice=False, zero=False)
    y_scale = alt.Scale(domain=y_domain, nice=False, zero=False)
    color = segment_color(names)
    dots = (
        alt.Chart(points)
        .mark_circle(size=14, opacity=0.55)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=x_scale),
            y=alt.Y("y:Q", title=y_title, scale=y_scale),
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
            sizes = frame.group_by("segment_id").agg(customers=pl.len())
            centre_table = (
                attach_segment_names(
                    centre_table.select("segment_id", "x", "y").join(
                        sizes.with_columns(
                            pl.col("segment_id").cast(centre_table.schema["segment_id"])
                        ),
                        on="segment_id",
                        how="left",
                    ),
                    frame.select("segment_id", "segment_name").unique(),
                )
                .sort("customers", descending=True, nulls_last=True)
                .to_pandas()
            )
            centre_table = centre_table.dropna(subset=["x", "y"])
            centre_table = place_labels(centre_table, x_domain, y_domain, width, height)
            centre_base = alt.Chart(centre_table).encode(
                x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale)
            )
            layers.append(
                centre_base.mark_point(
                    shape="diamond", size=220, filled=True, stroke="black", strokeWidth=1.5
                ).encode(
                    color=segment_color(names),
                    tooltip=alt.Tooltip("segment_name:N", title="Centre of"),
                )
            )
            label_base = alt.Chart(centre_table).encode(
                x=alt.X("label_x:Q", scale=x_scale), y=alt.Y("label_y:Q", scale=y_scale)
            )
            layers.append(
                alt.Chart(centre_table)
                .mark_rule(color="#555", strokeWidth=0.8)
                .encode(x="x:Q", y="y:Q", x2="label_x:Q", y2="label_y:Q")
            )
            label = {"fontSize": 12, "fontWeight": "bold"}
            layers.append(  # a white halo under the name keeps it readable over the dots
                label_base.mark_text(
                    **label, stroke="white", strokeWidth=4, strokeOpacity=0.85, strokeJoin="round"
                ).encode(text="segment_name:N")
            )
            layers.append(label_base.mark_text(**label).encode(text="segment_name:N"))
    subtitle = [_sample_note(sample.height, frame.height) + " Diamonds mark the segment centres."]
    subtitle.append(
        f"Of the {len(features)} clustering features these two separate the segments best: "
        f"{shares[x_feature]:.0%} and {shares[y_feature]:.0%} of their variance lies between "
        "segments."
    )
    if len(features) > 2:
        subtitle.append("Segments were formed on all of them, so they may overlap in this view.")
    chart = alt.layer(*layers).properties(
        width=width,
        height=height,
        title=title(f"Segments by {x_title.lower()} and {y_title.lower()}", subtitle),
    )
    return style(chart)


def _padded(values: pd.Series) -> list[float]:
    """Return [low, high] of finite values widened by 5% each side ([0, 1] when there are none)."""
    finite = values[np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))]
    if finite.empty:
        return [0.0, 1.0]
    low, high = float(finite.min()), float(finite.max())
    pad = 0.05 * (high - low) if high > low else 1.0
    return [low - pad, high + pad]


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


# Dark, distinct colours for the tree's groups: deliberately not the segment palette (tableau).
_TREE_COLOURS = [
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
    "#cab2d6",
] * 10


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


def dendrogram_table(
    matrix: np.ndarray, leaves: int = 30, cut: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the dendrogram as line segments (x, y, x2, y2, branch) and leaf labels (x, label).

    Coordinates come from scipy's ``dendrogram(no_plot=True, truncate_mode='lastp', p=leaves)``:
    each merge is a U of three segments; leaves are at x = 5, 15, 25, ... ``branch`` names the
    group below ``cut`` a link belongs to ("Group 1", ... left to right), "above the cut" otherwise.
    """
    tree = hierarchy.dendrogram(
        matrix,
        no_plot=True,
        truncate_mode="lastp",
        p=leaves,
        color_threshold=cut if cut is not None else 0,
        above_threshold_color="above",
    )
    segments = []
    for xs, ys, colour in zip(tree["icoord"], tree["dcoord"], tree["color_list"], strict=True):
        branch = "above the cut" if cut is None or colour == "above" else ""
        segments.append({"xs": xs, "ys": ys, "branch": branch, "colour": colour})
    # Name the groups left to right: each group spans a run of leaves, and scipy gives neighbouring
    # groups different colours, so a new group starts where the colour changes.
    ordered = sorted(range(len(segments)), key=lambda index: min(segments[index]["xs"]))
    group, previous = 0, None
    for index in ordered:
        link = segments[index]
        if link["branch"] == "above the cut":
            continue
        if link["colour"] != previous:
            group += 1
            previous = link["colour"]
        link["branch"] = f"Group {group}"
    lines = []
    for link in segments:
        for start in range(3):
            lines.append(
                {
                    "x": link["xs"][start],
                    "y": link["ys"][start],
                    "x2": link["xs"][start + 1],
                    "y2": link["ys"][start + 1],
                    "branch": link["branch"],
                }
            )
    segments = lines
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
    cut = None
    if n_segments is not None and 2 <= n_segments <= matrix.shape[0]:
        heights = np.sort(matrix[:, 2])
        cut = float((heights[-n_segments] + heights[-n_segments + 1]) / 2)
    lines, labels = dendrogram_table(matrix, leaves, cut)
    groups = sorted(
        {b for b in lines["branch"] if b != "above the cut"}, key=lambda b: int(b.split()[1])
    )
    layers = [
        alt.Chart(lines)
        .mark_rule(strokeWidth=1.4)
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, 10 * len(labels)], nice=False)),
            y=alt.Y("y:Q", title="Distance at which groups merge"),
            x2="x2:Q",
            y2="y2:Q",
            color=alt.Color(
                "branch:N",
                title="Below the cut",
                sort=[*groups, "above the cut"],
                scale=alt.Scale(
                    domain=[*groups, "above the cut"],
                    range=[*_TREE_COLOURS[: len(groups)], "#999999"],
                ),
            ),
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
    if cut is not None:
        cut_data = pd.DataFrame({"y": [cut], "text": [f"cut into {n_segments} groups"]})
        cut_base = alt.Chart(cut_data).encode(y="y:Q")
        layers.append(cut_base.mark_rule(color="#d62728", strokeDash=[6, 4], strokeWidth=1.5))
        layers.append(
            cut_base.mark_text(
                align="right", dy=-7, fontSize=11, color="#d62728", fontWeight="bold"
            ).encode(x=alt.value(800), text="text:N")
        )
        subtitle.append(
            f"The red line cuts the tree into {n_segments} groups, coloured below the cut (the "
            "tree's own groups of this sample; their colours are not the segment colours)."
        )
    chart = alt.layer(*layers).properties(
        width=800,
        height=360,
        title=title("How customers merge into groups (dendrogram)", subtitle),
    )
    return style(chart)


def silhouette_table(
    scaled: pl.DataFrame, assigned: pl.DataFrame, features: Sequence[str], max_rows: int
) -> pd.DataFrame:
    """Return per-customer silhouettes of a fixed sample: customer_id, segment_name, silhouette,
    rank (position in the plot: grouped by segment, best first).

    ``scaled`` is int_customer_features_scaled (what the clustering saw), ``assigned`` has
    customer_id, segment_id, segment_name. Noise (segment_id -1) is left out.
    """
    from sklearn.metrics import silhouette_samples

    columns = [feature for feature in features if feature in scaled.columns]
    if not columns:
        raise ChartUnavailable("int_customer_features_scaled has none of the clustering features")
    joined = scaled.select("customer_id", *columns).join(
        assigned.select("customer_id", "segment_id", "segment_name"), on="customer_id"
    )
    joined = joined.filter(pl.col("segment_id") >= 0).drop_nulls(columns)
    sample = sample_rows(joined, max_rows)
    if sample["segment_id"].n_unique() < 2:
        raise ChartUnavailable("a silhouette needs at least two segments")
    matrix = sample.select(columns).to_numpy().astype(float)
    values = silhouette_samples(matrix, sample["segment_id"].to_numpy())
    table = sample.select("customer_id", "segment_id", "segment_name").with_columns(
        silhouette=pl.Series(values)
    )
    table = table.sort(["segment_id", "silhouette"], descending=[False, True])
    return table.with_columns(rank=pl.int_range(pl.len())).to_pandas()


@chart_builder("How well each customer fits their segment (silhouette)")
def silhouette_plot(
    scaled: Frame | None,
    assigned: Frame | None,
    features: Sequence[str],
    max_points: int = MAX_SCATTER_POINTS,
) -> Chart:
    """Return the classic silhouette plot: one bar per sampled customer, grouped by segment and
    sorted, with the mean silhouette marked.

    Silhouette near 1: the customer sits well inside their segment; near 0: on a border; below 0:
    closer to another segment. Computed in scikit-learn on a fixed sample of ``max_points``.
    """
    scaled_frame = require(scaled, "int_customer_features_scaled", ["customer_id"])
    assigned_frame = require(
        assigned, "customer_segments", ["customer_id", "segment_id", "segment_name"]
    )
    data = silhouette_table(scaled_frame, assigned_frame, features, max_points)
    names = segment_names(pl.from_pandas(data))
    mean = float(data["silhouette"].mean())
    bars = (
        alt.Chart(data)
        .mark_bar(size=1)
        .encode(
            y=alt.Y("rank:O", axis=None),
            x=alt.X("silhouette:Q", title="Silhouette", scale=alt.Scale(domain=[-1, 1])),
            color=segment_color(names),
            tooltip=[
                alt.Tooltip("customer_id:N", title="Customer"),
                alt.Tooltip("segment_name:N", title="Segment"),
                alt.Tooltip("silhouette:Q", format=".2f"),
            ],
        )
    )
    average = pd.DataFrame({"x": [mean], "text": [f"mean {mean:.2f}"]})
    rule = alt.Chart(average).mark_rule(color="#222", strokeDash=[5, 3]).encode(x="x:Q")
    note = (
        alt.Chart(average)
        .mark_text(align="left", dx=4, dy=-4, fontSize=11, baseline="bottom")
        .encode(x="x:Q", y=alt.value(0), text="text:N")
    )
    chart = alt.layer(bars, rule, note).properties(
        width=560,
        height=380,
        title=title(
            "How well each customer fits their segment (silhouette)",
            [
                f"A fixed sample of {fmt_int(len(data))} customers, grouped by segment, best fit "
                "first. Near 1: deep inside the segment;",
                "near 0: on a border; below 0: closer to another segment. Thin, short or negative "
                "bands mark weak segments.",
            ],
        ),
    )
    return style(chart)


def centroid_distances(centroids: pl.DataFrame) -> pd.DataFrame:
    """Return the Euclidean distance between every pair of segment centres on the scaled axes:
    segment_id, other_segment_id, distance."""
    wide = centroids.pivot(on="feature_name", index="segment_id", values="centroid_scaled").sort(
        "segment_id"
    )
    ids = wide["segment_id"].to_list()
    matrix = wide.drop("segment_id").to_numpy().astype(float)
    difference = matrix[:, None, :] - matrix[None, :, :]
    distance = np.sqrt(np.nansum(difference**2, axis=2))
    rows = [
        {"segment_id": ids[i], "other_segment_id": ids[j], "distance": float(distance[i, j])}
        for i in range(len(ids))
        for j in range(len(ids))
    ]
    return pd.DataFrame(rows)


@chart_builder("How far apart the segments are")
def segment_distances(centroids: Frame | None, segments: Frame | None = None) -> Chart:
    """Return a segments x segments heatmap of the distances between centres (scaled axes), each
    cell labelled; the closest pair is named in the subtitle."""
    frame = require(
        centroids, "segment_centroids", ["segment_id", "feature_name", "centroid_scaled"]
    )
    if frame["segment_id"].n_unique() < 2:
        raise ChartUnavailable("there is only one segment")
    data = pl.from_pandas(centroid_distances(frame))
    names_frame = attach_segment_names(
        frame.select("segment_id").unique().sort("segment_id"), segments
    )
    lookup = dict(zip(names_frame["segment_id"], names_frame["segment_name"], strict=True))
    data = data.with_columns(
        segment_name=pl.col("segment_id").replace_strict(lookup, return_dtype=pl.String),
        other_name=pl.col("other_segment_id").replace_strict(lookup, return_dtype=pl.String),
    )
    names = [lookup[key] for key in sorted(lookup)]
    pairs = data.filter(pl.col("segment_id") < pl.col("other_segment_id")).sort("distance")
    closest = pairs.row(0, named=True)
    base = alt.Chart(data.to_pandas()).encode(
        x=alt.X(
            "other_name:N", sort=names, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=0)
        ),
        y=alt.Y("segment_name:N", sort=names, title=None, axis=alt.Axis(labelLimit=0)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("distance:Q", title="Distance", scale=alt.Scale(scheme="greys")),
        tooltip=[
            alt.Tooltip("segment_name:N", title="From"),
            alt.Tooltip("other_name:N", title="To"),
            alt.Tooltip("distance:Q", format=".2f"),
        ],
    )
    limit = float(data["distance"].max())
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("distance:Q", format=".1f"),
        color=alt.condition(
            f"datum.distance > {0.55 * limit}", alt.value("white"), alt.value("#222")
        ),
    )
    chart = alt.layer(cells, text).properties(
        width=max(220, 70 * len(names)),
        height=max(120, 34 * len(names)),
        title=title(
            "How far apart the segments are",
            [
                "Distance between segment centres on the scaled features (darker = further apart).",
                f"Closest pair: {closest['segment_name']} and {closest['other_name']} "
                f"({closest['distance']:.2f}): the likeliest to blur into each other.",
            ],
        ),
    )
    return style(chart)
