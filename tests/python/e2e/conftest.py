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
Never write into REPO from a test: copy the project first (see `demo_project`).

dbt runs inside the test process (``invoke_dbt``): dbt's programmatic entry point, the one
dbt-core's own functional tests use, with the same commands, events and exit codes as the `dbt`
command. It saves the interpreter start, dbt's imports (about 2 s) and the Python models' imports
(scikit-learn, Altair: about 2 s) on every invocation after a worker's first; parsing is about
2 s faster once dbt's config schemas are built, and 1.2 s more with dbt's test-time parse caches
(``enable_test_caching``, which dbt-core's own functional tests turn on); Jinja's compiled
templates and dbt's schema validations are kept too (``dbt_test_caches``: a parse 2.0 -> 1.3 s,
a lean demo build 11.8 -> 9.7 s). The shared demo build (`demo_project`) still runs the `dbt`
command in a subprocess, as a user does; set CS_TEST_DBT_SUBPROCESS=1 to run every invocation
that way (without any of these caches).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import inspect
import io
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
IN_PROCESS = os.environ.get("CS_TEST_DBT_SUBPROCESS", "") in ("", "0")


def invoke_dbt(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` (args without the `dbt` itself) with this environment and working folder
    and return what the command would: exit code 0 (success), 1 (a node failed) or 2 (dbt
    stopped with an error), and the console output as stdout."""
    # No debug log file (logs/dbt.log): no test reads it, and writing every event and SQL text to
    # it took a sixth of a lean demo build (9.6 against 11.4 s, six alternated builds). Set
    # DBT_LOG_LEVEL_FILE=debug to have it back when a failure needs it.
    env = {**env, "DBT_LOG_LEVEL_FILE": env.get("DBT_LOG_LEVEL_FILE", "none")}
    # No JSON artifacts (manifest.json twice, run_results.json, graph.gpickle) unless the test
    # reads them (run_dbt's ``artifacts``) or DBT_WRITE_JSON=true is set: writing them took a
    # third of a one-model run (3.0 against 2.0 s, 15 runs each). Compiled SQL under
    # target/compiled is written either way.
    env.setdefault("DBT_WRITE_JSON", "false")
    if not IN_PROCESS:
        return subprocess.run(
            [str(DBT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    from . import dbt_test_caches

    # dbt-core's test caches and two more, keyed by the source text itself (an edited file is
    # parsed and compiled afresh): see dbt_test_caches.
    dbt_test_caches.install()

    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        capture_stdout_logs(out)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            outcome = dbtRunner().invoke(list(args))
    finally:
        stop_capture_stdout_logs()
        # dbt-duckdb keeps its DuckDB instance open for the life of the process (keep_open); let
        # go of it, so the file is closed before the test opens it read-only (DuckDB refuses a
        # second instance of one file in one process). Letting go is enough as a rule; a full
        # garbage collection (0.4 s in a worker that holds dbt's manifests: a tenth of a small
        # build) only when something still holds the file open.
        DuckDBConnectionManager.close_all_connections()
        if _holds_open(Path(env["DBT_DUCKDB_PATH"]) if "DBT_DUCKDB_PATH" in env else None):
            gc.collect()
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    code = 0 if outcome.success else 2 if outcome.exception is not None else 1
    stderr = err.getvalue()
    if outcome.exception is not None and str(outcome.exception) not in out.getvalue():
        # What the command prints for errors raised before dbt's logger exists (bad options).
        stderr += f"Error: {outcome.exception}\n"
    return subprocess.CompletedProcess([str(DBT), *args], code, out.getvalue(), stderr)


def _holds_open(database: Path | None) -> bool:
    """Whether this process still has the DuckDB file (or its .wal) open; True when it cannot
    tell (no path, or no /proc to look in)."""
    descriptors = Path("/proc/self/fd")
    if database is None or not descriptors.is_dir():
        return True
    path = os.path.realpath(database)
    for descriptor in descriptors.iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:  # closed while listing (the listing's own descriptor)
            continue
        if target.startswith(path):
            return True
    return False


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
    unit_tests: bool = False,
    artifacts: bool = False,
) -> DbtRun:
    """Run `dbt <command>` from the project root against workdir/warehouse.duckdb.

    ``lean`` skips the pictures, t-SNE (var tsne_sample_size 0) and chart rendering, which cost
    about 15 s of a demo build and have tests of their own (demo build, docs browser, bounded
    Python step); for builds that check other things.

    A build leaves out dbt's unit tests unless ``unit_tests`` is set. They feed fixed rows to the
    model and pin the vars its SQL reads (and are disabled when a var points the model at another
    node), so their outcome does not depend on a test's input or vars; the demo build runs every
    one of them, as a user's `dbt build` does (checked by test_demo_pipeline), and so does the
    shared Mall build. Run under every end-to-end build they cost a quarter of the suite's time.

    dbt's JSON artifacts (target/manifest.json, run_results.json) are written only with
    ``artifacts``.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **({"DBT_WRITE_JSON": "true"} if artifacts else {}),
    }
    args = [command, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
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
    if command == "build" and not unit_tests:
        extra += ["--exclude-resource-type", "unit_test"]
    args += extra
    result = invoke_dbt(args, REPO, env)
    run = DbtRun(workdir, result)
    if check and result.returncode != 0:
        tail = "\n".join(run.output.splitlines()[-60:])
        pytest.fail(f"dbt {command} failed (exit {result.returncode}):\n{tail}")
    return run


def run_base_customers(
    workdir: Path, customers: Path, check: bool = True, **variables: Any
) -> DbtRun:
    """`dbt run --select base_customers` on a customers file (and any other vars): the one model
    a test of how a customers file is read needs."""
    return run_dbt(
        workdir,
        command="run",
        variables={"customers_path": str(customers), **variables},
        extra_args=["--select", "base_customers"],
        check=check,
    )


def run_base_orders(
    workdir: Path, orders: Path, *models: str, check: bool = True, **variables: Any
) -> DbtRun:
    """`dbt run --select <models>` (base_orders by default) on an orders file (and any other
    vars): how a test of how an orders export is read runs the staging models it needs."""
    return run_dbt(
        workdir,
        command="run",
        variables={"orders_path": str(orders), **variables},
        extra_args=["--select", *(models or ("base_orders",))],
        check=check,
    )


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


@pytest.hookimpl(tryfirst=True)  # before -m deselects, so an unmarked test cannot slip through
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder runs dbt or a browser and must say so (pytest.mark.dbt or
    .browser), or `make test-fast` (-m "not dbt and not browser") runs it."""
    here = Path(__file__).parent
    unmarked = [
        item.nodeid
        for item in items
        if Path(str(item.path)).parent == here
        and item.get_closest_marker("dbt") is None
        and item.get_closest_marker("browser") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "end-to-end tests without a dbt or browser marker (add "
            "`pytestmark = pytest.mark.dbt` to the file): " + ", ".join(unmarked[:5])
        )


@pytest.fixture(scope="session")
def mall_csv() -> Path:
    if not MALL_CSV.exists():
        pytest.skip(f"Kaggle Mall Customers file not found at {MALL_CSV} (../shared is absent)")
    return MALL_CSV


# A copy of the project for a build run the way a user runs it: build output of the project
# folder itself (target/, logs/, exports/, bench data) is left behind, not model folders that
# happen to share a name (models/marts/marketing/exports/).
_IGNORE_EVERYWHERE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "*.duckdb",
    "*.wal",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
)
_IGNORE_AT_ROOT = {"target", "logs", "exports", "bench_data"}


def _ignore(directory: str, names: list[str]) -> set[str]:
    ignored = set(_IGNORE_EVERYWHERE(directory, names))
    if Path(directory) == REPO:
        ignored |= _IGNORE_AT_ROOT & set(names)
    return ignored


@dataclass
class DemoProject:
    """The demo built as a user builds it; see ``demo_project``."""

    project: Path
    build: DbtRun
    invocation_id: str


@shared_build
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> DemoProject:
    """The committed demo as a user builds it, shared by every test that reads the demo.

    A copy of the project (assets emptied), then plain `dbt build` and `dbt docs generate
    --no-compile` (`make build`'s two dbt steps) run inside it with dbt's own target/ and logs/
    (only exports_path is set, and the DuckDB file sits beside the copy). One build serves the
    data tests, the governance checks on its docs and the browser tests of its site: a demo
    build with charts and docs costs about 40 s.
    """
    work = tmp_path_factory.mktemp("demo")
    project = work / "project"
    shutil.copytree(REPO, project, ignore=_ignore)
    for stale in (project / "assets").glob("*"):
        if stale.name != ".gitkeep":
            stale.unlink()
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.pop("DBT_TARGET_PATH", None)
    env.pop("DBT_LOG_PATH", None)
    flags = ["--project-dir", str(project), "--profiles-dir", str(project)]
    variables = ["--vars", json.dumps({"exports_path": str(work / "exports")})]
    results = []
    # `make build`'s docs step: the build's own manifest.json and a fresh catalog (no compile).
    for command in (["build", *variables], ["docs", "generate", "--no-compile", *variables]):
        result = subprocess.run(
            [str(DBT), *command, *flags],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if result.returncode != 0:
            pytest.fail(f"dbt {command[0]} failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
        results.append(result)
    build = DbtRun(work, results[0])
    (invocation_id,) = build.query("select distinct invocation_id from chart_renders")[0]
    return DemoProject(project, build, invocation_id)


@pytest.fixture(scope="session")
def demo_build(demo_project: DemoProject) -> DbtRun:
    """`dbt build` of the whole project on the committed demo seeds (read it, never change it)."""
    return demo_project.build


@shared_build
def mall_income_score_k5(tmp_path_factory: pytest.TempPathFactory, mall_csv: Path) -> DbtRun:
    """The published setup: Income + Score, unscaled, K-Means with k=5."""
    return run_dbt(
        tmp_path_factory.mktemp("mall_k5"),
        unit_tests=True,
        variables={
            "customers_path": str(mall_csv),
            "segmentation_features": ["annual_income_k", "spending_score"],
            "scaling": "none",
            "n_clusters": 5,
        },
    )
