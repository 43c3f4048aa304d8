"""Pieces shared by the chart modules: frame conversion, sampling, labels, colours, placeholders."""

from __future__ import annotations

import functools
import logging
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import altair as alt
import numpy as np
import pandas as pd
import polars as pl

logger = logging.getLogger("customer_segmentation.charts")

Frame = pl.DataFrame | pd.DataFrame
Chart = alt.TopLevelMixin

MAX_SCATTER_POINTS = 3000
SAMPLE_SEED = 42

# Columns of int_customer_features that are numbers but not features worth a chart.
NON_FEATURE_COLUMNS = frozenset({"customer_id", "source_row_number", "is_female", "segment_id"})

FEATURE_LABELS = {
    "age": "Age (years)",
    "annual_income_k": "Annual income (k$)",
    "spending_score": "Spending score (1-100)",
    "recency_days": "Days since last order",
    "frequency": "Number of orders",
    "monetary": "Total spend",
    "avg_order_value": "Average order value",
    "tenure_days": "Days as a customer",
    "online_share": "Share of spend online",
    "is_female": "Female (1) or male (0)",
}

GENDER_ORDER = ("Female", "Male", "Other", "Unknown")


class ChartUnavailable(Exception):
    """The data cannot give this chart; the message says why, in words for the docs reader."""


def feature_label(name: str) -> str:
    """Return a readable label for a feature column, e.g. 'Annual income (k$)'."""
    if name in FEATURE_LABELS:
        label = FEATURE_LABELS[name]
    elif name.startswith("share_"):
        label = "Share of spend on " + name.removeprefix("share_").replace("_", " ")
    else:
        label = name.replace("_", " ").capitalize()
        if label in FEATURE_LABELS.values():
            # A derived feature named as a built-in label reads (`total_spend` beside monetary's
            # "Total spend"): two columns of one label broke every chart that shows both.
            label = f"{label} ({name})"
    # Vega-Lite reads '.', '[' and ']' in field names as paths; labels become field names.
    return label.replace(".", "").replace("[", "(").replace("]", ")")


def to_polars(frame: Frame | None) -> pl.DataFrame | None:
    """Return the frame as polars (pandas is converted), or None when there is no frame."""
    if frame is None:
        return None
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pd.DataFrame):
        return pl.from_pandas(frame)
    raise TypeError(f"expected a polars or pandas DataFrame, got {type(frame).__name__}")


def require(frame: Frame | None, table: str, columns: Sequence[str] = ()) -> pl.DataFrame:
    """Return the frame as polars; raise ChartUnavailable if missing, empty or lacking columns."""
    data = to_polars(frame)
    if data is None:
        raise ChartUnavailable(f"the table {table} does not exist yet (run `make build`)")
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise ChartUnavailable(f"the table {table} has no column {', '.join(missing)}")
    if data.height == 0:
        raise ChartUnavailable(f"the table {table} is empty")
    return data


def numeric_features(frame: pl.DataFrame) -> list[str]:
    """Return the numeric, non-boolean feature columns of a customer frame, in frame order."""
    return [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_numeric() and name not in NON_FEATURE_COLUMNS and not name.endswith("_id")
    ]


def sample_rows(
    frame: pl.DataFrame,
    max_rows: int = MAX_SCATTER_POINTS,
    seed: int = SAMPLE_SEED,
    key: str = "customer_id",
) -> pl.DataFrame:
    """Return at most ``max_rows`` rows, the same ones on every run.

    Rows are sorted by ``key`` (when present) and a uniform sample without replacement is drawn by
    a NumPy generator seeded with ``seed``; the result stays sorted by ``key``. Frames over the same
    customers therefore give the same sample, so every scatter shows the same customers.
    """
    if key in frame.columns:
        frame = frame.sort(key)
    if frame.height <= max_rows:
        return frame
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(frame.height, size=max_rows, replace=False))
    return frame[rows]


def segment_names(frame: pl.DataFrame) -> list[str]:
    """Return the distinct segment names, ordered by segment_id when the frame has it."""
    if "segment_id" in frame.columns:
        pairs = frame.select("segment_id", "segment_name").unique().sort("segment_id")
        return list(dict.fromkeys(pairs["segment_name"].to_list()))
    return sorted(frame["segment_name"].unique().to_list())


