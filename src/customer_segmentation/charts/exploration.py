"""Charts that describe the customers before segmentation: distributions, groups, correlations."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
import polars as pl

from customer_segmentation.charts._common import (
    GENDER_ORDER,
    Chart,
    ChartUnavailable,
    Frame,
    chart_builder,
    feature_label,
    fmt_int,
    numeric_features,
    require,
    sample_rows,
    segment_names,
    segment_scale,
    style,
    title,
)

MAX_PAIR_POINTS = 1500
MAX_PAIR_FEATURES = 5


def _features(frame: pl.DataFrame, columns: Sequence[str] | None) -> list[str]:
    """Return the requested feature columns that exist, or every numeric feature column."""
    if columns is None:
        chosen = numeric_features(frame)
    else:
        chosen = [column for column in columns if column in frame.columns]
    if not chosen:
        raise ChartUnavailable("there is no numeric feature column to draw")
    return chosen


def _bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Return histogram edges: one bar per whole number for small integer ranges, else ``bins``."""
    low, high = float(values.min()), float(values.max())
    if np.all(np.mod(values, 1) == 0) and high - low <= 40:
        return np.arange(low, high + 2) - 0.5
    return np.histogram_bin_edges(values, bins=bins)


def histogram_table(frame: pl.DataFrame, columns: Sequence[str], bins: int = 30) -> pd.DataFrame:
    """Return one row per feature x bin: feature label, bin_start, bin_end, customers.

    The counts are computed here, so the chart holds a few hundred rows whatever the number of
    customers. Missing values are left out and counted in the feature's label.
    """
    rows = []
    for column in columns:
        series = frame[column].cast(pl.Float64)
        values = series.drop_nulls().to_numpy()
        values = values[np.isfinite(values)]
        if values.size == 0:
            continue
        missing = frame.height - values.size
        label = feature_label(column)
        if missing:
            label += f" ({fmt_int(missing)} missing)"
        counts, edges = np.histogram(values, bins=_bin_edges(values, bins))
        rows.extend(
            {"feature": label, "bin_start": start, "bin_end": end, "customers": int(count)}
            for start, end, count in zip(edges[:-1], edges[1:], counts, strict=True)
        )
    if not rows:
        raise ChartUnavailable("every feature column is empty")
    return pd.DataFrame(rows)


@chart_builder("How customers are spread over each feature")
def feature_histograms(
    features: Frame | None, columns: Sequence[str] | None = None, bins: int = 30
) -> Chart:
    """Return a grid of histograms, one per numeric feature, with counts computed in Python.

    ``features`` is int_customer_features (or any frame of customers); ``columns`` defaults to every
    numeric feature column.
    """
    frame = require(features, "int_customer_features")
    data = histogram_table(frame, _features(frame, columns), bins)
    order = list(dict.fromkeys(data["feature"]))
    chart = (
        alt.Chart(data)
        .mark_bar(color="#4c78a8", binSpacing=0)
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title=None),
            x2="bin_end:Q",
            y=alt.Y("customers:Q", title="Customers"),
            tooltip=[
                alt.Tooltip("feature:N", title="Feature"),
                alt.Tooltip("bin_start:Q", title="From", format=",.4~g"),
                alt.Tooltip("bin_end:Q", title="To", format=",.4~g"),
                alt.Tooltip("customers:Q", title="Customers", format=",d"),
            ],
        )
        .properties(width=230, height=130)
        .facet(
            facet=alt.Facet("feature:N", title=None, sort=order, header=alt.Header(labelLimit=300)),
            columns=3,
        )
        .resolve_scale(x="independent", y="independent")
        .properties(
            title=title(
                "How customers are spread over each feature",
                f"Number of customers in each range of values ({fmt_int(frame.height)} customers).",
            )
        )
    )
    return style(chart)


def _group_labels(frame: pl.DataFrame, by: str) -> tuple[pl.DataFrame, list[str]]:
    """Return the frame with a text 'group' column (nulls as 'Unknown') and the group order."""
    grouped = frame.with_columns(group=pl.col(by).cast(pl.String).fill_null("Unknown"))
    present = grouped["group"].unique().to_list()
    if by == "gender":
        order = [value for value in GENDER_ORDER if value in present]
        order += sorted(set(present) - set(order))
    elif by == "segment_name":
        order = segment_names(frame.filter(pl.col("segment_name").is_not_null()))
        order += sorted(set(present) - set(order))
    else:
        order = sorted(present)
    return grouped, order


