"""`make bench`: build the whole project on a large generated store and print where time goes.

Generates (once, cached under bench_data/) customers and orders as Parquet with the project's own
generator, runs `dbt build` on them into a separate DuckDB file, and prints the wall time of each
phase, the slowest models from dbt's run_results.json, and the peak memory of the dbt process.
Figures only: no pass/fail thresholds (those belong in review, not in a timed test).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path.cwd()


def generate(customers: int, orders: int, folder: Path, seed: int) -> float:
    """Write the Parquet inputs unless they exist; returns the seconds spent."""
    if (folder / "demo_customers.parquet").exists() and (folder / "demo_orders.parquet").exists():
        print(f"bench: reusing {folder}/ (delete it to regenerate)")
        return 0.0
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "customer_segmentation.synth",
            "--customers",
            str(customers),
            "--orders",
            str(orders),
            "--seed",
            str(seed),
            "--format",
            "parquet",
            "--out",
            str(folder),
            "--truth",
            str(folder / "truth.parquet"),
        ],
        check=True,
    )
    return time.perf_counter() - started


def dbt_build(folder: Path, database: Path, extra_vars: dict[str, object]) -> tuple[float, int]:
    """Run dbt build on the bench inputs; returns (seconds, peak RSS of dbt in MiB)."""
    if database.exists():
        database.unlink()
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
    }
    variables = {
        "customers_path": str(folder / "demo_customers.parquet"),
        "orders_path": str(folder / "demo_orders.parquet"),
        "exports_path": str(folder / "exports"),
        **extra_vars,
    }
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        "--profiles-dir",
        str(PROJECT),
        "--project-dir",
        str(PROJECT),
        "--vars",
        json.dumps(variables),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-2000:], sep="\n", file=sys.stderr)
        raise SystemExit("bench: dbt build failed (output above)")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return seconds, peak_mib


def slowest_nodes(folder: Path, top: int) -> list[tuple[str, float]]:
    """The slowest dbt nodes of the last run, from run_results.json."""
    results = json.loads((folder / "target" / "run_results.json").read_text())["results"]
    timings = [(r["unique_id"].split(".", 2)[-1], r["execution_time"]) for r in results]
    return sorted(timings, key=lambda item: -item[1])[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--folder", type=Path, default=PROJECT / "bench_data")
    parser.add_argument("--algorithm", default="kmeans", help="var cluster_algorithm for the run")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.orders < 0:
        parser.error("--customers must be >= 1 and --orders >= 0")
    folder = args.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    print(f"bench: {args.customers:,} customers, {args.orders:,} orders, {os.cpu_count()} cores")
    generation = generate(args.customers, args.orders, folder, args.seed)
    settings = {"cluster_algorithm": args.algorithm}
    seconds, peak = dbt_build(folder, folder / "bench.duckdb", settings)
    print(f"bench: generate inputs      {generation:8.1f} s")
    print(f"bench: dbt build (all)      {seconds:8.1f} s   peak RSS {peak:,} MiB")
    print("bench: slowest dbt nodes:")
    for name, node_seconds in slowest_nodes(folder, 12):
        print(f"bench:   {name:<60} {node_seconds:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