def segment_scale(names: Sequence[str]) -> alt.Scale:
    """Return the colour scale that gives each segment the same colour in every chart."""
    scheme = "tableau10" if len(names) <= 10 else "tableau20"
    return alt.Scale(domain=list(names), scheme=scheme)


def segment_color(names: Sequence[str], legend: bool = True) -> alt.Color:
    """Return the colour channel for segment_name with the shared scale."""
    return alt.Color(
        "segment_name:N",
        title="Segment",
        scale=segment_scale(names),
        sort=list(names),
        legend=alt.Legend(orient="right") if legend else None,
    )


def attach_segment_names(frame: pl.DataFrame, segments: Frame | None) -> pl.DataFrame:
    """Add segment_name by segment_id from ``segments``; 'Segment <id>' where none is known."""
    names = to_polars(segments)
    if "segment_name" in frame.columns:
        return frame
    if names is not None and {"segment_id", "segment_name"} <= set(names.columns):
        lookup = names.select("segment_id", "segment_name").unique(subset="segment_id")
        frame = frame.join(
            lookup.with_columns(pl.col("segment_id").cast(frame.schema["segment_id"])),
            on="segment_id",
            how="left",
        )
    else:
        frame = frame.with_columns(segment_name=pl.lit(None, dtype=pl.String))
    return frame.with_columns(
        pl.col("segment_name").fill_null(
            pl.format("Segment {}", pl.col("segment_id").cast(pl.String))
        )
    )


def style(chart: Chart) -> Chart:
    """Apply the house look: readable fonts, left-aligned titles, no chart border.

    ARIA labels are switched off: they repeat every point's values and triple a scatter's SVG size,
    and the charts are shown as images whose alt text describes them.

    One ``configure`` call, not a chain of ``configure_*``: each call copies the chart, and copying
    a layered chart re-runs Altair's merge of its layers' parameters (the same spec, about a fifth
    of the time).
    """
    return chart.configure(
        aria=False,
        title={"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#555"},
        axis={"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal"},
        header={"labelFontSize": 12, "titleFontSize": 12},
        legend={"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 260},
        view={"stroke": None},
    )


def title(text: str, subtitle: str | Sequence[str] | None = None) -> alt.Title:
    """Return a chart title with an optional subtitle (a string or a list of lines)."""
    if subtitle is None:
        return alt.Title(text)
    return alt.Title(text, subtitle=subtitle)


def placeholder(chart_title: str, reason: str) -> Chart:
    """Return a small chart that says why ``chart_title`` is not drawn, and log the reason.

    The reason is kept in the spec's ``usermeta`` so callers can tell a placeholder from a chart.
    """
    logger.warning("%s: not drawn, %s", chart_title, reason)
    lines = textwrap.wrap(f"Not available: {reason}.", width=80)
    data = pd.DataFrame({"line": lines, "row": range(len(lines))})
    chart = (
        alt.Chart(data)
        .mark_text(align="left", baseline="top", fontSize=13, color="#555")
        .encode(
            x=alt.value(0),
            y=alt.Y("row:O", axis=None),
            text="line:N",
        )
        .properties(
            width=560,
            height=20 * len(lines),
            title=title(chart_title),
            usermeta={"placeholder": reason},
        )
    )
    return style(chart)


def placeholder_reason(chart: Chart) -> str | None:
    """Return why the chart is a placeholder, or None for a real chart."""
    usermeta = chart.to_dict(validate=False).get("usermeta") or {}
    return usermeta.get("placeholder")


P = ParamSpec("P")


def chart_builder(chart_title: str) -> Callable[[Callable[P, Chart]], Callable[P, Chart]]:
    """Decorate a chart function so that ChartUnavailable gives a placeholder, not an error."""

    def decorate(build: Callable[P, Chart]) -> Callable[P, Chart]:
        @functools.wraps(build)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
            try:
                return build(*args, **kwargs)
            except ChartUnavailable as unavailable:
                return placeholder(chart_title, str(unavailable))

        wrapper.chart_title = chart_title  # type: ignore[attr-defined]
        return wrapper

    return decorate


def records(frame: pl.DataFrame) -> pd.DataFrame:
    """Return the frame as pandas for Altair (inline data), with nulls as None."""
    return frame.to_pandas()


def fmt_int(value: Any) -> str:
    """Format a count with thousands separators."""
    return f"{int(value):,}"
