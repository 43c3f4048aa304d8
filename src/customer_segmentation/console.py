"""Say what the clustering step is doing, where the user sees it.

Every api function takes an optional ``log`` callable (one line of text in, nothing out). The dbt
Python models pass :func:`dbt_console`, which writes to dbt's console; elsewhere messages go to the
standard ``logging`` logger ``customer_segmentation``. The package never imports dbt at import
time: ``dbt_console`` imports dbt's event functions when it writes a line, inside dbt's process.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl

Log = Callable[[str], None]
LOGGER = logging.getLogger("customer_segmentation")


def dbt_console(model_name: str) -> Log:
    """A ``log`` that writes each line to the dbt console as ``<model_name>: <line>``, for the dbt
    Python models (dbt-duckdb runs them inside the dbt process, so dbt's events reach the console
    and logs/dbt.log in order with the nodes' own lines)."""

    def write(message: str) -> None:
        from dbt_common.events.functions import fire_event
        from dbt_common.events.types import Note

        fire_event(Note(msg=f"{model_name}: {message}"))

    return write


def resolve(log: Log | None) -> Log:
    """Return ``log``, or the standard logger's ``info`` when it is ``None``."""
    return log if log is not None else LOGGER.info


@contextmanager
def warnings_to(log: Log) -> Iterator[None]:
    """Send every ``UserWarning`` raised inside the block to ``log`` as it happens (a line
    starting with ``WARNING:``), then re-issue it when the block ends, which keeps the Python
    behaviour (filters, ``pytest.warns``).
    """
    caught: list[tuple] = []

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, UserWarning):
            log(f"WARNING: {message}")
        caught.append((message, category, filename, lineno))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield
    for message, category, filename, lineno in caught:
        warnings.warn_explicit(message, category, filename, lineno)


PROGRESS_EVERY = 5.0  # seconds between two progress lines of one long step


class Progress:
    """Progress of one long step, said at most every ``every`` seconds: call it with the units
    done so far. Nothing is said for a step that ends sooner, so short runs stay quiet."""

    def __init__(self, log: Log, what: str, total: int, every: float = PROGRESS_EVERY) -> None:
        self.log, self.what, self.total, self.every = log, what, total, every
        self.start = self.last = time.monotonic()

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if done < self.total and now - self.last >= self.every:
            self.log(
                f"  {self.what}: {done:,} of {self.total:,} ({percent(done / self.total)}, "
                f"{now - self.start:.0f} s)"
            )
            self.last = now


def percent(share: float) -> str:
    """Return ``0.02`` as ``2%`` and ``0.006`` as ``0.6%``."""
    return f"{share * 100:.3g}%"


def scaling_summary(scaling: pl.DataFrame) -> str:
    """Return one line saying how each feature was prepared in SQL (``feature_scaling`` rows).

    Reads ``feature_name`` and ``method``, and ``transform``, ``clip_lower`` and ``clip_upper``
    where the table has them; other columns are ignored.
    """
    parts = []
    for row in scaling.sort("feature_name").iter_rows(named=True):
        steps = []
        if row.get("transform") not in (None, "none"):
            steps.append(str(row["transform"]))
        low, high = row.get("clip_lower"), row.get("clip_upper")
        if low is not None or high is not None:
            steps.append(f"outlier fence [{_number(low)}, {_number(high)}]")
        steps.append(f"{row.get('method', 'scaled')} scaling")
        parts.append(f"{row['feature_name']}: {', '.join(steps)}")
    return "features prepared in SQL: " + "; ".join(parts)


def _number(value: float | None) -> str:
    return "-inf" if value is None else f"{value:.4g}"
