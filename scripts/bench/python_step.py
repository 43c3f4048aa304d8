"""Run the project's dbt Python models outside dbt, on a built warehouse, to isolate their cost.

Reads target/manifest.json for the Python models (their files and their rendered `segmentation`
config), opens the warehouse read-only, and calls each model's `model(dbt, session)` in dependency
order with a small stand-in for dbt's `dbt` object (`config`, `config.get`, `ref(...)` as a DuckDB
relation, `this`). The returned frames are discarded: this measures the Python step (reading its
inputs into Python, the package calls), not dbt's writing of the result.

Prints one JSON line: {"models": {name: seconds}, "seconds": total, "baseline_mib": RSS after
imports, "peak_mib": the process's peak RSS (VmHWM)}.

Usage: python scripts/bench/python_step.py WAREHOUSE.duckdb TARGET_DIR PROJECT_DIR
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb
import polars  # noqa: F401  (imported before the baseline, as dbt-duckdb's Python models use it)
import sklearn  # noqa: F401


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class _Config:
    def __init__(self, config: dict[str, Any]):
        self._config = config

    def __call__(self, **_: Any) -> None:
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self._config.get(key, default)


class _This:
    def __init__(self, schema: str, identifier: str):
        self.schema, self.identifier = schema, identifier

    def __str__(self) -> str:
        return f'"{self.schema}"."{self.identifier}"'


class _Dbt:
    def __init__(
        self,
        node: dict[str, Any],
        session: duckdb.DuckDBPyConnection,
        relations: dict[str, str],
    ):
        self.config = _Config(node["config"])
        self.this = _This(node["schema"], node["alias"] or node["name"])
        self._session = session
        self._relations = relations
        self.is_incremental = False

    def ref(self, name: str, *_, **__) -> duckdb.DuckDBPyRelation:
        return self._session.table(self._relations.get(name, name))


def relation_names(manifest: dict[str, Any]) -> dict[str, str]:
    """Model and seed name -> "schema"."table" as built (layers live in their own schemas)."""
    return {
        node["name"]: f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def python_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The enabled Python model nodes, dependencies first."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("language") == "python"
    }
    graph = {
        uid: [dep for dep in node["depends_on"]["nodes"] if dep in nodes]
        for uid, node in nodes.items()
    }
    return [nodes[uid] for uid in TopologicalSorter(graph).static_order()]


def main(argv: list[str] | None = None) -> int:
    warehouse, target, project = (Path(arg) for arg in (argv or sys.argv[1:]))
    manifest = json.loads((target / "manifest.json").read_text())
    baseline = _status_kib("VmRSS")
    timings: dict[str, float] = {}
    relations = relation_names(manifest)
    with duckdb.connect(str(warehouse), read_only=True) as session:
        for node in python_models(manifest):
            spec = importlib.util.spec_from_file_location(
                node["name"], project / node["original_file_path"]
            )
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            started = time.perf_counter()
            result = module.model(_Dbt(node, session, relations), session)
            timings[node["name"]] = round(time.perf_counter() - started, 3)
            del result
    print(
        json.dumps(
            {
                "models": timings,
                "seconds": round(sum(timings.values()), 3),
                "baseline_mib": round(baseline / 1024, 1),
                "peak_mib": round(_status_kib("VmHWM") / 1024, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
