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

Without pytest-xdist it is a plain session fixture. Under `pytest -n auto` the first worker that
needs it builds it while holding a file lock in the run's common temporary folder and stores the
result there; the other workers wait for the lock and reuse that build instead of repeating it
(so its return value must pickle, and tests must only read it: open DuckDB files read-only,
copy what you would change). A failed or skipped build fails or skips its tests on every worker.
Never write into REPO from a test: copy the project first (see `docs_site_dir`).
"""

from __future__ import annotations

import fcntl
import functools
import inspect
import json
import os
import pickle
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
    lean: bool = False,
) -> DbtRun:
    """Run `dbt <command>` from the project root against workdir/warehouse.duckdb.

    ``lean`` skips the pictures, t-SNE (var tsne_sample_size 0) and chart rendering, which cost
    about 15 s of a demo build and have tests of their own (demo build, docs browser, bounded
    Python step); for builds that check other things.
    """
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
        **({"tsne_sample_size": 0} if lean else {}),
        **(variables or {}),
    }
    args += ["--vars", json.dumps(variables)]
    extra = list(extra_args or [])
    if lean and command == "build":
        if "--exclude" in extra:
            extra.insert(extra.index("--exclude") + 1, "chart_renders")
        else:
            extra += ["--exclude", "chart_renders"]
    args += extra
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    run = DbtRun(workdir, result)
    if check and result.returncode != 0:
        tail = "\n".join(run.output.splitlines()[-60:])
        pytest.fail(f"dbt {command} failed (exit {result.returncode}):\n{tail}")
    return run


def shared_build(function: Callable[..., Any]) -> Any:
    """Declare a session fixture holding a build shared by tests and xdist workers (see above)."""
    parameters = inspect.signature(function).parameters
    asks_factory = "tmp_path_factory" in parameters

    @functools.wraps(function)
    def once_per_run(*args: Any, tmp_path_factory: pytest.TempPathFactory, **kwargs: Any) -> Any:
        if asks_factory:
            kwargs["tmp_path_factory"] = tmp_path_factory
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            return function(*args, **kwargs)
        shared = tmp_path_factory.getbasetemp().parent  # common to the run's workers
        stored = shared / f"shared_build_{function.__name__}.pickle"
        with (shared / f"shared_build_{function.__name__}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not stored.exists():
                try:
                    outcome = ("value", function(*args, **kwargs))
                except pytest.skip.Exception as skipped:
                    outcome = ("skip", str(skipped))
                except BaseException as error:
                    outcome = ("fail", f"{function.__name__} failed on another worker: {error}")
                    stored.write_bytes(pickle.dumps(outcome))
                    raise
                stored.write_bytes(pickle.dumps(outcome))
            kind, value = pickle.loads(stored.read_bytes())
        if kind == "skip":
            pytest.skip(value)
        if kind == "fail":
            pytest.fail(value, pytrace=False)
        return value

    once_per_run.__signature__ = inspect.Signature(
        [p for p in parameters.values() if p.name != "tmp_path_factory"]
        + [inspect.Parameter("tmp_path_factory", inspect.Parameter.KEYWORD_ONLY)]
    )
    return pytest.fixture(scope="session", name=function.__name__)(once_per_run)


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


@shared_build
def docs_site_dir(tmp_path_factory: pytest.TempPathFactory, demo_build: DbtRun) -> Path:
    """The docs site of the demo build: charts rendered, `dbt docs generate` run.

    Works on a copy of the project and of the demo warehouse (`dbt docs generate` opens it for
    writing), so the developer's files and other workers' readers are left alone.
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
    database = shutil.copy(demo_build.database, copy / "docs_warehouse.duckdb")
    env = {**os.environ, "DBT_DUCKDB_PATH": str(database)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "customer_segmentation.charts",
            "--database",
            str(database),
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
