"""The one home of the DuckDB file check: fail early, in words, when the file cannot be opened
(held by another process, a folder, a missing folder, a name dbt-duckdb cannot use).

DuckDB allows one writing process per file. When a notebook, a SQL client or another dbt run holds
the file, dbt-duckdb would stop with three Python stack traces. Two callers use
:func:`lock_problem`:

- plain dbt: ``profiles.yml`` loads this module as a dbt-duckdb plugin; dbt-duckdb calls
  :meth:`Plugin.update_connection_config` right before it opens the file, and the plugin raises a
  ``DbtRuntimeError`` with the sentence below, which dbt prints without a traceback;
- ``make`` (``python -m customer_segmentation.warehouse``), before dbt starts.

The chart command (:mod:`customer_segmentation.charts.render`) words a failed read-only open with
:func:`open_problem`, the sentence :func:`lock_problem` uses.

Tooling only: the clustering modules never import duckdb.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

DEFAULT_DATABASE = "customer_segmentation.duckdb"


def database_path() -> Path:
    """The DuckDB file dbt uses: $DBT_DUCKDB_PATH, else the default in the project folder."""
    return Path(os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_DATABASE)


def lock_problem(path: Path) -> str | None:
    """A sentence saying why `path` cannot be opened for writing, or None when it can."""
    import duckdb

    if "'" in path.stem or '"' in path.stem:
        # dbt-duckdb names the database after the file and writes that name into its own SQL
        # unescaped (list_schemas: catalog_name = '"o'brien"'): a parser error, not a message.
        return (
            f"The DuckDB file name {path.name} has a quote in it, which dbt-duckdb cannot use "
            "(it names the database after the file). Fix: point DBT_DUCKDB_PATH at a file "
            "whose name has no quotes (the folders may), e.g. "
            f"{path.with_name(path.name.replace(chr(39), '').replace(chr(34), ''))}."
        )
    if path.is_dir():
        return (
            f"The DuckDB file {path} is a folder. "
            "Fix: point DBT_DUCKDB_PATH at a file (it is created when missing)."
        )
    if path.parent and not path.parent.exists():
        return (
            f"The folder of the DuckDB file {path} does not exist. "
            "Fix: create it, or point DBT_DUCKDB_PATH at a file in an existing folder."
        )
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        return open_problem(path, error)
    return None


def open_problem(path: Path, error: Exception) -> str:
    """The sentence for a DuckDB error raised opening `path`: who holds the lock, and the fix."""
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=None, help="default: DBT_DUCKDB_PATH")
    args = parser.parse_args(argv)
    problem = lock_problem(args.database or database_path())
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return 0


_CHECKED: set[str] = set()


def _plugin_class() -> type:
    """The dbt-duckdb plugin class, made on first use: importing dbt-duckdb takes 1-2 s, which the
    `make` preflight and the chart command (neither a dbt process) should not pay."""
    try:
        from dbt.adapters.duckdb.plugins import BasePlugin
    except ImportError:  # the package without dbt-duckdb: the `make` preflight still works
        BasePlugin = object

    class Plugin(BasePlugin):
        """dbt-duckdb plugin (``plugins: [{module: customer_segmentation.warehouse}]`` in
        profiles.yml).

        Checks the file once per dbt process, before the first connection: dbt reopens the file
        for every node, and one open + close per node would cost time for a case that arises at
        start.
        """

        def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
            path = str(getattr(creds, "path", "") or "")
            if not path or path == ":memory:" or path.startswith("md:") or path in _CHECKED:
                return
            problem = lock_problem(Path(path))
            if problem:
                from dbt_common.exceptions import DbtRuntimeError

                raise DbtRuntimeError(problem)
            _CHECKED.add(path)

    return Plugin


def __getattr__(name: str) -> Any:
    # dbt-duckdb looks the plugin up as this module's attribute `Plugin` (PEP 562 lookup).
    if name == "Plugin":
        plugin = _plugin_class()
        globals()["Plugin"] = plugin
        return plugin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    raise SystemExit(main())
