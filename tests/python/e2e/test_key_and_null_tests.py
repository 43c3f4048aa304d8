"""The project's own key and null tests catch bad rows: primary_key (dbt's unique and not_null in
one node and one scan) and not_null_columns (several columns of a model in one node and one scan).

They stand in for 100 column-level dbt tests, so they must fail where those would have: a copy of
the demo warehouse gets a repeated key, a null key and null cells, and `dbt test` on those tables
must fail naming each test with the count of bad keys / null cells.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import DbtRun, run_dbt

pytestmark = pytest.mark.dbt


def _table(connection: duckdb.DuckDBPyConnection, name: str) -> str:
    (schema,) = connection.execute(
        "select table_schema from information_schema.tables where table_name = ?", [name]
    ).fetchone()
    return f'"{schema}"."{name}"'


def _failures(run: DbtRun) -> dict[str, int]:
    """Test name prefix -> failure count, from dbt's console lines "N of M FAIL <count> <test>"."""
    found = {}
    for match in re.finditer(r"FAIL (\d+) (\w+?)_(rfm_segments|naming_rules)", run.output):
        found[f"{match.group(2)}_{match.group(3)}"] = int(match.group(1))
    return found


def test_key_and_null_tests_pass_on_the_demo_and_fail_on_bad_rows(
    demo_build: DbtRun, tmp_path: Path
):
    work = tmp_path / "warehouse"
    work.mkdir()
    shutil.copy(demo_build.database, work / "warehouse.duckdb")
    select = ["--select", "rfm_segments naming_rules"]
    clean = run_dbt(work, "test", extra_args=select)
    assert "PASS primary_key_rfm_segments_rule_order" in clean.output
    assert re.search(r"PASS not_null_columns_naming_rules_\w+", clean.output)

    with duckdb.connect(str(work / "warehouse.duckdb")) as connection:
        rules, names = _table(connection, "rfm_segments"), _table(connection, "naming_rules")
        # One repeated key and one null key: two bad keys.
        connection.execute(f"insert into {rules} select * from {rules} order by rule_order limit 1")
        connection.execute(
            f"insert into {rules} select * replace (null as rule_order) from {rules} limit 1"
        )
        # Three null cells in two of the three never-null columns.
        connection.execute(
            f"update {names} set tier = null where rowid in (select rowid from {names} limit 2)"
        )
        connection.execute(
            f"update {names} set name_order = null "
            f"where rowid in (select rowid from {names} limit 1)"
        )
    bad = run_dbt(work, "test", extra_args=select, check=False)
    assert bad.result.returncode == 1, bad.output
    failures = _failures(bad)
    assert failures.get("primary_key_rfm_segments") == 2, bad.output[-3000:]
    assert failures.get("not_null_columns_naming_rules") == 3, bad.output[-3000:]
