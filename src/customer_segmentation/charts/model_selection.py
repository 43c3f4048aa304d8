"""Charts that explain how the number of segments and the algorithm were chosen."""

from __future__ import annotations

import altair as alt
import polars as pl

from customer_segmentation.charts._common import (
    Chart,
    ChartUnavailable,
    Frame,
    chart_builder,
    require,
    style,
    title,
)

ALGORITHM_LABELS = {
    "kmeans": "K-Means",
    "agglomerative": "Agglomerative (hierarchical)",
    "dbscan": "DBSCAN (density)",
    "gmm": "Gaussian mixture",
}

# metric column -> (panel title, whether higher is better)
INDICES = {
    "silhouette": ("Silhouette: how well separated (higher is better)", True),
    "calinski_harabasz": ("Calinski-Harabasz: between vs within spread (higher is better)", True),
    "davies_bouldin": ("Davies-Bouldin: overlap between segments (lower is better)", False),
    "bic": ("BIC, Gaussian mixture: fit vs complexity (lower is better)", False),
}


def _candidates(candidates: Frame | None) -> pl.DataFrame:
    """Return candidates with readable algorithm names, one row per algorithm x n_clusters.

    Where an algorithm was tried more than once with the same number of clusters (DBSCAN settings),
    the selected row is kept, else the one with the best silhouette.
    """
    frame = require(
        candidates, "segmentation_candidates", ["algorithm", "n_clusters", "is_selected"]
    )
    sort_keys = ["is_selected"] + (["silhouette"] if "silhouette" in frame.columns else [])
    frame = (
        frame.sort(sort_keys, descending=True, nulls_last=True)
        .unique(subset=["algorithm", "n_clusters"], keep="first", maintain_order=True)
        .sort("algorithm", "n_clusters")
    )
    return frame.with_columns(
        algorithm_label=pl.col("algorithm").replace_strict(
            ALGORITHM_LABELS, default=pl.col("algorithm")
        ),
        is_selected=pl.col("is_selected").fill_null(False),
    )


def _selected(frame: pl.DataFrame) -> dict | None:
    """Return the selected candidate as a dict, or None when no row is marked selected."""
    chosen = frame.filter(pl.col("is_selected"))
    return chosen.row(0, named=True) if chosen.height else None


def _chosen_text(selected: dict | None) -> str:
    if selected is None:
        return "No candidate is marked as selected."
    return (
        f"Chosen: {selected['n_clusters']} segments with {selected['algorithm_label']} "
        "(large outlined point)."
    )


# One colour per algorithm in every chart (Vega's dark2 scheme), whichever algorithms were tried.
ALGORITHM_COLORS = {
    "kmeans": "#1b9e77",
    "agglomerative": "#d95f02",
    "dbscan": "#7570b3",
    "gmm": "#e7298a",
}
OTHER_COLORS = ("#66a61e", "#e6ab02", "#a6761d", "#666666")


