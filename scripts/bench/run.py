"""`make bench`: time the project on generated data and write bench/results.md.

Parts (each can be skipped so the bench can be tried small):
1. headline: N customers / M orders (default 1M / 10M) as Parquet, default vars, full `dbt build`
   (tests included), alternated with the pandas + scikit-learn script doing the same
   segmentation work (scripts/bench/pandas_pipeline.py) and with a dbt build of that work alone
   (SEGMENTATION_ONLY); medians of --runs runs each, the ratios, every dbt node's time from
   run_results.json of the median dbt run, and where its wall time went (critical_chain.py: the
   threads' busy time, the critical chain's running and waiting);
2. scoring: --score-customers new customers (10 orders each) scored with
   `dbt run --selector score_new_customers` (alternated with `dbt build`, the same with the
   input checks) against the model stored by the headline build;
3. growth: one `dbt build` per --sizes customer count (10 orders each): time and peak memory,
   the Python step's own cost (scripts/bench/python_step.py, the dbt Python models run outside
   dbt on the built warehouse), a table and an Altair chart (bench/growth.svg);
4. staging formats: the two staging models that read the inputs (`dbt build --select
   base_customers base_orders`) on the headline inputs as Parquet and as CSV, alternated.

Generated inputs are cached under --folder (bench_data/ by default; delete it to regenerate).
Figures only, no pass/fail: a busy machine makes them indicative. Example of a quick try:
  make bench BENCH_ARGS="--customers 20000 --orders 200000 --sizes 5000,20000 --out /tmp/bench"
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import critical_chain
import duckdb
import measure

PROJECT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DBT = Path(sys.executable).parent / "dbt"
ORDERS_PER_CUSTOMER = 10
ISSUE_TARGETS = "issue 10: build <= 30 s, peak <= 3 GB, <= 0.6x pandas; scoring 100k <= 5 s"
# The work the pandas script does, as a dbt selection: staging with its quarantine and input
# summary, features, scaling, the search and fit, customer_segments and segment_profiles, and
# every test whose inputs are all selected (indirect_selection buildable). Not built: marketing
# lists and exports, t-SNE and the dendrogram, charts, the snapshot, scoring.
SEGMENTATION_ONLY = ["+segment_profiles", "customers_rejected", "orders_rejected", "input_summary"]


@dataclass
class Dataset:
    customers: int
    orders: int
    folder: Path
    file_format: str = "parquet"

    @property
    def customers_file(self) -> Path:
        return self.folder / f"demo_customers.{self.file_format}"

    @property
    def orders_file(self) -> Path:
        return self.folder / f"demo_orders.{self.file_format}"

    @property
    def label(self) -> str:
        return f"{self.customers:,} customers / {self.orders:,} orders"


@dataclass
class Build:
    """One measured dbt command on a dataset, with its node timings."""

    measurement: measure.Measurement
    run_results: dict[str, Any] = field(default_factory=dict)

    @property
    def nodes(self) -> list[dict[str, Any]]:
        """Every node of run_results.json: id, status and seconds."""
        return [
            {"node": r["unique_id"], "status": r["status"], "seconds": r["execution_time"]}
            for r in self.run_results.get("results", [])
        ]

    @property
    def seconds(self) -> float:
        return self.measurement.seconds

    @property
    def peak_mib(self) -> float:
        return self.measurement.peak_mib

    @property
    def cpu_seconds(self) -> float:
        return self.measurement.cpu_seconds


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def dataset(root: Path, customers: int, orders: int, seed: int) -> Dataset:
    """The Parquet inputs for this size, generated with the project's synth unless cached."""
    data = Dataset(customers, orders, root / f"c{customers}_o{orders}_s{seed}")
    if data.customers_file.exists() and data.orders_file.exists():
        return data
    log(f"generating {data.label} in {data.folder}")
    data.folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve().parents[1] / "synth.py"),
            "--customers",
            str(customers),
            "--orders",
            str(orders),
            "--seed",
            str(seed),
            "--format",
            "parquet",
            "--out",
            str(data.folder),
            "--truth",
            str(data.folder / "truth.parquet"),
        ],
        check=True,
        cwd=PROJECT,
    )
    return data


