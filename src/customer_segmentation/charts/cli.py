"""`python -m customer_segmentation.charts` (`make charts`): its options and the checks that need
no chart library, so a wrong path fails in a fraction of a second, not after importing Altair,
scikit-learn and polars (2-5 s). The rendering itself is customer_segmentation.charts.render.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from customer_segmentation.warehouse import database_path

DEFAULT_MAX_SVG_KB = 1000


def missing_database(database: Path) -> str:
    """What to say when there is no DuckDB file where the charts look for one."""
    return (
        f"no DuckDB file at {database}. Run `make build` first, or set DBT_DUCKDB_PATH "
        "(or --database) to the file dbt built."
    )


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status (2: the database cannot be read)."""
    parser = argparse.ArgumentParser(
        prog="python -m customer_segmentation.charts",
        description="Render the segmentation charts from the DuckDB file into assets/.",
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="the DuckDB file dbt built (default: $DBT_DUCKDB_PATH, else "
        "./customer_segmentation.duckdb)",
    )
    parser.add_argument("--out", type=Path, default=Path("assets"), help="folder for the charts")
    parser.add_argument(
        "--schema", default="main", help="schema searched first for each table (main)"
    )
    parser.add_argument(
        "--max-svg-kb",
        type=int,
        default=DEFAULT_MAX_SVG_KB,
        help="above this size a chart is rendered as PNG (default %(default)s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    database = args.database or database_path()
    if not database.is_file():
        print(f"error: {missing_database(database)}", file=sys.stderr)
        return 2
    from customer_segmentation.charts import render

    return render.render_database(database, args.out, args.schema, args.max_svg_kb * 1000)
