"""Render the charts inside `dbt build`: what the thin chart_renders model calls.

The model hands over its refs (DuckDB relations); this module reads them, renders every chart
with the build's footer into the asset folder and returns one row per chart written. Nothing here
fails the build because of the data: a chart the data cannot give is a placeholder saying why
(status 'not_available'), a chart that errors is a placeholder saying so (status 'failed', which
a warn-severity test on chart_renders reports).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl

from customer_segmentation.charts import report
from customer_segmentation.charts.render import (
    TABLES,
    BuildStamp,
    ChartResult,
    customers_of_sample,
    read_relation,
    render_all,
)
from customer_segmentation.console import Log, resolve

# The settings shown in every footer, in this order, with the words used there.
FOOTER_SETTINGS = {
    "cluster_algorithm": "algorithm",
    "n_clusters": "n_clusters",
    "scaling": "scaling",
    "feature_transforms": "transforms",
    "random_seed": "seed",
}

RESULT_SCHEMA = {
    "chart_name": pl.String,
    "path": pl.String,
    "status": pl.String,
    "rows_drawn": pl.Int64,
    "note": pl.String,
    "invocation_id": pl.String,
    "settings_json": pl.String,
    "rendered_at": pl.Datetime("us"),
}


def build_stamp(context: pl.DataFrame, tables: Mapping[str, pl.DataFrame | None]) -> BuildStamp:
    """Return the footer stamp from chart_build_context's row and the chosen segmentation."""
    row = context.row(0, named=True) if context.height else {}
    settings = json.loads(row.get("settings_json") or "{}")
    shown = {
        label: _short(settings[key]) for key, label in FOOTER_SETTINGS.items() if key in settings
    }
    candidates = tables.get("segmentation_candidates")
    if candidates is not None and "is_selected" in candidates.columns:
        chosen = candidates.filter(pl.col("is_selected").fill_null(False))
        if chosen.height:
            shown["chosen"] = f"{chosen['algorithm'][0]} k={chosen['n_clusters'][0]}"
    scaling = tables.get("feature_scaling")
    if scaling is not None and "feature_name" in scaling.columns:
        shown["features"] = ", ".join(scaling.sort("feature_order")["feature_name"].to_list())
    started = row.get("run_started_at")
    built_at = started.strftime("%Y-%m-%d %H:%M:%S") if started else "unknown time"
    return BuildStamp(str(row.get("invocation_id") or "unknown"), built_at, shown)


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def input_rows(customers, orders) -> pl.DataFrame:
    """Return rows read per input and outcome (kept, or the rejection reason), counted in SQL.

    ``customers`` and ``orders`` are the base_customers / base_orders relations (one row per input
    line, rejection_reason null when kept).
    """
    parts = []
    for name, relation in (("customers", customers), ("orders", orders)):
        if relation is None or "rejection_reason" not in relation.columns:
            continue
        counted = relation.aggregate(
            "coalesce(rejection_reason, 'kept') as outcome, count(*) as row_count",
            "coalesce(rejection_reason, 'kept')",
        ).pl()
        parts.append(counted.with_columns(input=pl.lit(name)))
    if not parts:
        return pl.DataFrame(
            schema={"input": pl.String, "outcome": pl.String, "row_count": pl.Int64}
        )
    return pl.concat(parts).select("input", "outcome", pl.col("row_count").cast(pl.Int64))


def summary(results: Sequence[ChartResult], out_dir: Path, seconds: float) -> str:
    """Return the console line: files written, by status, where, and how long it took."""
    counts = Counter(result.status for result in results)
    said = ", ".join(
        f"{counts[status]} {words}"
        for status, words in (
            ("drawn", "drawn"),
            ("not_available", "not available (the data cannot give them)"),
            ("failed", "FAILED (chart_renders.note says why)"),
        )
        if counts[status]
    )
    return (
        f"{len(results)} files (the charts and the segment explorer) written to {out_dir} in "
        f"{seconds:.1f} s: {said}"
    )


def asset_dir(assets_path: str, project_dir: str | Path) -> Path:
    """Return the asset folder: ``assets_path`` as is when absolute, else under the project."""
    path = Path(assets_path or "assets")
    return path if path.is_absolute() else Path(project_dir) / path


def render_charts(
    relations: Mapping[str, Any], project_dir: str | Path = ".", log: Log | None = None
) -> pd.DataFrame:
    """Render every chart and the interactive report; return one row per file written.

    ``relations`` maps table names (render.TABLES, plus build_context, base_customers and
    base_orders) to DuckDB relations. Columns of the result: chart_name, path, status (drawn,
    not_available, failed), rows_drawn, note, invocation_id, settings_json, rendered_at. ``log``
    (the dbt console inside dbt) gets one summary line, and any warning of the renderer.
    """
    log = resolve(log)
    started = time.monotonic()
    context = relations["build_context"].pl()
    relations, drawn = customers_of_sample(relations)
    tables: dict[str, pl.DataFrame | None] = {
        name: read_relation(relations[name], name) if relations.get(name) is not None else None
        for name in TABLES
    }
    tables["input_rows"] = input_rows(relations.get("base_customers"), relations.get("base_orders"))
    stamp = build_stamp(context, tables)
    if drawn:
        stamp.settings["customers drawn"] = drawn
    assets_path = context["assets_path"][0] if context.height else "assets"
    out_dir = asset_dir(assets_path, project_dir)
    # Inside dbt the chart_renders table is the record; per-file lines would bypass dbt's console.
    results = render_all(tables, out_dir, stamp=stamp, log=lambda line: None, warn=log)
    results.append(report.write_report(tables, out_dir, stamp))
    log(summary(results, out_dir, time.monotonic() - started))
    rendered_at = datetime.now(UTC).replace(tzinfo=None)
    settings_json = json.dumps(stamp.settings)
    frame = pl.DataFrame(
        [
            {
                "chart_name": result.chart_name,
                "path": result.path,
                "status": result.status,
                "rows_drawn": result.rows_drawn,
                "note": result.note,
                "invocation_id": stamp.invocation_id,
                "settings_json": settings_json,
                "rendered_at": rendered_at,
            }
            for result in results
        ],
        schema=RESULT_SCHEMA,
    )
    return frame.to_pandas()
