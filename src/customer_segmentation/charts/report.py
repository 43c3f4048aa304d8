"""The interactive segment explorer: one self-contained HTML file that opens offline from disk.

A segment selector links three views: customers on the two features that separate the segments
best (tooltip per customer; other segments fade to grey), the segment profiles (centres on the
scaled axis) and the segment sizes. Vega, Vega-Lite and vega-embed are inlined from
vl-convert's bundle, so the file needs no network. Opening it with ``#segment=<name>`` selects
that segment (handy for links and for the browser test).
"""

from __future__ import annotations

import json
import os
import tempfile
from html import escape
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert as vlc

from customer_segmentation.charts._common import (
    MAX_SCATTER_POINTS,
    feature_label,
    sample_rows,
    segment_names,
    segment_scale,
)
from customer_segmentation.charts.render import (
    BuildStamp,
    ChartResult,
    _write,
    clustering_features,
    segmented_customers,
)
from customer_segmentation.charts.segments import separating_features

REPORT_NAME = "segment_explorer"
FADED = "#cfcfcf"  # unselected customers in the scatter (the browser test counts this colour)
MAX_TOOLTIP_FEATURES = 6


def explorer_chart(tables: dict[str, pl.DataFrame | None]) -> tuple[alt.TopLevelMixin, int]:
    """Return the linked explorer chart and the number of data rows it carries.

    Raises ValueError when the build has no segments or fewer than two clustering features.
    """
    customers = segmented_customers(tables)
    features = [f for f in clustering_features(tables) if customers is not None and f in customers]
    if customers is None or customers.height == 0:
        raise ValueError("no segmented customers in this build")
    if len(features) < 2:
        raise ValueError("the explorer needs at least two clustering features")
    names = segment_names(customers)
    sample = sample_rows(customers, MAX_SCATTER_POINTS)
    x_feature, y_feature = separating_features(sample, features)[:2]
    tip_features = features[:MAX_TOOLTIP_FEATURES]
    labels = {feature: feature_label(feature) for feature in features}
    points = sample.select(
        pl.col("customer_id").cast(pl.String),
        "segment_name",
        *[
            pl.col(f).cast(pl.Float64).alias(labels[f])
            for f in dict.fromkeys(tip_features + [x_feature, y_feature])
        ],
    ).to_pandas()

    selector = alt.selection_point(
        name="segment",
        fields=["segment_name"],
        bind=alt.binding_select(
            options=[None, *names], labels=["All segments", *names], name="Segment: "
        ),
    )
    colour = alt.Color("segment_name:N", title="Segment", scale=segment_scale(names), sort=names)
    scatter = (
        alt.Chart(points)
        .mark_circle(size=22)
        .encode(
            x=alt.X(f"{labels[x_feature]}:Q", scale=alt.Scale(zero=False)),
            y=alt.Y(f"{labels[y_feature]}:Q", scale=alt.Scale(zero=False)),
            color=alt.condition(selector, colour, alt.value(FADED)),
            opacity=alt.condition(selector, alt.value(0.75), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("customer_id:N", title="Customer"),
                alt.Tooltip("segment_name:N", title="Segment"),
                *[alt.Tooltip(f"{labels[f]}:Q", format=",.4~g") for f in tip_features],
            ],
        )
        .add_params(selector)
        .properties(
            width=520,
            height=380,
            title="Customers (a fixed sample), on the two features that separate the segments best",
        )
    )
    profiles = tables.get("segment_profiles")
    sizes_data = (
        profiles.select("segment_name", "customer_count").to_pandas()
        if profiles is not None and {"segment_name", "customer_count"} <= set(profiles.columns)
        else customers.group_by("segment_name").agg(customer_count=pl.len()).to_pandas()
    )
    sizes = (
        alt.Chart(sizes_data)
        .mark_bar()
        .encode(
            y=alt.Y("segment_name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=0)),
            x=alt.X("customer_count:Q", title="Customers"),
            color=alt.condition(selector, colour, alt.value(FADED)),
            tooltip=[
                alt.Tooltip("segment_name:N", title="Segment"),
                alt.Tooltip("customer_count:Q", title="Customers", format=",d"),
            ],
        )
        .properties(width=300, title="Segment sizes")
    )
    centroids = tables.get("segment_centroids")
    views: list = [alt.hconcat(scatter, sizes)]
    rows = len(points) + len(sizes_data)
    if centroids is not None and {"segment_id", "feature_name", "centroid_scaled"} <= set(
        centroids.columns
    ):
        lookup = customers.select("segment_id", "segment_name").unique(subset="segment_id")
        centres = (
            centroids.join(
                lookup.with_columns(pl.col("segment_id").cast(centroids.schema["segment_id"])),
                on="segment_id",
            )
            .with_columns(
                feature=pl.col("feature_name").map_elements(feature_label, return_dtype=pl.String)
            )
            .select(
                "segment_name",
                "feature",
                pl.col("centroid_scaled").cast(pl.Float64),
                pl.col("centroid_value").cast(pl.Float64)
                if "centroid_value" in centroids.columns
                else pl.col("centroid_scaled").cast(pl.Float64).alias("centroid_value"),
            )
            .to_pandas()
        )
        limit = max(1.0, float(centres["centroid_scaled"].abs().max()))
        profile = (
            alt.Chart(centres)
            .mark_rect()
            .encode(
                x=alt.X("feature:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=0)),
                y=alt.Y("segment_name:N", title=None, sort=names, axis=alt.Axis(labelLimit=0)),
                color=alt.Color(
                    "centroid_scaled:Q",
                    title=["Below (blue) / above", "(orange) average"],
                    scale=alt.Scale(scheme="blueorange", domain=[-limit, limit], domainMid=0),
                ),
                opacity=alt.condition(selector, alt.value(1.0), alt.value(0.15)),
                tooltip=[
                    alt.Tooltip("segment_name:N", title="Segment"),
                    alt.Tooltip("feature:N", title="Feature"),
                    alt.Tooltip("centroid_value:Q", title="Centre", format=",.4~g"),
                    alt.Tooltip("centroid_scaled:Q", title="Scaled", format=".2f"),
                ],
            )
            .properties(title="Segment profiles: each centre, below or above the average customer")
        )
        views.append(profile)
        rows += len(centres)
    chart = (
        alt.vconcat(*views).configure_view(stroke=None).configure_title(anchor="start", fontSize=13)
    )
    return chart, rows


def _bundle_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "customer-segmentation" / f"vl-convert-{vlc.__version__}-bundle.js"


def vega_bundle() -> str:
    """Return vl-convert's Vega + Vega-Lite + vega-embed bundle (about 900 kB of JavaScript).

    Building it takes about a second on every build, yet it only changes with vl-convert's
    version; so it is kept in the user's cache folder under that version (written atomically,
    rebuilt when missing or unreadable; no cache at all when the folder is not writable).
    """
    path = _bundle_cache()
    try:
        cached = path.read_text(encoding="utf-8")
        if "vegaEmbed" in cached:
            return cached
    except OSError:
        pass
    bundle = vlc.javascript_bundle()
    partial = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
        ) as handle:
            partial = Path(handle.name)
            handle.write(bundle)
        os.replace(partial, path)
    except OSError:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return bundle


def report_html(spec: dict, stamp: BuildStamp | None) -> str:
    """Return the HTML page: the inlined Vega bundle, the spec, and the selector-from-URL hook."""
    bundle = vega_bundle()
    # Data is never code: segment names end up in the JSON, so no "</" may close the script tag.
    spec_json = json.dumps(spec).replace("</", "<\\/")
    footer = escape(stamp.footer()) if stamp else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Segment explorer</title>
<style>body{{font-family:sans-serif;margin:24px;color:#222}}
footer{{color:#777;font-size:12px;margin-top:16px}}</style>
</head><body>
<h1>Segment explorer</h1>
<p>Pick a segment in the selector to highlight its customers, its profile and its size.
Hover a customer for their values.</p>
<div id="explorer"></div>
<footer class="build-footer">{footer}</footer>
<script>{bundle}</script>
<script>
const spec = {spec_json};
vegaEmbed("#explorer", spec, {{actions: false, renderer: "svg"}}).then(async (result) => {{
  window.explorerView = result.view;
  const wanted = new URLSearchParams(location.hash.slice(1)).get("segment");
  const select = document.querySelector("#explorer select");
  if (wanted !== null && select) {{
    const option = Array.from(select.options).find((o) => o.text === wanted);
    if (option) {{
      select.value = option.value;
      select.dispatchEvent(new Event("input", {{bubbles: true}}));
      select.dispatchEvent(new Event("change", {{bubbles: true}}));
    }}
  }}
  await result.view.runAsync();
  document.body.dataset.ready = "1";
}});
</script>
</body></html>
"""


def write_report(
    tables: dict[str, pl.DataFrame | None], out_dir: Path, stamp: BuildStamp | None = None
) -> ChartResult:
    """Write ``segment_explorer.html`` into ``out_dir``; a page saying why when it cannot."""
    path = out_dir / f"{REPORT_NAME}.html"
    try:
        chart, rows = explorer_chart(tables)
        html = report_html(chart.to_dict(), stamp)
        status, note = "drawn", None
    except ValueError as reason:
        rows, status, note = 0, "not_available", str(reason)
        footer = escape(stamp.footer()) if stamp else ""
        html = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Segment explorer</title>"
            f"</head><body><h1>Segment explorer</h1><p>Not available: {escape(note)}.</p>"
            f"<footer class='build-footer'>{footer}</footer></body></html>"
        )
    _write(path, html)
    return ChartResult(REPORT_NAME, str(path), status, rows, note)
