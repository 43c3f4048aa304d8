"""A plain `dbt build` on a DuckDB file held by another process: one sentence, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt


def test_plain_dbt_build_on_a_locked_file_names_file_process_and_fix(tmp_path: Path):
    database = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(database)!r}); "
            "print('ready', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        run = run_dbt(tmp_path, "build", extra_args=["--select", "stg_customers"], check=False)
    finally:
        holder.kill()
        holder.wait()
    assert run.result.returncode != 0
    output = run.output
    assert f"The DuckDB file {database} is locked by process {holder.pid}" in output
    assert "Fix: close that process" in output
    assert "Traceback" not in output and "IOException" not in output
    assert "PASS=" not in output  # nothing ran

    # The same project builds once the holder is gone (the check does not stay in the way).
    again = run_dbt(tmp_path, "seed", extra_args=["--select", "naming_rules"])
    assert again.result.returncode == 0