def as_csv(data: Dataset) -> Dataset:
    """The same inputs as comma-separated text with a header (written by DuckDB unless cached)."""
    copy = Dataset(data.customers, data.orders, data.folder, "csv")
    with duckdb.connect() as connection:
        for source, target in (
            (data.customers_file, copy.customers_file),
            (data.orders_file, copy.orders_file),
        ):
            if not target.exists():
                log(f"writing {target}")
                connection.execute(
                    "copy (select * from read_parquet(?)) to '"
                    + str(target).replace("'", "''")
                    + "' (header, delimiter ',')",
                    [str(source)],
                )
    return copy


def dbt_env(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_command(
    workdir: Path, data: Dataset, args: list[str], extra_vars: dict[str, Any]
) -> list[str]:
    variables = {
        "customers_path": str(data.customers_file),
        "orders_path": str(data.orders_file),
        "exports_path": str(workdir / "exports"),
        # The rendered charts go to the run's folder: the project's assets/ hold the charts of the
        # user's own build, which dbt docs shows.
        "assets_path": str(workdir / "assets"),
        **extra_vars,
    }
    command = [str(DBT), *args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    return command + ["--vars", json.dumps(variables)]


def parse_project(workdir: Path, data: Dataset, extra_vars: dict[str, Any]) -> float:
    """`dbt parse` with the vars of the runs that follow, unmeasured by them; return its seconds.

    dbt re-parses the whole project when the vars change and keeps the parse otherwise (partial
    parsing, target/partial_parse.msgpack): a user's every build after the first starts from a
    parsed project. Parsing first puts every measured run in that state, instead of the first run
    of a series alone paying the parse; the parse's own time is reported beside the runs.
    `--no-partial-parse`: a full parse, whatever an earlier bench left in the folder, so the time
    reported is that of the first build after a change (dbt saves this parse for the runs).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    return checked_dbt(workdir, data, ["parse", "--no-partial-parse"], extra_vars).seconds


def checked_dbt(
    workdir: Path, data: Dataset, args: list[str], extra_vars: dict[str, Any]
) -> measure.Measurement:
    """Run and measure one dbt command; stop the bench with its output's tail when it fails."""
    result = measure.run(
        dbt_command(workdir, data, args, extra_vars), env=dbt_env(workdir), cwd=PROJECT
    )
    if result.returncode != 0:
        print("\n".join(result.output.splitlines()[-60:]), file=sys.stderr)
        raise SystemExit(f"bench: dbt {args[0]} failed on {data.label} (output above)")
    return result


def run_dbt(
    workdir: Path, data: Dataset, args: list[str], extra_vars: dict[str, Any], fresh: bool
) -> Build:
    """Run one measured dbt command (fresh = on a new, empty warehouse file)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if fresh:
        for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
            (workdir / name).unlink(missing_ok=True)
    result = checked_dbt(workdir, data, args, extra_vars)
    return Build(result, json.loads((workdir / "target" / "run_results.json").read_text()))


def python_step(workdir: Path) -> measure.Measurement:
    """The dbt Python models run alone on a built warehouse (see python_step.py)."""
    result = measure.run(
        [
            sys.executable,
            str(HERE / "python_step.py"),
            str(workdir / "warehouse.duckdb"),
            str(workdir / "target"),
            str(PROJECT),
        ],
        cwd=PROJECT,
    )
    if result.returncode != 0:
        print(result.output[-4000:], file=sys.stderr)
        raise SystemExit("bench: the Python step measurement failed (output above)")
    return result


def python_step_figures(result: measure.Measurement) -> dict[str, Any]:
    return json.loads(result.stdout.strip().splitlines()[-1])


def pandas_run(data: Dataset, workdir: Path) -> measure.Measurement:
    result = measure.run(
        [
            sys.executable,
            str(HERE / "pandas_pipeline.py"),
            str(data.customers_file),
            str(data.orders_file),
            str(workdir / "pandas_out"),
        ],
        cwd=PROJECT,
    )
    if result.returncode != 0:
        print(result.output[-4000:], file=sys.stderr)
        raise SystemExit("bench: the pandas script failed (output above)")
    return result


def median_of(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return f"{model}, {os.cpu_count()} cores, {memory_kib / 2**20:.0f} GiB RAM"


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


# The same fixed work in every bench run, timed at its start and end: this shared host's speed
# moves by half or more within the hour, and a figure means little without it.
YARDSTICK_LOOP = 30_000_000
YARDSTICK_SQL = "select sum(hash(range)) from range(100_000_000)"


def host_yardstick() -> dict[str, float]:
    """Seconds for a pure-Python loop (one core) and a DuckDB aggregate (every core)."""
    started = time.perf_counter()
    total = 0
    for number in range(YARDSTICK_LOOP):
        total += number
    python_seconds = time.perf_counter() - started
    with duckdb.connect() as connection:
        started = time.perf_counter()
        connection.execute(YARDSTICK_SQL).fetchall()
        duckdb_seconds = time.perf_counter() - started
    return {"python_s": python_seconds, "duckdb_s": duckdb_seconds}


def yardstick_text(figures: dict[str, float]) -> str:
    return (
        f"a {YARDSTICK_LOOP // 1_000_000}M-step Python loop {figures['python_s']:.2f} s, "
        f"DuckDB `{YARDSTICK_SQL}` {figures['duckdb_s']:.2f} s"
    )


def node_table(nodes: list[dict[str, Any]]) -> list[str]:
    """Markdown lines: every non-test node's time, then the tests summed with the slowest five."""
    short = [
        {**n, "name": n["node"].split(".", 2)[-1], "kind": n["node"].split(".")[0]} for n in nodes
    ]
    tests = sorted(
        (n for n in short if n["kind"] in ("test", "unit_test")), key=lambda n: -n["seconds"]
    )
    others = sorted(
        (n for n in short if n["kind"] not in ("test", "unit_test")), key=lambda n: -n["seconds"]
    )
    lines = ["| node | kind | seconds |", "| --- | --- | ---: |"]
    lines += [f"| {n['name']} | {n['kind']} | {n['seconds']:.2f} |" for n in others]
    lines.append(
        f"| **{len(tests)} data and unit tests together** | test | "
        f"{sum(n['seconds'] for n in tests):.2f} |"
    )
    lines += [f"| of which {n['name']} | test | {n['seconds']:.2f} |" for n in tests[:5]]
    return lines


def growth_chart(rows: list[dict[str, Any]], out: Path) -> Path | None:
    """Altair chart of time and peak memory against customers; returns the SVG path."""
    try:
        import altair as alt
        import pandas as pd
    except ImportError:
        return None
    long = []
    for row in rows:
        long.append(
            {
                "customers": row["customers"],
                "measure": "dbt build",
                "unit": "seconds",
                "value": row["seconds"],
            }
        )
        long.append(
            {
                "customers": row["customers"],
                "measure": "dbt build",
                "unit": "peak MiB",
                "value": row["peak_mib"],
            }
        )
        if row.get("python_seconds") is not None:
            long.append(
                {
                    "customers": row["customers"],
                    "measure": "Python step alone",
                    "unit": "seconds",
                    "value": row["python_seconds"],
                }
            )
            long.append(
                {
                    "customers": row["customers"],
                    "measure": "Python step alone",
                    "unit": "peak MiB",
                    "value": row["python_peak_mib"],
                }
            )
    frame = pd.DataFrame(long)
    base = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("customers:Q", title="customers (10 orders each)"),
            color=alt.Color("measure:N", title=None),
        )
    )
    time_chart = (
        base.transform_filter(alt.datum.unit == "seconds")
        .encode(y=alt.Y("value:Q", title="wall time (s)"))
        .properties(title="Time", width=320, height=220)
    )
    memory_chart = (
        base.transform_filter(alt.datum.unit == "peak MiB")
        .encode(y=alt.Y("value:Q", title="peak RSS (MiB)"))
        .properties(title="Peak memory", width=320, height=220)
    )
    chart = alt.hconcat(time_chart, memory_chart).properties(
        title="Growth: dbt build and its Python step against the number of customers"
    )
    out.mkdir(parents=True, exist_ok=True)
    path = out / "growth.svg"
    chart.save(str(path))
    chart.save(str(out / "growth.png"), scale_factor=2)
    return path