def box_table(frame: pl.DataFrame, columns: Sequence[str], by: str) -> tuple[pd.DataFrame, list]:
    """Return box-plot statistics per feature x group and the group order.

    Columns: feature, group, customers, q1, median, q3, low, high, where low and high are the most
    extreme values within 1.5 x IQR of the box (Tukey's whiskers).
    """
    grouped, order = _group_labels(frame, by)
    parts = []
    for column in columns:
        values = grouped.select("group", value=pl.col(column).cast(pl.Float64)).drop_nulls()
        values = values.filter(pl.col("value").is_finite())
        if values.height == 0:
            continue
        stats = values.group_by("group").agg(
            customers=pl.len(),
            q1=pl.col("value").quantile(0.25, "linear"),
            median=pl.col("value").median(),
            q3=pl.col("value").quantile(0.75, "linear"),
        )
        fences = stats.with_columns(
            low_fence=pl.col("q1") - 1.5 * (pl.col("q3") - pl.col("q1")),
            high_fence=pl.col("q3") + 1.5 * (pl.col("q3") - pl.col("q1")),
        )
        whiskers = (
            values.join(fences, on="group")
            .filter(pl.col("value").is_between(pl.col("low_fence"), pl.col("high_fence")))
            .group_by("group")
            .agg(low=pl.col("value").min(), high=pl.col("value").max())
        )
        parts.append(
            stats.join(whiskers, on="group", how="left").with_columns(
                feature=pl.lit(feature_label(column))
            )
        )
    if not parts:
        raise ChartUnavailable("every feature column is empty")
    # Sorted: polars' group_by returns groups in any order, and the same data must give the same
    # file (the SVG's marks follow the rows).
    table = (
        pl.concat(parts)
        .select("feature", "group", "customers", "q1", "median", "q3", "low", "high")
        .sort("feature", "group", maintain_order=True)
    )
    return table.to_pandas(), order


