"""Fixtures that run the real dbt project (dbt-duckdb, Python models and all) on temporary files.

Each build gets its own DuckDB file, target/ and logs/ folders, so tests never touch the
developer's `customer_segmentation.duckdb` and can run while `make build` output exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO.parent / "shared" / "data" / "mall_customers"
MALL_CSV = SHARED_DATA / "Mall_Customers.csv"
DBT = Path(sys.executable).parent / "dbt"


@dataclass
class DbtRun:
    """One dbt invocation on its own DuckDB file."""

    workdir: Path
    result: subprocess.CompletedProcess[str]

    @property
    def database(self) -> Path:
        return self.workdir / "warehouse.duckdb"

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection that finds tables of every layer without a schema name
        (marts in main, staging and intermediate in their own schemas)."""
        connection = duckdb.connect(str(self.database), read_only=True)
        schemas = [
            row[0]
            for row in connection.execute(
                "select schema_name from information_schema.schemata "
                "where catalog_name = current_database()"
            ).fetchall()
        ]
        ordered = [name for name in ("main", "staging", "intermediate") if name in schemas]
        ordered += sorted(set(schemas) - set(ordered) - {"information_schema", "pg_catalog"})
        connection.execute(f"set search_path = '{','.join(ordered)}'")
        return connection

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.connect() as connection:
            return connection.execute(sql).fetchall()

    def frame(self, sql: str):
        with self.connect() as connection:
            return connection.sql(sql).pl()

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]


def run_dbt(
    workdir: Path,
    command: str = "build",
    variables: dict[str, Any] | None = None,
    extra_args: list[str] | None = None,
    check: bool = True,
) -> DbtRun:
    """Run `dbt <command>` from the project root against workdir/warehouse.duckdb."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    args = [str(DBT), command, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    # Campaign exports go to the run's own folder, never to the developer's exports/.
    # Campaign exports and rendered charts go to the run's own folder, never into the project.
    variables = {
        "exports_path": str(workdir / "exports"),
        "assets_path": str(workdir / "assets"),
        **(variables or {}),
    }
    args += ["--vars", json.dumps(variables)]
    args += extra_args or []
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    run = DbtRun(workdir, result)
    if check and result.returncode != 0:
        tail = "\n".join(run.output.splitlines()[-60:])
        pytest.fail(f"dbt {command} failed (exit {result.returncode}):\n{tail}")
    return run


@pytest.fixture(scope="session")
def mall_csv() -> Path:
    if not MALL_CSV.exists():
        pytest.skip(f"Kaggle Mall Customers file not found at {MALL_CSV} (../shared is absent)")
    return MALL_CSV


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """`dbt build` of the whole project on the committed demo seeds."""
    return run_dbt(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def mall_income_score_k5(tmp_path_factory: pytest.TempPathFactory, mall_csv: Path) -> DbtRun:
    """The published setup: Income + Score, unscaled, K-Means with k=5."""
    return run_dbt(
        tmp_path_factory.mktemp("mall_k5"),
        variables={
            "customers_path": str(mall_csv),
            "segmentation_features": ["annual_income_k", "spending_score"],
            "scaling": "none",
            "n_clusters": 5,
        },
    )


@pytest.fixture(scope="session")
def docs_site_dir(tmp_path_factory: pytest.TempPathFactory, demo_build: DbtRun) -> Path:
    """The docs site of the demo build: charts rendered, `dbt docs generate` run.

    Works on a copy of the project so the developer's assets/ and target/ are left alone.
    """
    copy = tmp_path_factory.mktemp("docs_site") / "project"
    shutil.copytree(
        REPO,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "target",
            "logs",
            "*.duckdb",
            "*.wal",
            "bench_data",
            "exports",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
            ".ruff_cache",
        ),
    )
    env = {**os.environ, "DBT_DUCKDB_PATH": str(demo_build.database)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "customer_segmentation.charts",
            "--database",
            str(demo_build.database),
            "--out",
            str(copy / "assets"),
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result = subprocess.run(
        [str(DBT), "docs", "generate", "--project-dir", str(copy), "--profiles-dir", str(copy)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"dbt docs generate failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return copy / "target"
