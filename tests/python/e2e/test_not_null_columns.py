"""not_null_columns, the project's model-level null test, catches null cells.

A model's never-null columns are one not_null_columns test (one node, one scan) instead of one
dbt not_null test per column, so it must fail where those would have: a copy of the demo
warehouse gets null cells in two of the three never-null columns of the naming_rules seed, and
`dbt test` on it must fail naming the test with the count of null cells, as the column tests'
counts would add up.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import DbtRun, run_dbt

pytestmark = pytest.mark.dbt

NULL_TEST = re.compile(r"(PASS|FAIL \d+) (not_null_columns_naming_rules_\w+)")


def test_not_null_columns_passes_on_the_demo_and_counts_null_cells(
    demo_build: DbtRun, tmp_path: Path
):
    work = tmp_path / "warehouse"
    work.mkdir()
    shutil.copy(demo_build.database, work / "warehouse.duckdb")
    select = ["--select", "naming_rules,test_name:not_null_columns"]
    clean = run_dbt(work, "test", extra_args=select)
    assert [m.group(1) for m in NULL_TEST.finditer(clean.output)] == ["PASS"], clean.output

    with duckdb.connect(str(work / "warehouse.duckdb")) as connection:
        (schema,) = connection.execute(
            "select table_schema from information_schema.tables where table_name = 'naming_rules'"
        ).fetchall()[0]
        rules = f'"{schema}".naming_rules'
        connection.execute(
            f"update {rules} set tier = null where rowid in (select rowid from {rules} limit 2)"
        )
        connection.execute(
            f"update {rules} set name_order = null "
            f"where rowid in (select rowid from {rules} order by rowid desc limit 1)"
        )
    bad = run_dbt(work, "test", extra_args=select, check=False)
    assert bad.result.returncode == 1, bad.output
    # Three null cells: two in tier, one in name_order.
    assert [m.group(1) for m in NULL_TEST.finditer(bad.output)] == ["FAIL 3"], bad.output[-3000:]
