"""The DuckDB preflight names a locked file, the process holding it, and the fix."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from customer_segmentation import warehouse


def test_a_free_file_passes(tmp_path: Path):
    assert warehouse.lock_problem(tmp_path / "free.duckdb") is None


def test_a_missing_folder_is_named(tmp_path: Path):
    problem = warehouse.lock_problem(tmp_path / "nowhere" / "db.duckdb")
    assert problem and "does not exist" in problem and "DBT_DUCKDB_PATH" in problem


def test_a_file_locked_by_another_process_is_reported_with_its_pid(tmp_path: Path, capsys):
    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert warehouse.main(["--database", str(path)]) == 2
        message = capsys.readouterr().err
        assert "PID" not in message  # the raw DuckDB text is translated, not echoed
        assert f"process {holder.pid}" in message
        assert "Fix: close that process" in message
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert warehouse.main(["--database", str(path)]) == 0


def test_a_folder_given_as_the_file_is_named(tmp_path: Path):
    problem = warehouse.lock_problem(tmp_path)
    assert problem and "is a folder" in problem and "DBT_DUCKDB_PATH" in problem


def test_a_quote_in_the_file_name_is_named_and_a_quote_in_a_folder_is_fine(tmp_path: Path):
    # dbt-duckdb writes the file's stem into its own SQL unescaped: a parser error otherwise.
    problem = warehouse.lock_problem(tmp_path / "o'brien.duckdb")
    assert problem and "o'brien.duckdb has a quote in it" in problem
    assert f"e.g. {tmp_path / 'obrien.duckdb'}" in problem
    folder = tmp_path / "O'Brien's data"
    folder.mkdir()
    assert warehouse.lock_problem(folder / "segments.duckdb") is None


def test_the_preflight_does_not_import_dbt_and_the_plugin_is_still_found():
    # `make build` runs the preflight before every dbt build; importing dbt-duckdb for a plugin
    # class the preflight never uses took 1.5-2 s of it. dbt-duckdb still finds `Plugin`.
    code = (
        "import sys; import customer_segmentation.warehouse as w; "
        "print(any(m == 'dbt' or m.startswith('dbt.') for m in sys.modules)); "
        "from dbt.adapters.duckdb.plugins import BasePlugin; "
        "print(issubclass(w.Plugin, BasePlugin), w.Plugin is w.Plugin)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]