def _algorithm_color(labels: list[str]) -> alt.Color:
    """Return the colour channel for algorithm_label with each algorithm's fixed colour."""
    by_label = {ALGORITHM_LABELS[key]: color for key, color in ALGORITHM_COLORS.items()}
    others = iter(OTHER_COLORS * (1 + len(labels) // len(OTHER_COLORS)))
    colors = [by_label.get(label) or next(others) for label in labels]
    return alt.Color(
        "algorithm_label:N",
        title="Algorithm",
        sort=labels,
        scale=alt.Scale(domain=labels, range=colors),
        legend=alt.Legend(orient="bottom") if len(labels) > 1 else None,
    )


@chart_builder("How many segments? The elbow curve")
def elbow_curve(candidates: Frame | None) -> Chart:
    """Return inertia against the number of segments per algorithm, with the chosen one marked.

    ``candidates`` is segmentation_candidates. Candidates without an inertia are left out; when the
    chosen candidate has none, its number of segments is marked by a vertical rule.
    """
    frame = _candidates(candidates)
    if "inertia" not in frame.columns:
        raise ChartUnavailable("segmentation_candidates has no inertia column")
    selected = _selected(frame)
    data = frame.filter(pl.col("inertia").is_not_null() & pl.col("inertia").is_finite())
    if data.height == 0:
        raise ChartUnavailable("no candidate segmentation has an inertia value")
    labels = list(dict.fromkeys(data["algorithm_label"].to_list()))
    points = data.select("algorithm_label", "n_clusters", "inertia", "is_selected").to_pandas()
    x = alt.X(
        "n_clusters:Q",
        title="Number of segments",
        axis=alt.Axis(tickMinStep=1, format="d"),
        scale=alt.Scale(zero=False, nice=False, padding=12),
    )
    base = alt.Chart(points).encode(x=x)
    color = _algorithm_color(labels)
    lines = base.mark_line(point=alt.OverlayMarkDef(size=40)).encode(
        y=alt.Y("inertia:Q", title="Spread within segments (inertia)", scale=alt.Scale(zero=False)),
        color=color,
        tooltip=[
            alt.Tooltip("algorithm_label:N", title="Algorithm"),
            alt.Tooltip("n_clusters:Q", title="Segments"),
            alt.Tooltip("inertia:Q", title="Inertia", format=",.4~g"),
        ],
    )
    chosen = (
        base.transform_filter("datum.is_selected")
        .mark_point(size=260, filled=False, strokeWidth=2.5, color="#d62728")
        .encode(y="inertia:Q")
    )
    chosen_label = (
        base.transform_filter("datum.is_selected")
        .mark_text(align="left", dx=12, dy=-12, fontSize=12, fontWeight="bold", color="#d62728")
        .encode(y="inertia:Q", text=alt.value("chosen"))
    )
    layers = [lines, chosen, chosen_label]
    if selected is not None and selected.get("inertia") is None:
        rule_data = alt.Data(values=[{"n_clusters": selected["n_clusters"]}])
        layers.append(
            alt.Chart(rule_data)
            .mark_rule(color="#d62728", strokeDash=[5, 4])
            .encode(x="n_clusters:Q")
        )
    chart = alt.layer(*layers).properties(
        width=560,
        height=300,
        title=title(
            "How many segments? The elbow curve",
            [
                "Spread within segments always falls as segments are added; past the bend "
                "(the elbow) more segments add little.",
                _chosen_text(selected),
            ],
        ),
    )
    return style(chart)


@chart_builder("How many segments? Quality indices")
def selection_indices(candidates: Frame | None) -> Chart:
    """Return one panel per quality index (silhouette, Calinski-Harabasz, Davies-Bouldin, and BIC
    when a Gaussian mixture was tried) against the number of segments, a line per algorithm, the
    chosen candidate marked.
    """
    frame = _candidates(candidates)
    metrics = [metric for metric in INDICES if metric in frame.columns]
    if not metrics:
        raise ChartUnavailable("segmentation_candidates has no quality index columns")
    long = (
        frame.select(
            "algorithm_label",
            "n_clusters",
            "is_selected",
            *[pl.col(metric).cast(pl.Float64) for metric in metrics],
        )
        .unpivot(
            index=["algorithm_label", "n_clusters", "is_selected"],
            on=metrics,
            variable_name="metric",
            value_name="value",
        )
        .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
    )
    if long.height == 0:
        raise ChartUnavailable("no candidate segmentation has a quality index value")
    present = [metric for metric in metrics if metric in set(long["metric"].to_list())]
    long = long.with_columns(
        index=pl.col("metric").replace_strict({m: INDICES[m][0] for m in INDICES})
    )
    panel_order = [INDICES[metric][0] for metric in present]
    labels = list(dict.fromkeys(long["algorithm_label"].to_list()))
    base = alt.Chart(long.to_pandas()).encode(
        x=alt.X(
            "n_clusters:Q",
            title="Number of segments",
            axis=alt.Axis(tickMinStep=1, format="d"),
            scale=alt.Scale(zero=False, nice=False, padding=10),
        )
    )
    lines = base.mark_line(point=alt.OverlayMarkDef(size=30)).encode(
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=_algorithm_color(labels),
        tooltip=[
            alt.Tooltip("algorithm_label:N", title="Algorithm"),
            alt.Tooltip("n_clusters:Q", title="Segments"),
            alt.Tooltip("value:Q", title="Value", format=",.4~g"),
        ],
    )
    chosen = (
        base.transform_filter("datum.is_selected")
        .mark_point(size=220, filled=False, strokeWidth=2.5, color="#d62728")
        .encode(y="value:Q")
    )
    chart = (
        alt.layer(lines, chosen)
        .properties(width=300, height=180)
        .facet(
            facet=alt.Facet(
                "index:N", title=None, sort=panel_order, header=alt.Header(labelLimit=360)
            ),
            columns=2,
        )
        .resolve_scale(y="independent")
        .resolve_axis(x="independent")
        .properties(
            title=title(
                "How many segments? Quality indices",
                [
                    "Each index scores how distinct the segments are; they often agree on the best "
                    "number of segments.",
                    _chosen_text(_selected(frame)),
                ],
            )
        )
    )
    return style(chart)
