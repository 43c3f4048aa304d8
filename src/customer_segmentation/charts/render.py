"""Render every chart from the built DuckDB file into assets/, for the dbt docs site.

Usage: ``python -m customer_segmentation.charts [--database PATH] [--out assets]``.

The file names are fixed (see CHART_FILES) because the doc blocks in docs/ embed them. A chart the
data cannot give is still written, as a small SVG that says why, so the docs never show a broken
image. An SVG over ``--max-svg-kb`` (a big scatter) is rendered as PNG instead, when that is
smaller: the PNG is written beside it and the .svg becomes a wrapper that embeds the PNG, so the
name the docs embed never changes (an SVG shown as an image may not load other files). The specs
are built here; the images are drawn in a child process (``customer_segmentation.chart_images``),
because vl-convert holds the GIL for a whole render.

This is the only module of the package that imports duckdb, and only when it opens the file.
"""

from __future__ import annotations

import logging
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from customer_segmentation.chart_images import Image, ImageRenderer
from customer_segmentation.charts import cli, exploration, model_selection, segments
from customer_segmentation.charts._common import (
    Chart,
    logger,
    placeholder,
)
from customer_segmentation.charts.cli import DEFAULT_MAX_SVG_KB
from customer_segmentation.warehouse import open_problem

LOG = logging.getLogger(__name__)


TABLES = (
    "int_customer_features",
    "feature_scaling",
    "int_customer_features_scaled",
    "segmentation_candidates",
    "customer_segments",
    "segment_profiles",
    "segment_centroids",
    "segment_projections",
    "segment_linkage",
)


@dataclass(frozen=True)
class ChartFile:
    """One rendered chart: its file name in assets/ (without extension) and what it shows."""

    name: str
    shows: str


CHART_FILES = (
    ChartFile("input_rows", "rows read per input: kept, and rejected by reason"),
    ChartFile("feature_histograms", "distribution of every numeric feature"),
    ChartFile("feature_boxplots", "every numeric feature by gender"),
    ChartFile("correlations", "correlations between the numeric features"),
    ChartFile("pair_plot", "every pair of clustering features, coloured by segment"),
    ChartFile("elbow", "inertia by number of segments, the chosen one marked"),
    ChartFile("selection_indices", "silhouette, Calinski-Harabasz, Davies-Bouldin (and BIC)"),
    ChartFile("segment_scatter", "customers on the two features that separate segments best"),
    ChartFile("pca_projection", "customers on the first two principal components"),
    ChartFile("tsne_projection", "t-SNE map of a sample of customers"),
    ChartFile("segment_sizes", "customers per segment"),
    ChartFile("segment_boxplots", "every clustering feature by segment"),
    ChartFile("centroid_heatmap", "segment centres, segments x features"),
    ChartFile("dendrogram", "hierarchical merge tree of a sample, cut at the chosen number"),
    ChartFile("silhouette", "per-customer silhouette by segment, on a fixed sample"),
    ChartFile("segment_distances", "distances between segment centres"),
)


class DatabaseProblem(Exception):
    """The DuckDB file cannot be read; the message says what to do."""