@chart_builder("How each feature differs between groups")
def feature_boxplots(
    features: Frame | None, by: str = "gender", columns: Sequence[str] | None = None
) -> Chart:
    """Return box plots of each numeric feature split by ``by`` ('gender' or 'segment_name').

    The quartiles and whiskers are computed in Python, so any number of customers fits.
    """
    frame = require(features, "int_customer_features", [by])
    columns = [column for column in _features(frame, columns) if column != by]
    if not columns:
        raise ChartUnavailable("there is no numeric feature column to draw")
    data, order = box_table(frame, columns, by)
    feature_order = list(dict.fromkeys(data["feature"]))
    if by == "segment_name":
        color = alt.Color("group:N", scale=segment_scale(order), sort=order, legend=None)
        group_title, heading = "Segment", "How each feature differs between segments"
    else:
        color = alt.Color("group:N", sort=order, legend=None, scale=alt.Scale(scheme="set2"))
        group_title = by.replace("_", " ").capitalize()
        heading = f"How each feature differs by {group_title.lower()}"
    # Groups on the vertical axis, so long segment names are written in full, horizontally.
    y = alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
    tooltip = [
        alt.Tooltip("group:N", title=group_title),
        alt.Tooltip("customers:Q", title="Customers", format=",d"),
        alt.Tooltip("median:Q", title="Median", format=",.4~g"),
        alt.Tooltip("q1:Q", title="Lower quartile", format=",.4~g"),
        alt.Tooltip("q3:Q", title="Upper quartile", format=",.4~g"),
    ]
    base = alt.Chart(data).encode(y=y)
    whiskers = base.mark_rule(color="#666").encode(
        x=alt.X("low:Q", title=None, scale=alt.Scale(zero=False)), x2="high:Q"
    )
    boxes = base.mark_bar(size=14, stroke="#444", strokeWidth=0.5).encode(
        x="q1:Q", x2="q3:Q", color=color, tooltip=tooltip
    )
    medians = base.mark_tick(color="#222", size=14, thickness=2).encode(x="median:Q")
    label_width = 7 * max(len(str(group)) for group in order)
    panel_width = 220
    columns = max(1, min(3, 900 // (panel_width + label_width + 20)))
    chart = (
        alt.layer(whiskers, boxes, medians)
        .properties(width=panel_width, height=max(60, 22 * len(order)))
        .facet(
            facet=alt.Facet(
                "feature:N", title=None, sort=feature_order, header=alt.Header(labelLimit=300)
            ),
            columns=columns,
        )
        .resolve_scale(x="independent")
        .properties(
            title=title(
                heading,
                [
                    "Boxes hold the middle half of customers, the dark line is the median;",
                    "whiskers reach the furthest values within 1.5 box-widths "
                    "(outliers not drawn).",
                ],
            )
        )
    )
    return style(chart)


def _pair_histograms(
    sample: pl.DataFrame, column: str, names: Sequence[str], bins: int = 20
) -> pd.DataFrame:
    """Return stacked-histogram rows (segment_name, bin_start, bin_end, customers) of a column."""
    values = sample.select("segment_name", value=pl.col(column).cast(pl.Float64)).drop_nulls()
    values = values.filter(pl.col("value").is_finite())
    if values.height == 0:
        return pd.DataFrame(columns=["segment_name", "bin_start", "bin_end", "customers"])
    edges = np.histogram_bin_edges(values["value"].to_numpy(), bins=bins)
    rows = []
    for name in names:
        subset = values.filter(pl.col("segment_name") == name)["value"].to_numpy()
        counts, _ = np.histogram(subset, bins=edges)
        rows.extend(
            {"segment_name": name, "bin_start": start, "bin_end": end, "customers": int(count)}
            for start, end, count in zip(edges[:-1], edges[1:], counts, strict=True)
        )
    return pd.DataFrame(rows)


def _padded_domain(values: pl.Series) -> list[float]:
    """Return [low, high] of the values widened by 4% on each side, so dots clear the frame."""
    numbers = values.cast(pl.Float64).drop_nulls()
    numbers = numbers.filter(numbers.is_finite())
    if numbers.len() == 0:
        return [0.0, 1.0]
    low, high = float(numbers.min()), float(numbers.max())
    pad = 0.04 * (high - low) if high > low else 1.0
    return [low - pad, high + pad]


def _edge_axis(label: str, on_edge: bool) -> alt.Axis:
    """Return a labelled axis for a cell on the matrix's outer edge, a bare grid otherwise."""
    if on_edge:
        return alt.Axis(title=label, labelFlush=True)
    return alt.Axis(title=None, labels=False, ticks=False, domain=False)


@chart_builder("Every pair of clustering features, coloured by segment")
def pair_plot(
    customers: Frame | None,
    columns: Sequence[str],
    max_points: int = MAX_PAIR_POINTS,
    max_features: int = MAX_PAIR_FEATURES,
) -> Chart:
    """Return a scatter matrix of ``columns`` coloured by segment, histograms on the diagonal.

    ``customers`` has customer_id, segment_name (segment_id optional) and the feature columns in
    their own units. At most ``max_points`` customers (a fixed-seed sample) and the first
    ``max_features`` columns are drawn.
    """
    frame = require(
        customers, "customer_segments joined to int_customer_features", ["segment_name"]
    )
    columns = [column for column in columns if column in frame.columns]
    if len(columns) < 2:
        raise ChartUnavailable("a pair plot needs at least two clustering features")
    shown = list(columns[:max_features])
    names = segment_names(frame)
    sample = sample_rows(frame, max_points)
    labels = {column: feature_label(column) for column in shown}
    points = sample.select(
        "segment_name", *[pl.col(column).cast(pl.Float64).alias(labels[column]) for column in shown]
    ).to_pandas()
    color = alt.Color(
        "segment_name:N", title="Segment", scale=segment_scale(names), sort=list(names)
    )
    size = 130 if len(shown) > 3 else 170
    domains = {column: _padded_domain(sample[column]) for column in shown}
    last = len(shown) - 1
    rows = []
    for row_index, y_column in enumerate(shown):
        cells = []
        for column_index, x_column in enumerate(shown):
            x_axis = _edge_axis(labels[x_column], row_index == last)
            y_axis = _edge_axis(labels[y_column], column_index == 0)
            x_scale = alt.Scale(domain=domains[x_column], nice=False)
            if x_column == y_column:
                bars = _pair_histograms(sample, x_column, names)
                cell = (
                    alt.Chart(bars)
                    .mark_bar(binSpacing=0)
                    .encode(
                        x=alt.X("bin_start:Q", bin="binned", axis=x_axis, scale=x_scale),
                        x2="bin_end:Q",
                        y=alt.Y(
                            "customers:Q",
                            stack=True,
                            axis=alt.Axis(
                                ticks=False,
                                labels=False,
                                grid=False,
                                title=labels[y_column] if column_index == 0 else None,
                            ),
                        ),
                        color=color,
                    )
                )
            else:
                cell = (
                    alt.Chart(points)
                    .mark_circle(size=9, opacity=0.6)
                    .encode(
                        x=alt.X(f"{labels[x_column]}:Q", axis=x_axis, scale=x_scale),
                        y=alt.Y(
                            f"{labels[y_column]}:Q",
                            axis=y_axis,
                            scale=alt.Scale(domain=domains[y_column], nice=False),
                        ),
                        color=color,
                    )
                )
            cells.append(cell.properties(width=size, height=size))
        rows.append(alt.hconcat(*cells, spacing=6))
    subtitle = [
        f"Each dot is a customer: a fixed sample of {fmt_int(sample.height)} of "
        f"{fmt_int(frame.height)}. The diagonal shows how each segment spreads over one feature."
    ]
    if len(columns) > len(shown):
        subtitle.append(
            f"First {len(shown)} of {len(columns)} clustering features shown "
            "(see the centroid heatmap for all)."
        )
    chart = alt.vconcat(*rows, spacing=6).properties(
        title=title("Every pair of clustering features, coloured by segment", subtitle)
    )
    return style(chart)


def correlation_table(frame: pl.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return the Pearson correlations (pairwise complete rows) in long form: x, y, correlation."""
    numbers = frame.select(
        [pl.col(column).cast(pl.Float64).alias(feature_label(column)) for column in columns]
    ).to_pandas()
    matrix = numbers.corr(min_periods=3)
    long = matrix.rename_axis("y").reset_index().melt(id_vars="y", var_name="x", value_name="r")
    return long


@chart_builder("How the features move together")
def correlation_heatmap(features: Frame | None, columns: Sequence[str] | None = None) -> Chart:
    """Return a heatmap of Pearson correlations between numeric features, values printed."""
    frame = require(features, "int_customer_features")
    columns = _features(frame, columns)
    if len(columns) < 2:
        raise ChartUnavailable("a correlation heatmap needs at least two numeric features")
    data = correlation_table(frame, columns)
    order = [feature_label(column) for column in columns]
    side = max(260, 42 * len(columns))
    base = alt.Chart(data).encode(
        x=alt.X("x:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=200)),
        y=alt.Y("y:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "r:Q",
            title="Correlation",
            # One colour meaning throughout: blue = below / negative, orange = above / positive.
            scale=alt.Scale(scheme="blueorange", domain=[-1, 1], domainMid=0),
        ),
        tooltip=[
            alt.Tooltip("x:N", title="Feature"),
            alt.Tooltip("y:N", title="with"),
            alt.Tooltip("r:Q", title="Correlation", format=".2f"),
        ],
    )
    text = base.mark_text(fontSize=10 if len(columns) > 8 else 11).encode(
        text=alt.Text("r:Q", format=".2f"),
        color=alt.condition("abs(datum.r) > 0.6", alt.value("white"), alt.value("#222")),
    )
    chart = alt.layer(cells, text).properties(
        width=side,
        height=side,
        title=title(
            "How the features move together",
            [
                "Correlation from -1 (one rises as the other falls) to +1 (they rise",
                "together); 0 means no straight-line relation.",
            ],
        ),
    )
    return style(chart)


def _powers_of_ten(largest: int) -> list[int]:
    """Return 0, 1, 10, 100, ... up to the first power of ten at or above ``largest``."""
    values, power = [0, 1], 1
    while power < largest:
        power *= 10
        values.append(power)
    return values


@chart_builder("Rows read, kept and rejected")
def input_outcomes(rows: Frame | None) -> Chart:
    """Return one bar per input x outcome (kept, or each rejection reason) with its row count.

    ``rows`` has input, outcome, row_count (counted in SQL from base_customers / base_orders). The
    subtitle states rows read = kept + rejected for each input.
    """
    frame = require(rows, "base_customers / base_orders", ["input", "outcome", "row_count"])
    frame = frame.with_columns(
        kind=pl.when(pl.col("outcome") == "kept").then(pl.lit("kept")).otherwise(pl.lit("rejected"))
    ).sort(["input", "kind", "row_count"], descending=[False, False, True])
    lines = []
    for name in frame["input"].unique(maintain_order=True).to_list():
        part = frame.filter(pl.col("input") == name)
        kept = int(part.filter(pl.col("kind") == "kept")["row_count"].sum())
        read = int(part["row_count"].sum())
        lines.append(
            f"{name}: {fmt_int(read)} rows read = {fmt_int(kept)} kept + "
            f"{fmt_int(read - kept)} rejected ({(read - kept) / read:.1%})."
        )
    data = frame.with_columns(
        label=pl.format("{}: {}", pl.col("input"), pl.col("outcome"))
    ).to_pandas()
    order = data["label"].tolist()
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X(
            "row_count:Q",
            title="Rows",
            scale=alt.Scale(type="symlog"),
            axis=alt.Axis(values=_powers_of_ten(int(frame["row_count"].max())), format=",d"),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(domain=["kept", "rejected"], range=["#8c8c8c", "#b2182b"]),
        ),
        tooltip=[
            alt.Tooltip("input:N", title="Input"),
            alt.Tooltip("outcome:N", title="Outcome"),
            alt.Tooltip("row_count:Q", title="Rows", format=",d"),
        ],
    )
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(
        text=alt.Text("row_count:Q", format=",d")
    )
    chart = alt.layer(bars, text).properties(
        width=460,
        height=max(60, 24 * len(order)),
        title=title(
            "Rows read, kept and rejected", [*lines, "Log-like scale: small counts stay visible."]
        ),
    )
    return style(chart)