class Report:
    """The sections so far; rewrites results.md after each part (a partial bench still counts)."""

    def __init__(self, out: Path, command: str):
        self.out = out
        self.path = out / "results.md"
        self.started = dt.datetime.now(dt.UTC)
        self.load_at_start = load_average()
        self.yardstick_at_start = yardstick_text(host_yardstick())
        self.yardstick_at_end: str | None = None
        self.header = [
            "# Benchmark results",
            "",
            f"Measured {self.started:%Y-%m-%d %H:%M} UTC on {machine()} (`{command}`).",
            "",
        ]
        self.sections: list[list[str]] = []

    def add(self, lines: list[str]) -> None:
        self.sections.append(lines)
        for line in lines:
            print(line)
        self.write()

    def write(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        footer = [
            "",
            "---",
            f"Load average (1/5/15 min) at the start: {self.load_at_start}; at the last write: "
            f"{load_average()}. Other jobs shared the machine, so the figures are indicative.",
            "Host speed (the same fixed work in every bench run; compare it before comparing "
            f"figures across runs): at the start {self.yardstick_at_start}"
            + (f"; at the end {self.yardstick_at_end}." if self.yardstick_at_end else "."),
            "Peak memory is the larger of (a) the sum of VmRSS over the whole process tree, "
            "sampled "
            "every 50 ms from /proc, and (b) the exact peak RSS of the largest single process "
            "(`getrusage(RUSAGE_CHILDREN)` of a wrapper that runs only that command). dbt-duckdb "
            "runs DuckDB and the Python models inside the dbt process, so the tree is that "
            "process, plus the chart image renderer's child while the charts render.",
            f"Targets from {ISSUE_TARGETS}.",
        ]
        body = [line for section in self.sections for line in [*section, ""]]
        self.path.write_text("\n".join(self.header + body + footer) + "\n")


def headline(args, report: Report) -> tuple[Dataset, Path, Build, dict[str, Any] | None]:
    data = dataset(args.folder, args.customers, args.orders, args.seed)
    workdir = args.folder / "runs" / data.folder.name
    builds: list[Build] = []
    pandas_runs: list[measure.Measurement] = []
    log(f"dbt parse with the runs' vars on {data.label} (unmeasured by the runs)")
    parse_seconds = parse_project(workdir, data, args.vars)
    log(f"  {parse_seconds:.1f} s")
    # The segmentation-only builds get their own folder: the scoring part reads the model the full
    # build stored in workdir.
    segmentation_dir = workdir.with_name(f"{workdir.name}_segmentation_only")
    segmentation_builds: list[Build] = []
    if not args.skip_segmentation_only:
        parse_project(segmentation_dir, data, args.vars)
    for index in range(args.runs):
        log(f"run {index + 1}/{args.runs}: dbt build on {data.label}")
        builds.append(run_dbt(workdir, data, ["build"], args.vars, fresh=True))
        log(
            f"  {builds[-1].seconds:.1f} s, CPU {builds[-1].cpu_seconds:.1f} s, "
            f"peak {builds[-1].peak_mib:,.0f} MiB"
        )
        shutil.copy(
            workdir / "target" / "run_results.json", workdir / f"run_results_{index + 1}.json"
        )
        if not args.skip_pandas:
            log(f"run {index + 1}/{args.runs}: pandas script on {data.label}")
            pandas_runs.append(pandas_run(data, workdir))
            log(
                f"  {pandas_runs[-1].seconds:.1f} s, CPU {pandas_runs[-1].cpu_seconds:.1f} s, "
                f"peak {pandas_runs[-1].peak_mib:,.0f} MiB"
            )
        if not args.skip_segmentation_only:
            log(f"run {index + 1}/{args.runs}: dbt build of the segmentation only on {data.label}")
            segmentation_builds.append(
                run_dbt(
                    segmentation_dir,
                    data,
                    ["build", "--select", *SEGMENTATION_ONLY],
                    args.vars,
                    fresh=True,
                )
            )
            log(
                f"  {segmentation_builds[-1].seconds:.1f} s, "
                f"CPU {segmentation_builds[-1].cpu_seconds:.1f} s, "
                f"peak {segmentation_builds[-1].peak_mib:,.0f} MiB"
            )
    median_build = sorted(builds, key=lambda b: b.seconds)[(len(builds) - 1) // 2]
    step = python_step_figures(python_step(workdir)) if not args.skip_python_step else None
    dbt_seconds = median_of([b.seconds for b in builds])
    dbt_peak = median_of([b.peak_mib for b in builds])
    lines = [
        f"## 1. Full `dbt build` against pandas + scikit-learn: {data.label}",
        "",
        "Default vars, every model, test, snapshot and export (`dbt build`), on a new DuckDB file "
        "each run, in a parsed project: a `dbt parse` with the same vars ran first, as every "
        "build after the first in a user's project (dbt keeps the parse while the vars and files "
        f"do not change); the first build after a change of vars also parses: that parse took "
        f"{parse_seconds:.1f} s here (whole `dbt parse` process). The pandas script "
        "(`scripts/bench/pandas_pipeline.py`) reads the same Parquet "
        "files and does the segmentation work: cleaning, features by groupby, category shares, "
        "median imputation and standard scaling, K-Means k=2..10 fitted and scored by silhouette "
        "on a 10,000-customer sample, the final fit on everyone, the profile; it does not build "
        "the marketing marts, projections, dendrogram, exports or data tests. Like the package "
        "inside dbt, its scikit-learn part runs on one thread. Runs alternate.",
        "",
        "The third side, `dbt build --select " + " ".join(SEGMENTATION_ONLY) + "`, is the "
        "pandas script's share of the build: staging with its quarantine, features, scaling, the "
        "search and fit, customer_segments and segment_profiles, with the tests of those models "
        "(on a folder of its own, parsed first too); the full build's time beyond it buys the "
        "marketing lists and campaign files, the pictures (t-SNE, dendrogram, charts), the "
        "snapshot, the scoring table and their tests.",
        "",
        "| run | dbt build (s) | dbt peak RSS (MiB) | pandas (s) | pandas peak RSS (MiB) "
        "| dbt segmentation only (s) | its peak RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def cells(runs: list, index: int) -> str:
        if not runs:
            return "- | -"
        return f"{runs[index].seconds:.1f} | {runs[index].peak_mib:,.0f}"

    for index, build in enumerate(builds):
        lines.append(
            f"| {index + 1} | {build.seconds:.1f} | {build.peak_mib:,.0f} | "
            f"{cells(pandas_runs, index)} | {cells(segmentation_builds, index)} |"
        )

    def medians(runs: list) -> str:
        if not runs:
            return "- | -"
        seconds = median_of([run.seconds for run in runs])
        return f"**{seconds:.1f}** | **{median_of([run.peak_mib for run in runs]):,.0f}**"

    lines.append(
        f"| **median** | **{dbt_seconds:.1f}** | **{dbt_peak:,.0f}** | {medians(pandas_runs)} | "
        f"{medians(segmentation_builds)} |"
    )
    cpu = [
        f"{name} {median_of([run.cpu_seconds for run in runs]):.1f} s "
        f"({median_of([run.cpu_seconds / run.seconds for run in runs]):.2f} cores busy on average)"
        for name, runs in (
            ("dbt build", builds),
            ("pandas", pandas_runs),
            ("dbt segmentation only", segmentation_builds),
        )
        if runs
    ]
    lines += [
        "",
        "CPU time (user + system, the whole process tree; medians): " + ", ".join(cpu) + ".",
    ]
    if pandas_runs:
        pandas_seconds = median_of([m.seconds for m in pandas_runs])
        lines += [
            "",
            f"Ratio dbt / pandas (median wall time): **{dbt_seconds / pandas_seconds:.2f}** "
            "(target <= 0.6).",
        ]
        if segmentation_builds:
            only = median_of([b.seconds for b in segmentation_builds])
            lines += [
                "",
                f"Ratio of the segmentation only to pandas (the same work): "
                f"**{only / pandas_seconds:.2f}**; the rest of the full build: "
                f"{dbt_seconds - only:.1f} s.",
            ]
    if step:
        lines += [
            "",
            "Python step alone (the clustering Python models, which read the bounded sample, run "
            "outside dbt on the built warehouse): "
            f"{step['seconds']:.1f} s, peak RSS {step['peak_mib']:,.0f} MiB "
            f"({step['baseline_mib']:,.0f} MiB after imports): "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in step["models"].items())
            + ". The other Python models (charts, campaign files) after them: "
            f"{step.get('other_seconds', 0):.1f} s, peak RSS "
            f"{step.get('other_peak_mib', 0):,.0f} MiB: "
            + ", ".join(
                f"{name} {seconds:.1f} s" for name, seconds in step.get("other_models", {}).items()
            )
            + ".",
        ]
    lines += [
        "",
        "### Every dbt node (run_results.json of the median dbt run; of an even number of "
        "runs, the faster middle one, which is also the growth table's point)",
        "",
        *node_table(median_build.nodes),
        "",
        "### Where the wall time goes (the same run)",
        "",
        *critical_chain.schedule_lines(
            critical_chain.schedule(
                median_build.run_results,
                json.loads((workdir / "target" / "manifest.json").read_text()),
            ),
            median_build.seconds,
        ),
    ]
    report.add(lines)
    return data, workdir, median_build, step


def scoring(args, report: Report, fitted: Path) -> None:
    data = dataset(
        args.folder, args.score_customers, args.score_customers * ORDERS_PER_CUSTOMER, args.seed + 1
    )
    workdir = args.folder / "runs" / f"score_{data.folder.name}"
    if workdir.exists():
        shutil.rmtree(workdir)
    shutil.copytree(
        fitted, workdir, ignore=shutil.ignore_patterns("exports", "assets", "logs", "pandas_out")
    )
    # Alternated: `dbt run` (the issue's target) and `dbt build` (the same models with the input
    # checks: rejected rows counted, rejected-share health tests), which the README recommends.
    runs: dict[str, list[Build]] = {"run": [], "build": []}
    parse_seconds = parse_project(workdir, data, args.vars)
    for index in range(args.runs):
        for command in runs:
            log(f"scoring {command} {index + 1}/{args.runs}: {data.label} against the stored model")
            runs[command].append(
                run_dbt(
                    workdir,
                    data,
                    [command, "--selector", "score_new_customers"],
                    args.vars,
                    fresh=False,
                )
            )
            log(f"  {runs[command][-1].seconds:.1f} s")
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as connection:
        scored = connection.execute("select count(*) from customer_segments_scored").fetchone()[0]
    median = sorted(runs["run"], key=lambda b: b.seconds)[(len(runs["run"]) - 1) // 2]
    paired = zip(runs["run"], runs["build"], strict=True)
    lines = [
        f"## 2. Scoring new customers: {data.label}",
        "",
        f"`dbt run --selector score_new_customers` on a copy of the warehouse fitted in part 1, "
        f"with these customers as input: {scored:,} customers scored, no refit. Alternated with "
        "`dbt build --selector score_new_customers`: the same models and the tests of the new "
        "input (rows reconcile, rejected-share health tests, keys). A `dbt parse` with these "
        "vars ran first, as for part 1: a scoring job that reads a file at the same path every "
        "day starts from that parse; one whose path (a var) changes pays the parse as well, "
        f"{parse_seconds:.1f} s here.",
        "",
        "| run | dbt run (s) | peak RSS (MiB) | dbt build (s) | peak RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[
            f"| {i + 1} | {r.seconds:.1f} | {r.peak_mib:,.0f} | "
            f"{b.seconds:.1f} | {b.peak_mib:,.0f} |"
            for i, (r, b) in enumerate(paired)
        ],
        "| **median** | "
        + " | ".join(
            f"**{median_of([b.seconds for b in runs[c]]):.1f}** | "
            f"**{median_of([b.peak_mib for b in runs[c]]):,.0f}**"
            for c in ("run", "build")
        )
        + " |",
        "",
        "Nodes of the median `dbt run`:",
        "",
        "| node | seconds |",
        "| --- | ---: |",
        *[f"| {n['node'].split('.', 2)[-1]} | {n['seconds']:.2f} |" for n in median.nodes],
    ]
    report.add(lines)


STAGING_MODELS = ("base_customers", "base_orders")


def staging_formats(args, report: Report) -> None:
    """The staging models on the headline inputs as Parquet and as CSV, alternated."""
    parquet = dataset(args.folder, args.customers, args.orders, args.seed)
    csv = as_csv(parquet)
    builds: dict[str, list[Build]] = {"parquet": [], "csv": []}

    def workdir_of(data: Dataset) -> Path:
        return args.folder / "runs" / f"staging_{data.file_format}_{data.folder.name}"

    for data in (parquet, csv):
        parse_project(workdir_of(data), data, args.vars)
    for index in range(args.runs):
        for data in (parquet, csv):
            workdir = workdir_of(data)
            log(f"staging {index + 1}/{args.runs}: {data.file_format} inputs, {data.label}")
            build = run_dbt(
                workdir, data, ["build", "--select", *STAGING_MODELS], args.vars, fresh=True
            )
            builds[data.file_format].append(build)
            log(f"  {build.seconds:.1f} s, peak {build.peak_mib:,.0f} MiB")

    def node_seconds(build: Build, name: str) -> float:
        return next(n["seconds"] for n in build.nodes if n["node"].endswith(f".{name}"))

    lines = [
        f"## 4. Staging from Parquet and from CSV: {parquet.label}",
        "",
        "`dbt build --select " + " ".join(STAGING_MODELS) + "` (the two models that read the "
        "inputs, and their tests) on a new DuckDB file, the inputs of part 1 as Parquet and as "
        "CSV (comma-separated, header; written by DuckDB), alternated. A CSV file has no row "
        "numbers of its own and no row count the planner can trust: staging reads it once into a "
        "numbered copy (README, 'Staging: parsing rules', Reading). A `dbt parse` with each "
        "format's vars ran first, as for part 1.",
        "",
        "| run | inputs | dbt build (s) | peak RSS (MiB) | "
        + " | ".join(f"{name} (s)" for name in STAGING_MODELS)
        + " |",
        "| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in STAGING_MODELS) + " |",
    ]
    for index in range(args.runs):
        for file_format, runs in builds.items():
            build = runs[index]
            lines.append(
                f"| {index + 1} | {file_format} | {build.seconds:.1f} | {build.peak_mib:,.0f} | "
                + " | ".join(f"{node_seconds(build, name):.2f}" for name in STAGING_MODELS)
                + " |"
            )
    for file_format, runs in builds.items():
        lines.append(
            f"| **median** | **{file_format}** | **{median_of([b.seconds for b in runs]):.1f}** | "
            f"**{median_of([b.peak_mib for b in runs]):,.0f}** | "
            + " | ".join(
                f"**{median_of([node_seconds(b, name) for b in runs]):.2f}**"
                for name in STAGING_MODELS
            )
            + " |"
        )
    report.add(lines)


def growth(
    args, report: Report, known: dict[tuple[int, int], tuple[Build, dict[str, Any] | None]]
) -> None:
    rows = []
    for customers in args.sizes:
        orders = customers * ORDERS_PER_CUSTOMER
        if (customers, orders) in known:
            build, step = known[(customers, orders)]
        else:
            data = dataset(args.folder, customers, orders, args.seed)
            workdir = args.folder / "runs" / data.folder.name
            parse_project(workdir, data, args.vars)
            log(f"growth: dbt build on {data.label}")
            build = run_dbt(workdir, data, ["build"], args.vars, fresh=True)
            log(f"  {build.seconds:.1f} s, peak {build.peak_mib:,.0f} MiB")
            step = None if args.skip_python_step else python_step_figures(python_step(workdir))
        rows.append(
            {
                "customers": customers,
                "orders": orders,
                "seconds": build.seconds,
                "peak_mib": build.peak_mib,
                "python_seconds": step["seconds"] if step else None,
                "python_peak_mib": step["peak_mib"] if step else None,
            }
        )
    lines = [
        f"## 3. Growth ({ORDERS_PER_CUSTOMER} orders per customer, one full `dbt build` each)",
        "",
        "Each build in a parsed project, as in part 1 (so the fixed cost of a parse does not "
        "flatter the growth).",
        "",
        "| customers | orders | dbt build (s) | dbt peak RSS (MiB) | Python step alone (s) "
        "| Python step peak RSS (MiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        python_cells = (
            f"{row['python_seconds']:.1f} | {row['python_peak_mib']:,.0f}"
            if row["python_seconds"] is not None
            else "- | -"
        )
        lines.append(
            f"| {row['customers']:,} | {row['orders']:,} | {row['seconds']:.1f} | "
            f"{row['peak_mib']:,.0f} | {python_cells} |"
        )
    if len(rows) >= 2:
        first, last = rows[-2], rows[-1]
        size = last["customers"] / first["customers"]
        ratios = [
            f"time x{last['seconds'] / first['seconds']:.2f}",
            f"peak memory x{last['peak_mib'] / first['peak_mib']:.2f}",
        ]
        if last["python_peak_mib"] and first["python_peak_mib"]:
            ratios.append(
                f"Python step peak memory x{last['python_peak_mib'] / first['python_peak_mib']:.2f}"
            )
        lines += [
            "",
            f"From {first['customers']:,} to {last['customers']:,} customers (x{size:g}): "
            + ", ".join(ratios)
            + " (issue 10: time and memory within 4.5x for 4x the customers; the Python step's "
            "memory within 1.2x).",
        ]
    chart = growth_chart(rows, args.out)
    if chart:
        lines += ["", f"![growth: time and peak memory against customers]({chart.name})"]
    report.add(lines)


def sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="headline customers")
    parser.add_argument("--orders", type=int, default=10_000_000, help="headline orders")
    parser.add_argument("--runs", type=int, default=2, help="runs of each side (medians)")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument(
        "--skip-segmentation-only",
        action="store_true",
        help="skip the third side of part 1 (dbt build of the segmentation models only)",
    )
    parser.add_argument("--skip-headline", action="store_true", help="growth and scoring only")
    parser.add_argument("--skip-scoring", action="store_true")
    parser.add_argument("--skip-python-step", action="store_true")
    parser.add_argument(
        "--skip-csv", action="store_true", help="skip part 4 (staging from Parquet and from CSV)"
    )
    parser.add_argument("--score-customers", type=int, default=100_000)
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=[100_000, 1_000_000, 4_000_000],
        help="growth sizes in customers, comma separated ('' skips the growth part)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--vars", type=json.loads, default={}, help="extra dbt vars as JSON")
    parser.add_argument("--folder", type=Path, default=PROJECT / "bench_data")
    parser.add_argument("--out", type=Path, default=PROJECT / "bench")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.orders < 0 or args.runs < 1:
        parser.error("--customers and --runs must be >= 1, --orders >= 0")
    if args.skip_headline and not args.skip_scoring:
        parser.error("scoring needs the model fitted by the headline build: add --skip-scoring")
    args.folder = args.folder.resolve()
    args.out = args.out.resolve()
    command = "make bench" + (
        f' BENCH_ARGS="{" ".join(argv or sys.argv[1:])}"' if (argv or sys.argv[1:]) else ""
    )
    report = Report(args.out, command)
    log(f"{machine()}, load average {report.load_at_start}; writing {report.path}")
    known = {}
    if not args.skip_headline:
        data, workdir, build, step = headline(args, report)
        known[(data.customers, data.orders)] = (build, step)
        if not args.skip_scoring:
            scoring(args, report, workdir)
    if args.sizes:
        growth(args, report, known)
    if not args.skip_csv:
        staging_formats(args, report)
    report.yardstick_at_end = yardstick_text(host_yardstick())
    report.write()
    log(f"host speed at the start: {report.yardstick_at_start}")
    log(f"host speed at the end: {report.yardstick_at_end}")
    log(f"written {report.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