def load_tables(database: Path, schema: str = "main") -> dict[str, pl.DataFrame | None]:
    """Read the tables the charts need (None for each one not built yet), read-only.

    Raises DatabaseProblem when the file is missing, locked by another process or unreadable.
    """
    import duckdb

    if not database.is_file():
        raise DatabaseProblem(cli.missing_database(database))
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise DatabaseProblem(open_problem(database, error)) from None
    with connection:
        # Marts live in ``schema`` (main); staging and intermediate tables in their own schemas
        # (var layer_schemas), so each table is looked up in ``schema`` first, then anywhere.
        located: dict[str, str] = {}
        for table_schema, table_name in connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "order by table_schema = ? desc, table_schema",
            [schema],
        ).fetchall():
            located.setdefault(table_name, table_schema)
        present = set(located)
        relations = {
            table: connection.sql(f"select * from {_quoted(located[table])}.{_quoted(table)}")
            for table in (*TABLES, "int_customer_features_sample")
            if table in present
        }
        relations["chart_sample"] = relations.pop("int_customer_features_sample", None)
        relations, drawn = customers_of_sample(relations)
        if drawn:
            LOG.info("customer charts drawn from the clustering sample: %s customers", drawn)
        tables = {
            table: None if relations.get(table) is None else read_relation(relations[table], table)
            for table in TABLES
        }
        from customer_segmentation.charts.in_build import input_rows

        bases = {
            name: connection.sql(f"select * from {_quoted(located[name])}.{_quoted(name)}")
            if name in present
            else None
            for name in ("base_customers", "base_orders")
        }
        rows = input_rows(bases["base_customers"], bases["base_orders"])
        tables["input_rows"] = rows if rows.height else None
        return tables


NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT")
NUMERIC_TYPES += ("UINTEGER", "UBIGINT", "FLOAT", "REAL", "DOUBLE", "DECIMAL")
# Columns each chart needs from the customer-grain tables; other columns are not read, to keep a
# million customers in memory once (text such as email is the bulk of int_customer_features).
CUSTOMER_COLUMNS = {
    "int_customer_features": ("customer_id", "gender"),
    "customer_segments": ("customer_id", "segment_id", "segment_name"),
}


def _quoted(name: str) -> str:
    """Return ``name`` as a DuckDB identifier (schema, table or column names are data here)."""
    return '"' + name.replace('"', '""') + '"'


# Customer-grain tables: only the customers of the clustering sample are read into Python (the
# charts draw samples anyway), so rendering does not grow with the base.
CUSTOMER_GRAIN = (
    "int_customer_features",
    "int_customer_features_scaled",
    "customer_segments",
    "segment_projections",
)


def customers_of_sample(relations: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Return the relations with customer-grain tables cut to the ``chart_sample`` customers.

    ``relations`` maps table names to DuckDB relations; ``chart_sample`` is the clustering sample
    (int_customer_features_sample). Only when the base is larger than the sample; the second value
    ("20,000 of 1,000,000") says so, for the footers and the log.
    """
    relations = dict(relations)
    sample = relations.get("chart_sample")
    customers = relations.get("int_customer_features")
    if sample is None or customers is None:
        return relations, None
    sampled = sample.aggregate("count(*)").fetchall()[0][0]
    total = customers.aggregate("count(*)").fetchall()[0][0]
    if sampled >= total:
        return relations, None
    ids = sample.select("customer_id")
    for name in CUSTOMER_GRAIN:
        if relations.get(name) is not None:
            relations[name] = relations[name].join(ids, "customer_id", how="semi")
    return relations, f"{sampled:,} of {total:,}"


def read_relation(relation, table: str) -> pl.DataFrame:
    """Return a DuckDB relation as polars; of the customer-grain tables only the chart columns.

    ``relation`` is any object with DuckDB's relation API (``columns``, ``dtypes``, ``select``,
    ``pl``): a table read by the CLI or a ``dbt.ref`` inside the chart_renders model.
    """
    if table in CUSTOMER_COLUMNS:
        keep = [
            name
            for name, dtype in zip(relation.columns, relation.dtypes, strict=True)
            if name in CUSTOMER_COLUMNS[table]
            or (table == "int_customer_features" and str(dtype).startswith(NUMERIC_TYPES))
        ]
        relation = relation.select(*[_quoted(name) for name in keep])
    return relation.pl()


def clustering_features(tables: dict[str, pl.DataFrame | None]) -> list[str]:
    """Return the clustering features in order: feature_scaling, else the scaled table's columns."""
    scaling = tables.get("feature_scaling")
    if scaling is not None and {"feature_name", "feature_order"} <= set(scaling.columns):
        return scaling.sort("feature_order")["feature_name"].to_list()
    scaled = tables.get("int_customer_features_scaled")
    if scaled is not None:
        return [column for column in scaled.columns if column != "customer_id"]
    return []


