"""Fixtures that run the real dbt project (dbt-duckdb, Python models and all) on temporary files.

Each build gets its own DuckDB file, target/ and logs/ folders, so tests never touch the
developer's `customer_segmentation.duckdb` and can run while `make build` output exists, and
tests can run in parallel (pytest-xdist workers each have their own temporary folders).

Sharing a build: a `dbt build` costs 20-60 s, so tests that can check the same build should.
Declare the build once as a fixture decorated with `@shared_build` (a session fixture, here or
in your own test file) and request it from every test that reads it:

    @shared_build
    def mall_income_score_k5(tmp_path_factory, mall_csv) -> DbtRun:
        return run_dbt(tmp_path_factory.mktemp("mall_k5"), variables={...})

Under `pytest -n auto --dist loadgroup` every test that needs a shared build, directly or through
another fixture, is put in the xdist group named after it, so each shared build runs once, on one
worker, while unrelated tests run on the others. Without xdist it is a plain session fixture.
A test that gets the build dynamically (`request.getfixturevalue`) says so with the marker
`@pytest.mark.shared_build("demo_build")`, since collection cannot see that dependency.
Never write into REPO from a test: copy the project first (see `docs_site_dir`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
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

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def frame(self, sql: str):
        with duckdb.connect(str(self.database), read_only=True) as connection:
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
    variables = {"exports_path": str(workdir / "exports"), **(variables or {})}
    args += ["--vars", json.dumps(variables)]
    args += extra_args or []
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    run = DbtRun(workdir, result)
    if check and result.returncode != 0:
        tail = "\n".join(run.output.splitlines()[-60:])
        pytest.fail(f"dbt {command} failed (exit {result.returncode}):\n{tail}")
    return run


SHARED_BUILDS: list[str] = []
"""Names of the `@shared_build` fixtures, in declaration order (the first one a test uses names
its xdist group)."""


def shared_build(function: Callable[..., Any]) -> Any:
    """Declare a session fixture holding a build shared by tests (see the module docstring)."""
    SHARED_BUILDS.append(function.__name__)
    return pytest.fixture(scope="session")(function)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put each test that needs a shared build in that build's xdist group (one worker)."""
    for item in items:
        needed = [*getattr(item, "fixturenames", ())]
        needed += [mark.args[0] for mark in item.iter_markers("shared_build") if mark.args]
        group = next((name for name in SHARED_BUILDS if name in needed), None)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def mall_csv() -> Path:
    if not MALL_CSV.exists():
        pytest.skip(f"Kaggle Mall Customers file not found at {MALL_CSV} (../shared is absent)")
    return MALL_CSV


@shared_build
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """`dbt build` of the whole project on the committed demo seeds."""
    return run_dbt(tmp_path_factory.mktemp("demo"))


@shared_build
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
