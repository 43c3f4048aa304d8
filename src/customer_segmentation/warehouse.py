"""Preflight for the DuckDB file: fail early, in words, when dbt could not open it.

DuckDB allows one writing process per file. When a notebook, a SQL client or another dbt run holds
the file, dbt-duckdb stops with a Python stack trace; `make build` runs this check first so the
user reads which file, which process, and what to do. Tooling only: the clustering modules never
import duckdb.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

DEFAULT_DATABASE = "customer_segmentation.duckdb"


def database_path() -> Path:
    """The DuckDB file dbt uses: $DBT_DUCKDB_PATH, else the default in the project folder."""
    return Path(os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_DATABASE)


def lock_problem(path: Path) -> str | None:
    """A sentence saying why `path` cannot be opened for writing, or None when it can."""
    import duckdb

    if path.parent and not path.parent.exists():
        return (
            f"The folder of the DuckDB file {path} does not exist. "
            "Fix: create it, or point DBT_DUCKDB_PATH at a file in an existing folder."
        )
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        message = str(error)
        if "lock" not in message.lower():
            return f"DuckDB cannot open {path}: {message}"
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", message)
        who = f"process {holder.group(2)} ({holder.group(1)})" if holder else "another process"
        return (
            f"The DuckDB file {path} is locked by {who}. DuckDB lets one process write to a file "
            "at a time. Fix: close that process (a notebook, a SQL client such as DBeaver, or "
            "another dbt run), or point DBT_DUCKDB_PATH at another file, then run again."
        )
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=None, help="default: DBT_DUCKDB_PATH")
    args = parser.parse_args(argv)
    problem = lock_problem(args.database or database_path())
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