def segmented_customers(tables: dict[str, pl.DataFrame | None]) -> pl.DataFrame | None:
    """Return int_customer_features with segment_id, segment_name; None if either is missing."""
    features = tables.get("int_customer_features")
    assigned = tables.get("customer_segments")
    if features is None or assigned is None:
        return None
    labels = assigned.select("customer_id", "segment_id", "segment_name")
    return features.join(labels, on="customer_id", how="inner")


def selected_segments(tables: dict[str, pl.DataFrame | None]) -> int | None:
    """Return the number of segments of the selected candidate, if known."""
    candidates = tables.get("segmentation_candidates")
    if candidates is None or "is_selected" not in candidates.columns:
        return None
    chosen = candidates.filter(pl.col("is_selected").fill_null(False))
    return int(chosen["n_clusters"][0]) if chosen.height else None


def chart_builders(tables: dict[str, pl.DataFrame | None]) -> dict[str, Callable[[], Chart]]:
    """Return, for each name in CHART_FILES, a function that builds the chart from ``tables``."""
    features = tables.get("int_customer_features")
    customers = segmented_customers(tables)
    clustering = clustering_features(tables)
    profiles = tables.get("segment_profiles")
    names = profiles if profiles is not None else tables.get("customer_segments")
    builders: dict[str, Callable[[], Chart]] = {
        "input_rows": lambda: exploration.input_outcomes(tables.get("input_rows")),
        "feature_histograms": lambda: exploration.feature_histograms(features),
        "feature_boxplots": lambda: exploration.feature_boxplots(features, by="gender"),
        "correlations": lambda: exploration.correlation_heatmap(features),
        "pair_plot": lambda: exploration.pair_plot(customers, clustering),
        "elbow": lambda: model_selection.elbow_curve(tables.get("segmentation_candidates")),
        "selection_indices": lambda: model_selection.selection_indices(
            tables.get("segmentation_candidates")
        ),
        "segment_scatter": lambda: segments.segment_scatter(
            customers, tables.get("segment_centroids"), clustering or None
        ),
        "pca_projection": lambda: segments.pca_projection(tables.get("segment_projections"), names),
        "tsne_projection": lambda: segments.tsne_projection(
            tables.get("segment_projections"), names
        ),
        "segment_sizes": lambda: segments.segment_sizes(profiles),
        "segment_boxplots": lambda: exploration.feature_boxplots(
            customers, by="segment_name", columns=clustering or None
        ),
        "centroid_heatmap": lambda: segments.centroid_heatmap(
            tables.get("segment_centroids"), names
        ),
        "dendrogram": lambda: segments.dendrogram(
            tables.get("segment_linkage"), selected_segments(tables)
        ),
        "silhouette": lambda: segments.silhouette_plot(
            tables.get("int_customer_features_scaled"),
            tables.get("customer_segments"),
            clustering,
        ),
        "segment_distances": lambda: segments.segment_distances(
            tables.get("segment_centroids"), names
        ),
    }
    assert set(builders) == {chart.name for chart in CHART_FILES}
    return builders


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1_000_000:.1f} MB" if n_bytes >= 1_000_000 else f"{n_bytes / 1000:.1f} kB"


def _write(path: Path, content: str | bytes) -> None:
    """Write atomically, so a docs server never serves half a file."""
    partial = path.with_name(path.name + ".partial")
    if isinstance(content, bytes):
        partial.write_bytes(content)
    else:
        partial.write_text(content, encoding="utf-8")
    partial.replace(path)


@dataclass(frozen=True)
class BuildStamp:
    """Which build drew a chart: printed in every chart's footer and kept in chart_renders."""

    invocation_id: str
    built_at: str
    settings: dict[str, str] = field(default_factory=dict)

    def footer(self) -> str:
        """Return the footer line: build time, dbt invocation id and the key settings."""
        parts = [f"Built {self.built_at} UTC", f"dbt invocation {self.invocation_id}"]
        parts += [f"{key} {value}" for key, value in self.settings.items()]
        return " · ".join(parts)


_SVG_TAG = re.compile(r"<svg\b[^>]*>")


def add_footer(svg: str, text: str, font_size: int = 10) -> str:
    """Return ``svg`` with ``text`` written in small grey type in a strip added at the bottom.

    Long footers wrap to the chart's width. The SVG's width, height and viewBox grow to fit.
    """
    tag = _SVG_TAG.search(svg)
    if tag is None or not text:
        return svg
    attributes = dict(re.findall(r'\b(width|height|viewBox)="([^"]*)"', tag.group(0)))
    try:
        width, height = float(attributes["width"]), float(attributes["height"])
    except (KeyError, ValueError):
        return svg
    per_line = max(40, int(max(width, 300) / (0.56 * font_size)))
    # Never break inside a word or at a hyphen: the invocation id must stay whole.
    lines = textwrap.wrap(text, per_line, break_long_words=False, break_on_hyphens=False) or [text]
    strip = 6 + (font_size + 3) * len(lines)
    new_height = height + strip
    new_width = max(width, 300.0)
    opening = tag.group(0)
    for name, value in (("width", new_width), ("height", new_height)):
        opening = re.sub(rf'\b{name}="[^"]*"', f'{name}="{value:g}"', opening, count=1)
    if "viewBox" in attributes:
        x0, y0, *_ = (float(number) for number in attributes["viewBox"].split())
        opening = re.sub(
            r'\bviewBox="[^"]*"', f'viewBox="{x0:g} {y0:g} {new_width:g} {new_height:g}"', opening
        )
    last = len(lines) - 1
    spans = "".join(
        f'<tspan x="{0 if "viewBox" not in attributes else x0:g}" '
        f'dy="{font_size + 3 if index else 0}">{escape(line)}{" " if index < last else ""}'
        "</tspan>"
        for index, line in enumerate(lines)
    )
    origin_x = x0 if "viewBox" in attributes else 0
    origin_y = y0 if "viewBox" in attributes else 0
    footer = (
        f'<g class="build-footer"><rect x="{origin_x:g}" y="{origin_y + height:g}" '
        f'width="{new_width:g}" height="{strip:g}" fill="white"/>'
        f'<text x="{origin_x:g}" y="{origin_y + height + 4 + font_size:g}" '
        f'font-family="sans-serif" font-size="{font_size}" fill="#777">{spans}</text></g>'
    )
    closing = svg.rindex("</svg>")
    return svg[: tag.start()] + opening + svg[tag.end() : closing] + footer + svg[closing:]


@dataclass(frozen=True)
class ChartResult:
    """One chart written to the asset folder."""

    chart_name: str
    path: str
    status: str  # drawn | not_available | failed
    rows_drawn: int
    note: str | None


def rows_in(spec: dict) -> int:
    """Return the number of data rows a Vega-Lite spec carries inline (what the chart draws)."""
    total = sum(len(rows) for rows in (spec.get("datasets") or {}).values())

    def walk(node) -> int:
        if isinstance(node, dict):
            found = (
                len(node["data"]["values"])
                if isinstance(node.get("data"), dict)
                and isinstance(node["data"].get("values"), list)
                else 0
            )
            return found + sum(walk(value) for key, value in node.items() if key != "data")
        if isinstance(node, list):
            return sum(walk(item) for item in node)
        return 0

    return total + walk(spec)


def write_image(image: Image, out_dir: Path, name: str, footer: str | None, note: str) -> str:
    """Write ``image`` to ``out_dir/name.svg`` (and ``name.png`` when it is one), with the build
    footer at the bottom when ``footer`` is given; return the progress line.

    ``note`` ends the line of a plain SVG ("chart", or "placeholder: why").
    """
    svg_path, png_path = out_dir / f"{name}.svg", out_dir / f"{name}.png"
    svg = add_footer(image.svg, footer) if footer else image.svg
    if image.png is not None:
        _write(png_path, image.png)
        _write(svg_path, svg)
        return (
            f"{svg_path}  {_size(len(image.svg))}  as PNG at {image.scale:g}x (plain SVG would be "
            f"{_size(image.plain_svg_bytes)}), also {png_path} {_size(len(image.png))}"
        )
    _write(svg_path, svg)
    png_path.unlink(missing_ok=True)
    return f"{svg_path}  {_size(image.plain_svg_bytes)}  {note}"


def _spec(build: Callable[[], Chart]) -> dict | Exception:
    """Return the chart's Vega-Lite spec (built and validated once: a large part of a chart's
    cost), or the error that building it raised."""
    try:
        return build().to_dict()
    except Exception as error:
        return error


def render_all(
    tables: dict[str, pl.DataFrame | None],
    out_dir: Path,
    max_svg_bytes: int = DEFAULT_MAX_SVG_KB * 1000,
    stamp: BuildStamp | None = None,
    log: Callable[[str], None] = print,
    warn: Callable[[str], None] | None = None,
) -> list[ChartResult]:
    """Render every chart in CHART_FILES into ``out_dir``, logging one line per chart with ``log``
    (``warn``: where a renderer problem is said; see chart_images.ImageRenderer).

    A chart that fails is logged and replaced by a placeholder that says so (status 'failed'), so
    one broken chart never stops the others. Returns one ChartResult per chart.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    footer = stamp.footer() if stamp else None
    results = []
    with ImageRenderer(warn=warn) as renderer:
        # Every spec is built here and queued: the child process renders one while the next is
        # built (chart_images says why rendering runs in a child process).
        queued = []
        for name, build in chart_builders(tables).items():
            spec = _spec(build)
            label = name.replace("_", " ")
            image = (
                None if isinstance(spec, Exception) else renderer.submit(spec, max_svg_bytes, label)
            )
            queued.append((name, label, spec, image))
        for name, label, spec, image in queued:
            try:
                if isinstance(spec, Exception):
                    raise spec
                reason = (spec.get("usermeta") or {}).get("placeholder")
                note = f"placeholder: {reason}" if reason else "chart"
                line = write_image(image.result(), out_dir, name, footer, note)
                status, rows = ("not_available", 0) if reason else ("drawn", rows_in(spec))
                note = reason
            except Exception as error:
                logger.exception("%s: the chart failed", name)
                note = f"the chart failed ({error})"
                fallback = placeholder(label, note).to_dict()
                reason = (fallback.get("usermeta") or {}).get("placeholder")
                fallback_image = renderer.submit(fallback, max_svg_bytes, label).result()
                line = write_image(fallback_image, out_dir, name, footer, f"placeholder: {reason}")
                line += "  FAILED"
                status, rows = "failed", 0
            log(line)
            results.append(ChartResult(name, str(out_dir / f"{name}.svg"), status, rows, note))
    return results


def main(argv: list[str] | None = None) -> int:
    """The command line (customer_segmentation.charts.cli.main, which calls render_database)."""
    return cli.main(argv)


def render_database(database: Path, out: Path, schema: str, max_svg_bytes: int) -> int:
    """Render every chart and the explorer from a built DuckDB file into ``out``; the exit status
    (1: a chart failed, 2: the database cannot be read)."""
    try:
        tables = load_tables(database, schema)
    except DatabaseProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    results = render_all(tables, out, max_svg_bytes)
    # The interactive explorer too, as chart_renders writes it (report imports this module).
    from customer_segmentation.charts import report

    explorer = report.write_report(tables, out)
    print(f"{explorer.path}  {explorer.status}" + (f": {explorer.note}" if explorer.note else ""))
    failures = sum(result.status == "failed" for result in results)
    if failures:
        print(f"error: {failures} chart(s) failed; see the messages above", file=sys.stderr)
        return 1
    return 0
